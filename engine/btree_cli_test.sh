#!/usr/bin/env bash
# End-to-end test of the btree tool: every command, the exit codes, load's
# handling of malformed input, and verify/stats on a real file.
# Usage: btree_cli_test.sh PATH/TO/btree
set -u

BTREE=$(realpath "${1:?usage: $0 PATH/TO/btree}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/btree-cli-test-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect CODE CMD...: runs the command, keeping stdout in $out and stderr in $err.
expect() {
  local want=$1; shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  out=$(cat "$WORK/out"); err=$(cat "$WORK/err")
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want (stderr: $err)"
}
contains() { case "$1" in *"$2"*) ;; *) fail "expected '$2' in: $1" ;; esac; }

# --- help and usage errors -------------------------------------------------
expect 0 "$BTREE" --help;                 contains "$out" "Subcommands"
for cmd in put get del scan load verify stats dump; do
  expect 0 "$BTREE" db "$cmd" --help;     contains "$out" "Usage"
done
expect 2 "$BTREE";                        contains "$err" "btree: "
expect 2 "$BTREE" db frobnicate;         contains "$err" "unknown command 'frobnicate' (expected one of: put, get"
expect 2 "$BTREE" db;                    contains "$err" "no command given"
expect 2 "$BTREE" db put k v extra;      contains "$err" "put: unexpected argument 'extra'"
expect 2 "$BTREE" db put only-a-key
expect 2 "$BTREE" db scan --limit lots
expect 2 "$BTREE" --page-size 1000 new.db put k v
[ ! -e new.db ] || fail "a refused page size still created the database"

# --- read-only commands never create a database ------------------------------
for cmd in "get k" scan verify stats; do
  # shellcheck disable=SC2086
  expect 3 "$BTREE" missing.db $cmd;      contains "$err" "btree: "
done
[ ! -e missing.db ] || fail "a read-only command created missing.db"
[ ! -e missing.db-wal ] || fail "a read-only command created missing.db-wal"
expect 3 "$BTREE" missing.db put k v --read-only
[ ! -e missing.db ] || fail "--read-only put created missing.db"

# ... nor write anything next to a file that is not a database, empty or not
printf 'not a database at all, just some text\n' > text.db
: > empty.db
for f in text.db empty.db; do
  for cmd in "get k" scan verify stats; do
    # shellcheck disable=SC2086
    expect 3 "$BTREE" "$f" $cmd;          contains "$err" "btree: "
    case "$err" in *create_if_missing*) fail "an internal option name leaked: $err" ;; esac
  done
  [ ! -e "$f-wal" ] || fail "a read-only command on $f created $f-wal"
done
[ "$(cat text.db)" = "not a database at all, just some text" ] || fail "text.db was changed"
[ ! -s empty.db ] || fail "empty.db was written"

# A load that fails before its first commit creates nothing.
printf 'put\tk\tv\nbogus line\n' > fails-early.txt
expect 2 "$BTREE" never.db load fails-early.txt;  contains "$err" "fails-early.txt:2"
[ ! -e never.db ] && [ ! -e never.db-wal ] || fail "a load that failed before any commit created never.db"

# --- put, get, del -----------------------------------------------------------
expect 0 "$BTREE" --page-size 512 db put apple red
expect 0 "$BTREE" db put banana yellow
expect 0 "$BTREE" db put cherry "dark red"
expect 0 "$BTREE" db get apple;           [ "$out" = "red" ] || fail "get apple printed '$out'"
expect 0 "$BTREE" db get cherry;          [ "$out" = "dark red" ] || fail "get cherry printed '$out'"
expect 1 "$BTREE" db get durian;          contains "$err" "btree: key not found: durian"
[ -z "$out" ] || fail "get of an absent key printed '$out'"
expect 0 "$BTREE" db put apple green
expect 0 "$BTREE" db get apple;           [ "$out" = "green" ] || fail "overwrite: get apple printed '$out'"
expect 0 "$BTREE" db del banana
expect 0 "$BTREE" db del banana           # absent: still success
expect 1 "$BTREE" db get banana
max_key=$(printf 'k%.0s' $(seq 1 128))    # max_key_size(512) = 128
expect 0 "$BTREE" db put "$max_key" v
expect 2 "$BTREE" db put "${max_key}k" v; contains "$err" "129"

