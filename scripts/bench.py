#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the sbi-bench console logs of both kernels into the bench report.

  bench.py --log stock=build/bench/stock.log --log project=build/bench/project.log \\
      --out build/bench [--icount-shift 0] [--date 2026-11-21]

scripts/harness/sbi-bench.c, run in each host kernel booted under QEMU with
-icount shift=S, prints "result op=NAME rep=R n=N ticks=T ret0=.. ret1=.."
lines (relayed by the harness as "# sbi-bench: ..."). With icount, virtual
time is 2**S ns per instruction QEMU executes, and the guest's time CSR
ticks at the timebase, so T ticks over N calls are

    T * 1e9 / timebase_hz / 2**S / N   instructions per call.

The empty loop (the same loop with a nop for the ecall) is measured the same
way and its median is subtracted from every repetition of every operation.
Each figure is the median over the repetitions; the spread is
(max - min) / median over the same repetitions.

Writes OUT/results.csv, OUT/results.dat + results.gp + results.png
(gnuplot), prints the table, the spread, answers that differ between the
kernels, calls on which the project is slower than stock, and the change
against the previous results.csv if there was one. Exits 1 if a log is
incomplete.
"""

import argparse
import csv
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys

# Operations in report order: (name in sbi-bench, label in the table).
OPS = [
    ("null_floor", "null handler: the floor (fast path, no handler)"),
    ("base_get_spec_version", "BASE get_spec_version"),
    ("base_probe_extension", "BASE probe_extension(TIME)"),
    ("time_set_timer", "TIME set_timer, far deadline"),
    ("ipi_send_ipi_empty", "IPI send_ipi, empty mask"),
    ("ipi_send_ipi_self", "IPI send_ipi, own hart"),
    ("rfence_remote_fence_i_self", "RFENCE remote_fence_i, own hart"),
    ("hsm_hart_get_status", "HSM hart_get_status"),
    ("legacy_set_timer", "legacy set_timer (EID 0)"),
    ("forward_vendor", "forwarded vendor call (VMM answers)"),
    ("base_policy_1", "BASE, 1 policy entry"),
    ("base_policy_16", "BASE, 16 policy entries"),
    ("base_policy_256", "BASE, 256 policy entries"),
    ("forward_policy_1", "forwarded, 1 policy entry"),
    ("forward_policy_16", "forwarded, 16 policy entries"),
    ("forward_policy_256", "forwarded, 256 policy entries"),
    ("dbcn_write_256", "DBCN console_write, 256 bytes (VMM answers)"),
    ("dbcn_write_256_ring", "DBCN console_write, 256 bytes, console ring"),
    ("ipi_send_ipi_self_2vcpus", "IPI send_ipi, own hart, VM of 2 vCPUs"),
    ("rfence_remote_fence_i_self_2vcpus",
     "RFENCE remote_fence_i, own hart, VM of 2 vCPUs"),
    ("rfence_remote_fence_i_remote",
     "RFENCE remote_fence_i, halted vCPU on another hart"),
    ("rfence_sfence_vma_range_remote",
     "RFENCE remote_sfence_vma, one page, halted vCPU on another hart"),
    ("rfence_sfence_vma_all_remote",
     "RFENCE remote_sfence_vma, everything, halted vCPU on another hart"),
    ("rfence_sfence_vma_asid_remote",
     "RFENCE remote_sfence_vma_asid, one page, halted vCPU on another hart"),
    ("rfence_remote_fence_i_all", "RFENCE remote_fence_i, all harts (2)"),
    ("rfence_sfence_vma_range_all",
     "RFENCE remote_sfence_vma, one page, all harts (2)"),
]
EMPTY = "empty_loop"
LABELS = dict(OPS)
LABELS[EMPTY] = "empty loop (already subtracted above)"

LINE = re.compile(r"^# sbi-bench(?:-remote)?: (\w+):?(?: (.*))?$")
FIELD = re.compile(r"(\w+)=(\S*)")
# Answers that legitimately differ: 6.12 implements SBI 2.0, ours 3.0.
EXPECTED_DIFF = {"base_get_spec_version"}
SLOWER = 1.05       # report calls on which project/stock exceeds this
# The calls the SBI fast path serves, reported against the floor (the null
# handler) with the goal of at most FLOOR_GOAL times it.
FAST_OPS = ("base_get_spec_version", "base_probe_extension", "time_set_timer",
            "ipi_send_ipi_empty", "hsm_hart_get_status")
FLOOR_GOAL = 1.5


class LogError(Exception):
    pass


def parse_log(lines):
    """sbi-bench lines of one console log -> dict with info/results/skips."""
    out = {"info": {}, "results": {}, "skips": {}, "errors": [],
           "done": False}
    for ln in lines:
        m = LINE.match(ln.rstrip("\r\n"))
        if not m:
            continue
        kind, rest = m.group(1), m.group(2) or ""
        if kind == "info":
            out["info"].update(FIELD.findall(rest))
        elif kind == "result":
            f = dict(FIELD.findall(rest))
            out["results"].setdefault(f["op"], []).append({
                "n": int(f["n"]), "ticks": int(f["ticks"]),
                "ret0": int(f["ret0"]), "ret1": int(f["ret1"], 0)})
        elif kind == "skip":
            f = re.match(r"op=(\w+) reason=(.*)$", rest)
            if f:
                out["skips"][f.group(1)] = f.group(2)
        elif kind == "done":
            out["done"] = True
        elif kind == "error":
            out["errors"].append(rest)
    return out


def check_log(name, parsed):
    if parsed["errors"]:
        raise LogError(f"{name}: sbi-bench failed: {parsed['errors'][0]}")
    if not parsed["done"] or EMPTY not in parsed["results"]:
        raise LogError(f"{name}: no complete sbi-bench run in the log")
    if "timebase_hz" not in parsed["info"]:
        raise LogError(f"{name}: sbi-bench did not report the timebase")


def per_call(ticks, n, timebase_hz, shift):
    """Instructions per call for `ticks` timer ticks over `n` calls."""
    return ticks * 1e9 / timebase_hz / (2 ** shift) / n


def summarize(parsed, shift):
    """op -> {median, min, max, spread, reps, ret0, ret1}; empty loop raw."""
    hz = int(parsed["info"]["timebase_hz"])
    raw = {op: [per_call(r["ticks"], r["n"], hz, shift) for r in reps]
           for op, reps in parsed["results"].items()}
    empty = statistics.median(raw[EMPTY])
    stats = {}
    for op, values in raw.items():
        if op != EMPTY:
            values = [v - empty for v in values]
        med = statistics.median(values)
        first = parsed["results"][op][0]
        stats[op] = {
            "median": med, "min": min(values), "max": max(values),
            "spread": (max(values) - min(values)) / med if med else 0.0,
            "reps": len(values), "ret0": first["ret0"], "ret1": first["ret1"],
        }
    return stats


def rows(stock, project, skips):
    """Table rows: (op, label, stock, project, ratio); None = n/a."""
    known = [op for op, _ in OPS]
    extra = sorted((set(stock) | set(project)) - set(known) - {EMPTY})
    out = []
    for op in known + extra + [EMPTY]:
        s = stock.get(op, {}).get("median")
        p = project.get(op, {}).get("median")
        if s is None and p is None and op not in skips:
            continue
        ratio = p / s if s and p is not None and op != EMPTY else None
        out.append((op, LABELS.get(op, op), s, p, ratio))
    return out


def fmt(v, spec=".1f"):
    return "n/a" if v is None else format(v, spec)


def table(rows_, stock, project):
    head = ["operation", "stock", "project", "project/stock",
            "spread stock", "spread project"]
    lines = ["| " + " | ".join(head) + " |",
             "|---|---:|---:|---:|---:|---:|"]
    for op, label, s, p, ratio in rows_:
        ss = stock.get(op, {}).get("spread")
        ps = project.get(op, {}).get("spread")
        lines.append("| " + " | ".join([
            label, fmt(s), fmt(p), fmt(ratio, ".3f"),
            "n/a" if ss is None else f"{ss * 100:.2f}%",
            "n/a" if ps is None else f"{ps * 100:.2f}%"]) + " |")
    return lines


def floor_notes(rows_):
    """Lines comparing the fast calls of the project with its floor."""
    by_op = {r[0]: r for r in rows_}
    floor = by_op.get("null_floor", (None,) * 5)[3]
    if not floor:
        return []
    out = [f"fast calls against the floor ({floor:.1f}; goal: at most "
           f"{FLOOR_GOAL}x):"]
    for op in FAST_OPS:
        if op not in by_op or by_op[op][3] is None:
            continue
        label, p = by_op[op][1], by_op[op][3]
        x = p / floor
        out.append(f"  {label}: {x:.2f}x" +
                   ("" if x <= FLOOR_GOAL else f" (above {FLOOR_GOAL}x)"))
    return out


def write_csv(path, rows_, stock, project):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["operation", "label", "stock", "project",
                    "project_over_stock", "stock_min", "stock_max",
                    "project_min", "project_max"])
        for op, label, s, p, ratio in rows_:
            st, pr = stock.get(op, {}), project.get(op, {})
            w.writerow([op, label, fmt(s), fmt(p), fmt(ratio, ".4f"),
                        fmt(st.get("min")), fmt(st.get("max")),
                        fmt(pr.get("min")), fmt(pr.get("max"))])


def read_csv(path):
    """op -> (stock, project) floats (None for n/a) of a results.csv."""
    out = {}
    try:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                def num(x):
                    try:
                        return float(x)
                    except (TypeError, ValueError):
                        return None
                out[r["operation"]] = (num(r.get("stock")),
                                       num(r.get("project")))
    except (OSError, KeyError, csv.Error):
        return {}
    return out


def compare_previous(prev, rows_):
    """Largest relative change per kernel against a previous run."""
    worst = {"stock": (0.0, None), "project": (0.0, None)}
    for op, _, s, p, _ in rows_:
        if op not in prev:
            continue
        for kernel, now, before in (("stock", s, prev[op][0]),
                                    ("project", p, prev[op][1])):
            if now is None or not before:
                continue
            # results.csv holds one decimal: compare like with like.
            d = abs(round(now, 1) - before) / before
            if worst[kernel][1] is None or d > worst[kernel][0]:
                worst[kernel] = (d, op)
    return worst


def answer_notes(stock, project):
    notes = []
    for op, _ in OPS:
        s, p = stock.get(op), project.get(op)
        if not s or not p:
            continue
        for kernel, st in (("stock", s), ("project", p)):
            if st["ret0"] != 0:
                notes.append(f"{op}: {kernel} answered error {st['ret0']}")
        if (s["ret0"], s["ret1"]) != (p["ret0"], p["ret1"]):
            why = " (expected: SBI 2.0 vs 3.0)" if op in EXPECTED_DIFF else ""
            notes.append(f"{op}: stock a0={s['ret0']} a1={s['ret1']:#x}, "
                         f"project a0={p['ret0']} a1={p['ret1']:#x}{why}")
    return notes


def plot(out_dir, rows_, title):
    """results.dat + results.gp -> results.png; returns the PNG path or None."""
    dat = os.path.join(out_dir, "results.dat")
    gp = os.path.join(out_dir, "results.gp")
    png = os.path.join(out_dir, "results.png")
    measured = [r for r in rows_ if r[0] != EMPTY and r[2] is not None
                and r[3] is not None]
    with open(dat, "w") as f:
        f.write("# label stock project ratio\n")
        for _, label, s, p, ratio in measured:
            f.write(f'"{label}" {s:.1f} {p:.1f} {ratio:.3f}\n')
    top = max([max(r[2], r[3]) for r in measured] + [1])
    with open(gp, "w") as f:
        f.write(f"""\
