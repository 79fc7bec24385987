#!/usr/bin/env bash
# tools/optics-strip.sh: the README's before / healed / fresh strip (docs/images/optics-strip-*.png),
# at fit zoom and at 1:1, from the generated sample and the built plug-in. Run inside the build
# environment after a demo (it reuses the demo's GIMP profile):  tools/smp shell tools/optics-strip.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/_build/root/main}
out=$here/_demo/strip
mkdir -p "$out"
"$build/tools/smp-make-sample" "$out/sample" >/dev/null
scratch=$(mktemp -d "${TMPDIR:-/tmp}/smp-strip.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
[ -f "$build/demo-profile-template/pluginrc" ] || { echo "run tools/smp demo first" >&2; exit 1; }
cp -r "$build/demo-profile-template" "$scratch/profile"
mkdir -p "$scratch/profile/plug-ins/smp-hairline" "$scratch/home"
cp "$build/plugin/smp-hairline" "$scratch/profile/plug-ins/smp-hairline/"
cp -r "$here/patterns" "$scratch/profile/plug-ins/smp-hairline/"
env GIMP3_DIRECTORY="$scratch/profile" HOME="$scratch/home" LANG=C.UTF-8 DISPLAY= \
    SMP_STRIP_SAMPLE="$out/sample" SMP_STRIP_OUT="$out" \
    gimp-console-3.0 -i -d -f --batch-interpreter=python-fu-eval \
    -b "exec(open('$here/tools/optics-strip.py').read())" --quit > "$scratch/log" 2>&1 || true
grep -q STRIP-OK "$scratch/log" || { tail -20 "$scratch/log"; exit 1; }
before=$out/sample/sample-head.png
label() { convert "$1" -gravity north -background '#202020' -fill white -pointsize "$3" -splice 0x$(( $3 * 2 )) \
          -annotate +0+$(( $3 / 3 )) "$2" "$4"; }
# Fit zoom: the head as a client sees it on a screen (the photo at 1/3 scale).
for s in before healed fresh; do
  f=$before; [ $s = before ] || f=$out/sample-$s.png
  convert "$f" -crop 2000x1300+500+50 +repage -resize 600x "$out/fit-$s.png"
  label "$out/fit-$s.png" "$s" 18 "$out/fit-$s-l.png"
  # 1:1: 30 × 20 mm across the front of the hairline, every pixel as rendered.
  convert "$f" -crop 360x240+1290+400 +repage "$out/one-$s.png"
  label "$out/one-$s.png" "$s (1:1, 12 px/mm)" 14 "$out/one-$s-l.png"
done
convert "$out/fit-before-l.png" "$out/fit-healed-l.png" "$out/fit-fresh-l.png" +append "$here/docs/images/optics-strip-fit.png"
convert "$out/one-before-l.png" "$out/one-healed-l.png" "$out/one-fresh-l.png" +append "$here/docs/images/optics-strip-1to1.png"
echo "wrote docs/images/optics-strip-fit.png and docs/images/optics-strip-1to1.png"
