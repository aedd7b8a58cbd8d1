#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot a kernel + harness initramfs in QEMU and judge the run.

The harness init (scripts/harness/init.c) prints one TAP 13 stream on the
console and powers off. This script keeps the whole console log, takes the
TAP results, and adds failures the tests themselves cannot see:

  * a kernel splat (panic, oops, BUG:, WARNING:, RCU stall, hung task) in any
    timestamped kernel line, even when every test printed "ok";
  * a hang: no power-off within the global timeout (QEMU is killed);
  * a short run: fewer results than the plan announced.

It writes build/logs/<name>.log (console) and build/logs/<name>.tap
(normalized results, counted by scripts/tap-summary.py) and exits 1 if
anything failed.
"""

import argparse
import os
import re
import selectors
import signal
import subprocess
import sys
import time

# The platforms (README "Platforms"): QEMU 10.0 from bookworm-backports,
# the default, and Debian 12's QEMU 7.2, unpacked under build/platform by
# scripts/deps.sh with Debian 12's OpenSBI 1.1, the default firmware.
FIRMWARE = "build/platform/opensbi-1.1/usr/lib/riscv64-linux-gnu/opensbi/" \
    "generic/fw_dynamic.bin"
QEMU = "qemu-system-riscv64"
# The host hart: the H extension, and Sscofpmf, which QEMU offers only on
# request; KVM's SBI PMU extension for guests needs it (without it the
# vCPU has no PMU and sbi_pmu_test skips).
CPU = "rv64,h=true,sscofpmf=true"
# The machine, by QEMU's major version. From QEMU 8 on, the AIA interrupt
# controllers (APLIC, IMSIC) replace the PLIC and the hart gets Smaia and
# Ssaia: 6.12's KVM gives a guest Sscofpmf (counter overflow interrupts)
# only on a host with Ssaia. QEMU 7.2's AIA needs an experimental hart
# option, so that platform keeps the PLIC.
MACHINES = ((8, "virt,aia=aplic-imsic"), (0, "virt"))
VERSION = re.compile(r"QEMU emulator version (\d+)\.(\d+)\.(\d+)")


def qemu_version(qemu):
    """The binary's (major, minor, micro) and its version line."""
    try:
        out = subprocess.run([qemu, "--version"], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"qemu-run: {qemu}: cannot run it ({e})")
    m = VERSION.search(out)
    if not m:
        sys.exit(f"qemu-run: {qemu}: no version in {out!r}")
    return tuple(int(x) for x in m.groups()), out.splitlines()[0]


def default_machine(version):
    return next(m for major, m in MACHINES if version[0] >= major)

# Kernel console lines carry a printk timestamp (CONFIG_PRINTK_TIME); only
# those are searched for splats, so a guest's relayed console ("# test: ...")
# or a test's own message can never be mistaken for a host crash.
KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d+\] (.*)$")
SPLATS = [
    re.compile(p) for p in (
        r"Kernel panic",
        r"\bOops\b",
        r"Kernel BUG",
        r"\bBUG:",
        r"^WARNING:",
        r"Unable to handle kernel",
        r"rcu: INFO: .*detected stall",
        r"INFO: task .* blocked for more than",
        r"(?i)watchdog: .*(soft|hard) lockup",
        r"^UBSAN:",
        r"kmemleak: .*suspected memory leak",
        r"kernel BUG at",
    )
]
TAP_START = "TAP version 13"
PLAN = re.compile(r"^1\.\.(\d+)$")
RESULT = re.compile(r"^(ok|not ok) (\d+) (\S+)(?: # (.*))?$")
POWEROFF = "# harness: powering off"


class Judge:
    """Consumes console lines; knows what the run amounted to."""

    def __init__(self):
        self.in_tap = False
        self.plan = None
        self.results = []          # (ok, number, name, directive)
        self.splats = []
        self.powered_off = False
        self.current = None        # test running when the output stopped

    def feed(self, line):
        line = line.rstrip("\r\n")
        m = KERNEL_LINE.match(line)
        if m:
            msg = m.group(1)
            if any(p.search(msg) for p in SPLATS):
                self.splats.append(msg)
            return
        if line == TAP_START:
            self.in_tap = True
            return
        if not self.in_tap:
            return
        if line.startswith("# harness: start "):
            self.current = line[len("# harness: start "):]
        elif line == POWEROFF:
            self.powered_off = True
        elif self.plan is None and PLAN.match(line):
            self.plan = int(PLAN.match(line).group(1))
        else:
            m = RESULT.match(line)
            if m:
                self.results.append((m.group(1) == "ok", int(m.group(2)),
                                     m.group(3), m.group(4) or ""))
                self.current = None

    def verdicts(self, exit_reason):
        """Final list of (status, name, detail); status is pass/fail/skip."""
        out = []
        for ok, _, name, directive in self.results:
            if ok and directive.upper().startswith("SKIP"):
                out.append(("skip", name, directive[4:].strip()))
            else:
                out.append(("pass" if ok else "fail", name, directive))
        if not self.in_tap or self.plan is None:
            out.append(("fail", "harness", "no TAP plan on the console (" +
                        exit_reason + ")"))
        elif len(self.results) < self.plan:
            missing = self.plan - len(self.results)
            where = f" during {self.current}" if self.current else ""
            out.append(("fail", "harness",
                        f"{missing} of {self.plan} tests never reported"
                        f"{where} ({exit_reason})"))
        if self.in_tap and not self.powered_off:
            out.append(("fail", "poweroff", "the harness never powered off"
                        f" ({exit_reason})"))
        for msg in self.splats[:5]:
            out.append(("fail", "host-kernel", "splat: " + msg))
        if len(self.splats) > 5:
            out.append(("fail", "host-kernel",
                        f"{len(self.splats) - 5} more splats"))
        return out


