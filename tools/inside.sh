#!/usr/bin/env bash
# tools/inside.sh: the build, test, bench and demo steps, run inside the build
# environment by tools/smp (the Debian 13 root, or natively on a GIMP 3 host).
set -euo pipefail
cd "$(dirname "$0")/.."

where=${SMP_IN_ROOT:+root}; where=${where:-native}
B=_build/$where
jobs=$(nproc 2>/dev/null || echo 2)

setup() { # setup DIR ARGS...: configure once, reconfigure when meson files change
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then meson setup "$dir" "$@" >/dev/null; fi
}

build_main() {
  setup "$B/main" --werror
  meson compile -C "$B/main" >/dev/null || meson compile -C "$B/main"
}

build_sanitized() { # the engine alone, under AddressSanitizer and UBSan
  setup "$B/sanitize" --werror -Dplugin=disabled -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debugoptimized
  meson compile -C "$B/sanitize" >/dev/null || meson compile -C "$B/sanitize"
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
    build_main
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    meson test -C "$B/main" --print-errorlogs --num-processes "$jobs" || status=1
    read -r p1 f1 s1 < <(count "$B/main")
    build_sanitized
    meson test -C "$B/sanitize" --suite unit --print-errorlogs --num-processes "$jobs" || status=1
    read -r p2 f2 s2 < <(count "$B/sanitize")
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
    echo "plain build: $p1 passed, $f1 failed, $s1 skipped; ASan+UBSan build: $p2 passed, $f2 failed; libFuzzer: $p3 passed, $f3 failed"
    echo "total: $((p1 + p2 + p3)) passed, $((f1 + f2 + f3)) failed, $((s1 + s2 + s3)) skipped"
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
