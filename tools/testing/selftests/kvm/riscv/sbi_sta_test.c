// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_sta_test - SBI STA steal_time_set_shmem argument checks.
 *
 * The upstream steal_time test covers the accounting itself. Here: flags
 * other than 0 and an area not 64-byte aligned are SBI_ERR_INVALID_PARAM;
 * an area outside guest RAM, in read-only guest memory, or with a non-zero
 * high half on RV64 is SBI_ERR_INVALID_ADDRESS; none of those writes the
 * area. lo = hi = -1 disables (and stops the updates); a valid area is
 * zeroed by the call, keeps an even sequence and is reported by the STA
 * ONE_REG state registers.
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

#define STA_SET_SHMEM			0
#define STA_SIZE			64

/* Identity-mapped, writable: the shared memory under test. */
#define ST_GPA				BIT(30)
#define ST_SLOT				10
/* A read-only memslot. */
#define RO_GPA				(ST_GPA + 0x100000)
#define RO_SLOT				11
/* Not guest RAM: checked against the memslots. */
#define HOLE_GPA			0x200000000UL

struct sta_struct {
	uint32_t sequence;
	uint32_t flags;
	uint64_t steal;
	uint8_t preempted;
	uint8_t pad[47];
} __packed;

static void (*guest_fn)(void);

/* ---- guest code ---- */

static struct sbiret set_shmem(unsigned long lo, unsigned long hi, unsigned long flags)
{
	return sbi_ecall(SBI_EXT_STA, STA_SET_SHMEM, lo, hi, flags, 0, 0, 0);
}

static void expect(unsigned long lo, unsigned long hi, unsigned long flags, long err)
{
	struct sbiret ret = set_shmem(lo, hi, flags);

	__GUEST_ASSERT(ret.error == err,
		       "set_shmem(lo %#lx, hi %#lx, flags %#lx): error %ld, want %ld",
		       lo, hi, flags, ret.error, err);
}

static void fill(uint8_t c)
{
	memset((void *)ST_GPA, c, 2 * STA_SIZE);
}

/* The two areas at ST_GPA still hold @c everywhere. */
static void check_untouched(uint8_t c)
{
	const uint8_t *p = (const uint8_t *)ST_GPA;
	int i;

	for (i = 0; i < 2 * STA_SIZE; i++)
		__GUEST_ASSERT(p[i] == c, "byte %d of the area changed to %#x", i, p[i]);
}

/* Zeroed by set_shmem, except what a steal-time update may have written. */
static void check_zeroed(const struct sta_struct *st)
{
	uint32_t seq = READ_ONCE(st->sequence);
	int i;

	__GUEST_ASSERT(!(seq & 1), "sequence %u is odd", seq);
	__GUEST_ASSERT(seq || !READ_ONCE(st->steal), "steal %lu with sequence 0",
		       (unsigned long)st->steal);
	GUEST_ASSERT_EQ(READ_ONCE(st->flags), 0);
	GUEST_ASSERT_EQ(READ_ONCE(st->preempted), 0);
	for (i = 0; i < sizeof(st->pad); i++)
		__GUEST_ASSERT(!st->pad[i], "pad[%d] = %#x", i, st->pad[i]);
}

static void guest_main(void)
{
	guest_fn();
	GUEST_DONE();
}

static void guest_flags(void)
{
	static const unsigned long flags[] = { 1, 0x80000000, -1UL };
	int i;

	fill(0xff);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		expect(ST_GPA, 0, flags[i], SBI_ERR_INVALID_PARAM);
		expect(-1UL, -1UL, flags[i], SBI_ERR_INVALID_PARAM);
	}
	check_untouched(0xff);
}

static void guest_misaligned(void)
{
	static const unsigned long offs[] = { 8, 32, 63, 1 };
	int i;

	fill(0xff);
	for (i = 0; i < ARRAY_SIZE(offs); i++)
		expect(ST_GPA + offs[i], 0, 0, SBI_ERR_INVALID_PARAM);
	check_untouched(0xff);
}

static void guest_outside_ram(void)
{
	expect(HOLE_GPA, 0, 0, SBI_ERR_INVALID_ADDRESS);
	expect(1UL << 50, 0, 0, SBI_ERR_INVALID_ADDRESS);
	expect(-64UL, 0, 0, SBI_ERR_INVALID_ADDRESS);
}

static void guest_read_only(void)
{
	expect(RO_GPA, 0, 0, SBI_ERR_INVALID_ADDRESS);
	expect(RO_GPA + 0xfc0, 0, 0, SBI_ERR_INVALID_ADDRESS);
}

static void guest_hi(void)
{
	fill(0xff);
	expect(ST_GPA, 1, 0, SBI_ERR_INVALID_ADDRESS);
	expect(ST_GPA, 0x80000000, 0, SBI_ERR_INVALID_ADDRESS);
	expect(ST_GPA, -2UL, 0, SBI_ERR_INVALID_ADDRESS);
	check_untouched(0xff);
}

