// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_onereg_v3_test - the SBI extension indexes of Linux 6.18/6.19.
 *
 * KVM_RISCV_SBI_EXT_SUSP, _FWFT and _MPXY have upstream's values (11, 12,
 * 13), KVM_GET_REG_LIST lists their enable registers, SUSP and MPXY start
 * disabled and FWFT enabled. A VMM that enables SUSP through index 11
 * alone, without a policy, gets the guest's system_suspend as a
 * KVM_EXIT_RISCV_SBI after KVM's checks (a bad sleep type never exits),
 * and its answer reaches the guest; one that enables MPXY through index 13
 * gets every MPXY call. Disabled, both answer SBI_ERR_NOT_SUPPORTED, and
 * probe_extension reports what dispatch does.
 */
#include <stdio.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi.h"
#include "sbi_test.h"
#include "ucall_common.h"

/* Upstream's values (Linux 6.18 include/uapi/asm/kvm.h), the reference. */
#define UPSTREAM_SBI_EXT_STA		10
#define UPSTREAM_SBI_EXT_SUSP		11
#define UPSTREAM_SBI_EXT_FWFT		12
#define UPSTREAM_SBI_EXT_MPXY		13

#define SUSP_TO_RAM			0
#define MPXY_ANSWER			0x4d5058
#define VMM_REFUSES			SBI_ERR_DENIED

static bool susp_on, mpxy_on;
static unsigned long ram_gpa;	/* a resume address in guest RAM */

static long probe(unsigned long eid)
{
	return sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, eid, 0, 0, 0, 0, 0).value;
}

static void guest_code(void)
{
	struct sbiret r;

	GUEST_ASSERT_EQ(probe(SBI_EXT_SUSP), susp_on);
	GUEST_ASSERT_EQ(probe(SBI_EXT_MPXY), mpxy_on);
	GUEST_ASSERT_EQ(probe(SBI_EXT_FWFT), 1);

	/* A reserved sleep type: KVM refuses it, no exit (if enabled). */
	r = sbi_ecall(SBI_EXT_SUSP, 0, 0x1234, ram_gpa, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(r.error, susp_on ? SBI_ERR_INVALID_PARAM : SBI_ERR_NOT_SUPPORTED);
	/* Suspend to RAM: the VMM refuses it (its answer reaches the guest). */
	r = sbi_ecall(SBI_EXT_SUSP, 0, SUSP_TO_RAM, ram_gpa, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(r.error, susp_on ? VMM_REFUSES : SBI_ERR_NOT_SUPPORTED);

	r = sbi_ecall(SBI_EXT_MPXY, 1, 7, 8, 9, 0, 0, 0);
	GUEST_ASSERT_EQ(r.error, mpxy_on ? 0 : SBI_ERR_NOT_SUPPORTED);
	GUEST_ASSERT_EQ(r.value, mpxy_on ? MPXY_ANSWER : 0);
	GUEST_DONE();
}

static void run(bool susp, bool mpxy)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	struct kvm_run *kr = vcpu->run;
	int susp_exits = 0, mpxy_exits = 0;
	unsigned long val;
	struct ucall uc;

	/* Default state, then only the index the VMM sets. */
	vcpu_get_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_SUSP), &val);
	TEST_ASSERT(!val, "SUSP enabled by default");
	vcpu_get_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_MPXY), &val);
	TEST_ASSERT(!val, "MPXY enabled by default");
	vcpu_get_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_FWFT), &val);
	TEST_ASSERT(val == 1, "FWFT disabled by default");
	if (susp)
		vcpu_set_reg(vcpu, RISCV_SBI_EXT_REG(UPSTREAM_SBI_EXT_SUSP), 1);
	if (mpxy)
		vcpu_set_reg(vcpu, RISCV_SBI_EXT_REG(UPSTREAM_SBI_EXT_MPXY), 1);
	susp_on = susp;
	mpxy_on = mpxy;
	sync_global_to_guest(vm, susp_on);
	sync_global_to_guest(vm, mpxy_on);
	ram_gpa = addr_gva2gpa(vm, (vm_vaddr_t)guest_code);
	sync_global_to_guest(vm, ram_gpa);

	for (;;) {
		vcpu_run(vcpu);
		if (kr->exit_reason == KVM_EXIT_RISCV_SBI &&
		    kr->riscv_sbi.extension_id == SBI_EXT_SUSP) {
			TEST_ASSERT(kr->riscv_sbi.function_id == 0 &&
				    kr->riscv_sbi.args[0] == SUSP_TO_RAM &&
				    kr->riscv_sbi.args[1] == ram_gpa,
				    "SUSP forwarded with fid %llu a0 %#llx",
				    (unsigned long long)kr->riscv_sbi.function_id,
				    (unsigned long long)kr->riscv_sbi.args[0]);
			kr->riscv_sbi.ret[0] = VMM_REFUSES;
			susp_exits++;
			continue;
		}
		if (kr->exit_reason == KVM_EXIT_RISCV_SBI &&
		    kr->riscv_sbi.extension_id == SBI_EXT_MPXY) {
			TEST_ASSERT(kr->riscv_sbi.function_id == 1 &&
				    kr->riscv_sbi.args[0] == 7 && kr->riscv_sbi.args[2] == 9,
				    "MPXY forwarded with fid %llu",
				    (unsigned long long)kr->riscv_sbi.function_id);
			kr->riscv_sbi.ret[0] = 0;
			kr->riscv_sbi.ret[1] = MPXY_ANSWER;
			mpxy_exits++;
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			TEST_ASSERT(susp_exits == susp && mpxy_exits == mpxy,
				    "%d SUSP and %d MPXY exits, want %d and %d",
				    susp_exits, mpxy_exits, susp, mpxy);
			kvm_vm_free(vm);
			return;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("unexpected exit %s (EID %#llx)",
				  exit_reason_str(kr->exit_reason),
				  (unsigned long long)kr->riscv_sbi.extension_id);
		}
	}
}

