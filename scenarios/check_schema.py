#!/usr/bin/env python3
"""Checks scenarios/catalog.schema.json against the shipped catalog and against broken documents.

usage: check_schema.py SCHEMA CATALOG.json...

Every shipped catalog file must validate, and each broken variant of a valid scenario below must
not: the schema is what editors and other tools see, so it has to refuse what the loader refuses
wherever JSON Schema can say so (the rest is listed as 'loader:' in the schema's descriptions and
tested in catalog_test.cc). Exits 77 (skipped) when python3-jsonschema is not installed.
"""
import copy
import json
import sys

try:
    import jsonschema
except ImportError:
    print("check_schema: python3-jsonschema is not installed; skipped")
    sys.exit(77)

VALID = {
    "version": 1,
    "scenarios": [{
        "name": "s", "description": "d", "tags": ["ci"],
        "engine": {"page_size": 4096, "checkpoint_every": 8, "cache_pages": 64, "mutant": None},
        "workload": {"seed": 7, "transactions": 60, "ops_per_txn": [1, 6], "key_space": 400,
                     "key_size": [4, 32], "value_size": [0, 300],
                     "mix": {"put": 0.6, "delete": 0.3, "get": 0.1}, "reopen_every": 0},
        "crash": {"model": "reorder", "points": "all", "max_states": 20000, "sector_size": 512,
                  "recovery_crashes": True, "seed": 1},
        "expect": {"verdict": "pass"},
    }],
}


def broken(path, value, delete=False):
    """VALID with the value at `path` (keys under scenarios[0]) replaced or deleted."""
    doc = copy.deepcopy(VALID)
    node = doc["scenarios"][0]
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


REJECTED = {
    "unknown field": broken(["nmae"], "x"),
    "empty faults": broken(["faults"], []),
    "unknown fault point": broken(["faults"], [{"point": "vfs/posix/sync", "nth": 1}]),
    "fault errno EINTR": broken(["faults"], [{"point": "vfs/sync", "nth": 1, "errno": "EINTR"}]),
    "fault nth 0": broken(["faults"], [{"point": "vfs/sync", "nth": 0}]),
    "fault probability 0": broken(["faults"], [{"point": "vfs/sync", "probability": 0}]),
    "unknown fault field": broken(["faults"], [{"point": "vfs/sync", "nth": 1, "errorno": "EIO"}]),
    "unknown failed-sync profile": broken(["crash", "after_failed_sync"], "retry"),
    "unknown nested field": broken(["crash", "modle"], "torn"),
    "wrong type": broken(["workload", "transactions"], "ten"),
    "page size 1000": broken(["engine", "page_size"], 1000),
    "negative mix weight": broken(["workload", "mix", "delete"], -0.1),
    "max_states 0": broken(["crash", "max_states"], 0),
    "unknown model": broken(["crash", "model"], "reordr"),
    "model twice": broken(["crash", "model"], ["torn", "torn"]),
    "unknown invariant": broken(["expect"], {"verdict": "violation", "invariant": "durabilty"}),
    "unknown mutant": broken(["engine", "mutant"], "no-fsync"),
    "known system with a foreign setting": broken(["engine"], {"system": "sqlite", "mutant": None}),
    "engine setting beside system leveldb": broken(["engine"], {"system": "leveldb", "page_size": 4096}),
    "unknown sqlite journal mode": broken(["engine"], {"system": "sqlite", "journal_mode": "persist"}),
    "sqlite page size 3000": broken(["engine"], {"system": "sqlite", "page_size": 3000}),
    "leveldb write buffer below 64 KiB": broken(["engine"], {"system": "leveldb", "write_buffer_size": 4096}),
    "leveldb sync as a string": broken(["engine"], {"system": "leveldb", "sync": "yes"}),
    "malformed system name": broken(["engine"], {"system": "My Engine"}),
    "at_risk as a number": broken(["crash", "at_risk"], 0),
    "violation without invariant": broken(["expect"], {"verdict": "violation"}),
    "pass with invariant": broken(["expect"], {"verdict": "pass", "invariant": "leak"}),
    "allow_no_states not a boolean": broken(["expect"], {"verdict": "pass", "allow_no_states": "yes"}),
    "generator and script": broken(["workload", "script"], [{"op": "commit"}]),
    "no crash": broken(["crash"], None, delete=True),
    "range of three": broken(["workload", "value_size"], [1, 2, 3]),
    "sample of 0": broken(["crash", "points"], {"sample": 0}),
    "bad name": broken(["name"], "Bad Name"),
    "put without value": broken(["workload"], {"script": [{"op": "put", "key": "a"}, {"op": "commit"}]}),
    "key on commit": broken(["workload"], {"script": [{"op": "commit", "key": "a"}]}),
    "key on crash-reopen": broken(["workload"], {"script": [{"op": "crash-reopen", "key": "a"}]}),
    "verify_each_commit not a boolean": broken(["workload", "verify_each_commit"], 1),
    "negative crash_reopen_every": broken(["workload", "crash_reopen_every"], -1),
}


# Valid variants of VALID the schema must accept too.
ACCEPTED = {
    "sqlite with every setting": broken(["engine"], {"system": "sqlite", "journal_mode": "wal", "synchronous": "normal",
                                                    "page_size": 1024, "checkpoint": 8}),
    "leveldb with every setting": broken(["engine"], {"system": "leveldb", "sync": True, "paranoid_checks": True,
                                                     "verify_checksums": True, "write_buffer_size": 65536}),
    "a registered system": broken(["engine"], {"system": "snapshot", "sync_dir": False}),
    "the engine by name": broken(["engine"], {"system": "engine", "page_size": 512}),
    "power-loss options": broken(["crash", "at_risk"], False),
}


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for path in sys.argv[2:]:
        for e in validator.iter_errors(json.load(open(path, encoding="utf-8"))):
            problems.append(f"{path} {e.json_path}: {e.message[:200]}")
    if list(validator.iter_errors(VALID)):
        problems.append("the issue's example scenario does not validate")
    for what, doc in ACCEPTED.items():
        for e in validator.iter_errors(doc):
            problems.append(f"the schema refuses a valid scenario with {what}: {e.message[:200]}")
    for what, doc in REJECTED.items():
        if validator.is_valid(doc):
            problems.append(f"the schema accepts a scenario with: {what}")
    for p in problems:
        print("FAIL:", p)
    print(f"check_schema: {len(sys.argv) - 2} catalog file(s), {len(REJECTED)} rejections, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
