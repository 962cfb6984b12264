#!/usr/bin/env python3
"""Turns Google Benchmark JSON from kv_bench (and crashsim_bench) into one table.

Usage: report.py [--bench-dir DIR] [--missing NAME=REASON ...] RESULT.json...

Prints Markdown: the machine, one table (per workload: ops/s for every engine,
our ratio to each, syncs and device flushes per commit, the fsync limits and
the simulator's rows), then the issue's targets, each marked met or missed.
The same text goes into docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone

OURS = "btreekv"
WORKLOADS = ["fill-batch", "fill-sync", "read-random", "scan", "churn"]
UNITS = {"scan": "keys/s", "read-random": "gets/s", "fill-sync": "commits/s"}
# The concurrent workloads: rows named <workload>/<engine>/<threads>:<n>, one
# group of rows per thread count, our ratio to each peer within the group.
CONCURRENT = {"read-while-write": ("readers", "gets/s of all readers"),
              "fill-sync-concurrent": ("writers", "commits/s of all writers")}
CONCURRENT_TARGET_WRITERS = 8
# The thresholds. "SQLite" is the faster of its two durable
# configurations, so a target is never met by comparing with the slower one.
SQLITE = ("sqlite-wal", "sqlite-rollback")
SIM_TARGET = 5000.0
CHURN_GROWTH_PAGES = 4


def run_name(name):
    """The benchmark name without Google Benchmark's /iterations:1/manual_time suffixes."""
    return re.sub(r"/(iterations|manual_time|real_time|repeats|threads|min_time)[^/]*", "", name)


def load(paths):
    """Rows by name (the median aggregate when repetitions ran) and the merged context."""
    rows, context = {}, {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            try:
                data = json.load(f)
            except json.JSONDecodeError as e:
                sys.exit(f"report.py: {path} is not Google Benchmark JSON output: {e}")
        for key, value in data.get("context", {}).items():
            context.setdefault(key, value)  # the first file's date and load describe the run
        medians = {}
        for b in data.get("benchmarks", []):
            name = run_name(b.get("run_name", b["name"]))
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    medians[name] = b
            else:
                rows.setdefault(name, b)
        rows.update(medians)
    return rows, context


def fmt_rate(v):
    if v is None:
        return "n/a"
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e4:
        return f"{v / 1e3:.0f}k"
    if v >= 1e3:
        return f"{v / 1e3:.2f}k"
    return f"{v:.0f}"


def fmt_num(v, digits=2):
    return "–" if v is None else f"{v:.{digits}f}"


def fmt_bytes(v):
    if v is None:
        return "–"
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if v >= size:
            return f"{v / size:.1f} {unit}"
    return f"{v:.0f} B"


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine(bench_dir, context):
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30)
    mount = sh(["findmnt", "-n", "-r", "-o", "FSTYPE,SOURCE,OPTIONS", "-T", bench_dir]).split()
    fs = f"{mount[0]} on {mount[1]} ({mount[2]})" if len(mount) == 3 else context.get("bench_fs", "?")
    load = context.get("load_avg")
    lines = [
        f"- Date: {context.get('date') or datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB RAM",
        f"- Kernel: {platform.system()} {platform.release()}",
        f"- Bench directory: {bench_dir} on {fs} (flush counter of device {context.get('bench_device', '?')})",
        f"- Compiler: {sh(['c++', '--version']).splitlines()[0] if sh(['c++', '--version']) else '?'}",
    ]
    if load:
        lines.append("- Load average when the run started: " + ", ".join(f"{x:.2f}" for x in load))
        if load[0] > 0.5:
            lines.append("- **Warning: the machine was busy.** Other processes competed for the 2 cores, so every "
                         "rate, the sync-bound ones most (each sync's wake-up waits for a core), is lower and "
                         "noisier than on an idle machine. CPU ns/op is the steadier figure for the CPU-bound rows.")
    for key in sorted(k for k in context if k.startswith("engine.")):
        lines.append(f"- `{key[len('engine.'):]}`: {context[key]}")
    if "workload" in context:
        lines.append(f"- Workload: {context['workload']}")
    return lines


def rate(row):
    """Items per second; for the simulator's rows, crash states per second."""
    if row is None or row.get("error_occurred"):
        return None
    return row.get("items_per_second", row.get("states/s"))


