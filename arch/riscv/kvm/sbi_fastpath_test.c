// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SBI fast path's decisions: how it counts exits, and
 * that a fast function keeps its work bounded (send_ipi of a broadcast or
 * of a wide mask takes the normal path). Included at the end of
 * sbi_fastpath.c. The vCPU and VM here are plain zeroed memory.
 */

#include <linux/irqflags.h>

#include "sbi_test.h"

/* The shared test vCPU, in a VM with an empty hart map. */
static struct kvm_vcpu *fp_test_vcpu(struct kunit *test)
{
	struct sbi_test_ctx *ctx;
	struct kvm *kvm;

	sbi_test_init(test);
	ctx = test->priv;
	kvm = ctx->vcpu->kvm;
	/* Every hart ID names no vCPU. */
	kvm->arch.sbi_harts = kunit_kcalloc(test, KVM_MAX_VCPU_IDS,
					    sizeof(*kvm->arch.sbi_harts),
					    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kvm->arch.sbi_harts);
	return ctx->vcpu;
}

/*
 * A fast call answered but not re-entered at once (here: the VM's VMID
 * version, 0, is not the current one) goes round the run loop, which
 * counts the exit: the fast path must not count it as well. Counted twice
 * before.
 */
static void fp_test_handled_counts_once(struct kunit *test)
{
	struct kvm_vcpu *vcpu = fp_test_vcpu(test);
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;
	kvm_vcpu_sbi_fn fn = NULL;
	enum kvm_sbi_fastpath fast;
	unsigned long flags;
	u16 stat_off = 0;

	cp->a7 = SBI_EXT_BASE;
	cp->a6 = SBI_EXT_BASE_GET_SPEC_VERSION;
	cp->sepc = 0x1000;
	KUNIT_ASSERT_TRUE(test, sbi_fastpath_fn(vcpu, cp->a7, cp->a6, &fn, &stat_off));
	KUNIT_ASSERT_NOT_NULL(test, fn);
	if (!kvm_riscv_gstage_vmid_ver_changed(&vcpu->kvm->arch.vmid))
		kunit_skip(test, "no VMIDs on this host: cannot force a round");

	local_irq_save(flags);
	fast = sbi_fastpath_run(vcpu, fn, stat_off);
	local_irq_restore(flags);

	KUNIT_EXPECT_EQ(test, fast, KVM_SBI_FAST_HANDLED);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x1000UL + 4);
	KUNIT_EXPECT_EQ(test, cp->a0, (unsigned long)SBI_SUCCESS);
	/* The run loop adds its one. */
	KUNIT_EXPECT_EQ(test, vcpu->stat.exits, 0ULL);
	/* The call is counted here, once, as BASE's and as fast (only). */
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_fast, 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_calls[KVM_SBI_STAT_base], 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_outcomes[KVM_SBI_CALL_RETURNED], 0ULL);
}

/* send_ipi as the fast path calls it (interrupts off) or the normal path. */
static struct kvm_vcpu_sbi_return fp_test_ipi(struct kvm_vcpu *vcpu,
					      unsigned long hmask,
					      unsigned long hbase, bool fast)
{
	struct kvm_vcpu_sbi_return ret = KVM_SBI_RETURN_INIT;
	struct kvm_vcpu_sbi_call call = {
		.eid = SBI_EXT_IPI, .fid = SBI_EXT_IPI_SEND_IPI,
		.args = { hmask, hbase },
	};
	unsigned long flags;

	if (fast) {
		local_irq_save(flags);
		kvm_sbi_ext_ipi.fns[SBI_EXT_IPI_SEND_IPI](vcpu, &call, &ret);
		local_irq_restore(flags);
	} else {
		kvm_sbi_ext_ipi.fns[SBI_EXT_IPI_SEND_IPI](vcpu, &call, &ret);
	}
	return ret;
}

/*
 * In the fast path send_ipi names at most 16 harts: a broadcast or a mask
 * of 17 or more bits is left, unchanged, to the normal path, which answers
 * it. Up to 16 it is answered there (here INVALID_PARAM: no such harts).
 */
