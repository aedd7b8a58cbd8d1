/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The steps of answering an SBI call, private to arch/riscv/kvm and shared
 * by its two callers, the dispatcher (sbi_dispatch.c) and the fast path
 * (sbi_fastpath.c), so that each rule is written once: the FID bound, the
 * policy decision, the write-back with its error clamp, and the accounting.
 * Always inline: the fast path is noinstr and must not call them.
 */

#ifndef __RISCV_KVM_SBI_DISPATCH_H__
#define __RISCV_KVM_SBI_DISPATCH_H__

#include <linux/kvm_host.h>
#include <linux/nospec.h>
#include <asm/kvm_sbi_policy.h>
#include <asm/kvm_vcpu_sbi.h>

#include "sbi_registry.h"
#include "trace_sbi.h"

/*
 * The one FID bound: the function for @fid in @fns, whose callable FIDs
 * are the bits of @callable (each below BITS_PER_LONG, with a function),
 * or NULL for any other FID. The dispatcher passes an extension's fns and
 * the registry's callable mask of it, the fast path the fns and fast_fids
 * of the direct table. The guest's FID indexes function pointers, so the
 * index is clamped by its bit as data, not by the branch alone: under a
 * mispredicted test a FID whose bit is clear reads fns[0], which every
 * table has, and a FID past BITS_PER_LONG one whose bit is set.
 */
static __always_inline kvm_vcpu_sbi_fn
sbi_fn(const kvm_vcpu_sbi_fn *fns, unsigned long callable, unsigned long fid)
{
	unsigned long idx = fid & (BITS_PER_LONG - 1);
	unsigned long keep = -((callable >> idx) & 1);

	/* So that the compiler cannot take keep to be ~0 past the test. */
	OPTIMIZER_HIDE_VAR(keep);
	if (fid >= BITS_PER_LONG || !keep)
		return NULL;
	return fns[idx & keep];
}

/*
 * The VM's policy's action for @call, whose extension is in registry slot
 * @slot (-1: none); most VMs have no policy: one test.
 */
static __always_inline u8 sbi_policy_action(struct kvm_vcpu *vcpu, int slot,
					    const struct kvm_vcpu_sbi_call *call)
{
	if (likely(!vcpu->kvm->arch.sbi_policy))
		return KVM_RISCV_SBI_POLICY_HANDLE;
	return kvm_riscv_sbi_policy_action(vcpu->kvm, slot, call->eid,
					   call->fid);
}

static __always_inline bool sbi_eid_is_legacy(unsigned long eid)
{
	return eid <= KVM_SBI_LEGACY_EID_LAST;
}

void kvm_riscv_vcpu_sbi_bad_error(long err);

/*
 * Answer the guest's call with @ret (KVM_SBI_RETURN): a0, and a1 unless the
 * call is a @legacy one (EIDs 0x00-0x0F preserve it and answer a
 * function-specific a0), and step over the ecall. An SBI error outside the
 * range the specification defines is a host bug: warned about once, and
 * the guest gets SBI_ERR_FAILURE. (The fast path passes @legacy false: the
 * registry refuses fast functions of legacy EIDs.)
 */
static __always_inline void sbi_write_back(struct kvm_cpu_context *cp,
					   bool legacy,
					   const struct kvm_vcpu_sbi_return *ret)
{
	long err = ret->err_val;

	if (!legacy && unlikely(err > SBI_SUCCESS || err < KVM_SBI_ERR_LAST)) {
		kvm_riscv_vcpu_sbi_bad_error(err);
		err = SBI_ERR_FAILURE;
	}
	cp->a0 = err;
	if (!legacy)
		cp->a1 = ret->out_val;
	cp->sepc += 4;
}

/* What became of a call the dispatcher or the fast path finished. */
static __always_inline enum kvm_sbi_call_outcome
sbi_call_outcome(u8 action, const struct kvm_vcpu_sbi_return *ret)
{
	if (action == KVM_RISCV_SBI_POLICY_DENY)
		return KVM_SBI_CALL_DENIED;
	switch (ret->outcome) {
	case KVM_SBI_RETURN:
		return ret->err_val == SBI_ERR_NOT_SUPPORTED ?
		       KVM_SBI_CALL_NOT_SUPPORTED : KVM_SBI_CALL_RETURNED;
	case KVM_SBI_FORWARD:
		return KVM_SBI_CALL_FORWARDED;
	case KVM_SBI_EXIT:
		return KVM_SBI_CALL_SYSTEM_EVENT;
	case KVM_SBI_REDIRECTED:
		return KVM_SBI_CALL_REDIRECTED;
	default:
		return KVM_SBI_CALL_FAILED;
	}
}

void kvm_riscv_vcpu_sbi_trace_call(struct kvm_vcpu *vcpu,
				   const struct kvm_vcpu_sbi_call *call,
				   u8 action, enum kvm_sbi_call_outcome outcome,
				   const struct kvm_vcpu_sbi_return *ret,
				   bool fast);
void kvm_riscv_vcpu_sbi_trace_fast(struct kvm_vcpu *vcpu,
				   const struct kvm_vcpu_sbi_return *ret);

/*
 * Count a call the normal path finished in the vCPU's stats, under its
 * extension (@slot, -1 for none) and its outcome, and trace it.
 */
static __always_inline void sbi_account(struct kvm_vcpu *vcpu,
					const struct kvm_vcpu_sbi_call *call,
					int slot, u8 action,
					const struct kvm_vcpu_sbi_return *ret)
{
	enum kvm_sbi_call_outcome outcome = sbi_call_outcome(action, ret);

	vcpu->stat.sbi_calls[slot < 0 ? KVM_SBI_STAT_unknown :
			     kvm_riscv_sbi_registry.stat[slot]]++;
	vcpu->stat.sbi_outcomes[outcome]++;
	if (trace_kvm_sbi_call_enabled())
		kvm_riscv_vcpu_sbi_trace_call(vcpu, call, action, outcome, ret,
					      false);
}

/*
 * The same for a call the fast path answered (@ret holds the answer): it
 * counts under its extension (@stat_off: its kvm_sbi_direct's) and as
 * fast, instead of under an outcome, so that the fast path pays two
 * increments.
 */
static __always_inline void sbi_account_fast(struct kvm_vcpu *vcpu,
					     u16 stat_off,
					     const struct kvm_vcpu_sbi_return *ret)
{
	(*(u64 *)((u8 *)vcpu + stat_off))++;
	vcpu->stat.sbi_fast++;
	if (trace_kvm_sbi_call_enabled())
		kvm_riscv_vcpu_sbi_trace_fast(vcpu, ret);
}

#endif /* __RISCV_KVM_SBI_DISPATCH_H__ */
