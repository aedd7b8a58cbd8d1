// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SBI registry: every standard EID and range edge found,
 * unknown EIDs not, the direct table complete and collision-free, malformed
 * descriptors refused, and each extension counted under its own statistic.
 * Included at the end of sbi_registry.c so that it sees the registry's
 * internals.
 */

#include "sbi_test.h"

static void sbi_test_standard_eids(struct kunit *test)
{
	static const struct {
		unsigned long eid;
		const struct kvm_vcpu_sbi_extension *ext;
	} cases[] = {
#ifdef CONFIG_RISCV_SBI_V01
		{ SBI_EXT_0_1_SET_TIMER, &kvm_sbi_ext_v01 },
		{ SBI_EXT_0_1_SHUTDOWN, &kvm_sbi_ext_v01 },
#endif
		{ SBI_EXT_BASE, &kvm_sbi_ext_base },
		{ SBI_EXT_TIME, &kvm_sbi_ext_time },
		{ SBI_EXT_IPI, &kvm_sbi_ext_ipi },
		{ SBI_EXT_RFENCE, &kvm_sbi_ext_rfence },
		{ SBI_EXT_HSM, &kvm_sbi_ext_hsm },
		{ SBI_EXT_SRST, &kvm_sbi_ext_srst },
#ifdef CONFIG_RISCV_PMU_SBI
		{ SBI_EXT_PMU, &kvm_sbi_ext_pmu },
#endif
		{ SBI_EXT_STA, &kvm_sbi_ext_sta },
		{ SBI_EXT_DBCN, &kvm_sbi_ext_dbcn },
		{ SBI_EXT_SUSP, &kvm_sbi_ext_susp },
		{ SBI_EXT_EXPERIMENTAL_START, &kvm_sbi_ext_experimental },
		{ SBI_EXT_EXPERIMENTAL_END, &kvm_sbi_ext_experimental },
		{ SBI_EXT_VENDOR_START, &kvm_sbi_ext_vendor },
		{ SBI_EXT_VENDOR_END, &kvm_sbi_ext_vendor },
	};
	unsigned int i;

	KUNIT_EXPECT_EQ(test, kvm_riscv_sbi_registry.nr, ARRAY_SIZE(sbi_exts));
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, sbi_test_lookup(cases[i].eid),
					cases[i].ext, "EID %#lx", cases[i].eid);
}

static void sbi_test_unknown_eids(struct kunit *test)
{
	static const unsigned long eids[] = {
		0x09, 0x0F,			/* legacy, reserved */
		0x11, 0x43505043,		/* not served: CPPC */
		SBI_EXT_EXPERIMENTAL_START - 1,
		SBI_EXT_VENDOR_END + 1,		/* firmware range */
		U32_MAX, (unsigned long)U32_MAX + 1 + SBI_EXT_BASE, -1UL,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(eids); i++)
		KUNIT_EXPECT_NULL_MSG(test, sbi_test_lookup(eids[i]),
				      "EID %#lx", eids[i]);
}

/*
 * The direct table holds every EID of every extension with at most
 * KVM_SBI_DIRECT_MAX_EIDS of them (the legacy EIDs and all the standard
 * extensions), without collision, with the slot, counter, fast functions
 * and descriptor of its extension; the other EIDs are not in it.
 */
