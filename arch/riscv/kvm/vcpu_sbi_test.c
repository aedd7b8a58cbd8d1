// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SBI framework: registry validation and lookup, how a
 * handler's result is written back, forwarding, and the per-vCPU enable
 * state behind ONE_REG. Included at the end of vcpu_sbi.c so that it sees
 * the registry's internals. The vCPU here is plain memory: only paths that
 * touch nothing but struct kvm_vcpu and struct kvm_run are exercised.
 */

#include <kunit/test.h>
#include <linux/slab.h>

struct sbi_test_ctx {
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
};

static int sbi_test_init(struct kunit *test)
{
	struct sbi_test_ctx *ctx;
	unsigned int i;

	/* KVM did not initialise (no H extension, e.g. inside a guest). */
	if (!kvm_riscv_sbi_registry.nr)
		kunit_skip(test, "the SBI registry is not built: KVM is not active");

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->vcpu = kunit_kzalloc(test, sizeof(*ctx->vcpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->vcpu);
	ctx->run = kunit_kzalloc(test, sizeof(*ctx->run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->run);
	ctx->vcpu->run = ctx->run;
	/* A VM with no SBI policy: every call is the kernel's to handle. */
	ctx->vcpu->kvm = kunit_kzalloc(test, sizeof(*ctx->vcpu->kvm),
				       GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->vcpu->kvm);
	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++)
		ctx->vcpu->arch.sbi_context.ext_state[i] = KVM_SBI_EXT_ENABLED;
	test->priv = ctx;
	return 0;
}

static const struct kvm_vcpu_sbi_extension *sbi_test_lookup(unsigned long eid)
{
	int slot = sbi_registry_find(&kvm_riscv_sbi_registry, eid);

	return slot < 0 ? NULL : kvm_riscv_sbi_registry.exts[slot];
}

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

/* The fast functions of @ext, and only they, are in @d's row. */
static void sbi_test_fast_row(struct kunit *test, const struct sbi_direct *d,
			      const struct kvm_vcpu_sbi_extension *ext)
{
	unsigned int fid;

	if (!ext->fast_fids) {
		KUNIT_EXPECT_NULL(test, d->fast);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, d->fast);
	for (fid = 0; fid < BITS_PER_LONG; fid++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, d->fast[fid],
					ext->fast_fids & BIT(fid) ?
					ext->fns[fid] : NULL,
					"%s FID %u", ext->name, fid);
}

/* Every single-EID extension is found in the direct table, not by search. */
static void sbi_test_direct_table(struct kunit *test)
{
	unsigned int i, direct = 0;

	KUNIT_EXPECT_EQ(test, sbi_direct_collisions(&kvm_riscv_sbi_registry,
						    kvm_riscv_sbi_registry.mult), 0U);
	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct sbi_range *r = &kvm_riscv_sbi_registry.ranges[i];
		const struct sbi_direct *d;

		if (r->start != r->end || r->start < SBI_SMALL_EIDS)
			continue;
		d = &kvm_riscv_sbi_registry.direct[sbi_direct_index(kvm_riscv_sbi_registry.mult,
							  r->start)];
		KUNIT_EXPECT_EQ_MSG(test, d->eid, r->start, "EID %#x", r->start);
		KUNIT_EXPECT_EQ(test, d->slot, (s8)r->slot);
		sbi_test_fast_row(test, d, kvm_riscv_sbi_registry.exts[r->slot]);
		direct++;
	}
	KUNIT_EXPECT_GE(test, direct, 8U);	/* BASE, TIME, IPI, ... */
	/* The legacy EIDs by index: 0x00-0x08 served, 0x09-0x0F not. */
	KUNIT_EXPECT_EQ(test, kvm_riscv_sbi_registry.small[SBI_EXT_0_1_SHUTDOWN],
			kvm_riscv_sbi_range_search(&kvm_riscv_sbi_registry, SBI_EXT_0_1_SHUTDOWN));
	KUNIT_EXPECT_GE(test, kvm_riscv_sbi_registry.small[SBI_EXT_0_1_SHUTDOWN], 0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_sbi_registry.small[0x09], -1);
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
		SBI_TEST_EXT(100, 200, KVM_SBI_NO_ONEREG),
		SBI_TEST_EXT(21, 21, 1),
		SBI_TEST_EXT(10, 20, 0),
	};
	static const struct { unsigned long eid; int slot; } cases[] = {
		{ 9, -1 }, { 10, 2 }, { 20, 2 }, { 21, 1 }, { 22, -1 },
		{ 99, -1 }, { 100, 0 }, { 150, 0 }, { 200, 0 }, { 201, -1 },
	};
	struct sbi_registry *reg;
	unsigned int i;

	reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, reg);
	KUNIT_ASSERT_EQ(test, sbi_registry_build(reg, exts, 3), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, sbi_registry_find(reg, cases[i].eid),
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
	struct sbi_registry *reg = kunit_kzalloc(test, sizeof(*reg), GFP_KERNEL);

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
	static const struct kvm_vcpu_sbi_extension fast_small_eid = {
		.eid_start = 3, .eid_end = 3, .onereg_idx = 1,
		.fns = sbi_test_fns, .nr_fns = 1, .fast_fids = BIT(0),
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
		{ &fast_small_eid, -EINVAL },	/* not in the direct table */
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

static void sbi_test_error_range(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sbi_error_sanitize(SBI_SUCCESS), SBI_SUCCESS);
	KUNIT_EXPECT_EQ(test, sbi_error_sanitize(SBI_ERR_NOT_SUPPORTED),
			SBI_ERR_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, sbi_error_sanitize(KVM_SBI_ERR_LAST),
			KVM_SBI_ERR_LAST);
}

static void sbi_test_set_regs(struct kvm_vcpu *vcpu, unsigned long eid,
			      unsigned long fid, unsigned long a0)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;

	cp->a7 = eid;
	cp->a6 = fid;
	cp->a0 = a0;
	cp->a1 = 0x1111;
	cp->sepc = 0x80001000;
}

