#!/usr/bin/env python3
"""bench/compare_figures.py A B: what a planner reads, run A against run B.

A and B are chainsim output folders (results.json).  Prints a Markdown table:
events, each distribution's completed count and its complete_ms and
reported_ms p50/p90/p99, and the WAN and LAN bytes by class and in total,
with B's change against A; then the worst |change| of a figure A and B both
have.  Used to hold express request walks to the exact walk (issue 25):

    build/chainsim run --quiet --no-figures --out /tmp/exact \\
        --set endpoints=10000 --set duration=1h --set bench=1 --set walk=exact
    (the same with walk=express into /tmp/express)
    python3 bench/compare_figures.py /tmp/exact /tmp/express
"""
import json
import sys


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: bench/compare_figures.py RUN_A RUN_B\n")
        return 2
    a, b = (json.load(open(d + "/results.json")) for d in argv[1:])
    worst = [0.0]

    def row(name, x, y):
        if x is None or y is None:
            print(f"| {name} | {x} | {y} | |")
            return
        if x == 0 and y == 0:
            return
        rel = (y - x) / x * 100 if x else float("inf")
        worst[0] = max(worst[0], abs(rel))
        print(f"| {name} | {x:,} | {y:,} | {rel:+.3f} % |")

    print("| figure | A | B | change |\n|---|---|---|---|")
    ea, eb = a["run"]["events"], b["run"]["events"]
    print(f"| events | {ea:,} | {eb:,} | {(eb - ea) / ea * 100:+.1f} % |")
    for da, db in zip(a["distributions"], b["distributions"]):
        name = f"distribution {da['id']} ({da['size']:,} B)"
        print(f"| {name}: completed | {da['completed']:,} | {db['completed']:,} | |")
        for key in ("complete_ms", "reported_ms"):
            for p in ("p50", "p90", "p99"):
                row(f"{name}: {key} {p}", da[key][p], db[key][p])
    for scope in ("wan", "lan"):
        for cls, v in a[scope]["bytes_by_class"].items():
            row(f"{scope} bytes {cls}", v, b[scope]["bytes_by_class"][cls])
        row(f"{scope} bytes total", a[scope]["bytes_total"], b[scope]["bytes_total"])
    print(f"\nworst |change|: {worst[0]:.3f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
