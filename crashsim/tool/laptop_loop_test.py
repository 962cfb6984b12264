#!/usr/bin/env python3
"""The loop an engineer follows from a red CI run to the bytes, end to end, with the real programs.

usage: laptop_loop_test.py CRASHSIM BTREE CATALOG_DIR

1. a mutant scenario's FAIL line carries a replay command;
2. that command with --keep DIR prints btree commands; pasted, they show the violation (the key
   the violation names holds what it observed, not what was expected), and every kept file is
   byte-identical before and after;
3. `btree dump` of the kept files shows the frame that causes it: an intact frame of the
   transaction the violation names that no commit frame completes, holding a key it names;
4. `crashsim minimize` writes a smaller scenario that loads and fails the same way;
5. merging one shard of two exits non-zero, naming the missing shard.
Each step prints what it checked; any failure exits 1.
"""
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

SCENARIO = "mutant-no-commit-record"

failures = []


def check(cond, what):
    print(("ok:   " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)
    return cond


def run(args, cwd, shell=False):
    return subprocess.run(args, cwd=cwd, shell=shell, capture_output=True, text=True, errors="replace",
                          executable="/bin/bash" if shell else None)


def digests(directory):
    return {name: hashlib.sha256(open(os.path.join(directory, name), "rb").read()).hexdigest()
            for name in sorted(os.listdir(directory))}


def hint_blocks(replay_out):
    """The commands replay printed after its verdicts, one block per invariant."""
    lines = replay_out.split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("see it on the kept files"))
    blocks = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        line = line[2:]
        if line.startswith("# ") and not line.startswith("# expected: ") and not line.startswith("# observed: ") \
                and not line.startswith("# a write"):
            blocks.append({"title": line[2:], "commands": [], "expected": None, "observed": None})
        elif line.startswith("# expected: "):
            blocks[-1]["expected"] = line[len("# expected: "):]
        elif line.startswith("# observed: "):
            blocks[-1]["observed"] = line[len("# observed: "):]
        elif not line.startswith("#"):
            blocks[-1]["commands"].append(line)
    return blocks


def shown_value(description):
    """'key "a15" = "pqrs...(60 bytes)"' -> ('pqrs', False); 'key "a15" absent' -> (None, True)."""
    description = re.sub(r" \(as after transaction \d+\)$| \(from transaction \d+\)$", "", description)
    if description.endswith(" absent"):
        return None, True
    m = re.search(r' = "(.*)"$', description)
    value = m.group(1)
    value = re.sub(r"\.\.\.\(\d+ bytes\)$", "", value)
    return value, False


