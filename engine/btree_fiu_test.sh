#!/usr/bin/env bash
# Whole-process fault injection: the unmodified btree tool on real files under
# `fiu-run -x`, whose preloaded library makes libc's pwrite, pread and
# fdatasync fail (posix/io/rw/pwrite, posix/io/sync/fdatasync, ...). Each case
# checks the exit code, the message, and that the database afterwards
# verifies and holds every write the tool acknowledged (docs/failure-semantics.md).
# Usage: btree_fiu_test.sh PATH/TO/btree   (exits 77, "skipped", without fiu-run)
set -u

BTREE=$(realpath "${1:?usage: $0 PATH/TO/btree}")
if ! command -v fiu-run >/dev/null || ! fiu-run -x -f '' true 2>/dev/null; then
  echo "SKIP: fiu-run (Debian package fiu-utils) with its POSIX preload library is not available"
  exit 77
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/btree-fiu-test-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
contains() { case "$1" in *"$2"*) ;; *) fail "expected '$2' in: $1" ;; esac; }

# run CMD...: runs the command, keeping its exit code in $rc, stdout in $out
# and stderr in $err.
run() {
  "$@" >"$WORK/out" 2>"$WORK/err"
  rc=$?
  out=$(cat "$WORK/out"); err=$(cat "$WORK/err")
}
# fiu SPEC... -- ARGS...: runs btree ARGS under fiu-run -x with each SPEC as
# a -c command (no remote-control pipe).
fiu() {
  local specs=()
  while [ "$1" != "--" ]; do specs+=(-c "$1"); shift; done
  shift
  run fiu-run -x -f '' "${specs[@]}" "$BTREE" "$@"
}
expect_rc() { [ "$rc" -eq "$1" ] || fail "$2: exited $rc, expected $1 (stderr: $err)"; }

expect_verifies() {
  run "$BTREE" "$1" verify
  expect_rc 0 "verify $1 after: $2"
}
# expect_value DB KEY VALUE | expect_absent DB KEY
expect_value() {
  run "$BTREE" "$1" get "$2"
  [ "$rc" -eq 0 ] && [ "$out" = "$3" ] || fail "$1: $2 should be '$3' (exit $rc, printed '$out', stderr: $err)"
}
expect_absent() {
  run "$BTREE" "$1" get "$2"
  [ "$rc" -eq 1 ] || fail "$1: $2 should be absent (exit $rc, printed '$out')"
}

# A load script of BATCHES batches of 3 puts, each ended by a commit line;
# batch b is keys b<b>-<j> with values v<b>-<j>, and its commit is on line 4b.
BATCHES=40
for ((b = 1; b <= BATCHES; b++)); do
  for j in 1 2 3; do printf 'put\tb%02d-%d\tv%02d-%d\n' "$b" "$j" "$b" "$j"; done
  echo commit
done >batches.txt

# batch_presence DB B: prints "all", "none" or "part" for batch B in DB's scan.
batch_presence() {
  local present=0 j
  for j in 1 2 3; do
    grep -qxF "$(printf 'b%02d-%d\tv%02d-%d' "$2" "$j" "$2" "$j")" "$1.scan" && present=$((present + 1))
  done
  case $present in 3) echo all ;; 0) echo none ;; *) echo part ;; esac
}

# check_load DB WHAT FAILED_BATCH_MUST: after a load of batches.txt that
# exited $rc with $err, DB verifies; every batch acknowledged before the
# failure is there whole, nothing after it is there, and the failed batch is
# whole or absent ("either") or absent ("none"). Sets $acked to how many
# batches were acknowledged.
check_load() {
  local db=$1 what=$2 failed_rule=$3 failed_batch=0 b state
  acked=$BATCHES
  if [ "$rc" -ne 0 ]; then
    expect_rc 3 "$what"
    contains "$err" "btree: "
    if [[ $err =~ batch\ ending\ at\ line\ ([0-9]+) ]]; then
      failed_batch=$((BASH_REMATCH[1] / 4))
      acked=$((failed_batch - 1))
    else
      # Every batch was acknowledged; the final checkpoint failed.
      contains "$err" "checkpoint of $db"
    fi
  fi
  expect_verifies "$db" "$what"
  "$BTREE" "$db" scan >"$db.scan" || fail "$what: scan of $db failed"
  for ((b = 1; b <= BATCHES; b++)); do
    state=$(batch_presence "$db" "$b")
    if ((b <= acked)); then
      [ "$state" = all ] || fail "$what: acknowledged batch $b is '$state' after the failure"
    elif ((b == failed_batch)); then
      [ "$state" = all ] && [ "$failed_rule" = either ] && continue
      [ "$state" = none ] || fail "$what: the failed batch $b is '$state' (allowed: $failed_rule)"
    else
      [ "$state" = none ] || fail "$what: batch $b, after the failure, is '$state'"
    fi
  done
}

