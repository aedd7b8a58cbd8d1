// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_forward_test - SBI calls that KVM hands to userspace.
 *
 * DBCN (disabled by default, enabled through ONE_REG), the experimental and
 * vendor ranges, BASE probe_extension of those ranges and the legacy console
 * calls exit with KVM_EXIT_RISCV_SBI: the exit must carry the guest's a7, a6
 * and a0-a5, arrive with ret[] preset to {SBI_ERR_NOT_SUPPORTED, 0}, and the
 * answer must reach the guest exactly once (legacy calls: a0 only), even if
 * userspace enters KVM_RUN with immediate_exit first. SRST and the legacy
 * shutdown exit with KVM_EXIT_SYSTEM_EVENT; reserved reset types and reasons
 * are refused with SBI_ERR_INVALID_PARAM without an exit.
 *
 * Each check group runs in its own process with its own VM.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "sbi.h"
#include "test_util.h"
#include "ucall_common.h"

#define DBCN_CONSOLE_WRITE		0
#define DBCN_CONSOLE_READ		1
#define DBCN_CONSOLE_WRITE_BYTE		2

#define LEGACY_CONSOLE_PUTCHAR		0x01
#define LEGACY_CONSOLE_GETCHAR		0x02
#define LEGACY_SHUTDOWN			0x08

#define A1_MAGIC			0x5a5a1234c0ffee11UL
#define LEGACY_FID			0x1234UL
#define ARG_PATTERN(n)			(0xa5a50000f00d0000UL | (n) * 0x101UL)

#define MAX_CASES			8

/* One forwarded call: what the guest passes and what userspace answers. */
struct fwd_case {
	unsigned long eid;
	unsigned long fid;
	unsigned long args[6];
	bool legacy;		/* only a0 is written back */
	bool answer;		/* userspace writes ret[0] and ret[1] */
	unsigned long ret0;
	unsigned long ret1;
	int imm_exits;		/* KVM_RUN with immediate_exit before resuming */
};

static struct fwd_case cases[MAX_CASES];
static int nr_cases;

static char tx_buf[16] = "hello, host";
static char rx_buf[16];
static const char rx_data[] = "kvm";
static bool check_dbcn_probe;
static bool check_rx;

/* SRST case parameters. */
static unsigned long srst_type, srst_reason;
static bool srst_legacy;
static bool srst_must_exit;

/* ---- guest code ---- */

static long probe(unsigned long eid)
{
	struct sbiret ret;

	ret = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, eid, 0, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
	return ret.value;
}

static void guest_case(int i)
{
	const struct fwd_case *c = &cases[i];
	unsigned long r[8], want0, want1, cnt;
	int j;

	for (j = 0; j < 6; j++)
		r[j] = c->args[j];
	r[6] = c->fid;
	r[7] = c->eid;
	cnt = sbi_ecall_counted(r);

	want0 = c->answer ? c->ret0 : (unsigned long)SBI_ERR_NOT_SUPPORTED;
	want1 = c->legacy ? c->args[1] : (c->answer ? c->ret1 : 0);
	__GUEST_ASSERT(cnt == 1, "case %d: the instruction after the ecall ran %lu times",
		       i, cnt);
	__GUEST_ASSERT(r[0] == want0, "case %d: a0 = %#lx, want %#lx", i, r[0], want0);
	__GUEST_ASSERT(r[1] == want1, "case %d: a1 = %#lx, want %#lx", i, r[1], want1);
	for (j = 2; j < 6; j++)
		__GUEST_ASSERT(r[j] == c->args[j], "case %d: a%d changed", i, j);
	__GUEST_ASSERT(r[6] == c->fid && r[7] == c->eid, "case %d: a6/a7 changed", i);
}

static void guest_cases(void)
{
	int i;

	if (check_dbcn_probe)
		GUEST_ASSERT(probe(SBI_EXT_DBCN));
	for (i = 0; i < nr_cases; i++)
		guest_case(i);
	if (check_rx)
		GUEST_ASSERT(!memcmp(rx_buf, rx_data, sizeof(rx_data) - 1));
	GUEST_DONE();
}

static void guest_dbcn_disabled(void)
{
	struct sbiret ret;
	int fid;

	GUEST_ASSERT_EQ(probe(SBI_EXT_DBCN), 0);
	for (fid = DBCN_CONSOLE_WRITE; fid <= DBCN_CONSOLE_WRITE_BYTE; fid++) {
		ret = sbi_ecall(SBI_EXT_DBCN, fid, 1, 0, 0, 0, 0, 0);
		GUEST_ASSERT_EQ(ret.error, SBI_ERR_NOT_SUPPORTED);
	}
	GUEST_DONE();
}