/* The guest's registers at the ecall of @call, at pc 0x80001000. */
static void sbi_test_load_call(struct kvm_vcpu *vcpu,
			       const struct kvm_vcpu_sbi_call *call)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;

	cp->a0 = call->args[0];
	cp->a1 = call->args[1];
	cp->a2 = call->args[2];
	cp->a3 = call->args[3];
	cp->a4 = call->args[4];
	cp->a5 = call->args[5];
	cp->a6 = call->fid;
	cp->a7 = call->eid;
	cp->sepc = 0x80001000;
}

static void sbi_test_complete_return(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	const struct kvm_vcpu_sbi_call call = { .eid = SBI_EXT_TIME };
	const struct kvm_vcpu_sbi_call legacy = { .eid = SBI_EXT_0_1_CLEAR_IPI };
	const struct kvm_vcpu_sbi_return ret = {
		.outcome = KVM_SBI_RETURN, .err_val = SBI_ERR_DENIED,
		.out_val = 42,
	};
	const struct kvm_vcpu_sbi_return legacy_ret = {
		.outcome = KVM_SBI_RETURN, .err_val = 5,
	};

	sbi_test_set_regs(ctx->vcpu, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, sbi_complete(ctx->vcpu, ctx->run, NULL, &call, &ret), 1);
	KUNIT_EXPECT_EQ(test, (long)cp->a0, SBI_ERR_DENIED);
	KUNIT_EXPECT_EQ(test, cp->a1, 42UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001004UL);

	/* Legacy: a0 is function specific and not clamped; a1 is preserved. */
	sbi_test_set_regs(ctx->vcpu, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, sbi_complete(ctx->vcpu, ctx->run, NULL, &legacy,
					   &legacy_ret), 1);
	KUNIT_EXPECT_EQ(test, cp->a0, 5UL);
	KUNIT_EXPECT_EQ(test, cp->a1, 0x1111UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001004UL);
}

static void sbi_test_complete_other(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	const struct kvm_vcpu_sbi_call call = { .eid = SBI_EXT_SRST };
	struct kvm_vcpu_sbi_return ret = { .outcome = KVM_SBI_EXIT };

	sbi_test_set_regs(ctx->vcpu, 0, 0, 7);
	KUNIT_EXPECT_EQ(test, sbi_complete(ctx->vcpu, ctx->run, NULL, &call, &ret), 0);
	ret.outcome = KVM_SBI_REDIRECTED;
	KUNIT_EXPECT_EQ(test, sbi_complete(ctx->vcpu, ctx->run, NULL, &call, &ret), 1);
	ret.outcome = KVM_SBI_FAILED;
	ret.host_err = -ENOMEM;
	KUNIT_EXPECT_EQ(test, sbi_complete(ctx->vcpu, ctx->run, NULL, &call, &ret),
			-ENOMEM);
	/* None of these touches the guest's registers. */
	KUNIT_EXPECT_EQ(test, cp->a0, 7UL);
	KUNIT_EXPECT_EQ(test, cp->a1, 0x1111UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001000UL);
}

