#!/usr/bin/env bash
# tools/demo.sh: the one-command demo (run by `tools/smp demo` through inside.sh):
# sample photo -> headless GIMP with the built plug-in -> XCF, mock-up PNG, design sheet PDF.
#
#   tools/demo.sh BUILD_DIR [PHOTO.png HAIRLINE.svg]
#
# Without a photo it generates the project's own sample (a frontal consultation
# photo with its hairline, scalp outline and pupil calibration). A user's SVG may
# hold several paths: one with id "hairline" (else the longest is used) and an
# optional closed one with id "scalp" that confines the dots. Output goes to
# SMP_DEMO_OUT (default: _demo/ in the checkout); the last lines name the files.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: tools/demo.sh BUILD_DIR [PHOTO.png HAIRLINE.svg]}
build=$(cd "$build" && pwd)
shift
if [ $# -ne 0 ] && [ $# -ne 2 ]; then
  echo "usage: tools/demo.sh BUILD_DIR [PHOTO.png HAIRLINE.svg]" >&2
  exit 2
fi
out=${SMP_DEMO_OUT:-$here/_demo}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# GIMP's console executable: what the caller names, else what is installed
# (GIMP 3.2: gimp-console-3.2 and the gimp-console-3 link; GIMP 3.0: gimp-console-3.0).
gimp=${SMP_GIMP_CONSOLE:-${GIMP_CONSOLE:-}}
if [ -z "$gimp" ]; then
  for g in gimp-console-3 gimp-console-3.2 gimp-console-3.0; do
    if command -v "$g" >/dev/null 2>&1; then gimp=$g; break; fi
  done
fi
gimp=${gimp:-gimp-console-3}
plugin=$build/plugin/smp-hairline
start=$(date +%s.%N)

log() { printf '[demo] %s\n' "$*" >&2; }

[ -x "$plugin" ] || { log "no plug-in at $plugin: build first (tools/smp build)"; exit 1; }
command -v "$gimp" >/dev/null || { log "no GIMP 3 console executable found (gimp-console-3, -3.2, -3.0); set SMP_GIMP_CONSOLE"; exit 1; }

if [ $# -eq 2 ]; then
  # inside the Debian 13 root only the checkout is visible (as /src)
  hint=${SMP_IN_ROOT:+ (the build root sees only this checkout: copy the file into it)}
  [ -f "$1" ] || { log "no photo at $1$hint"; exit 1; }
  [ -f "$2" ] || { log "no SVG at $2$hint"; exit 1; }
  photo=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
  svg=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
  key=""
  stem=$(basename "${photo%.*}")
else
  log "generating the sample photo"
  "$build/tools/smp-make-sample" "$out/sample" >/dev/null
  photo=$out/sample/sample-head.png
  svg=$out/sample/sample-hairline.svg
  key=$out/sample/sample-head.ini
  stem=sample-head
fi

# A private GIMP profile holding the freshly built plug-in and its data. GIMP's
# own plug-ins are queried on a profile's first start: a template kept in the
# build folder saves that on later runs.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/smp-demo.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
template=$build/demo-profile-template
run_gimp() { # run_gimp PROFILE CODE
  env GIMP3_DIRECTORY="$1" HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" \
      XDG_CACHE_HOME="$scratch/home/.cache" XDG_DATA_HOME="$scratch/home/.local/share" \
      LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_AT_BRIDGE=1 DISPLAY= WAYLAND_DISPLAY= \
      SMP_DEMO_PHOTO="$photo" SMP_DEMO_SVG="$svg" SMP_DEMO_KEY="$key" SMP_DEMO_OUT="$out" \
      SMP_DEMO_NAME="$stem" \
      "$gimp" -i -d -f --batch-interpreter=python-fu-eval -b "$2" --quit
}
mkdir -p "$scratch/home"
if [ ! -f "$template/pluginrc" ]; then
  log "preparing a GIMP profile (first run only)"
  rm -rf "$template.tmp"
  mkdir -p "$template.tmp"
  run_gimp "$template.tmp" "print('profile ready')" >/dev/null 2>&1 || true
  [ -f "$template.tmp/pluginrc" ] || { log "GIMP did not start (see: $gimp --version)"; exit 1; }
  rm -rf "$template"
  mv "$template.tmp" "$template"
fi
profile=$scratch/profile
cp -r "$template" "$profile"
mkdir -p "$profile/plug-ins/smp-hairline/patterns"
cp "$plugin" "$profile/plug-ins/smp-hairline/smp-hairline"
cp -r "$here/patterns/presets" "$here/patterns/templates" "$profile/plug-ins/smp-hairline/patterns/"

log "running the plug-in in headless GIMP"
status=0
run_gimp "$profile" "exec(open('$here/tools/demo.py').read())" > "$scratch/gimp.log" 2>&1 || status=$?
grep '^\[demo\]' "$scratch/gimp.log" >&2 || true
if [ $status -ne 0 ] || ! grep -q '^DEMO-OK' "$scratch/gimp.log"; then
  log "GIMP failed (status $status):"
  grep -v '^\[demo\]' "$scratch/gimp.log" | tail -n 25 >&2
  exit 1
fi

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
echo
echo "SMP demo done in ${elapsed} s. Output folder:"
case $out in
  "$here"/*) echo "  ${out#"$here"/}/   (in the checkout: ${SMP_HOST_DIR:-$here})" ;;
  *) echo "  $out" ;;
esac
sed -n 's/^DEMO-FILE //p' "$scratch/gimp.log" | while read -r f; do echo "    $(basename "$f")"; done