static void guest_srst(void)
{
	unsigned long r[8] = { srst_type, srst_reason };
	long err;

	if (srst_legacy) {
		r[6] = LEGACY_FID;
		r[7] = LEGACY_SHUTDOWN;
	} else {
		r[6] = 0;
		r[7] = SBI_EXT_SRST;
	}
	sbi_ecall_counted(r);
	err = r[0];

	__GUEST_ASSERT(!srst_must_exit,
		       "reset type %#lx reason %#lx returned %ld instead of exiting",
		       srst_type, srst_reason, err);
	__GUEST_ASSERT(err == SBI_ERR_INVALID_PARAM,
		       "reset type %#lx reason %#lx: error %ld, want INVALID_PARAM",
		       srst_type, srst_reason, err);
	GUEST_DONE();
}

/* ---- host side ---- */

static bool is_test_sbi_exit(struct kvm_run *run)
{
	return run->exit_reason == KVM_EXIT_RISCV_SBI &&
	       run->riscv_sbi.extension_id != KVM_RISCV_SELFTESTS_SBI_EXT;
}

static void check_forwarded(struct kvm_vcpu *vcpu, int i)
{
	const struct fwd_case *c = &cases[i];
	struct kvm_run *run = vcpu->run;
	int j, rc;

	TEST_ASSERT(run->riscv_sbi.extension_id == c->eid,
		    "case %d: extension_id %#lx, want %#lx",
		    i, (unsigned long)run->riscv_sbi.extension_id, c->eid);
	TEST_ASSERT(c->legacy || run->riscv_sbi.function_id == c->fid,
		    "case %d: function_id %#lx, want %#lx",
		    i, (unsigned long)run->riscv_sbi.function_id, c->fid);
	for (j = 0; j < 6; j++)
		TEST_ASSERT(run->riscv_sbi.args[j] == c->args[j],
			    "case %d: args[%d] = %#lx, want %#lx", i, j,
			    (unsigned long)run->riscv_sbi.args[j], c->args[j]);
	TEST_ASSERT(run->riscv_sbi.ret[0] == (unsigned long)SBI_ERR_NOT_SUPPORTED &&
		    run->riscv_sbi.ret[1] == 0,
		    "case %d: ret[] preset to {%ld, %#lx}", i,
		    (long)run->riscv_sbi.ret[0], (unsigned long)run->riscv_sbi.ret[1]);

	if (c->eid == SBI_EXT_DBCN && c->fid == DBCN_CONSOLE_WRITE)
		TEST_ASSERT(!memcmp(addr_gpa2hva(vcpu->vm, c->args[1]), tx_buf, c->args[0]),
			    "case %d: console_write buffer does not hold the guest's text", i);
	if (c->eid == SBI_EXT_DBCN && c->fid == DBCN_CONSOLE_READ)
		memcpy(addr_gpa2hva(vcpu->vm, c->args[1]), rx_data, sizeof(rx_data) - 1);

	if (c->answer) {
		run->riscv_sbi.ret[0] = c->ret0;
		run->riscv_sbi.ret[1] = c->ret1;
	}

	for (j = 0; j < c->imm_exits; j++) {
		run->immediate_exit = 1;
		rc = __vcpu_run(vcpu);
		run->immediate_exit = 0;
		TEST_ASSERT(rc == -1 && errno == EINTR,
			    "case %d: KVM_RUN with immediate_exit: rc %d errno %d",
			    i, rc, errno);
	}
}

static void run_cases(struct kvm_vcpu *vcpu)
{
	struct ucall uc;
	int next = 0;

	for (;;) {
		vcpu_run(vcpu);
		if (is_test_sbi_exit(vcpu->run)) {
			TEST_ASSERT(next < nr_cases,
				    "forwarded call %#llx/%#llx after the last case",
				    (unsigned long long)vcpu->run->riscv_sbi.extension_id,
				    (unsigned long long)vcpu->run->riscv_sbi.function_id);
			check_forwarded(vcpu, next++);
			continue;
		}
		if (get_ucall(vcpu, &uc) != UCALL_DONE)
			sbi_test_report_exit(vcpu);
		TEST_ASSERT(next == nr_cases, "%d of %d calls forwarded", next, nr_cases);
		return;
	}
}

static struct kvm_vm *vm_with_guest(void *guest, struct kvm_vcpu **vcpu)
{
	return vm_create_with_one_vcpu(vcpu, guest);
}

