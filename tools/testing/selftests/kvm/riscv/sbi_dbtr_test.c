// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_dbtr_test - SBI v3.0 Debug Triggers (DBTR) for guests, on the host
 * firmware's SBI DBTR.
 *
 * On a host whose firmware has DBTR (OpenSBI v1.9): the guest finds DBTR,
 * counts its type-6 triggers (and none for type 2, which the hart cannot
 * confine to the guest, or for modes the guest does not have), checks
 * every error path of every function (shared memory, ranges, indexes,
 * masks, bad and unsupported tdata), installs execute, load and store
 * triggers and takes their breakpoint exceptions in its own handler,
 * disables, enables, updates and uninstalls them. Two VMs share one
 * thread and one host hart: one's trigger never fires in the other, nor
 * in the host. A vCPU moved to another host hart takes its triggers
 * along. The state registers are listed, saved from one vCPU and restored
 * into a new VM's vCPU, whose guest then hits the restored trigger.
 *
 * SBI_TEST_FIRMWARE=debian: the host firmware has no DBTR (OpenSBI 1.1),
 * so the guest's probe must say 0. SBI_TEST_FIRMWARE=opensbi-1.9: it
 * must say 1. Unset: whatever probe says is accepted.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi.h"
#include "sbi_test.h"
#include "ucall_common.h"

#define DBTR_NUM_TRIGGERS	0
#define DBTR_SET_SHMEM		1
#define DBTR_READ		2
#define DBTR_INSTALL		3
#define DBTR_UPDATE		4
#define DBTR_UNINSTALL		5
#define DBTR_ENABLE		6
#define DBTR_DISABLE		7

#define SBI_ERR_NO_SHMEM	(-9)
#define SBI_ERR_BAD_RANGE	(-11)

#define TYPE(t)			((unsigned long)(t) << 60)
#define MC6_VS			BIT(24)
#define MC6_VU			BIT(23)
#define MC6_CHAIN		BIT(11)
#define MC6_M			BIT(6)
#define MC6_S			BIT(4)
#define MC6_U			BIT(3)
#define MC6_EXEC		BIT(2)
#define MC6_STORE		BIT(1)
#define MC6_LOAD		BIT(0)
#define MC6(bits)		(TYPE(6) | MC6_S | (bits))

#define TS_MAPPED		1UL
#define TS_S			4UL

#define MAX_TRIG		KVM_RISCV_SBI_DBTR_MAX_TRIGGERS
#define DBTR_REG(n)		(KVM_REG_RISCV | KVM_REG_SIZE_ULONG | \
				 KVM_REG_RISCV_SBI_STATE | KVM_REG_RISCV_SBI_DBTR | (n))

struct entry {
	unsigned long word[4];
};

/* Guest memory shared with the SBI implementation, and what it knows. */
static struct entry shm[MAX_TRIG + 1] __aligned(64);
static vm_paddr_t shm_gpa, not_ram_gpa;

/* The breakpoint exceptions the guest's handler saw. */
static unsigned long hits, hit_epc, hit_cause;
static unsigned long watched, calls;

static void (*guest_fn)(void);

static noinline void target_fn(void)
{
	WRITE_ONCE(calls, calls + 1);
}

static struct sbiret dbtr(int fid, unsigned long a0, unsigned long a1,
			  unsigned long a2)
{
	return sbi_ecall(SBI_EXT_DBTR, fid, a0, a1, a2, 0, 0, 0);
}

static void expect_err(struct sbiret r, long err, const char *what)
{
	__GUEST_ASSERT(r.error == err, "%s: error %ld, want %ld", what, r.error, err);
}

/*
 * The handler disables the trigger that fired, then returns to the
 * instruction, which now runs.
 */
static void bp_handler(struct ex_regs *regs)
{
	WRITE_ONCE(hits, hits + 1);
	WRITE_ONCE(hit_epc, regs->epc);
	WRITE_ONCE(hit_cause, regs->cause);
	dbtr(DBTR_DISABLE, 0, 1, 0);	/* the tests fire trigger 0 only */
}

static unsigned long nr_triggers(void)
{
	struct sbiret r = dbtr(DBTR_NUM_TRIGGERS, 0, 0, 0);

	expect_err(r, 0, "num_triggers(0)");
	return r.value;
}