static void sbi_test_direct_table(struct kunit *test)
{
	const struct kvm_sbi_registry *reg = &kvm_riscv_sbi_registry;
	unsigned int i, direct = 0;
	unsigned long eid;

	KUNIT_EXPECT_EQ(test, sbi_direct_collisions(reg, reg->mult), 0U);
	/* By the descriptors, not by the ranges the index was built from. */
	for (i = 0; i < reg->nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = reg->exts[i];

		if (ext->eid_end - ext->eid_start >= KVM_SBI_DIRECT_MAX_EIDS)
			continue;
		for (eid = ext->eid_start; eid <= ext->eid_end; eid++) {
			const struct kvm_sbi_direct *d = kvm_sbi_direct(reg, eid);

			KUNIT_EXPECT_EQ_MSG(test, d->eid, eid, "EID %#lx", eid);
			KUNIT_EXPECT_EQ(test, d->slot, (s8)i);
			KUNIT_EXPECT_EQ(test, d->fast_fids, ext->fast_fids);
			KUNIT_EXPECT_PTR_EQ(test, d->fns,
					    ext->fast_fids ? ext->fns : NULL);
			KUNIT_EXPECT_EQ(test, d->stat_off,
					offsetof(struct kvm_vcpu,
						 stat.sbi_calls[reg->stat[i]]));
			KUNIT_EXPECT_EQ(test, d->state_off,
					offsetof(struct kvm_vcpu,
						 arch.sbi_context.ext_state[i]));
			direct++;
		}
	}
	/* BASE, TIME, IPI, ... and, with V01, the nine legacy EIDs. */
	KUNIT_EXPECT_GE(test, direct, 13U);
	KUNIT_EXPECT_FALSE(test, sbi_range_is_direct(&(struct kvm_sbi_range) {
		.start = SBI_EXT_VENDOR_START, .end = SBI_EXT_VENDOR_END }));
	/* The reserved legacy EIDs and the big ranges are not in it. */
	for (eid = 0x09; eid <= 0x0F; eid++)
		KUNIT_EXPECT_TRUE_MSG(test, kvm_sbi_direct(reg, eid)->eid != eid ||
				      kvm_sbi_direct(reg, eid)->slot < 0,
				      "EID %#lx", eid);
	KUNIT_EXPECT_NE(test, kvm_sbi_direct(reg, SBI_EXT_VENDOR_START)->eid,
			(u32)SBI_EXT_VENDOR_START);
	/* The callable masks: a bit for each FID with a function, no other. */
	for (i = 0; i < reg->nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = reg->exts[i];
		unsigned long fid, want = 0;

		for (fid = 0; ext->fns && fid < ext->nr_fns; fid++)
			want |= ext->fns[fid] ? BIT(fid) : 0;
		KUNIT_EXPECT_EQ_MSG(test, reg->callable[i], want, "%s", ext->name);
		KUNIT_EXPECT_EQ(test, ext->fast_fids & ~want, 0UL);
	}
	/* Every fast function is reachable by the fast path's lookup. */
	for (i = 0; i < reg->nr; i++) {
		if (reg->exts[i]->fast_fids)
			KUNIT_EXPECT_EQ(test,
					kvm_sbi_direct(reg, reg->exts[i]->eid_start)->slot,
					(s8)i);
	}
}

static void sbi_test_fn(struct kvm_vcpu *vcpu,
			const struct kvm_vcpu_sbi_call *call,
			struct kvm_vcpu_sbi_return *ret)
{
}

static const kvm_vcpu_sbi_fn sbi_test_fns[] = { sbi_test_fn };

#define SBI_TEST_EXT(first, last, idx)				\
	(&(const struct kvm_vcpu_sbi_extension) {		\
		.name = "test", .eid_start = (first),		\
		.eid_end = (last), .onereg_idx = (idx),		\
		.fns = sbi_test_fns, .nr_fns = 1,		\
	})

static void sbi_test_range_edges(struct kunit *test)
{
	/* Deliberately unsorted: lookup must not depend on list order. */
	const struct kvm_vcpu_sbi_extension *const exts[] = {
		SBI_TEST_EXT(100, 200, KVM_SBI_ALWAYS_ENABLED),
		SBI_TEST_EXT(21, 21, 1),
		SBI_TEST_EXT(10, 20, 0),
	};
	static const struct { unsigned long eid; int slot; } cases[] = {
		{ 9, -1 }, { 10, 2 }, { 20, 2 }, { 21, 1 }, { 22, -1 },
		{ 99, -1 }, { 100, 0 }, { 150, 0 }, { 200, 0 }, { 201, -1 },
	};
	struct kvm_sbi_registry *reg;
	unsigned int i;

	reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_EQ(test, sbi_registry_build(reg, exts, 3), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, kvm_sbi_find(reg, cases[i].eid),
				    cases[i].slot, "EID %lu", cases[i].eid);
	KUNIT_EXPECT_EQ(test, reg->onereg_slot[0], 2);
	KUNIT_EXPECT_EQ(test, reg->onereg_slot[1], 1);
	KUNIT_EXPECT_EQ(test, reg->onereg_slot[2], -1);
}

