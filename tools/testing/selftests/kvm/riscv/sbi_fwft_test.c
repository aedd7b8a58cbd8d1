// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_fwft_test - SBI v3.0 Firmware Features (FWFT) served by KVM.
 *
 * Every feature class answers per the spec: MISALIGNED_EXC_DELEG is
 * supported; the other standard features (which need Zicfilp, Zicfiss,
 * Ssdbltrp, Svadu, Ssnpm) are NOT_SUPPORTED; reserved and platform IDs
 * DENIED; only the low 32 bits of the feature ID count; a failed get
 * returns value 0. set checks flags (LOCK only) and values; LOCK makes
 * every later set DENIED_LOCKED until a vCPU reset (HSM stop and start),
 * which also returns the feature to 0. With MISALIGNED_EXC_DELEG = 1 the
 * guest's misaligned AMOs reach its own handler without an exit to KVM;
 * with 0 they exit to KVM (which redirects them). The ONE_REG state
 * registers (Linux 6.18's layout) are listed for the supported feature
 * only, save a locked delegation from one vCPU and restore it into a new
 * VM's vCPU, whose guest then finds it set and locked, and the enable
 * register hides the feature from the guest.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <linux/stringify.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi.h"
#include "sbi_test.h"
#include "ucall_common.h"

#define FWFT_SET			0
#define FWFT_GET			1
#define FWFT_MISALIGNED			0
#define FWFT_LOCK			1UL

#define SBI_ERR_DENIED_LOCKED		(-14)

/* Forwarded experimental call by which the reset entry reports. */
#define REPORT_EID			0x08465754
#define HSM_HART_START			0
#define HSM_HART_STOP			1
#define HSM_HART_GET_STATUS		2
#define HSM_STOPPED			1

#define NR_MISALIGNED			200

#define FWFT_REG(name)	(KVM_REG_RISCV | KVM_REG_SIZE_ULONG | KVM_REG_RISCV_SBI_STATE | \
			 KVM_REG_RISCV_SBI_FWFT | KVM_REG_RISCV_SBI_FWFT_REG(name))

static struct sbiret fwft_set(unsigned long feature, unsigned long value,
			      unsigned long flags)
{
	return sbi_ecall(SBI_EXT_FWFT, FWFT_SET, feature, value, flags, 0, 0, 0);
}

static struct sbiret fwft_get(unsigned long feature)
{
	return sbi_ecall(SBI_EXT_FWFT, FWFT_GET, feature, 0, 0, 0, 0, 0);
}

static void expect_get(unsigned long feature, long err, long val)
{
	struct sbiret r = fwft_get(feature);

	__GUEST_ASSERT(r.error == err && r.value == val,
		       "get(%#lx): %ld/%ld, want %ld/%ld", feature, r.error, r.value,
		       err, val);
}

static void expect_set(unsigned long feature, unsigned long value,
		       unsigned long flags, long err)
{
	struct sbiret r = fwft_set(feature, value, flags);

	__GUEST_ASSERT(r.error == err, "set(%#lx, %#lx, %#lx): %ld, want %ld",
		       feature, value, flags, r.error, err);
}

static void (*guest_fn)(void);

static void guest_main(void)
{
	guest_fn();
	GUEST_DONE();
}

/* ---- feature classes ---- */