static void add_case(unsigned long eid, unsigned long fid, const unsigned long *args,
		     bool answer, unsigned long ret0, unsigned long ret1, int imm_exits)
{
	struct fwd_case *c = &cases[nr_cases++];
	int i;

	TEST_ASSERT(nr_cases <= MAX_CASES, "too many cases");
	c->eid = eid;
	c->fid = fid;
	for (i = 0; i < 6; i++)
		c->args[i] = args ? args[i] : ARG_PATTERN(i);
	c->answer = answer;
	c->ret0 = ret0;
	c->ret1 = ret1;
	c->imm_exits = imm_exits;
}

static void run_case_list(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	sync_global_to_guest(vm, cases);
	sync_global_to_guest(vm, nr_cases);
	sync_global_to_guest(vm, check_dbcn_probe);
	sync_global_to_guest(vm, check_rx);
	run_cases(vcpu);
	kvm_vm_free(vm);
}

static void test_dbcn_disabled(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_dbcn_disabled, &vcpu);
	struct ucall uc;
	unsigned long val;

	vcpu_get_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), &val);
	TEST_ASSERT(val == 0, "DBCN is enabled by default");
	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_DONE)
		sbi_test_report_exit(vcpu);
	kvm_vm_free(vm);
}

static void test_dbcn(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_cases, &vcpu);
	unsigned long tx_gpa = addr_gva2gpa(vm, (vm_vaddr_t)tx_buf);
	unsigned long rx_gpa = addr_gva2gpa(vm, (vm_vaddr_t)rx_buf);
	unsigned long write[6] = { strlen(tx_buf), tx_gpa, 0, ARG_PATTERN(3),
				   ARG_PATTERN(4), ARG_PATTERN(5) };
	unsigned long read[6] = { sizeof(rx_buf), rx_gpa, 0, ARG_PATTERN(3),
				  ARG_PATTERN(4), ARG_PATTERN(5) };
	unsigned long byte[6] = { 'k', ARG_PATTERN(1), ARG_PATTERN(2),
				  ARG_PATTERN(3), ARG_PATTERN(4), ARG_PATTERN(5) };

	vcpu_set_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), 1);
	add_case(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE, write, true, 0, strlen(tx_buf), 1);
	add_case(SBI_EXT_DBCN, DBCN_CONSOLE_READ, read, true, 0, 3, 2);
	add_case(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE_BYTE, byte, true, 0, 0, 0);
	check_dbcn_probe = true;
	check_rx = true;
	run_case_list(vm, vcpu);
}

static void test_unanswered(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_cases, &vcpu);
	unsigned long byte[6] = { 'x', ARG_PATTERN(1), ARG_PATTERN(2),
				  ARG_PATTERN(3), ARG_PATTERN(4), ARG_PATTERN(5) };

	vcpu_set_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), 1);
	add_case(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE_BYTE, byte, false, 0, 0, 1);
	add_case(SBI_EXT_VENDOR_START, 0, NULL, false, 0, 0, 0);
	add_case(0x08000001, 3, NULL, false, 0, 0, 1);
	run_case_list(vm, vcpu);
}

static void test_vendor_experimental(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_cases, &vcpu);

	add_case(0x08000123, 0x45, NULL, true, 0, 0xfeedfacecafe0001UL, 1);
	add_case(SBI_EXT_VENDOR_START | 0xabcdef, 7, NULL, true,
		 (unsigned long)SBI_ERR_DENIED, 0x42, 0);
	add_case(0x08fffffe, 0x7fffffff, NULL, true, 0, -1UL, 2);
	add_case(0x09ffffff, 0, NULL, true, (unsigned long)SBI_ERR_INVALID_PARAM, 7, 0);
	run_case_list(vm, vcpu);
}

static void test_probe_forwarded(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_cases, &vcpu);
	unsigned long args[6] = { 0, ARG_PATTERN(1), ARG_PATTERN(2),
				  ARG_PATTERN(3), ARG_PATTERN(4), ARG_PATTERN(5) };

	args[0] = SBI_EXT_VENDOR_START | 0x42;
	add_case(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, args, true, 0, 1, 1);
	args[0] = 0x08000777;
	add_case(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, args, true, 0, 0x55, 0);
	args[0] = 0x09ffffff;
	add_case(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, args, false, 0, 0, 0);
	run_case_list(vm, vcpu);
}

