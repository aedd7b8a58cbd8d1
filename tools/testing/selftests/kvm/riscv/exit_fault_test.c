// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest accesses that KVM cannot complete as MMIO: a guest that fetches an
 * instruction from a guest physical address no memslot backs, or accesses
 * such an address with an instruction KVM's MMIO decoder does not know or
 * misaligned for its size, gets an access fault at that instruction with
 * the address in stval, as a hart would raise for an access no device
 * accepts. KVM_RUN never fails for it (Linux 6.12 failed it with
 * -EOPNOTSUPP or -EIO, and printed four unthrottled lines each time).
 */
#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "test_util.h"
#include "ucall_common.h"

/* A guest page mapped (VS-stage) to a guest physical hole. */
#define HOLE_ADDR		0x200000000UL

#define EXC_INST_ACCESS		1
#define EXC_LOAD_ACCESS		5
#define EXC_STORE_ACCESS	7

#define REPEATS			64

/* What the guest's handler saw, and how many faults it took. */
static unsigned long seen_cause, seen_tval, seen_epc, nr_faults;

static void access_fault(struct ex_regs *regs)
{
	seen_cause = regs->cause;
	seen_tval = csr_read(CSR_STVAL);
	seen_epc = regs->epc;
	nr_faults++;
	/* A fetch fault returns to the caller, the others skip the access. */
	regs->epc = regs->cause == EXC_INST_ACCESS ? regs->ra : regs->epc + 4;
}

static void expect_fault(unsigned long cause, unsigned long tval,
			 unsigned long epc, unsigned long before)
{
	GUEST_ASSERT_EQ(nr_faults, before + 1);
	__GUEST_ASSERT(seen_cause == cause, "cause %lu, want %lu",
		       seen_cause, cause);
	__GUEST_ASSERT(seen_tval == tval, "stval %#lx, want %#lx",
		       seen_tval, tval);
	__GUEST_ASSERT(!epc || seen_epc == epc, "sepc %#lx, want %#lx",
		       seen_epc, epc);
}

/* Call into the hole: the fetch faults, sepc and stval are the target. */
static void guest_fetch(void)
{
	void (*fn)(void) = (void (*)(void))HOLE_ADDR;
	unsigned long before;
	int i;

	for (i = 0; i < REPEATS; i++) {
		before = nr_faults;
		fn();
		expect_fault(EXC_INST_ACCESS, HOLE_ADDR, HOLE_ADDR, before);
	}
	GUEST_DONE();
}

/* An AMO on MMIO: not a load or store the decoder knows. */
static void guest_amo(void)
{
	unsigned long before, addr = HOLE_ADDR + 8, val = 1;
	int i;

	for (i = 0; i < REPEATS; i++) {
		before = nr_faults;
		asm volatile(".option push\n"
			     ".option norvc\n"
			     "amoadd.d	%0, %0, (%1)\n"
			     ".option pop\n"
			     : "+r" (val) : "r" (addr) : "memory");
		expect_fault(EXC_STORE_ACCESS, addr, 0, before);
	}
	GUEST_DONE();
}

/* A word load from MMIO at an address that is not word aligned. */
static void guest_misaligned(void)
{
	unsigned long before, addr = HOLE_ADDR + 2, val;
	int i;

	for (i = 0; i < REPEATS; i++) {
		before = nr_faults;
		asm volatile(".option push\n"
			     ".option norvc\n"
			     "lw	%0, 0(%1)\n"
			     ".option pop\n"
			     : "=r" (val) : "r" (addr) : "memory");
		expect_fault(EXC_LOAD_ACCESS, addr, 0, before);
	}
	GUEST_DONE();
}

static void run_guest(void *guest_code)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	int rc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_init_vector_tables(vm);
	vcpu_init_vector_tables(vcpu);
	vm_install_exception_handler(vm, EXC_INST_ACCESS, access_fault);
	vm_install_exception_handler(vm, EXC_LOAD_ACCESS, access_fault);
	vm_install_exception_handler(vm, EXC_STORE_ACCESS, access_fault);
	TEST_ASSERT(!sbi_test_gpa_is_ram(vm, HOLE_ADDR), "%#lx is guest RAM",
		    HOLE_ADDR);
	virt_map(vm, HOLE_ADDR, HOLE_ADDR, 1);

	rc = __vcpu_run(vcpu);
	TEST_ASSERT(!rc, "KVM_RUN failed: %d (errno %d, %s)", rc, errno,
		    strerror(errno));
	if (get_ucall(vcpu, &uc) != UCALL_DONE)
		sbi_test_report_exit(vcpu);
	kvm_vm_free(vm);
}

static void test_fetch(void)
{
	run_guest(guest_fetch);
}

static void test_amo(void)
{
	run_guest(guest_amo);
}

static void test_misaligned(void)
{
	run_guest(guest_misaligned);
}

static const struct sbi_test_group groups[] = {
	{ "exit: instruction fetch outside guest memory: access fault",	test_fetch },
	{ "exit: AMO on MMIO: store/AMO access fault",			test_amo },
	{ "exit: misaligned MMIO load: load access fault",		test_misaligned },
};

int main(void)
{
	ksft_print_header();
	close(open_kvm_dev_path_or_exit());
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
