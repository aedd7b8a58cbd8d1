// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_policy_test - the per-VM SBI call policy (KVM_CAP_RISCV_SBI_POLICY).
 *
 * Userspace installs ranges of SBI calls with an action (HANDLE by the
 * kernel, FORWARD to userspace as KVM_EXIT_RISCV_SBI, DENY with
 * SBI_ERR_NOT_SUPPORTED) through KVM_SET_DEVICE_ATTR on the VM fd. Checked
 * here: the capability and attribute, every error of the ioctl (partial
 * extensions and the kernel-owned DBTR included), each action
 * as seen by guest calls (also FID-granular entries, the firmware range,
 * CPPC and MPXY), BASE probe_extension under a policy, a policy of 256
 * entries, and system suspend (SUSP), which exists only when the policy
 * forwards it: its argument checks, a refusal by the VMM, and a resume at
 * resume_addr with the hart_start entry state.
 *
 * Most guests run a list of steps: an SBI call and either the answer the
 * kernel must give without an exit, or the answer userspace gives when the
 * call exits. The guest publishes the step it is on, so an exit the step
 * does not expect is caught by the host, and an answer that did not come
 * from the host is caught by the guest.
 *
 * Each check group runs in its own process with its own VMs.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/stringify.h>
#include <asm/kvm_sbi_policy.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "sbi.h"
#include "test_util.h"
#include "ucall_common.h"

#define LEGACY_SET_TIMER		0x00
#define LEGACY_CONSOLE_PUTCHAR		0x01
#define LEGACY_SHUTDOWN			0x08

#define DBCN_CONSOLE_WRITE		0
#define DBCN_CONSOLE_WRITE_BYTE		2
#define PMU_NUM_COUNTERS		0
#define PMU_SNAPSHOT_SET_SHMEM		7
#define HSM_HART_STOP			1
#define HSM_HART_GET_STATUS		2
#define HSM_STOPPED			1
#define SRST_SHUTDOWN			0
#define SUSP_SYSTEM_SUSPEND		0
#define SUSP_TO_RAM			0x00000000UL
#define SUSP_PLATFORM			0x80000000UL

#define FWD				KVM_RISCV_SBI_POLICY_FORWARD
#define DENY				KVM_RISCV_SBI_POLICY_DENY
#define HANDLE				KVM_RISCV_SBI_POLICY_HANDLE

/* Experimental EID by which the SUSP resume entry reports (MMU off). */
#define REPORT_EID			0x08000a5b
#define RECORD_MAGIC			0x5e5e1234
#define OPAQUE				0xc0de5a5a00001234UL
#define SUSP_VCPU_ID			3

#define MAX_STEPS			16

/* ---- policy helpers ---- */

#define ENTRY(base, count, act)						\
	{ .eid_base = (base), .eid_count = (count), .action = (act) }
#define FENTRY(eid, fbase, fcount, act)					\
	{ .eid_base = (eid), .eid_count = 1, .fid_base = (fbase),	\
	  .fid_count = (fcount), .action = (act) }

/* Add @n entries with policy flags @flags: 0 or the errno. */
static int __policy_add(struct kvm_vm *vm, struct kvm_riscv_sbi_policy_entry *e,
			uint32_t n, uint32_t flags)
{
	struct kvm_riscv_sbi_policy policy = {
		.nr_entries = n,
		.flags = flags,
		.entries = (uintptr_t)e,
	};
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_POLICY,
		.attr = KVM_RISCV_VM_SBI_POLICY_ADD,
		.addr = (uintptr_t)&policy,
	};

	return ioctl(vm->fd, KVM_SET_DEVICE_ATTR, &attr) ? errno : 0;
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0:		return "success";
	case EINVAL:	return "EINVAL";
	case EPERM:	return "EPERM";
	case EEXIST:	return "EEXIST";
	case E2BIG:	return "E2BIG";
	case EBUSY:	return "EBUSY";
	case ENXIO:	return "ENXIO";
	case EFAULT:	return "EFAULT";
	default:	return strerror(e);
	}
}

#define expect_add(vm, want, what, ...) do {				\
	struct kvm_riscv_sbi_policy_entry __e[] = { __VA_ARGS__ };	\
	int __rc = __policy_add(vm, __e, ARRAY_SIZE(__e), 0);		\
	int __want = (want);						\
									\
	TEST_ASSERT(__rc == __want, "%s: %s, want %s", what,		\
		    errno_name(__rc), errno_name(__want));		\
} while (0)

#define policy_add(vm, ...)	expect_add(vm, 0, "policy add", __VA_ARGS__)

/* ---- steps: guest calls and what must come of them ---- */

enum step_kind {
	STEP_RET,		/* answered by the kernel, no exit */
	STEP_EXIT,		/* exits KVM_EXIT_RISCV_SBI, userspace answers */
	STEP_SHUTDOWN,		/* exits KVM_EXIT_SYSTEM_EVENT (shutdown) */
};

struct step {
	unsigned long eid;
	unsigned long fid;
	unsigned long args[6];
	int kind;
	long err;		/* RET: expected error; EXIT: answer ret[0] */
	unsigned long val;	/* RET: expected value; EXIT: answer ret[1] */
	bool any_val;		/* RET: the value is not checked */
	bool keep_preset;	/* EXIT: userspace leaves ret[] as preset */
};

static struct step steps[MAX_STEPS];
static int nr_steps;
static int cur_step = -1;	/* written by the guest before each call */

/* Optional host check of a forwarded call (e.g. the DBCN buffer). */
static void (*exit_hook)(struct kvm_vcpu *vcpu, const struct step *s);
/* Called with the vCPU once its steps ran, before the VM is freed. */
static void (*after_steps)(struct kvm_vcpu *vcpu);

static struct step *add_step(unsigned long eid, unsigned long fid, int kind,
			     long err, unsigned long val)
{
	struct step *s = &steps[nr_steps];
	int i;

	TEST_ASSERT(nr_steps < MAX_STEPS, "too many steps");
	memset(s, 0, sizeof(*s));
	s->eid = eid;
	s->fid = fid;
	for (i = 0; i < 6; i++)
		s->args[i] = 0xa5a5000000000000UL | (unsigned long)nr_steps << 16 |
			     (i + 1) * 0x1111UL;
	s->kind = kind;
	s->err = err;
	s->val = val;
	nr_steps++;
	return s;
}

/* The kernel answers with @err, value unchecked. */
static struct step *step_ret(unsigned long eid, unsigned long fid, long err)
{
	struct step *s = add_step(eid, fid, STEP_RET, err, 0);

	s->any_val = true;
	return s;
}

/* The call exits; userspace answers {@err, @val}. */
static struct step *step_exit(unsigned long eid, unsigned long fid, long err,
			      unsigned long val)
{
	return add_step(eid, fid, STEP_EXIT, err, val);
}

/* probe_extension(@eid) answered @val by the kernel. */
static struct step *step_probe(unsigned long eid, unsigned long val)
{
	struct step *s = add_step(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
				  STEP_RET, SBI_SUCCESS, val);

	s->args[0] = eid;
	return s;
}

/* probe_extension(@eid) forwarded to userspace as a BASE call. */
static struct step *step_probe_exit(unsigned long eid, unsigned long answer)
{
	struct step *s = add_step(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
				  STEP_EXIT, SBI_SUCCESS, answer);

	s->args[0] = eid;
	return s;
}