static void set_entry(int i, unsigned long w0, unsigned long tdata1,
		      unsigned long tdata2, unsigned long tdata3)
{
	shm[i] = (struct entry) { .word = { w0, tdata1, tdata2, tdata3 } };
}

static void guest_main(void)
{
	guest_fn();
	GUEST_DONE();
}

static void guest_probe_absent(void)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
				    SBI_EXT_DBTR, 0, 0, 0, 0, 0);

	__GUEST_ASSERT(!r.error && r.value == 0, "probe(DBTR) = %ld/%ld, want 0",
		       r.error, r.value);
	r = dbtr(DBTR_NUM_TRIGGERS, 0, 0, 0);
	expect_err(r, SBI_ERR_NOT_SUPPORTED, "num_triggers without DBTR");
}

static void guest_counts(void)
{
	struct sbiret r = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
				    SBI_EXT_DBTR, 0, 0, 0, 0, 0);
	unsigned long n;

	__GUEST_ASSERT(!r.error && r.value == 1, "probe(DBTR) = %ld/%ld", r.error, r.value);
	n = nr_triggers();
	__GUEST_ASSERT(n >= 1 && n <= MAX_TRIG, "%lu triggers", n);
	GUEST_SYNC(n);

	r = dbtr(DBTR_NUM_TRIGGERS, MC6(MC6_EXEC), 0, 0);
	__GUEST_ASSERT(!r.error && r.value == n, "type 6 exec: %ld/%ld", r.error, r.value);
	r = dbtr(DBTR_NUM_TRIGGERS, MC6(MC6_LOAD | MC6_STORE), 0, 0);
	__GUEST_ASSERT(!r.error && r.value == n, "type 6 load/store: %ld/%ld", r.error, r.value);
	/* Type 2 cannot be kept to VS/VU; modes the guest does not have. */
	r = dbtr(DBTR_NUM_TRIGGERS, TYPE(2) | MC6_S | MC6_EXEC, 0, 0);
	__GUEST_ASSERT(!r.error && r.value == 0, "type 2: %ld/%ld", r.error, r.value);
	r = dbtr(DBTR_NUM_TRIGGERS, MC6(MC6_EXEC | MC6_M), 0, 0);
	__GUEST_ASSERT(!r.error && r.value == 0, "M mode: %ld/%ld", r.error, r.value);
	r = dbtr(DBTR_NUM_TRIGGERS, MC6(MC6_EXEC | MC6_VS), 0, 0);
	__GUEST_ASSERT(!r.error && r.value == 0, "VS mode: %ld/%ld", r.error, r.value);
	r = dbtr(DBTR_NUM_TRIGGERS, TYPE(3), 0, 0);
	__GUEST_ASSERT(!r.error && r.value == 0, "icount: %ld/%ld", r.error, r.value);
}