static void sbi_test_forward_once(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	struct kvm_run *run = ctx->run;
	const struct kvm_vcpu_sbi_call call = {
		.eid = SBI_EXT_VENDOR_START + 5, .fid = 9,
		.args = { 1, 2, 3, 4, 5, 6 },
	};
	const struct kvm_vcpu_sbi_return ret = { .outcome = KVM_SBI_FORWARD };
	unsigned int i;

	sbi_test_load_call(ctx->vcpu, &call);
	memset(run->riscv_sbi.ret, 0x5a, sizeof(run->riscv_sbi.ret));
	KUNIT_EXPECT_EQ(test, sbi_complete(ctx->vcpu, run,
					   sbi_test_lookup(call.eid), &call,
					   &ret), 0);
	KUNIT_EXPECT_EQ(test, run->exit_reason, KVM_EXIT_RISCV_SBI);
	KUNIT_EXPECT_EQ(test, run->riscv_sbi.extension_id, call.eid);
	KUNIT_EXPECT_EQ(test, run->riscv_sbi.function_id, 9UL);
	for (i = 0; i < 6; i++)
		KUNIT_EXPECT_EQ(test, run->riscv_sbi.args[i], i + 1UL);
	KUNIT_EXPECT_EQ(test, (long)run->riscv_sbi.ret[0],
			SBI_ERR_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, run->riscv_sbi.ret[1], 0UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001000UL);

	run->riscv_sbi.ret[0] = 0;
	run->riscv_sbi.ret[1] = 77;
	kvm_riscv_vcpu_sbi_return(ctx->vcpu, run);
	KUNIT_EXPECT_EQ(test, cp->a0, 0UL);
	KUNIT_EXPECT_EQ(test, cp->a1, 77UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001004UL);

	/* A second KVM_RUN must not apply the answer again. */
	run->riscv_sbi.ret[1] = 78;
	kvm_riscv_vcpu_sbi_return(ctx->vcpu, run);
	KUNIT_EXPECT_EQ(test, cp->a1, 77UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001004UL);
}

static unsigned long sbi_test_done_answer;

static bool sbi_test_forward_done(struct kvm_vcpu *vcpu,
				  const struct kvm_vcpu_sbi_call *call,
				  const struct kvm_vcpu_sbi_return *answer)
{
	sbi_test_done_answer = answer->out_val;
	return true;	/* it set the guest's state itself */
}

/* The forwarded call's extension gets userspace's answer (SUSP's way). */
static void sbi_test_forward_done_hook(struct kunit *test)
{
	static const struct kvm_vcpu_sbi_extension ext = {
		.eid_start = 30, .eid_end = 30,
		.onereg_idx = KVM_SBI_NO_ONEREG,
		.forward_done = sbi_test_forward_done,
	};
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	const struct kvm_vcpu_sbi_call call = { .eid = 30, .args[1] = 0x1111 };
	const struct kvm_vcpu_sbi_return ret = { .outcome = KVM_SBI_FORWARD };

	sbi_test_load_call(ctx->vcpu, &call);
	sbi_test_done_answer = 0;
	KUNIT_EXPECT_EQ(test, sbi_complete(ctx->vcpu, ctx->run, &ext, &call,
					   &ret), 0);
	ctx->run->riscv_sbi.ret[0] = 0;
	ctx->run->riscv_sbi.ret[1] = 77;
	kvm_riscv_vcpu_sbi_return(ctx->vcpu, ctx->run);
	KUNIT_EXPECT_EQ(test, sbi_test_done_answer, 77UL);
	/* The hook took over: no write-back, no step over the ecall. */
	KUNIT_EXPECT_EQ(test, cp->a1, 0x1111UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001000UL);
}

