#!/usr/bin/env python3
"""Renders the sample report and checks the files as a CI system and a browser would read them.

usage: check_rendered.py RENDER_SAMPLE_EXE REPORT_SCHEMA

* junit.xml and report.html parse with an XML parser (report.html is XHTML-clean);
* junit.xml has one testcase per scenario and model, failures carry replay commands;
* report.html has the verdict table, one SVG timeline per shown violation with a lane per
  file and the red crash line, no script element, no network asset, hostile text as text;
* report.json validates against reports/report.schema.json (when python3-jsonschema is there).
"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
SHOWN_PER_CASE = 5  # reports::kHtmlViolationsPerCase

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def as_xml_text(s):
    """What a string becomes once escaped for XML: forbidden control characters turn into U+FFFD."""
    return "".join("\ufffd" if ord(ch) < 0x20 and ch not in "\t\n\r" else ch for ch in s)


def cases(scenario):
    return scenario.get("checks", []) + scenario["models"]


def label(scenario, case):
    """The badge reports::case_verdict gives: a caught mutant is not a plain PASS."""
    if case["verdict"] == "fail":
        return "FAIL"
    if not scenario["expect"].get("invariant"):
        return "PASS"
    found = sum(case["violation_counts"].values())
    if case in scenario.get("checks", []):
        return "CAUGHT" if found else "PASS"
    return "CAUGHT" if case["violation_counts"].get(scenario["expect"]["invariant"], 0) else "DEFERRED"


def root_cause(violation):
    """What report.html groups violations by: the invariant and the trace entries the crash lost."""
    lost = tuple((op["index"], op["fate"]) for op in violation.get("timeline", {}).get("ops", [])
                 if op["fate"] in ("dropped", "torn"))
    return violation["invariant"], lost


def main():
    exe, schema_path = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([exe, out], check=True)
        report = json.load(open(os.path.join(out, "report.json"), encoding="utf-8"))
        check_schema(report, schema_path)
        check_junit(ET.parse(os.path.join(out, "junit.xml")).getroot(), report)
        html_text = open(os.path.join(out, "report.html"), encoding="utf-8").read()
        check_html(ET.fromstring(html_text), html_text, report)
        summary = open(os.path.join(out, "summary.md"), encoding="utf-8").read()
        check_summary(summary, report)
    for f in failures:
        print("FAIL:", f)
    print(f"check_rendered: {len(failures)} problem(s)")
    return 1 if failures else 0


def check_schema(report, schema_path):
    try:
        import jsonschema
    except ImportError:
        print("check_rendered: python3-jsonschema not installed; report.json schema check skipped")
        return
    schema = json.load(open(schema_path, encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(report))
    for e in errors:
        failures.append(f"report.json {e.json_path}: {e.message[:200]}")


def check_junit(root, report):
    check(root.tag == "testsuites", "junit root is <testsuites>")
    testcases = list(root.iter("testcase"))
    expected = sum(1 if s.get("error") else len(cases(s)) for s in report["scenarios"])
    check(len(testcases) == expected, f"junit has {len(testcases)} testcases, expected {expected}")
    check(int(root.get("tests")) == expected, "testsuites/@tests counts every testcase")
    failed = [c for c in testcases if c.find("failure") is not None]
    for c in failed:
        msg = c.find("failure").get("message")
        check(msg.startswith("expected "), f"failure message says what was expected: {msg!r}")
    with_replay = [c for c in failed if "replay: " in c.find("failure").get("message")]
    check(len(with_replay) >= 1, "a failure message carries a replay command")
    names = [c.get("name") for c in testcases]
    check(any(n.startswith("hostile-<script>") for n in names), "hostile names survive as text")


def check_html(root, text, report):
    check(root.tag == XHTML + "html", "report.html root is an XHTML <html>")
    check(not any(e.tag.endswith("script") for e in root.iter()), "no <script> element")
    for attr in ("src", "href"):
        for e in root.iter():
            v = e.get(attr)
            check(v is None or v.startswith("#"), f"{attr}={v!r} is not a network or file asset")
    check("@import" not in text and "url(http" not in text, "no stylesheet import or remote url")

    rows = [tr for table in root.iter(f"{XHTML}table") if table.get("class") == "verdicts"
            for tr in table.find(f"{XHTML}tbody").findall(f"{XHTML}tr")]
    expected_rows = sum(1 if s.get("error") else len(cases(s)) for s in report["scenarios"])
    check(len(rows) == expected_rows, f"verdict tables have {len(rows)} rows, expected {expected_rows}")
    verdicts = sorted(r.find(f"{XHTML}td[@class='v']/{XHTML}span").text for r in rows)
    expected_verdicts = []
    for s in report["scenarios"]:
        expected_verdicts += ["FAIL"] if s.get("error") else [label(s, c) for c in cases(s)]
    check(verdicts == sorted(expected_verdicts), f"verdict column {verdicts} matches report.json {expected_verdicts}")

    # One picture per root cause (invariant and the entries its crash lost) with a timeline, at most
    # SHOWN_PER_CASE per case; each drawn in the block of a violation of that state, a lane per file.
    timelines = [e for e in root.iter(SVG + "svg") if e.get("class") == "timeline"]
    expected_pictures = sum(min(SHOWN_PER_CASE, len({root_cause(v) for v in c["violations"] if "timeline" in v}))
                            for s in report["scenarios"] for c in cases(s))
    check(len(timelines) == expected_pictures, f"{len(timelines)} timelines for {expected_pictures} root causes")
    by_state = {}
    for s in report["scenarios"]:
        for c in cases(s):
            for v in c["violations"]:
                by_state.setdefault(v["state_id"], []).append(v)
    for block in root.iter(f"{XHTML}div"):
        if block.get("class") != "violation":
            continue
        for svg in [e for e in block.iter(SVG + "svg") if e.get("class") == "timeline"]:
            candidates = [v for v in by_state.get(block.get("data-state"), []) if "timeline" in v]
            lane_titles = [t.find(SVG + "title").text for t in svg.iter(SVG + "text") if t.find(SVG + "title") is not None]
            match = [v for v in candidates if lane_titles == [as_xml_text(f) for f in v["timeline"]["files"]]]
            check(match, f"the picture of state {block.get('data-state')} has one lane per file of its timeline")
            if not match:
                continue
            tl = match[0]["timeline"]
            crash = [l for l in svg.iter(SVG + "line") if l.get("stroke") == "#d7191c"]
            check(len(crash) == 1, "exactly one red crash line")
            titles = [t.text for t in svg.iter(SVG + "title")]
            for op in tl["ops"]:
                check(any(t.startswith(f"#{op['index']} ") for t in titles), f"op #{op['index']} has a tooltip")
    texts = "".join(root.itertext())
    check("<script>alert" in texts, "hostile text is shown as text")


def check_summary(summary, report):
    check(summary.startswith("## "), "summary starts with a headline")
    for s in report["scenarios"]:
        for c in cases(s):
            if c["verdict"] == "fail" and c["violations"]:
                check(any(v["replay"] in summary for v in c["violations"]) or "hostile" in s["name"],
                      f"summary shows the replay of {s['name']} [{c['model']}]")


if __name__ == "__main__":
    sys.exit(main())
