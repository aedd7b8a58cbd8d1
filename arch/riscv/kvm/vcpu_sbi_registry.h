/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SBI extension registry's dispatch index, private to arch/riscv/kvm:
 * built once by vcpu_sbi.c at KVM initialisation, read-only after it, and
 * looked up by the dispatcher (vcpu_sbi.c) and, inline, by the SBI fast
 * path (sbi_fastpath.c), for which a call is too much on a hot ecall.
 */

#ifndef __RISCV_KVM_VCPU_SBI_REGISTRY_H__
#define __RISCV_KVM_VCPU_SBI_REGISTRY_H__

#include <linux/kvm_host.h>
#include <linux/nospec.h>
#include <asm/kvm_sbi_policy.h>
#include <asm/kvm_vcpu_sbi.h>

#include "trace_sbi.h"

/* An EID range and the registry slot of the extension serving it. */
struct sbi_range {
	u32 start;
	u32 end;
	u8 slot;
};

/*
 * A single-EID extension in the direct-mapped table: its slot, the offset
 * in struct kvm_vcpu of its sbi_calls counter (for the fast path, which
 * then counts a call with one add) and, if it has fast functions, its row
 * of the registry's @fast table. 16 bytes.
 */
struct sbi_direct {
	u32 eid;
	s8 slot;
	u16 stat_off;
	const kvm_vcpu_sbi_fn *fast;
};

static_assert(offsetof(struct kvm_vcpu, stat.sbi_calls[KVM_SBI_NR_STAT_EXTS]) <=
	      U16_MAX);

#define SBI_SMALL_EIDS		16	/* EIDs 0-15, the legacy ones: by index */
#define SBI_DIRECT_BITS		6	/* single-EID extensions: hashed */
#define SBI_DIRECT_SIZE		BIT(SBI_DIRECT_BITS)
#define SBI_MAX_FAST_EXTS	8	/* extensions with fast functions */

/**
 * struct sbi_registry - the extensions, indexed for dispatch
 * @exts: descriptors; a slot is an index into this array (a copy, so
 *	that a lookup is one load from the registry)
 * @nr: number of descriptors
 * @ranges: EID ranges sorted by start, for binary search
 * @onereg_slot: slot of each KVM_RISCV_SBI_EXT_* index, or -1
 * @small: slot serving each EID below SBI_SMALL_EIDS, or -1
 * @direct: extensions serving one EID each (the standard ones), at
 *	sbi_direct_index(); a miss falls back to @ranges
 * @mult: the multiplier of sbi_direct_index(), chosen so that the
 *	registered EIDs do not collide
 * @fast: per extension with fast functions, its fast function of each
 *	FID below BITS_PER_LONG, NULL for the others: the fast path indexes
 *	a row with the FID masked to BITS_PER_LONG - 1, which no speculation
 *	can take out of the row (a table as long as fns[] would need
 *	array_index_nospec())
 * @nr_fast: rows of @fast in use
 * @stat: index in vcpu->stat.sbi_calls of each slot's extension, by
 *	its name (KVM_SBI_STAT_unknown for a name the stats table lacks)
 */
struct sbi_registry {
	const struct kvm_vcpu_sbi_extension *exts[KVM_SBI_MAX_EXTS];
	unsigned int nr;
	struct sbi_range ranges[KVM_SBI_MAX_EXTS];
	s8 onereg_slot[KVM_RISCV_SBI_EXT_MAX];
	s8 small[SBI_SMALL_EIDS];
	struct sbi_direct direct[SBI_DIRECT_SIZE];
	u32 mult;
	kvm_vcpu_sbi_fn fast[SBI_MAX_FAST_EXTS][BITS_PER_LONG];
	unsigned int nr_fast;
	u8 stat[KVM_SBI_MAX_EXTS];
};

extern struct sbi_registry kvm_riscv_sbi_registry;

int kvm_riscv_sbi_range_search(const struct sbi_registry *reg,
			       unsigned long eid);

/* Also used by noinstr code (the fast path): always inline, as below. */
static __always_inline unsigned int sbi_direct_index(u32 mult,
						     unsigned long eid)
{
	return (u32)((u32)eid * mult) >> (32 - SBI_DIRECT_BITS);
}

/*
 * The direct-table entry where the single-EID extension serving @eid
 * (@eid >= SBI_SMALL_EIDS) is, if any: it is if the entry's eid is @eid.
 */
static __always_inline const struct sbi_direct *
sbi_registry_direct(const struct sbi_registry *reg, unsigned long eid)
{
	return &reg->direct[sbi_direct_index(reg->mult, eid)];
}

/* Slot of the single-EID extension serving @eid from the direct table, or -1. */
static __always_inline int sbi_registry_find_direct(const struct sbi_registry *reg,
						    unsigned long eid)
{
	const struct sbi_direct *d = sbi_registry_direct(reg, eid);

	return d->eid == eid ? d->slot : -1;
}

/* Slot of the extension serving @eid, or -1; constant time for most EIDs. */
static __always_inline int sbi_registry_find(const struct sbi_registry *reg,
					     unsigned long eid)
{
	int slot;

	if (eid < SBI_SMALL_EIDS)
		return reg->small[array_index_nospec(eid, SBI_SMALL_EIDS)];
	slot = sbi_registry_find_direct(reg, eid);
	return slot >= 0 ? slot : kvm_riscv_sbi_range_search(reg, eid);
}

static __always_inline enum kvm_vcpu_sbi_ext_state
sbi_ext_state(struct kvm_vcpu *vcpu, int slot)
{
	return vcpu->arch.sbi_context.ext_state[slot];
}

/* The extension serving @eid, or NULL, with its slot in @slot (-1). */
static __always_inline const struct kvm_vcpu_sbi_extension *
sbi_registry_lookup(const struct sbi_registry *reg, unsigned long eid,
		    int *slot)
{
	*slot = sbi_registry_find(reg, eid);
	return *slot < 0 ? NULL : reg->exts[*slot];
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
 * counts under its extension (@stat_off: sbi_direct's) and as fast,
 * instead of under an outcome, so that the fast path pays two increments.
 */
static __always_inline void sbi_account_fast(struct kvm_vcpu *vcpu,
					     u16 stat_off,
					     const struct kvm_vcpu_sbi_return *ret)
{
	/* The extension's counter, from its sbi_direct entry's offset. */
	(*(u64 *)((u8 *)vcpu + stat_off))++;
	vcpu->stat.sbi_fast++;
	if (trace_kvm_sbi_call_enabled())
		kvm_riscv_vcpu_sbi_trace_fast(vcpu, ret);
}

#endif /* __RISCV_KVM_VCPU_SBI_REGISTRY_H__ */