static void guest_errors(void)
{
	unsigned long n = nr_triggers(), i;
	struct sbiret r;

	/* Nothing works before the shared memory, except the masks' checks. */
	expect_err(dbtr(DBTR_READ, 0, 1, 0), SBI_ERR_NO_SHMEM, "read, no shmem");
	expect_err(dbtr(DBTR_INSTALL, 1, 0, 0), SBI_ERR_NO_SHMEM, "install, no shmem");
	expect_err(dbtr(DBTR_UPDATE, 1, 0, 0), SBI_ERR_NO_SHMEM, "update, no shmem");
	expect_err(dbtr(DBTR_UNINSTALL, 0, 1, 0), SBI_ERR_INVALID_PARAM, "uninstall unmapped");

	/* set_shmem */
	expect_err(dbtr(DBTR_SET_SHMEM, shm_gpa, 0, 1), SBI_ERR_INVALID_PARAM, "flags 1");
	expect_err(dbtr(DBTR_SET_SHMEM, shm_gpa + 4, 0, 0), SBI_ERR_INVALID_PARAM, "misaligned");
	expect_err(dbtr(DBTR_SET_SHMEM, not_ram_gpa, 0, 0), SBI_ERR_INVALID_ADDRESS, "not RAM");
	expect_err(dbtr(DBTR_SET_SHMEM, shm_gpa, 1, 0), SBI_ERR_INVALID_ADDRESS, "hi != 0");
	expect_err(dbtr(DBTR_SET_SHMEM, shm_gpa, 0, 0), 0, "set_shmem");
	expect_err(dbtr(DBTR_SET_SHMEM, -1UL, -1UL, 0), 0, "disable shmem");
	expect_err(dbtr(DBTR_READ, 0, 1, 0), SBI_ERR_NO_SHMEM, "read after disable");
	expect_err(dbtr(DBTR_SET_SHMEM, shm_gpa, 0, 0), 0, "set_shmem again");

	/* read: the range must fit, and may end at the last trigger */
	expect_err(dbtr(DBTR_READ, n, 1, 0), SBI_ERR_BAD_RANGE, "read base n");
	expect_err(dbtr(DBTR_READ, 0, n + 1, 0), SBI_ERR_BAD_RANGE, "read n + 1");
	expect_err(dbtr(DBTR_READ, n - 1, 2, 0), SBI_ERR_BAD_RANGE, "read past the end");
	expect_err(dbtr(DBTR_READ, -1UL, 2, 0), SBI_ERR_BAD_RANGE, "read wrapping");
	memset(shm, 0xa5, sizeof(shm));
	expect_err(dbtr(DBTR_READ, 0, n, 0), 0, "read all");
	for (i = 0; i < n; i++)
		__GUEST_ASSERT(!shm[i].word[0] && !shm[i].word[1],
			       "trigger %lu: state %#lx tdata1 %#lx", i,
			       shm[i].word[0], shm[i].word[1]);
	__GUEST_ASSERT(shm[n].word[0] == 0xa5a5a5a5a5a5a5a5UL, "entry past the last written");

	/* install: count, then each entry, all or nothing */
	expect_err(dbtr(DBTR_INSTALL, 0, 0, 0), SBI_ERR_BAD_RANGE, "install 0");
	expect_err(dbtr(DBTR_INSTALL, n + 1, 0, 0), SBI_ERR_BAD_RANGE, "install n + 1");
	set_entry(0, 0, TYPE(2) | MC6_S | MC6_EXEC, 0x1000, 0);
	r = dbtr(DBTR_INSTALL, 1, 0, 0);
	__GUEST_ASSERT(r.error == SBI_ERR_FAILURE && r.value == 0, "type 2: %ld/%ld",
		       r.error, r.value);
	set_entry(0, 0, MC6(MC6_EXEC | MC6_M), 0x1000, 0);
	r = dbtr(DBTR_INSTALL, 1, 0, 0);
	__GUEST_ASSERT(r.error == SBI_ERR_INVALID_PARAM && r.value == 0, "M bit: %ld/%ld",
		       r.error, r.value);
	set_entry(0, 0, MC6(MC6_EXEC | MC6_VU), 0x1000, 0);
	expect_err(dbtr(DBTR_INSTALL, 1, 0, 0), SBI_ERR_INVALID_PARAM, "VU bit");
	set_entry(0, 0, MC6(MC6_EXEC | MC6_CHAIN), 0x1000, 0);
	expect_err(dbtr(DBTR_INSTALL, 1, 0, 0), SBI_ERR_NOT_SUPPORTED, "chain");
	set_entry(0, 0, MC6(MC6_EXEC), 0x1000, 1);
	expect_err(dbtr(DBTR_INSTALL, 1, 0, 0), SBI_ERR_NOT_SUPPORTED, "tdata3");
	if (n >= 2) {
		set_entry(0, 0, MC6(MC6_EXEC), 0x1000, 0);
		set_entry(1, 0, MC6(MC6_EXEC | MC6_M), 0x1000, 0);
		r = dbtr(DBTR_INSTALL, 2, 0, 0);
		__GUEST_ASSERT(r.error == SBI_ERR_INVALID_PARAM && r.value == 1,
			       "second entry bad: %ld/%ld", r.error, r.value);
	}
	expect_err(dbtr(DBTR_READ, 0, n, 0), 0, "read after failed installs");
	for (i = 0; i < n; i++)
		__GUEST_ASSERT(!(shm[i].word[0] & TS_MAPPED), "trigger %lu installed", i);

	/* Fill every trigger (at an address never run), then one more. */
	for (i = 0; i < n; i++)
		set_entry(i, -1UL, MC6(MC6_EXEC), 0x1000 + 4 * i, 0);
	expect_err(dbtr(DBTR_INSTALL, n, 0, 0), 0, "install n");
	for (i = 0; i < n; i++)
		__GUEST_ASSERT(shm[i].word[0] == i, "entry %lu got index %lu", i, shm[i].word[0]);
	set_entry(0, 0, MC6(MC6_EXEC), 0x1000, 0);
	r = dbtr(DBTR_INSTALL, 1, 0, 0);
	__GUEST_ASSERT(r.error == SBI_ERR_FAILURE && r.value == 0, "no free trigger: %ld/%ld",
		       r.error, r.value);
	expect_err(dbtr(DBTR_READ, n - 1, 1, 0), 0, "read the last");
	__GUEST_ASSERT(shm[0].word[0] == (TS_MAPPED | TS_S) && shm[0].word[1] == MC6(MC6_EXEC) &&
		       shm[0].word[2] == 0x1000 + 4 * (n - 1),
		       "last trigger: %#lx %#lx %#lx", shm[0].word[0], shm[0].word[1],
		       shm[0].word[2]);

	/* update: the index must exist and be installed, the tdata good */
	set_entry(0, n, MC6(MC6_EXEC), 0x2000, 0);
	expect_err(dbtr(DBTR_UPDATE, 1, 0, 0), SBI_ERR_INVALID_PARAM, "update index n");
	set_entry(0, 0, MC6(MC6_EXEC | MC6_M), 0x2000, 0);
	expect_err(dbtr(DBTR_UPDATE, 1, 0, 0), SBI_ERR_INVALID_PARAM, "update M bit");
	expect_err(dbtr(DBTR_UPDATE, 0, 0, 0), SBI_ERR_BAD_RANGE, "update 0");
	expect_err(dbtr(DBTR_UPDATE, n + 1, 0, 0), SBI_ERR_BAD_RANGE, "update n + 1");

	/* masks: past the last trigger, or unmapped */
	expect_err(dbtr(DBTR_ENABLE, n, 1, 0), SBI_ERR_INVALID_PARAM, "enable base n");
	expect_err(dbtr(DBTR_DISABLE, 0, 1UL << n, 0), SBI_ERR_INVALID_PARAM, "disable bit n");
	expect_err(dbtr(DBTR_UNINSTALL, -1UL, 1, 0), SBI_ERR_INVALID_PARAM, "uninstall base -1");
	expect_err(dbtr(DBTR_ENABLE, 0, 0, 0), 0, "enable none");
	expect_err(dbtr(DBTR_UNINSTALL, 0, 1, 0), 0, "uninstall 0");
	expect_err(dbtr(DBTR_UNINSTALL, 0, 1, 0), SBI_ERR_INVALID_PARAM, "uninstall 0 again");
	expect_err(dbtr(DBTR_ENABLE, 0, 1, 0), SBI_ERR_INVALID_PARAM, "enable unmapped");
	set_entry(0, 0, MC6(MC6_EXEC), 0x2000, 0);
	expect_err(dbtr(DBTR_UPDATE, 1, 0, 0), SBI_ERR_FAILURE, "update unmapped");
	expect_err(dbtr(DBTR_UNINSTALL, 0, (1UL << n) - 1, 0), SBI_ERR_INVALID_PARAM,
	       "uninstall with one unmapped");
	if (n >= 2)
		expect_err(dbtr(DBTR_UNINSTALL, 1, (1UL << (n - 1)) - 1, 0), 0, "uninstall the rest");
	expect_err(dbtr(DBTR_READ, 0, n, 0), 0, "read after uninstall");
	for (i = 0; i < n; i++)
		__GUEST_ASSERT(!shm[i].word[0], "trigger %lu state %#lx", i, shm[i].word[0]);
}