static void test_legacy_console(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_cases, &vcpu);
	unsigned long args[6] = { 'K', A1_MAGIC, ARG_PATTERN(2),
				  ARG_PATTERN(3), ARG_PATTERN(4), ARG_PATTERN(5) };

	add_case(LEGACY_CONSOLE_PUTCHAR, LEGACY_FID, args, true, 0, 0xdead, 1);
	cases[nr_cases - 1].legacy = true;
	args[0] = ARG_PATTERN(0);
	/* The answer is not clamped to an SBI error: a character in a0. */
	add_case(LEGACY_CONSOLE_GETCHAR, LEGACY_FID, args, true, 'Z', 0xdead, 0);
	cases[nr_cases - 1].legacy = true;
	run_case_list(vm, vcpu);
}

/* One SRST call in a fresh VM; exp_event 0 means "no exit, INVALID_PARAM". */
static void srst_case(unsigned long type, unsigned long reason, bool legacy,
		      uint32_t exp_event, unsigned long exp_reason)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_srst, &vcpu);
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	srst_type = type;
	srst_reason = reason;
	srst_legacy = legacy;
	srst_must_exit = exp_event != 0;
	sync_global_to_guest(vm, srst_type);
	sync_global_to_guest(vm, srst_reason);
	sync_global_to_guest(vm, srst_legacy);
	sync_global_to_guest(vm, srst_must_exit);

	vcpu_run(vcpu);
	if (!exp_event) {
		if (get_ucall(vcpu, &uc) != UCALL_DONE)
			sbi_test_report_exit(vcpu);
		kvm_vm_free(vm);
		return;
	}

	if (run->exit_reason != KVM_EXIT_SYSTEM_EVENT)
		sbi_test_report_exit(vcpu);
	TEST_ASSERT(run->system_event.type == exp_event,
		    "type %#lx reason %#lx: system event type %u, want %u",
		    type, reason, run->system_event.type, exp_event);
	TEST_ASSERT(run->system_event.ndata >= 1,
		    "type %#lx reason %#lx: ndata %u", type, reason,
		    run->system_event.ndata);
	TEST_ASSERT(run->system_event.data[0] == exp_reason,
		    "type %#lx reason %#lx: data[0] = %#llx, want %#lx", type, reason,
		    (unsigned long long)run->system_event.data[0], exp_reason);
	/* SRST also gives its reset type, which tells cold from warm. */
	if (!legacy)
		TEST_ASSERT(run->system_event.ndata == 2 &&
			    run->system_event.data[1] == (uint32_t)type,
			    "type %#lx reason %#lx: ndata %u data[1] %#llx, want 2, %#x",
			    type, reason, run->system_event.ndata,
			    (unsigned long long)run->system_event.data[1], (uint32_t)type);
	kvm_vm_free(vm);
}

