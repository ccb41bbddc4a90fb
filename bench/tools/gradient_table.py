#!/usr/bin/env python3
"""Markdown table from gradient_bench's Google Benchmark JSON (one file or several runs).

    python3 bench/tools/gradient_table.py [--min] RUN.json [RUN2.json ...]

CPU time per logp_grad, median of the repetitions' medians across the files given (with --min,
their minimum: on a machine whose speed drifts between runs, the fastest run of each benchmark
is the one least disturbed, and many short interleaved runs give each one a chance); ratios are
compiled / reference (how far from hand-written code) and Stan Math / compiled (speed-up over
Stan's reverse mode). CPU rather than real time: on a shared machine it is the one that other
processes do not inflate by descheduling us.
"""
import json
import statistics
import sys

MODELS = ["simple", "medium", "stress", "eight_schools", "funnel", "logistic", "sv"]
UNIT = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(paths, pick=statistics.median):
    times = {}
    for path in paths:
        with open(path) as f:
            for b in json.load(f)["benchmarks"]:
                if b.get("aggregate_name") == "median":
                    name = b["run_name"]
                    times.setdefault(name, []).append(b["cpu_time"] * UNIT[b["time_unit"]])
    return {k: pick(v) for k, v in times.items()}


def fmt(ns):
    if ns is None:
        return "–"
    return f"{ns:.1f} ns" if ns < 1000 else f"{ns / 1000:.2f} µs"


def ratio(a, b):
    return "–" if a is None or b is None else f"{a / b:.2f}"


def main():
    args = sys.argv[1:]
    use_min = "--min" in args
    t = load([a for a in args if a != "--min"], min if use_min else statistics.median)
    get = lambda m, impl, s: t.get(f"logp_grad/{m}/{impl}/{s}")
    print("| model | Stan Math | compiled | reference | Stan / compiled | compiled / reference "
          "| compiled float | reference float | compiled / reference (float) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for m in MODELS:
        s, c, r = get(m, "stan_math", "double"), get(m, "compiled", "double"), get(m, "reference", "double")
        cf, rf = get(m, "compiled", "float"), get(m, "reference", "float")
        print(f"| {m} | {fmt(s)} | {fmt(c)} | {fmt(r)} | {ratio(s, c)} | {ratio(c, r)} | {fmt(cf)} | {fmt(rf)} "
              f"| {ratio(cf, rf)} |")


if __name__ == "__main__":
    main()