static void expect_hits(unsigned long want, unsigned long epc, const char *what)
{
	unsigned long n = READ_ONCE(hits), at = READ_ONCE(hit_epc);
	unsigned long cause = READ_ONCE(hit_cause);

	__GUEST_ASSERT(n == want, "%s: %lu breakpoints, want %lu", what, n, want);
	if (want && epc)
		__GUEST_ASSERT(at == epc && cause == EXC_BREAKPOINT,
			       "%s: epc %#lx cause %lu, want %#lx", what, at, cause, epc);
}

/* Install one trigger at index 0. */
static void install_one(unsigned long tdata1, unsigned long addr)
{
	struct sbiret r;

	set_entry(0, 0, tdata1, addr, 0);
	r = dbtr(DBTR_INSTALL, 1, 0, 0);
	__GUEST_ASSERT(!r.error && shm[0].word[0] == 0, "install: %ld, index %lu",
		       r.error, shm[0].word[0]);
}

static void guest_fire(void)
{
	unsigned long epc;
	struct sbiret r;

	expect_err(dbtr(DBTR_SET_SHMEM, shm_gpa, 0, 0), 0, "set_shmem");

	/* execute */
	install_one(MC6(MC6_EXEC), (unsigned long)target_fn);
	target_fn();
	expect_hits(1, (unsigned long)target_fn, "execute");
	target_fn();
	expect_hits(1, 0, "execute, disabled by the handler");
	expect_err(dbtr(DBTR_READ, 0, 1, 0), 0, "read disabled");
	__GUEST_ASSERT(shm[0].word[0] == (TS_MAPPED | TS_S) && shm[0].word[1] == TYPE(6) + MC6_EXEC,
		       "disabled: state %#lx tdata1 %#lx", shm[0].word[0], shm[0].word[1]);
	expect_err(dbtr(DBTR_ENABLE, 0, 1, 0), 0, "enable");
	target_fn();
	expect_hits(2, (unsigned long)target_fn, "execute, enabled again");
	expect_err(dbtr(DBTR_ENABLE, 0, 1, 0), 0, "enable");
	expect_err(dbtr(DBTR_DISABLE, 0, 1, 0), 0, "disable");
	target_fn();
	expect_hits(2, 0, "execute, disabled");

	/* update to a load trigger on a variable */
	set_entry(0, 0, MC6(MC6_LOAD), (unsigned long)&watched, 0);
	expect_err(dbtr(DBTR_UPDATE, 1, 0, 0), 0, "update to load");
	target_fn();
	WRITE_ONCE(watched, 5);
	expect_hits(2, 0, "load trigger: a store and a call");
	asm volatile("1: ld %0, 0(%1)\n"
		     "   lla %0, 1b\n"
		     : "=&r"(epc) : "r"(&watched) : "memory");
	expect_hits(3, epc, "load");

	/* update to a store trigger */
	set_entry(0, 0, MC6(MC6_STORE), (unsigned long)&watched, 0);
	expect_err(dbtr(DBTR_UPDATE, 1, 0, 0), 0, "update to store");
	__GUEST_ASSERT(READ_ONCE(watched) == 5, "read %lu", watched);
	expect_hits(3, 0, "store trigger: a load");
	asm volatile("1: sd zero, 0(%1)\n"
		     "   lla %0, 1b\n"
		     : "=&r"(epc) : "r"(&watched) : "memory");
	expect_hits(4, epc, "store");
	__GUEST_ASSERT(READ_ONCE(watched) == 0, "the store did not happen after the handler");

	/* uninstall: nothing fires, and the index is free again */
	expect_err(dbtr(DBTR_ENABLE, 0, 1, 0), 0, "enable");
	expect_err(dbtr(DBTR_UNINSTALL, 0, 1, 0), 0, "uninstall");
	WRITE_ONCE(watched, 1);
	expect_hits(4, 0, "uninstalled");
	install_one(MC6(MC6_EXEC) | MC6_U, (unsigned long)target_fn);
	expect_err(dbtr(DBTR_READ, 0, 1, 0), 0, "read S+U");
	__GUEST_ASSERT(shm[0].word[0] == (TS_MAPPED | TS_S | 2), "state %#lx", shm[0].word[0]);
	r = dbtr(DBTR_UNINSTALL, 0, 1, 0);
	expect_err(r, 0, "uninstall");
}