static void guest_features(void)
{
	static const unsigned long unsupported[] = { 1, 2, 3, 4, 5 };
	static const unsigned long denied[] = {
		6, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xbfffffff,
		0xc0000000, 0xffffffff,
	};
	struct sbiret r;
	int i;

	r = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_FWFT, 0, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(r.value, 1);
	for (i = 0; i < ARRAY_SIZE(unsupported); i++) {
		expect_get(unsupported[i], SBI_ERR_NOT_SUPPORTED, 0);
		expect_set(unsupported[i], 1, 0, SBI_ERR_NOT_SUPPORTED);
	}
	for (i = 0; i < ARRAY_SIZE(denied); i++) {
		expect_get(denied[i], SBI_ERR_DENIED, 0);
		expect_set(denied[i], 0, 0, SBI_ERR_DENIED);
	}
	/* uint32_t feature: the high bits of a0 do not count. */
	expect_get(0xffffffff00000000UL | FWFT_MISALIGNED, 0, 0);
	expect_get(0x100000006UL, SBI_ERR_DENIED, 0);
	/* FIDs past get. */
	r = sbi_ecall(SBI_EXT_FWFT, 2, 0, 0, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(r.error, SBI_ERR_NOT_SUPPORTED);
}

/* ---- set, get, flags, lock ---- */

static void guest_set_get_lock(void)
{
	expect_get(FWFT_MISALIGNED, 0, 0);
	expect_set(FWFT_MISALIGNED, 2, 0, SBI_ERR_INVALID_PARAM);
	expect_set(FWFT_MISALIGNED, -1UL, 0, SBI_ERR_INVALID_PARAM);
	expect_set(FWFT_MISALIGNED, 1, 2, SBI_ERR_INVALID_PARAM);
	expect_set(FWFT_MISALIGNED, 1, -1UL, SBI_ERR_INVALID_PARAM);
	expect_get(FWFT_MISALIGNED, 0, 0);		/* nothing changed */
	expect_set(FWFT_MISALIGNED, 1, 0, 0);
	expect_get(FWFT_MISALIGNED, 0, 1);
	expect_set(FWFT_MISALIGNED, 1, 0, 0);		/* the current value */
	expect_set(FWFT_MISALIGNED, 0, 0, 0);
	expect_get(FWFT_MISALIGNED, 0, 0);
	expect_set(FWFT_MISALIGNED, 1, FWFT_LOCK, 0);
	expect_get(FWFT_MISALIGNED, 0, 1);
	expect_set(FWFT_MISALIGNED, 0, 0, SBI_ERR_DENIED_LOCKED);
	expect_set(FWFT_MISALIGNED, 1, 0, SBI_ERR_DENIED_LOCKED);
	expect_set(FWFT_MISALIGNED, 0, FWFT_LOCK, SBI_ERR_DENIED_LOCKED);
	/* Bad flags are found before the lock. */
	expect_set(FWFT_MISALIGNED, 0, 4, SBI_ERR_INVALID_PARAM);
	expect_get(FWFT_MISALIGNED, 0, 1);
}

/* ---- misaligned exceptions: to the guest's handler, with or without KVM ---- */

static unsigned long misaligned_traps, misaligned_cause;
static uint32_t amo_word[4] __aligned(16);

static void misaligned_handler(struct ex_regs *regs)
{
	misaligned_traps++;
	misaligned_cause = regs->cause;
	regs->epc += 4;			/* the AMO below is not compressed */
}

static void misaligned_amos(void)
{
	void *p = (char *)amo_word + 1;
	int i;

	for (i = 0; i < NR_MISALIGNED; i++)
		asm volatile(".option push\n.option norvc\n"
			     "amoadd.w zero, %1, (%0)\n"
			     ".option pop\n"
			     : : "r"(p), "r"(1) : "memory");
}

static void guest_misaligned(void)
{
	misaligned_amos();			/* warm up: map the page */
	misaligned_traps = 0;
	GUEST_SYNC(1);
	misaligned_amos();
	GUEST_SYNC(2);
	__GUEST_ASSERT(misaligned_traps == NR_MISALIGNED,
		       "not delegated: %lu traps reached the guest", misaligned_traps);
	GUEST_ASSERT_EQ(misaligned_cause, EXC_STORE_MISALIGNED);

	expect_set(FWFT_MISALIGNED, 1, 0, 0);
	misaligned_traps = 0;
	GUEST_SYNC(3);
	misaligned_amos();
	GUEST_SYNC(4);
	__GUEST_ASSERT(misaligned_traps == NR_MISALIGNED,
		       "delegated: %lu traps reached the guest", misaligned_traps);
	GUEST_ASSERT_EQ(misaligned_cause, EXC_STORE_MISALIGNED);
}

/* ---- reset by HSM stop and start ---- */

static unsigned long entry_gpa;

/*
 * hart_start entry (MMU off, no memory): reports get(MISALIGNED) and the
 * error of set(MISALIGNED, 0) through a forwarded call, then spins.
 */
static void __naked __aligned(4) reset_entry(void)
{
	asm volatile("li	a0, " __stringify(FWFT_MISALIGNED) "\n"
		     "li	a6, " __stringify(FWFT_GET) "\n"
		     "li	a7, " __stringify(SBI_EXT_FWFT) "\n"
		     "ecall\n"
		     "mv	s2, a0\n"
		     "mv	s3, a1\n"
		     "li	a0, " __stringify(FWFT_MISALIGNED) "\n"
		     "li	a1, 0\n"
		     "li	a2, 0\n"
		     "li	a6, " __stringify(FWFT_SET) "\n"
		     "li	a7, " __stringify(SBI_EXT_FWFT) "\n"
		     "ecall\n"
		     "mv	a2, a0\n"
		     "mv	a0, s2\n"
		     "mv	a1, s3\n"
		     "li	a6, 0\n"
		     "li	a7, " __stringify(REPORT_EID) "\n"
		     "ecall\n"
		     "1:	j	1b\n");
}

static void guest_reset(void)
{
	struct sbiret r;
	int i;

	if (guest_get_vcpuid() == 1) {
		expect_set(FWFT_MISALIGNED, 1, FWFT_LOCK, 0);
		expect_set(FWFT_MISALIGNED, 0, 0, SBI_ERR_DENIED_LOCKED);
		sbi_ecall(SBI_EXT_HSM, HSM_HART_STOP, 0, 0, 0, 0, 0, 0);
		GUEST_FAIL("hart_stop returned");
	}
	for (i = 0; i < 1000000; i++) {
		r = sbi_ecall(SBI_EXT_HSM, HSM_HART_GET_STATUS, 1, 0, 0, 0, 0, 0);
		if (r.error == 0 && r.value == HSM_STOPPED)
			break;
	}
	GUEST_ASSERT_EQ(r.value, HSM_STOPPED);
	r = sbi_ecall(SBI_EXT_HSM, HSM_HART_START, 1, entry_gpa, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(r.error, 0);
}

/* ---- restored state ---- */

/* Restored before the first run: set, locked, and really delegating. */
static void guest_restored(void)
{
	expect_get(FWFT_MISALIGNED, 0, 1);
	expect_set(FWFT_MISALIGNED, 0, 0, SBI_ERR_DENIED_LOCKED);
	misaligned_amos();
	misaligned_traps = 0;
	GUEST_SYNC(3);
	misaligned_amos();
	GUEST_SYNC(4);
	GUEST_ASSERT_EQ(misaligned_traps, NR_MISALIGNED);
}

static void guest_hidden(void)
{
	expect_get(FWFT_MISALIGNED, SBI_ERR_NOT_SUPPORTED, 0);
	expect_set(FWFT_MISALIGNED, 1, 0, SBI_ERR_NOT_SUPPORTED);
}

/* ---- host side ---- */

static struct kvm_vm *fwft_vm(void (*fn)(void), int nr, struct kvm_vcpu **vcpus)
{
	struct kvm_vm *vm = vm_create_with_vcpus(nr, guest_main, vcpus);

	guest_fn = fn;
	sync_global_to_guest(vm, guest_fn);
	return vm;
}

/* Run to GUEST_DONE; @sync is called at each GUEST_SYNC with its value. */
static void run_to_done(struct kvm_vcpu *vcpu, void (*sync)(struct kvm_vcpu *, uint64_t))
{
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			return;
		case UCALL_SYNC:
			if (sync)
				sync(vcpu, uc.args[1]);
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("vCPU %u: unexpected exit %s", vcpu->id,
				  exit_reason_str(vcpu->run->exit_reason));
		}
	}
}

