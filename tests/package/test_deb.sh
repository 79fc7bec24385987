#!/usr/bin/env bash
# test_deb.sh: the Debian package, end to end, inside the Debian root:
#   1. dpkg-buildpackage -us -uc -b on a copy of the sources (the README's command);
#   2. lintian on the result: no error or warning (info and pedantic tags are shown);
#   3. the .deb holds the plug-in where GIMP looks, its looks and the metainfo;
#   4. it installs with dpkg -i into a throwaway copy of the root (an overlay on
#      it: the root itself is not changed, and nothing of the build is visible),
#      where headless GIMP with a new, empty profile finds plug-in-smp-hairline,
#      runs it on a generated image and applies every shipped look
#      (check_installed.py).
# Prints PASS/FAIL lines; exit 1 on any FAIL. Needs root (mounts).
#   test_deb.sh SOURCE_DIR WORK_DIR CHECK_INSTALLED.py
set -uo pipefail
export PATH=$PATH:/usr/sbin:/sbin
src=$1 work=$2 checker=$3
fail=0
check() { if [ "$2" = 0 ]; then echo "PASS $1${3:+ ($3)}"; else echo "FAIL $1${3:+ ($3)}"; fail=1; fi; }
die() { echo "FAIL $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "the package test needs root (it mounts an overlay)"
rm -rf "$work"; mkdir -p "$work/pkg"
ver=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
pkgsrc=$work/pkg/smp-hairline-$ver

# 1. Build from a copy of the sources without build output (dpkg-buildpackage
#    writes its results next to the source folder).
mkdir -p "$pkgsrc"
tar -C "$src" --exclude=./_build --exclude=./_demo --exclude=./.git -cf - . | tar -C "$pkgsrc" -xf -
t0=$(date +%s)
( cd "$pkgsrc" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b ) \
  > "$work/build.log" 2>&1
rc=$?
[ $rc = 0 ] || tail -n 40 "$work/build.log"
check "dpkg-buildpackage -us -uc -b builds the package" $rc "$(( $(date +%s) - t0 )) s"
arch=$(dpkg --print-architecture)
deb=$work/pkg/gimp-smp-hairline_${ver}_$arch.deb
changes=$work/pkg/smp-hairline_${ver}_$arch.changes
[ -f "$deb" ] || die "no $deb"
grep -Eq '^Ok: +[1-9]' "$work/build.log" && grep -Eq '^Fail: +0 *$' "$work/build.log"
check "the build ran the unit tests (dh_auto_test)" $? "$(grep -E '^(Ok|Fail): ' "$work/build.log" | tr -s ' ' | paste -sd' ')"

# 2. lintian: errors and warnings fail; the rest is printed.
t0=$(date +%s)
lintian --info --display-info --pedantic --tag-display-limit 0 --fail-on error,warning "$changes" \
  > "$work/lintian.log" 2>&1
rc=$?
sed 's/^/lintian: /' "$work/lintian.log"
check "lintian: no error or warning" $rc \
  "$(grep -c '^[EW]:' "$work/lintian.log") E/W, $(grep -c '^[IP]:' "$work/lintian.log") info/pedantic, $(( $(date +%s) - t0 )) s"

# 3. The contents.
gimplibdir=$(pkg-config --variable=gimplibdir gimp-3.0)
plugin=$gimplibdir/plug-ins/smp-hairline/smp-hairline
dpkg-deb -c "$deb" > "$work/contents.txt"
grep -q " \.$plugin\$" "$work/contents.txt"
check "the package holds the plug-in at $plugin" $?
grep -Eq "^-rwxr-xr-x .* \.$plugin\$" "$work/contents.txt"
check "the plug-in is executable" $?
n=$(grep -c " \.$gimplibdir/plug-ins/smp-hairline/patterns/presets/.*\.smp-preset\$" "$work/contents.txt")
want=$(ls "$src"/patterns/presets/*.smp-preset | wc -l)
[ "$n" = "$want" ]; check "the package holds every shipped look" $? "$n of $want"
n=$(grep -c " \.$gimplibdir/plug-ins/smp-hairline/patterns/templates/.*\.smp-template\$" "$work/contents.txt")
want=$(ls "$src"/patterns/templates/*.smp-template | wc -l)
[ "$n" = "$want" ]; check "the package holds every hairline template" $? "$n of $want"
n=$(grep -c " \.$gimplibdir/plug-ins/smp-hairline/locale/[^/]*/LC_MESSAGES/smp-hairline\.mo\$" "$work/contents.txt")
want=$(sed -e 's/#.*//' "$src/po/LINGUAS" | grep -c .)
[ "$n" = "$want" ]; check "the package holds a catalog per shipped language (locale/<ll>/LC_MESSAGES)" $? "$n of $want"
grep -q ' \./usr/share/metainfo/org\.gimp\.GIMP\.Plugin\.SMPHairline\.metainfo\.xml$' "$work/contents.txt"
check "the package holds the AppStream metainfo" $?
grep -q ' \./usr/share/doc/gimp-smp-hairline/copyright$' "$work/contents.txt"
check "the package holds its copyright file" $?

# 4. A throwaway copy of this root: an overlay whose lower layer is / (mounts
#    such as /src and /tmp do not show through it) and whose changes land here.
ov=$work/overlay
mkdir -p "$ov/upper" "$ov/work" "$ov/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$ov/upper,workdir=$ov/work" "$ov/root" ||
  die "cannot mount an overlay on the root"
trap 'umount -R "$ov/root" 2>/dev/null || umount -l "$ov/root" 2>/dev/null' EXIT
mount -t proc proc "$ov/root/proc"
mount --rbind /dev "$ov/root/dev"
mount -t tmpfs tmpfs "$ov/root/tmp"
[ ! -e "$ov/root$plugin" ] && [ -z "$(ls -A "$ov/root/src" 2>/dev/null)" ]
check "the copy of the root has no plug-in and no build tree before the install" $?
mkdir -p "$ov/root/tmp/check"
cp "$deb" "$ov/root/tmp/"
cp "$checker" "$src/tests/integration/smp_testlib.py" "$ov/root/tmp/check/"
chroot "$ov/root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -i "/tmp/$(basename "$deb")" > "$work/install.log" 2>&1
rc=$?
[ $rc = 0 ] || cat "$work/install.log"
check "dpkg -i installs it, dependencies satisfied" $rc
chroot "$ov/root" dpkg-query -W -f '${Status}' gimp-smp-hairline | grep -q 'install ok installed'
check "dpkg lists it as installed" $?

console=${SMP_GIMP_CONSOLE:-}
[ -n "$console" ] || console=$(command -v gimp-console-3 || command -v gimp-console-3.0 || true)
[ -n "$console" ] || die "no GIMP console executable"
mkdir -p "$ov/root/tmp/home/profile"
t0=$(date +%s)
chroot "$ov/root" env -i PATH=/usr/bin:/bin HOME=/tmp/home LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_AT_BRIDGE=1 \
    GIMP3_DIRECTORY=/tmp/home/profile PYTHONDONTWRITEBYTECODE=1 \
    SMP_INSTALLED_PLUGIN="$plugin" \
  "$console" -i -d -f --batch-interpreter=python-fu-eval \
    -b "import sys; sys.path.insert(0, '/tmp/check'); exec(open('/tmp/check/check_installed.py').read())" \
    --quit > "$work/gimp.log" 2>&1
rc=$?
cat "$work/gimp.log"
check "headless GIMP ran the checks in the installed root" $rc "status $rc, $(( $(date +%s) - t0 )) s"
grep -q '^PASS all checks$' "$work/gimp.log" && ! grep -q '^FAIL' "$work/gimp.log"
check "every check inside GIMP passed" $?
# pluginrc names system plug-ins relative to GIMP's own folder (${gimp_plug_in_dir}
# = the gimplibdir above): the only smp-hairline there is the package's.
rel='${gimp_plug_in_dir}/plug-ins/smp-hairline/smp-hairline'
grep -F "\"$rel\"" "$ov/root/tmp/home/profile/pluginrc" > "$work/pluginrc.txt" 2>/dev/null
check "GIMP registered the plug-in from its system folder (pluginrc)" $? "$(head -c 120 "$work/pluginrc.txt")"
exit $fail
