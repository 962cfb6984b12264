#!/usr/bin/env python3
"""Prints the reliability table of docs/peers.md from a crashsim report.json.

usage: reliability_table.py REPORT_JSON [--tag TAG]

One row per system under test (the scenario's `system`, settings included), adding up every case
of the scenarios carrying TAG (default `reliability`: scenarios/reliability.json):

* states checked, split into the `corrupt` model and the power-loss models;
* violations per invariant, counted in crash states, with the model group that found them;
* what became of each media fault the `corrupt` model checked (`fault_regions`,
  docs/crash-models.md "Under corrupt"): refused with a corruption error, recovered exactly (the
  state the crash allows, damaged bytes read), tail-dropped (the last commit alone, its own bytes
  hit), caught by verify (a lost or misdirected write: the reads answered from its stale image, and only
  verify() told), harmless (the exact state, damaged bytes never read), misreported (an error that
  is not a corruption error); and the silent ones, split by the invariant the oracle named:
  `silent-loss` (acknowledged data gone, no error) and `silent-corruption` (a value the key never
  held, no error).

The regeneration command: crashsim run scenarios --tag reliability --out DIR, then this script
on DIR/report.json. Standard library only, so that it runs wherever the report is.
"""
import argparse
import json
import sys

OUTCOMES = ["refused", "recovered", "tail_dropped", "caught_by_verify", "harmless", "misreported"]
SILENT = ["silent-loss", "silent-corruption"]
HEADER = ["system", "states checked (corrupt + power loss)", "violations (states)", "faults refused",
          "recovered exactly", "tail-dropped", "caught by verify", "harmless", "misreported", "silently lost",
          "silently wrong"]


class Row:
    def __init__(self, system):
        self.system = system
        self.states = {"corrupt": 0, "power loss": 0}
        self.violations = {"corrupt": {}, "power loss": {}}
        self.faults = dict.fromkeys(OUTCOMES, 0)

    def add_case(self, case, where):
        group = "corrupt" if case["model"] == "corrupt" else "power loss"
        self.states[group] += case.get("states_checked", 0)
        counts = self.violations[group]
        for invariant, n in case.get("violation_counts", {}).items():
            counts[invariant] = counts.get(invariant, 0) + n
        for region, outcome in case.get("fault_regions", {}).items():
            for name in OUTCOMES:
                if name not in outcome:
                    raise ValueError(f"{where}: fault_regions/{region} has no '{name}'")
                self.faults[name] += outcome[name]

    def cells(self):
        def listed(group):
            counts = self.violations[group]
            return ", ".join(f"{k} {counts[k]}" for k in sorted(counts)) or "none"

        silent = self.violations["corrupt"]
        return ([f"`{self.system}`", f"{self.states['corrupt']} + {self.states['power loss']}",
                 f"corrupt: {listed('corrupt')}; power loss: {listed('power loss')}"] +
                [str(self.faults[name]) for name in OUTCOMES] + [str(silent.get(name, 0)) for name in SILENT])


def table(report, tag):
    rows = {}
    for s in report["scenarios"]:
        if tag not in s.get("tags", []):
            continue
        where = f"scenario '{s['name']}'"
        if "error" in s:
            raise ValueError(f"{where}: its workload did not run ({s['error']}): no row can be built")
        system = s.get("system")
        if system is None:
            raise ValueError(f"{where}: no 'system' (a report written before report.json named its system)")
        row = rows.setdefault(system, Row(system))
        for case in s["models"]:
            row.add_case(case, f"{where} [{case['model']}]")
    if not rows:
        raise ValueError(f"no scenario tagged '{tag}' in the report")
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows.values()]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", help="a report.json written by crashsim run or crashsim merge")
    parser.add_argument("--tag", default="reliability", help="only scenarios carrying this tag (default: %(default)s)")
    args = parser.parse_args()
    try:
        with open(args.report, encoding="utf-8") as f:
            report = json.load(f)
        if report.get("format") != "crashsim-report":
            raise ValueError("not a crashsim report.json (its 'format' is not 'crashsim-report')")
        print(table(report, args.tag))
        run = report["run"]
        print(f"\nFrom the run of {run['started']}: `{run.get('command', 'crashsim run')}` "
              f"(catalog {run['catalog']['digest']}).")
    except (OSError, ValueError, KeyError) as e:
        what = f"missing field {e}" if isinstance(e, KeyError) else str(e)
        print(f"reliability_table.py: {args.report}: {what}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
