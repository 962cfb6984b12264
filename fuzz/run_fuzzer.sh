#!/usr/bin/env bash
# The tests' bounded fuzz pass for one target (docs/fuzzing.md).
# Usage: run_fuzzer.sh FUZZER WORKDIR NAME INPUT_DIR... [-FLAG=VALUE...]
# Fuzzes for $BTREEKV_FUZZ_SECONDS seconds (default 25) from the committed
# inputs. What it finds new goes to WORKDIR/corpus, never to the committed
# corpus; a finding to WORKDIR/artifacts, with the commands that replay it
# and keep it as a regression input.
set -u
fuzzer=$1 work=$2 name=$3
shift 3
seconds=${BTREEKV_FUZZ_SECONDS:-25}
mkdir -p "$work/corpus" "$work/artifacts" || exit 1
rm -f "$work"/artifacts/*

"$fuzzer" "$work/corpus" "$@" -max_total_time="$seconds" -timeout=1 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1
rc=$?

# The closing lines: how many runs, the coverage reached, or the finding.
grep -E '^(Done|stat::|INFO: seed|==[0-9]+==ERROR|fuzz finding|SUMMARY|artifact_prefix|Test unit written)' "$work/log" | tail -n 20
if [ "$rc" -ne 0 ]; then
  tail -n 60 "$work/log"
  for artifact in "$work"/artifacts/*; do
    [ -e "$artifact" ] || continue
    echo "replay: $fuzzer $artifact"
    echo "keep it as a regression input: cp $artifact fuzz/regressions/$name/"
  done
fi
exit "$rc"