set terminal pngcairo noenhanced size 1200,720 font "sans,11"
set output "{png}"
set title "{title}"
set ylabel "guest-visible instructions per round trip"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics rotate by 30 right nomirror
set yrange [0:{top * 1.18:.0f}]
set xrange [-0.6:{len(measured) - 0.4}]
set bmargin 10
set lmargin 12
set rmargin 4
plot "{dat}" using 2:xtic(1) title "stock 6.12" lc rgb "#7f7f7f", \\
     "" using 3 title "project" lc rgb "#1f77b4", \\
     "" using ($0):($3):(sprintf("x%.2f", $4)) with labels offset 2.2,0.8 \\
        font "sans,9" notitle
""")
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("bench: gnuplot not found, no chart", file=sys.stderr)
        return None
    subprocess.run([gnuplot, gp], check=True)
    return png


FIRMWARE_BANNER = re.compile(r"^(OpenSBI v\S+)")
QEMU_VERSION = re.compile(r"^# qemu: QEMU emulator version (\S+)")
QEMU_COMMAND = re.compile(r"^# \S*qemu-system-riscv64 ")


def platform_of(path):
    """The QEMU version, machine, CPU model and harts a log booted on,
    from the two lines scripts/qemu-run.py writes first."""
    version, opts = "unknown", {}
    with open(path, errors="replace") as f:
        for line in f:
            m = QEMU_VERSION.match(line)
            if m:
                version = m.group(1)
            if QEMU_COMMAND.match(line):
                words = line.split()
                opts = {w: words[i + 1] for i, w in enumerate(words[:-1])
                        if w in ("-M", "-cpu", "-smp", "-icount")}
            if version != "unknown" and opts:
                break
    return (f"QEMU {version}, -M {opts.get('-M', '?')} -cpu "
            f"{opts.get('-cpu', '?')} -smp {opts.get('-smp', '?')}")
SBI_VERSION = re.compile(r"^Runtime SBI Version\s*:\s*(\S+)")


def firmware_of(path):
    """The host firmware a console log booted on, from its banner."""
    name, version = "unknown firmware", None
    with open(path, errors="replace") as f:
        for line in f:
            m = FIRMWARE_BANNER.match(line)
            if m:
                name = m.group(1)
            m = SBI_VERSION.match(line)
            if m:
                version = m.group(1)
    return name + (f" (SBI {version})" if version else "")


def kernel_logs(ap, args_log):
    """KERNEL=path arguments -> {"stock": [paths], "project": [paths]}."""
    logs = {}
    for x in args_log:
        kernel, _, path = x.partition("=")
        logs.setdefault(kernel, []).append(path)
    if set(logs) != {"stock", "project"}:
        ap.error("need --log stock=... and --log project=...")
    return logs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", action="append", required=True,
                    help="KERNEL=console log (stock= and project=)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--icount-shift", type=int, default=0)
    ap.add_argument("--date", default=datetime.date.today().isoformat())
    args = ap.parse_args()
    logs = kernel_logs(ap, args.log)

    # Each log (one boot) is summarized against its own empty loop; the
    # first log of a kernel gives its info and its empty loop row, later
    # ones (the two-hart boot) add their rows.
    parsed, stats = {}, {}
    try:
        for kernel in ("stock", "project"):
            for path in logs[kernel]:
                with open(path, errors="replace") as f:
                    one = parse_log(f)
                check_log(f"{kernel} ({path})", one)
                st = summarize(one, args.icount_shift)
                if kernel not in parsed:
                    parsed[kernel], stats[kernel] = one, st
                    continue
                parsed[kernel]["skips"].update(one["skips"])
                for op, v in st.items():
                    stats[kernel].setdefault(op, v)
    except (OSError, LogError) as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1

    skips = {**parsed["stock"]["skips"], **parsed["project"]["skips"]}
    rows_ = rows(stats["stock"], stats["project"], skips)
    os.makedirs(args.out, exist_ok=True)
    csv_path = os.path.join(args.out, "results.csv")
    prev = read_csv(csv_path)
    write_csv(csv_path, rows_, stats["stock"], stats["project"])

    info = parsed["project"]["info"]
    hz = int(info["timebase_hz"])
    per_tick = 1e9 / hz / 2 ** args.icount_shift
    title = (f"SBI round trip, stock 6.12 vs project ({args.date}; "
             f"-icount shift={args.icount_shift}, N={info.get('n')}, "
             f"median of {info.get('reps')}, empty loop subtracted)")
    png = plot(args.out, rows_, title)

    print()
    print(f"SBI round trip in guest-visible instructions ({args.date})")
    all_logs = logs["stock"] + logs["project"]
    fw = sorted({firmware_of(p) for p in all_logs})
    print("host firmware: " + ", ".join(fw))
    for p in sorted({platform_of(p) for p in all_logs}):
        print("platform: " + p)
    print(f"QEMU -icount shift={args.icount_shift}: 1 instruction = "
          f"{2 ** args.icount_shift} ns; timebase {hz} Hz = "
          f"{per_tick:g} instructions per rdtime tick.")
    print(f"Each figure: median of {info.get('reps')} timed loops of "
          f"N={info.get('n')} calls, after {info.get('warmup')} warm-up "
          f"calls; the empty loop (the same loop with a nop for the ecall) "
          f"is subtracted from every figure.")
    print()
    for ln in table(rows_, stats["stock"], stats["project"]):
        print(ln)
    print()
    for ln in floor_notes(rows_):
        print(ln)
    for kernel in ("stock", "project"):
        print(f"{kernel}: {parsed[kernel]['info'].get('kernel')} "
              f"{parsed[kernel]['info'].get('build')}")
    if skips:
        print("n/a: " + "; ".join(sorted(set(skips.values()))) +
              " (stock 6.12 has neither the policy nor the null EID).")
    worst = max((st["spread"], k, op) for k in stats
                for op, st in stats[k].items())
    print(f"spread within each boot: at most {worst[0] * 100:.2f}% "
          f"({worst[1]}, {worst[2]})")
    if prev:
        w = compare_previous(prev, rows_)
        print("change against the previous results.csv: " + ", ".join(
            f"{k} at most {d * 100:.2f}%" + (f" ({op})" if op else "")
            for k, (d, op) in w.items()))
    slower = [(r[4], r) for r in rows_ if r[4] is not None and r[4] > SLOWER]
    if slower:
        print("project slower than stock by more than "
              f"{(SLOWER - 1) * 100:.0f}%:")
        for ratio, (op, label, s, p, _) in sorted(slower, reverse=True):
            print(f"  {label}: {p:.1f} vs {s:.1f} instructions "
                  f"(+{p - s:.1f}, +{(ratio - 1) * 100:.1f}%)")
    for note in answer_notes(stats["stock"], stats["project"]):
        print("answers differ: " + note)
    print(f"written: {csv_path}" + (f", {png}" if png else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
