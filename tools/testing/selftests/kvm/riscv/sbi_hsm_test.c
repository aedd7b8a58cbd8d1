// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_hsm_test - SBI v3.0 Hart State Management.
 *
 * Secondary vCPUs are created STOPPED (KVM_SET_MP_STATE). hart_get_status
 * reports STARTED, STOPPED and SUSPENDED; hart_start refuses absent harts
 * (INVALID_PARAM), start addresses outside guest RAM (INVALID_ADDRESS) and
 * started harts (ALREADY_AVAILABLE), and enters the hart with a0 = hartid,
 * a1 = opaque, satp = 0 and sstatus.SIE = 0; hart_stop stops it again.
 * hart_suspend refuses reserved and platform-specific types, uses only the
 * low 32 bits of the type, returns SUCCESS from a retentive suspend after an
 * IPI, and resumes a non-retentive suspend at resume_addr with the hart_start
 * entry state.
 *
 * The entry point runs with the MMU off, at the guest physical address of
 * hsm_entry below (the library maps guest memory at virtual addresses that
 * differ from the physical ones). It touches no memory: it reports what it
 * found through a forwarded experimental SBI call, which the vCPU's host
 * thread records in guest memory for the primary vCPU to check, then waits
 * for the primary's go-ahead (the host thread holds the vCPU) and calls
 * hart_stop.
 *
 * Each check group runs in its own process with its own VM.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/stringify.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "sbi.h"
#include "test_util.h"
#include "ucall_common.h"

#define HSM_HART_START			0
#define HSM_HART_STOP			1
#define HSM_HART_GET_STATUS		2
#define HSM_HART_SUSPEND		3

#define HSM_STARTED			0
#define HSM_STOPPED			1
#define HSM_SUSPENDED			4

#define SUSPEND_RETENTIVE		0x00000000UL
#define SUSPEND_NON_RETENTIVE		0x80000000UL

/* Experimental EID by which hsm_entry reports to its host thread. */
#define REPORT_EID			0x08000a5a
#define REPORT_ENTRY			0
#define REPORT_STOP_FAILED		1

/* An opaque value telling the host thread to let its vCPU go. */
#define OPAQUE_EXIT			0xe417e417e417e417UL
#define OPAQUE(n)			(0xc0de000000000000UL | (n))

/* Not guest RAM: checked against the memslots by the host part. */
#define HOLE_GPA			0x200000000UL

#define NR_VCPUS			4
#define WAIT_MS				3000

/* What a hart found at its entry point, as its host thread recorded it. */
struct entry_record {
	unsigned long count;
	unsigned long a0;
	unsigned long a1;
	unsigned long satp;
	unsigned long sstatus;
};

/* Set by the host part. */
static unsigned long timer_freq;
static int nr_vcpus;
static unsigned long entry_gpa;
static void (*primary_fn)(void);
static void (*secondary_fn)(void);

/* Written by the host threads. */
static struct entry_record records[NR_VCPUS];

/* Shared by the vCPUs. */
static unsigned long sleep_round, woke;

/* Host side: the go-ahead for a vCPU held at its entry report. */
static sem_t release[NR_VCPUS];

/*
 * Entry point of hart_start and of a non-retentive resume: MMU off, no
 * stack, a0 = hartid, a1 = opaque. Reports a0, a1, satp and sstatus, then
 * stops the hart; if hart_stop returns, reports its error and spins.
 */
static void __naked __aligned(4) hsm_entry(void)
{
	asm volatile("csrr	a2, satp\n"
		     "csrr	a3, sstatus\n"
		     "li	a6, " __stringify(REPORT_ENTRY) "\n"
		     "li	a7, " __stringify(REPORT_EID) "\n"
		     "ecall\n"
		     "li	a6, " __stringify(HSM_HART_STOP) "\n"
		     "li	a7, " __stringify(SBI_EXT_HSM) "\n"
		     "ecall\n"
		     "li	a6, " __stringify(REPORT_STOP_FAILED) "\n"
		     "li	a7, " __stringify(REPORT_EID) "\n"
		     "ecall\n"
		     "1:	j	1b\n");
}

/* ---- guest helpers ---- */

static struct sbiret hart_start(unsigned long hartid, unsigned long addr,
				unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, HSM_HART_START, hartid, addr, opaque, 0, 0, 0);
}

static struct sbiret hart_suspend(unsigned long type, unsigned long addr,
				  unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, HSM_HART_SUSPEND, type, addr, opaque, 0, 0, 0);
}

static struct sbiret hart_get_status(unsigned long hartid)
{
	return sbi_ecall(SBI_EXT_HSM, HSM_HART_GET_STATUS, hartid, 0, 0, 0, 0, 0);
}

