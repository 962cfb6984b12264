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
for cmd in put get del scan load verify stats; do
  expect 0 "$BTREE" db "$cmd" --help;     contains "$out" "Usage"
done
expect 2 "$BTREE";                        contains "$err" "btree: "
expect 2 "$BTREE" db frobnicate
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

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all btree CLI checks passed"
