// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_fastpath_test - the SBI fast path (kvm.sbi_fastpath).
 *
 * Hot SBI calls (BASE, TIME set_timer, HSM hart_get_status, IPI send_ipi)
 * are answered inside the world switch and the guest re-entered at once.
 * Checked here, flipping the module parameters at run time (the original
 * values are restored at exit):
 *
 * - equivalence: with sbi_fastpath=N and =Y the guest gets the same
 *   answers (error, value, a2-a7 untouched) from every BASE function, some
 *   probes (a probe of the vendor range reaches the VMM exactly once: the
 *   fast path hands it to the normal path), hart_get_status of itself,
 *   of a stopped vCPU and of absent harts, send_ipi with valid and
 *   invalid masks, one that wraps past the top hart ID (and whether the IPI
 *   arrives), set_timer with past and far deadlines (whether the timer
 *   interrupt is taken); also on a VM with an SBI policy;
 * - hammer: three vCPUs in a tight loop of fast calls while the host signals
 *   their threads (each signal must make KVM_RUN return -EINTR promptly)
 *   and uses immediate_exit; no self-IPI may be lost;
 * - a timer armed 10 ms ahead is taken on time while the vCPU spins on
 *   fast calls;
 * - sbi_fastpath_null_eid: that EID returns a0 = a1 = 0 and the guest
 *   goes on after the ecall; back at 0, the EID is NOT_SUPPORTED;
 * - the host's guest-timer path (Sstc or hrtimer) is the one the
 *   environment variable SBI_TEST_HOST_TIMER names: `make check` runs
 *   this test on a host of each kind;
 * - which path each call took, from the sbi_fast and sbi_calls_* stats
 *   and the kvm_sbi_call trace events, which must agree: hart_get_status
 *   and 16-hart IPIs fast, 17-hart and broadcast IPIs and everything with
 *   sbi_fastpath=N on the normal path; kvm_exit shows every ecall exit.
 *
 * Each check group runs in its own process with its own VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <asm/kvm_sbi_policy.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "sbi.h"
#include "test_util.h"
#include "ucall_common.h"

#define BASE_GET_MVENDORID		4
#define BASE_GET_MARCHID		5
#define BASE_GET_MIMPID			6
#define HSM_HART_GET_STATUS		2
#define HSM_STARTED			0
#define HSM_STOPPED			1

#define SBI_SPEC_VERSION_3_0		0x03000000UL
#define SBI_IMPID_KVM			3

/* An EID no extension uses: the null floor's EID in these tests. */
#define NULL_EID			0x0A5A5A5AUL

/* Machine IDs given to the vCPU, so that the answers are not all zero. */
#define TEST_MVENDORID			0x5a5UL
#define TEST_MARCHID			0x8000000000001234UL
#define TEST_MIMPID			0x777UL

#define ARG_PATTERN(n)			(0xa5a50000f00d0000UL | (n) * 0x101UL)

#define MARGIN_MS			20	/* timer margin, nested TCG */
#define WAIT_MS				1000

#define HAMMER_VCPUS			3
#define HAMMER_MS			3000
#define HAMMER_MIN_CALLS		4000	/* per vCPU */
#define SIGNAL_BOUND_MS			1000
#define IMMEDIATE_BOUND_MS		200

#define TIMER_ROUNDS			5
#define NULL_CALLS			1000

#define PARAM_DIR			"/sys/module/kvm/parameters/"
#define P_FAST				"sbi_fastpath"
#define P_NULL				"sbi_fastpath_null_eid"

/* ---- module parameters (host) ---- */

static const char * const param_names[] = { P_FAST, P_NULL };
static char param_saved[2][32];
static bool param_have[2];
static pid_t main_pid;