# A database with a few acknowledged keys to start each case from.
"$BTREE" --page-size 512 base.db load batches.txt >/dev/null 2>&1 || fail "building base.db"
"$BTREE" base.db del b40-3 >/dev/null 2>&1 || fail "building base.db"
fresh() { rm -f "$1" "$1-wal"; cp base.db "$1"; cp base.db-wal "$1-wal"; }
EIO=5 ENOSPC=28 EINTR=4

# --- a failed WAL fdatasync: the commit is refused, nothing is lost --------------
# For an existing database the commit's fdatasync is the process's first.
fresh sync.db
fiu "enable name=posix/io/sync/fdatasync,failinfo=$EIO,onetime" -- sync.db put new-key new-value
expect_rc 3 "put with a failing fdatasync"
contains "$err" "btree: io-error: "
contains "$err" "sync sync.db-wal: Input/output error (EIO)"
expect_verifies sync.db "a failed fdatasync"
expect_value sync.db b01-1 v01-1
expect_value sync.db b39-3 v39-3
expect_absent sync.db b40-3
# Its frames were written, and libfiu's failure never reached the kernel, so
# the refused write may be on disk; it was never promised.
run "$BTREE" sync.db get new-key
[ "$rc" -eq 1 ] || { [ "$rc" -eq 0 ] && [ "$out" = new-value ]; } || fail "new-key after the failed sync: exit $rc, '$out'"
run "$BTREE" sync.db put after reopen
expect_rc 0 "put after reopening past a failed fdatasync"
# The check above catches an engine that retries the failed fdatasync and
# trusts the second answer (fsyncgate): the retry-failed-fsync mutant.
if "$BTREE" --mutant retry-failed-fsync sync.db stats >/dev/null 2>&1; then
  fiu "enable name=posix/io/sync/fdatasync,failinfo=$EIO,onetime" -- --mutant retry-failed-fsync sync.db put k v
  expect_rc 0 "the retry-failed-fsync mutant acknowledging a commit whose fdatasync failed"
fi

# --- a full disk: the commit fails cleanly, and succeeds once there is space -------
fresh full.db
fiu "enable name=posix/io/rw/pwrite,failinfo=$ENOSPC" -- full.db put new-key new-value
expect_rc 3 "put on a full disk"
contains "$err" "btree: no-space: "
contains "$err" "write full.db-wal at offset"
contains "$err" "No space left on device (ENOSPC)"
expect_verifies full.db "a full disk"
expect_absent full.db new-key
expect_value full.db b20-2 v20-2
run "$BTREE" full.db put new-key new-value
expect_rc 0 "put once there is space again"
expect_value full.db new-key new-value

# --- a checkpoint that fails loses nothing ------------------------------------------
# A put makes one WAL write and sync, then the checkpoint at close writes and
# syncs the data file. With each call failing at random (seeded), some runs
# fail the commit (not acknowledged) and some only the checkpoint, after the
# commit was durable: then the tool still reports the error (exit 3), but the
# key is there, recovered from the WAL that the checkpoint never reset.
checkpoint_failed=0
for point in posix/io/sync/fdatasync posix/io/rw/pwrite; do
  for seed in 1 2 3 4 5 6 7 8 9 10 11 12; do
    fresh ckpt.db
    FIU_PRNG_SEED=$seed fiu "enable_random name=$point,probability=0.5,failinfo=$EIO" -- ckpt.db put new-key new-value
    what="put with $point failing at random, seed $seed"
    put_err=$err
    if [ "$rc" -ne 0 ]; then
      expect_rc 3 "$what"
      contains "$put_err" "Input/output error (EIO)"
    fi
    expect_verifies ckpt.db "$what"
    expect_value ckpt.db b33-3 v33-3
    case $put_err in
      *"checkpoint of ckpt.db"*)
        checkpoint_failed=$((checkpoint_failed + 1))
        expect_value ckpt.db new-key new-value ;;
      *"commit txn"*)
        run "$BTREE" ckpt.db get new-key
        [ "$rc" -eq 1 ] || { [ "$rc" -eq 0 ] && [ "$out" = new-value ]; } || fail "$what: new-key is '$out' (exit $rc)" ;;
      *) expect_value ckpt.db new-key new-value ;;
    esac
  done
done
((checkpoint_failed > 0)) || fail "no seed failed a checkpoint after its commit: the case tests nothing"

