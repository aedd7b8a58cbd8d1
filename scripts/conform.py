#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run sbi-conform (tools/sbi-conform) and tabulate it (README "Conformance").

  conform.py direct --impl NAME=FIRMWARE [...] --image IMG --logdir DIR
        boot the payload on each firmware directly under QEMU, once per boot
        mode, and write DIR/NAME.json (and NAME-MODE.log per run)
  conform.py kvm-log --impl NAME=HOSTLOG [...] --logdir DIR
        the same from a host console log in which `vmm-test conform` relayed
        the payload's runs under KVM as "conform: MODE: LINE"
  conform.py table --logdir DIR --impl NAME [...] [--markdown FILE]
        the side-by-side table: check x implementation, then the rows that
        differ and the extensions each one probed
  conform.py check ... --tap FILE
        (after direct or kvm-log) one TAP test per implementation: fails on
        a failed check (a boot mode that did not end the machine as it
        asked is one) that tools/sbi-conform/deviations does not list for
        that implementation, and on a listed one that passes

A cell is "ok", "FAIL", "dev" (a failure the deviations file documents),
"skip" (not probed, or not observable), or "-" (the check did not run).
"""
import argparse
import json
import os
import re
import select
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEVIATIONS = os.path.join(TOP, "tools", "sbi-conform", "deviations")
CPU = "rv64,h=true,sscofpmf=true"
BANNER = "# sbi-conform: mode "

# Each boot mode, the check it stands for and how it must end the machine.
MODES = [
    # A main run with a failed check shuts down reporting a system failure.
    ("main", None, ("shutdown", "failure")),
    ("srst-shutdown", "srst: system_reset(shutdown) shuts the machine down",
     ("shutdown",)),
    ("srst-cold-reboot", "srst: system_reset(cold reboot) reboots",
     ("reboot",)),
    ("srst-warm-reboot", "srst: system_reset(warm reboot) reboots",
     ("reboot",)),
    # The reason need not be visible: firmware on QEMU may not pass it on.
    ("srst-failure", "srst: system_reset(shutdown, system failure) stops the machine",
     ("failure", "shutdown")),
    ("srst-vendor-reason",
     "srst: system_reset(shutdown, vendor reason) shuts the machine down",
     ("shutdown", "failure")),
    ("srst-reserved-reason", None, ("shutdown",)),
    ("legacy-shutdown", "legacy: shutdown shuts the machine down",
     ("shutdown",)),
]

# What the suite expects of each implementation it knows (conform.* args).
EXPECT = {
    "opensbi-1.1": "conform.impl_id=1 conform.spec=1.0 conform.bad_addr=0x80000000 "
                   "conform.exts=legacy,time,ipi,rfence,hsm,srst,pmu",
    "opensbi-1.9": "conform.impl_id=1 conform.spec=3.0 conform.bad_addr=0x80000000 "
                   "conform.exts=legacy,time,ipi,rfence,hsm,srst,pmu,dbcn,sse,fwft,dbtr",
}

TAP_RE = re.compile(r"^(not ok|ok) \d+ (.*?)(?: # (.*))?$")


def parse_tap(lines):
    """checks {name: [status, detail]}, probes {ext: 0/1}, closing line."""
    checks, probes, closing, bail = {}, {}, None, None
    for line in lines:
        m = TAP_RE.match(line)
        if m:
            status = "ok" if m.group(1) == "ok" else "FAIL"
            detail = m.group(3) or ""
            if status == "ok" and detail.startswith("SKIP"):
                status = "skip"
            checks[m.group(2).strip()] = [status, detail]
            continue
        m = re.match(r"^# probe_extension\((\w+)\) = (\d)", line)
        if m:
            probes[m.group(1)] = int(m.group(2))
        if re.match(r"^\d+ passed, \d+ failed, \d+ skipped$", line):
            closing = line
        if line.startswith("Bail out!"):
            bail = line
    return checks, probes, closing, bail


def run_direct(qemu, fw, image, args, log, timeout=60):
    """Boot once; the outcome: shutdown, failure, reboot or hang."""
    cmd = [qemu, "-M", "virt", "-cpu", CPU, "-smp", "2", "-m", "256M",
           "-nographic", "-bios", fw, "-kernel", image, "-append", args]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out, banners, outcome = b"", 0, None
    end = time.monotonic() + timeout
    while outcome is None:
        left = end - time.monotonic()
        if left <= 0:
            outcome = "hang"
            break
        r, _, _ = select.select([p.stdout], [], [], left)
        if not r:
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            p.wait()
            outcome = "shutdown" if p.returncode == 0 else "failure"
            break
        out += chunk
        if out.count(BANNER.encode()) > 1:
            outcome = "reboot"  # the payload started again
    if p.poll() is None:
        p.kill()
        p.wait()
    text = out.decode("utf-8", "replace").replace("\r", "")
    with open(log, "w") as f:
        f.write("# %s\n%s# outcome: %s\n" % (" ".join(cmd), text, outcome))
    lines = text.split("\n")
    if outcome == "reboot":  # only the first boot's lines
        first = [i for i, l in enumerate(lines) if l.startswith(BANNER)]
        lines = lines[:first[1]] if len(first) > 1 else lines
    return lines, outcome


def result(name, runs):
    """Fold the runs of every mode into one implementation's result."""
    res = {"name": name, "checks": {}, "probes": {}, "modes": {}}
    for mode, check, allowed in MODES:
        lines, outcome = runs.get(mode, ([], "not run"))
        checks, probes, closing, bail = parse_tap(lines)
        res["modes"][mode] = outcome
        if mode == "main":
            res["checks"].update(checks)
            res["probes"] = probes
            ok = closing is not None and outcome in allowed
            res["checks"]["suite: the main run completes"] = [
                "ok" if ok else "FAIL",
                closing or bail or "no closing line; the machine: " + outcome]
            continue
        if mode == "srst-reserved-reason":
            name_ = "srst: system_reset(shutdown, reserved reason 2)"
            st = checks.get(name_, ["FAIL", "the machine stopped instead: " + outcome])
            if st[0] == "ok" and outcome not in allowed:
                st = ["FAIL", "then did not shut down: " + outcome]
            res["checks"][name_] = st
            continue
        res["checks"][check] = ["ok" if outcome in allowed else "FAIL", outcome]
    return res


