#!/usr/bin/env python3
"""The simulator at scale (issue 18): states/s and peak memory against commits.

Runs crashsim_bench's BM_LongWorkload once per workload length, each in its
own process so that its peak resident memory is its own, prints a Markdown
table and writes an SVG plot of states/s against commits (log scale).

    crashsim/scale_plot.py build-release/crashsim/crashsim_bench docs/scale.svg
"""
import json
import math
import subprocess
import sys

COMMITS = [200, 1000, 5000, 50000]


def measure(bench, commits):
    out = subprocess.run(
        [bench, f"--benchmark_filter=BM_LongWorkload/commits:{commits}/", "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    run = json.loads(out)["benchmarks"][0]
    if run.get("error_occurred"):
        sys.exit(f"scale_plot: {commits} commits: {run.get('error_message')}")
    return {"commits": commits, "states": run["states/s"], "checked": run["checked/s"], "peak": run["peak_MiB"]}


def svg(rows):
    width, height, left, bottom, top, right = 560, 320, 70, 50, 20, 20
    xs = [math.log10(r["commits"]) for r in rows]
    ymax = max(r["states"] for r in rows) * 1.1
    x0, x1 = min(xs), max(xs)

    def px(x):
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def py(y):
        return height - bottom - y / ymax * (height - bottom - top)

    points = " ".join(f"{px(x):.1f},{py(r['states']):.1f}" for x, r in zip(xs, rows))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>',
             f'<polyline points="{points}" fill="none" stroke="steelblue" stroke-width="2"/>']
    for x, r in zip(xs, rows):
        parts.append(f'<circle cx="{px(x):.1f}" cy="{py(r["states"]):.1f}" r="3" fill="steelblue"/>')
        parts.append(f'<text x="{px(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{r["commits"]:,}</text>')
        parts.append(f'<text x="{px(x):.1f}" y="{py(r["states"]) - 8:.1f}" text-anchor="middle">{r["states"]:,.0f}</text>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">commits in the workload (log scale)</text>')
    parts.append(f'<text x="16" y="{(top + height - bottom) / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 16 {(top + height - bottom) / 2})">crash states per second (lose-unsynced, 2 jobs)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    bench, out = sys.argv[1], sys.argv[2]
    rows = [measure(bench, c) for c in COMMITS]
    print("| commits | states/s | checked/s | peak memory |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['commits']:,} | {r['states']:,.0f} | {r['checked']:,.0f} | {r['peak']:,.0f} MiB |")
    with open(out, "w", encoding="utf-8") as f:
        f.write(svg(rows))


if __name__ == "__main__":
    main()