static int param_read(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int param_write(const char *name, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/* Write @val and read it back. */
static void param_set(const char *name, const char *val)
{
	char back[32];
	int rc;

	rc = param_write(name, val);
	TEST_ASSERT(!rc, "writing '%s' to " PARAM_DIR "%s: %s", val, name, strerror(-rc));
	rc = param_read(name, back, sizeof(back));
	TEST_ASSERT(!rc && !strcmp(back, val), PARAM_DIR "%s reads '%s' after writing '%s'",
		    name, rc ? "(error)" : back, val);
}

static void set_fastpath(bool on)
{
	param_set(P_FAST, on ? "Y" : "N");
}

/* Only in a kernel with CONFIG_KVM_RISCV_SBI_BENCH (the bench's). */
static void set_null_eid(unsigned long eid)
{
	char val[32];

	if (!param_have[1])
		return;

	snprintf(val, sizeof(val), "%lu", eid);
	param_set(P_NULL, val);
}

static void params_save(void)
{
	int i;

	for (i = 0; i < 2; i++)
		param_have[i] = !param_read(param_names[i], param_saved[i],
					    sizeof(param_saved[i]));
}

/* atexit(): in the parent and in every group process. */
static void params_restore(void)
{
	char cur[32];
	int i;

	for (i = 0; i < 2; i++) {
		if (!param_have[i])
			continue;
		param_write(param_names[i], param_saved[i]);
		if (getpid() != main_pid)
			continue;
		if (param_read(param_names[i], cur, sizeof(cur)) || strcmp(cur, param_saved[i]))
			ksft_print_msg("could not restore %s to '%s'\n",
				       param_names[i], param_saved[i]);
		else
			ksft_print_msg("%s restored to '%s'\n", param_names[i], cur);
	}
}

/*
 * In a group: skip unless sbi_fastpath exists and can be written (the null
 * EID's parameter, a bench-only option, is used if the kernel has it).
 */
static void params_require(void)
{
	char path[128];
	int i;

	for (i = 0; i < 1 + param_have[1]; i++) {
		snprintf(path, sizeof(path), PARAM_DIR "%s", param_names[i]);
		if (!param_have[i] || access(path, W_OK)) {
			ksft_print_msg("%s missing or not writable\n", path);
			exit(KSFT_SKIP);
		}
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- guest helpers ---- */

/* Set by the host part. */
static unsigned long timer_freq;

/* Counted by the interrupt handler. */
static unsigned long ipi_count[HAMMER_VCPUS];
static unsigned long timer_irqs;
static unsigned long timer_taken_at;

static void delay_ms(unsigned long ms)
{
	sbi_test_wait_until(false, ms);
}

static struct sbiret call2(unsigned long eid, unsigned long fid,
			   unsigned long a0, unsigned long a1)
{
	return sbi_ecall(eid, fid, a0, a1, 0, 0, 0, 0);
}

static struct sbiret spec_version(void)
{
	return call2(SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION, 0, 0);
}

static struct sbiret hart_status(unsigned long hartid)
{
	return call2(SBI_EXT_HSM, HSM_HART_GET_STATUS, hartid, 0);
}

static struct sbiret set_timer(unsigned long when)
{
	return call2(SBI_EXT_TIME, 0, when, 0);
}

static struct sbiret send_ipi(unsigned long mask, unsigned long base)
{
	return call2(SBI_EXT_IPI, 0, mask, base);
}

static void irq_handler(struct ex_regs *regs)
{
	unsigned long irq = regs->cause & ~CAUSE_IRQ_FLAG;

	if (irq == IRQ_S_TIMER) {
		/* Stays pending until the next set_timer: mask it. */
		WRITE_ONCE(timer_taken_at, sbi_test_now());
		csr_clear(CSR_SIE, IE_TIE);
		WRITE_ONCE(timer_irqs, timer_irqs + 1);
		return;
	}
	__GUEST_ASSERT(irq == IRQ_S_SOFT, "unexpected interrupt %lu", irq);
	csr_clear(CSR_SIP, IE_SIE);
	__atomic_fetch_add(&ipi_count[guest_get_vcpuid()], 1, __ATOMIC_SEQ_CST);
}

/* ---- equivalence ---- */

enum check {
	C_SPEC_VERSION, C_IMPL_ID, C_IMPL_VERSION,
	C_MVENDORID, C_MARCHID, C_MIMPID,
	C_BASE_FID7, C_BASE_FID63, C_BASE_FID64, C_BASE_FID_ALL1,
	C_PROBE_BASE, C_PROBE_TIME, C_PROBE_IPI, C_PROBE_HSM, C_PROBE_NULL,
	C_PROBE_VENDOR,
	C_HSM_SELF, C_HSM_STOPPED, C_HSM_ABSENT, C_HSM_ABSENT_FAR, C_HSM_MINUS1,
	C_IPI_SELF, C_IPI_SELF_ARRIVED, C_IPI_ALL, C_IPI_ALL_ARRIVED,
	C_IPI_ABSENT, C_IPI_ABSENT_BASE, C_IPI_HIGH_BIT, C_IPI_WRAP,
	C_IPI_INVALID_ARRIVED,
	C_TIMER_PAST, C_TIMER_PAST_TAKEN,
	C_TIMER_FAR, C_TIMER_FAR_TAKEN,
	C_TIMER_NOW, C_TIMER_NOW_TAKEN,
	C_TIMER_MAX, C_TIMER_MAX_TAKEN,
	NR_CHECKS
};

struct answer {
	long err;
	long val;
	bool seen;
	bool regs_ok;	/* a2-a7 came back as they went in */
};

/* Guest: phase 0 with sbi_fastpath=N, phase 1 with =Y. */
static struct answer answers[2][NR_CHECKS];
static long canary[2];
static int phase;

static void record(enum check c, long err, long val, bool regs_ok)
{
	answers[phase][c] = (struct answer){ err, val, true, regs_ok };
}

static void record_bool(enum check c, long val)
{
	record(c, 0, val, true);
}

/* One call; records a0, a1 and whether a2-a7 survived. */
static void record_call(enum check c, unsigned long eid, unsigned long fid,
			unsigned long arg0, unsigned long arg1)
{
	unsigned long in[8] = { arg0, arg1, ARG_PATTERN(2), ARG_PATTERN(3),
				ARG_PATTERN(4), ARG_PATTERN(5), fid, eid };
	unsigned long r[8];
	bool ok = true;
	int i;

	for (i = 0; i < 8; i++)
		r[i] = in[i];
	sbi_ecall_regs(r);
	for (i = 2; i < 8; i++)
		ok &= r[i] == in[i];
	record(c, r[0], r[1], ok);
}

/* IPIs that arrived since @before, waiting for @want, then settling. */
static long ipis_since(unsigned long before, unsigned long want)
{
	if (want)
		sbi_test_wait_until(READ_ONCE(ipi_count[0]) - before >= want, WAIT_MS);
	delay_ms(MARGIN_MS);
	return READ_ONCE(ipi_count[0]) - before;
}

/* Is a timer interrupt taken within MARGIN_MS once sie.STIE is set? */
static bool timer_taken(void)
{
	unsigned long before = READ_ONCE(timer_irqs);
	bool taken;

	csr_set(CSR_SIE, IE_TIE);
	taken = sbi_test_wait_until(READ_ONCE(timer_irqs) != before, MARGIN_MS);
	csr_clear(CSR_SIE, IE_TIE);
	return taken;
}

static void equiv_checks(void)
{
	unsigned long before;

	record_call(C_SPEC_VERSION, SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION, 0, 0);
	record_call(C_IMPL_ID, SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_ID, 0, 0);
	record_call(C_IMPL_VERSION, SBI_EXT_BASE, SBI_EXT_BASE_GET_IMP_VERSION, 0, 0);
	record_call(C_MVENDORID, SBI_EXT_BASE, BASE_GET_MVENDORID, 0, 0);
	record_call(C_MARCHID, SBI_EXT_BASE, BASE_GET_MARCHID, 0, 0);
	record_call(C_MIMPID, SBI_EXT_BASE, BASE_GET_MIMPID, 0, 0);
	/* FIDs that are not fast: past the table, past the fast_fids bits. */
	record_call(C_BASE_FID7, SBI_EXT_BASE, 7, 0, 0);
	record_call(C_BASE_FID63, SBI_EXT_BASE, 63, 0, 0);
	record_call(C_BASE_FID64, SBI_EXT_BASE, 64, 0, 0);
	record_call(C_BASE_FID_ALL1, SBI_EXT_BASE, -1UL, 0, 0);

	record_call(C_PROBE_BASE, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_BASE, 0);
	record_call(C_PROBE_TIME, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_TIME, 0);
	record_call(C_PROBE_IPI, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_IPI, 0);
	record_call(C_PROBE_HSM, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_HSM, 0);
	record_call(C_PROBE_NULL, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, NULL_EID, 0);
	/*
	 * The VMM implements the vendor range: without a policy the probe is
	 * forwarded to it (a fast function asking for the normal path); with
	 * the test's policy forwarding the range, KVM answers 1.
	 */
	record_call(C_PROBE_VENDOR, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
		    SBI_EXT_VENDOR_START, 0);

	record_call(C_HSM_SELF, SBI_EXT_HSM, HSM_HART_GET_STATUS, 0, 0);
	record_call(C_HSM_STOPPED, SBI_EXT_HSM, HSM_HART_GET_STATUS, 1, 0);
	record_call(C_HSM_ABSENT, SBI_EXT_HSM, HSM_HART_GET_STATUS, 2, 0);
	record_call(C_HSM_ABSENT_FAR, SBI_EXT_HSM, HSM_HART_GET_STATUS, 1000, 0);
	record_call(C_HSM_MINUS1, SBI_EXT_HSM, HSM_HART_GET_STATUS, -1UL, 0);

	csr_set(CSR_SIE, IE_SIE);
	local_irq_enable();
	before = READ_ONCE(ipi_count[0]);
	record_call(C_IPI_SELF, SBI_EXT_IPI, 0, 0x1, 0);
	record_bool(C_IPI_SELF_ARRIVED, ipis_since(before, 1));
	before = READ_ONCE(ipi_count[0]);
	record_call(C_IPI_ALL, SBI_EXT_IPI, 0, 0, -1UL);
	record_bool(C_IPI_ALL_ARRIVED, ipis_since(before, 1));
	before = READ_ONCE(ipi_count[0]);
	record_call(C_IPI_ABSENT, SBI_EXT_IPI, 0, 0x5, 0);
	record_call(C_IPI_ABSENT_BASE, SBI_EXT_IPI, 0, 0x1, 2);
	record_call(C_IPI_HIGH_BIT, SBI_EXT_IPI, 0, 0x1 | 1UL << 63, 0);
	/* Harts -2, -1 and then 0, which exists: the walk must not wrap. */
	record_call(C_IPI_WRAP, SBI_EXT_IPI, 0, 0x4, -2UL);
	record_bool(C_IPI_INVALID_ARRIVED, ipis_since(before, 0));

	/* Past deadline: taken at once; far ones: the pending one cleared. */
	record_call(C_TIMER_PAST, SBI_EXT_TIME, 0, 0, 0);
	record_bool(C_TIMER_PAST_TAKEN, timer_taken());
	record_call(C_TIMER_FAR, SBI_EXT_TIME, 0, sbi_test_now() + 100 * timer_freq, 0);
	record_bool(C_TIMER_FAR_TAKEN, timer_taken());
	record_call(C_TIMER_NOW, SBI_EXT_TIME, 0, sbi_test_now(), 0);
	record_bool(C_TIMER_NOW_TAKEN, timer_taken());
	record_call(C_TIMER_MAX, SBI_EXT_TIME, 0, -1UL, 0);
	record_bool(C_TIMER_MAX_TAKEN, timer_taken());
	local_irq_disable();
}

static void guest_equiv(void)
{
	unsigned long r[8];

	for (phase = 0; phase < 2; phase++) {
		GUEST_SYNC(phase);
		/* The null EID shows whether the parameter took effect. */
		memset(r, 0, sizeof(r));
		r[0] = 0x1111;
		r[7] = NULL_EID;
		sbi_ecall_regs(r);
		canary[phase] = r[0];
		equiv_checks();
	}
	GUEST_DONE();
}

/* ---- hammer ---- */

static bool hammer_stop;
static unsigned long progress[HAMMER_VCPUS];	/* fast calls made */
static unsigned long ipi_sent[HAMMER_VCPUS];

static void guest_hammer(void)
{
	uint32_t id = guest_get_vcpuid();
	unsigned long calls = 0, sent = 0;
	struct sbiret ret;
	long spec;

	ret = spec_version();
	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
	spec = ret.value;

	csr_set(CSR_SIE, IE_SIE);
	local_irq_enable();
	while (!READ_ONCE(hammer_stop)) {
		ret = spec_version();
		__GUEST_ASSERT(!ret.error && ret.value == spec,
			       "vCPU %u call %lu: spec version %ld/%#lx, want 0/%#lx",
			       id, calls, ret.error, ret.value, spec);
		ret = hart_status(id);
		__GUEST_ASSERT(!ret.error && ret.value == HSM_STARTED,
			       "vCPU %u call %lu: own status %ld/%ld", id, calls,
			       ret.error, ret.value);
		ret = set_timer(sbi_test_now() + 100 * timer_freq);
		__GUEST_ASSERT(!ret.error, "vCPU %u call %lu: set_timer error %ld",
			       id, calls, ret.error);
		ret = send_ipi(1UL << id, 0);
		__GUEST_ASSERT(!ret.error, "vCPU %u call %lu: send_ipi error %ld",
			       id, calls, ret.error);
		sent++;
		calls += 4;
		WRITE_ONCE(ipi_sent[id], sent);
		WRITE_ONCE(progress[id], calls);
	}
	__GUEST_ASSERT(sbi_test_wait_until(READ_ONCE(ipi_count[id]) == sent, WAIT_MS),
		       "vCPU %u: %lu of %lu self-IPIs arrived", id,
		       READ_ONCE(ipi_count[id]), sent);
	delay_ms(MARGIN_MS);
	GUEST_DONE();
}

/* ---- timer under the fast path ---- */

static unsigned long spin_late_max, spin_calls_min = -1UL;

static void guest_timer_spin(void)
{
	unsigned long before, deadline, end, calls, late;
	struct sbiret ret;
	int i;

	local_irq_enable();
	for (i = 0; i < TIMER_ROUNDS; i++) {
		before = READ_ONCE(timer_irqs);
		calls = 0;
		deadline = sbi_test_now() + timer_freq / 100;
		/* Then STIE: the last round's interrupt is pending until now. */
		GUEST_ASSERT_EQ(set_timer(deadline).error, SBI_SUCCESS);
		csr_set(CSR_SIE, IE_TIE);
		end = deadline + timer_freq;
		while (READ_ONCE(timer_irqs) == before && sbi_test_now() < end) {
			ret = spec_version();
			__GUEST_ASSERT(!ret.error, "spec version: error %ld", ret.error);
			calls++;
		}
		__GUEST_ASSERT(READ_ONCE(timer_irqs) != before,
			       "round %d: timer 10 ms ahead not taken within 1 s (%lu calls)",
			       i, calls);
		__GUEST_ASSERT(timer_taken_at >= deadline,
			       "round %d: timer taken %lu ticks before its deadline",
			       i, deadline - timer_taken_at);
		late = timer_taken_at - deadline;
		__GUEST_ASSERT(late <= timer_freq * MARGIN_MS / 1000,
			       "round %d: timer taken %lu us late (margin %d ms, %lu calls)",
			       i, late * 1000000 / timer_freq, MARGIN_MS, calls);
		__GUEST_ASSERT(calls > 0, "round %d: no fast call while waiting", i);
		if (late > spin_late_max)
			spin_late_max = late;
		if (calls < spin_calls_min)
			spin_calls_min = calls;
	}
	GUEST_ASSERT_EQ(set_timer(-1UL).error, SBI_SUCCESS);
	GUEST_DONE();
}

/* ---- null floor ---- */

static void null_call(unsigned long eid, unsigned long fid, long want_a0,
		      bool check_a1, const char *what)
{
	unsigned long in[8] = { ARG_PATTERN(0), ARG_PATTERN(1), ARG_PATTERN(2),
				ARG_PATTERN(3), ARG_PATTERN(4), ARG_PATTERN(5),
				fid, eid };
	unsigned long r[8], after;
	int i;

	for (i = 0; i < 8; i++)
		r[i] = in[i];
	after = sbi_ecall_counted(r);
	__GUEST_ASSERT(after == 1,
		       "%s: EID %#lx FID %#lx: the instruction after the ecall ran %lu times",
		       what, eid, fid, after);
	__GUEST_ASSERT((long)r[0] == want_a0, "%s: EID %#lx FID %#lx: a0 = %ld, want %ld",
		       what, eid, fid, (long)r[0], want_a0);
	__GUEST_ASSERT(!check_a1 || r[1] == 0, "%s: EID %#lx FID %#lx: a1 = %#lx, want 0",
		       what, eid, fid, r[1]);
	for (i = 2; i < 8; i++)
		__GUEST_ASSERT(r[i] == in[i], "%s: EID %#lx FID %#lx: a%d changed to %#lx",
			       what, eid, fid, i, r[i]);
}

static void guest_null(void)
{
	unsigned long i;

	for (i = 0; i < NULL_CALLS; i++)
		null_call(NULL_EID, i, 0, true, "null EID set");
	null_call(NULL_EID, -1UL, 0, true, "null EID set");
	/* Only that EID. */
	null_call(NULL_EID + 1, 0, SBI_ERR_NOT_SUPPORTED, false, "null EID set, other EID");
	GUEST_SYNC(1);
	null_call(NULL_EID, 0, SBI_ERR_NOT_SUPPORTED, false, "null EID 0");
	null_call(NULL_EID, 5, SBI_ERR_NOT_SUPPORTED, false, "null EID 0");
	GUEST_DONE();
}

/* ---- host side ---- */

static struct kvm_vm *create_vm(int nr, void *guest, struct kvm_vcpu **vcpus)
{
	struct kvm_vm *vm;
	int i;

	vm = vm_create_with_vcpus(nr, guest, vcpus);
	vm_init_vector_tables(vm);
	vm_install_interrupt_handler(vm, irq_handler);
	for (i = 0; i < nr; i++)
		vcpu_init_vector_tables(vcpus[i]);
	vcpu_get_reg(vcpus[0], RISCV_TIMER_REG(frequency), &timer_freq);
	sync_global_to_guest(vm, timer_freq);
	return vm;
}

static void unexpected_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	TEST_FAIL("vCPU %u: unexpected exit %s (SBI EID %#llx FID %#llx)",
		  vcpu->id, exit_reason_str(run->exit_reason),
		  (unsigned long long)run->riscv_sbi.extension_id,
		  (unsigned long long)run->riscv_sbi.function_id);
}

/* The VMM's answer to a forwarded probe of its vendor range. */
#define VMM_PROBE_ANSWER		0x5e
static int probes_forwarded;

/* A forwarded BASE call: the vendor probe is answered, others fail. */
static void vmm_answer(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->riscv_sbi.function_id != SBI_EXT_BASE_PROBE_EXT ||
	    run->riscv_sbi.args[0] != SBI_EXT_VENDOR_START)
		unexpected_exit(vcpu);
	run->riscv_sbi.ret[0] = 0;
	run->riscv_sbi.ret[1] = VMM_PROBE_ANSWER;
	probes_forwarded++;
}

/* Run @vcpu to GUEST_DONE; @sync (may be NULL) handles GUEST_SYNC. */
static void run_to_done(struct kvm_vcpu *vcpu, void (*sync)(uint64_t arg))
{
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == KVM_EXIT_RISCV_SBI &&
		    vcpu->run->riscv_sbi.extension_id == SBI_EXT_BASE) {
			vmm_answer(vcpu);
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			return;
		case UCALL_SYNC:
			TEST_ASSERT(sync, "unexpected GUEST_SYNC(%lu)", uc.args[1]);
			sync(uc.args[1]);
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			unexpected_exit(vcpu);
		}
	}
}