# --- scan --------------------------------------------------------------------
expect 0 "$BTREE" db del "$max_key"
expect 0 "$BTREE" db scan
[ "$out" = $'apple\tgreen\ncherry\tdark red' ] || fail "scan printed: $out"
for i in 1 2 3 4 5 6; do "$BTREE" db put "n$i" "v$i" || fail "put n$i"; done
expect 0 "$BTREE" db scan --from n2 --to n5
[ "$out" = $'n2\tv2\nn3\tv3\nn4\tv4' ] || fail "scan --from n2 --to n5 (to is exclusive) printed: $out"
expect 0 "$BTREE" db scan --from n3 --limit 2
[ "$out" = $'n3\tv3\nn4\tv4' ] || fail "scan --from n3 --limit 2 printed: $out"
expect 0 "$BTREE" db scan --from zzz;     [ -z "$out" ] || fail "scan past the end printed: $out"
# scan prints one KEY<TAB>VALUE line per entry: tabs, newlines, backslashes and control bytes are escaped.
expect 0 "$BTREE" db put "z"$'\t'"k" $'two\nlines\\ and \x01'
expect 0 "$BTREE" db scan --from z
[ "$out" = 'z\tk'$'\t''two\nlines\\ and \x01' ] || fail "scan did not escape: $out"
expect 0 "$BTREE" db get "z"$'\t'"k";     [ "$out" = $'two\nlines\\ and \x01' ] || fail "get is not raw: $out"
expect 0 "$BTREE" db del "z"$'\t'"k"

# --- load --------------------------------------------------------------------
{
  printf 'put\tl1\tone\n'
  printf 'put\tl2\ttwo\twith a tab\n'      # the value is the rest of the line
  printf 'commit\n'
  printf '\n'                              # empty lines are skipped
  printf 'del\tl1\n'
  printf 'put\tl3\tthree\n'
  printf 'commit\n'
  printf 'put\tl4\tfour\n'                 # in the batch the bad line abandons
  printf 'upsert\tl5\tfive\n'              # line 9: malformed
  printf 'put\tl6\tsix\n'
} > script.txt
expect 2 "$BTREE" db load script.txt
contains "$err" "script.txt:9"
expect 1 "$BTREE" db get l1               # deleted by the second commit
expect 0 "$BTREE" db get l2;              [ "$out" = $'two\twith a tab' ] || fail "l2 is '$out'"
expect 0 "$BTREE" db get l3
expect 1 "$BTREE" db get l4               # after the last good commit: not applied
expect 1 "$BTREE" db get l6
printf 'del\tl2\tx\n' > bad-del.txt
expect 2 "$BTREE" db load bad-del.txt;    contains "$err" "bad-del.txt:1"
expect 0 "$BTREE" db get l2
printf 'put\tfrom-stdin\tyes\ndel\tl3\n' | "$BTREE" db load - || fail "load from stdin"
expect 0 "$BTREE" db get from-stdin       # committed by the end of the input
expect 1 "$BTREE" db get l3
for i in $(seq 1 3000); do printf 'put\tbulk%05d\t%s\n' "$i" "value-$i"; done > bulk.txt
expect 0 "$BTREE" db load bulk.txt
expect 0 "$BTREE" db get bulk02999;       [ "$out" = "value-2999" ] || fail "bulk02999 is '$out'"
expect 2 "$BTREE" db load no-such-file.txt

# --- verify and stats on a real file ---------------------------------------
expect 0 "$BTREE" db verify;              contains "$out" "ok"
expect 0 "$BTREE" db stats
contains "$out" "page size:  512"
contains "$out" "key count:  3010"
expect 0 "$BTREE" db stats --json
python3 - "$WORK/out" <<'PY' || fail "stats --json is not the expected JSON"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["page_size"] == 512 and s["key_count"] == 3010 and s["depth"] >= 2, s
assert all(k in s for k in ("page_count", "free_pages", "wal_bytes")), s
PY

# Read commands change no byte; --read-only refuses writes. (Crash states
# whose WAL holds commits to replay are opened by crashsim/tool/laptop_loop_test.sh.)
cp db ro.db; cp db-wal ro.db-wal
before=$(sha256sum ro.db ro.db-wal)
for cmd in "get apple" scan verify stats "stats --json"; do
  # shellcheck disable=SC2086
  expect 0 "$BTREE" ro.db $cmd
done
expect 2 "$BTREE" --read-only ro.db put x y;  contains "$err" "read-only"
expect 2 "$BTREE" ro.db del apple --read-only; contains "$err" "read-only"
[ "$(sha256sum ro.db ro.db-wal)" = "$before" ] || fail "a read command changed ro.db or ro.db-wal"
rm -f ro.db-wal
expect 0 "$BTREE" ro.db verify
[ ! -e ro.db-wal ] || fail "verify created a WAL"