static long status_of(unsigned long hartid)
{
	struct sbiret ret = hart_get_status(hartid);

	__GUEST_ASSERT(ret.error == SBI_SUCCESS, "hart_get_status(%lu): error %ld",
		       hartid, ret.error);
	return ret.value;
}

static void wait_status(unsigned long hartid, long state)
{
	long last = -1;

	__GUEST_ASSERT(sbi_test_wait_until((last = status_of(hartid)) == state, WAIT_MS),
		       "hart %lu: status %ld, want %ld", hartid, last, state);
}

static unsigned long record_count(unsigned long hartid)
{
	return __atomic_load_n(&records[hartid].count, __ATOMIC_ACQUIRE);
}

static void wait_entry(unsigned long hartid, unsigned long seen)
{
	__GUEST_ASSERT(sbi_test_wait_until(record_count(hartid) != seen, WAIT_MS),
		       "hart %lu never reached its entry point", hartid);
}

static void check_entry(unsigned long hartid, unsigned long opaque)
{
	const struct entry_record *r = &records[hartid];

	__GUEST_ASSERT(r->a0 == hartid, "hart %lu entered with a0 = %#lx",
		       hartid, r->a0);
	__GUEST_ASSERT(r->a1 == opaque, "hart %lu entered with a1 = %#lx, want %#lx",
		       hartid, r->a1, opaque);
	__GUEST_ASSERT(r->satp == 0, "hart %lu entered with satp = %#lx",
		       hartid, r->satp);
	__GUEST_ASSERT(!(r->sstatus & SR_SIE), "hart %lu entered with sstatus = %#lx",
		       hartid, r->sstatus);
}

/* Let a hart held at its entry report go on to hart_stop. */
static void release_hart(unsigned long hartid)
{
	GUEST_SYNC(hartid);
}

/* Start each stopped secondary once more, to end its host thread. */
static void exit_secondaries(void)
{
	int i;

	for (i = 1; i < nr_vcpus; i++) {
		wait_status(i, HSM_STOPPED);
		GUEST_ASSERT_EQ(hart_start(i, entry_gpa, OPAQUE_EXIT).error, SBI_SUCCESS);
	}
}

static void irq_handler(struct ex_regs *regs)
{
	unsigned long irq = regs->cause & ~CAUSE_IRQ_FLAG;

	__GUEST_ASSERT(irq == IRQ_S_SOFT, "unexpected interrupt %lu", irq);
	csr_clear(CSR_SIP, IE_SIE);
}

static void guest_code(void)
{
	if (guest_get_vcpuid())
		secondary_fn();
	else
		primary_fn();
	GUEST_DONE();
}

/* ---- hart_get_status and hart_start ---- */

static const unsigned long absent_harts[] = { NR_VCPUS, 1000, -1UL };

static void guest_get_status(void)
{
	struct sbiret ret;
	int i;

	GUEST_ASSERT_EQ(status_of(0), HSM_STARTED);
	for (i = 1; i < nr_vcpus; i++)
		__GUEST_ASSERT(status_of(i) == HSM_STOPPED, "hart %d: status %ld",
			       i, status_of(i));
	for (i = 0; i < ARRAY_SIZE(absent_harts); i++) {
		ret = hart_get_status(absent_harts[i]);
		__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM,
			       "hart_get_status(%#lx): error %ld",
			       absent_harts[i], ret.error);
	}
	exit_secondaries();
}

static void guest_start_refused(void)
{
	struct sbiret ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(absent_harts); i++) {
		ret = hart_start(absent_harts[i], entry_gpa, 0);
		__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM,
			       "hart_start(%#lx): error %ld", absent_harts[i], ret.error);
	}
	ret = hart_start(0, entry_gpa, 0);
	__GUEST_ASSERT(ret.error == SBI_ERR_ALREADY_AVAILABLE,
		       "hart_start(self): error %ld", ret.error);
	for (i = 1; i < nr_vcpus; i++)
		GUEST_ASSERT_EQ(status_of(i), HSM_STOPPED);
	exit_secondaries();
}

static void guest_start_bad_addr(void)
{
	static const unsigned long addrs[] = { HOLE_GPA, 1UL << 50, -4096UL };
	struct sbiret ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		ret = hart_start(1, addrs[i], 0);
		__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_ADDRESS,
			       "hart_start(1, %#lx): error %ld", addrs[i], ret.error);
		GUEST_ASSERT_EQ(status_of(1), HSM_STOPPED);
	}
	exit_secondaries();
}