static void sbi_test_forward_legacy(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	const struct kvm_vcpu_sbi_call call = {
		.eid = SBI_EXT_0_1_CONSOLE_GETCHAR, .args[1] = 0x1111,
	};
	const struct kvm_vcpu_sbi_return ret = { .outcome = KVM_SBI_FORWARD };

	sbi_test_load_call(ctx->vcpu, &call);
	KUNIT_EXPECT_EQ(test, sbi_complete(ctx->vcpu, ctx->run, NULL, &call, &ret), 0);
	ctx->run->riscv_sbi.ret[0] = 'x';
	ctx->run->riscv_sbi.ret[1] = 99;
	kvm_riscv_vcpu_sbi_return(ctx->vcpu, ctx->run);
	KUNIT_EXPECT_EQ(test, cp->a0, (unsigned long)'x');
	KUNIT_EXPECT_EQ(test, cp->a1, 0x1111UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001004UL);
}

/*
 * The answer goes to the call that exited, once, or nowhere: not if the
 * next KVM_RUN comes with another exit_reason (the call is dropped, and
 * stays dropped when exit_reason is set back), not if pc or a0-a7 changed
 * in between.
 */
static void sbi_test_forward_stale(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	struct kvm_run *run = ctx->run;
	const struct kvm_vcpu_sbi_call call = {
		.eid = SBI_EXT_VENDOR_START + 5, .fid = 9,
		.args = { 1, 2, 3, 4, 5, 6 },
	};
	const struct kvm_vcpu_sbi_return ret = { .outcome = KVM_SBI_FORWARD };
	unsigned long *regs[] = { &cp->a0, &cp->a1, &cp->a2, &cp->a3, &cp->a4,
				  &cp->a5, &cp->a6, &cp->a7, &cp->sepc };
	unsigned int i;

	/* exit_reason changed, then set back: nothing applied, ever. */
	sbi_test_load_call(ctx->vcpu, &call);
	sbi_complete(ctx->vcpu, run, sbi_test_lookup(call.eid), &call, &ret);
	run->riscv_sbi.ret[0] = 0;
	run->riscv_sbi.ret[1] = 77;
	run->exit_reason = KVM_EXIT_INTR;
	kvm_riscv_vcpu_sbi_return(ctx->vcpu, run);
	run->exit_reason = KVM_EXIT_RISCV_SBI;
	kvm_riscv_vcpu_sbi_return(ctx->vcpu, run);
	KUNIT_EXPECT_EQ(test, cp->a0, 1UL);
	KUNIT_EXPECT_EQ(test, cp->a1, 2UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001000UL);

	/* Any of pc, a0-a7 changed: dropped, the registers left alone. */
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		sbi_test_load_call(ctx->vcpu, &call);
		sbi_complete(ctx->vcpu, run, sbi_test_lookup(call.eid), &call,
			     &ret);
		run->riscv_sbi.ret[0] = 0;
		run->riscv_sbi.ret[1] = 77;
		*regs[i] += 2;
		kvm_riscv_vcpu_sbi_return(ctx->vcpu, run);
		KUNIT_EXPECT_NE_MSG(test, cp->a1, 77UL, "register %u", i);
		KUNIT_EXPECT_EQ_MSG(test, cp->sepc, i == 8 ? 0x80001002UL :
				    0x80001000UL, "register %u", i);
		/* Set back: still dropped. */
		*regs[i] -= 2;
		kvm_riscv_vcpu_sbi_return(ctx->vcpu, run);
		KUNIT_EXPECT_EQ_MSG(test, cp->sepc, 0x80001000UL, "register %u", i);
	}
}

static void sbi_test_dispatch_base(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;

	sbi_test_set_regs(ctx->vcpu, SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION,
			  0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(ctx->vcpu, ctx->run), 1);
	KUNIT_EXPECT_EQ(test, cp->a0, 0UL);
	KUNIT_EXPECT_EQ(test, cp->a1, 0x03000000UL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001004UL);

	/* A FID past the table: NOT_SUPPORTED without calling anything. */
	sbi_test_set_regs(ctx->vcpu, SBI_EXT_BASE, 1000, 0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(ctx->vcpu, ctx->run), 1);
	KUNIT_EXPECT_EQ(test, (long)cp->a0, SBI_ERR_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001004UL);

	/* An unknown legacy EID: a0 only. */
	sbi_test_set_regs(ctx->vcpu, 0x0A, 0, 0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(ctx->vcpu, ctx->run), 1);
	KUNIT_EXPECT_EQ(test, (long)cp->a0, SBI_ERR_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, cp->a1, 0x1111UL);
}

