#!/bin/sh
# systemd-analyze verify on deploy/systemd: the units as shipped, with the binaries pointed at
# this build tree (verify checks that ExecStart names an executable). Exit 77 (skipped) only
# when systemd-analyze is not installed.
set -eu
src="$1"
build="$2"
command -v systemd-analyze >/dev/null 2>&1 || { echo "systemd-analyze not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in lienthongd.service lienthong-backup.service lienthong-backup.timer; do
    sed -e "s|/usr/bin/lienthongd|$build/hub/daemon/lienthongd|" \
        -e "s|/usr/bin/lienthongctl|$build/tools/ctl/lienthongctl|" \
        "$src/deploy/systemd/$unit" > "$work/$unit"
done
out=$(cd "$work" && systemd-analyze verify --man=no ./lienthongd.service ./lienthong-backup.service \
      ./lienthong-backup.timer 2>&1) || { echo "$out"; exit 1; }
# verify also prints warnings without failing; a unit of ours must not cause any.
if printf '%s\n' "$out" | grep -E "lienthong" ; then
    exit 1
fi
echo "systemd units verify"
