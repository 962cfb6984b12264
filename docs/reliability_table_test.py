#!/usr/bin/env python3
"""Tests docs/reliability_table.py on hand-made reports: which counts land in which column.

usage: reliability_table_test.py (run by meson as the `reliability_table` test)
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability_table.py")


def faults(refused=0, recovered=0, tail_dropped=0, caught_by_verify=0, harmless=0, silent=0, misreported=0):
    return {"drawn": refused + recovered + tail_dropped + caught_by_verify + harmless + silent + misreported,
            "refused": refused, "recovered": recovered, "tail_dropped": tail_dropped,
            "caught_by_verify": caught_by_verify, "harmless": harmless, "silent": silent, "misreported": misreported}


def scenario(name, system, models, tags=("reliability",)):
    return {"name": name, "file": "scenarios/reliability.json", "index": 0, "tags": list(tags), "system": system,
            "expect": {"verdict": "pass"}, "models": models}


def case(model, states, violations=None, regions=None):
    c = {"model": model, "states_checked": states, "violation_counts": violations or {}}
    if regions is not None:
        c["fault_regions"] = regions
    return c


def report(scenarios):
    return {"format": "crashsim-report", "version": 1,
            "run": {"tool": "crashsim", "tool_version": "0.1.0", "started": "2026-01-02T03:04:05Z",
                    "duration_seconds": 1, "jobs": 2, "catalog": {"files": [], "digest": "crc32:00000000"},
                    "command": "crashsim run scenarios --tag reliability"},
            "scenarios": scenarios}


def run(doc, *args):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "report.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        p = subprocess.run([sys.executable, SCRIPT, path, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def rows(stdout):
    """The table's body rows, each a list of cells."""
    lines = [l for l in stdout.splitlines() if l.startswith("| ")][1:]
    return [[c.strip() for c in l.strip("|").split("|")] for l in lines]


class ReliabilityTable(unittest.TestCase):
    def test_adds_up_each_systems_cases_into_its_columns(self):
        doc = report([
            scenario("peer-corrupt", "sqlite[wal,full]", [
                case("corrupt", 30, {"silent-loss": 5, "silent-corruption": 2, "recovery": 1},
                     {"wal-header": faults(refused=4, recovered=3, tail_dropped=2, caught_by_verify=6, harmless=1, silent=5,
                                                 misreported=1),
                      "db-header": faults(refused=10, recovered=2, harmless=2, silent=2)})]),
            scenario("peer-power-loss", "sqlite[wal,full]", [
                case("lose-unsynced", 7, {"durability": 1}), case("torn", 11, {"durability": 2, "atomicity": 1})]),
            scenario("ours-corrupt", "engine", [case("corrupt", 20, {}, {"wal-header": faults(refused=20)})]),
            scenario("elsewhere", "engine", [case("torn", 1000, {"durability": 9})], tags=("peer",)),
        ])
        code, out, err = run(doc)
        self.assertEqual(code, 0, err)
        self.assertEqual(rows(out), [
            ["`sqlite[wal,full]`", "30 + 18",
             "corrupt: recovery 1, silent-corruption 2, silent-loss 5; power loss: atomicity 1, durability 3",
             "14", "5", "2", "6", "3", "1", "5", "2"],
            ["`engine`", "20 + 0", "corrupt: none; power loss: none", "20", "0", "0", "0", "0", "0", "0", "0"],
        ])
        self.assertIn("2026-01-02T03:04:05Z", out)
        self.assertIn("`crashsim run scenarios --tag reliability`", out)

    def test_another_tag_selects_other_scenarios(self):
        doc = report([scenario("elsewhere", "engine", [case("torn", 1000, {"durability": 9})], tags=("peer",))])
        code, out, err = run(doc, "--tag", "peer")
        self.assertEqual(code, 0, err)
        self.assertEqual(rows(out)[0][1:3], ["0 + 1000", "corrupt: none; power loss: durability 9"])

    def test_refuses_a_report_it_cannot_read_a_row_from(self):
        unnamed = scenario("old", "engine", [case("torn", 1)])
        del unnamed["system"]
        broken_regions = case("corrupt", 1, {}, {"wal-header": {"drawn": 1}})
        for doc, message in [
            (report([unnamed]), "scenario 'old': no 'system'"),
            (report([scenario("other", "engine", [case("torn", 1)], tags=("ci",))]), "no scenario tagged 'reliability'"),
            (report([scenario("bad", "engine", [broken_regions])]), "scenario 'bad' [corrupt]: fault_regions/wal-header"),
            (dict(report([]), format="something-else"), "not a crashsim report.json"),
        ]:
            code, out, err = run(doc)
            self.assertEqual(code, 1, out)
            self.assertIn(message, err)
            self.assertEqual(out, "")


if __name__ == "__main__":
    unittest.main()