/* Start a hart, check its entry state, its status while started, stop it. */
static void start_stop_cycle(unsigned long hartid, unsigned long opaque)
{
	unsigned long seen = record_count(hartid);
	struct sbiret ret;

	ret = hart_start(hartid, entry_gpa, opaque);
	__GUEST_ASSERT(ret.error == SBI_SUCCESS, "hart_start(%lu): error %ld",
		       hartid, ret.error);
	wait_entry(hartid, seen);
	check_entry(hartid, opaque);

	/* Held by its host thread: started, so it cannot be started again. */
	GUEST_ASSERT_EQ(status_of(hartid), HSM_STARTED);
	ret = hart_start(hartid, entry_gpa, opaque);
	__GUEST_ASSERT(ret.error == SBI_ERR_ALREADY_AVAILABLE,
		       "hart_start(%lu) while started: error %ld", hartid, ret.error);

	release_hart(hartid);
	wait_status(hartid, HSM_STOPPED);
}

static void guest_start_stop(void)
{
	int i;

	for (i = 1; i < nr_vcpus; i++)
		start_stop_cycle(i, OPAQUE(i));
	/* A stopped hart can be started again. */
	start_stop_cycle(1, OPAQUE(0x100));
	exit_secondaries();
}

/* ---- a restart resets a hart whose PMU counters are in use ---- */

#define PMU_NUM_COUNTERS		0
#define PMU_COUNTER_CFG_MATCH		2
#define PMU_CFG_FLAG_AUTO_START		BIT(2)
#define PMU_HW_CPU_CYCLES		1
#define PMU_HW_INSTRUCTIONS		2

/*
 * The secondary binds two counters to events and starts them, so that host
 * perf events back them, then stops itself. Its restart resets it, which
 * releases those perf events: a reset that did so with preemption off
 * slept in atomic context (a splat on the debug kernel).
 */
static void pmu_busy_secondary(void)
{
	static const unsigned long events[] = {
		PMU_HW_CPU_CYCLES, PMU_HW_INSTRUCTIONS,
	};
	unsigned long mask;
	struct sbiret ret;
	int i;

	ret = sbi_ecall(SBI_EXT_PMU, PMU_NUM_COUNTERS, 0, 0, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
	__GUEST_ASSERT(ret.value >= 3 && ret.value < BITS_PER_LONG,
		       "%ld PMU counters", ret.value);
	mask = BIT(ret.value) - 1;
	for (i = 0; i < ARRAY_SIZE(events); i++) {
		ret = sbi_ecall(SBI_EXT_PMU, PMU_COUNTER_CFG_MATCH, 0, mask,
				PMU_CFG_FLAG_AUTO_START, events[i], 0, 0);
		__GUEST_ASSERT(ret.error == SBI_SUCCESS,
			       "config_matching(event %lu): error %ld",
			       events[i], ret.error);
		mask &= ~BIT(ret.value);
	}
	sbi_ecall(SBI_EXT_HSM, HSM_HART_STOP, 0, 0, 0, 0, 0, 0);
	GUEST_FAIL("hart_stop returned");
}

static void pmu_busy_primary(void)
{
	unsigned long seen = record_count(1);

	wait_status(1, HSM_STOPPED);
	GUEST_ASSERT_EQ(hart_start(1, entry_gpa, OPAQUE(0x9e5e7)).error,
			SBI_SUCCESS);
	wait_entry(1, seen);
	check_entry(1, OPAQUE(0x9e5e7));
	release_hart(1);
	exit_secondaries();
}

/* ---- hart_suspend ---- */

static void guest_suspend_bad_type(void)
{
	static const unsigned long types[] = {
		0x00000001, 0x0fffffff, 0x80000001, 0x8fffffff,	/* reserved */
		0x10000000, 0x7fffffff, 0x90000000, 0xffffffff,	/* platform */
		0x100000001UL, 0xffffffff0fffffffUL,
	};
	struct sbiret ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ret = hart_suspend(types[i], entry_gpa, 0);
		__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM,
			       "hart_suspend(%#lx): error %ld", types[i], ret.error);
	}
}

static const unsigned long retentive_types[] = {
	SUSPEND_RETENTIVE, 0xffffffff00000000UL,
};