/* Isolation: VM A's trigger; VM B runs the same code at the same address. */
static void guest_owner(void)
{
	expect_err(dbtr(DBTR_SET_SHMEM, shm_gpa, 0, 0), 0, "set_shmem");
	install_one(MC6(MC6_EXEC), (unsigned long)target_fn);
	GUEST_SYNC(1);		/* the other VM runs; maybe another hart */
	target_fn();
	expect_hits(1, (unsigned long)target_fn, "owner");
}

static void guest_other(void)
{
	int i;

	for (i = 0; i < 100; i++)
		target_fn();
	expect_hits(0, 0, "the other VM");
	__GUEST_ASSERT(READ_ONCE(calls) == 100, "%lu calls", calls);
}

/* State registers: install, report, then (restored) expect the hit. */
static void guest_save(void)
{
	expect_err(dbtr(DBTR_SET_SHMEM, shm_gpa, 0, 0), 0, "set_shmem");
	install_one(MC6(MC6_EXEC), (unsigned long)target_fn);
}

static void guest_restored(void)
{
	target_fn();
	expect_hits(1, (unsigned long)target_fn, "restored trigger");
	expect_err(dbtr(DBTR_READ, 0, 1, 0), 0, "read restored (shmem restored too)");
	__GUEST_ASSERT(shm[0].word[0] == (TS_MAPPED | TS_S) && shm[0].word[1] == TYPE(6) + MC6_EXEC,
		       "restored: %#lx %#lx", shm[0].word[0], shm[0].word[1]);
}

