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

    rows = root.find(f".//{XHTML}table[@class='verdicts']/{XHTML}tbody").findall(f"{XHTML}tr")
    expected_rows = sum(1 if s.get("error") else len(cases(s)) for s in report["scenarios"])
    check(len(rows) == expected_rows, f"verdict table has {len(rows)} rows, expected {expected_rows}")
    verdicts = [r.find(f"{XHTML}td[@class='v']/{XHTML}span").text for r in rows]
    expected_verdicts = []
    for s in report["scenarios"]:
        expected_verdicts += ["FAIL"] if s.get("error") else [c["verdict"].upper() for c in cases(s)]
    check(verdicts == expected_verdicts, f"verdict column {verdicts} matches report.json {expected_verdicts}")

    timelines = [e for e in root.iter(SVG + "svg") if e.get("class") == "timeline"]
    shown = []
    for s in report["scenarios"]:
        for c in cases(s):
            shown += [v for v in c["violations"][:SHOWN_PER_CASE] if "timeline" in v]
    check(len(timelines) == len(shown), f"{len(timelines)} timelines for {len(shown)} shown violations")
    for svg, violation in zip(timelines, shown):
        tl = violation["timeline"]
        lane_labels = [t for t in svg.iter(SVG + "text") if t.find(SVG + "title") is not None]
        check([t.find(SVG + "title").text for t in lane_labels] == [as_xml_text(f) for f in tl["files"]],
              f"one lane label per file {tl['files']}")
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
                check(c["violations"][0]["replay"] in summary or "hostile" in s["name"],
                      f"summary shows the replay of {s['name']} [{c['model']}]")


if __name__ == "__main__":
    sys.exit(main())
