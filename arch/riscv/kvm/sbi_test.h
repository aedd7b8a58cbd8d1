/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the framework's KUnit suites share (sbi_registry_test.c,
 * sbi_dispatch_test.c, sbi_onereg_test.c, sbi_hart_test.c,
 * sbi_fastpath_test.c): a vCPU that is plain memory, with every registered
 * extension enabled, in a VM with no SBI policy. Only paths that touch
 * nothing but struct kvm_vcpu, struct kvm and struct kvm_run are exercised
 * with it.
 */

#ifndef __RISCV_KVM_SBI_TEST_H__
#define __RISCV_KVM_SBI_TEST_H__

#include <kunit/test.h>
#include <linux/kvm_host.h>
#include <linux/slab.h>

#include "sbi_registry.h"

struct sbi_test_ctx {
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
};

static inline int sbi_test_init(struct kunit *test)
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

static inline void sbi_test_set_regs(struct kvm_vcpu *vcpu,
				     unsigned long eid, unsigned long fid,
				     unsigned long a0)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;

	cp->a7 = eid;
	cp->a6 = fid;
	cp->a0 = a0;
	cp->a1 = 0x1111;
	cp->sepc = 0x80001000;
}

/* The extension serving @eid, by the registry's lookup. */
static inline const struct kvm_vcpu_sbi_extension *
sbi_test_lookup(unsigned long eid)
{
	int slot;

	return kvm_sbi_lookup(&kvm_riscv_sbi_registry, eid, &slot);
}

#endif /* __RISCV_KVM_SBI_TEST_H__ */