static void guest_steps(void)
{
	static const char *const how[] = {
		[STEP_RET] = " without an exit",
		[STEP_EXIT] = " from userspace",
	};
	struct sbiret ret;
	int i;

	for (i = 0; i < nr_steps; i++) {
		const struct step *s = &steps[i];

		WRITE_ONCE(cur_step, i);
		ret = sbi_ecall(s->eid, s->fid, s->args[0], s->args[1], s->args[2],
				s->args[3], s->args[4], s->args[5]);
		__GUEST_ASSERT(s->kind != STEP_SHUTDOWN,
			       "step %d: EID %#lx FID %#lx returned %ld instead of exiting",
			       i, s->eid, s->fid, ret.error);
		__GUEST_ASSERT(ret.error == s->err,
			       "step %d: EID %#lx FID %#lx a0 %#lx: error %ld (value %#lx), want %ld%s",
			       i, s->eid, s->fid, s->args[0], ret.error, ret.value,
			       s->err, how[s->kind]);
		__GUEST_ASSERT(s->any_val || ret.value == (long)s->val,
			       "step %d: EID %#lx FID %#lx a0 %#lx: value %#lx, want %#lx%s",
			       i, s->eid, s->fid, s->args[0], ret.value, s->val,
			       how[s->kind]);
	}
	WRITE_ONCE(cur_step, -1);
	GUEST_DONE();
}

static bool is_test_sbi_exit(struct kvm_run *run)
{
	return run->exit_reason == KVM_EXIT_RISCV_SBI &&
	       run->riscv_sbi.extension_id != KVM_RISCV_SELFTESTS_SBI_EXT;
}

/* A forwarded call: it must be the step's, intact, with ret[] preset. */
static void check_forwarded(struct kvm_vcpu *vcpu, int i, const struct step *s)
{
	struct kvm_run *run = vcpu->run;
	int j;

	TEST_ASSERT(run->riscv_sbi.extension_id == s->eid &&
		    run->riscv_sbi.function_id == s->fid,
		    "step %d: exit for EID %#llx FID %#llx, want %#lx/%#lx", i,
		    (unsigned long long)run->riscv_sbi.extension_id,
		    (unsigned long long)run->riscv_sbi.function_id, s->eid, s->fid);
	for (j = 0; j < 6; j++)
		TEST_ASSERT(run->riscv_sbi.args[j] == s->args[j],
			    "step %d: args[%d] = %#llx, want %#lx", i, j,
			    (unsigned long long)run->riscv_sbi.args[j], s->args[j]);
	TEST_ASSERT(run->riscv_sbi.ret[0] == (unsigned long)SBI_ERR_NOT_SUPPORTED &&
		    run->riscv_sbi.ret[1] == 0,
		    "step %d: ret[] preset to {%ld, %#lx}", i,
		    (long)run->riscv_sbi.ret[0], (unsigned long)run->riscv_sbi.ret[1]);
}

/* Run guest_steps() on @vcpu to the end, then free the VM. */
static void run_steps(struct kvm_vcpu *vcpu)
{
	struct kvm_vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;
	int exits[MAX_STEPS] = {}, *cur, i;
	struct ucall uc;

	sync_global_to_guest(vm, steps);
	sync_global_to_guest(vm, nr_steps);
	cur = addr_gva2hva(vm, (vm_vaddr_t)&cur_step);

	for (;;) {
		vcpu_run(vcpu);
		i = READ_ONCE(*cur);
		if (is_test_sbi_exit(run)) {
			TEST_ASSERT(i >= 0 && i < nr_steps,
				    "exit for EID %#llx outside the steps",
				    (unsigned long long)run->riscv_sbi.extension_id);
			TEST_ASSERT(steps[i].kind == STEP_EXIT,
				    "step %d: EID %#lx FID %#lx a0 %#lx exited to userspace (EID %#llx), want an answer without exit",
				    i, steps[i].eid, steps[i].fid, steps[i].args[0],
				    (unsigned long long)run->riscv_sbi.extension_id);
			TEST_ASSERT(!exits[i]++, "step %d: exited twice", i);
			check_forwarded(vcpu, i, &steps[i]);
			if (exit_hook)
				exit_hook(vcpu, &steps[i]);
			if (!steps[i].keep_preset) {
				run->riscv_sbi.ret[0] = steps[i].err;
				run->riscv_sbi.ret[1] = steps[i].val;
			}
			continue;
		}
		if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT && i >= 0 &&
		    i < nr_steps && steps[i].kind == STEP_SHUTDOWN) {
			TEST_ASSERT(run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN,
				    "step %d: system event %u, want shutdown", i,
				    run->system_event.type);
			exits[i]++;
			break;
		}
		if (get_ucall(vcpu, &uc) != UCALL_DONE)
			sbi_test_report_exit(vcpu);
		break;
	}

	for (i = 0; i < nr_steps; i++)
		TEST_ASSERT(exits[i] == (steps[i].kind != STEP_RET),
			    "step %d: EID %#lx FID %#lx exited %d times, want %d", i,
			    steps[i].eid, steps[i].fid, exits[i],
			    steps[i].kind != STEP_RET);
	if (after_steps)
		after_steps(vcpu);
	kvm_vm_free(vm);
}

static struct kvm_vm *steps_vm(struct kvm_vcpu **vcpu)
{
	nr_steps = 0;
	exit_hook = NULL;
	after_steps = NULL;
	return vm_create_with_one_vcpu(vcpu, guest_steps);
}

static void guest_done(void)
{
	GUEST_DONE();
}

/* ---- 1: capability and attribute ---- */

static int has_attr(struct kvm_vm *vm, uint32_t group, uint64_t attr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr };

	return ioctl(vm->fd, KVM_HAS_DEVICE_ATTR, &a) ? errno : 0;
}

static void test_cap(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	int cap = vm_check_cap(vm, KVM_CAP_RISCV_SBI_POLICY), rc;

	TEST_ASSERT(cap >= 256, "KVM_CAP_RISCV_SBI_POLICY = %d, want >= 256", cap);
	rc = has_attr(vm, KVM_RISCV_VM_ATTR_SBI_POLICY, KVM_RISCV_VM_SBI_POLICY_ADD);
	TEST_ASSERT(!rc, "KVM_HAS_DEVICE_ATTR(ADD): %s", errno_name(rc));
	rc = has_attr(vm, KVM_RISCV_VM_ATTR_SBI_POLICY, KVM_RISCV_VM_SBI_POLICY_ADD + 1);
	TEST_ASSERT(rc == ENXIO, "KVM_HAS_DEVICE_ATTR(attr ADD + 1): %s, want ENXIO",
		    errno_name(rc));
	/* The next group is SSE's (sbi_sse_test), then nothing. */
	rc = has_attr(vm, KVM_RISCV_VM_ATTR_SBI_SSE, KVM_RISCV_VM_SBI_SSE_INJECT);
	TEST_ASSERT(!rc, "KVM_HAS_DEVICE_ATTR(SSE inject): %s", errno_name(rc));
	rc = has_attr(vm, KVM_RISCV_VM_ATTR_SBI_SSE, KVM_RISCV_VM_SBI_SSE_INJECT + 1);
	TEST_ASSERT(rc == ENXIO, "KVM_HAS_DEVICE_ATTR(SSE attr 1): %s, want ENXIO",
		    errno_name(rc));
	rc = has_attr(vm, KVM_RISCV_VM_ATTR_SBI_SSE + 1, KVM_RISCV_VM_SBI_POLICY_ADD);
	TEST_ASSERT(rc == ENXIO, "KVM_HAS_DEVICE_ATTR(other group): %s, want ENXIO",
		    errno_name(rc));
	kvm_vm_free(vm);
}

/* ---- 2: ioctl errors ---- */

