// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SBI hart map: lookups before and after a vCPU is
 * entered, the fallback for a published vCPU, IDs with no vCPU, and hart
 * masks. Included at the end of sbi_hart.c.
 */

#include "sbi_test.h"

static void sbi_test_free_harts(void *kvm)
{
	kvm_riscv_sbi_destroy_vm(kvm);
}

/*
 * Hart IDs: the map answers once a vCPU is entered, kvm_get_vcpu_by_id()
 * while a published vCPU is not; once all are, an ID without an entry has
 * no vCPU. Hart masks name vCPUs only, and do not wrap.
 */
static void sbi_test_hart_map(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	static const unsigned int ids[] = { 0, 2, 5 };
	struct kvm *kvm = ctx->vcpu->kvm;
	struct kvm_vcpu *v[ARRAY_SIZE(ids)], *stray;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, kvm_riscv_sbi_init_vm(kvm), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							sbi_test_free_harts,
							kvm), 0);
	xa_init(&kvm->vcpu_array);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		v[i] = kunit_kzalloc(test, sizeof(*v[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, v[i]);
		v[i]->kvm = kvm;
		v[i]->vcpu_id = ids[i];
		v[i]->vcpu_idx = i;
	}

	/* Not published: nobody. Published, not yet in the map: the slow way. */
	KUNIT_EXPECT_NULL(test, kvm_riscv_vcpu_sbi_hart(v[0], 2));
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		KUNIT_ASSERT_EQ(test, xa_insert(&kvm->vcpu_array, i, v[i],
						GFP_KERNEL), 0);
	atomic_set(&kvm->online_vcpus, ARRAY_SIZE(ids));
	KUNIT_EXPECT_PTR_EQ(test, kvm_riscv_vcpu_sbi_hart(v[0], 5), v[2]);

	/* Two entered, the third published only: it is found the slow way. */
	kvm_riscv_vcpu_sbi_postcreate(v[0]);
	kvm_riscv_vcpu_sbi_postcreate(v[1]);
	KUNIT_EXPECT_PTR_EQ(test, kvm_riscv_vcpu_sbi_hart(v[0], 5), v[2]);
	KUNIT_EXPECT_NULL(test, kvm_riscv_vcpu_sbi_hart(v[0], 1));

	/*
	 * All entered: found in the map alone. The xarray now holds, where
	 * v[0] was, a stray vCPU with ID 1 that is not in the map: the slow
	 * way would find it, the map says that hart 1 does not exist.
	 */
	kvm_riscv_vcpu_sbi_postcreate(v[2]);
	stray = kunit_kzalloc(test, sizeof(*stray), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stray);
	stray->kvm = kvm;
	stray->vcpu_id = 1;
	xa_store(&kvm->vcpu_array, 0, stray, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, kvm_get_vcpu_by_id(kvm, 1), stray);
	KUNIT_EXPECT_NULL(test, kvm_riscv_vcpu_sbi_hart(v[0], 1));
	xa_destroy(&kvm->vcpu_array);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		KUNIT_EXPECT_PTR_EQ(test, kvm_riscv_vcpu_sbi_hart(v[0], ids[i]),
				    v[i]);
	KUNIT_EXPECT_NULL(test, kvm_riscv_vcpu_sbi_hart(v[0], KVM_MAX_VCPU_IDS));
	KUNIT_EXPECT_NULL(test, kvm_riscv_vcpu_sbi_hart(v[0], -1UL));

	/* Hart masks over harts 0, 2 and 5. */
	KUNIT_EXPECT_TRUE(test, kvm_riscv_vcpu_sbi_hart_mask_valid(v[0], 0x25, 0));
	KUNIT_EXPECT_TRUE(test, kvm_riscv_vcpu_sbi_hart_mask_valid(v[0], 0x9, 2));
	KUNIT_EXPECT_TRUE(test, kvm_riscv_vcpu_sbi_hart_mask_valid(v[0], 0, 1000));
	KUNIT_EXPECT_TRUE(test, kvm_riscv_vcpu_sbi_hart_mask_valid(v[0], 0x2, -1UL));
	KUNIT_EXPECT_FALSE(test, kvm_riscv_vcpu_sbi_hart_mask_valid(v[0], 0x27, 0));
	KUNIT_EXPECT_FALSE(test, kvm_riscv_vcpu_sbi_hart_mask_valid(v[0], 1UL << 63, 0));
	KUNIT_EXPECT_FALSE(test, kvm_riscv_vcpu_sbi_hart_mask_valid(v[0], 0x1, KVM_MAX_VCPU_IDS));
	/* Harts -2 and -1 are absent, and the next one must not be hart 0. */
	KUNIT_EXPECT_FALSE(test, kvm_riscv_vcpu_sbi_hart_mask_valid(v[0], 0x4, -2UL));
}

static struct kunit_case sbi_hart_test_cases[] = {
	KUNIT_CASE(sbi_test_hart_map),
	{}
};

static struct kunit_suite sbi_hart_test_suite = {
	.name = "kvm_riscv_sbi_hart",
	.init = sbi_test_init,
	.test_cases = sbi_hart_test_cases,
};

kunit_test_suite(sbi_hart_test_suite);