static struct kvm_vm *dbtr_vm(void (*fn)(void), struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_main);

	vm_init_vector_tables(vm);
	vcpu_init_vector_tables(*vcpu);
	vm_install_exception_handler(vm, EXC_BREAKPOINT, bp_handler);
	guest_fn = fn;
	sync_global_to_guest(vm, guest_fn);
	shm_gpa = addr_gva2gpa(vm, (vm_vaddr_t)shm);
	sync_global_to_guest(vm, shm_gpa);
	for (not_ram_gpa = 0x1000; sbi_test_gpa_is_ram(vm, not_ram_gpa);)
		not_ram_gpa += 0x10000000;
	sync_global_to_guest(vm, not_ram_gpa);
	return vm;
}

/* Run to GUEST_DONE or to the next GUEST_SYNC (returns its value, or -1). */
static long run_until(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run(vcpu);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		return -1;
	case UCALL_SYNC:
		return uc.args[1];
	default:
		sbi_test_report_exit(vcpu);
	}
}

static void run_guest(void (*fn)(void))
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = dbtr_vm(fn, &vcpu);

	while (run_until(vcpu) >= 0)
		;
	kvm_vm_free(vm);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(set), &set), "sched_setaffinity(CPU %d)", cpu);
}

static void test_counts(void)
{
	run_guest(guest_counts);
}

static void test_errors(void)
{
	run_guest(guest_errors);
}

static void test_fire(void)
{
	run_guest(guest_fire);
}

static void isolation(bool migrate)
{
	struct kvm_vcpu *a, *b;
	struct kvm_vm *vm_a, *vm_b;

	pin(0);
	vm_a = dbtr_vm(guest_owner, &a);
	vm_b = dbtr_vm(guest_other, &b);
	TEST_ASSERT(run_until(a) == 1, "owner did not install");
	if (migrate)
		pin(1);
	/* The same thread, the same hart: B runs right after A's put. */
	TEST_ASSERT(run_until(b) == -1, "other VM not done");
	target_fn();	/* the host process at the same address */
	TEST_ASSERT(run_until(a) == -1, "owner not done");
	kvm_vm_free(vm_b);
	kvm_vm_free(vm_a);
}

static void test_isolation(void)
{
	isolation(false);
}

static void test_migration(void)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		ksft_print_msg("one host CPU: nothing to move to\n");
		exit(KSFT_SKIP);
	}
	isolation(true);
}

