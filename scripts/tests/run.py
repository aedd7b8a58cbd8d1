#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of the build and test scripts, reported as TAP.

  run.py --tap build/logs/scripts.tap

They cover what make check itself relies on: the QEMU runner's judgement
(splats, hangs, short runs), the overlay's incremental and patch-revert
behaviour, the firmware build's tarball check and patch handling, the
config check and the closing-line summary.
"""

import argparse
import csv
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)


def load(name):
    spec = importlib.util.spec_from_file_location(
        name.replace("-", "_"), os.path.join(SCRIPTS, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


qemu_run = load("qemu-run")
conform = load("conform")


def judge(lines, reason="qemu exited with status 0"):
    j = qemu_run.Judge()
    for ln in lines:
        j.feed(ln)
    return j.verdicts(reason)


def statuses(verdicts):
    return [(s, n) for s, n, _ in verdicts]


CLEAN = [
    "[    0.100000] Linux version 6.12",
    "KTAP version 1",              # boot-time KUnit output: not ours
    "ok 1 some_suite",
    "TAP version 13",
    "1..3",
    "# harness: start a",
    "# a: ok 1 nested result of the test itself",
    "ok 1 a # 10 ms",
    "ok 2 b # SKIP not supported",
    "not ok 3 c # exit status 1",
    "# harness: powering off",
    "[    9.000000] reboot: Power down",
]


class JudgeTest(unittest.TestCase):
    def test_clean_run(self):
        self.assertEqual(statuses(judge(CLEAN)),
                         [("pass", "a"), ("skip", "b"), ("fail", "c")])

    def test_panic_after_ok_fails(self):
        v = judge(CLEAN[:-1] + ["[    9.1] Kernel panic - not syncing: x"])
        self.assertIn(("fail", "host-kernel"), statuses(v))

    def test_warning_and_oops_fail(self):
        for splat in ("WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x0/0x10",
                      "Oops - load access fault [#1]",
                      "BUG: sleeping function called from invalid context",
                      "Unable to handle kernel paging request at 0x0",
                      "rcu: INFO: rcu_sched detected stalls on CPUs/tasks:",
                      "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
                      "watchdog: Watchdog detected hard LOCKUP on cpu 1",
                      "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!",
                      "UBSAN: array-index-out-of-bounds in x.c:247:9",
                      "BUG: KASAN: slab-use-after-free in f+0x1/0x2",
                      "kmemleak: 2 new suspected memory leaks (see x)",
                      "WARNING: possible circular locking dependency "
                      "detected"):
            v = judge(CLEAN[:5] + ["[    1.5] " + splat] + CLEAN[5:])
            self.assertIn(("fail", "host-kernel"), statuses(v), splat)

    def test_relayed_guest_panic_is_not_a_host_splat(self):
        v = judge(CLEAN[:6] + ["# a: [    1.0] Kernel panic - not syncing"]
                  + CLEAN[6:])
        self.assertNotIn(("fail", "host-kernel"), statuses(v))

    def test_hang_fails_with_missing_tests(self):
        v = judge(CLEAN[:8], reason="hang: killed after 5s")
        self.assertIn(("fail", "harness"), statuses(v))
        self.assertIn(("fail", "poweroff"), statuses(v))
        detail = [d for s, n, d in v if n == "harness"][0]
        self.assertIn("2 of 3", detail)
        self.assertIn("hang", detail)

    def test_no_tap_at_all_fails(self):
        v = judge(["[    0.1] Linux version", "[    0.2] Kernel panic"])
        self.assertIn(("fail", "harness"), statuses(v))

    def test_kernel_tap_before_harness_is_ignored(self):
        v = judge(CLEAN)
        self.assertEqual(len(v), 3)


def sh(*cmd, cwd=None):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


class PlatformTest(unittest.TestCase):
    """qemu-run.py's machine by QEMU version, and the version it reads."""

    def test_machine_by_version(self):
        self.assertEqual(qemu_run.default_machine((10, 0, 2)),
                         "virt,aia=aplic-imsic")
        self.assertEqual(qemu_run.default_machine((8, 0, 0)),
                         "virt,aia=aplic-imsic")
        self.assertEqual(qemu_run.default_machine((7, 2, 22)), "virt")

    def test_version_of_a_binary(self):
        with tempfile.TemporaryDirectory() as t:
            write(f"{t}/q", "#!/bin/sh\necho 'QEMU emulator version 7.2.22 "
                  "(Debian 1:7.2+dfsg-7+deb12u18+b3)'\n")
            os.chmod(f"{t}/q", 0o755)
            v, line = qemu_run.qemu_version(f"{t}/q")
            self.assertEqual(v, (7, 2, 22))
            self.assertTrue(line.startswith("QEMU emulator version 7.2.22"))
            write(f"{t}/bad", "#!/bin/sh\necho hello\n")
            os.chmod(f"{t}/bad", 0o755)
            with self.assertRaises(SystemExit):
                qemu_run.qemu_version(f"{t}/bad")


class OverlayTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        t = self.tmp.name
        self.pristine, self.tree, self.proj = (os.path.join(t, d) for d in
                                               ("src", "tree", "proj"))
        for root in (self.pristine, self.tree):
            write(f"{root}/Makefile", "all:\n")
            write(f"{root}/arch/k/a.c", "a1\na2\na3\n")
            write(f"{root}/arch/k/b.c", "b1\nb2\nb3\n")
            write(f"{root}/arch/k/gone.c", "old\n")
        os.makedirs(f"{self.proj}/patches")

    def tearDown(self):
        self.tmp.cleanup()

    def overlay(self):
        return sh(os.path.join(SCRIPTS, "overlay.py"), "--project",
                  self.proj, "--pristine", self.pristine, "--tree", self.tree)

    def patch(self, name, old, new):
        write(f"{self.proj}/patches/{name}",
              "--- a/arch/k/a.c\n+++ b/arch/k/a.c\n@@ -1,3 +1,3 @@\n"
              f" a1\n-{old}\n+{new}\n a3\n")

    def test_overlay_writes_only_changed_files(self):
        write(f"{self.proj}/arch/k/new.c", "ours\n")
        self.assertEqual(self.overlay().returncode, 0)
        self.assertEqual(read(f"{self.tree}/arch/k/new.c"), "ours\n")
        before = os.stat(f"{self.tree}/arch/k/new.c").st_mtime_ns
        r = self.overlay()
        self.assertIn("0 files written", r.stdout)
        self.assertEqual(os.stat(f"{self.tree}/arch/k/new.c").st_mtime_ns,
                         before)

    def test_dropped_overlay_file_returns_to_pristine(self):
        write(f"{self.proj}/arch/k/b.c", "ours\n")
        self.overlay()
        self.assertEqual(read(f"{self.tree}/arch/k/b.c"), "ours\n")
        os.remove(f"{self.proj}/arch/k/b.c")
        self.overlay()
        self.assertEqual(read(f"{self.tree}/arch/k/b.c"), "b1\nb2\nb3\n")

    def test_remove_list_and_restore(self):
        write(f"{self.proj}/patches/remove.list", "arch/k/gone.c\n")
        self.overlay()
        self.assertFalse(os.path.exists(f"{self.tree}/arch/k/gone.c"))
        write(f"{self.proj}/patches/remove.list", "")
        self.overlay()
        self.assertEqual(read(f"{self.tree}/arch/k/gone.c"), "old\n")

    def test_changed_patch_is_reverted_and_reapplied(self):
        self.patch("one.patch", "a2", "first")
        write(f"{self.proj}/patches/series", "one.patch\n")
        self.assertEqual(self.overlay().returncode, 0)
        self.assertEqual(read(f"{self.tree}/arch/k/a.c"), "a1\nfirst\na3\n")
        self.patch("one.patch", "a2", "second")
        self.assertEqual(self.overlay().returncode, 0)
        self.assertEqual(read(f"{self.tree}/arch/k/a.c"), "a1\nsecond\na3\n")
        write(f"{self.proj}/patches/series", "")
        self.overlay()
        self.assertEqual(read(f"{self.tree}/arch/k/a.c"), "a1\na2\na3\n")

    def test_reject_fails_loudly_and_changes_nothing(self):
        write(f"{self.proj}/arch/k/new.c", "ours\n")
        self.patch("bad.patch", "no-such-line", "x")
        write(f"{self.proj}/patches/series", "bad.patch\n")
        r = self.overlay()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("does not apply", r.stdout)
        self.assertFalse(os.path.exists(f"{self.tree}/arch/k/new.c"))
        self.assertEqual(read(f"{self.tree}/arch/k/a.c"), "a1\na2\na3\n")

    def test_series_naming_a_missing_patch_fails(self):
        write(f"{self.proj}/patches/series", "missing.patch\n")
        self.assertNotEqual(self.overlay().returncode, 0)