static void test_srst_shutdown(void)
{
	srst_case(0, 0, false, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
	srst_case(0, 1, false, KVM_SYSTEM_EVENT_SHUTDOWN, 1);
}

/* Cold and warm reboot: the same event and reason, data[1] 1 or 2. */
static void test_srst_cold_reboot(void)
{
	srst_case(1, 1, false, KVM_SYSTEM_EVENT_RESET, 1);
	srst_case(1, 0, false, KVM_SYSTEM_EVENT_RESET, 0);
}

static void test_srst_warm_reboot(void)
{
	srst_case(2, 0xf0000001, false, KVM_SYSTEM_EVENT_RESET, 0xf0000001);
	srst_case(2, 0, false, KVM_SYSTEM_EVENT_RESET, 0);
}

static void test_srst_low_32_bits(void)
{
	srst_case(0xffffffff00000001UL, 0xabcd000000000001UL, false,
		  KVM_SYSTEM_EVENT_RESET, 1);
	srst_case(0x100000000UL, 0x500000000UL, false, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
}

static void test_srst_reserved_type(void)
{
	srst_case(3, 0, false, 0, 0);
	srst_case(0xefffffff, 0, false, 0, 0);
	srst_case(0x100000003UL, 0, false, 0, 0);
}

static void test_srst_reserved_reason(void)
{
	srst_case(0, 2, false, 0, 0);
	srst_case(1, 0xdfffffff, false, 0, 0);
	srst_case(2, 2, false, 0, 0);
	srst_case(0, 0x80000000, false, 0, 0);
}

/* Vendor/platform types: none is implemented, so INVALID_PARAM. */
static void test_srst_vendor_type(void)
{
	srst_case(0xf0000000, 0, false, 0, 0);
	srst_case(0xf0000001, 0xf0000000, false, 0, 0);
	srst_case(0xffffffff, 0, false, 0, 0);
}

/* SBI-implementation and vendor reasons reach the VMM as they are. */
static void test_srst_platform_reason(void)
{
	srst_case(0, 0xe0000000, false, KVM_SYSTEM_EVENT_SHUTDOWN, 0xe0000000);
	srst_case(1, 0xefffffff, false, KVM_SYSTEM_EVENT_RESET, 0xefffffff);
	srst_case(2, 0xf0000000, false, KVM_SYSTEM_EVENT_RESET, 0xf0000000);
	srst_case(0, 0xffffffff, false, KVM_SYSTEM_EVENT_SHUTDOWN, 0xffffffff);
}

static void test_legacy_shutdown(void)
{
	srst_case(0, 0, true, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
}

/* ---- groups ---- */

/* ---- a forwarded answer goes to the call that exited, once ---- */

#define STALE_EID		(SBI_EXT_VENDOR_START + 0x77)
#define STALE_OTHER_EID		(SBI_EXT_VENDOR_START + 0x78)
#define STALE_ANSWER		0x5151UL

static unsigned long stale_after[3], stale_a0[3], stale_a1[3];

/*
 * Guest: three forwarded vendor calls with the instruction after each
 * ecall counting how often it ran; the host plays a different VMM trick
 * on each (see test_forward_stale()).
 */
static void guest_stale(void)
{
	unsigned long r[8];
	int i;

	for (i = 0; i < 3; i++) {
		memset(r, 0, sizeof(r));
		r[0] = 0x1000 + i;
		r[1] = A1_MAGIC;
		r[7] = STALE_EID;
		stale_after[i] = sbi_ecall_counted(r);
		stale_a0[i] = r[0];
		stale_a1[i] = r[1];
	}
	GUEST_DONE();
}

/* Host: run until the next KVM_EXIT_RISCV_SBI for @eid. */
static void stale_run_to_sbi(struct kvm_vcpu *vcpu, unsigned long eid)
{
	vcpu_run(vcpu);
	if (vcpu->run->exit_reason != KVM_EXIT_RISCV_SBI ||
	    vcpu->run->riscv_sbi.extension_id != eid)
		sbi_test_report_exit(vcpu);
}

/*
 * The VMM changes exit_reason before re-entering, or rewrites a7 (and
 * sets exit_reason back) through ONE_REG: the answer written in ret[] is
 * never applied to a call other than the one that exited, and sepc is
 * advanced once per answered call. What the guest sees (sbi.rst,
 * "Forwarding to userspace"): a dropped call is made again by the guest
 * (the VMM sees it a second time), and the answer to that second exit is
 * the one applied.
 */
static void test_forward_stale(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned long a7, pc, pc0;
	int i;

	vm = vm_create_with_one_vcpu(&vcpu, guest_stale);

	/* Call 0: exit_reason changed, answer in ret[] never applied. */
	stale_run_to_sbi(vcpu, STALE_EID);
	TEST_ASSERT_EQ(vcpu->run->riscv_sbi.args[0], 0x1000);
	vcpu_get_reg(vcpu, RISCV_CORE_REG(regs.pc), &pc0);
	vcpu->run->riscv_sbi.ret[0] = 0;
	vcpu->run->riscv_sbi.ret[1] = 0xbad0;
	vcpu->run->exit_reason = KVM_EXIT_UNKNOWN;
	/* The guest makes the call again: a second exit, same call, same pc. */
	stale_run_to_sbi(vcpu, STALE_EID);
	TEST_ASSERT_EQ(vcpu->run->riscv_sbi.args[0], 0x1000);
	TEST_ASSERT_EQ(vcpu->run->riscv_sbi.ret[0], (unsigned long)SBI_ERR_NOT_SUPPORTED);
	vcpu_get_reg(vcpu, RISCV_CORE_REG(regs.pc), &pc);
	TEST_ASSERT(pc == pc0, "pc %#lx after the dropped call, want %#lx", pc, pc0);
	vcpu->run->riscv_sbi.ret[0] = 0;
	vcpu->run->riscv_sbi.ret[1] = STALE_ANSWER;

	/* Call 1: answered normally; then exit_reason is set back later. */
	stale_run_to_sbi(vcpu, STALE_EID);
	TEST_ASSERT_EQ(vcpu->run->riscv_sbi.args[0], 0x1001);
	vcpu->run->riscv_sbi.ret[0] = 0;
	vcpu->run->riscv_sbi.ret[1] = 0xbad1;
	vcpu->run->exit_reason = KVM_EXIT_INTR;
	vcpu->run->immediate_exit = 1;
	TEST_ASSERT(__vcpu_run(vcpu) == -1 && errno == EINTR,
		    "KVM_RUN with immediate_exit did not fail with EINTR");
	vcpu->run->immediate_exit = 0;
	/* Now a7 rewritten and exit_reason set back: still nothing applied. */
	vcpu_get_reg(vcpu, RISCV_CORE_REG(regs.a7), &a7);
	TEST_ASSERT_EQ(a7, STALE_EID);
	vcpu_set_reg(vcpu, RISCV_CORE_REG(regs.a7), STALE_OTHER_EID);
	vcpu->run->exit_reason = KVM_EXIT_RISCV_SBI;
	/* The guest now makes the other call, at the same pc. */
	stale_run_to_sbi(vcpu, STALE_OTHER_EID);
	TEST_ASSERT_EQ(vcpu->run->riscv_sbi.args[0], 0x1001);
	vcpu_set_reg(vcpu, RISCV_CORE_REG(regs.a7), STALE_EID);
	vcpu->run->riscv_sbi.ret[0] = 0;
	vcpu->run->riscv_sbi.ret[1] = 0xbad2;
	/*
	 * a7 rewritten again while this exit is pending, exit_reason left
	 * as is: that answer is dropped as well; the guest calls STALE_EID.
	 */
	stale_run_to_sbi(vcpu, STALE_EID);
	TEST_ASSERT_EQ(vcpu->run->riscv_sbi.args[0], 0x1001);
	vcpu->run->riscv_sbi.ret[0] = 0;
	vcpu->run->riscv_sbi.ret[1] = STALE_ANSWER + 1;

	/* Call 2: answered normally. */
	stale_run_to_sbi(vcpu, STALE_EID);
	TEST_ASSERT_EQ(vcpu->run->riscv_sbi.args[0], 0x1002);
	vcpu->run->riscv_sbi.ret[0] = 0;
	vcpu->run->riscv_sbi.ret[1] = STALE_ANSWER + 2;

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_DONE)
		sbi_test_report_exit(vcpu);
	sync_global_from_guest(vm, stale_after);
	sync_global_from_guest(vm, stale_a0);
	sync_global_from_guest(vm, stale_a1);
	for (i = 0; i < 3; i++) {
		TEST_ASSERT(stale_after[i] == 1,
			    "call %d: the instruction after the ecall ran %lu times",
			    i, stale_after[i]);
		TEST_ASSERT(stale_a0[i] == 0 && stale_a1[i] == STALE_ANSWER + i,
			    "call %d: a0 = %#lx a1 = %#lx, want 0 and %#lx",
			    i, stale_a0[i], stale_a1[i], STALE_ANSWER + i);
	}
	kvm_vm_free(vm);
}

static const struct sbi_test_group groups[] = {
	{ "forward: answer applied once, to the call that exited",	test_forward_stale },
	{ "dbcn: disabled by default, invisible",		test_dbcn_disabled },
	{ "dbcn: enabled via ONE_REG, calls forwarded once",	test_dbcn },
	{ "forward: unanswered call gives NOT_SUPPORTED",	test_unanswered },
	{ "forward: vendor and experimental EIDs, 6 args",	test_vendor_experimental },
	{ "forward: probe_extension of vendor/experimental",	test_probe_forwarded },
	{ "forward: legacy console calls write a0 only",	test_legacy_console },
	{ "srst: shutdown exits SYSTEM_EVENT_SHUTDOWN",		test_srst_shutdown },
	{ "srst: cold reboot exits SYSTEM_EVENT_RESET",		test_srst_cold_reboot },
	{ "srst: warm reboot exits SYSTEM_EVENT_RESET",		test_srst_warm_reboot },
	{ "srst: only the low 32 bits of type/reason count",	test_srst_low_32_bits },
	{ "srst: reserved type is INVALID_PARAM",		test_srst_reserved_type },
	{ "srst: reserved reason is INVALID_PARAM",		test_srst_reserved_reason },
	{ "srst: vendor reset type is INVALID_PARAM",		test_srst_vendor_type },
	{ "srst: implementation/vendor reasons passed on",	test_srst_platform_reason },
	{ "legacy: shutdown exits SYSTEM_EVENT_SHUTDOWN",	test_legacy_shutdown },
};

int main(void)
{
	ksft_print_header();
	close(open_kvm_dev_path_or_exit());
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