static void test_einval(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	struct kvm_riscv_sbi_policy_entry ok = ENTRY(SBI_EXT_VENDOR_START, 1, FWD);
	struct kvm_riscv_sbi_policy_entry padded = ok;
	int rc;

	rc = __policy_add(vm, &ok, 1, 1);
	TEST_ASSERT(rc == EINVAL, "flags 1: %s, want EINVAL", errno_name(rc));
	rc = __policy_add(vm, &ok, 0, 0);
	TEST_ASSERT(rc == EINVAL, "nr_entries 0: %s, want EINVAL", errno_name(rc));
	padded.pad[6] = 1;
	rc = __policy_add(vm, &padded, 1, 0);
	TEST_ASSERT(rc == EINVAL, "pad[6] 1: %s, want EINVAL", errno_name(rc));

	expect_add(vm, EINVAL, "eid_count 0", ENTRY(SBI_EXT_VENDOR_START, 0, FWD));
	expect_add(vm, EINVAL, "EIDs 0xffffffff + 2", ENTRY(0xffffffff, 2, FWD));
	expect_add(vm, EINVAL, "FID range with eid_count 2",
		   { .eid_base = SBI_EXT_VENDOR_START, .eid_count = 2,
		     .fid_base = 0, .fid_count = 1, .action = FWD });
	expect_add(vm, EINVAL, "FID range on legacy console_putchar",
		   FENTRY(LEGACY_CONSOLE_PUTCHAR, 0, 1, FWD));
	expect_add(vm, EINVAL, "FID range 0xffffffff + 2",
		   FENTRY(SBI_EXT_VENDOR_START, 0xffffffff, 2, FWD));
	expect_add(vm, EINVAL, "action 3", ENTRY(SBI_EXT_VENDOR_START, 1, 3));
	expect_add(vm, EINVAL, "action 0xff", ENTRY(SBI_EXT_VENDOR_START, 1, 0xff));
	expect_add(vm, EINVAL, "good entry with a bad one",
		   ENTRY(SBI_EXT_VENDOR_START, 1, FWD),
		   ENTRY(SBI_EXT_VENDOR_START + 1, 0, FWD));
	/* Part of an extension without per-function discovery. */
	expect_add(vm, EINVAL, "DENY of SRST system_reset alone",
		   FENTRY(SBI_EXT_SRST, SRST_SHUTDOWN, 1, DENY));
	expect_add(vm, EINVAL, "DENY of DBCN write_byte alone",
		   FENTRY(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE_BYTE, 1, DENY));
	expect_add(vm, EINVAL, "FORWARD of DBCN console_write alone",
		   FENTRY(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE, 1, FWD));
	expect_add(vm, EINVAL, "DENY of HSM hart_suspend alone",
		   FENTRY(SBI_EXT_HSM, 3, 1, DENY));
	expect_add(vm, EINVAL, "DENY of PMU FIDs 6-7 (6 is not optional)",
		   FENTRY(SBI_EXT_PMU, 6, 2, DENY));
	expect_add(vm, EINVAL, "FORWARD of MPXY FIDs 5-7 alone",
		   FENTRY(SBI_EXT_MPXY, 5, 3, FWD));
	expect_add(vm, EINVAL, "FORWARD of FID 0 of a reserved EID",
		   FENTRY(0x0b000000, 0, 1, FWD));

	/* The same entries, well formed, are accepted: nothing was installed. */
	rc = __policy_add(vm, &ok, 1, 0);
	TEST_ASSERT(!rc, "good entry: %s", errno_name(rc));
	policy_add(vm, ENTRY(0xffffffff, 1, FWD),
		   FENTRY(SBI_EXT_VENDOR_START + 1, 0xffffffff, 1, FWD),
		   FENTRY(SBI_EXT_VENDOR_START + 2, 1, 2, DENY),
		   /* Optional functions with discovery; HANDLE is never partial. */
		   FENTRY(SBI_EXT_PMU, 7, 2, DENY), FENTRY(SBI_EXT_RFENCE, 3, 4, DENY),
		   FENTRY(SBI_EXT_MPXY, 5, 3, DENY), FENTRY(SBI_EXT_SRST, 0, 1, HANDLE));
	kvm_vm_free(vm);
}

static void test_eperm(void)
{
	static const struct { unsigned long eid; const char *name; } owned[] = {
		{ SBI_EXT_TIME, "TIME" }, { SBI_EXT_IPI, "IPI" },
		{ SBI_EXT_RFENCE, "RFENCE" }, { SBI_EXT_HSM, "HSM" },
		{ SBI_EXT_PMU, "PMU" }, { SBI_EXT_STA, "STA" },
		{ SBI_EXT_BASE, "BASE" }, { LEGACY_SET_TIMER, "legacy set_timer" },
		{ SBI_EXT_SSE, "SSE" }, { SBI_EXT_FWFT, "FWFT" },
		{ SBI_EXT_DBTR, "DBTR" }, { SBI_EXT_NACL, "NACL" },
	};
	struct kvm_vm *vm = vm_create_barebones();
	char what[64];
	int i;

	for (i = 0; i < ARRAY_SIZE(owned); i++) {
		snprintf(what, sizeof(what), "FORWARD %s", owned[i].name);
		expect_add(vm, EPERM, what, ENTRY(owned[i].eid, 1, FWD));
	}
	expect_add(vm, EPERM, "FORWARD FID 0 of TIME", FENTRY(SBI_EXT_TIME, 0, 1, FWD));
	expect_add(vm, EPERM, "FORWARD DBTR num_triggers", FENTRY(SBI_EXT_DBTR, 0, 1, FWD));
	expect_add(vm, EPERM, "FORWARD EIDs 0x0f-0x11 (BASE inside)",
		   ENTRY(0x0f, 3, FWD));
	expect_add(vm, EPERM, "DENY BASE", ENTRY(SBI_EXT_BASE, 1, DENY));
	expect_add(vm, EPERM, "DENY BASE probe_extension",
		   FENTRY(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, 1, DENY));
	expect_add(vm, EPERM, "good entry with FORWARD HSM",
		   ENTRY(SBI_EXT_VENDOR_START, 1, FWD), ENTRY(SBI_EXT_HSM, 1, FWD));

	/* DENY of kernel calls other than BASE, and the legacy console. */
	policy_add(vm, ENTRY(SBI_EXT_VENDOR_START, 1, FWD),
		   ENTRY(SBI_EXT_TIME, 1, DENY), ENTRY(SBI_EXT_PMU, 1, DENY),
		   ENTRY(SBI_EXT_STA, 1, DENY), ENTRY(LEGACY_SET_TIMER, 1, DENY),
		   ENTRY(LEGACY_CONSOLE_PUTCHAR, 2, FWD),
		   ENTRY(LEGACY_SHUTDOWN, 1, FWD), ENTRY(SBI_EXT_HSM, 1, HANDLE),
		   ENTRY(SBI_EXT_DBTR, 1, DENY));
	kvm_vm_free(vm);
}