struct expect {
	const char *name;
	long err;
	long val;
	bool any_val;
};

/* Value @v; for E_ERR any value, as long as both paths agree on it. */
#define E(c, e, v) \
	[c] = { #c, e, v, false }
#define E_ERR(c, e) \
	[c] = { #c, e, 0, true }

static void equiv_sync(uint64_t next_phase)
{
	TEST_ASSERT(next_phase < 2, "bad phase %lu", next_phase);
	set_fastpath(next_phase == 1);
}

/* Both phases answered as expected, and the same. */
static void check_answers(bool policy, const unsigned long ids[3])
{
	const struct expect ex[NR_CHECKS] = {
		E(C_SPEC_VERSION, 0, SBI_SPEC_VERSION_3_0),
		E(C_IMPL_ID, 0, SBI_IMPID_KVM),
		E(C_IMPL_VERSION, 0, sbi_test_linux_version_code()),
		E(C_MVENDORID, 0, ids[0]),
		E(C_MARCHID, 0, ids[1]),
		E(C_MIMPID, 0, ids[2]),
		E_ERR(C_BASE_FID7, SBI_ERR_NOT_SUPPORTED),
		E_ERR(C_BASE_FID63, SBI_ERR_NOT_SUPPORTED),
		E_ERR(C_BASE_FID64, SBI_ERR_NOT_SUPPORTED),
		E_ERR(C_BASE_FID_ALL1, SBI_ERR_NOT_SUPPORTED),
		E(C_PROBE_BASE, 0, 1),
		E(C_PROBE_TIME, 0, 1),
		E(C_PROBE_IPI, 0, 1),
		E(C_PROBE_HSM, 0, 1),
		E(C_PROBE_NULL, 0, 0),
		E(C_PROBE_VENDOR, 0, policy ? 1 : VMM_PROBE_ANSWER),
		E(C_HSM_SELF, 0, HSM_STARTED),
		E(C_HSM_STOPPED, 0, HSM_STOPPED),
		E_ERR(C_HSM_ABSENT, SBI_ERR_INVALID_PARAM),
		E_ERR(C_HSM_ABSENT_FAR, SBI_ERR_INVALID_PARAM),
		E_ERR(C_HSM_MINUS1, SBI_ERR_INVALID_PARAM),
		E(C_IPI_SELF, 0, 0),
		E(C_IPI_SELF_ARRIVED, 0, 1),
		E(C_IPI_ALL, 0, 0),
		E(C_IPI_ALL_ARRIVED, 0, 1),
		E_ERR(C_IPI_ABSENT, SBI_ERR_INVALID_PARAM),
		E_ERR(C_IPI_ABSENT_BASE, SBI_ERR_INVALID_PARAM),
		E_ERR(C_IPI_HIGH_BIT, SBI_ERR_INVALID_PARAM),
		E_ERR(C_IPI_WRAP, SBI_ERR_INVALID_PARAM),
		E(C_IPI_INVALID_ARRIVED, 0, 0),
		E(C_TIMER_PAST, 0, 0),
		E(C_TIMER_PAST_TAKEN, 0, 1),
		E(C_TIMER_FAR, 0, 0),
		E(C_TIMER_FAR_TAKEN, 0, 0),
		E(C_TIMER_NOW, 0, 0),
		E(C_TIMER_NOW_TAKEN, 0, 1),
		E(C_TIMER_MAX, 0, 0),
		E(C_TIMER_MAX_TAKEN, 0, 0),
	};
	int i, p, bad = 0;

	/* One forwarded probe per phase, not two, in the VM without policy. */
	if (probes_forwarded != (policy ? 0 : 2)) {
		ksft_print_msg("%d probes forwarded to the VMM, want %d\n",
			       probes_forwarded, policy ? 0 : 2);
		bad++;
	}

	/*
	 * The parameter really switched the fast path (the null floor, in a
	 * bench kernel; test_trace_paths() shows it on the product kernel).
	 */
	if (param_have[1] && (canary[0] != SBI_ERR_NOT_SUPPORTED || canary[1] != 0)) {
		ksft_print_msg("null EID: a0 = %ld with N (want %d), %ld with Y (want 0)\n",
			       canary[0], SBI_ERR_NOT_SUPPORTED, canary[1]);
		bad++;
	}

	for (i = 0; i < NR_CHECKS; i++) {
		const struct answer *a[2] = { &answers[0][i], &answers[1][i] };

		TEST_ASSERT(ex[i].name, "check %d has no expectation", i);
		for (p = 0; p < 2; p++) {
			const char *mode = p ? "sbi_fastpath=Y" : "sbi_fastpath=N";

			if (!a[p]->seen) {
				ksft_print_msg("%s: %s: not run\n", ex[i].name, mode);
				bad++;
				continue;
			}
			if (!a[p]->regs_ok) {
				ksft_print_msg("%s: %s: a2-a7 changed\n", ex[i].name, mode);
				bad++;
			}
			if (a[p]->err != ex[i].err || (!ex[i].any_val && a[p]->val != ex[i].val)) {
				ksft_print_msg("%s: %s: %ld/%#lx, want %ld/%#lx%s\n",
					       ex[i].name, mode, a[p]->err, a[p]->val,
					       ex[i].err, ex[i].val,
					       ex[i].any_val ? " (any value)" : "");
				bad++;
			}
		}
		if (a[0]->err != a[1]->err || a[0]->val != a[1]->val) {
			ksft_print_msg("%s: N gives %ld/%#lx, Y gives %ld/%#lx\n", ex[i].name,
				       a[0]->err, a[0]->val, a[1]->err, a[1]->val);
			bad++;
		}
	}
	TEST_ASSERT(!bad, "%d wrong or differing answers", bad);
}

static void add_vendor_forward_policy(struct kvm_vm *vm)
{
	struct kvm_riscv_sbi_policy_entry e = {
		.eid_base = SBI_EXT_VENDOR_START, .eid_count = 1,
		.action = KVM_RISCV_SBI_POLICY_FORWARD,
	};
	struct kvm_riscv_sbi_policy pol = {
		.nr_entries = 1, .entries = (uintptr_t)&e,
	};
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_POLICY,
		.attr = KVM_RISCV_VM_SBI_POLICY_ADD,
		.addr = (uintptr_t)&pol,
	};

	TEST_ASSERT(!ioctl(vm->fd, KVM_SET_DEVICE_ATTR, &attr),
		    "adding the SBI policy: %s", strerror(errno));
}

static void test_equivalence(bool policy)
{
	const uint64_t id_regs[3] = {
		RISCV_CONFIG_REG(mvendorid), RISCV_CONFIG_REG(marchid),
		RISCV_CONFIG_REG(mimpid),
	};
	const unsigned long id_vals[3] = { TEST_MVENDORID, TEST_MARCHID, TEST_MIMPID };
	struct kvm_mp_state mps = { .mp_state = KVM_MP_STATE_STOPPED };
	struct kvm_vcpu *vcpus[2];
	unsigned long ids[3];
	struct kvm_vm *vm;
	int i;

	params_require();
	if (policy && !kvm_check_cap(KVM_CAP_RISCV_SBI_POLICY)) {
		ksft_print_msg("no KVM_CAP_RISCV_SBI_POLICY\n");
		exit(KSFT_SKIP);
	}
	set_null_eid(NULL_EID);

	vm = create_vm(2, guest_equiv, vcpus);
	vcpu_mp_state_set(vcpus[1], &mps);
	for (i = 0; i < 3; i++) {
		/* Not every host lets these be set: then use what they are. */
		__vcpu_set_reg(vcpus[0], id_regs[i], id_vals[i]);
		vcpu_get_reg(vcpus[0], id_regs[i], &ids[i]);
	}
	if (policy)
		add_vendor_forward_policy(vm);
	probes_forwarded = 0;

	run_to_done(vcpus[0], equiv_sync);
	sync_global_from_guest(vm, answers);
	sync_global_from_guest(vm, canary);
	kvm_vm_free(vm);

	check_answers(policy, ids);
}

static void test_equivalence_plain(void)
{
	test_equivalence(false);
}

static void test_equivalence_policy(void)
{
	test_equivalence(true);
}

/* -- hammer -- */

struct hammer_vcpu {
	struct kvm_vcpu *vcpu;
	pthread_t thread;
	unsigned long *progress;	/* host view of progress[id] */
	unsigned long signals;		/* sent (written by the main thread) */
	unsigned long eintr;		/* -EINTR returns after a signal */
	unsigned long resumed;		/* EINTRs after which KVM_RUN was re-entered */
	unsigned long immediate;	/* immediate_exit checks done */
	uint64_t immediate_max_ns;
};

static struct hammer_vcpu hv[HAMMER_VCPUS];

static void sig_noop(int sig)
{
}

static void immediate_exit_check(struct hammer_vcpu *h)
{
	struct kvm_run *run = h->vcpu->run;
	unsigned long before = READ_ONCE(*h->progress);
	uint64_t t0, dt;
	int rc, err;

	WRITE_ONCE(run->immediate_exit, 1);
	t0 = now_ns();
	rc = __vcpu_run(h->vcpu);
	err = errno;
	dt = now_ns() - t0;
	WRITE_ONCE(run->immediate_exit, 0);

	TEST_ASSERT(rc == -1 && err == EINTR,
		    "vCPU %u: KVM_RUN with immediate_exit: rc %d errno %d, want -EINTR",
		    h->vcpu->id, rc, err);
	TEST_ASSERT(dt < IMMEDIATE_BOUND_MS * 1000000ULL,
		    "vCPU %u: KVM_RUN with immediate_exit took %lu ms",
		    h->vcpu->id, (unsigned long)(dt / 1000000));
	TEST_ASSERT(READ_ONCE(*h->progress) == before,
		    "vCPU %u: the guest ran in KVM_RUN with immediate_exit (%lu -> %lu calls)",
		    h->vcpu->id, before, READ_ONCE(*h->progress));
	if (dt > h->immediate_max_ns)
		h->immediate_max_ns = dt;
	h->immediate++;
}

static void *hammer_thread(void *arg)
{
	struct hammer_vcpu *h = arg;
	struct kvm_run *run = h->vcpu->run;
	unsigned long n, sent;
	struct ucall uc;
	int rc;

	for (;;) {
		rc = __vcpu_run(h->vcpu);
		if (rc == -1 && errno == EINTR) {
			n = __atomic_add_fetch(&h->eintr, 1, __ATOMIC_SEQ_CST);
			sent = __atomic_load_n(&h->signals, __ATOMIC_SEQ_CST);
			TEST_ASSERT(n <= sent, "vCPU %u: EINTR %lu after %lu signals",
				    h->vcpu->id, n, sent);
			TEST_ASSERT(run->exit_reason == KVM_EXIT_INTR,
				    "vCPU %u: -EINTR with exit reason %s",
				    h->vcpu->id, exit_reason_str(run->exit_reason));
			if (n % 3 == 0)
				immediate_exit_check(h);
			__atomic_store_n(&h->resumed, n, __ATOMIC_SEQ_CST);
			continue;
		}
		TEST_ASSERT(!rc, KVM_IOCTL_ERROR(KVM_RUN, rc));
		switch (get_ucall(h->vcpu, &uc)) {
		case UCALL_DONE:
			return NULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			unexpected_exit(h->vcpu);
		}
	}
}

/* Wait up to @ms for *@p to equal @v (@eq) or to differ from it (!@eq). */
static bool poll_ul(unsigned long *p, unsigned long v, bool eq, unsigned int ms,
		    uint64_t *took)
{
	uint64_t t0 = now_ns(), end = t0 + ms * 1000000ULL;
	unsigned long cur;

	for (;;) {
		cur = __atomic_load_n(p, __ATOMIC_SEQ_CST);
		if (eq ? cur == v : cur != v)
			break;
		if (now_ns() > end)
			return false;
		usleep(100);
	}
	if (took)
		*took = now_ns() - t0;
	return true;
}

static void test_hammer(void)
{
	struct sigaction sa = { .sa_handler = sig_noop };
	struct kvm_vcpu *vcpus[HAMMER_VCPUS];
	unsigned long total_signals = 0, sent[HAMMER_VCPUS], got[HAMMER_VCPUS];
	uint64_t deadline, took = 0, lat_max = 0;
	bool *stop;
	struct kvm_vm *vm;
	int i;

	params_require();
	set_fastpath(true);
	set_null_eid(0);

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART */
	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");

	vm = create_vm(HAMMER_VCPUS, guest_hammer, vcpus);
	stop = addr_gva2hva(vm, (vm_vaddr_t)&hammer_stop);
	for (i = 0; i < HAMMER_VCPUS; i++) {
		hv[i].vcpu = vcpus[i];
		hv[i].progress = addr_gva2hva(vm, (vm_vaddr_t)&progress[i]);
	}
	for (i = 0; i < HAMMER_VCPUS; i++)
		pthread_create(&hv[i].thread, NULL, hammer_thread, &hv[i]);

	deadline = now_ns() + HAMMER_MS * 1000000ULL;
	while (now_ns() < deadline) {
		/* Each vCPU back in the guest since its last EINTR. */
		for (i = 0; i < HAMMER_VCPUS; i++) {
			unsigned long p;

			TEST_ASSERT(poll_ul(&hv[i].resumed, hv[i].signals, true,
					    SIGNAL_BOUND_MS, NULL),
				    "vCPU %d: KVM_RUN not re-entered after EINTR %lu",
				    i, hv[i].signals);
			p = __atomic_load_n(hv[i].progress, __ATOMIC_SEQ_CST);
			TEST_ASSERT(poll_ul(hv[i].progress, p, false, SIGNAL_BOUND_MS, NULL),
				    "vCPU %d: no fast call within %d ms (%lu calls, %lu signals)",
				    i, SIGNAL_BOUND_MS, p, hv[i].signals);
		}
		usleep(rand() % 3000);
		for (i = 0; i < HAMMER_VCPUS; i++) {
			__atomic_add_fetch(&hv[i].signals, 1, __ATOMIC_SEQ_CST);
			TEST_ASSERT(!pthread_kill(hv[i].thread, SIGUSR1), "pthread_kill");
		}
		for (i = 0; i < HAMMER_VCPUS; i++) {
			TEST_ASSERT(poll_ul(&hv[i].eintr, hv[i].signals, true,
					    SIGNAL_BOUND_MS, &took),
				    "vCPU %d: signal %lu made no -EINTR within %d ms (%lu EINTRs, %lu calls)",
				    i, hv[i].signals, SIGNAL_BOUND_MS,
				    __atomic_load_n(&hv[i].eintr, __ATOMIC_SEQ_CST),
				    __atomic_load_n(hv[i].progress, __ATOMIC_SEQ_CST));
			if (took > lat_max)
				lat_max = took;
			total_signals++;
		}
	}
	for (i = 0; i < HAMMER_VCPUS; i++)
		TEST_ASSERT(poll_ul(&hv[i].resumed, hv[i].signals, true, SIGNAL_BOUND_MS, NULL),
			    "vCPU %d: KVM_RUN not re-entered after the last EINTR", i);
	__atomic_store_n(stop, true, __ATOMIC_SEQ_CST);
	for (i = 0; i < HAMMER_VCPUS; i++)
		pthread_join(hv[i].thread, NULL);

	sync_global_from_guest(vm, progress);
	sync_global_from_guest(vm, ipi_sent);
	sync_global_from_guest(vm, ipi_count);
	for (i = 0; i < HAMMER_VCPUS; i++) {
		sent[i] = ipi_sent[i];
		got[i] = ipi_count[i];
		ksft_print_msg("hammer vCPU %d: %lu fast calls, %lu/%lu self-IPIs\n",
			       i, progress[i], got[i], sent[i]);
		ksft_print_msg("vCPU %d: %lu signals, %lu EINTRs, %lu immediate exits (%lu us)\n",
			       i, hv[i].signals, hv[i].eintr, hv[i].immediate,
			       (unsigned long)(hv[i].immediate_max_ns / 1000));
		TEST_ASSERT(hv[i].eintr == hv[i].signals, "vCPU %d: %lu EINTRs for %lu signals",
			    i, hv[i].eintr, hv[i].signals);
		TEST_ASSERT(hv[i].immediate > 0, "vCPU %d: no immediate_exit check ran", i);
		TEST_ASSERT(got[i] == sent[i], "vCPU %d: %lu of %lu self-IPIs arrived",
			    i, got[i], sent[i]);
		TEST_ASSERT(progress[i] >= HAMMER_MIN_CALLS,
			    "vCPU %d: only %lu fast calls in %d ms", i, progress[i], HAMMER_MS);
	}
	ksft_print_msg("hammer: %lu signals, slowest -EINTR after %lu us\n",
		       total_signals, (unsigned long)(lat_max / 1000));
	kvm_vm_free(vm);
}

/* -- timer -- */

static void test_timer_spin(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	params_require();
	set_fastpath(true);
	set_null_eid(0);

	vm = create_vm(1, guest_timer_spin, &vcpu);
	run_to_done(vcpu, NULL);
	sync_global_from_guest(vm, spin_late_max);
	sync_global_from_guest(vm, spin_calls_min);
	ksft_print_msg("timer: latest %lu us late, at least %lu fast calls per 10 ms wait\n",
		       spin_late_max * 1000000 / timer_freq, spin_calls_min);
	kvm_vm_free(vm);
}

/* -- null floor -- */

static void null_sync(uint64_t arg)
{
	set_null_eid(0);
}

static void test_null(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	params_require();
	if (!param_have[1]) {
		ksft_print_msg("no " P_NULL ": not a bench kernel\n");
		exit(KSFT_SKIP);
	}
	set_fastpath(true);
	set_null_eid(NULL_EID);

	vm = create_vm(1, guest_null, &vcpu);
	run_to_done(vcpu, null_sync);
	kvm_vm_free(vm);
}

/*
 * The product kernel has no null EID: a root-writable parameter that
 * answers any SBI call with zeros, past the VM's policy, exists only with
 * CONFIG_KVM_RISCV_SBI_BENCH (the bench's own kernel). `make check` runs
 * the product kernel, with SBI_TEST_PRODUCT_KERNEL=1.
 */
static void guest_no_null(void)
{
	null_call(NULL_EID, 0, SBI_ERR_NOT_SUPPORTED, false, "product kernel");
	GUEST_DONE();
}

static void test_no_null_param(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	if (!getenv("SBI_TEST_PRODUCT_KERNEL")) {
		ksft_print_msg("SBI_TEST_PRODUCT_KERNEL not set\n");
		exit(KSFT_SKIP);
	}
	TEST_ASSERT(access(PARAM_DIR P_NULL, F_OK) && errno == ENOENT,
		    PARAM_DIR P_NULL " exists in the product kernel");
	vm = create_vm(1, guest_no_null, &vcpu);
	run_to_done(vcpu, NULL);
	kvm_vm_free(vm);
}

/* ---- which path a call took: stats and trace events ---- */

/*
 * Every SBI call leaves a kvm_sbi_call trace event saying whether the fast
 * path answered it, and counts in the sbi_fast stat if it did; every ecall
 * exit, fast or not, leaves a kvm_exit event with SCAUSE 0xa (ecall from
 * VS-mode), as perf kvm stat counts them.
 */
#define TRACE_DIR		"/sys/kernel/tracing/"
#define TRACE_CALLS		64
#define TRACE_VCPUS		18

static void trace_write(const char *file, const char *val)
{
	int fd = open(file, O_WRONLY | O_TRUNC);

	TEST_ASSERT(fd >= 0, "open %s: %s", file, strerror(errno));
	TEST_ASSERT(write(fd, val, strlen(val)) == (ssize_t)strlen(val) || !*val,
		    "write %s", file);
	close(fd);
}

static void trace_require(void)
{
	if (access(TRACE_DIR "events/kvm/kvm_sbi_call/enable", W_OK))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (access(TRACE_DIR "events/kvm/kvm_sbi_call/enable", W_OK)) {
		ksft_print_msg("no kvm_sbi_call trace event at " TRACE_DIR "\n");
		exit(KSFT_SKIP);
	}
}

static void trace_events(const char *on)
{
	trace_write(TRACE_DIR "events/kvm/kvm_exit/enable", on);
	trace_write(TRACE_DIR "events/kvm/kvm_sbi_call/enable", on);
}

static void trace_start(void)
{
	trace_write(TRACE_DIR "tracing_on", "0");
	trace_write(TRACE_DIR "trace", "");
	trace_events("1");
	trace_write(TRACE_DIR "tracing_on", "1");
}

struct trace_counts {
	int ecall_exits;	/* kvm_exit, SCAUSE 0xa */
	int fast, slow;		/* kvm_sbi_call, fast 1 / fast 0 */
};

/* Stop tracing and count the phase's events. */
static struct trace_counts trace_stop(void)
{
	struct trace_counts c = { 0 };
	char line[512];
	FILE *f;

	trace_write(TRACE_DIR "tracing_on", "0");
	trace_events("0");
	f = fopen(TRACE_DIR "trace", "r");
	TEST_ASSERT(f, "open " TRACE_DIR "trace");
	while (fgets(line, sizeof(line), f)) {
		c.ecall_exits += strstr(line, "kvm_exit:") && strstr(line, "SCAUSE:0xa,");
		if (strstr(line, "kvm_sbi_call:")) {
			c.fast += !!strstr(line, " fast 1");
			c.slow += !!strstr(line, " fast 0");
		}
	}
	fclose(f);
	return c;
}

enum { TP_HSM, TP_IPI16, TP_IPI17, TP_IPI_ALL, TP_HSM_SLOW, TP_NR };
static const char * const tp_names[TP_NR] = {
	"hart_get_status", "send_ipi to 16 harts", "send_ipi to 17 harts",
	"send_ipi to all (base -1)", "hart_get_status, sbi_fastpath=N",
};

static void guest_trace_paths(void)
{
	static const unsigned long masks[TP_NR] = { 0, 0xffff, 0x1ffff, 0, 0 };
	struct sbiret ret;
	int p, i;

	for (p = 0; p < TP_NR; p++) {
		GUEST_SYNC(p);
		for (i = 0; i < TRACE_CALLS; i++) {
			if (p == TP_HSM || p == TP_HSM_SLOW)
				ret = hart_status(0);
			else
				ret = send_ipi(masks[p], p == TP_IPI_ALL ? -1UL : 0);
			__GUEST_ASSERT(ret.error == SBI_SUCCESS, "%s: error %ld",
				       tp_names[p], ret.error);
		}
	}
	GUEST_SYNC(TP_NR);
	GUEST_DONE();
}

enum { TS_EXITS, TS_FAST, TS_HSM, TS_IPI, TS_NR };
static const char * const tp_stat_names[TS_NR] = {
	"exits", "sbi_fast", "sbi_calls_hsm", "sbi_calls_ipi",
};

static int tp_phase = -1, tp_stats_fd;
static struct trace_counts tp_trace[TP_NR];
static uint64_t tp_stat[TP_NR + 1][TS_NR];

static void trace_sync(uint64_t p)
{
	int i;

	for (i = 0; i < TS_NR; i++)
		tp_stat[p][i] = sbi_test_stat(tp_stats_fd, tp_stat_names[i]);
	if (tp_phase >= 0)
		tp_trace[tp_phase] = trace_stop();
	tp_phase = p;
	if (p == TP_HSM_SLOW)
		set_fastpath(false);
	if (p < TP_NR)
		trace_start();
}

/*
 * (The events printed: kvm_sbi_call fast, not fast; kvm_exit of ecalls.)
 * Every fast call does bounded work with interrupts off: send_ipi naming
 * more than 16 harts, or all of them (base -1), is answered on the normal
 * path, correctly; 16 harts or fewer, and hart_get_status, in the fast
 * path. The stats say so (sbi_fast, sbi_calls_*), the kvm_sbi_call events
 * agree with them, and the kvm_exit events show every exit, fast or not.
 * With sbi_fastpath=N no call is fast (the observables work).
 */
static void test_trace_paths(void)
{
	struct kvm_vcpu *vcpus[TRACE_VCPUS];
	struct kvm_vm *vm;
	int p, bad = 0;

	params_require();
	trace_require();
	set_fastpath(true);
	set_null_eid(0);

	vm = create_vm(TRACE_VCPUS, guest_trace_paths, vcpus);
	tp_stats_fd = vcpu_get_stats_fd(vcpus[0]);
	run_to_done(vcpus[0], trace_sync);
	close(tp_stats_fd);
	/*
	 * The exits stat counts each exit once, a fast one too: the fast
	 * phase's 64 calls and its closing GUEST_SYNC, plus the odd host
	 * interrupt.
	 */
	p = tp_stat[TP_HSM + 1][TS_EXITS] - tp_stat[TP_HSM][TS_EXITS];
	ksft_print_msg("hart_get_status: exits stat +%d for %d fast calls\n",
		       p, TRACE_CALLS);
	TEST_ASSERT(p >= TRACE_CALLS + 1 && p <= TRACE_CALLS + TRACE_CALLS / 4,
		    "exits stat grew by %d for %d fast calls", p, TRACE_CALLS);
	for (p = 0; p < TP_NR; p++) {
		bool slow = p == TP_IPI17 || p == TP_IPI_ALL || p == TP_HSM_SLOW;
		bool hsm = p == TP_HSM || p == TP_HSM_SLOW;
		int fast = tp_stat[p + 1][TS_FAST] - tp_stat[p][TS_FAST];
		int calls = tp_stat[p + 1][hsm ? TS_HSM : TS_IPI] -
			    tp_stat[p][hsm ? TS_HSM : TS_IPI];
		struct trace_counts *t = &tp_trace[p];

		ksft_print_msg("%s: %d calls, %d fast (want %s); events %d/%d/%d\n",
			       tp_names[p], calls, fast, slow ? "none" : "all",
			       t->fast, t->slow, t->ecall_exits);
		if (calls != TRACE_CALLS || fast != (slow ? 0 : TRACE_CALLS))
			bad++;
		/* The phase's closing GUEST_SYNC is a call too, never fast. */
		if (t->fast != fast || t->slow != TRACE_CALLS + 1 - fast)
			bad++;
		if (t->ecall_exits < TRACE_CALLS + 1)
			bad++;
	}
	TEST_ASSERT(!bad, "%d disagreements between paths, stats and events", bad);
	kvm_vm_free(vm);
}

/* ---- groups ---- */

/* ---- which host timer path the run exercises ---- */

/* Does the host kernel use Sstc (its /proc/cpuinfo isa lines name it)? */
static int host_has_sstc(void)
{
	char line[1024];
	int found = -1;
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "isa", 3))
			continue;
		found = !!strstr(line, "_sstc");
		break;
	}
	fclose(f);
	return found;
}