def sim_rows(rows):
    """The simulator's rows as (label, row): every row that is not a kv_bench workload or a limit,
    in the order of their names (model, then jobs), whatever order interleaving ran them in."""
    def natural(name):
        return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]

    return [(row.get("label") or name, row) for name, row in sorted(rows.items(), key=lambda kv: natural(kv[0]))
            if name.split("/", 1)[0] not in WORKLOADS + list(CONCURRENT) + ["fsync-limit"]]


def concurrent_groups(rows, workload):
    """{thread count: {engine: row}} of a concurrent workload's rows."""
    groups = {}
    for name, row in rows.items():
        parts = name.split("/")
        if len(parts) == 3 and parts[0] == workload and ":" in parts[2]:
            groups.setdefault(int(parts[2].split(":", 1)[1]), {})[parts[1]] = row
    return dict(sorted(groups.items()))


def limit_rows(rows, ours, note):
    """The raw sync loops' rows, with our rate ÷ theirs."""
    out = []
    for limit in ("overwrite-4k", "append-4k"):
        row = rows.get(f"fsync-limit/{limit}")
        if row is None:
            continue
        r = rate(row)
        out.append(row_line("", f"raw {limit} + fdatasync (limit)", row, f"{ours / r:.2f}×" if ours and r else "n/a",
                            ["the physical limit, same file system, same run" + note]))
    return out


def row_line(label, engine, row, ratio, notes):
    if row.get("error_occurred"):
        notes = ["ERROR: " + row.get("error_message", "")] + notes
    return (f"| {label} | {engine} | {fmt_rate(rate(row))} | {ratio} | {fmt_num(row.get('cpu_ns_per_op'), 0)} "
            f"| {fmt_num(row.get('syncs_per_commit'))} | {fmt_num(row.get('device_flushes_per_commit'))} "
            f"| {'; '.join(notes)} |")


def group_rows(label, by_engine, notes_of):
    """One group of rows ({engine: row}): ours, then each peer with our rate ÷ its rate; `label` on the first."""
    ours = rate(by_engine.get(OURS))
    out = []
    for e in [OURS] + sorted(x for x in by_engine if x != OURS):
        row = by_engine.get(e)
        if row is None:
            continue
        r = rate(row)
        ratio = "" if e == OURS else (f"{ours / r:.2f}×" if ours and r else "n/a")
        out.append(row_line("" if out else label, e, row, ratio, notes_of(row)))
    return out


def workload_notes(row):
    notes = []
    if "data_bytes" in row:
        notes.append(f"data {fmt_bytes(row['data_bytes'])}, log {fmt_bytes(row.get('log_bytes'))}")
    if "first_half_commits_per_second" in row:
        notes.append(f"commits 1–1000 {fmt_rate(row['first_half_commits_per_second'])}/s, "
                     f"1001–2000 {fmt_rate(row['second_half_commits_per_second'])}/s")
    if "growth_pages_after_first_cycle" in row:
        notes.append(
            f"data {fmt_bytes(row['data_bytes_after_first_cycle'])} after cycle 1, "
            f"{fmt_bytes(row['data_bytes_end'])} at end "
            f"({row['growth_pages_after_first_cycle']:+.0f} pages); log {fmt_bytes(row.get('log_bytes_end'))}")
    if "reader_p99_us" in row:
        notes.append(f"reader latency p50 {row['reader_p50_us']:.1f} µs, p99 {row['reader_p99_us']:.1f} µs, "
                     f"p99.9 {row.get('reader_p999_us', 0):.0f} µs, max {row['reader_max_us']:.0f} µs; "
                     f"writer {fmt_rate(row['writer_commits_per_second'])} commits/s")
    return notes


def concurrent_table(rows):
    """The concurrent workloads' rows, a group per thread count; after fill-sync-concurrent the raw
    sync limits, compared with ours at 8 writers."""
    out = []
    for w, (threads, unit) in CONCURRENT.items():
        groups = concurrent_groups(rows, w)
        for n, by_engine in groups.items():
            out += group_rows(f"{w}, {n} {threads[:-1] if n == 1 else threads} ({unit})", by_engine, workload_notes)
        if w == "fill-sync-concurrent" and groups:
            ours = rate(groups.get(CONCURRENT_TARGET_WRITERS, {}).get(OURS))
            out += limit_rows(rows, ours, f"; ratio: ours with {CONCURRENT_TARGET_WRITERS} writers ÷ this")
    return out