static void test_state_regs(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = dbtr_vm(guest_save, &vcpu);
	unsigned long regs[2 + 4 * MAX_TRIG], val;
	struct kvm_reg_list *list;
	unsigned int n = 0, i, nregs;

	list = vcpu_get_reg_list(vcpu);
	for (i = 0; i < list->n; i++) {
		uint64_t id = list->reg[i];

		if ((id & KVM_REG_RISCV_TYPE_MASK) == KVM_REG_RISCV_SBI_STATE &&
		    (id & KVM_REG_RISCV_SUBTYPE_MASK) == KVM_REG_RISCV_SBI_DBTR) {
			TEST_ASSERT(id == DBTR_REG(n), "register %u listed as %#lx", n, id);
			n++;
		}
	}
	free(list);
	TEST_ASSERT(n >= 6 && n <= 2 + 4 * MAX_TRIG && (n - 2) % 4 == 0,
		    "%u DBTR registers listed", n);
	nregs = n;
	TEST_ASSERT(__vcpu_get_reg(vcpu, DBTR_REG(nregs), &val) && errno == ENOENT,
		    "register past the last trigger");

	TEST_ASSERT(run_until(vcpu) == -1, "save guest");
	for (i = 0; i < nregs; i++)
		vcpu_get_reg(vcpu, DBTR_REG(i), &regs[i]);
	TEST_ASSERT(regs[0] == shm_gpa && !regs[1], "saved shmem %#lx/%#lx", regs[0], regs[1]);
	TEST_ASSERT(regs[KVM_REG_RISCV_SBI_DBTR_TRIG(0, 0)] == (TS_MAPPED | TS_S) &&
		    regs[KVM_REG_RISCV_SBI_DBTR_TRIG(0, 1)] == MC6(MC6_EXEC) &&
		    regs[KVM_REG_RISCV_SBI_DBTR_TRIG(0, 2)] == (unsigned long)target_fn,
		    "saved trigger 0: %#lx %#lx %#lx", regs[2], regs[3], regs[4]);

	/* Bad values, each alone. */
	TEST_ASSERT(__vcpu_set_reg(vcpu, DBTR_REG(KVM_REG_RISCV_SBI_DBTR_TRIG(0, 0)), 0x80) &&
		    errno == EINVAL, "state bit 7 accepted");
	TEST_ASSERT(__vcpu_set_reg(vcpu, DBTR_REG(KVM_REG_RISCV_SBI_DBTR_TRIG(0, 1)),
				   MC6(MC6_EXEC | MC6_M)) && errno == EINVAL,
		    "tdata1 with M accepted");
	TEST_ASSERT(__vcpu_set_reg(vcpu, DBTR_REG(KVM_REG_RISCV_SBI_DBTR_TRIG(0, 1)),
				   TYPE(2) | MC6_S | MC6_EXEC) && errno == EINVAL,
		    "tdata1 of type 2 accepted");
	TEST_ASSERT(__vcpu_set_reg(vcpu, DBTR_REG(KVM_REG_RISCV_SBI_DBTR_TRIG(0, 3)), 1) &&
		    errno == EINVAL, "tdata3 accepted");
	TEST_ASSERT(__vcpu_set_reg(vcpu, DBTR_REG(1), 1) && errno == EINVAL, "shmem_hi accepted");
	kvm_vm_free(vm);

	vm = dbtr_vm(guest_restored, &vcpu);
	for (i = 0; i < nregs; i++)
		vcpu_set_reg(vcpu, DBTR_REG(i), regs[i]);
	TEST_ASSERT(run_until(vcpu) == -1, "restored guest");
	kvm_vm_free(vm);
}

static void test_absent(void)
{
	run_guest(guest_probe_absent);
}

static const struct sbi_test_group present_groups[] = {
	{ "dbtr: probe, num_triggers by type and mode",			test_counts },
	{ "dbtr: every function's error paths",				test_errors },
	{ "dbtr: execute, load, store triggers reach the guest's handler", test_fire },
	{ "dbtr: one VM's trigger never fires in another or the host",	test_isolation },
	{ "dbtr: a vCPU moved to another host hart keeps its triggers",	test_migration },
	{ "dbtr: state registers: list, check, save, restore",		test_state_regs },
};

static const struct sbi_test_group absent_groups[] = {
	{ "dbtr: probe 0 on a host firmware without DBTR",		test_absent },
};

int main(void)
{
	const char *fw = getenv("SBI_TEST_FIRMWARE");
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	unsigned long shmem;
	bool have = !__vcpu_get_reg(vcpu, DBTR_REG(0), &shmem);

	kvm_vm_free(vm);
	if (fw && !strcmp(fw, "debian")) {
		TEST_ASSERT(!have, "DBTR state registers on a host without firmware DBTR");
		sbi_test_run(absent_groups, ARRAY_SIZE(absent_groups));
	}
	if (fw && !strcmp(fw, "opensbi-1.9"))
		TEST_ASSERT(have, "no DBTR on OpenSBI v1.9, which has 2 triggers");
	if (!have)
		sbi_test_run(absent_groups, ARRAY_SIZE(absent_groups));
	sbi_test_run(present_groups, ARRAY_SIZE(present_groups));
}