# --- a load interrupted by a failing fdatasync keeps every acknowledged commit ----
# libfiu's generator, seeded by FIU_PRNG_SEED, picks the failing call.
interrupted=0
for seed in 1 2 3 4 5 6; do
  rm -f load.db load.db-wal
  "$BTREE" --page-size 512 load.db put seed "$seed" >/dev/null 2>&1 || fail "creating load.db"
  FIU_PRNG_SEED=$seed fiu "enable_random name=posix/io/sync/fdatasync,probability=0.04,failinfo=$EIO" \
    -- --checkpoint-every 0 load.db load batches.txt
  [ "$rc" -eq 0 ] || contains "$err" "Input/output error (EIO)"
  check_load load.db "load with fdatasync failing at random, seed $seed" either
  ((acked > 0 && acked < BATCHES)) && interrupted=$((interrupted + 1))
done
((interrupted > 0)) || fail "no seed interrupted the load after an acknowledged commit: the case tests nothing"

# --- torn WAL writes: every pwrite short, one failing mid-transaction -------------
# The refused transaction left part of its frames in the WAL; recovery must
# not take it, and the next commit overwrites it.
interrupted=0
for seed in 1 2 3; do
  rm -f torn.db torn.db-wal
  "$BTREE" --page-size 512 torn.db put seed "$seed" >/dev/null 2>&1 || fail "creating torn.db"
  FIU_PRNG_SEED=$seed fiu "enable_random name=posix/io/rw/pwrite,probability=0.02,failinfo=$EIO" \
    "enable name=posix/io/rw/pwrite/reduce" -- --checkpoint-every 0 torn.db load batches.txt
  check_load torn.db "load with short pwrites failing at random, seed $seed" none
  ((acked > 0 && acked < BATCHES)) && interrupted=$((interrupted + 1))
  run "$BTREE" torn.db put after the-failure
  expect_rc 0 "put after a torn WAL write, seed $seed"
  expect_verifies torn.db "the commit after a torn WAL write"
  expect_value torn.db after the-failure
done
((interrupted > 0)) || fail "no seed tore a transaction after an acknowledged commit: the case tests nothing"

# --- short transfers and EINTR everywhere: every byte arrives ----------------------
# EINTR only at random (probability < 1): PosixVfs retries it, and a point
# that always fails with EINTR would make the retry loop endless.
rm -f retry.db retry.db-wal
fiu "enable name=posix/io/rw/pwrite/reduce" "enable name=posix/io/rw/pread/reduce" \
  "enable_random name=posix/io/rw/pwrite,probability=0.3,failinfo=$EINTR" \
  "enable_random name=posix/io/rw/pread,probability=0.3,failinfo=$EINTR" \
  "enable_random name=posix/io/sync/fdatasync,probability=0.3,failinfo=$EINTR" \
  -- --page-size 512 --checkpoint-every 7 retry.db load batches.txt
expect_rc 0 "load with short transfers and EINTR"
check_load retry.db "load with short transfers and EINTR" none
[ "$acked" -eq "$BATCHES" ] || fail "load with short transfers and EINTR acknowledged $acked batches"

# --- read errors are errors, never missing or wrong data ---------------------------
fresh read.db
for command in "get b10-2" scan verify; do
  # shellcheck disable=SC2086
  fiu "enable name=posix/io/rw/pread,failinfo=$EIO" -- read.db $command
  expect_rc 3 "$command with every pread failing"
  contains "$err" "Input/output error (EIO)"
done
answered=0 refused=0
for seed in 1 2 3 4 5 6 7 8; do
  FIU_PRNG_SEED=$seed fiu "enable_random name=posix/io/rw/pread,probability=0.1,failinfo=$EIO" -- read.db get b25-1
  if [ "$rc" -eq 0 ]; then
    [ "$out" = v25-1 ] || fail "get with failing preads, seed $seed, printed '$out'"
    answered=$((answered + 1))
  else
    expect_rc 3 "get with failing preads, seed $seed"
    contains "$err" "Input/output error (EIO)"
    refused=$((refused + 1))
  fi
done
((answered > 0 && refused > 0)) || fail "random pread failures: $answered answers, $refused errors; want both"
expect_verifies read.db "read errors"

# --- the engine's own failpoints, enabled from outside (no -x) ---------------------
fresh vfs.db
run fiu-run -f '' -c "enable name=vfs/posix/sync,failinfo=$ENOSPC" "$BTREE" vfs.db put new-key new-value
expect_rc 3 "put with vfs/posix/sync failing"
contains "$err" "btree: no-space: "
contains "$err" "sync vfs.db-wal: No space left on device (ENOSPC)"
expect_verifies vfs.db "vfs/posix/sync failing"
expect_value vfs.db b05-3 v05-3

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all fiu-run cases passed"
