#!/usr/bin/env bash
# Writes the git commit of the working tree into Sources/SwitchboardApp/Switchboard+BuildStamp.swift
# (git-ignored), which builds compile with -DSWITCHBOARD_BUILD_STAMP (`make release`, `install`, `deb`).
# A plain `swift build` does not compile it and reports "unknown commit". The file is rewritten only
# when the commit changes, so an unchanged tree does not rebuild.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git describe --always --dirty --abbrev=12 2>/dev/null || true)
if [ -n "$commit" ]; then value="\"$commit\""; else value=nil; fi
file=Sources/SwitchboardApp/Switchboard+BuildStamp.swift
content="// Written by packaging/build-stamp.sh at build time; git-ignored. Compiled with -DSWITCHBOARD_BUILD_STAMP.
#if SWITCHBOARD_BUILD_STAMP
extension Switchboard {
    /// The commit \`make\` built from.
    static let buildStamp: String? = $value
}
#endif"
if [ ! -f "$file" ] || [ "$(cat "$file")" != "$content" ]; then
    printf '%s\n' "$content" > "$file"
fi
echo "build stamp: ${commit:-unknown commit}"