static void test_eexist(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	const unsigned long v = SBI_EXT_VENDOR_START;

	/* Within one call. */
	expect_add(vm, EEXIST, "overlap in one call",
		   ENTRY(v + 0x1000, 1, FWD), ENTRY(v, 16, FWD), ENTRY(v + 15, 1, DENY));
	expect_add(vm, EEXIST, "same FID twice in one call",
		   FENTRY(v + 0x2000, 0, 4, FWD), FENTRY(v + 0x2000, 3, 1, DENY));
	expect_add(vm, EEXIST, "whole EID and FID range in one call",
		   ENTRY(v + 0x3000, 1, DENY), FENTRY(v + 0x3000, 7, 1, FWD));
	/* Nothing of them was installed: their other entries go in now. */
	policy_add(vm, ENTRY(v + 0x1000, 1, FWD), ENTRY(v, 16, FWD),
		   FENTRY(v + 0x2000, 0, 3, FWD), FENTRY(v + 0x2000, 3, 1, DENY),
		   FENTRY(v + 0x3000, 7, 1, FWD));

	/* With an earlier call. */
	expect_add(vm, EEXIST, "same entry again", ENTRY(v, 16, FWD));
	expect_add(vm, EEXIST, "overlap with an earlier range",
		   ENTRY(v + 0x4000, 1, FWD), FENTRY(v + 0x5000, 5, 2, DENY),
		   ENTRY(v + 15, 2, FWD));
	expect_add(vm, EEXIST, "FID inside an earlier FID range",
		   FENTRY(v + 0x6000, 0, 1, FWD), FENTRY(v + 0x2000, 1, 1, DENY));
	expect_add(vm, EEXIST, "whole EID over an earlier FID range",
		   ENTRY(v + 0x3000, 1, FWD));
	/* The failed calls installed nothing; adjacent ranges do not overlap. */
	policy_add(vm, ENTRY(v + 0x4000, 1, FWD), FENTRY(v + 0x5000, 5, 2, DENY),
		   FENTRY(v + 0x6000, 0, 1, FWD), ENTRY(v + 16, 1, FWD),
		   FENTRY(v + 0x3000, 6, 1, DENY), FENTRY(v + 0x3000, 8, 1, DENY));
	kvm_vm_free(vm);
}

static void test_e2big(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	unsigned int cap = vm_check_cap(vm, KVM_CAP_RISCV_SBI_POLICY), i;
	struct kvm_riscv_sbi_policy_entry *e;
	int rc;

	TEST_ASSERT(cap >= 2 && cap < 0x100000, "capacity %u", cap);
	e = calloc(cap + 1, sizeof(*e));
	TEST_ASSERT(e, "out of memory");
	for (i = 0; i <= cap; i++)
		e[i] = (struct kvm_riscv_sbi_policy_entry)
			ENTRY(SBI_EXT_VENDOR_START + i, 1, i & 1 ? DENY : FWD);

	rc = __policy_add(vm, e, cap + 1, 0);
	TEST_ASSERT(rc == E2BIG, "%u entries in one call: %s, want E2BIG", cap + 1,
		    errno_name(rc));
	rc = __policy_add(vm, e, cap - 1, 0);
	TEST_ASSERT(!rc, "%u entries: %s", cap - 1, errno_name(rc));
	rc = __policy_add(vm, e + cap - 1, 2, 0);
	TEST_ASSERT(rc == E2BIG, "%u + 2 entries: %s, want E2BIG", cap - 1,
		    errno_name(rc));
	rc = __policy_add(vm, e + cap, 1, 0);
	TEST_ASSERT(!rc, "entry %u of %u: %s", cap, cap, errno_name(rc));
	rc = __policy_add(vm, e + cap - 1, 1, 0);
	TEST_ASSERT(rc == E2BIG, "entry %u of %u: %s, want E2BIG", cap + 1, cap,
		    errno_name(rc));
	free(e);
	kvm_vm_free(vm);
}

static void test_ebusy(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_done);
	struct ucall uc;

	policy_add(vm, ENTRY(SBI_EXT_VENDOR_START, 1, FWD));
	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_DONE)
		sbi_test_report_exit(vcpu);
	expect_add(vm, EBUSY, "add after KVM_RUN",
		   ENTRY(SBI_EXT_VENDOR_START + 1, 1, FWD));
	expect_add(vm, EBUSY, "DENY after KVM_RUN", ENTRY(SBI_EXT_SRST, 1, DENY));
	kvm_vm_free(vm);
}

/*
 * The freeze is exact: while a thread adds DENY entries one by one (each
 * add merging a large map, a long window), the vCPU's first KVM_RUN
 * starts. Every add that succeeded must be one the guest's first calls
 * see, and every later one must fail with EBUSY: the guest counts the
 * denied EIDs from RACE_EID up (the first one not denied is forwarded to
 * the VMM, which answers 0), and that count must be the adds that
 * succeeded.
 */
#define RACE_EID		(SBI_EXT_VENDOR_START + 0x1000)
#define RACE_FILL_EID		(SBI_EXT_VENDOR_START + 0x7000)
#define RACE_FILL		512
#define RACE_TRIALS		8

static void guest_race(void)
{
	unsigned long k = 0;
	struct sbiret ret;
	int i;

	for (;;) {
		ret = sbi_ecall(RACE_EID + k, 0, 0, 0, 0, 0, 0, 0);
		if (ret.error != SBI_ERR_NOT_SUPPORTED)
			break;
		k++;
	}
	/* And the next ones are not denied either (no late add). */
	for (i = 1; i < 4; i++) {
		ret = sbi_ecall(RACE_EID + k + i, 0, 0, 0, 0, 0, 0, 0);
		__GUEST_ASSERT(ret.error == 0, "EID +%lu denied after +%lu was not",
			       k + i, k);
	}
	GUEST_SYNC(k);
	GUEST_DONE();
}

struct race_adder {
	struct kvm_vm *vm;
	unsigned long ok;
	int rc;
};

static void *race_add_thread(void *arg)
{
	struct race_adder *a = arg;
	struct kvm_riscv_sbi_policy_entry e = ENTRY(0, 1, DENY);

	do {
		e.eid_base = RACE_EID + a->ok;
		a->rc = __policy_add(a->vm, &e, 1, 0);
	} while (!a->rc && ++a->ok);
	return NULL;
}

static void test_freeze_race(void)
{
	struct kvm_riscv_sbi_policy_entry *fill;
	unsigned long seen = -1UL;
	int t, i, raced = 0;

	fill = calloc(RACE_FILL, sizeof(*fill));
	TEST_ASSERT(fill, "calloc");
	for (i = 0; i < RACE_FILL; i++)
		fill[i] = (struct kvm_riscv_sbi_policy_entry)
			FENTRY(RACE_FILL_EID, i * 2, 1, DENY);

	for (t = 0; t < RACE_TRIALS; t++) {
		struct race_adder a = { 0 };
		struct kvm_vcpu *vcpu;
		pthread_t thread;
		struct ucall uc;
		bool done = false;

		a.vm = vm_create_with_one_vcpu(&vcpu, guest_race);
		TEST_ASSERT(!__policy_add(a.vm, fill, RACE_FILL, 0), "fill");
		pthread_create(&thread, NULL, race_add_thread, &a);
		usleep(t * 500);
		while (!done) {
			vcpu_run(vcpu);
			if (vcpu->run->exit_reason == KVM_EXIT_RISCV_SBI &&
			    vcpu->run->riscv_sbi.extension_id >= RACE_EID &&
			    vcpu->run->riscv_sbi.extension_id < RACE_FILL_EID) {
				vcpu->run->riscv_sbi.ret[0] = 0;
				continue;
			}
			switch (get_ucall(vcpu, &uc)) {
			case UCALL_SYNC:
				seen = uc.args[1];
				break;
			case UCALL_DONE:
				done = true;
				break;
			default:
				sbi_test_report_exit(vcpu);
			}
		}
		pthread_join(thread, NULL);
		TEST_ASSERT(a.rc == EBUSY, "trial %d: add %lu failed with %s, want EBUSY",
			    t, a.ok, errno_name(a.rc));
		TEST_ASSERT(seen == a.ok,
			    "trial %d: %lu adds succeeded, the guest saw %lu",
			    t, a.ok, seen);
		raced += a.ok > 0;
		kvm_vm_free(a.vm);
	}
	ksft_print_msg("%d of %d trials had adds succeed before the first run\n",
		       raced, RACE_TRIALS);
	free(fill);
}

