/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SBI extension registry, private to arch/riscv/kvm: built once by
 * sbi_registry.c at KVM initialisation and read-only after it, then looked
 * up by the dispatcher (sbi_dispatch.c), the fast path (sbi_fastpath.c) and
 * ONE_REG (sbi_onereg.c). Two indexes, both needed (sbi.rst, "Registry and
 * dispatch"): a direct-mapped table for every EID of the small extensions
 * (all the standard ones and each legacy EID), one multiplication and one
 * comparison, which the fast path cannot do without; and the EID ranges
 * sorted by start, for the large ranges (experimental, vendor) and any EID
 * the table misses, in log time.
 */

#ifndef __RISCV_KVM_SBI_REGISTRY_H__
#define __RISCV_KVM_SBI_REGISTRY_H__

#include <linux/kvm_host.h>
#include <asm/kvm_vcpu_sbi.h>

/* An EID range and the registry slot of the extension serving it. */
struct kvm_sbi_range {
	u32 start;
	u32 end;
	u8 slot;
};

/*
 * One EID in the direct-mapped table, with what a hot call needs of its
 * extension in one place (32 bytes): the offsets in struct kvm_vcpu of the
 * extension's sbi_calls counter and of its enable state (so that the fast
 * path reads and counts with one add each), the slot (-1: the entry is
 * empty), and the extension's fast_fids and fns (0 and NULL for one with
 * no fast function, which the fast path thus never takes).
 */
struct kvm_sbi_direct {
	u32 eid;
	u16 stat_off;
	u16 state_off;
	s8 slot;
	unsigned long fast_fids;
	const kvm_vcpu_sbi_fn *fns;
};

static_assert(sizeof(struct kvm_sbi_direct) == 32 || !IS_ENABLED(CONFIG_64BIT));
static_assert(offsetof(struct kvm_vcpu, stat.sbi_calls[KVM_SBI_NR_STAT_EXTS]) <=
	      U16_MAX);
static_assert(offsetof(struct kvm_vcpu,
		       arch.sbi_context.ext_state[KVM_SBI_MAX_EXTS]) <= U16_MAX);

/* Extensions with at most this many EIDs have each in the direct table. */
#define KVM_SBI_DIRECT_MAX_EIDS		16
#define KVM_SBI_DIRECT_BITS		7
#define KVM_SBI_DIRECT_SIZE		BIT(KVM_SBI_DIRECT_BITS)

/**
 * struct kvm_sbi_registry - the extensions, indexed for dispatch
 * @mult: the multiplier of kvm_sbi_direct_index(): the first of a fixed
 *	sequence with which the registered EIDs do not collide (first, with
 *	@direct, so that the lookup needs one base address)
 * @direct: every EID of each extension with at most
 *	KVM_SBI_DIRECT_MAX_EIDS of them, at kvm_sbi_direct_index()
 * @exts: descriptors; a slot is an index into this array
 * @callable: per slot, the FIDs of its extension's fns that have a
 *	function, one bit each (0 for an extension with a handler): the
 *	dispatcher's FID bound, sbi_fn()
 * @stat: index in vcpu->stat.sbi_calls of each slot's extension, by its
 *	name (KVM_SBI_STAT_unknown for a name the stats table lacks)
 * @nr: number of descriptors
 * @ranges: every extension's EID range, sorted by start
 * @onereg_slot: slot of each KVM_RISCV_SBI_EXT_* index, or -1
 */
struct kvm_sbi_registry {
	u32 mult;
	struct kvm_sbi_direct direct[KVM_SBI_DIRECT_SIZE];
	const struct kvm_vcpu_sbi_extension *exts[KVM_SBI_MAX_EXTS];
	unsigned long callable[KVM_SBI_MAX_EXTS];
	u8 stat[KVM_SBI_MAX_EXTS];
	unsigned int nr;
	struct kvm_sbi_range ranges[KVM_SBI_MAX_EXTS];
	s8 onereg_slot[KVM_RISCV_SBI_EXT_MAX];
};

extern struct kvm_sbi_registry kvm_riscv_sbi_registry;

int kvm_riscv_sbi_range_search(const struct kvm_sbi_registry *reg,
			       unsigned long eid);

/*
 * Where @eid is in the direct table, if it is: a multiplicative hash. The
 * shift keeps any guest value inside the table, speculation included. Also
 * used by noinstr code (the fast path): always inline, as below.
 */
static __always_inline unsigned int kvm_sbi_direct_index(u32 mult,
							 unsigned long eid)
{
	return (u32)((u32)eid * mult) >> (32 - KVM_SBI_DIRECT_BITS);
}

/* The direct-table entry for @eid; it holds @eid if its eid matches. */
static __always_inline const struct kvm_sbi_direct *
kvm_sbi_direct(const struct kvm_sbi_registry *reg, unsigned long eid)
{
	return &reg->direct[kvm_sbi_direct_index(reg->mult, eid)];
}

/*
 * The one lookup: slot of the extension serving @eid, or -1. The fast path
 * takes only its first step (kvm_sbi_direct()): the registry keeps every
 * fast function's EID in the direct table.
 */
static __always_inline int kvm_sbi_find(const struct kvm_sbi_registry *reg,
					unsigned long eid)
{
	const struct kvm_sbi_direct *d = kvm_sbi_direct(reg, eid);

	if (d->eid == eid && d->slot >= 0)
		return d->slot;
	return kvm_riscv_sbi_range_search(reg, eid);
}

/* The extension serving @eid, or NULL, with its slot in @slot (-1). */
static __always_inline const struct kvm_vcpu_sbi_extension *
kvm_sbi_lookup(const struct kvm_sbi_registry *reg, unsigned long eid,
	       int *slot)
{
	*slot = kvm_sbi_find(reg, eid);
	return *slot < 0 ? NULL : reg->exts[*slot];
}

static __always_inline enum kvm_vcpu_sbi_ext_state
sbi_ext_state(struct kvm_vcpu *vcpu, int slot)
{
	return vcpu->arch.sbi_context.ext_state[slot];
}

#endif /* __RISCV_KVM_SBI_REGISTRY_H__ */