static void sleeper_retentive(void)
{
	struct sbiret ret;
	int i;

	csr_set(CSR_SIE, IE_SIE);
	local_irq_disable();
	for (i = 0; i < ARRAY_SIZE(retentive_types); i++) {
		WRITE_ONCE(sleep_round, i + 1);
		ret = hart_suspend(retentive_types[i], 0, 0);
		__GUEST_ASSERT(ret.error == SBI_SUCCESS, "hart_suspend(%#lx): error %ld",
			       retentive_types[i], ret.error);
		__GUEST_ASSERT(csr_read(CSR_SIP) & IE_SIE,
			       "hart_suspend(%#lx) returned without a pending IPI",
			       retentive_types[i]);
		csr_clear(CSR_SIP, IE_SIE);
		WRITE_ONCE(woke, i + 1);
	}
}

static void waker_retentive(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(retentive_types); i++) {
		GUEST_ASSERT(sbi_test_wait_until(READ_ONCE(sleep_round) == i + 1, WAIT_MS));
		wait_status(1, HSM_SUSPENDED);
		__GUEST_ASSERT(READ_ONCE(woke) == i,
			       "hart 1 left suspend type %#lx before the IPI",
			       retentive_types[i]);
		GUEST_ASSERT_EQ(sbi_ecall(SBI_EXT_IPI, 0, 0x2, 0, 0, 0, 0, 0).error,
				SBI_SUCCESS);
		__GUEST_ASSERT(sbi_test_wait_until(READ_ONCE(woke) == i + 1, WAIT_MS),
			       "hart 1 did not return from suspend type %#lx",
			       retentive_types[i]);
	}
	wait_status(1, HSM_STARTED);
}

static void guest_suspend_bad_resume_addr(void)
{
	static const unsigned long addrs[] = { HOLE_GPA, 1UL << 50, -4096UL };
	static const unsigned long types[] = {
		SUSPEND_NON_RETENTIVE, 0xffffffff80000000UL,
	};
	struct sbiret ret;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		for (j = 0; j < ARRAY_SIZE(types); j++) {
			ret = hart_suspend(types[j], addrs[i], 0);
			__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_ADDRESS,
				       "hart_suspend(%#lx, %#lx): error %ld",
				       types[j], addrs[i], ret.error);
		}
	}
}

static void sleeper_non_retentive(void)
{
	struct sbiret ret;

	/* SIE and satp are set here: the resume must clear both. */
	csr_set(CSR_SIE, IE_SIE);
	local_irq_enable();
	WRITE_ONCE(sleep_round, 1);
	ret = hart_suspend(SUSPEND_NON_RETENTIVE, entry_gpa, OPAQUE(0x5e));
	GUEST_FAIL("non-retentive hart_suspend returned, error %ld", ret.error);
}

static void waker_non_retentive(void)
{
	unsigned long seen = record_count(1);

	GUEST_ASSERT(sbi_test_wait_until(READ_ONCE(sleep_round) == 1, WAIT_MS));
	wait_status(1, HSM_SUSPENDED);
	__GUEST_ASSERT(record_count(1) == seen, "hart 1 resumed before the IPI");
	GUEST_ASSERT_EQ(sbi_ecall(SBI_EXT_IPI, 0, 0x2, 0, 0, 0, 0, 0).error, SBI_SUCCESS);
	wait_entry(1, seen);
	check_entry(1, OPAQUE(0x5e));
	release_hart(1);
	wait_status(1, HSM_STOPPED);
	exit_secondaries();
}

static void idle(void)
{
}

/* ---- host side ---- */

/* hsm_entry's report: record it, then hold the vCPU until released. */
static bool entry_report(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct entry_record *r;

	TEST_ASSERT(run->riscv_sbi.function_id == REPORT_ENTRY,
		    "vCPU %u: hart_stop returned, error %ld",
		    vcpu->id, (long)run->riscv_sbi.args[0]);

	r = addr_gva2hva(vcpu->vm, (vm_vaddr_t)&records[vcpu->id]);
	r->a0 = run->riscv_sbi.args[0];
	r->a1 = run->riscv_sbi.args[1];
	r->satp = run->riscv_sbi.args[2];
	r->sstatus = run->riscv_sbi.args[3];
	__atomic_store_n(&r->count, r->count + 1, __ATOMIC_RELEASE);

	if (r->a1 == OPAQUE_EXIT)
		return true;
	sem_wait(&release[vcpu->id]);
	return false;
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason == KVM_EXIT_RISCV_SBI &&
		    run->riscv_sbi.extension_id == REPORT_EID) {
			if (entry_report(vcpu))
				return NULL;
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			return NULL;
		case UCALL_SYNC:
			TEST_ASSERT(uc.args[1] < NR_VCPUS, "bad release %lu", uc.args[1]);
			sem_post(&release[uc.args[1]]);
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("vCPU %u: unexpected exit %s (SBI EID %#llx FID %#llx)",
				  vcpu->id, exit_reason_str(run->exit_reason),
				  (unsigned long long)run->riscv_sbi.extension_id,
				  (unsigned long long)run->riscv_sbi.function_id);
		}
	}
}