def qemu_command(args):
    cmd = [args.qemu, "-M", args.machine, "-cpu", args.cpu,
           "-smp", str(args.smp), "-m", args.mem, "-bios", args.bios,
           "-kernel", args.kernel, "-initrd", args.initrd,
           "-nographic", "-no-reboot",
           "-append", "console=ttyS0 earlycon=sbi panic=-1 " + args.append]
    if args.icount is not None:
        cmd += ["-icount", f"shift={args.icount}"]
    if args.seed is not None:
        cmd += ["-seed", str(args.seed)]
    return cmd


def run(args, judge, log):
    cmd = qemu_command(args)
    log.write("# " + " ".join(cmd) + "\n")
    log.write("# qemu: " + args.qemu_version + "\n")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + args.timeout
    pending = b""
    reason = None
    while reason is None:
        left = deadline - time.monotonic()
        if left <= 0:
            reason = f"hang: killed after {args.timeout}s"
            break
        if not sel.select(timeout=min(left, 1.0)):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            log.write(line + "\n")
            judge.feed(line)
            show(args, line)
        log.flush()
    if pending:
        line = pending.decode("utf-8", "replace")
        log.write(line + "\n")
        judge.feed(line)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    status = proc.wait()
    return reason or f"qemu exited with status {status}"


def show(args, line):
    """Echo what a person wants to follow: results, and all with -v."""
    if args.verbose or RESULT.match(line) or line.startswith("# harness:"):
        print(line, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--name", required=True, help="log and TAP file name")
    ap.add_argument("--logdir", default="build/logs")
    ap.add_argument("--timeout", type=int, default=900,
                    help="global timeout in seconds (a hang is a failure)")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mem", default="2G")
    ap.add_argument("--qemu", default=QEMU, help="the QEMU binary")
    ap.add_argument("--machine", help="QEMU -M (default: by QEMU version)")
    ap.add_argument("--cpu", default=CPU)
    ap.add_argument("--bios", default=FIRMWARE)
    ap.add_argument("--icount", help="QEMU -icount shift[,options],"
                    " e.g. 0 or 0,sleep=off")
    ap.add_argument("--seed", type=int,
                    help="QEMU -seed: fixed guest random numbers (the"
                    " device tree's rng-seed, hence the kernel's RNG)")
    ap.add_argument("--only", help="comma-separated tests to run")
    ap.add_argument("--append", default="", help="extra kernel arguments")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="echo the whole console")
    args = ap.parse_args()
    if args.only:
        args.append += " harness_only=" + args.only
    for path in (args.kernel, args.initrd, args.bios):
        if not os.path.isfile(path):
            sys.exit(f"qemu-run: {path}: no such file")

    version, args.qemu_version = qemu_version(args.qemu)
    if args.machine is None:
        args.machine = default_machine(version)
    # The platform, for the tests that check it (kvm-probe).
    args.append += f" SBI_TEST_PLATFORM=qemu-{version[0]}.{version[1]}"

    os.makedirs(args.logdir, exist_ok=True)
    log_path = os.path.join(args.logdir, args.name + ".log")
    judge = Judge()
    with open(log_path, "w") as log:
        reason = run(args, judge, log)
    verdicts = judge.verdicts(reason)

    tap_path = os.path.join(args.logdir, args.name + ".tap")
    with open(tap_path, "w") as tap:
        tap.write(f"TAP version 13\n1..{len(verdicts)}\n")
        for i, (status, name, detail) in enumerate(verdicts, 1):
            word = "not ok" if status == "fail" else "ok"
            directive = "SKIP " + detail if status == "skip" else detail
            tap.write(f"{word} {i} {args.name}/{name}"
                      + (f" # {directive}" if directive else "") + "\n")
    failed = [v for v in verdicts if v[0] == "fail"]
    for _, name, detail in failed:
        print(f"FAIL {args.name}/{name}: {detail}", flush=True)
    if failed:
        print(f"console log kept in {log_path}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