def table(rows, missing):
    engines = {n.split("/", 1)[1] for n in rows if n.split("/", 1)[0] in WORKLOADS}
    out = [
        "| workload (unit) | engine | rate | ours ÷ this | CPU ns/op | syncs/commit | device flushes/commit | notes |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for w in WORKLOADS:
        by_engine = {e: rows[f"{w}/{e}"] for e in engines if f"{w}/{e}" in rows}
        out += group_rows(f"{w} ({UNITS.get(w, 'ops/s')})", by_engine, workload_notes)
        if w == "fill-sync" and by_engine:
            out += limit_rows(rows, rate(by_engine.get(OURS)), "")
    out += concurrent_table(rows)
    for i, (label, row) in enumerate(sim_rows(rows)):
        notes = f"{fmt_rate(row['checked/s'])} distinct states checked/s" if "checked/s" in row else ""
        if row.get("error_occurred"):
            notes = "ERROR: " + row.get("error_message", "")
        out.append(f"| {'simulator (crash states/s)' if i == 0 else ''} | {label} | {fmt_rate(rate(row))} | | | | | {notes} |")
    for name, reason in missing:
        out.append(f"| simulator | {name} | missing | | | | | {reason} |")
    return out


def targets(rows):
    def r(name):
        return rate(rows.get(name))

    def verdict(ok):
        return "**met**" if ok else "**MISSED**"

    lines = []
    ours = {w: r(f"{w}/{OURS}") for w in WORKLOADS}
    sqlite = {w: max([x for x in (r(f"{w}/{e}") for e in SQLITE) if x] or [None], key=lambda x: x or 0) for w in WORKLOADS}
    lmdb = {w: r(f"{w}/lmdb") for w in WORKLOADS}

    def ratio(a, b):
        return a / b if a and b else None

    wal = r("fill-sync/sqlite-wal")
    limit = r("fsync-limit/overwrite-4k")
    syncs = (rows.get(f"fill-sync/{OURS}") or {}).get("syncs_per_commit")
    if ours["fill-sync"] and wal and limit:
        ok = ours["fill-sync"] >= wal and ours["fill-sync"] >= 0.75 * limit
        # Beating the physical limit by more than noise means the limit loop ran while the
        # machine was busier: the sync-bound figures of this run do not compare.
        impossible = ours["fill-sync"] > 1.1 * limit
        lines.append(f"- fill-sync ≥ SQLite WAL and ≥ 0.75× raw overwrite limit: "
                     f"{'**not measurable in this run**' if impossible else verdict(ok)} "
                     f"({ratio(ours['fill-sync'], wal):.2f}× SQLite WAL, {ratio(ours['fill-sync'], limit):.2f}× the limit, "
                     f"{fmt_num(syncs)} syncs per commit)")
        if impossible:
            lines.append("  - ours beat the physical limit, which cannot be: the limit loop ran while the machine was "
                         "busier. Sync-bound figures from this run are not comparable with each other; rerun on an "
                         "idle machine.")
    def cpu(name):
        return (rows.get(name) or {}).get("cpu_ns_per_op")

    for w, need in (("fill-batch", 2.0), ("read-random", 3.0), ("scan", 2.0)):
        x = ratio(ours[w], sqlite[w])
        if x is None:
            continue
        aim = f", {ratio(ours[w], lmdb[w]):.2f}× LMDB (aim: LMDB)" if lmdb[w] and w != "scan" else ""
        # The same comparison by CPU time per op, which load on a shared machine disturbs less.
        cpu_sqlite = min([c for c in (cpu(f"{w}/{e}") for e in SQLITE) if c] or [0])
        by_cpu = f"; by CPU time per op {cpu_sqlite / cpu(f'{w}/{OURS}'):.2f}×" if cpu_sqlite and cpu(f"{w}/{OURS}") else ""
        lines.append(f"- {w} ≥ {need:g}× SQLite: {verdict(x >= need)} ({x:.2f}× the faster SQLite row{aim}{by_cpu})")
    churn = rows.get(f"churn/{OURS}")
    if churn and "growth_pages_after_first_cycle" in churn:
        g = churn["growth_pages_after_first_cycle"]
        lines.append(f"- churn: data file growth after the first cycle ≤ {CHURN_GROWTH_PAGES} pages: "
                     f"{verdict(g <= CHURN_GROWTH_PAGES)} ({g:+.0f} pages)")
    lines += concurrent_targets(rows, verdict)
    sim = {label: rate(row) for label, row in sim_rows(rows) if re.search(r"lose.unsynced", label)}
    if sim:
        best = max(sim, key=lambda n: sim[n] or 0)
        lines.append(f"- simulator ≥ {SIM_TARGET:.0f} crash states/s on lose-unsynced: "
                     f"{verdict((sim[best] or 0) >= SIM_TARGET)} ("
                     + ", ".join(f"{n}: {fmt_rate(v)}/s" for n, v in sorted(sim.items())) + ")")
    else:
        lines.append("- simulator ≥ 5000 crash states/s on lose-unsynced: not measured (no simulator rows)")
    return lines


def concurrent_targets(rows, verdict):
    """Issue 16's targets for the concurrent workloads, from whatever rows this run has."""
    lines = []
    limit = rate(rows.get("fsync-limit/overwrite-4k"))
    flush_us = 1e6 / limit if limit else None  # one flush: the raw overwrite loop's time per sync
    for n, by_engine in concurrent_groups(rows, "read-while-write").items():
        ours, lmdb = by_engine.get(OURS), by_engine.get("lmdb")
        if not ours or rate(ours) is None:
            continue
        if lmdb and rate(lmdb):
            x = rate(ours) / rate(lmdb)
            lines.append(f"- read-while-write, {n} reader(s): read throughput ≥ LMDB's: {verdict(x >= 1)} "
                         f"({fmt_rate(rate(ours))} against {fmt_rate(rate(lmdb))} gets/s, {x:.2f}×)")
        p99 = ours.get("reader_p99_us")
        if flush_us is None:
            lines.append(f"- read-while-write, {n} reader(s): p99 below one flush: not measured "
                         f"(p99 {fmt_num(p99, 1)} µs; no fsync-limit/overwrite-4k row in this run)")
        else:
            lines.append(f"- read-while-write, {n} reader(s): p99 below one flush: {verdict(p99 < flush_us)} "
                         f"(p99 {p99:.1f} µs, p99.9 {ours.get('reader_p999_us', 0):.0f} µs, max "
                         f"{ours.get('reader_max_us', 0):.0f} µs; one flush {flush_us:.0f} µs, from the raw overwrite loop)")
    groups = concurrent_groups(rows, "fill-sync-concurrent")
    ours = {n: by_engine.get(OURS) for n, by_engine in groups.items() if by_engine.get(OURS)}
    target = CONCURRENT_TARGET_WRITERS
    if 1 in ours and target in ours and rate(ours[1]) and rate(ours[target]):
        x = rate(ours[target]) / rate(ours[1])
        lines.append(f"- fill-sync-concurrent, {target} writers ≥ 4× our single writer: {verdict(x >= 4)} ({x:.2f}×: "
                     f"{fmt_rate(rate(ours[target]))} against {fmt_rate(rate(ours[1]))} commits/s)")
        peers = {e: rate(row) for e, row in groups[target].items() if e != OURS}
        if peers:
            ahead = all(r and rate(ours[target]) > r for r in peers.values())
            lines.append(f"- fill-sync-concurrent, {target} writers ahead of every peer: {verdict(ahead)} ("
                         + ", ".join(f"{rate(ours[target]) / r:.2f}× {e}" if r else f"{e} n/a"
                                     for e, r in sorted(peers.items())) + ")")
        syncs = [(n, row.get("syncs_per_commit")) for n, row in ours.items()]
        if all(v is not None for _, v in syncs):
            falling = all(b <= a for (_, a), (_, b) in zip(syncs, syncs[1:])) and syncs[-1][1] < syncs[0][1]
            lines.append(f"- fill-sync-concurrent: syncs per commit falling as writers rise: {verdict(falling)} "
                         "(writers: syncs per commit " + ", ".join(f"{n}: {v:.2f}" for n, v in syncs) + ")")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-dir", default=os.environ.get("BENCH_DIR") or "/var/tmp")
    ap.add_argument("--missing", action="append", default=[], metavar="NAME=REASON",
                    help="a program that could not run, shown as a row")
    ap.add_argument("results", nargs="+")
    args = ap.parse_args()
    rows, context = load(args.results)
    missing = [tuple(m.split("=", 1)) for m in args.missing]
    print("### Machine\n")
    print("\n".join(machine(args.bench_dir, context)))
    print("\n### Results\n")
    print("\n".join(table(rows, missing)))
    print("\n### Targets\n")
    print("\n".join(targets(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