static void run_guest(void (*fn)(void))
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = fwft_vm(fn, 1, &vcpu);

	run_to_done(vcpu, NULL);
	kvm_vm_free(vm);
}

static void test_features(void)
{
	run_guest(guest_features);
}

static void test_set_get_lock(void)
{
	run_guest(guest_set_get_lock);
}

static uint64_t exits_at[5];
static int stats_fd;

static void misaligned_sync(struct kvm_vcpu *vcpu, uint64_t n)
{
	exits_at[n] = sbi_test_stat(stats_fd, "exits");
}

static void test_misaligned(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = fwft_vm(guest_misaligned, 1, &vcpu);
	uint64_t kept, delegated;

	vm_init_vector_tables(vm);
	vcpu_init_vector_tables(vcpu);
	vm_install_exception_handler(vm, EXC_STORE_MISALIGNED, misaligned_handler);
	stats_fd = vcpu_get_stats_fd(vcpu);
	run_to_done(vcpu, misaligned_sync);
	close(stats_fd);
	kept = exits_at[2] - exits_at[1];
	delegated = exits_at[4] - exits_at[3];
	ksft_print_msg("exits for %d misaligned AMOs: %lu kept by KVM, %lu delegated\n",
		       NR_MISALIGNED, kept, delegated);
	TEST_ASSERT(kept >= NR_MISALIGNED, "not delegated: only %lu exits", kept);
	TEST_ASSERT(delegated < NR_MISALIGNED / 4, "delegated: still %lu exits", delegated);
	kvm_vm_free(vm);
}

