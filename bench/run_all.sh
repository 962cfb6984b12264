#!/usr/bin/env bash
# Builds a release tree, runs every benchmark program with JSON output and
# prints one Markdown table (bench/report.py): ops/s per engine, our ratio to
# each peer, syncs and device flushes per commit, the raw fsync limits, the
# crash simulator's states/s, and the machine they were measured on.
#
#   bench/run_all.sh [--benchmark_filter=... ...]   extra flags go to every program
#
# Each program runs 5 repetitions in random interleaving (Google Benchmark's
# own flags; later flags on the command line override them) and the table
# shows the median, so that load drifting on a shared machine spreads over
# every engine instead of landing on one. Five, not three: a concurrent row
# varies by about a tenth from one repetition to the next on 2 cores
# (docs/benchmarks.md).
# Environment:
#   BUILD_DIR  build tree (default build-release; configured --buildtype=release -Dmutants=false)
#   BENCH_DIR  where the databases go (default /var/tmp; must be a disk, not tmpfs)
#   OUT_DIR    where the JSON results go (default $BUILD_DIR/bench-results)
#   JOBS       compile jobs (default 1)
# Takes a few minutes on 2 cores; docs/benchmarks.md holds the latest output.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-release}
out=${OUT_DIR:-$build/bench-results}
export BENCH_DIR=${BENCH_DIR:-/var/tmp}

if [ -f "$build/build.ninja" ]; then
  meson configure "$build" -Dbuildtype=release -Dmutants=false >/dev/null
else
  meson setup "$build" "$root" --buildtype=release -Dmutants=false >/dev/null
fi

meson compile -C "$build" -j "${JOBS:-1}" bench/kv_bench >&2
programs=("$build/bench/kv_bench")
# The simulator's benchmark is another helper's program: run it when it exists
# and builds, and say so in the table when it does not.
missing=()
if ! meson introspect "$build" --targets | python3 -c \
    'import json, sys; sys.exit(0 if any(t["name"] == "crashsim_bench" for t in json.load(sys.stdin)) else 1)'; then
  missing+=(--missing "crashsim_bench=not in this build (crashsim/crashsim_bench.cc is absent)")
elif ! meson compile -C "$build" -j "${JOBS:-1}" crashsim/crashsim_bench >&2; then
  missing+=(--missing "crashsim_bench=failed to build (see the compiler output above)")
else
  programs+=("$build/crashsim/crashsim_bench")
fi

mkdir -p "$out"
rm -f "$out"/*.json
run() {
  echo "running $(basename "$1") ..." >&2
  "$1" --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true --benchmark_format=console \
    --benchmark_out="$out/$(basename "$1").json" --benchmark_out_format=json "${@:2}" >&2
}
run "${programs[0]}" "$@"
if [ ${#programs[@]} -gt 1 ] && ! run "${programs[1]}" "$@"; then
  rm -f "$out/crashsim_bench.json"
  missing+=(--missing "crashsim_bench=exited with an error (see its output above)")
fi

# A filter that matches none of a program's benchmarks leaves its JSON file
# empty: that program has nothing to report.
results=()
for program in "${programs[@]}"; do
  [ -s "$out/$(basename "$program").json" ] && results+=("$out/$(basename "$program").json")
done
python3 "$root/bench/report.py" --bench-dir "$BENCH_DIR" "${missing[@]}" "${results[@]}"
