// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of ONE_REG for the SBI framework: the per-vCPU enable state
 * behind KVM_REG_RISCV_SBI_EXT (single and multi registers, unavailable
 * extensions, bad values) and -EBUSY once the vCPU has run. Included at the
 * end of sbi_onereg.c so that it sees its helpers.
 */

#include "sbi_test.h"

static void sbi_test_enable_state(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	const unsigned long dbcn = KVM_RISCV_SBI_EXT_DBCN;
	const unsigned long pmu = KVM_RISCV_SBI_EXT_PMU;
	const unsigned long last = KVM_REG_RISCV_SBI_MULTI_REG_LAST;
	struct kvm_vcpu *vcpu = ctx->vcpu;
	unsigned long val = 7, mask;

	kvm_riscv_vcpu_sbi_init(vcpu);

	/* DBCN starts disabled, as in 6.12, and toggles both ways. */
	KUNIT_EXPECT_EQ(test, sbi_ext_get_one(vcpu, dbcn, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0UL);
	KUNIT_EXPECT_EQ(test, sbi_ext_set_one(vcpu, dbcn, 1), 0);
	KUNIT_EXPECT_TRUE(test, kvm_riscv_vcpu_sbi_ext_enabled(vcpu, dbcn));
	KUNIT_EXPECT_EQ(test, sbi_ext_set_one(vcpu, dbcn, 0), 0);
	KUNIT_EXPECT_FALSE(test, kvm_riscv_vcpu_sbi_ext_enabled(vcpu, dbcn));
	KUNIT_EXPECT_TRUE(test, kvm_riscv_vcpu_sbi_ext_available(vcpu, dbcn));

	/* This vCPU has no PMU: unavailable, so -ENOENT both ways. */
	KUNIT_EXPECT_EQ(test, sbi_ext_set_one(vcpu, pmu, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, sbi_ext_get_one(vcpu, pmu, &val), -ENOENT);
	KUNIT_EXPECT_FALSE(test, kvm_riscv_vcpu_sbi_ext_available(vcpu, pmu));

	KUNIT_EXPECT_EQ(test, sbi_ext_set_one(vcpu, KVM_RISCV_SBI_EXT_TIME, 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, sbi_ext_set_one(vcpu, KVM_RISCV_SBI_EXT_MAX, 1),
			-ENOENT);
	KUNIT_EXPECT_FALSE(test, kvm_riscv_vcpu_sbi_ext_available(vcpu, -1));

	/* Multi: disable TIME and IPI at once, then read the mask back. */
	mask = BIT(KVM_RISCV_SBI_EXT_TIME) | BIT(KVM_RISCV_SBI_EXT_IPI);
	KUNIT_EXPECT_EQ(test, sbi_ext_set_multi(vcpu, 0, mask, false), 0);
	KUNIT_EXPECT_EQ(test, sbi_ext_get_multi(vcpu, 0, &mask), 0);
	KUNIT_EXPECT_FALSE(test, mask & BIT(KVM_RISCV_SBI_EXT_TIME));
	KUNIT_EXPECT_FALSE(test, mask & BIT(KVM_RISCV_SBI_EXT_IPI));
	KUNIT_EXPECT_TRUE(test, mask & BIT(KVM_RISCV_SBI_EXT_HSM));
	KUNIT_EXPECT_FALSE(test, mask & BIT(KVM_RISCV_SBI_EXT_PMU));
	KUNIT_EXPECT_EQ(test, sbi_ext_get_multi(vcpu, last + 1, &mask), -ENOENT);

	/* What the extensions' init hooks allocated (DBTR's state). */
	kvm_riscv_vcpu_sbi_deinit(vcpu);
}

static void sbi_test_busy_after_run(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	const struct kvm_one_reg reg = {
		.id = KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_SBI_EXT |
		      KVM_REG_RISCV_SBI_SINGLE | KVM_RISCV_SBI_EXT_TIME,
	};

	ctx->vcpu->arch.ran_atleast_once = true;
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_set_reg_sbi_ext(ctx->vcpu, &reg),
			-EBUSY);
}

static struct kunit_case sbi_onereg_test_cases[] = {
	KUNIT_CASE(sbi_test_enable_state),
	KUNIT_CASE(sbi_test_busy_after_run),
	{}
};

static struct kunit_suite sbi_onereg_test_suite = {
	.name = "kvm_riscv_sbi_onereg",
	.init = sbi_test_init,
	.test_cases = sbi_onereg_test_cases,
};

kunit_test_suite(sbi_onereg_test_suite);
