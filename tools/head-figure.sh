#!/usr/bin/env bash
# tools/head-figure.sh: the README's flat / fitted-head comparison (docs/images/head-model-*.png)
# from the generated sample and the built plug-in: the head's outline traced from the photo, Fit
# Head Model, the default proposal both ways. Run inside the build environment:
#   tools/smp shell tools/head-figure.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/_build/root/main}
out=$here/_demo/head
mkdir -p "$out"
"$build/tools/smp-make-sample" "$out/sample" >/dev/null
scratch=$(mktemp -d "${TMPDIR:-/tmp}/smp-head.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/profile/plug-ins/smp-hairline" "$scratch/home"
if [ -f "$build/demo-profile-template/pluginrc" ]; then cp -r "$build/demo-profile-template/." "$scratch/profile/"; fi
cp "$build/plugin/smp-hairline" "$scratch/profile/plug-ins/smp-hairline/"
cp -r "$here/patterns" "$scratch/profile/plug-ins/smp-hairline/"
env GIMP3_DIRECTORY="$scratch/profile" HOME="$scratch/home" LANG=C.UTF-8 DISPLAY= NO_AT_BRIDGE=1 \
    SMP_HEAD_SAMPLE="$out/sample" SMP_HEAD_OUT="$out" \
    gimp-console-3.0 -i -d -f --batch-interpreter=python-fu-eval \
    -b "exec(open('$here/tools/head-figure.py').read())" --quit > "$scratch/log" 2>&1 || true
grep -q HEAD-OK "$scratch/log" || { tail -30 "$scratch/log"; exit 1; }
grep '^HEAD ' "$scratch/log"
label() { convert "$1" -gravity north -background '#202020' -fill white -pointsize "$3" -splice 0x$(( $3 * 2 )) \
          -annotate +0+$(( $3 / 3 )) "$2" "$4"; }
# Fit zoom: the top of the head, where the scalp turns away from the camera.
for v in flat fitted guides; do
  convert "$out/head-$v.png" -crop 2000x1250+500+50 +repage -resize 600x "$out/fit-$v.png"
  # 1:1 crop, 30 × 20 mm just right of the midline, 15–35 mm under the top outline.
  convert "$out/head-$v.png" -crop 360x240+1540+300 +repage "$out/one-$v.png"
done
label "$out/fit-flat.png" "flat (today)" 18 "$out/fit-flat-l.png"
label "$out/fit-fitted.png" "on the fitted head" 18 "$out/fit-fitted-l.png"
label "$out/fit-guides.png" "fitted head: the model's guides" 18 "$out/fit-guides-l.png"
label "$out/one-flat.png" "flat (1:1, 12 px/mm)" 14 "$out/one-flat-l.png"
label "$out/one-fitted.png" "fitted head (1:1)" 14 "$out/one-fitted-l.png"
convert "$out/fit-flat-l.png" "$out/fit-fitted-l.png" "$out/fit-guides-l.png" +append "$here/docs/images/head-model-fit.png"
convert "$out/one-flat-l.png" "$out/one-fitted-l.png" +append "$here/docs/images/head-model-1to1.png"
echo "wrote docs/images/head-model-fit.png and docs/images/head-model-1to1.png"