/* ---- 3: actions ---- */

/*
 * The vCPU's stats after its run: @calls_stat is @calls, and @outcome_stat
 * is @outcomes besides the guest's ucalls (forwarded experimental calls).
 */
static void expect_stats(struct kvm_vcpu *vcpu, const char *calls_stat,
			 uint64_t calls, const char *outcome_stat, uint64_t outcomes)
{
	int fd = vcpu_get_stats_fd(vcpu);
	uint64_t n = sbi_test_stat(fd, calls_stat);
	uint64_t o = sbi_test_stat(fd, outcome_stat);

	if (!strcmp(outcome_stat, "sbi_forwarded"))
		o -= sbi_test_stat(fd, "sbi_calls_experimental");
	close(fd);
	TEST_ASSERT(n == calls && o == outcomes, "stats: %s %lu (want %lu), %s %lu (want %lu)",
		    calls_stat, n, calls, outcome_stat, o, outcomes);
}

/* Three vendor calls forwarded. */
static void stats_vendor(struct kvm_vcpu *vcpu)
{
	expect_stats(vcpu, "sbi_calls_vendor", 3, "sbi_forwarded", 3);
}

/* Two PMU calls denied (the probe is BASE's, answered 0). */
static void stats_deny_pmu(struct kvm_vcpu *vcpu)
{
	expect_stats(vcpu, "sbi_calls_pmu", 2, "sbi_denied", 2);
}

static void test_forward_vendor(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);
	struct step *s;

	policy_add(vm, ENTRY(SBI_EXT_VENDOR_START, 16, FWD));
	step_exit(SBI_EXT_VENDOR_START + 5, 0x1234, SBI_SUCCESS, 0xfeedfacecafe0005UL);
	step_exit(SBI_EXT_VENDOR_START + 15, 0, SBI_ERR_INVALID_PARAM, 7);
	s = step_exit(SBI_EXT_VENDOR_START, 3, SBI_ERR_NOT_SUPPORTED, 0);
	s->keep_preset = true;
	after_steps = stats_vendor;
	run_steps(vcpu);
}

static const char tx_buf[] = "policy console";

static void dbcn_hook(struct kvm_vcpu *vcpu, const struct step *s)
{
	if (s->eid != SBI_EXT_DBCN || s->fid != DBCN_CONSOLE_WRITE)
		return;
	TEST_ASSERT(!memcmp(addr_gpa2hva(vcpu->vm, s->args[1]), tx_buf, s->args[0]),
		    "console_write: the buffer does not hold the guest's text");
}

static struct step *step_console_write(struct kvm_vm *vm, long err, unsigned long val)
{
	struct step *s = step_exit(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE, err, val);

	s->args[0] = strlen(tx_buf);
	s->args[1] = addr_gva2gpa(vm, (vm_vaddr_t)tx_buf);
	s->args[2] = 0;
	return s;
}

static void test_forward_dbcn_disabled(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);
	unsigned long val;

	vcpu_get_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), &val);
	TEST_ASSERT(val == 0, "DBCN is enabled by default");
	policy_add(vm, ENTRY(SBI_EXT_DBCN, 1, FWD));
	exit_hook = dbcn_hook;
	step_probe(SBI_EXT_DBCN, 1);
	step_console_write(vm, SBI_SUCCESS, strlen(tx_buf));
	step_exit(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE_BYTE, SBI_ERR_FAILURE, 0x42)->args[0] = 'p';
	run_steps(vcpu);
}

static void test_deny_pmu(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	if (!__vcpu_has_sbi_ext(vcpu, KVM_RISCV_SBI_EXT_PMU)) {
		ksft_print_msg("the vCPU has no SBI PMU\n");
		kvm_vm_free(vm);
		exit(KSFT_SKIP);
	}
	policy_add(vm, ENTRY(SBI_EXT_PMU, 1, DENY));
	step_ret(SBI_EXT_PMU, SBI_EXT_PMU_NUM_COUNTERS, SBI_ERR_NOT_SUPPORTED);
	step_ret(SBI_EXT_PMU, SBI_EXT_PMU_COUNTER_GET_INFO, SBI_ERR_NOT_SUPPORTED)->args[0] = 0;
	step_probe(SBI_EXT_PMU, 0);
	after_steps = stats_deny_pmu;
	run_steps(vcpu);
}

static void test_handle_srst(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);
	struct step *s;

	policy_add(vm, ENTRY(SBI_EXT_SRST, 1, HANDLE));
	step_probe(SBI_EXT_SRST, 1);
	s = step_ret(SBI_EXT_SRST, 0, SBI_ERR_INVALID_PARAM);	/* reserved type */
	s->args[0] = 3;
	s->args[1] = 0;
	step_ret(SBI_EXT_SRST, 1, SBI_ERR_NOT_SUPPORTED);	/* no FID 1 */
	s = add_step(SBI_EXT_SRST, 0, STEP_SHUTDOWN, 0, 0);
	s->args[0] = SRST_SHUTDOWN;
	s->args[1] = 0;
	run_steps(vcpu);
}

static void test_fid_firmware(void)
{
	const unsigned long eid = SBI_EXT_FIRMWARE_START + 1;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	policy_add(vm, FENTRY(eid, 1, 1, FWD));
	step_exit(eid, 1, SBI_SUCCESS, 0x600d);
	step_ret(eid, 0, SBI_ERR_NOT_SUPPORTED);
	step_ret(eid, 2, SBI_ERR_NOT_SUPPORTED);
	step_ret(eid + 1, 1, SBI_ERR_NOT_SUPPORTED);
	step_exit(eid, 1, SBI_ERR_DENIED, 0);
	run_steps(vcpu);
}

/* An optional function with discovery denied: PMU snapshot_set_shmem. */
static void test_fid_pmu_optional(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	__TEST_REQUIRE(__vcpu_has_sbi_ext(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_PMU)),
		       "SBI PMU not available");
	policy_add(vm, FENTRY(SBI_EXT_PMU, PMU_SNAPSHOT_SET_SHMEM, 1, DENY));
	step_ret(SBI_EXT_PMU, PMU_SNAPSHOT_SET_SHMEM, SBI_ERR_NOT_SUPPORTED)->args[2] = 0;
	step_ret(SBI_EXT_PMU, PMU_NUM_COUNTERS, SBI_SUCCESS);
	step_probe(SBI_EXT_PMU, 1);
	run_steps(vcpu);
}

static const unsigned long no_handler_eids[] = {
	SBI_EXT_FIRMWARE_START, SBI_EXT_FIRMWARE_START + 3,
	SBI_EXT_FIRMWARE_END, SBI_EXT_CPPC, SBI_EXT_MPXY,
};

static void test_no_handler_unforwarded(void)
{
	struct kvm_vcpu *vcpu;
	int i;

	/* Without a policy, then with one that does not cover them. */
	for (i = 0; i < 2; i++) {
		struct kvm_vm *vm = steps_vm(&vcpu);
		int j;

		if (i)
			policy_add(vm, ENTRY(SBI_EXT_FIRMWARE_START + 1, 1, DENY),
				   ENTRY(SBI_EXT_VENDOR_START, 1, FWD));
		for (j = 0; j < ARRAY_SIZE(no_handler_eids); j++) {
			step_ret(no_handler_eids[j], j, SBI_ERR_NOT_SUPPORTED);
			step_probe(no_handler_eids[j], 0);
		}
		run_steps(vcpu);
	}
}