def main():
    crashsim, btree, catalog_dir = (os.path.abspath(a) for a in sys.argv[1:4])
    work = tempfile.mkdtemp(prefix="laptop-loop-")
    ci = json.load(open(os.path.join(catalog_dir, "ci.json")))
    mutant = next(s for s in ci["scenarios"] if s["name"] == SCENARIO)

    # 1. A mutant scenario expected to pass fails, and its FAIL line says how to replay it.
    demo = dict(mutant, name="no-commit-record-expected-to-pass", expect={"verdict": "pass"})
    with open(os.path.join(work, "demo.json"), "w") as f:
        json.dump({"version": ci["version"], "scenarios": [demo]}, f)
    r = run([crashsim, "run", "demo.json", "--out", "out", "--jobs", "2"], work)
    check(r.returncode == 1, f"run of a mutant expected to pass exits 1 (got {r.returncode}: {r.stderr.strip()})")
    fail_lines = [l for l in r.stdout.split("\n") if l.startswith("FAIL ")]
    if not check(fail_lines and " \u2014 replay: " in fail_lines[0], "its FAIL line carries a replay command"):
        return
    # The FAIL line leads with the violation this scenario is about: atomicity (the mutant's).
    check("first of each: atomicity at state " in fail_lines[0], "the FAIL line shows atomicity's first state first")
    replay = fail_lines[0].split(" \u2014 replay: ", 1)[1]
    check("--trace out/traces/" in replay, "the replay command names the trace the run saved")

    # 2. The replay with --keep prints btree commands that show the violation and change no byte.
    r = run(replay + " --keep kept", work, shell=True)
    check(r.returncode == 1, f"the replay finds the violation again (exit {r.returncode})")
    kept = os.path.join(work, "kept")
    before = digests(kept)
    check(set(before) == {"db", "db-wal"}, f"the kept state holds db and db-wal ({sorted(before)})")
    blocks = hint_blocks(r.stdout)
    atomicity = [b for b in blocks if b["title"].startswith("atomicity: ")]
    if not check(atomicity, "replay prints the commands that show the atomicity violation"):
        return
    block = atomicity[0]
    check(all(c.startswith(btree + " --mutant no-commit-record ") for c in block["commands"]),
          "each command runs the btree built beside crashsim with the scenario's mutant")
    outputs = []
    for _ in range(2):  # twice: reading must not change what the next read sees
        outputs = [run(c, work, shell=True) for b in blocks if not b["title"].startswith("writable")
                   for c in b["commands"]]
    last = run(block["commands"][-1], work, shell=True)
    observed, observed_absent = shown_value(block["observed"])
    expected, expected_absent = shown_value(block["expected"])
    if observed_absent:
        check(last.returncode == 1, f"`{block['commands'][-1]}` finds the key absent, as the check observed")
    else:
        check(last.returncode == 0 and last.stdout.startswith(observed),
              f"`{block['commands'][-1]}` prints the observed value {observed!r}... (got {last.stdout[:20]!r})")
    check(expected_absent or not last.stdout.startswith(expected),
          f"... and not the expected one {expected!r}")
    first = run(block["commands"][0], work, shell=True)
    check(first.returncode == 0, f"`{block['commands'][0]}` reads the key that shows the transaction applied")
    check(all(o.returncode in (0, 1) for o in outputs), "every printed read command ran (exit 0 or 1)")
    check(digests(kept) == before, "the kept files are byte-identical after the printed commands ran")
    check(not os.path.exists(kept + "-copy") or "writable" in r.stdout, "no copy was made but for a write")

    # 3. btree dump shows the frame that causes it.
    r = run([btree, "--mutant", "no-commit-record", os.path.join(kept, "db"), "dump", "--json"], work)
    if check(r.returncode == 0, f"btree dump --json of the kept files exits 0 ({r.stderr.strip()})"):
        dump = json.loads(r.stdout)
        keys = [line.split(" get ", 1)[1] for line in block["commands"]]
        keys = [shlex.split(k)[0] for k in keys]
        txn = int(re.search(r"transaction (\d+) is partly visible", block["title"]).group(1))
        generation = dump["wal"]["header"]["generation"]
        frames = [f for f in dump["wal"]["frames"] if f.get("generation") == generation]
        write = lambda f: (f["sequence"], f["nonce"])  # one write of one transaction
        committed = {write(f) for f in frames if f["commit"] and f["checksum_ok"]}
        culprits = [f for f in frames if f["checksum_ok"] and not f["commit"] and write(f) not in committed
                    and any(k in f.get("keys", []) for k in keys)]
        check(culprits, f"dump shows an intact frame of the WAL's generation holding {keys[0]!r} that no commit "
                        f"frame completes (transaction {txn} in flight; frames: "
                        f"{[(f['slot'], f['page'], f['sequence'], f['commit'], f['checksum_ok']) for f in frames]})")
        check(digests(kept) == before, "the kept files are byte-identical after btree dump")

    # 4. minimize writes a smaller scenario that loads and fails the same way.
    r = run([crashsim, "minimize", "demo.json", "--scenario", demo["name"], "--out", "min", "--max-attempts", "40",
             "--jobs", "2"], work)
    check(r.returncode == 0, f"minimize exits 0 ({r.stderr.strip()[-300:]})")
    check("keeping a violation of 'atomicity' under torn" in r.stderr, "it shrinks toward atomicity")
    m = re.search(r"smallest reproducer: (\d+) of (\d+) steps", r.stdout)
    if check(m is not None, "it prints the step counts before and after"):
        check(1 <= int(m.group(1)) < int(m.group(2)), f"the reproducer is smaller and not empty ({m.group(0)})")
    minimized = os.path.join("min", demo["name"] + "-min.json")
    again = run([crashsim, "run", minimized, "--out", "min-out", "--jobs", "2"], work)
    check(again.returncode == 0 and "CAUGHT " in again.stdout,
          f"the reproducer loads and its run catches the violation it expects ({again.stdout.strip()[:300]})")
    replay_line = [l for l in r.stdout.split("\n") if l.startswith("replay: ")]
    if check(replay_line, "minimize prints the reproducer's replay command"):
        rr = run(replay_line[0][len("replay: "):], work, shell=True)
        check(rr.returncode == 1 and re.search(r"^  atomicity +VIOLATED", rr.stdout, re.M) is not None,
              "its replay shows the atomicity violation")

    # 5. Merging one shard of two exits non-zero, naming the missing shard.
    r = run([crashsim, "run", os.path.join(catalog_dir, "ci.json"), "--filter", SCENARIO, "--shard", "1/2",
             "--out", "shard-1", "--jobs", "2"], work)
    check(r.returncode == 0, f"one shard of the mutant scenario exits 0, its verdict deferred or caught ({r.stdout})")
    r = run([crashsim, "merge", "shard-1", "--out", "merged"], work)
    check(r.returncode == 2 and "shard 2/2 of the run is missing" in r.stderr,
          f"merging shard 1/2 alone exits 2 naming shard 2/2 (exit {r.returncode}: {r.stderr.strip()})")

    if failures:
        print(f"{len(failures)} check(s) failed; files in {work}")
        sys.exit(1)
    subprocess.run(["rm", "-rf", work])
    print("the laptop loop works end to end")


if __name__ == "__main__":
    main()
