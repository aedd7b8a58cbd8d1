#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The workload table of `make bench`: Linux-guest workloads on both kernels.

  bench-workload.py --log stock=build/bench/stock-workload-1.log ... \\
      --log project=build/bench/project-workload-1.log ... \\
      --micro build/bench/results.csv --out build/bench

Each log is one host boot (QEMU -smp 2 -icount shift=0, one --seed per
log, kvm.halt_poll_ns=0) in which sbi-vmm runs a Linux guest of two vCPUs
with "sbitest=bench:..." (tools/sbi-vmm/guest/bench.c) once for each of
the harness entries workload-* (scripts/harness/bench.list). The guest prints

    guest: bench op=NAME rep=R n=N ticks=T sbi=S set_timer=.. ipi=.. ...

for each of its repetitions R: T rdtime ticks (100 instructions each under -icount shift=0 at QEMU's
10 MHz timebase) over N operations, and S SBI calls over them, from the
guest's SBI PMU firmware counters on both CPUs. The hvc0 rows' DBCN calls
and exits come from sbi-vmm --stats of that boot (the calls the VMM
answered, and those KVM's console ring took), over the KiB the guest
wrote in it. A boot's figure is the median of its repetitions; each
figure is the median of the boots (seeds), and the spread is
(max - min) / median of the boots' figures.

The SBI share of a row is its SBI calls per operation times what one such
call costs on that kernel (the micro table's row for the call, from
--micro), over the row; the limit is the row without that cost: what the
row would be if every SBI call cost nothing. Writes OUT/workload.csv and
prints the table and the change against the previous workload.csv.
"""

import argparse
import csv
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import kernel_logs, read_csv as read_micro  # noqa: E402

INSN_PER_TICK = 100     # -icount shift=0, 10 MHz timebase
KIB_PER_BOOT = 321      # the hvc0 workload: 1 KiB warm-up + 5 x 64 KiB

# (harness entry, op, label, unit)
ROWS = [
    ("workload-ipi", "ipi", "IPI ping-pong (pipes, threads on both vCPUs)",
     "round trip"),
    ("workload-munmap", "munmap",
     "mmap/touch/munmap, partner thread on the other vCPU", "munmap"),
    ("workload-sleep", "sleep",
     "50 us nanosleep, guest timer on SBI (--disable-sstc)", "sleep"),
    ("workload-hvc0", "hvc0", "64 KiB to hvc0 (console ring where offered)",
     "KiB"),
    ("workload-hvc0-noring", "hvc0", "64 KiB to hvc0, console ring off",
     "KiB"),
    ("workload-ipi", "boot", "boot to init, 2 vCPUs", "boot"),
]

# What one SBI call of a kind costs: the micro table's row per kernel.
CALL_COST = {
    "set_timer": ("time_set_timer", "time_set_timer"),
    "ipi": ("ipi_send_ipi_self_2vcpus", "ipi_send_ipi_self_2vcpus"),
    "fence_i": ("rfence_remote_fence_i_remote",) * 2,
    "sfence_vma": ("rfence_sfence_vma_range_remote",) * 2,
    "sfence_vma_asid": ("rfence_sfence_vma_asid_remote",) * 2,
    # The hvc0 rows: stock forwards every write; ours takes it in the ring.
    "dbcn": ("dbcn_write_256", "dbcn_write_256_ring"),
    "dbcn_noring": ("dbcn_write_256", "dbcn_write_256"),
}

LINE = re.compile(r"^# ([\w-]+): (.*)$")
BENCH = re.compile(r"guest: bench op=(\w+) (.*)$")
FIELD = re.compile(r"(\w+)=(-?\d+)")
STAT = re.compile(r"sbi-vmm:\s+(.+?)\s{2,}(\d+)\s*$")


def parse_log(path):
    """{entry: {"ops": {op: [fields per rep]}, "stats": {label: n}}}."""
    out = {}
    with open(path, errors="replace") as f:
        for ln in f:
            m = LINE.match(ln.rstrip("\r\n"))
            if not m or not m.group(1).startswith("workload"):
                continue
            entry, rest = m.group(1), m.group(2)
            e = out.setdefault(entry, {"ops": {}, "stats": {}})
            b = BENCH.search(rest)
            if b:
                e["ops"].setdefault(b.group(1), []).append(
                    {k: int(v) for k, v in FIELD.findall(b.group(2))})
                continue
            s = STAT.search(rest)
            if s:
                e["stats"][s.group(1).strip()] = int(s.group(2))
    return out


def per_op(boot, entry, op):
    """(instructions per op, SBI calls by kind per op) of one boot: the
    median of its repetitions."""
    e = boot.get(entry, {})
    reps = [f for f in e.get("ops", {}).get(op, []) if f.get("n")]
    if not reps:
        return None
    insn = statistics.median(f["ticks"] * INSN_PER_TICK / f["n"]
                             for f in reps)
    calls = {}
    for k in ("set_timer", "ipi", "fence_i", "sfence_vma",
              "sfence_vma_asid"):
        if k in reps[0]:
            calls[k] = statistics.median(f[k] / f["n"] for f in reps)
    if op == "hvc0":
        st = e.get("stats", {})
        kind = "dbcn_noring" if entry.endswith("-noring") else "dbcn"
        dbcn = st.get("vmm/dbcn", 0) + st.get("writes answered from the ring",
                                              0)
        calls[kind] = dbcn / KIB_PER_BOOT
        calls["exits"] = st.get("vmm/total", 0) / KIB_PER_BOOT
    return insn, calls


def sbi_cost(calls, micro, kernel):
    """Instructions the SBI calls of one op cost, from the micro rows."""
    idx = 0 if kernel == "stock" else 1
    total, missing = 0.0, []
    for kind, n in calls.items():
        if kind == "exits" or not n:
            continue
        row = CALL_COST[kind][idx]
        cost = micro.get(row, (None, None))[idx]
        if cost is None:
            missing.append(row)
            continue
        total += n * cost
    return total, missing


def fmt(v, spec=".1f"):
    return "n/a" if v is None else format(v, spec)


def summarize(boots, entry, op):
    vals = [x for x in (per_op(b, entry, op) for b in boots) if x]
    if not vals:
        return None
    insn = [v[0] for v in vals]
    med = statistics.median(insn)
    kinds = sorted({k for v in vals for k in v[1]})
    calls = {k: statistics.median([v[1].get(k, 0) for v in vals])
             for k in kinds}
    return {"median": med, "spread": (max(insn) - min(insn)) / med,
            "seeds": len(vals), "calls": calls}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", action="append", required=True,
                    help="KERNEL=console log of one boot (one per seed)")
    ap.add_argument("--micro", help="the micro table's results.csv")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    logs = kernel_logs(ap, args.log)
    boots = {k: [parse_log(p) for p in v] for k, v in logs.items()}
    micro = read_micro(args.micro) if args.micro else {}

    table, missing = [], set()
    for entry, op, label, unit in ROWS:
        s = summarize(boots["stock"], entry, op)
        p = summarize(boots["project"], entry, op)
        if not s or not p:
            print(f"bench-workload: no {entry}/{op} results in the logs",
                  file=sys.stderr)
            return 1
        row = {"entry": entry, "op": op, "label": label, "unit": unit,
               "stock": s, "project": p}
        for k, st in (("stock", s), ("project", p)):
            cost, miss = sbi_cost(st["calls"], micro, k)
            missing.update(miss)
            st["sbi_cost"] = cost
            st["share"] = (cost / st["median"] if micro and not miss and
                           st["calls"] else None)
            st["limit"] = st["median"] - cost if st["share"] is not None \
                else None
        table.append(row)

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "workload.csv")
    prev = {}
    try:
        with open(path, newline="") as f:
            prev = {(r["entry"], r["op"]): (float(r["stock"]),
                                            float(r["project"]))
                    for r in csv.DictReader(f)}
    except (OSError, KeyError, ValueError, csv.Error):
        prev = {}
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["entry", "op", "label", "unit", "stock", "project",
                    "project_over_stock", "stock_spread", "project_spread",
                    "stock_sbi_calls", "project_sbi_calls", "stock_sbi_share",
                    "project_sbi_share", "stock_limit", "project_limit"])
        for r in table:
            s, p = r["stock"], r["project"]
            w.writerow([r["entry"], r["op"], r["label"], r["unit"],
                        fmt(s["median"]), fmt(p["median"]),
                        fmt(p["median"] / s["median"], ".4f"),
                        fmt(s["spread"], ".4f"), fmt(p["spread"], ".4f"),
                        fmt(sum(v for k, v in s["calls"].items()
                                if k != "exits"), ".2f"),
                        fmt(sum(v for k, v in p["calls"].items()
                                if k != "exits"), ".2f"),
                        fmt(s["share"], ".4f"), fmt(p["share"], ".4f"),
                        fmt(s["limit"]), fmt(p["limit"])])

    seeds = table[0]["stock"]["seeds"]
    print()
    print("Linux-guest workloads: guest-visible instructions per operation "
          f"(median of {seeds} QEMU seeds; -icount shift=0, 2 host harts, "
          "kvm.halt_poll_ns=0)")
    print()
    print("| workload | per | stock | project | project/stock | spread "
          "stock / project | SBI calls per op, stock / project | SBI share "
          "stock / project | limit (SBI free), stock |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in table:
        s, p = r["stock"], r["project"]
        sc = sum(v for k, v in s["calls"].items() if k != "exits")
        pc = sum(v for k, v in p["calls"].items() if k != "exits")
        share = (f"{s['share'] * 100:.1f}% / {p['share'] * 100:.1f}%"
                 if s["share"] is not None and p["share"] is not None
                 else "n/a")
        print(f"| {r['label']} | {r['unit']} | {s['median']:.0f} | "
              f"{p['median']:.0f} | {p['median'] / s['median']:.3f} | "
              f"{s['spread'] * 100:.2f}% / {p['spread'] * 100:.2f}% | "
              f"{sc:.2f} / {pc:.2f} | {share} | {fmt(s['limit'], '.0f')} |")
    print()
    for r in table:
        for k in ("stock", "project"):
            calls = r[k]["calls"]
            detail = ", ".join(f"{c} {v:.2f}" for c, v in sorted(
                calls.items()) if v)
            if detail:
                print(f"{r['entry']}/{r['op']} {k}: per {r['unit']}: "
                      f"{detail}")
    if missing:
        print("no micro row for: " + ", ".join(sorted(missing)) +
              " (SBI share n/a)")
    if prev:
        worst = 0.0, None
        for r in table:
            key = (r["entry"], r["op"])
            if key not in prev:
                continue
            for i, k in enumerate(("stock", "project")):
                d = abs(r[k]["median"] - prev[key][i]) / prev[key][i]
                if d > worst[0]:
                    worst = d, f"{k} {key[0]}/{key[1]}"
        print(f"change against the previous workload.csv: at most "
              f"{worst[0] * 100:.2f}%" + (f" ({worst[1]})" if worst[1]
                                          else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