static void test_no_handler_forwarded(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);
	int j;

	policy_add(vm, ENTRY(SBI_EXT_FIRMWARE_START, 0x1000000, FWD),
		   ENTRY(SBI_EXT_CPPC, 1, FWD), ENTRY(SBI_EXT_MPXY, 1, FWD));
	for (j = 0; j < ARRAY_SIZE(no_handler_eids); j++)
		step_exit(no_handler_eids[j], j, j & 1 ? SBI_ERR_DENIED : SBI_SUCCESS,
			  0x1000 + j);
	step_probe(SBI_EXT_CPPC, 1);
	step_probe(SBI_EXT_FIRMWARE_END, 1);
	step_ret(SBI_EXT_FIRMWARE_END + 1, 0, SBI_ERR_NOT_SUPPORTED);
	run_steps(vcpu);
}

/* ---- 4: probe_extension ---- */

static void test_probe_forwarded(void)
{
	const unsigned long v = SBI_EXT_VENDOR_START;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	policy_add(vm, ENTRY(SBI_EXT_FIRMWARE_START + 1, 1, FWD),
		   ENTRY(v + 0x10, 1, FWD), FENTRY(SBI_EXT_FIRMWARE_START + 5, 1, 1, FWD),
		   ENTRY(SBI_EXT_SUSP, 1, FWD));
	step_probe(SBI_EXT_FIRMWARE_START + 1, 1);
	step_probe(v + 0x10, 1);		/* without the policy: an exit */
	step_probe(SBI_EXT_FIRMWARE_START + 5, 1);
	step_probe(SBI_EXT_SUSP, 1);
	step_probe_exit(v + 0x11, 0x77);	/* not in the policy */
	run_steps(vcpu);
}

static void test_probe_denied(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	vcpu_set_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), 1);
	policy_add(vm, ENTRY(SBI_EXT_SRST, 1, DENY),
		   ENTRY(SBI_EXT_VENDOR_START + 0x20, 1, DENY),
		   ENTRY(SBI_EXT_DBCN, 1, DENY));
	step_probe(SBI_EXT_SRST, 0);
	step_probe(SBI_EXT_VENDOR_START + 0x20, 0);
	step_probe(SBI_EXT_DBCN, 0);
	step_probe(SBI_EXT_HSM, 1);
	/* And the calls: shutdown does not happen. */
	step_ret(SBI_EXT_SRST, 0, SBI_ERR_NOT_SUPPORTED)->args[0] = SRST_SHUTDOWN;
	step_ret(SBI_EXT_VENDOR_START + 0x20, 0, SBI_ERR_NOT_SUPPORTED);
	step_ret(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE_BYTE, SBI_ERR_NOT_SUPPORTED);
	run_steps(vcpu);
}

static void test_probe_fid_deny(void)
{
	const unsigned long v = SBI_EXT_VENDOR_START + 0x30;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	policy_add(vm, FENTRY(SBI_EXT_RFENCE, 3, 4, DENY),
		   FENTRY(v, 0, 10, DENY), FENTRY(SBI_EXT_SRST, 0, 1, HANDLE));
	step_probe(SBI_EXT_RFENCE, 1);
	step_probe(SBI_EXT_SRST, 1);
	step_probe_exit(v, 0x55);		/* the kernel's vendor answer */
	step_ret(v, 9, SBI_ERR_NOT_SUPPORTED);
	step_exit(v, 10, SBI_SUCCESS, 0xa);
	run_steps(vcpu);
}

static void test_probe_handled(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	policy_add(vm, ENTRY(SBI_EXT_TIME, 1, HANDLE),
		   ENTRY(SBI_EXT_FIRMWARE_START + 1, 1, FWD));
	step_probe(SBI_EXT_TIME, 1);
	step_probe(SBI_EXT_IPI, 1);
	step_probe(SBI_EXT_FIRMWARE_START + 2, 0);
	step_probe(SBI_EXT_FIRMWARE_START, 0);
	step_probe(SBI_EXT_DBCN, 0);		/* disabled, not in the policy */
	run_steps(vcpu);
}

static void test_probe_no_policy(void)
{
	struct kvm_vcpu *vcpu;

	steps_vm(&vcpu);
	step_probe_exit(SBI_EXT_VENDOR_START + 5, 0x77);
	step_probe(SBI_EXT_FIRMWARE_START + 1, 0);
	run_steps(vcpu);
}

/* ---- 5: 256 entries ---- */

#define NR_BIG			256
#define BIG_EID(i)		(SBI_EXT_VENDOR_START + 2 * (i))

static void test_256_entries(void)
{
	struct kvm_riscv_sbi_policy_entry e[NR_BIG];
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);
	int i, rc;

	/* Even i forwarded, odd i denied; given in a scrambled order. */
	for (i = 0; i < NR_BIG; i++) {
		int k = (i * 97) % NR_BIG;

		e[i] = (struct kvm_riscv_sbi_policy_entry)
			ENTRY(BIG_EID(k), 1, k & 1 ? DENY : FWD);
	}
	rc = __policy_add(vm, e, NR_BIG, 0);
	TEST_ASSERT(!rc, "%d entries: %s", NR_BIG, errno_name(rc));

	step_exit(BIG_EID(0), 7, SBI_SUCCESS, 0);
	step_ret(BIG_EID(NR_BIG - 1), 0, SBI_ERR_NOT_SUPPORTED);
	step_exit(BIG_EID(NR_BIG / 2), 1, SBI_ERR_DENIED, 0x128);
	step_ret(BIG_EID(NR_BIG / 2 - 1), 1, SBI_ERR_NOT_SUPPORTED);
	step_ret(BIG_EID(NR_BIG / 2 + 1), 0, SBI_ERR_NOT_SUPPORTED);
	step_exit(BIG_EID(NR_BIG - 2), 0, SBI_SUCCESS, 0x254);
	/* Between entries and past the last: the kernel's vendor default. */
	step_exit(BIG_EID(1) + 1, 0, SBI_SUCCESS, 0x31);
	step_exit(BIG_EID(NR_BIG - 1) + 1, 0, SBI_SUCCESS, 0x511);
	step_probe(BIG_EID(NR_BIG - 1), 0);
	step_probe(BIG_EID(NR_BIG / 2), 1);
	step_probe_exit(BIG_EID(0) + 1, 0x66);
	run_steps(vcpu);
}

/* ---- 6: system suspend ---- */

/* What the resume entry found, stored with the MMU off. */
struct susp_record {
	unsigned long a0;
	unsigned long a1;
	unsigned long satp;
	unsigned long sstatus;
	unsigned long magic;
};

static struct susp_record susp_rec;
static unsigned long entry_gpa, hole_gpa;
static unsigned long sec_up, sec_stop;

extern char susp_entry[], susp_entry_rec[], susp_entry_end[];

/*
 * resume_addr: S-mode, satp = 0, no stack. Stores a0, a1, satp and sstatus
 * at the guest physical address in susp_entry_rec (set by the host; read
 * PC-relative, so from the physical copy of this block, which does not
 * cross a page), then reports the same registers through REPORT_EID.
 */
