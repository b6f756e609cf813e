#!/bin/sh
# Builds the Debian package from this build tree (cpack -G DEB) and checks what it installs.
set -eu
build="$1"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; exit 1; }
deb=$(ls "$out"/*.deb)
contents=$(dpkg-deb -c "$deb")
status=0
for path in ./usr/bin/lienthongd ./usr/bin/lienthongctl \
            ./usr/lib/systemd/system/lienthongd.service \
            ./usr/lib/systemd/system/lienthong-backup.service \
            ./usr/lib/systemd/system/lienthong-backup.timer \
            ./usr/lib/sysusers.d/lienthong.conf ./usr/lib/tmpfiles.d/lienthong.conf \
            ./usr/share/lienthong/calendar/vn.json \
            ./usr/share/doc/lienthong/prometheus/lienthong-alerts.yml \
            ./usr/share/doc/lienthong/README.md; do
    if ! printf '%s\n' "$contents" | grep -q " $path\$"; then
        echo "missing from the package: $path"
        status=1
    fi
done
depends=$(dpkg-deb -f "$deb" Depends)
case "$depends" in
    *libssl*) ;;
    *) echo "Depends does not name libssl: $depends"; status=1 ;;
esac
[ $status -eq 0 ] && echo "package $(basename "$deb") holds what it should; Depends: $depends"
exit $status
