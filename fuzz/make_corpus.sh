#!/usr/bin/env bash
# Remakes the committed fuzz corpora (fuzz/corpus/) and the catalog target's
# dictionary from what the project's own code writes (docs/fuzzing.md).
# Usage: fuzz/make_corpus.sh [BUILD_DIR]   (default: build; build it first)
# Run it after a change to any format a target reads: the open_db target
# refuses to start on seeds that no longer open to their histories.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
corpus=fuzz/corpus
tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-corpus-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

rm -rf "$corpus"
mkdir -p "$corpus/catalog" "$corpus/trace"

# Databases of several page sizes and histories (open_db, wal_reader,
# load_script): the engine writes them, fuzz/make_seeds.cc says how.
"$build/fuzz/make_seeds" fuzz

# Catalogs: each scenario of the project's catalogs as a file of its own
# (small inputs fuzz faster), and the catalogs whole.
cp scenarios/ci.json scenarios/extended.json scenarios/peers.json "$corpus/catalog/"
python3 - "$corpus/catalog" scenarios/ci.json scenarios/extended.json scenarios/peers.json <<'PY'
import json, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    for s in json.load(open(path))["scenarios"]:
        with open(f"{out}/{s['name']}.json", "w") as f:
            json.dump({"version": 1, "scenarios": [s]}, f, indent=1)
PY

# Traces: what `crashsim run` saves for every scenario that finds a
# violation, i.e. the mutant scenarios; the smallest few are enough, each as
# saved and split into its header and blob (fuzz/trace_fuzzer.cc).
"$build/crashsim/tool/crashsim" run scenarios/ci.json --tag mutant --out "$tmp/out" --jobs 2 >/dev/null
ls -S -r "$tmp/out/traces/"*.trace | head -n 5 | xargs -I{} cp {} "$corpus/trace/"
python3 - "$corpus/trace" <<'PY'
import pathlib, sys
for path in pathlib.Path(sys.argv[1]).glob("*.trace"):
    data = path.read_bytes()
    length = int.from_bytes(data[8:16], "little")
    path.with_suffix(".split").write_bytes(data[16:16 + length] + b"\0" + data[16 + length:])
PY

# The catalog target's dictionary: every property name and enum value of the schema.
python3 - scenarios/catalog.schema.json > fuzz/catalog.dict <<'PY'
import json, sys
words = set()
def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                words.update(value.keys())
            if key in ("enum", "const"):
                words.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
            walk(value)
    elif isinstance(node, list):
        for item in node:
            walk(item)
walk(json.load(open(sys.argv[1])))
print("# Made by fuzz/make_corpus.sh from scenarios/catalog.schema.json: every key and name, quoted as in JSON.")
for word in sorted(words):
    print(json.dumps(json.dumps(word)))
PY

du -sh "$corpus"/*
