#!/bin/sh
# run-fuzzer.sh FUZZER CORPUS OUT: one libFuzzer target for a fixed budget over the
# checked-in corpus (read only) plus OUT (new inputs, crash artifacts). Seeded, so
# a run is repeatable; SMP_FUZZ_SECONDS, SMP_FUZZ_RUNS and SMP_FUZZ_SEED change it
# (a new seed explores new inputs; CI keeps seed 1 so its verdict repeats).
set -eu
fuzzer=$1 corpus=$2 out=$3
mkdir -p "$out/new"
exec "$fuzzer" -seed="${SMP_FUZZ_SEED:-1}" -runs="${SMP_FUZZ_RUNS:-200000}" -max_total_time="${SMP_FUZZ_SECONDS:-8}" \
  -error_exitcode=1 -timeout_exitcode=1 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$out/" "$out/new" "$corpus"
