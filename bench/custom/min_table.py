#!/usr/bin/env python3
"""Tables of custom_bench results: the minimum CPU time over all repetitions in the given
Google Benchmark JSON files (run with --benchmark_repetitions and random interleaving), and the
ratios the issue's targets are stated in. Usage: min_table.py run1.json [run2.json ...]"""
import collections
import json
import sys

runs = collections.defaultdict(list)
for path in sys.argv[1:]:
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type") == "iteration":
            runs[b["run_name"]].append(b["cpu_time"] * {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]])
best = {name: min(times) for name, times in runs.items()}


def t(name, n):
    return best.get(f"BM_{name}/{n}")


def fmt(ns):
    return "-" if ns is None else (f"{ns / 1e3:.2f} µs" if ns < 1e6 else f"{ns / 1e6:.2f} ms")


def ratio(a, b, digits=2):
    return "-" if a is None or b is None else f"{a / b:.{digits}f}"


print("| T | ARMA hand | ARMA scan | ARMA custom | ARMA Stan Math | scan / hand | custom / scan | Stan / scan |")
print("|---|---|---|---|---|---|---|---|")
for n in (100, 1000, 10000):
    h, s, c, st = t("arma_hand", n), t("arma_scan", n), t("arma_custom", n), t("arma_stan", n)
    print(f"| {n} | {fmt(h)} | {fmt(s)} | {fmt(c)} | {fmt(st)} | {ratio(s, h)} | {ratio(c, s, 1)} | {ratio(st, s, 1)} |")
print()
print("| T | GARCH hand | GARCH scan | GARCH Stan Math | scan / hand | Stan / scan |")
print("|---|---|---|---|---|---|")
for n in (100, 1000, 10000):
    h, s, st = t("garch_hand", n), t("garch_scan", n), t("garch_stan", n)
    print(f"| {n} | {fmt(h)} | {fmt(s)} | {fmt(st)} | {ratio(s, h)} | {ratio(st, s, 1)} |")
print(f"\n(minimum over {min(len(v) for v in runs.values())} repetitions or more per benchmark)")
