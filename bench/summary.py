#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turn the bench programs' JSON lines into the table of figures and goals.

    summary.py RESULTS.jsonl [--markdown OUT.md]

Each goal of bench/README.md is one row: where it was measured, the figure
(the median of the per-round ratios, with its interquartile range), the goal
and whether it was met.  Figures measured on a kernel without labels are
listed apart: they describe the unlabeled path, not the goals.
"""
import json
import sys

# (bench title, ratio name, figure) in the order of the README.
GOALS = [
    ("stream-short", "tcp_get / getsockopt",
     "peersec_tcp_get / getsockopt(SO_PEERSEC), ~40-byte label"),
    ("stream-long", "tcp_get / getsockopt",
     "peersec_tcp_get / getsockopt(SO_PEERSEC), ~1000-byte label"),
    ("stream-unlabeled", "tcp_get / getsockopt",
     "peersec_tcp_get / getsockopt(SO_PEERSEC), unlabeled path (no label)"),
    ("stream-short", "tcp_get_alloc / getpeercon_raw",
     "peersec_tcp_get_alloc / getpeercon_raw+freecon, ~40-byte label"),
    ("stream-long", "tcp_get_alloc / getpeercon_raw",
     "peersec_tcp_get_alloc / getpeercon_raw+freecon, ~1000-byte label"),
    ("udp-labeled", "udp_recvmsg / hand recvmsg",
     "peersec_udp_recvmsg / recvmsg+CMSG loop, per datagram"),
    ("udp-labeled", "udp_recvmmsg / hand recvmmsg",
     "batched form / recvmmsg+CMSG loop, same vlen, per datagram"),
    ("inetd", "peersec-inetd / xinetd",
     "peersec-inetd / xinetd (flags = LABELED), connections/s, 1 at a time"),
    ("inetd-c4", "peersec-inetd / xinetd",
     "peersec-inetd / xinetd (flags = LABELED), connections/s, 4 in flight"),
]

CALLER_BUFFER = ("peersec_tcp_get", "peersec_udp_recvmsg",
                 "peersec_udp_recvmmsg")


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    print(f"summary: skipping a malformed line: {line[:60]}",
                          file=sys.stderr)
    return rows


def fmt_ratio(r):
    mins = r.get("ratio_of_mins")
    return (f"{r['paired_median']:.3f} (IQR {r['paired_q1']:.3f}-"
            f"{r['paired_q3']:.3f}; medians {r['ratio_of_medians']:.3f}"
            + (f"; mins {mins:.3f})" if mins is not None else ")"))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: summary.py RESULTS.jsonl [--markdown OUT.md]")
    rows = load(sys.argv[1])
    md_out = None
    if "--markdown" in sys.argv:
        md_out = sys.argv[sys.argv.index("--markdown") + 1]

    table = []  # (figure, where, measured, goal, verdict)
    for bench, ratio, figure in GOALS:
        found = False
        for row in rows:
            if row.get("bench") != bench or "ratios" not in row:
                continue
            for r in row["ratios"]:
                if r["name"] != ratio:
                    continue
                found = True
                verdict = ("met" if r["met"] else "MISSED") \
                    if r["met"] is not None else "-"
                if row.get("quick"):
                    verdict += " (quick)"
                table.append((figure, row["env"], fmt_ratio(r),
                              r["goal"] or "-", verdict))
        if not found:
            table.append((figure, "-", "not measured", "", ""))

    # Context: the best any implementation could do where a goal has a floor
    # or a ceiling measured in the same run.
    for row in rows:
        for r in row.get("ratios", []):
            if r["name"].startswith(("floor:", "ceiling:")) and \
                    not row.get("bench", "").endswith("unlabeled"):
                table.append((f"{row['bench']}: {r['name']} (bound)",
                              row["env"], fmt_ratio(r), "-", "-"))

    # Allocations per datagram / per call on the caller-buffer paths.
    for row in rows:
        if row.get("bench", "").startswith("allocs") and \
                row.get("variant") in CALLER_BUFFER:
            table.append((f"allocations per "
                          f"{'call' if 'tcp' in row['variant'] else 'datagram'}"
                          f": {row['variant']}", row["env"],
                          f"{row['allocs']} in {row['ops']} "
                          f"({row['allocs_per_op']:g})", "0",
                          "met" if row["met"] else "MISSED"))

    # Instructions added by the library (callgrind).
    for row in rows:
        if row.get("bench") == "insns" and "added" in row and \
                row["variant"].startswith(("peersec_", "diag:")):
            extra = ""
            if "added2" in row:
                extra = f", {row['added2']:+.0f} vs {row['base2']}"
            table.append((f"userspace instructions/op added: "
                          f"{row['variant']}", row["env"],
                          f"{row['instr_per_op']:.0f} total, "
                          f"{row['added']:+.0f} vs {row['base']}{extra}",
                          "report", "-"))

    # The unlabeled path, for the record.
    info = []
    for row in rows:
        if "ratios" not in row:
            continue
        if row.get("bench", "").endswith("unlabeled"):
            for r in row["ratios"]:
                info.append((f"{row['bench']}: {r['name']}", row["env"],
                             fmt_ratio(r)))

    w = [max(len(str(t[i])) for t in table + [("figure", "where",
                                                "measured", "goal",
                                                "verdict")])
         for i in range(5)]
    line = "  ".join("{:<%d}" % x for x in w)
    print()
    print("== summary: the goals of bench/README.md")
    print(line.format("figure", "where", "measured", "goal", "verdict"))
    for t in table:
        print(line.format(*[str(x) for x in t]))
    if info:
        print()
        print("== the unlabeled path (kernel without peer labels): "
              "no goal, for the record")
        for t in info:
            print(f"   {t[0]:<50} {t[1]:<14} {t[2]}")

    if md_out:
        with open(md_out, "w") as f:
            f.write("| figure | where | measured | goal | verdict |\n")
            f.write("|---|---|---|---|---|\n")
            for t in table:
                f.write("| " + " | ".join(str(x) for x in t) + " |\n")
            if info:
                f.write("\nUnlabeled path (no goal):\n\n")
                f.write("| ratio | where | measured |\n|---|---|---|\n")
                for t in info:
                    f.write(f"| {t[0]} | {t[1]} | {t[2]} |\n")


if __name__ == "__main__":
    main()