static void fp_test_ipi_bounded(struct kunit *test)
{
	struct kvm_vcpu *vcpu = fp_test_vcpu(test);
	struct kvm_vcpu_sbi_return ret;

	ret = fp_test_ipi(vcpu, 0, -1UL, true);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_NORMAL_PATH);
	ret = fp_test_ipi(vcpu, 0x1ffff, 0, true);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_NORMAL_PATH);
	ret = fp_test_ipi(vcpu, -1UL, 0, true);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_NORMAL_PATH);
	ret = fp_test_ipi(vcpu, 0x800000000000ffffUL, 0, true);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_NORMAL_PATH);

	ret = fp_test_ipi(vcpu, 0xffff, 0, true);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_RETURN);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_ERR_INVALID_PARAM);
	ret = fp_test_ipi(vcpu, 0x8000000000007fffUL, 4, true);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_RETURN);
	ret = fp_test_ipi(vcpu, 0, 0, true);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_RETURN);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_SUCCESS);

	/* The normal path answers all of them. */
	ret = fp_test_ipi(vcpu, 0, -1UL, false);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_RETURN);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_SUCCESS);
	ret = fp_test_ipi(vcpu, 0x1ffff, 0, false);
	KUNIT_EXPECT_EQ(test, ret.outcome, KVM_SBI_RETURN);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_ERR_INVALID_PARAM);
}

/*
 * Which calls the fast path takes, by the dispatcher's lookup and FID
 * bound: a function marked fast, of an enabled extension; not a FID past
 * the table or past BITS_PER_LONG, not an unmarked function (RFENCE), not
 * a legacy call (which the direct table holds too), not a range.
 */
static void fp_test_which_calls(struct kunit *test)
{
	static const struct { unsigned long eid, fid; bool fast; } cases[] = {
		{ SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION, true },
		{ SBI_EXT_BASE, SBI_EXT_BASE_GET_MIMPID, true },
		{ SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, true },
		{ SBI_EXT_HSM, SBI_EXT_HSM_HART_STATUS, true },
		{ SBI_EXT_HSM, SBI_EXT_HSM_HART_START, false },
		{ SBI_EXT_BASE, 7, false },
		{ SBI_EXT_BASE, BITS_PER_LONG, false },
		{ SBI_EXT_BASE, BITS_PER_LONG + SBI_EXT_BASE_GET_SPEC_VERSION, false },
		{ SBI_EXT_BASE, -1UL, false },
		{ SBI_EXT_RFENCE, SBI_EXT_RFENCE_REMOTE_FENCE_I, false },
		{ SBI_EXT_0_1_SET_TIMER, 0, false },
		{ SBI_EXT_VENDOR_START, 0, false },
		{ (unsigned long)U32_MAX + 1 + SBI_EXT_BASE, 0, false },
	};
	struct kvm_vcpu *vcpu = fp_test_vcpu(test);
	kvm_vcpu_sbi_fn fn;
	u16 stat_off;
	unsigned int i;
	int slot;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, sbi_fastpath_fn(vcpu, cases[i].eid,
							  cases[i].fid, &fn,
							  &stat_off),
				    cases[i].fast, "EID %#lx FID %#lx",
				    cases[i].eid, cases[i].fid);

	/* Disabled: not fast, so that the normal path answers. */
	slot = kvm_sbi_find(&kvm_riscv_sbi_registry, SBI_EXT_TIME);
	KUNIT_ASSERT_GE(test, slot, 0);
	vcpu->arch.sbi_context.ext_state[slot] = KVM_SBI_EXT_DISABLED;
	KUNIT_EXPECT_FALSE(test, sbi_fastpath_fn(vcpu, SBI_EXT_TIME,
						 SBI_EXT_TIME_SET_TIMER, &fn,
						 &stat_off));
}

static struct kunit_case fp_test_cases[] = {
	KUNIT_CASE(fp_test_which_calls),
	KUNIT_CASE(fp_test_handled_counts_once),
	KUNIT_CASE(fp_test_ipi_bounded),
	{}
};

static struct kunit_suite fp_test_suite = {
	.name = "kvm_riscv_sbi_fastpath",
	.test_cases = fp_test_cases,
};

kunit_test_suite(fp_test_suite);