static void guest_disable(void)
{
	/* With nothing set, and twice: both succeed. */
	expect(-1UL, -1UL, 0, SBI_SUCCESS);
	expect(-1UL, -1UL, 0, SBI_SUCCESS);
}

static void guest_valid(void)
{
	struct sta_struct *st = (struct sta_struct *)ST_GPA;
	struct sta_struct *st2 = st + 1;
	uint32_t seq;

	fill(0xff);
	expect(ST_GPA, 0, 0, SBI_SUCCESS);
	check_zeroed(st);
	seq = READ_ONCE(st->sequence);

	/* Out to userspace and back in: KVM updates steal time on vCPU load. */
	GUEST_SYNC(1);
	check_zeroed(st);
	__GUEST_ASSERT(READ_ONCE(st->sequence) > seq,
		       "sequence %u did not move from %u", st->sequence, seq);

	/* Moving the area zeroes the new one. */
	memset(st2, 0xff, sizeof(*st2));
	expect(ST_GPA + STA_SIZE, 0, 0, SBI_SUCCESS);
	check_zeroed(st2);

	/* Disabled: no more updates. */
	expect(-1UL, -1UL, 0, SBI_SUCCESS);
	fill(0xff);
	GUEST_SYNC(2);
	check_untouched(0xff);
}

/* ---- host side ---- */

static uint64_t sta_reg(unsigned long idx)
{
	return __kvm_reg_id(KVM_REG_RISCV_SBI_STATE, KVM_REG_RISCV_SBI_STA, idx,
			    KVM_REG_SIZE_ULONG);
}

static void check_sta_regs(struct kvm_vcpu *vcpu, unsigned long want_lo)
{
	unsigned long lo, hi;

	vcpu_get_reg(vcpu, sta_reg(KVM_REG_RISCV_SBI_STA_REG(shmem_lo)), &lo);
	vcpu_get_reg(vcpu, sta_reg(KVM_REG_RISCV_SBI_STA_REG(shmem_hi)), &hi);
	TEST_ASSERT(lo == want_lo && hi == 0,
		    "STA state registers: lo %#lx hi %#lx, want lo %#lx hi 0",
		    lo, hi, want_lo);
}

static void run_guest(void (*fn)(void))
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, ST_GPA, ST_SLOT, 1, 0);
	virt_map(vm, ST_GPA, ST_GPA, 1);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, RO_GPA, RO_SLOT, 1,
				    KVM_MEM_READONLY);
	TEST_ASSERT(!sbi_test_gpa_is_ram(vm, HOLE_GPA), "%#lx is guest RAM", HOLE_GPA);

	guest_fn = fn;
	sync_global_to_guest(vm, guest_fn);

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			kvm_vm_free(vm);
			return;
		case UCALL_SYNC:
			check_sta_regs(vcpu, uc.args[1] == 1 ? ST_GPA : -1UL);
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("unexpected exit %s",
				  exit_reason_str(vcpu->run->exit_reason));
		}
	}
}

static void test_flags(void)
{
	run_guest(guest_flags);
}

static void test_misaligned(void)
{
	run_guest(guest_misaligned);
}

static void test_outside_ram(void)
{
	run_guest(guest_outside_ram);
}

static void test_read_only(void)
{
	run_guest(guest_read_only);
}

static void test_hi(void)
{
	run_guest(guest_hi);
}

static void test_disable(void)
{
	run_guest(guest_disable);
}

static void test_valid(void)
{
	run_guest(guest_valid);
}

/* ---- groups ---- */

static const struct sbi_test_group groups[] = {
	{ "sta: flags != 0 is INVALID_PARAM",			test_flags },
	{ "sta: area not 64-byte aligned is INVALID_PARAM",	test_misaligned },
	{ "sta: area outside guest RAM is INVALID_ADDRESS",	test_outside_ram },
	{ "sta: read-only area is INVALID_ADDRESS",		test_read_only },
	{ "sta: hi != 0 on RV64 is INVALID_ADDRESS",		test_hi },
	{ "sta: lo = hi = -1 disables",				test_disable },
	{ "sta: valid area zeroed, even sequence, updates stop", test_valid },
};

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool has_sta;

	ksft_print_header();
	close(open_kvm_dev_path_or_exit());

	vm = vm_create_with_one_vcpu(&vcpu, NULL);
	has_sta = __vcpu_has_sbi_ext(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_STA));
	kvm_vm_free(vm);
	if (!has_sta)
		ksft_exit_skip("SBI STA is not available on this vCPU\n");

	sbi_test_run(groups, ARRAY_SIZE(groups));
}