class InitramfsListTest(unittest.TestCase):
    def test_programs_skip_environment_words(self):
        mk = load("mkinitramfs")
        with tempfile.TemporaryDirectory() as t:
            write(f"{t}/list", "# comment\n"
                  "a 10 /bin/a -x\n"
                  "b 10 FOO=1 BAR=x=y /bin/kvm/b --opt=2\n"
                  "k 60 @kunit\n")
            self.assertEqual(list(mk.programs(f"{t}/list")),
                             ["/bin/a", "/bin/kvm/b"])


class CheckConfigTest(unittest.TestCase):
    def run_check(self, frag, config):
        with tempfile.TemporaryDirectory() as t:
            write(f"{t}/frag", frag)
            write(f"{t}/config", config)
            return sh(os.path.join(SCRIPTS, "check-config.sh"),
                      f"{t}/frag", f"{t}/config")

    def test_all_present(self):
        r = self.run_check("CONFIG_A=y\n# c\nCONFIG_N=8\n",
                           "CONFIG_A=y\nCONFIG_N=8\n")
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_dropped_option_fails(self):
        r = self.run_check("CONFIG_A=y\nCONFIG_B=y\n",
                           "CONFIG_A=y\n# CONFIG_B is not set\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("CONFIG_B", r.stdout)


    def test_option_not_in_tree_is_skipped_only_with_tree(self):
        with tempfile.TemporaryDirectory() as t:
            write(f"{t}/frag", "CONFIG_A=y\nCONFIG_OURS=y\n")
            write(f"{t}/config", "CONFIG_A=y\n")
            write(f"{t}/tree/Kconfig", "config A\n\tbool \"a\"\n")
            check = os.path.join(SCRIPTS, "check-config.sh")
            self.assertNotEqual(
                sh(check, f"{t}/frag", f"{t}/config").returncode, 0)
            r = sh(check, f"{t}/frag", f"{t}/config", f"{t}/tree")
            self.assertEqual(r.returncode, 0, r.stdout)
            # An option the tree has is still checked.
            write(f"{t}/config", "# CONFIG_A is not set\n")
            r = sh(check, f"{t}/frag", f"{t}/config", f"{t}/tree")
            self.assertNotEqual(r.returncode, 0)


class SummaryTest(unittest.TestCase):
    def summary(self, files, expect):
        with tempfile.TemporaryDirectory() as t:
            for name, text in files.items():
                write(f"{t}/{name}.tap", text)
            cmd = [os.path.join(SCRIPTS, "tap-summary.py"), "--dir", t]
            for e in expect:
                cmd += ["--expect", e]
            return sh(*cmd)

    def test_counts_and_closing_line(self):
        r = self.summary({"x": "1..3\nok 1 a\nok 2 b # SKIP why\nok 3 c\n"},
                         ["x"])
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.splitlines()[-1],
                         "2 passed, 0 failed, 1 skipped")

    def test_failure_exits_nonzero(self):
        r = self.summary({"x": "1..2\nok 1 a\nnot ok 2 b # boom\n"}, ["x"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.splitlines()[-1], "1 passed, 1 failed")

    def test_missing_stage_is_a_failure(self):
        r = self.summary({"x": "1..1\nok 1 a\n"}, ["x", "y"])
        self.assertEqual(r.returncode, 1)

    def test_no_test_is_a_failure(self):
        r = self.summary({"x": "1..0\n"}, ["x"])
        self.assertEqual(r.returncode, 1)


class MkinitramfsTest(unittest.TestCase):
    def test_mtime_is_passed_to_gen_init_cpio(self):
        with tempfile.TemporaryDirectory() as t:
            # A stand-in gen_init_cpio that prints its arguments.
            write(f"{t}/gen", "#!/bin/sh\necho \"$@\"\n")
            os.chmod(f"{t}/gen", 0o755)
            write(f"{t}/init", "x")
            write(f"{t}/list", "a 1 @kunit\n")
            cmd = [os.path.join(SCRIPTS, "mkinitramfs.py"), "--gen-init-cpio",
                   f"{t}/gen", "--init", f"{t}/init", "--list", f"{t}/list"]
            sh(*cmd, "--out", f"{t}/a.cpio")
            sh(*cmd, "--mtime", "0", "--out", f"{t}/b.cpio")
            self.assertEqual(read(f"{t}/a.cpio").split(), [f"{t}/a.cpio.list"])
            self.assertEqual(read(f"{t}/b.cpio").split(),
                             ["-t", "0", f"{t}/b.cpio.list"])


bench = load("bench")


def bench_log(ticks, empty=1400, hz=10000000, n=20000, extra=()):
    """Console lines of one sbi-bench run; ticks: op -> [ticks per rep]."""
    lines = ["[    1.0] kvm: hello", "TAP version 13",
             "# harness: start sbi-bench",
             "# sbi-bench: info kernel=6.12.117 build=#1 SMP",
             f"# sbi-bench: info timebase_hz={hz} n={n} reps=3 warmup=10"]
    reps = {"empty_loop": [empty] * 3, **ticks}
    for rep in range(3):
        for op, t in reps.items():
            lines.append(f"# sbi-bench: result op={op} rep={rep} n={n} "
                         f"ticks={t[rep]} ret0=0 ret1=0x2000000")
    lines += list(extra)
    lines += ["# sbi-bench: skip op=base_policy_1 reason=policy ABI not "
              "available (Function not implemented)", "# sbi-bench: done",
              "ok 1 sbi-bench # 10 ms"]
    return lines


class BenchReportTest(unittest.TestCase):
    def stats(self, lines):
        parsed = bench.parse_log(lines)
        bench.check_log("x", parsed)
        return bench.summarize(parsed, 0)

    def test_ticks_to_instructions_minus_empty_loop(self):
        # 160000 ticks * 100 insns / 20000 calls = 800; empty loop = 7.
        st = self.stats(bench_log({"base_get_spec_version":
                                   [160000, 160100, 160000]}))
        b = st["base_get_spec_version"]
        self.assertAlmostEqual(st["empty_loop"]["median"], 7.0)
        self.assertAlmostEqual(b["median"], 793.0)
        self.assertAlmostEqual(b["max"], 793.5)
        self.assertAlmostEqual(b["spread"], 0.5 / 793.0)
        self.assertEqual(b["ret1"], 0x2000000)

    def test_icount_shift_and_timebase(self):
        parsed = bench.parse_log(bench_log({"x": [1000] * 3}, empty=0,
                                           hz=1000000, n=10))
        st = bench.summarize(parsed, 1)
        # 1000 ticks of 1 us over 10 calls, 2 ns per instruction.
        self.assertAlmostEqual(st["x"]["median"], 50000.0)

    def test_incomplete_or_failed_log_is_refused(self):
        for lines in (bench_log({"x": [1] * 3})[:-2],
                      bench_log({"x": [1] * 3},
                                extra=["# sbi-bench: error: KVM_RUN: EINTR"])):
            with self.assertRaises(bench.LogError):
                bench.check_log("x", bench.parse_log(lines))

    def test_rows_ratio_and_policy_na(self):
        s = self.stats(bench_log({"base_get_spec_version": [160000] * 3}))
        p = self.stats(bench_log({"base_get_spec_version": [176000] * 3}))
        skips = bench.parse_log(bench_log({}))["skips"]
        rows = {r[0]: r for r in bench.rows(s, p, skips)}
        _, _, st, pr, ratio = rows["base_get_spec_version"]
        self.assertAlmostEqual(ratio, (880 - 7) / (800 - 7))
        self.assertEqual(rows["base_policy_1"][2:], (None, None, None))
        self.assertIsNone(rows["empty_loop"][4])
        self.assertNotIn("base_policy_16", rows)   # never mentioned
        text = "\n".join(bench.table(bench.rows(s, p, skips), s, p))
        self.assertIn("| BASE, 1 policy entry | n/a | n/a | n/a |", text)
        self.assertIn("| BASE get_spec_version | 793.0 | 873.0 | 1.101 |",
                      text)

    def test_floor_notes(self):
        p = self.stats(bench_log({"null_floor": [46000] * 3,
                                  "base_get_spec_version": [60000] * 3,
                                  "hsm_hart_get_status": [70000] * 3}))
        notes = bench.floor_notes(bench.rows({}, p, {}))
        # (46000 / 200 - 7) = 223; 293 is 1.31x of it, 343 is 1.54x.
        self.assertIn("(223.0; goal: at most 1.5x)", notes[0])
        self.assertIn("  BASE get_spec_version: 1.31x", notes)
        self.assertIn("  HSM hart_get_status: 1.54x (above 1.5x)", notes)
        self.assertEqual(len(notes), 3)
        self.assertEqual(bench.floor_notes(bench.rows({}, {}, {})), [])

    def test_csv_round_trip_and_change_against_previous(self):
        s = self.stats(bench_log({"hsm_hart_get_status": [200000] * 3}))
        p = self.stats(bench_log({"hsm_hart_get_status": [202000] * 3}))
        rows = bench.rows(s, p, {})
        with tempfile.TemporaryDirectory() as t:
            bench.write_csv(f"{t}/r.csv", rows, s, p)
            prev = bench.read_csv(f"{t}/r.csv")
        self.assertEqual(prev["hsm_hart_get_status"], (993.0, 1003.0))
        self.assertEqual(prev["empty_loop"], (7.0, 7.0))
        prev["hsm_hart_get_status"] = (983.07, 1003.0)
        worst = bench.compare_previous(prev, rows)
        self.assertAlmostEqual(worst["stock"][0], 993 / 983.07 - 1, 4)
        self.assertEqual(worst["stock"][1], "hsm_hart_get_status")
        self.assertEqual(worst["project"][0], 0.0)


class BenchTwoBootsTest(unittest.TestCase):
    """scripts/bench.py with a one-hart and a two-hart log per kernel."""

    def test_each_boot_subtracts_its_own_empty_loop(self):
        head = ["# qemu-system-riscv64 -M virt,aia=aplic-imsic -cpu rv64,h=true"
                " -smp 2 -m 2G -icount shift=0,sleep=off",
                "# qemu: QEMU emulator version 10.0.2 (Debian 1:10.0.2)"]
        one = bench_log({"base_get_spec_version": [160000] * 3})
        # The two-hart boot: lines relayed as "# sbi-bench-remote: ...",
        # another empty loop (20 instructions), and the remote row.
        two = [ln.replace("# sbi-bench:", "# sbi-bench-remote:") for ln in
               bench_log({"rfence_remote_fence_i_remote": [400000] * 3}, empty=4000)]
        with tempfile.TemporaryDirectory() as t:
            args = []
            for k in ("stock", "project"):
                write(f"{t}/{k}.log", "\n".join(head + one) + "\n")
                write(f"{t}/{k}-smp2.log", "\n".join(head + two) + "\n")
                args += ["--log", f"{k}={t}/{k}.log",
                         "--log", f"{k}={t}/{k}-smp2.log"]
            r = sh(os.path.join(SCRIPTS, "bench.py"), "--out", f"{t}/out",
                   *args)
            self.assertEqual(r.returncode, 0, r.stdout)
            prev = bench.read_csv(f"{t}/out/results.csv")
        # 400000 ticks * 100 / 20000 = 2000, minus its own empty loop 20.
        self.assertEqual(prev["rfence_remote_fence_i_remote"], (1980.0, 1980.0))
        self.assertEqual(prev["base_get_spec_version"], (793.0, 793.0))
        self.assertEqual(prev["empty_loop"], (7.0, 7.0))
        self.assertIn("| RFENCE remote_fence_i, halted vCPU on another hart "
                      "| 1980.0 |", r.stdout)
        self.assertIn("platform: QEMU 10.0.2, -M virt,aia=aplic-imsic -cpu "
                      "rv64,h=true -smp 2", r.stdout)


class BenchWorkloadTest(unittest.TestCase):
    """scripts/bench-workload.py: per-op figures, medians, SBI share."""

    @staticmethod
    def boot_log(ipi_ticks, hvc0_ticks, dbcn, ring):
        lines = []
        for e, op, n, ticks, calls in (
                ("workload-ipi", "ipi", 1000, ipi_ticks, "ipi=2000"),
                ("workload-munmap", "munmap", 1000, [180000] * 5,
                 "sfence_vma_asid=1000"),
                ("workload-sleep", "sleep", 200, [222000] * 5,
                 "set_timer=600"),
                ("workload-hvc0", "hvc0", 64, hvc0_ticks, "ipi=0"),
                ("workload-hvc0-noring", "hvc0", 64, [20480] * 5, "ipi=0")):
            if op == "ipi":
                lines.append(f"# {e}: guest: bench op=boot rep=0 n=1 "
                             "ticks=3000000 sbi=-1")
            for rep, t in enumerate(ticks):
                lines.append(f"# {e}: guest: bench op={op} rep={rep} n={n} "
                             f"ticks={t} sbi=1 {calls}")
        lines.append(f"# workload-hvc0: sbi-vmm:   vmm/dbcn {dbcn:12d}")
        lines.append(f"# workload-hvc0: sbi-vmm:   vmm/total {dbcn:12d}")
        lines.append("# workload-hvc0: sbi-vmm:   writes answered from the "
                     f"ring {ring:12d}")
        lines.append("# workload-hvc0-noring: sbi-vmm:   vmm/dbcn         1605")
        return "\n".join(lines) + "\n"

    def test_medians_shares_and_limits(self):
        micro = ("operation,label,stock,project\n"
                 "ipi_send_ipi_self_2vcpus,x,1500.0,800.0\n"
                 "rfence_sfence_vma_asid_remote,x,1800.0,2000.0\n"
                 "time_set_timer,x,900.0,350.0\n"
                 "dbcn_write_256,x,2400.0,2600.0\n"
                 "dbcn_write_256_ring,x,n/a,1500.0\n")
        with tempfile.TemporaryDirectory() as t:
            write(f"{t}/micro.csv", micro)
            args = []
            for seed, ipi in ((1, 470000), (2, 480000), (3, 490000)):
                # One outlier repetition per boot does not move the median.
                ticks = [ipi] * 4 + [ipi * 10]
                write(f"{t}/s{seed}.log",
                      self.boot_log(ticks, [20480] * 5, 1605, 0))
                write(f"{t}/p{seed}.log",
                      self.boot_log(ticks, [10240] * 5, 0, 1605))
                args += ["--log", f"stock={t}/s{seed}.log",
                         "--log", f"project={t}/p{seed}.log"]
            r = sh(os.path.join(SCRIPTS, "bench-workload.py"), "--out",
                   f"{t}/out", "--micro", f"{t}/micro.csv", *args)
            self.assertEqual(r.returncode, 0, r.stdout)
            with open(f"{t}/out/workload.csv") as f:
                rows = {(x["entry"], x["op"]): x for x in csv.DictReader(f)}
        ipi = rows[("workload-ipi", "ipi")]
        # Median of the boots' medians: 480000 ticks * 100 / 1000 ops.
        self.assertEqual(float(ipi["stock"]), 48000.0)
        # The seeds' spread: (49000 - 47000) / 48000.
        self.assertAlmostEqual(float(ipi["stock_spread"]), 0.0417, places=4)
        # 2 IPIs per round trip at 1500 (stock) / 800 (project).
        self.assertAlmostEqual(float(ipi["stock_sbi_share"]), 0.0625, places=4)
        self.assertEqual(float(ipi["stock_limit"]), 45000.0)
        hvc = rows[("workload-hvc0", "hvc0")]
        # 1605 DBCN calls over 321 KiB: 5 per KiB; the ring's cost on ours.
        self.assertEqual(float(hvc["project"]), 16000.0)
        self.assertEqual(float(hvc["project_sbi_calls"]), 5.0)
        self.assertAlmostEqual(float(hvc["project_sbi_share"]),
                               5 * 1500 / 16000, places=4)
        self.assertIn("| 64 KiB to hvc0 (console ring where offered) | KiB | "
                      "32000 | 16000 | 0.500 |", r.stdout)

    def test_missing_workload_fails(self):
        with tempfile.TemporaryDirectory() as t:
            write(f"{t}/x.log", "# workload-ipi: guest: bench op=ipi rep=0 "
                  "n=10 ticks=100 sbi=1 ipi=2\n")
            r = sh(os.path.join(SCRIPTS, "bench-workload.py"), "--out",
                   f"{t}/out", "--log", f"stock={t}/x.log",
                   "--log", f"project={t}/x.log")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no workload-munmap/munmap results", r.stdout)


class FirmwareTest(unittest.TestCase):
    """scripts/firmware.sh on a stand-in release with a stand-in build."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        t = self.tmp.name
        rel = f"{t}/rel/opensbi-1.9"
        write(f"{rel}/Makefile",
              "all:\n\tmkdir -p $(O)/platform/generic/firmware\n"
              "\tcat fw.txt > $(O)/platform/generic/firmware/fw_dynamic.bin\n")
        write(f"{rel}/fw.txt", "one\ntwo\nthree\n")
        self.tarball = f"{t}/opensbi-1.9.tar.xz"
        r = sh("tar", "-cJf", self.tarball, "-C", f"{t}/rel", "opensbi-1.9")
        self.assertEqual(r.returncode, 0, r.stdout)
        self.sha = sh("sha256sum", self.tarball).stdout.split()[0]
        self.pdir, self.out = f"{t}/patches", f"{t}/out"
        write(f"{self.pdir}/series", "# none\n")

    def tearDown(self):
        self.tmp.cleanup()

    def build(self, tarball=None, sha=None):
        return sh(os.path.join(SCRIPTS, "firmware.sh"), tarball or self.tarball,
                  sha or self.sha, self.pdir, self.out, "none-", "1")

    def fw(self):
        return read(f"{self.out}/fw_dynamic.bin")

    def patch(self, name, old, new):
        write(f"{self.pdir}/{name}",
              "--- a/fw.txt\n+++ b/fw.txt\n@@ -1,3 +1,3 @@\n"
              f" one\n-{old}\n+{new}\n three\n")

    def test_missing_tarball_says_where_to_get_it(self):
        r = self.build(tarball=self.tarball + ".nope")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("OPENSBI_TARBALL=", r.stdout)
        self.assertEqual(len(r.stdout.strip().splitlines()), 1, r.stdout)

    def test_wrong_sha256_is_refused(self):
        r = self.build(sha="0" * 64)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("sha256", r.stdout)
        self.assertFalse(os.path.exists(f"{self.out}/fw_dynamic.bin"))

    def test_changed_and_dropped_patch_rebuild_from_the_release(self):
        self.assertEqual(self.build().returncode, 0)
        self.assertEqual(self.fw(), "one\ntwo\nthree\n")
        self.patch("0001-x.patch", "two", "TWO")
        write(f"{self.pdir}/series", "0001-x.patch\n")
        r = self.build()
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(self.fw(), "one\nTWO\nthree\n")
        # Changed: applied to the release again, not on top of the old one.
        self.patch("0001-x.patch", "two", "2")
        r = self.build()
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertEqual(self.fw(), "one\n2\nthree\n")
        write(f"{self.pdir}/series", "\n")
        self.assertEqual(self.build().returncode, 0)
        self.assertEqual(self.fw(), "one\ntwo\nthree\n")

    def test_reject_fails_loudly_and_leaves_no_tree(self):
        self.patch("0001-bad.patch", "not-there", "x")
        write(f"{self.pdir}/series", "0001-bad.patch\n")
        r = self.build()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("0001-bad.patch does not apply", r.stdout)
        self.assertFalse(os.path.exists(f"{self.out}/src"))

    def test_series_naming_a_missing_patch_fails(self):
        write(f"{self.pdir}/series", "0009-missing.patch\n")
        r = self.build()
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("0009-missing.patch", r.stdout)


class ConformTest(unittest.TestCase):
    """scripts/conform.py: TAP parsing, boot modes, deviations kept exact."""

    MAIN = ["TAP version 13", "# probe_extension(dbcn) = 1",
            "ok 1 base: a # got 1", "not ok 2 ipi: b # got FAILED (-1)",
            "ok 3 sta: c # SKIP not probed", "1..3",
            "1 passed, 1 failed, 1 skipped"]

    def runs(self, main=None, modes=None):
        r = {m: ([], o) for m, _, (o, *_) in conform.MODES}
        r["main"] = (main if main is not None else self.MAIN, "shutdown")
        r["srst-reserved-reason"] = (
            ["ok 1 srst: system_reset(shutdown, reserved reason 2)"], "shutdown")
        r.update(modes or {})
        return r

    def check(self, res, devs):
        with tempfile.TemporaryDirectory() as t:
            conform.save(t, res)
            write(f"{t}/dev", devs)
            cmd = [os.path.join(SCRIPTS, "conform.py"), "check", "--impl",
                   res["name"], "--logdir", t, "--deviations", f"{t}/dev"]
            return sh(*cmd)

    def test_parse(self):
        res = conform.result("x", self.runs())
        self.assertEqual(res["checks"]["base: a"], ["ok", "got 1"])
        self.assertEqual(res["checks"]["ipi: b"][0], "FAIL")
        self.assertEqual(res["checks"]["sta: c"][0], "skip")
        self.assertEqual(res["checks"]["suite: the main run completes"][0], "ok")
        self.assertEqual(res["probes"], {"dbcn": 1})
        self.assertEqual(res["checks"]["srst: system_reset(cold reboot) reboots"][0], "ok")

    def test_wrong_outcome_and_missing_closing_line_fail(self):
        res = conform.result("x", self.runs(
            main=self.MAIN[:-1],
            modes={"srst-cold-reboot": ([], "shutdown"),
                   "srst-reserved-reason": ([], "shutdown")}))
        self.assertEqual(res["checks"]["suite: the main run completes"][0], "FAIL")
        self.assertEqual(res["checks"]["srst: system_reset(cold reboot) reboots"],
                         ["FAIL", "shutdown"])
        self.assertEqual(
            res["checks"]["srst: system_reset(shutdown, reserved reason 2)"][0], "FAIL")

    def test_undocumented_failure_fails(self):
        r = self.check(conform.result("x", self.runs()), "")
        self.assertEqual(r.returncode, 1)
        self.assertIn("undocumented failure: ipi: b", r.stdout)

    def test_documented_deviation_passes(self):
        r = self.check(conform.result("x", self.runs()), "x | ipi: b | why\n")
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("1 documented deviations", r.stdout)

    def test_stale_deviation_fails(self):
        r = self.check(conform.result("x", self.runs()),
                       "x | ipi: b | why\nx | base: a | it passes now\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn("listed in deviations but ok: base: a", r.stdout)

    def test_kvm_log(self):
        log = "".join("# vmm-conform: conform: %s: %s\n" % (m, l)
                      for m, _, _ in conform.MODES for l in
                      (self.MAIN if m == "main" else []) +
                      ["exit %d" % (2 if "reboot" in m else 0)])
        with tempfile.TemporaryDirectory() as t:
            write(f"{t}/host.log", log)
            r = sh(os.path.join(SCRIPTS, "conform.py"), "kvm-log", "--impl",
                   f"k={t}/host.log", "--logdir", t)
            self.assertEqual(r.returncode, 0, r.stderr)
            res = conform.load(t, ["k"])[0]
        self.assertEqual(res["modes"]["srst-warm-reboot"], "reboot")
        self.assertEqual(res["checks"]["ipi: b"][0], "FAIL")


class TapResult(unittest.TextTestResult):
    """Collects (ok, name, detail) for the TAP file."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.rows = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.rows.append((True, test.id(), ""))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.rows.append((False, test.id(), str(err[1]).splitlines()[0]))

    def addError(self, test, err):
        super().addError(test, err)
        self.rows.append((False, test.id(), "error: " + str(err[1])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tap", required=True)
    args = ap.parse_args()
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])
    result = unittest.TextTestRunner(resultclass=TapResult, verbosity=0,
                                     stream=sys.stdout).run(suite)
    with open(args.tap, "w") as f:
        f.write(f"TAP version 13\n1..{len(result.rows)}\n")
        for i, (ok, name, detail) in enumerate(result.rows, 1):
            name = "scripts/" + name.replace("__main__.", "")
            f.write(f"{'ok' if ok else 'not ok'} {i} {name}"
                    + (f" # {detail}" if detail else "") + "\n")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
