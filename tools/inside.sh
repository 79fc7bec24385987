#!/usr/bin/env bash
# tools/inside.sh: the build, test, bench and demo steps, run inside the build
# environment by tools/smp (the Debian 13 root, or natively on a GIMP 3 host).
set -euo pipefail
cd "$(dirname "$0")/.."

# Build folders: _build/root (Debian 13 root), _build/root-sid (sid root), _build/native.
case "${SMP_IN_ROOT:+root}-${SMP_ROOT_SUITE:-trixie}" in
  root-trixie) B=_build/root ;;
  root-*) B=_build/root-$SMP_ROOT_SUITE ;;
  *) B=_build/native ;;
esac
jobs=$(nproc 2>/dev/null || echo 2)

setup() { # setup DIR ARGS...: configure once (later: only the options), meson reconfigures itself
  local dir=$1; shift
  local out
  if [ ! -f "$dir/build.ninja" ]; then out=$(meson setup "$dir" "$@" 2>&1) || { echo "$out"; return 1; }
  else out=$(meson configure "$dir" "$@" 2>&1) || { echo "$out"; return 1; }; fi
}

# The package test (build the .deb, lintian, install it in a throwaway copy of
# the root) needs root and a Debian root: tools/smp asks for it with SMP_DEB_TEST=1.
deb_test=disabled
[ "${SMP_DEB_TEST:-0}" = 1 ] && deb_test=enabled

gimp_version() { # the GIMP this build tests against
  local g
  for g in gimp-console-3 gimp-console-3.2 gimp-console-3.0; do
    command -v "$g" >/dev/null 2>&1 && { "$g" --version 2>/dev/null | head -n1; return; }
  done
  echo "no GIMP console executable found"
}

build_main() {
  # In a root every tool is there: a missing one fails the GUI tests instead of skipping them.
  setup "$B/main" -Dwerror=true -Ddeb_test=$deb_test ${SMP_IN_ROOT:+-Dgui_tests=enabled}
  meson compile -C "$B/main" >/dev/null || meson compile -C "$B/main"
}

build_sanitized() { # the engine alone, under AddressSanitizer and UBSan
  setup "$B/sanitize" -Dwerror=true -Dplugin=disabled -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debugoptimized
  meson compile -C "$B/sanitize" >/dev/null || meson compile -C "$B/sanitize"
}

build_sanitized_plugin() { # the plug-in too, under ASan and UBSan, for the integration suite
  setup "$B/sanitize-plugin" -Dwerror=true -Dplugin=enabled -Dgui_tests=disabled -Ddeb_test=disabled \
        -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
  meson compile -C "$B/sanitize-plugin" >/dev/null || meson compile -C "$B/sanitize-plugin"
}

have_fuzzer() { # clang with libFuzzer (the root's clang + libclang-rt-dev)
  command -v clang >/dev/null 2>&1 &&
    echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' |
    clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - >/dev/null 2>&1
}

build_fuzz() { # the engine and the fuzz targets with clang, libFuzzer, ASan and UBSan
  if [ ! -f "$B/fuzz/build.ninja" ]; then
    env CC=clang meson setup "$B/fuzz" --werror -Dplugin=disabled -Dfuzz=enabled \
      -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
  fi
  meson compile -C "$B/fuzz" >/dev/null || meson compile -C "$B/fuzz"
}

count() { # count DIR: "passed failed skipped" from meson's test log
  python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
}

case "${1:-build}" in
  build)
    build_main ;;
  test)
    status=0
    echo "testing against: $(gimp_version); libgimp $(pkg-config --modversion gimp-3.0 2>/dev/null || echo none)"
    build_main
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    meson test -C "$B/main" --print-errorlogs --num-processes "$jobs" || status=1
    read -r p1 f1 s1 < <(count "$B/main")
    build_sanitized
    meson test -C "$B/sanitize" --suite unit --print-errorlogs --num-processes "$jobs" || status=1
    read -r p2 f2 s2 < <(count "$B/sanitize")
    # The integration suite with the plug-in itself under ASan + UBSan (halt on
    # the first error; memory budgets x4, tests/meson.build): about 5 minutes
    # more at load 5 on 2 cores. GUI tests and the two look tests on the
    # generated sample (suite "look": the same code paths, 2 minutes) stay in
    # the plain build.
    p4=0 f4=0 s4=0
    if [ -f "$B/main/plugin/smp-hairline" ]; then
      build_sanitized_plugin
      meson test -C "$B/sanitize-plugin" --suite integration --no-suite look --print-errorlogs --num-processes "$jobs" || status=1
      read -r p4 f4 s4 < <(count "$B/sanitize-plugin")
    fi
    # libFuzzer: each target for a fixed budget (8 s or 200,000 runs, seeded) over
    # its checked-in corpus; the corpus itself was replayed in both builds above.
    p3=0 f3=0 s3=0
    if have_fuzzer; then
      build_fuzz
      meson test -C "$B/fuzz" --suite fuzz --print-errorlogs --num-processes "$jobs" || status=1
      read -r p3 f3 s3 < <(count "$B/fuzz")
    else
      echo "fuzzing skipped: no clang with libFuzzer here (the corpus still replayed)"
    fi
    echo "plain build: $p1 passed, $f1 failed, $s1 skipped; ASan+UBSan build: $p2 passed, $f2 failed;" \
         "ASan+UBSan plug-in, integration: $p4 passed, $f4 failed; libFuzzer: $p3 passed, $f3 failed"
    echo "total: $((p1 + p2 + p3 + p4)) passed, $((f1 + f2 + f3 + f4)) failed, $((s1 + s2 + s3 + s4)) skipped"
    exit $status ;;
  bench)
    build_main
    meson test -C "$B/main" --benchmark --verbose --num-processes 1 ;;
  demo)
    build_main
    shift
    exec tools/demo.sh "$B/main" "$@" ;;
  *) echo "unknown step: $1" >&2; exit 2 ;;
esac
