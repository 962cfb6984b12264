#!/usr/bin/env bash
# The project's one entry point. Usage:
#   ./build.sh run [ARGS]   install what is missing, build the btree and crashsim programs, run the
#                           scenario catalog, write the report to reports/out/ (emptied first;
#                           ARGS go to `crashsim run`)
#   ./build.sh test [--sanitize]
#                      install what is missing, build, run the whole test suite; then, in a
#                      second build with clang, ASan and UBSan (build-sanitize/), the engine,
#                      vfs and crashsim unit tests, the fuzz targets' inputs and a bounded fuzz
#                      pass of each target (docs/fuzzing.md); then, in a third build with
#                      ThreadSanitizer (build-tsan/), the engine tests that run threads (suite
#                      `threads`). --sanitize runs the whole suite in the ASan build. One
#                      closing line counts every test of the three builds.
#   ./build.sh build   install what is missing and build only
# Idempotent: a second call installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
SANITIZE_DIR=${SANITIZE_DIR:-build-sanitize}
TSAN_DIR=${TSAN_DIR:-build-tsan}
JOBS=${JOBS:-$(nproc)}
# clang and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes, only
# recommended by clang) build the sanitizer and fuzzing build.
PACKAGES=(g++ pkg-config python3 meson ninja-build libgtest-dev libgmock-dev libbenchmark-dev
          libfiu-dev fiu-utils zlib1g-dev libisal-dev libxxhash-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev libleveldb-dev liblmdb-dev python3-jsonschema
          clang libclang-rt-14-dev)
# The suites the default test run repeats under the sanitizers: the unit
# tests of the engine, the vfs and the simulator, and the fuzz targets.
SANITIZE_SUITES=(vfs engine-tree engine-storage crashsim fuzz-inputs fuzz)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: missing Debian packages: ${missing[*]}" >&2
    echo "build.sh: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "build.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure() {
  [ -f "$BUILD_DIR/build.ninja" ] || meson setup "$BUILD_DIR" >/dev/null
}

build() {
  install_missing
  configure
  meson compile -C "$BUILD_DIR" -j "$JOBS"
}

# Only what `run` runs: the catalog needs crashsim, the replay hints the btree tool.
build_run_targets() {
  configure
  meson compile -C "$BUILD_DIR" -j "$JOBS" engine/btree:executable crashsim/tool/crashsim:executable
}

# Runs "$@" as one phase of `run`, prints how long it took, returns its status.
phase() {
  local name=$1; shift
  local start=${EPOCHREALTIME/./} rc=0
  echo "build.sh: $name ..."
  "$@" || rc=$?
  local tenths=$(( (${EPOCHREALTIME/./} - start) / 100000 ))
  echo "build.sh: $name: $((tenths / 10)).$((tenths % 10)) s"
  return $rc
}

# A sanitizer build in DIR with SANITIZERS: clang, -O1 with line tables
# only (quick to compile, and every report still names file and line); any
# further arguments are meson options.
setup_clang() {
  local dir=$1 sanitizers=$2
  shift 2
  [ -f "$dir/build.ninja" ] && return 0
  local cxx=clang++
  command -v ccache >/dev/null && [ -z "${CCACHE_DISABLE:-}" ] && cxx="ccache clang++"
  CXX="$cxx" meson setup "$dir" -Dbuildtype=plain -Doptimization=1 -Dcpp_args=-gline-tables-only \
    -Db_sanitize="$sanitizers" -Db_lundef=false -Dbenchmarks=disabled "$@" >/dev/null
}

# Builds in DIR what the tests of the given suites need (all of them when
# none is given), and nothing else: a second build costs only what it runs.
build_suites() {
  local dir=$1
  shift
  # Regenerates first when a meson.build changed: introspecting the old
  # configuration would miss a test added since.
  ninja -C "$dir" build.ninja >/dev/null
  local targets
  targets=$(meson introspect "$dir" --tests --targets | python3 -c '
import json, os, sys
info = json.load(sys.stdin)
suites = set(sys.argv[2:])
ids = {d for t in info["tests"] if not suites or any(s.split(":")[-1] in suites for s in t["suite"])
       for d in t["depends"]}
for t in info["targets"]:
    if t["id"] in ids:
        for f in t["filename"]:
            print(os.path.relpath(f, sys.argv[1]))
' "$(realpath "$dir")" "$@")
  # shellcheck disable=SC2086
  ninja -C "$dir" -j "$JOBS" $targets
}

# Builds and runs the given suites (every suite when none is given) in DIR,
# whose previous test log goes first so that a failed build counts as one.
run_suites() {
  local dir=$1
  shift
  rm -f "$dir/meson-logs/testlog.junit.xml"
  build_suites "$dir" "$@" || return 1
  meson test -C "$dir" --no-rebuild --num-processes "$JOBS" --print-errorlogs "${@/#/--suite=}"
}

# Prints the closing line CI reads, counted from the JUnit logs meson wrote
# for each build given (one test case per GoogleTest case and per plain
# test). A build whose log is missing counts as one failure.
summarize() {
  python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for build in sys.argv[1:]:
    try:
        root = ET.parse(f"{build}/meson-logs/testlog.junit.xml").getroot()
    except (OSError, ET.ParseError) as e:
        print(f"build.sh: no test log in {build} ({e})", file=sys.stderr)
        failed += 1
        continue
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
}

case "${1:-}" in
  build)
    build
    ;;
  test)
    suites=("${SANITIZE_SUITES[@]}")
    case "${2:-}" in
      "") ;;
      --sanitize) suites=() ;;
      *) echo "usage: ./build.sh test [--sanitize]" >&2; exit 2 ;;
    esac
    build
    rc=0
    meson test -C "$BUILD_DIR" --num-processes "$JOBS" --print-errorlogs || rc=$?
    # ASan and UBSan stop at the first report; libFuzzer builds the fuzz targets.
    echo "build.sh: under ASan and UBSan ($SANITIZE_DIR): ${suites[*]:-every suite}"
    setup_clang "$SANITIZE_DIR" address,undefined -Dfuzzing=enabled
    run_suites "$SANITIZE_DIR" "${suites[@]}" || rc=$?
    # The first data race or lock-order report stops its test program, so the test fails.
    echo "build.sh: under ThreadSanitizer ($TSAN_DIR): threads"
    setup_clang "$TSAN_DIR" thread -Dfuzzing=disabled
    TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} run_suites "$TSAN_DIR" threads || rc=$?
    summarize "$BUILD_DIR" "$SANITIZE_DIR" "$TSAN_DIR"
    exit $rc
    ;;
  run)
    shift
    OUT=reports/out
    phase "install missing packages" install_missing
    phase "build btree and crashsim" build_run_targets
    # The previous run's reports and traces go first: a report left from an
    # earlier run must never pass for this one's.
    rm -rf "$OUT"
    # Extra arguments go to `crashsim run` (e.g. --tag ci, --filter 'churn*', --jobs 1).
    rc=0
    phase "run the scenario catalog" "$BUILD_DIR/crashsim/tool/crashsim" run scenarios --out "$OUT" "$@" || rc=$?
    if [ -f "$OUT/report.json" ]; then
      echo "build.sh: reports in $(pwd)/$OUT (open report.html)"
    else
      echo "build.sh: crashsim run exited $rc before writing a report; there is none in $OUT" >&2
    fi
    exit $rc
    ;;
  *)
    echo "usage: ./build.sh run|test [--sanitize]|build" >&2
    exit 2
    ;;
esac