def cmd_direct(a):
    os.makedirs(a.logdir, exist_ok=True)
    if not os.path.isfile(a.image):
        sys.exit("conform.py: %s: no such payload (make conform-payload)" % a.image)
    for spec in a.impl:
        if "=" not in spec:
            sys.exit("conform.py: direct: --impl %s: expected NAME=FIRMWARE" % spec)
        name, fw = spec.split("=", 1)
        if not os.path.isfile(fw):
            sys.exit("conform.py: %s: no such firmware for %s" % (fw, name))
        runs = {}
        for mode, _, _ in MODES:
            args = "conform.mode=%s conform.impl=%s %s" % (
                mode, name, EXPECT.get(name, ""))
            log = os.path.join(a.logdir, "%s-%s.log" % (name, mode))
            runs[mode] = run_direct(a.qemu, fw, a.image, args, log)
        save(a.logdir, result(name, runs))


def cmd_kvm_log(a):
    os.makedirs(a.logdir, exist_ok=True)
    for spec in a.impl:
        if "=" not in spec:
            sys.exit("conform.py: kvm-log: --impl %s: expected NAME=HOSTLOG" % spec)
        name, path = spec.split("=", 1)
        runs = {}
        try:
            text = open(path, errors="replace").read()
        except OSError as e:
            sys.exit("conform.py: %s: %s" % (path, e.strerror))
        names = "|".join(re.escape(m) for m, _, _ in MODES)
        for line in text.split("\n"):
            m = re.search(r"\bconform: (%s): (.*)$" % names, line.rstrip("\r"))
            if not m:
                continue
            mode, rest = m.group(1), m.group(2)
            lines, outcome = runs.setdefault(mode, ([], "hang"))
            e = re.match(r"^exit (\d+)$", rest)
            if e:
                st = int(e.group(1))
                outcome = {0: "shutdown", 2: "reboot"}.get(st, "failure")
                runs[mode] = (lines, outcome)
            else:
                lines.append(rest)
        if not runs:
            sys.exit("conform.py: %s: no \"conform: MODE: ...\" lines" % path)
        save(a.logdir, result(name, runs))


def save(logdir, res):
    with open(os.path.join(logdir, res["name"] + ".json"), "w") as f:
        json.dump(res, f, indent=1)


def load(logdir, names):
    out = []
    for n in names:
        try:
            with open(os.path.join(logdir, n + ".json")) as f:
                out.append(json.load(f))
        except OSError:
            sys.exit("conform.py: no results for %s in %s (run direct or kvm-log)"
                     % (n, logdir))
    return out


def load_deviations(path):
    """{(impl, check): why}"""
    devs = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split(" | ")]
            if len(parts) != 3 or not all(parts):
                sys.exit("conform.py: %s:%d: expected IMPL | CHECK | WHY" % (path, n))
            devs[(parts[0], parts[1])] = parts[2]
    return devs


def cell(res, check, devs):
    st = res["checks"].get(check)
    if not st:
        return "-"
    if st[0] == "FAIL" and (res["name"], check) in devs:
        return "dev"
    return st[0]


