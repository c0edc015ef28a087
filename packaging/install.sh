#!/usr/bin/env bash
# Installs a built switchboard: the binary (stripped), the man page, bash completion and the example
# configuration.   packaging/install.sh BINARY DESTDIR PREFIX
set -euo pipefail
binary=$1 destdir=$2 prefix=$3
cd "$(dirname "$0")/.."
root=$destdir$prefix
install -d "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" \
    "$root/share/doc/switchboard/examples"
install -m 0755 "$binary" "$root/bin/switchboard"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/bin/switchboard"
gzip -9n < packaging/switchboard.1 > "$root/share/man/man1/switchboard.1.gz"
chmod 0644 "$root/share/man/man1/switchboard.1.gz"
install -m 0644 packaging/switchboard.bash-completion "$root/share/bash-completion/completions/switchboard"
install -m 0644 Config/switchboard.json Config/catalog.json packaging/switchboard.env \
    "$root/share/doc/switchboard/examples/"
echo "installed $root/bin/switchboard ($("$root/bin/switchboard" --version))"