asm(".pushsection .text.susp_entry, \"ax\", @progbits\n"
	".balign 256\n"
	".global susp_entry\n"
	"susp_entry:\n"
	"	csrr	a2, satp\n"
	"	csrr	a3, sstatus\n"
	"	lla	t0, susp_entry_rec\n"
	"	ld	t0, 0(t0)\n"
	"	sd	a0, 0(t0)\n"
	"	sd	a1, 8(t0)\n"
	"	sd	a2, 16(t0)\n"
	"	sd	a3, 24(t0)\n"
	"	li	t1, " __stringify(RECORD_MAGIC) "\n"
	"	sd	t1, 32(t0)\n"
	"	li	a6, 0\n"
	"	li	a7, " __stringify(REPORT_EID) "\n"
	"	ecall\n"
	"1:	j	1b\n"
	".balign 8\n"
	".global susp_entry_rec\n"
	"susp_entry_rec:\n"
	"	.dword	0\n"
	".global susp_entry_end\n"
	"susp_entry_end:\n"
	".popsection\n");

/* Tell the guest where susp_entry and a hole in guest RAM are. */
static void susp_setup(struct kvm_vm *vm)
{
	vm_paddr_t rec_gpa = addr_gva2gpa(vm, (vm_vaddr_t)&susp_rec);

	entry_gpa = addr_gva2gpa(vm, (vm_vaddr_t)susp_entry);
	TEST_ASSERT(susp_entry_end - susp_entry <= 256 &&
		    addr_gva2gpa(vm, (vm_vaddr_t)susp_entry_rec) - entry_gpa ==
		    susp_entry_rec - susp_entry,
		    "susp_entry is not contiguous in guest physical memory");
	*(unsigned long *)addr_gva2hva(vm, (vm_vaddr_t)susp_entry_rec) = rec_gpa;

	for (hole_gpa = 1UL << 33; sbi_test_gpa_is_ram(vm, hole_gpa); hole_gpa <<= 1)
		;
	sync_global_to_guest(vm, entry_gpa);
	sync_global_to_guest(vm, hole_gpa);
}

static struct step *step_susp(int kind, unsigned long type, unsigned long addr,
			      long err)
{
	struct step *s = add_step(SBI_EXT_SUSP, SUSP_SYSTEM_SUSPEND, kind, err, 0);

	s->args[0] = type;
	s->args[1] = addr;
	s->args[2] = OPAQUE;
	s->any_val = kind == STEP_RET;
	return s;
}

static void test_susp_checks(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	policy_add(vm, ENTRY(SBI_EXT_SUSP, 1, FWD));
	susp_setup(vm);
	step_probe(SBI_EXT_SUSP, 1);
	step_susp(STEP_RET, 1, entry_gpa, SBI_ERR_INVALID_PARAM);
	step_susp(STEP_RET, 0x7fffffff, entry_gpa, SBI_ERR_INVALID_PARAM);
	step_susp(STEP_RET, SUSP_TO_RAM, hole_gpa, SBI_ERR_INVALID_ADDRESS);
	step_susp(STEP_RET, SUSP_PLATFORM, hole_gpa, SBI_ERR_INVALID_ADDRESS);
	step_ret(SBI_EXT_SUSP, 1, SBI_ERR_NOT_SUPPORTED);
	run_steps(vcpu);
}

static void test_susp_refused(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = steps_vm(&vcpu);

	policy_add(vm, ENTRY(SBI_EXT_SUSP, 1, FWD));
	susp_setup(vm);
	step_susp(STEP_EXIT, SUSP_TO_RAM, entry_gpa, SBI_ERR_DENIED);
	step_susp(STEP_EXIT, SUSP_TO_RAM, entry_gpa, SBI_ERR_FAILURE);
	step_susp(STEP_EXIT, SUSP_PLATFORM, entry_gpa, SBI_ERR_INVALID_PARAM);
	/* The guest still runs normally after the refusals. */
	step_probe(SBI_EXT_SUSP, 1);
	run_steps(vcpu);
}

static void guest_susp_resume(void)
{
	struct sbiret ret;

	/* Both must be cleared by the resume. */
	csr_set(CSR_SSTATUS, SR_SIE);
	GUEST_ASSERT(csr_read(CSR_SATP));
	ret = sbi_ecall(SBI_EXT_SUSP, SUSP_SYSTEM_SUSPEND, SUSP_TO_RAM, entry_gpa,
			OPAQUE, 0, 0, 0);
	__GUEST_ASSERT(0, "system_suspend returned {%ld, %#lx} after the VMM accepted",
		       ret.error, ret.value);
}

static void test_susp_resume(void)
{
	struct kvm_vm *vm = vm_create(1);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, SUSP_VCPU_ID, guest_susp_resume);
	struct kvm_run *run = vcpu->run;
	struct susp_record *rec;
	unsigned long pc;

	policy_add(vm, ENTRY(SBI_EXT_SUSP, 1, FWD));
	susp_setup(vm);
	rec = addr_gva2hva(vm, (vm_vaddr_t)&susp_rec);

	vcpu_run(vcpu);
	if (!is_test_sbi_exit(run) || run->riscv_sbi.extension_id != SBI_EXT_SUSP)
		sbi_test_report_exit(vcpu);
	TEST_ASSERT(run->riscv_sbi.function_id == SUSP_SYSTEM_SUSPEND &&
		    run->riscv_sbi.args[0] == SUSP_TO_RAM &&
		    run->riscv_sbi.args[1] == entry_gpa &&
		    run->riscv_sbi.args[2] == OPAQUE,
		    "SUSP exit: FID %#llx args %#llx %#llx %#llx",
		    (unsigned long long)run->riscv_sbi.function_id,
		    (unsigned long long)run->riscv_sbi.args[0],
		    (unsigned long long)run->riscv_sbi.args[1],
		    (unsigned long long)run->riscv_sbi.args[2]);
	TEST_ASSERT(run->riscv_sbi.ret[0] == (unsigned long)SBI_ERR_NOT_SUPPORTED &&
		    run->riscv_sbi.ret[1] == 0, "SUSP exit: ret[] preset to {%ld, %#lx}",
		    (long)run->riscv_sbi.ret[0], (unsigned long)run->riscv_sbi.ret[1]);
	run->riscv_sbi.ret[0] = SBI_SUCCESS;
	run->riscv_sbi.ret[1] = 0;

	vcpu_run(vcpu);
	if (!is_test_sbi_exit(run) || run->riscv_sbi.extension_id != REPORT_EID)
		sbi_test_report_exit(vcpu);
	vcpu_get_reg(vcpu, RISCV_CORE_REG(regs.pc), &pc);
	TEST_ASSERT(pc >= entry_gpa && pc < entry_gpa + (susp_entry_rec - susp_entry),
		    "report from pc %#lx, outside resume_addr %#lx", pc, entry_gpa);
	TEST_ASSERT(run->riscv_sbi.args[0] == SUSP_VCPU_ID,
		    "resumed with a0 = %#llx, want hartid %d",
		    (unsigned long long)run->riscv_sbi.args[0], SUSP_VCPU_ID);
	TEST_ASSERT(run->riscv_sbi.args[1] == OPAQUE,
		    "resumed with a1 = %#llx, want opaque %#lx",
		    (unsigned long long)run->riscv_sbi.args[1], OPAQUE);
	TEST_ASSERT(run->riscv_sbi.args[2] == 0, "resumed with satp = %#llx",
		    (unsigned long long)run->riscv_sbi.args[2]);
	TEST_ASSERT(!(run->riscv_sbi.args[3] & SR_SIE), "resumed with sstatus = %#llx",
		    (unsigned long long)run->riscv_sbi.args[3]);
	TEST_ASSERT(rec->magic == RECORD_MAGIC && rec->a0 == run->riscv_sbi.args[0] &&
		    rec->a1 == run->riscv_sbi.args[1] &&
		    rec->satp == run->riscv_sbi.args[2] &&
		    rec->sstatus == run->riscv_sbi.args[3],
		    "record in guest memory: magic %#lx a0 %#lx a1 %#lx satp %#lx sstatus %#lx",
		    rec->magic, rec->a0, rec->a1, rec->satp, rec->sstatus);
	kvm_vm_free(vm);
}

