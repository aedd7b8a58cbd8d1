// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SBI dispatcher: how a handler's result is written back
 * (the error clamp, legacy calls), forwarding to userspace and the answer's
 * settling, dispatch to BASE and to disabled extensions, and the
 * guest-memory helper's stale-VMID retry. Included at the end of
 * sbi_dispatch.c so that it sees sbi_complete().
 */

#include "sbi_test.h"

/* Every error code the spec defines is written back as it is. */
static void sbi_test_error_range(struct kunit *test)
{
	struct sbi_test_ctx *ctx = test->priv;
	struct kvm_cpu_context *cp = &ctx->vcpu->arch.guest_context;
	struct kvm_vcpu_sbi_return ret = { .out_val = 9 };
	long err;

	for (err = SBI_SUCCESS; err >= KVM_SBI_ERR_LAST; err--) {
		sbi_test_set_regs(ctx->vcpu, SBI_EXT_TIME, 0, 0);
		ret.err_val = err;
		sbi_write_back(cp, false, &ret);
		KUNIT_EXPECT_EQ(test, (long)cp->a0, err);
		KUNIT_EXPECT_EQ(test, cp->a1, 9UL);
		KUNIT_EXPECT_EQ(test, cp->sepc, 0x80001004UL);
	}
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
		.onereg_idx = KVM_SBI_ALWAYS_ENABLED,
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

	/* Nor one that is a function's FID plus BITS_PER_LONG. */
	sbi_test_set_regs(ctx->vcpu, SBI_EXT_BASE,
			  BITS_PER_LONG + SBI_EXT_BASE_GET_SPEC_VERSION, 0);
	KUNIT_EXPECT_EQ(test, kvm_riscv_vcpu_sbi_ecall(ctx->vcpu, ctx->run), 1);
	KUNIT_EXPECT_EQ(test, (long)cp->a0, SBI_ERR_NOT_SUPPORTED);

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
	int slot = kvm_sbi_find(&kvm_riscv_sbi_registry, SBI_EXT_TIME);

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

static struct kunit_case sbi_dispatch_test_cases[] = {
	KUNIT_CASE(sbi_test_error_range),
	KUNIT_CASE(sbi_test_complete_return),
	KUNIT_CASE(sbi_test_complete_other),
	KUNIT_CASE(sbi_test_forward_once),
	KUNIT_CASE(sbi_test_forward_done_hook),
	KUNIT_CASE(sbi_test_forward_legacy),
	KUNIT_CASE(sbi_test_forward_stale),
	KUNIT_CASE(sbi_test_dispatch_base),
	KUNIT_CASE(sbi_test_disabled_is_invisible),
	KUNIT_CASE(sbi_test_guest_mem_stale_vmid),
	{}
};

static struct kunit_suite sbi_dispatch_test_suite = {
	.name = "kvm_riscv_sbi",
	.init = sbi_test_init,
	.test_cases = sbi_dispatch_test_cases,
};

kunit_test_suite(sbi_dispatch_test_suite);