static void run_vm(int nr, bool stopped, void (*primary)(void), void (*secondary)(void))
{
	struct kvm_mp_state mps = { .mp_state = KVM_MP_STATE_STOPPED };
	struct kvm_vcpu *vcpus[NR_VCPUS];
	pthread_t threads[NR_VCPUS];
	struct kvm_vm *vm;
	int i;

	vm = vm_create_with_vcpus(nr, guest_code, vcpus);
	vm_init_vector_tables(vm);
	vm_install_interrupt_handler(vm, irq_handler);
	for (i = 0; i < nr; i++) {
		vcpu_init_vector_tables(vcpus[i]);
		if (stopped && i) {
			vcpu_mp_state_set(vcpus[i], &mps);
			vcpu_mp_state_get(vcpus[i], &mps);
			TEST_ASSERT_EQ(mps.mp_state, KVM_MP_STATE_STOPPED);
		}
		sem_init(&release[i], 0, 0);
	}

	TEST_ASSERT(!sbi_test_gpa_is_ram(vm, HOLE_GPA), "%#lx is guest RAM", HOLE_GPA);
	vcpu_get_reg(vcpus[0], RISCV_TIMER_REG(frequency), &timer_freq);
	entry_gpa = addr_gva2gpa(vm, (vm_vaddr_t)hsm_entry);
	nr_vcpus = nr;
	primary_fn = primary;
	secondary_fn = secondary;
	sync_global_to_guest(vm, timer_freq);
	sync_global_to_guest(vm, entry_gpa);
	sync_global_to_guest(vm, nr_vcpus);
	sync_global_to_guest(vm, primary_fn);
	sync_global_to_guest(vm, secondary_fn);

	for (i = 0; i < nr; i++)
		pthread_create(&threads[i], NULL, vcpu_thread, vcpus[i]);
	for (i = 0; i < nr; i++)
		pthread_join(threads[i], NULL);
	kvm_vm_free(vm);
}

static void test_get_status(void)
{
	run_vm(NR_VCPUS, true, guest_get_status, idle);
}

static void test_start_refused(void)
{
	run_vm(NR_VCPUS, true, guest_start_refused, idle);
}

static void test_start_bad_addr(void)
{
	run_vm(2, true, guest_start_bad_addr, idle);
}

static void test_start_stop(void)
{
	run_vm(NR_VCPUS, true, guest_start_stop, idle);
}

static void test_restart_pmu_busy(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool have_pmu;

	/* Only if the vCPUs have the SBI PMU (host Sscofpmf, perf). */
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	have_pmu = __vcpu_has_sbi_ext(vcpu, KVM_RISCV_SBI_EXT_PMU);
	kvm_vm_free(vm);
	if (!have_pmu) {
		ksft_print_msg("no SBI PMU for guests\n");
		exit(KSFT_SKIP);
	}
	run_vm(2, false, pmu_busy_primary, pmu_busy_secondary);
}

static void test_suspend_bad_type(void)
{
	run_vm(1, false, guest_suspend_bad_type, idle);
}

static void test_suspend_retentive(void)
{
	run_vm(2, false, waker_retentive, sleeper_retentive);
}

static void test_suspend_bad_resume_addr(void)
{
	run_vm(1, false, guest_suspend_bad_resume_addr, idle);
}

static void test_suspend_non_retentive(void)
{
	run_vm(2, false, waker_non_retentive, sleeper_non_retentive);
}

/* ---- groups ---- */

static const struct sbi_test_group groups[] = {
	{ "hsm: hart_get_status of self, stopped and absent harts", test_get_status },
	{ "hsm: hart_start of absent or started hart refused",	test_start_refused },
	{ "hsm: hart_start outside guest RAM: INVALID_ADDRESS",	test_start_bad_addr },
	{ "hsm: hart_start entry state, hart_stop, restart",	test_start_stop },
	{ "hsm: restart of a hart with PMU counters running",	test_restart_pmu_busy },
	{ "hsm: hart_suspend reserved/platform types refused",	test_suspend_bad_type },
	{ "hsm: retentive suspend, SUSPENDED, woken by IPI",	test_suspend_retentive },
	{ "hsm: non-retentive suspend, bad resume_addr",	test_suspend_bad_resume_addr },
	{ "hsm: non-retentive suspend resumes at resume_addr",	test_suspend_non_retentive },
};

int main(void)
{
	ksft_print_header();
	close(open_kvm_dev_path_or_exit());
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