static void guest_relax(void)
{
	asm volatile("nop" ::: "memory");
}

static long hart_status(unsigned long hartid)
{
	struct sbiret ret = sbi_ecall(SBI_EXT_HSM, HSM_HART_GET_STATUS, hartid,
				      0, 0, 0, 0, 0);

	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
	return ret.value;
}

static void guest_susp_two(void)
{
	struct sbiret ret;

	if (guest_get_vcpuid() == 1) {
		WRITE_ONCE(sec_up, 1);
		while (!READ_ONCE(sec_stop))
			guest_relax();
		ret = sbi_ecall(SBI_EXT_HSM, HSM_HART_STOP, 0, 0, 0, 0, 0, 0);
		__GUEST_ASSERT(0, "hart_stop returned %ld", ret.error);
	}

	while (!READ_ONCE(sec_up))
		guest_relax();
	ret = sbi_ecall(SBI_EXT_SUSP, SUSP_SYSTEM_SUSPEND, SUSP_TO_RAM, entry_gpa,
			OPAQUE, 0, 0, 0);
	__GUEST_ASSERT(ret.error == SBI_ERR_DENIED,
		       "system_suspend with hart 1 running: error %ld, want DENIED",
		       ret.error);

	WRITE_ONCE(sec_stop, 1);
	while (hart_status(1) != HSM_STOPPED)
		guest_relax();
	ret = sbi_ecall(SBI_EXT_SUSP, SUSP_SYSTEM_SUSPEND, SUSP_TO_RAM, entry_gpa,
			OPAQUE, 0, 0, 0);
	__GUEST_ASSERT(ret.error == SBI_ERR_FAILURE,
		       "system_suspend with hart 1 stopped: error %ld, want the VMM's FAILED",
		       ret.error);
	GUEST_DONE();
}

static void sigusr1(int sig)
{
}

static void *secondary_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	/* Runs until hart_stop; then KVM_RUN blocks until SIGUSR1. */
	if (__vcpu_run(vcpu) && errno == EINTR)
		return NULL;
	sbi_test_report_exit(vcpu);
	return NULL;
}

static void test_susp_two_vcpus(void)
{
	struct kvm_vcpu *vcpus[2];
	struct kvm_vm *vm = vm_create_with_vcpus(2, guest_susp_two, vcpus);
	struct kvm_run *run = vcpus[0]->run;
	int susp_exits = 0;
	pthread_t thread;
	struct ucall uc;

	signal(SIGUSR1, sigusr1);
	policy_add(vm, ENTRY(SBI_EXT_SUSP, 1, FWD));
	susp_setup(vm);
	pthread_create(&thread, NULL, secondary_thread, vcpus[1]);

	for (;;) {
		vcpu_run(vcpus[0]);
		if (is_test_sbi_exit(run) && run->riscv_sbi.extension_id == SBI_EXT_SUSP) {
			TEST_ASSERT(run->riscv_sbi.args[0] == SUSP_TO_RAM &&
				    run->riscv_sbi.args[1] == entry_gpa &&
				    run->riscv_sbi.args[2] == OPAQUE,
				    "SUSP exit: args %#llx %#llx %#llx",
				    (unsigned long long)run->riscv_sbi.args[0],
				    (unsigned long long)run->riscv_sbi.args[1],
				    (unsigned long long)run->riscv_sbi.args[2]);
			susp_exits++;
			run->riscv_sbi.ret[0] = SBI_ERR_FAILURE;
			continue;
		}
		if (get_ucall(vcpus[0], &uc) != UCALL_DONE)
			sbi_test_report_exit(vcpus[0]);
		break;
	}
	TEST_ASSERT(susp_exits == 1, "%d SUSP exits, want 1 (with hart 1 stopped)",
		    susp_exits);
	pthread_kill(thread, SIGUSR1);
	pthread_join(thread, NULL);
	kvm_vm_free(vm);
}

static void test_susp_not_forwarded(void)
{
	struct kvm_vcpu *vcpu;
	int i;

	/* No policy; a policy without SUSP; SUSP explicitly HANDLEd. */
	for (i = 0; i < 3; i++) {
		struct kvm_vm *vm = steps_vm(&vcpu);

		if (i == 1)
			policy_add(vm, ENTRY(SBI_EXT_FIRMWARE_START + 1, 1, FWD));
		if (i == 2)
			policy_add(vm, ENTRY(SBI_EXT_SUSP, 1, HANDLE));
		susp_setup(vm);
		step_susp(STEP_RET, SUSP_TO_RAM, entry_gpa, SBI_ERR_NOT_SUPPORTED);
		step_probe(SBI_EXT_SUSP, 0);
		run_steps(vcpu);
	}
}

/* ---- groups ---- */

static const struct sbi_test_group groups[] = {
	{ "cap: >= 256 entries, ADD attribute, others ENXIO",	test_cap },
	{ "ioctl: malformed policy or entry is EINVAL",		test_einval },
	{ "ioctl: FORWARD of kernel calls, DENY of BASE is EPERM", test_eperm },
	{ "ioctl: overlap is EEXIST, failed add installs nothing", test_eexist },
	{ "ioctl: more than the capacity is E2BIG",		test_e2big },
	{ "ioctl: add after KVM_RUN is EBUSY",			test_ebusy },
	{ "ioctl: an add racing the first KVM_RUN is seen or EBUSY",	test_freeze_race },
	{ "forward: vendor EID range, 6 args, answer",		test_forward_vendor },
	{ "forward: DBCN with its ONE_REG bit off",		test_forward_dbcn_disabled },
	{ "deny: PMU hidden without exit",			test_deny_pmu },
	{ "handle: explicit HANDLE of SRST",			test_handle_srst },
	{ "fid: FORWARD of one FID of a firmware EID",		test_fid_firmware },
	{ "fid: DENY of PMU snapshot (optional) only",		test_fid_pmu_optional },
	{ "firmware/CPPC/MPXY: NOT_SUPPORTED unforwarded",	test_no_handler_unforwarded },
	{ "firmware/CPPC/MPXY: forwarded by the policy",	test_no_handler_forwarded },
	{ "probe: forwarded EID is 1 without exit",		test_probe_forwarded },
	{ "probe: wholly denied EID is 0",			test_probe_denied },
	{ "probe: FID-granular deny keeps the kernel's answer",	test_probe_fid_deny },
	{ "probe: handled and unknown EIDs",			test_probe_handled },
	{ "probe: no policy, vendor probe exits as BASE call",	test_probe_no_policy },
	{ "policy: 256 entries in one call, lookups",		test_256_entries },
	{ "susp: bad sleep type or resume_addr, no exit",	test_susp_checks },
	{ "susp: VMM refuses, guest continues with its error",	test_susp_refused },
	{ "susp: VMM accepts, guest resumes at resume_addr",	test_susp_resume },
	{ "susp: DENIED while another vCPU runs",		test_susp_two_vcpus },
	{ "susp: NOT_SUPPORTED unless the policy forwards it",	test_susp_not_forwarded },
};

int main(void)
{
	struct kvm_vm *vm;

	ksft_print_header();
	vm = vm_create_barebones();
	TEST_REQUIRE(vm_check_cap(vm, KVM_CAP_RISCV_SBI_POLICY));
	kvm_vm_free(vm);
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