def cmd_table(a):
    results = load(a.logdir, a.impl)
    devs = load_deviations(a.deviations)
    rows = []
    for r in results:
        for c in r["checks"]:
            if c not in rows:
                rows.append(c)
    names = [r["name"] for r in results]
    width = max(len(c) for c in rows)
    head = "%-*s  %s" % (width, "check", "  ".join("%-11s" % n for n in names))
    lines = [head, "-" * len(head)]
    differ = []
    for c in rows:
        cells = [cell(r, c, devs) for r in results]
        lines.append("%-*s  %s" % (width, c, "  ".join("%-11s" % x for x in cells)))
        if len(set(x for x in cells if x != "-")) > 1:
            differ.append((c, cells))
    lines.append("")
    lines.append("totals:")
    for r in results:
        cells = [cell(r, c, devs) for c in rows]
        lines.append("  %-12s %d ok, %d FAIL, %d dev, %d skip, %d not run" % (
            r["name"], cells.count("ok"), cells.count("FAIL"), cells.count("dev"),
            cells.count("skip"), cells.count("-")))
    lines.append("")
    lines.append("differences (%d rows):" % len(differ))
    for c, cells in differ:
        lines.append("  %s: %s" % (c, ", ".join(
            "%s %s" % (n, x) for n, x in zip(names, cells))))
    lines.append("")
    exts = sorted(set(e for r in results for e in r["probes"]))
    lines.append("extensions probed: " + ", ".join(
        "%s: %s" % (r["name"], ",".join(e for e in exts if r["probes"].get(e)))
        for r in results))
    print("\n".join(lines))
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("| implementation | ok | FAIL | dev | skip | extensions probed |\n"
                    "|---|---|---|---|---|---|\n")
            for r in results:
                cells = [cell(r, c, devs) for c in rows]
                f.write("| %s | %d | %d | %d | %d | %s |\n" % (
                    r["name"], cells.count("ok"), cells.count("FAIL"),
                    cells.count("dev"), cells.count("skip"),
                    ", ".join(e for e in exts if r["probes"].get(e))))
            f.write("\nThe %d checks whose results differ:\n\n" % len(differ))
            f.write("| check | %s |\n|---|%s\n" % (" | ".join(names), "---|" * len(names)))
            for c, cells in differ:
                f.write("| %s | %s |\n" % (c.replace("|", "\\|"), " | ".join(cells)))


def cmd_check(a):
    results = load(a.logdir, a.impl)
    devs = load_deviations(a.deviations)
    tap, n, failed = ["TAP version 13"], 0, 0
    for r in results:
        bad = [c for c, st in r["checks"].items()
               if st[0] == "FAIL" and (r["name"], c) not in devs]
        stale = [c for (impl, c) in devs if impl == r["name"] and
                 r["checks"].get(c, ["-"])[0] != "FAIL"]
        n += 1
        ok = not bad and not stale
        failed += not ok
        nok = sum(st[0] == "ok" for st in r["checks"].values())
        ndev = sum(st[0] == "FAIL" for st in r["checks"].values()) - len(bad)
        tap.append("%s %d conform %s: %d ok, %d documented deviations, %d skipped"
                   % ("ok" if ok else "not ok", n, r["name"], nok, ndev,
                      sum(st[0] == "skip" for st in r["checks"].values())))
        for c in bad:
            tap.append("# %s: undocumented failure: %s # %s" % (
                r["name"], c, r["checks"][c][1]))
        for c in stale:
            tap.append("# %s: listed in deviations but %s: %s" % (
                r["name"], r["checks"].get(c, ["not run"])[0], c))
    tap.append("1..%d" % n)
    text = "\n".join(tap) + "\n"
    sys.stdout.write(text)
    if a.tap:
        with open(a.tap, "w") as f:
            f.write(text)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["direct", "kvm-log", "table", "check"])
    ap.add_argument("--impl", action="append", required=True,
                    help="NAME=FIRMWARE (direct), NAME=HOSTLOG (kvm-log), NAME")
    ap.add_argument("--image", help="sbi-conform.img (direct)")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--deviations", default=DEVIATIONS)
    ap.add_argument("--markdown", help="table: the differing rows as Markdown")
    ap.add_argument("--tap", help="check: write the TAP here too")
    a = ap.parse_args()
    if a.command == "direct":
        if not a.image:
            ap.error("direct needs --image")
        cmd_direct(a)
    elif a.command == "kvm-log":
        cmd_kvm_log(a)
    elif a.command == "table":
        a.impl = [i.split("=", 1)[0] for i in a.impl]
        cmd_table(a)
    else:
        a.impl = [i.split("=", 1)[0] for i in a.impl]
        return cmd_check(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