struct reset_report {
	uint64_t get_err, get_val, set_err;
	bool seen;
};

static struct reset_report reset_report;

static void *secondary_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason == KVM_EXIT_RISCV_SBI &&
		    run->riscv_sbi.extension_id == REPORT_EID) {
			reset_report.get_err = run->riscv_sbi.args[0];
			reset_report.get_val = run->riscv_sbi.args[1];
			reset_report.set_err = run->riscv_sbi.args[2];
			reset_report.seen = true;
			return NULL;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("vCPU 1: unexpected exit %s",
				  exit_reason_str(run->exit_reason));
		}
	}
}

static void test_reset(void)
{
	struct kvm_vcpu *vcpus[2];
	struct kvm_vm *vm = fwft_vm(guest_reset, 2, vcpus);
	pthread_t t;

	entry_gpa = addr_gva2gpa(vm, (vm_vaddr_t)reset_entry);
	sync_global_to_guest(vm, entry_gpa);
	pthread_create(&t, NULL, secondary_thread, vcpus[1]);
	run_to_done(vcpus[0], NULL);
	pthread_join(t, NULL);
	TEST_ASSERT(reset_report.seen, "no report from the restarted hart");
	TEST_ASSERT(!reset_report.get_err && !reset_report.get_val,
		    "after the reset: get %ld/%lu, want 0/0",
		    (long)reset_report.get_err, reset_report.get_val);
	TEST_ASSERT(!reset_report.set_err, "after the reset: set error %ld (still locked?)",
		    (long)reset_report.set_err);
	kvm_vm_free(vm);
}