static int sbi_test_build_pair(struct kunit *test,
			       const struct kvm_vcpu_sbi_extension *a,
			       const struct kvm_vcpu_sbi_extension *b)
{
	const struct kvm_vcpu_sbi_extension *exts[] = { a, b };
	struct kvm_sbi_registry *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, reg);
	return sbi_registry_build(reg, exts, ARRAY_SIZE(exts));
}

static void sbi_test_registry_rejects(struct kunit *test)
{
	static const struct kvm_vcpu_sbi_extension no_fn = {
		.eid_start = 30, .eid_end = 30, .onereg_idx = 1,
	};
	static const struct kvm_vcpu_sbi_extension both = {
		.eid_start = 30, .eid_end = 30, .onereg_idx = 1,
		.fns = sbi_test_fns, .nr_fns = 1, .handler = sbi_test_fn,
	};
	static const struct kvm_vcpu_sbi_extension state_no_ops = {
		.eid_start = 30, .eid_end = 30, .onereg_idx = 1,
		.fns = sbi_test_fns, .nr_fns = 1, .nr_state_regs = 2,
	};
	static const struct kvm_vcpu_sbi_extension fast_past_fns = {
		.eid_start = 30, .eid_end = 30, .onereg_idx = 1,
		.fns = sbi_test_fns, .nr_fns = 1, .fast_fids = BIT(1),
	};
	static const struct kvm_vcpu_sbi_extension fast_range = {
		.eid_start = 30, .eid_end = 31, .onereg_idx = 1,
		.fns = sbi_test_fns, .nr_fns = 1, .fast_fids = BIT(0),
	};
	static const struct kvm_vcpu_sbi_extension fast_legacy = {
		.eid_start = 3, .eid_end = 3, .onereg_idx = 1,
		.fns = sbi_test_fns, .nr_fns = 1, .fast_fids = BIT(0),
	};
	/* Never read past fns[0]: the bound is refused first. */
	static const struct kvm_vcpu_sbi_extension too_many = {
		.eid_start = 30, .eid_end = 30, .onereg_idx = 1,
		.fns = sbi_test_fns, .nr_fns = BITS_PER_LONG + 1,
	};
	static const struct kvm_vcpu_sbi_extension fast_ok = {
		.eid_start = 30, .eid_end = 30, .onereg_idx = 1,
		.fns = sbi_test_fns, .nr_fns = 1, .fast_fids = BIT(0),
	};
	/* Each is registered beside an extension serving EIDs 10-20, index 0. */
	const struct {
		const struct kvm_vcpu_sbi_extension *ext;
		int err;
	} cases[] = {
		{ SBI_TEST_EXT(30, 40, 1), 0 },
		{ SBI_TEST_EXT(20, 25, 1), -EEXIST },	/* overlaps the end */
		{ SBI_TEST_EXT(0, 10, 1), -EEXIST },	/* overlaps the start */
		{ SBI_TEST_EXT(12, 13, 1), -EEXIST },	/* inside */
		{ SBI_TEST_EXT(30, 40, 0), -EEXIST },	/* same ONE_REG index */
		{ SBI_TEST_EXT(40, 30, 1), -EINVAL },	/* inverted */
		{ SBI_TEST_EXT(30, 40, KVM_RISCV_SBI_EXT_MAX), -EINVAL },
		{ SBI_TEST_EXT(30, (u64)U32_MAX + 1, 1), -EINVAL },
		{ &no_fn, -EINVAL },
		{ &both, -EINVAL },
		{ &state_no_ops, -EINVAL },
		{ &fast_past_fns, -EINVAL },	/* fast FID with no function */
		{ &fast_range, -EINVAL },	/* fast function of a range */
		{ &fast_legacy, -EINVAL },	/* legacy calls are never fast */
		{ &too_many, -EINVAL },	/* FIDs past the callable mask */
		{ &fast_ok, 0 },
	};
	const struct kvm_vcpu_sbi_extension *ok = SBI_TEST_EXT(10, 20, 0);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!IS_ENABLED(CONFIG_64BIT) && cases[i].ext->eid_end < 30)
			continue;	/* U32_MAX + 1 truncated on RV32 */
		KUNIT_EXPECT_EQ_MSG(test, sbi_test_build_pair(test, ok,
							      cases[i].ext),
				    cases[i].err, "case %u", i);
	}
}

