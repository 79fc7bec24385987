#!/usr/bin/env bash
# test_demo.sh: the README's demo command on the bundled sample: it must finish
# and leave a multi-layer XCF, a mock-up PNG and a one-page design sheet PDF.
#   test_demo.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
out=$build/tests/integration/demo-out
rm -rf "$out"
SMP_DEMO_OUT=$out "$src/tools/demo.sh" "$build" > "$out.log" 2>&1 || { cat "$out.log"; echo "FAIL demo exited with an error"; exit 1; }
cat "$out.log"
fail=0
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi; }
xcf=$out/sample-head.xcf png=$out/sample-head-mockup.png pdf=$out/sample-head-design-sheet.pdf
check "the demo names its folder and files" \
  "grep -q \"\$(basename \"\$out\")\" \"\$out.log\" && grep -q sample-head-design-sheet.pdf \"\$out.log\""
check "XCF written" "[ \"\$(head -c 8 \"\$xcf\")\" = 'gimp xcf' ]"
check "mock-up PNG written, 3000x2000" \
  "[ \"\$(od -An -tx1 -j16 -N8 \"\$png\" | tr -d ' \n')\" = 00000bb8000007d0 ]"
check "design sheet PDF with one page" "pdfinfo \"\$pdf\" | grep -Eq '^Pages: +1\$'"
check "the sheet is calibrated from the sample's pupils" \
  "pdftotext \"\$pdf\" - | grep -q '12.00 px/mm (calibrated)'"
# the mock-up differs from the sample photo (the proposal is in it)
check "the mock-up holds the proposal" "! cmp -s \"\$png\" \"\$out/sample/sample-head.png\""
exit $fail