static void test_indexes(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	struct kvm_reg_list *list;
	int i, idx, seen[KVM_RISCV_SBI_EXT_MAX] = { 0 };

	static const int ours[][2] = {
		{ KVM_RISCV_SBI_EXT_STA, UPSTREAM_SBI_EXT_STA },
		{ KVM_RISCV_SBI_EXT_SUSP, UPSTREAM_SBI_EXT_SUSP },
		{ KVM_RISCV_SBI_EXT_FWFT, UPSTREAM_SBI_EXT_FWFT },
		{ KVM_RISCV_SBI_EXT_MPXY, UPSTREAM_SBI_EXT_MPXY },
	};

	for (i = 0; i < ARRAY_SIZE(ours); i++)
		TEST_ASSERT(ours[i][0] == ours[i][1], "index %d, Linux 6.18 has %d",
			    ours[i][0], ours[i][1]);
	list = vcpu_get_reg_list(vcpu);
	for (i = 0; i < list->n; i++) {
		uint64_t id = list->reg[i];

		if ((id & KVM_REG_RISCV_TYPE_MASK) != KVM_REG_RISCV_SBI_EXT ||
		    (id & KVM_REG_RISCV_SUBTYPE_MASK) != KVM_REG_RISCV_SBI_SINGLE)
			continue;
		idx = id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK | KVM_REG_RISCV_TYPE_MASK |
			     KVM_REG_RISCV_SUBTYPE_MASK);
		TEST_ASSERT(idx < KVM_RISCV_SBI_EXT_MAX, "listed index %d", idx);
		seen[idx]++;
	}
	free(list);
	TEST_ASSERT(seen[UPSTREAM_SBI_EXT_SUSP] == 1 && seen[UPSTREAM_SBI_EXT_FWFT] == 1 &&
		    seen[UPSTREAM_SBI_EXT_MPXY] == 1,
		    "SUSP/FWFT/MPXY listed %d/%d/%d times", seen[UPSTREAM_SBI_EXT_SUSP],
		    seen[UPSTREAM_SBI_EXT_FWFT], seen[UPSTREAM_SBI_EXT_MPXY]);
	kvm_vm_free(vm);
}

static void test_defaults(void)
{
	run(false, false);
}

static void test_susp(void)
{
	run(true, false);
}

static void test_mpxy(void)
{
	run(false, true);
}

static const struct sbi_test_group groups[] = {
	{ "onereg: SUSP 11, FWFT 12, MPXY 13 as upstream, listed",	test_indexes },
	{ "onereg: SUSP and MPXY disabled by default",			test_defaults },
	{ "onereg: SUSP enabled by index 11 alone is forwarded",	test_susp },
	{ "onereg: MPXY enabled by index 13 alone is forwarded",	test_mpxy },
};

int main(void)
{
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