/*
 * Every registered extension has its own sbi_calls_<name> counter, and a
 * call of each kind counts there and under its outcome: the dispatcher's
 * accounting, which the fast path shares.
 */
static void sbi_test_stats(struct kunit *test)
{
	const struct kvm_sbi_registry *reg = &kvm_riscv_sbi_registry;
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_vcpu *vcpu = ctx->vcpu;
	DECLARE_BITMAP(seen, KVM_SBI_NR_STAT_EXTS) = { 0 };
	unsigned int i;

	for (i = 0; i < reg->nr; i++) {
		KUNIT_EXPECT_NE_MSG(test, reg->stat[i], KVM_SBI_STAT_unknown,
				    "%s has no counter", reg->exts[i]->name);
		KUNIT_EXPECT_FALSE_MSG(test, test_and_set_bit(reg->stat[i], seen),
				       "%s shares a counter", reg->exts[i]->name);
	}
	KUNIT_EXPECT_EQ(test, sbi_stat_index("time"), KVM_SBI_STAT_time);
	KUNIT_EXPECT_EQ(test, sbi_stat_index("nonesuch"), KVM_SBI_STAT_unknown);
	KUNIT_EXPECT_EQ(test, sbi_stat_index(NULL), KVM_SBI_STAT_unknown);

	kvm_riscv_vcpu_sbi_init(vcpu);
	sbi_test_set_regs(vcpu, SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION, 0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(vcpu, ctx->run), 1);
	sbi_test_set_regs(vcpu, 0x0abcdef0, 0, 0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(vcpu, ctx->run), 1);
	sbi_test_set_regs(vcpu, SBI_EXT_VENDOR_START, 0, 0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(vcpu, ctx->run), 0);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_calls[KVM_SBI_STAT_base], 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_calls[KVM_SBI_STAT_unknown], 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_calls[KVM_SBI_STAT_vendor], 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_outcomes[KVM_SBI_CALL_RETURNED], 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_outcomes[KVM_SBI_CALL_NOT_SUPPORTED], 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_outcomes[KVM_SBI_CALL_FORWARDED], 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.ecall_exit_stat, 1ULL);
	KUNIT_EXPECT_EQ(test, vcpu->stat.sbi_fast, 0ULL);
	kvm_riscv_vcpu_sbi_deinit(vcpu);
}

static struct kunit_case sbi_registry_test_cases[] = {
	KUNIT_CASE(sbi_test_standard_eids),
	KUNIT_CASE(sbi_test_unknown_eids),
	KUNIT_CASE(sbi_test_direct_table),
	KUNIT_CASE(sbi_test_range_edges),
	KUNIT_CASE(sbi_test_registry_rejects),
	KUNIT_CASE(sbi_test_stats),
	{}
};

static struct kunit_suite sbi_registry_test_suite = {
	.name = "kvm_riscv_sbi_registry",
	.init = sbi_test_init,
	.test_cases = sbi_registry_test_cases,
};

kunit_test_suite(sbi_registry_test_suite);
