#!/usr/bin/env bash
# The project's one entry point. Usage:
#   ./build.sh run [ARGS]   install what is missing, build the btree and crashsim programs, run the
#                           scenario catalog, write the report to reports/out/ (emptied first;
#                           ARGS go to `crashsim run`)
#   ./build.sh test    install what is missing, build, run the whole test suite
#   ./build.sh build   install what is missing and build only
# Idempotent: a second call installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
PACKAGES=(g++ pkg-config python3 meson ninja-build libgtest-dev libgmock-dev libbenchmark-dev
          libfiu-dev fiu-utils zlib1g-dev libisal-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev libleveldb-dev liblmdb-dev python3-jsonschema)

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

# Prints the closing line CI reads, counted from meson's JUnit log, which
# holds one test case per GoogleTest case and per plain test.
summarize() {
  python3 - "$BUILD_DIR/meson-logs/testlog.junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError) as e:
    print(f"build.sh: no test log ({e})", file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(0)
passed = failed = skipped = 0
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
    build
    rc=0
    meson test -C "$BUILD_DIR" --num-processes "$JOBS" --print-errorlogs || rc=$?
    summarize
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
    echo "usage: ./build.sh run|test|build" >&2
    exit 2
    ;;
esac