# Damage a page in the data file: verify reports it (exit 1), reads fail (exit 3).
cp db damaged.db
cp db-wal damaged.db-wal
python3 - damaged.db <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    data = bytearray(f.read())
    for page in range(1, len(data) // 512):  # every page but the meta page
        data[page * 512 + 100] ^= 0xFF
    f.seek(0)
    f.write(data)
PY
expect 1 "$BTREE" damaged.db verify;      contains "$out" "bad-page page"
contains "$out" "checksum"
contains "$err" "btree: verify found"
expect 3 "$BTREE" damaged.db scan;        contains "$err" "btree: "
expect 3 "$BTREE" damaged.db get apple

# --- dump: the bytes of both files, however damaged, read-only --------------
before=$(sha256sum damaged.db damaged.db-wal)
expect 0 "$BTREE" damaged.db dump
contains "$out" "data file damaged.db: "
contains "$out" "BAD checksum"
contains "$out" "WAL damaged.db-wal: "
contains "$out" "header: generation "
expect 0 "$BTREE" damaged.db dump --json
python3 - "$WORK/out" <<'PY' || fail "dump --json of damaged.db is not the expected JSON"
import json, sys
d = json.load(open(sys.argv[1]))
pages = d["data"]["pages"]
assert d["data"]["page_size"] == 512 and pages[0]["type"] == "meta" and pages[0]["checksum_ok"], pages[0]
assert all(not p["checksum_ok"] for p in pages[1:]), "every damaged page says so"
assert d["wal"]["header"]["ok"], d["wal"]["header"]
PY
[ "$(sha256sum damaged.db damaged.db-wal)" = "$before" ] || fail "dump changed damaged.db"
expect 0 "$BTREE" db dump --json
python3 - "$WORK/out" <<'PY' || fail "dump --json of db lacks keys, links or the free list"
import json, sys
d = json.load(open(sys.argv[1]))
pages = d["data"]["pages"]
leaves = [p for p in pages if p["type"] == "leaf"]
internal = [p for p in pages if p["type"] == "internal"]
assert leaves and all(p["checksum_ok"] for p in pages), "a healthy file's pages are sound"
assert any("apple" in p["keys"] for p in leaves), "a leaf lists its keys"
assert internal and all(len(p["children"]) == len(p["keys"]) + 1 for p in internal), "internal nodes link children"
assert "pages" in d["data"]["free_list"], d["data"]["free_list"]
PY
expect 0 "$BTREE" text.db dump;          contains "$out" "no page size to read it by"
[ ! -e text.db-wal ] || fail "dump created text.db-wal"
expect 3 "$BTREE" nothing.db dump;       contains "$err" "neither nothing.db nor nothing.db-wal exists"

# --- one writer, or any number of readers, at a time --------------------------
# flock(1) takes the same advisory lock (flock(2)) the engine takes on the data file.
hold_lock() {  # hold_lock MODE: holds MODE on db in the background until killed
  # -o: the lock is flock's alone, not inherited by sleep, so it dies with flock.
  flock -o "$1" db sleep 60 >/dev/null 2>&1 &
  holder=$!
  for _ in $(seq 100); do
    flock --nonblock --exclusive db true 2>/dev/null || return 0
    sleep 0.05
  done
  fail "flock never took its lock on db"
}
release_lock() {  # kills the holder the way a crash would (its idle sleep holds no lock)
  kill -KILL "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
}
expect 0 "$BTREE" db put lock-test before
hold_lock --exclusive
expect 4 "$BTREE" db put lock-test during; contains "$err" "btree: busy: open db: lock db: the file is in use"
expect 4 "$BTREE" db get lock-test;        contains "$err" "the file is in use"
release_lock
hold_lock --shared
expect 4 "$BTREE" db put lock-test during; contains "$err" "a reader or a writer holds it"
expect 0 "$BTREE" db get lock-test;        [ "$out" = "before" ] || fail "a reader beside a reader got '$out'"
release_lock
expect 0 "$BTREE" db put lock-test after   # the lock went away with the process that held it
expect 0 "$BTREE" db get lock-test;        [ "$out" = "after" ] || fail "after the holder died: '$out'"

# A second btree writer beside a btree writer: `load` holds the database open
# (and locked) while it waits for the rest of its input.
mkfifo load.fifo
"$BTREE" db load <load.fifo >load.out 2>&1 &
loader=$!
exec 7>load.fifo
printf 'put\tlock-test\tby-load\ncommit\n' >&7
# Waits for the loader's lock in /proc/locks: a probe that took the lock
# itself could make the loader's own open find the file busy.
inode=$(stat -c %i db)
for _ in $(seq 200); do
  grep -q "FLOCK.*WRITE.*:$inode " /proc/locks && break
  sleep 0.05
done
expect 4 "$BTREE" db put lock-test second; contains "$err" "btree: busy: open db: lock db: the file is in use"
exec 7>&-
wait "$loader" || fail "the loader exited $?: $(cat load.out)"
expect 0 "$BTREE" db get lock-test;        [ "$out" = "by-load" ] || fail "after the loader: '$out'"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all btree CLI checks passed"