/*
 * KVM keeps guest timers in vstimecmp when the host has Sstc and with an
 * hrtimer otherwise (vcpu_timer.c); set_timer's fast path takes both.
 * `make check` runs this test on a host of each kind and says which in
 * SBI_TEST_HOST_TIMER ("sstc" or "hrtimer"): make sure the host is it.
 */
static void test_timer_path(void)
{
	const char *want = getenv("SBI_TEST_HOST_TIMER");
	int sstc = host_has_sstc();

	if (!want) {
		ksft_print_msg("SBI_TEST_HOST_TIMER not set\n");
		exit(KSFT_SKIP);
	}
	TEST_ASSERT(sstc >= 0, "no isa line in /proc/cpuinfo");
	ksft_print_msg("host timer path: %s (expected %s)\n",
		       sstc ? "sstc" : "hrtimer", want);
	TEST_ASSERT(!strcmp(want, sstc ? "sstc" : "hrtimer"),
		    "host timer path is not %s", want);
}

static const struct sbi_test_group groups[] = {
	{ "fastpath: host timer path as SBI_TEST_HOST_TIMER says", test_timer_path },
	{ "fastpath: N and Y give the same answers",		test_equivalence_plain },
	{ "fastpath: same answers on a VM with an SBI policy",	test_equivalence_policy },
	{ "fastpath: hammer with signals and immediate_exit",	test_hammer },
	{ "fastpath: timer 10 ms ahead taken on time",		test_timer_spin },
	{ "fastpath: null EID a0 = a1 = 0, then NOT_SUPPORTED",	test_null },
	{ "fastpath: no null EID parameter in the product kernel",	test_no_null_param },
	{ "fastpath: >16-hart and broadcast IPIs take the normal path (stats, events)",
	  test_trace_paths },
};

int main(void)
{
	ksft_print_header();
	close(open_kvm_dev_path_or_exit());
	main_pid = getpid();
	params_save();
	atexit(params_restore);
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