static void sbi_test_disabled_is_invisible(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	int slot = sbi_registry_find(&kvm_riscv_sbi_registry, SBI_EXT_TIME);

	KUNIT_ASSERT_GE(test, slot, 0);
	sbi_test_set_regs(ctx->vcpu, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
			  SBI_EXT_TIME);
	kvm_riscv_vcpu_sbi_ecall(ctx->vcpu, ctx->run);
	KUNIT_EXPECT_EQ(test, cp->a1, 1UL);

	/* Disabled: probe says 0 and the handler is never reached. */
	ctx->vcpu->arch.sbi_context.ext_state[slot] = KVM_SBI_EXT_DISABLED;
	sbi_test_set_regs(ctx->vcpu, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
			  SBI_EXT_TIME);
	kvm_riscv_vcpu_sbi_ecall(ctx->vcpu, ctx->run);
	KUNIT_EXPECT_EQ(test, cp->a1, 0UL);
	sbi_test_set_regs(ctx->vcpu, SBI_EXT_TIME, SBI_EXT_TIME_SET_TIMER, 0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(ctx->vcpu, ctx->run), 1);
	KUNIT_EXPECT_EQ(test, (long)cp->a0, SBI_ERR_NOT_SUPPORTED);

	/* A probe of the vendor range goes to userspace. */
	sbi_test_set_regs(ctx->vcpu, SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
			  SBI_EXT_VENDOR_START);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(ctx->vcpu, ctx->run), 0);
	KUNIT_EXPECT_EQ(test, ctx->run->exit_reason, KVM_EXIT_RISCV_SBI);
	KUNIT_EXPECT_EQ(test, ctx->run->riscv_sbi.extension_id,
			(unsigned long)SBI_EXT_BASE);
	KUNIT_EXPECT_EQ(test, ctx->run->riscv_sbi.args[0],
			(unsigned long)SBI_EXT_VENDOR_START);
}

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

/*
 * Every registered extension has its own sbi_calls_<name> counter, and a
 * call of each kind counts there and under its outcome: the dispatcher's
 * accounting, which the fast path shares.
 */
static void sbi_test_stats(struct kunit *test)
{
	const struct sbi_registry *reg = &kvm_riscv_sbi_registry;
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

/*
 * A VM whose VMID version is old (here one that never ran: version 0) may
 * have another VM's VMID in this CPU's hgatp: the guest-memory helper loads
 * nothing and sends the guest back to retry, without redirecting a trap.
 */
static void sbi_test_guest_mem_stale_vmid(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	unsigned long buf = 0x5a5a;

	cp->sepc = 0x1234;
	KUNIT_ASSERT_TRUE(test,
			  kvm_riscv_gstage_vmid_ver_changed(&ctx->vcpu->kvm->arch.vmid));
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_read_guest_va(ctx->vcpu, 0x80000000UL,
							   &buf, sizeof(buf)),
			KVM_GUEST_MEM_REDIRECTED);
	KUNIT_EXPECT_EQ(test, buf, 0x5a5aUL);
	KUNIT_EXPECT_EQ(test, cp->sepc, 0x1234UL);
}

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

static struct kunit_case sbi_test_cases[] = {
	KUNIT_CASE(sbi_test_standard_eids),
	KUNIT_CASE(sbi_test_unknown_eids),
	KUNIT_CASE(sbi_test_direct_table),
	KUNIT_CASE(sbi_test_range_edges),
	KUNIT_CASE(sbi_test_registry_rejects),
	KUNIT_CASE(sbi_test_error_range),
	KUNIT_CASE(sbi_test_complete_return),
	KUNIT_CASE(sbi_test_complete_other),
	KUNIT_CASE(sbi_test_forward_once),
	KUNIT_CASE(sbi_test_forward_done_hook),
	KUNIT_CASE(sbi_test_forward_legacy),
	KUNIT_CASE(sbi_test_forward_stale),
	KUNIT_CASE(sbi_test_dispatch_base),
	KUNIT_CASE(sbi_test_disabled_is_invisible),
	KUNIT_CASE(sbi_test_enable_state),
	KUNIT_CASE(sbi_test_busy_after_run),
	KUNIT_CASE(sbi_test_stats),
	KUNIT_CASE(sbi_test_hart_map),
	KUNIT_CASE(sbi_test_guest_mem_stale_vmid),
	{}
};

static struct kunit_suite sbi_test_suite = {
	.name = "kvm_riscv_sbi",
	.init = sbi_test_init,
	.test_cases = sbi_test_cases,
};

kunit_test_suite(sbi_test_suite);