static void test_state_regs(void)
{
	static const uint64_t pm_regs[] = {
		FWFT_REG(pointer_masking.enable), FWFT_REG(pointer_masking.flags),
		FWFT_REG(pointer_masking.value),
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = fwft_vm(guest_set_get_lock, 1, &vcpu);
	struct kvm_reg_list *list;
	unsigned long en, flags, val, tmp;
	int i, found = 0;

	/* The layout and values of Linux 6.18. */
	TEST_ASSERT(KVM_REG_RISCV_SBI_FWFT == 0x10000, "FWFT subtype %#x", KVM_REG_RISCV_SBI_FWFT);
	TEST_ASSERT(FWFT_REG(misaligned_deleg.value) == (FWFT_REG(misaligned_deleg.enable) | 2) &&
		    FWFT_REG(pointer_masking.enable) == (FWFT_REG(misaligned_deleg.enable) | 3),
		    "FWFT register numbers");

	vcpu_get_reg(vcpu, FWFT_REG(misaligned_deleg.enable), &en);
	vcpu_get_reg(vcpu, FWFT_REG(misaligned_deleg.flags), &flags);
	vcpu_get_reg(vcpu, FWFT_REG(misaligned_deleg.value), &val);
	TEST_ASSERT(en == 1 && !flags && !val, "initial state %lu/%lu/%lu", en, flags, val);
	for (i = 0; i < ARRAY_SIZE(pm_regs); i++)
		TEST_ASSERT(__vcpu_get_reg(vcpu, pm_regs[i], &tmp) && errno == ENOENT,
			    "pointer masking register %d exists", i);
	TEST_ASSERT(__vcpu_set_reg(vcpu, FWFT_REG(misaligned_deleg.value), 2) && errno == EINVAL,
		    "value 2 accepted");
	TEST_ASSERT(__vcpu_set_reg(vcpu, FWFT_REG(misaligned_deleg.flags), 2) && errno == EINVAL,
		    "flags 2 accepted");

	list = vcpu_get_reg_list(vcpu);
	for (i = 0; i < list->n; i++) {
		uint64_t id = list->reg[i];

		if ((id & KVM_REG_RISCV_TYPE_MASK) != KVM_REG_RISCV_SBI_STATE ||
		    (id & KVM_REG_RISCV_SUBTYPE_MASK) != KVM_REG_RISCV_SBI_FWFT)
			continue;
		TEST_ASSERT(id == FWFT_REG(misaligned_deleg.enable) ||
			    id == FWFT_REG(misaligned_deleg.flags) ||
			    id == FWFT_REG(misaligned_deleg.value),
			    "listed FWFT register %#lx", id);
		found++;
	}
	TEST_ASSERT(found == 3, "%d FWFT registers listed, want 3", found);
	free(list);

	/* The guest locks delegation on: save it, restore it in a new VM. */
	run_to_done(vcpu, NULL);
	vcpu_get_reg(vcpu, FWFT_REG(misaligned_deleg.flags), &flags);
	vcpu_get_reg(vcpu, FWFT_REG(misaligned_deleg.value), &val);
	TEST_ASSERT(flags == FWFT_LOCK && val == 1, "saved %lu/%lu", flags, val);
	TEST_ASSERT(__vcpu_set_reg(vcpu, FWFT_REG(misaligned_deleg.enable), 0) &&
		    errno == EBUSY, "enable written after the vCPU ran");
	kvm_vm_free(vm);

	vm = fwft_vm(guest_restored, 1, &vcpu);
	vm_init_vector_tables(vm);
	vcpu_init_vector_tables(vcpu);
	vm_install_exception_handler(vm, EXC_STORE_MISALIGNED, misaligned_handler);
	vcpu_set_reg(vcpu, FWFT_REG(misaligned_deleg.value), val);
	vcpu_set_reg(vcpu, FWFT_REG(misaligned_deleg.flags), flags);
	stats_fd = vcpu_get_stats_fd(vcpu);
	run_to_done(vcpu, misaligned_sync);
	close(stats_fd);
	TEST_ASSERT(exits_at[4] - exits_at[3] < NR_MISALIGNED / 4,
		    "restored delegation: %lu exits for %d misaligned AMOs",
		    exits_at[4] - exits_at[3], NR_MISALIGNED);
	kvm_vm_free(vm);

	/* enable = 0: the guest does not have the feature. */
	vm = fwft_vm(guest_hidden, 1, &vcpu);
	vcpu_set_reg(vcpu, FWFT_REG(misaligned_deleg.enable), 0);
	run_to_done(vcpu, NULL);
	kvm_vm_free(vm);
}

static const struct sbi_test_group groups[] = {
	{ "fwft: every feature class answered per v3.0",		test_features },
	{ "fwft: set/get, flags, values, LOCK then DENIED_LOCKED",	test_set_get_lock },
	{ "fwft: misaligned AMOs exit to KVM only until delegated",	test_misaligned },
	{ "fwft: vCPU reset (HSM stop/start) unlocks and clears",	test_reset },
	{ "fwft: state registers: list, save, restore, enable",	test_state_regs },
};

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	bool have = __vcpu_has_sbi_ext(vcpu, KVM_RISCV_SBI_EXT_FWFT);

	kvm_vm_free(vm);
	TEST_REQUIRE(have);
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
