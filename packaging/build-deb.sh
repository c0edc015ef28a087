#!/usr/bin/env bash
# Builds the Debian package from a release binary with Debian's own tools (dpkg-shlibdeps, dpkg-deb):
#   packaging/build-deb.sh BINARY OUTPUT_FOLDER
# and prints the .deb's path on its last line. Needs no root (dpkg-deb --root-owner-group).
set -euo pipefail
binary=$(realpath "$1") output=$2
cd "$(dirname "$0")/.."

version=$("$binary" --version | sed -n 's/^switchboard \([^ ]*\) .*/\1/p')
changelog_version=$(sed -n '1s/^switchboard (\(.*\)) .*/\1/p' packaging/debian/changelog)
if [ "$version" != "$changelog_version" ]; then
    echo "build-deb: the binary is $version but packaging/debian/changelog starts with $changelog_version;" \
        "add a changelog entry for $version" >&2
    exit 1
fi
arch=$(dpkg --print-architecture)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/switchboard
umask 022

packaging/install.sh "$binary" "$stage" /usr >/dev/null
install -d "$stage/etc/switchboard" "$stage/lib/systemd/system" "$stage/DEBIAN"
install -m 0644 Config/switchboard.json Config/catalog.json "$stage/etc/switchboard/"
install -m 0600 packaging/switchboard.env "$stage/etc/switchboard/switchboard.env"
install -m 0644 packaging/switchboard@.service packaging/switchboard.target "$stage/lib/systemd/system/"
install -m 0644 packaging/debian/copyright "$stage/usr/share/doc/switchboard/copyright"
install -D -m 0644 packaging/debian/lintian-overrides "$stage/usr/share/lintian/overrides/switchboard"
gzip -9n < packaging/debian/changelog > "$stage/usr/share/doc/switchboard/changelog.gz"
chmod 0644 "$stage/usr/share/doc/switchboard/changelog.gz"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$stage/DEBIAN/"
install -m 0644 packaging/debian/conffiles "$stage/DEBIAN/"

# Runtime libraries as Debian names them (libhiredis0.14, libmicrohttpd12, …), from the binary's NEEDED
# entries and the installed packages' shlibs/symbols files.
mkdir -p "$work/shlibs/debian"
printf 'Source: switchboard\n\nPackage: switchboard\nArchitecture: any\n' > "$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$stage/usr/bin/switchboard" \
    | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@SHLIBS@/$shlibs/" \
    packaging/debian/control.in > "$stage/DEBIAN/control"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) \
    > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums" "$stage/DEBIAN/control"

mkdir -p "$output"
deb=$output/switchboard_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz -z1 --build "$stage" "$deb" >/dev/null
echo "$deb"
