#!/usr/bin/env bash
# Installs the build into a staging directory (DESTDIR), builds the
# out-of-tree example against the staged crashsim.pc alone, and runs its
# catalog: one scenario must pass, the other must find its violation. The
# installed interface cannot rot without this test failing.
# usage: out_of_tree_test.sh BUILD_DIR EXAMPLE_DIR
set -euo pipefail
build_dir=$1
example_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

meson install -C "$build_dir" --no-rebuild --quiet --destdir "$work/stage"
pc=$(find "$work/stage" -name crashsim.pc)
[ -n "$pc" ] || { echo "out_of_tree_test: no crashsim.pc was installed" >&2; exit 1; }
libdir=$(dirname "$(dirname "$pc")")

# pkg-config reads the staged file and prefixes its paths with the stage.
export PKG_CONFIG_PATH="$(dirname "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$work/stage"
meson setup "$work/build" "$example_dir" >"$work/setup.log" || { cat "$work/setup.log" >&2; exit 1; }
meson compile -C "$work/build" >"$work/compile.log" || { cat "$work/compile.log" >&2; exit 1; }

LD_LIBRARY_PATH="$libdir" "$work/build/snapshot-crashsim" run "$example_dir/catalog.json" \
  --out "$work/report" --jobs 2 | tee "$work/run.log"
grep -q '^CAUGHT snapshot-forgets-the-directory \[lose-unsynced\].*expected violation of .durability. found' "$work/run.log"
grep -q '^PASS snapshot-power-loss \[torn\]' "$work/run.log"
