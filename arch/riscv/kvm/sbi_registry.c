// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SBI extension registry: which extensions this kernel serves, checked
 * and indexed once at KVM initialisation, and each vCPU's view of them (one
 * enable state per extension, and the per-vCPU hooks called at creation,
 * reset, destruction, load and put).
 *
 * Extensions are const descriptors, one per vcpu_sbi_<name>.c. The registry
 * refuses a malformed descriptor, overlapping EID ranges and a ONE_REG index
 * used twice, and indexes the rest for the lookup in sbi_registry.h, which
 * costs the same whatever the number of extensions or the order of the list
 * below. See Documentation/virt/kvm/riscv/sbi.rst, "Registry and dispatch".
 */

#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/kvm_host.h>
#include <linux/sort.h>
#include <asm/kvm_vcpu_sbi.h>

#include "sbi_registry.h"

/* The extensions this kernel serves; the order does not matter. */
static const struct kvm_vcpu_sbi_extension *const sbi_exts[] = {
#ifdef CONFIG_RISCV_SBI_V01
	&kvm_sbi_ext_v01,
#endif
	&kvm_sbi_ext_base,
	&kvm_sbi_ext_time,
	&kvm_sbi_ext_ipi,
	&kvm_sbi_ext_rfence,
	&kvm_sbi_ext_srst,
	&kvm_sbi_ext_hsm,
#ifdef CONFIG_RISCV_PMU_SBI
	&kvm_sbi_ext_pmu,
#endif
	&kvm_sbi_ext_sta,
	&kvm_sbi_ext_dbcn,
	&kvm_sbi_ext_susp,
	&kvm_sbi_ext_fwft,
	&kvm_sbi_ext_sse,
	&kvm_sbi_ext_dbtr,
	&kvm_sbi_ext_mpxy,
	&kvm_sbi_ext_experimental,
	&kvm_sbi_ext_vendor,
};

static_assert(ARRAY_SIZE(sbi_exts) <= KVM_SBI_MAX_EXTS);

struct kvm_sbi_registry kvm_riscv_sbi_registry __ro_after_init;

/**
 * kvm_riscv_sbi_range_search() - the slot of the range holding an EID
 * @reg: the registry
 * @eid: extension ID
 *
 * A binary search of the sorted ranges; the lookup's second step.
 *
 * Return: the slot, or -1 if no extension serves @eid.
 */
int kvm_riscv_sbi_range_search(const struct kvm_sbi_registry *reg,
			       unsigned long eid)
{
	unsigned int lo = 0, hi = reg->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct kvm_sbi_range *r = &reg->ranges[mid];

		if (eid < r->start)
			hi = mid;
		else if (eid > r->end)
			lo = mid + 1;
		else
			return r->slot;
	}
	return -1;
}

/* The ranges whose every EID has a direct-table entry. */
static bool sbi_range_is_direct(const struct kvm_sbi_range *r)
{
	return r->end - r->start < KVM_SBI_DIRECT_MAX_EIDS;
}

/* How many EIDs collide in the direct table with multiplier @mult. */
static unsigned int sbi_direct_collisions(const struct kvm_sbi_registry *reg,
					  u32 mult)
{
	DECLARE_BITMAP(used, KVM_SBI_DIRECT_SIZE);
	unsigned int i, n = 0;
	unsigned long eid;

	bitmap_zero(used, KVM_SBI_DIRECT_SIZE);
	for (i = 0; i < reg->nr; i++) {
		const struct kvm_sbi_range *r = &reg->ranges[i];

		if (!sbi_range_is_direct(r))
			continue;
		for (eid = r->start; eid <= r->end; eid++)
			n += test_and_set_bit(kvm_sbi_direct_index(mult, eid),
					      used);
	}
	return n;
}

/*
 * Fill the direct table. The registered EIDs are arbitrary 32-bit values
 * (ASCII names), so no fixed hash can promise that they will not collide:
 * the multiplier is the first of a fixed sequence of odd numbers with no
 * collision, else the one with the fewest (an EID left out is found by the
 * range search, and the registry refuses a fast function left out).
 */
static void sbi_registry_index(struct kvm_sbi_registry *reg)
{
	u32 mult, best = 0x9e3779b1;
	unsigned int i, k, least = UINT_MAX;
	unsigned long eid;

	for (k = 0, mult = best; k < 1024 && least; k++, mult += 2) {
		unsigned int n = sbi_direct_collisions(reg, mult);

		if (n < least) {
			least = n;
			best = mult;
		}
	}
	reg->mult = best;
	for (i = 0; i < KVM_SBI_DIRECT_SIZE; i++)
		reg->direct[i] = (struct kvm_sbi_direct) { .slot = -1 };
	for (i = 0; i < reg->nr; i++) {
		const struct kvm_sbi_range *r = &reg->ranges[i];
		const struct kvm_vcpu_sbi_extension *ext = reg->exts[r->slot];
		const bool fast = ext->fast_fids;

		if (!sbi_range_is_direct(r))
			continue;
		for (eid = r->start; eid <= r->end; eid++) {
			struct kvm_sbi_direct *d =
				&reg->direct[kvm_sbi_direct_index(best, eid)];

			if (d->slot >= 0)
				continue;
			*d = (struct kvm_sbi_direct) {
				.eid = eid,
				.stat_off = offsetof(struct kvm_vcpu,
						     stat.sbi_calls) +
					    reg->stat[r->slot] * sizeof(u64),
				.state_off = offsetof(struct kvm_vcpu,
						      arch.sbi_context.ext_state) +
					     r->slot,
				.slot = r->slot,
				.fast_fids = ext->fast_fids,
				.fns = fast ? ext->fns : NULL,
			};
		}
	}
}

static int sbi_range_cmp(const void *a, const void *b)
{
	const struct kvm_sbi_range *ra = a, *rb = b;

	return ra->start < rb->start ? -1 : ra->start > rb->start;
}

static int sbi_ext_check(const struct kvm_vcpu_sbi_extension *ext)
{
	unsigned long fid;

	if (ext->eid_start > ext->eid_end || ext->eid_end > U32_MAX)
		return -EINVAL;
	/*
	 * Exactly one way of answering: a handler, or a table of functions
	 * whose FIDs fit in the registry's callable masks.
	 */
	if (!ext->handler == !ext->fns ||
	    (ext->fns && (!ext->nr_fns || ext->nr_fns > BITS_PER_LONG)))
		return -EINVAL;
	if (ext->onereg_idx != KVM_SBI_ALWAYS_ENABLED &&
	    (ext->onereg_idx < 0 || ext->onereg_idx >= KVM_RISCV_SBI_EXT_MAX))
		return -EINVAL;
	if (ext->nr_state_regs && (!ext->get_state_reg || !ext->set_state_reg))
		return -EINVAL;
	/*
	 * Fast functions exist and serve one EID that is not a legacy one
	 * (the fast path's lookup and write-back).
	 */
	if (ext->fast_fids &&
	    (ext->eid_start != ext->eid_end ||
	     ext->eid_start <= KVM_SBI_LEGACY_EID_LAST || !ext->fns))
		return -EINVAL;
	for_each_set_bit(fid, &ext->fast_fids, BITS_PER_LONG) {
		if (fid >= ext->nr_fns || !ext->fns[fid])
			return -EINVAL;
	}
	return 0;
}

/*
 * The vcpu->stat.sbi_calls index counting the extension called @name: its
 * sbi_calls_<name> descriptor in the vCPU stats table, or the unknown one.
 */
static u8 sbi_stat_index(const char *name)
{
	static const char prefix[] = "sbi_calls_";
	const size_t base = offsetof(struct kvm_vcpu_stat, sbi_calls);
	unsigned int i;

	for (i = 0; name && i < kvm_vcpu_stats_header.num_desc; i++) {
		const struct kvm_stats_desc *d = &kvm_vcpu_stats_desc[i];

		if (strncmp(d->name, prefix, sizeof(prefix) - 1) ||
		    strcmp(d->name + sizeof(prefix) - 1, name))
			continue;
		if (d->offset < base ||
		    d->offset >= base + KVM_SBI_NR_STAT_EXTS * sizeof(u64))
			break;
		return (d->offset - base) / sizeof(u64);
	}
	return KVM_SBI_STAT_unknown;
}

/*
 * Validate @exts and index them in @reg: -EINVAL for a malformed descriptor
 * or a fast function the fast path could not find, -EEXIST for overlapping
 * EID ranges or a ONE_REG index used twice.
 */
static int sbi_registry_build(struct kvm_sbi_registry *reg,
			      const struct kvm_vcpu_sbi_extension *const *exts,
			      unsigned int nr)
{
	unsigned int i, fid;

	if (nr > KVM_SBI_MAX_EXTS)
		return -E2BIG;
	memset(reg->onereg_slot, -1, sizeof(reg->onereg_slot));
	for (i = 0; i < nr; i++) {
		int idx = exts[i]->onereg_idx;

		if (sbi_ext_check(exts[i]))
			return -EINVAL;
		if (idx != KVM_SBI_ALWAYS_ENABLED) {
			if (reg->onereg_slot[idx] >= 0)
				return -EEXIST;
			reg->onereg_slot[idx] = i;
		}
		reg->exts[i] = exts[i];
		reg->callable[i] = 0;
		for (fid = 0; exts[i]->fns && fid < exts[i]->nr_fns; fid++) {
			if (exts[i]->fns[fid])
				reg->callable[i] |= BIT(fid);
		}
		reg->stat[i] = sbi_stat_index(exts[i]->name);
		reg->ranges[i] = (struct kvm_sbi_range) {
			.start = exts[i]->eid_start,
			.end = exts[i]->eid_end,
			.slot = i,
		};
	}
	sort(reg->ranges, nr, sizeof(reg->ranges[0]), sbi_range_cmp, NULL);
	for (i = 1; i < nr; i++) {
		if (reg->ranges[i].start <= reg->ranges[i - 1].end)
			return -EEXIST;
	}
	reg->nr = nr;
	sbi_registry_index(reg);
	/* The fast path looks in the direct table only. */
	for (i = 0; i < nr; i++) {
		const struct kvm_sbi_direct *d;

		if (!exts[i]->fast_fids)
			continue;
		d = kvm_sbi_direct(reg, exts[i]->eid_start);
		if (d->eid != exts[i]->eid_start || d->slot != (int)i)
			return -EINVAL;
	}
	return 0;
}

/**
 * kvm_riscv_sbi_registry_init() - validate and index the extensions
 *
 * Context: KVM module initialisation.
 * Return: 0, or a negative errno if a descriptor is malformed (a host bug).
 */
int __init kvm_riscv_sbi_registry_init(void)
{
	int rc = sbi_registry_build(&kvm_riscv_sbi_registry, sbi_exts,
				    ARRAY_SIZE(sbi_exts));

	if (rc)
		kvm_err("SBI extension registry is inconsistent: %d\n", rc);
	return rc;
}

/**
 * kvm_riscv_vcpu_sbi_find_ext() - the enabled extension serving an EID
 * @vcpu: the vCPU
 * @eid: extension ID
 *
 * Return: the descriptor, or NULL if none serves @eid or it is not enabled
 * on @vcpu (which is what the guest sees: SBI_ERR_NOT_SUPPORTED).
 */
const struct kvm_vcpu_sbi_extension *
kvm_riscv_vcpu_sbi_find_ext(struct kvm_vcpu *vcpu, unsigned long eid)
{
	const struct kvm_vcpu_sbi_extension *ext;
	int slot;

	ext = kvm_sbi_lookup(&kvm_riscv_sbi_registry, eid, &slot);
	if (!ext || sbi_ext_state(vcpu, slot) != KVM_SBI_EXT_ENABLED)
		return NULL;
	return ext;
}

/* Each vCPU's view: enable state and hooks. */

/**
 * kvm_riscv_vcpu_sbi_init() - set up the extensions of a new vCPU
 * @vcpu: the vCPU, after its PMU and timer are set up
 *
 * An extension whose probe says 0 is unavailable on @vcpu; the others start
 * enabled unless default_disabled, and their init hook runs.
 */
void kvm_riscv_vcpu_sbi_init(struct kvm_vcpu *vcpu)
{
	u8 *state = vcpu->arch.sbi_context.ext_state;
	unsigned int i;

	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = kvm_riscv_sbi_registry.exts[i];

		if (ext->probe && !ext->probe(vcpu)) {
			state[i] = KVM_SBI_EXT_UNAVAILABLE;
			continue;
		}
		state[i] = ext->default_disabled ? KVM_SBI_EXT_DISABLED :
						   KVM_SBI_EXT_ENABLED;
		if (ext->init)
			ext->init(vcpu);
	}
}

/**
 * kvm_riscv_vcpu_sbi_deinit() - tear down the extensions of a vCPU
 * @vcpu: the vCPU being destroyed
 *
 * The deinit hook of every available extension that has one.
 */
void kvm_riscv_vcpu_sbi_deinit(struct kvm_vcpu *vcpu)
{
	unsigned int i;

	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = kvm_riscv_sbi_registry.exts[i];

		if (ext->deinit && sbi_ext_state(vcpu, i) != KVM_SBI_EXT_UNAVAILABLE)
			ext->deinit(vcpu);
	}
}

/**
 * kvm_riscv_vcpu_sbi_reset() - reset the extensions' per-vCPU state
 * @vcpu: the vCPU being reset
 *
 * A forwarded call that userspace has not answered is dropped; the reset
 * hook of every registered extension runs, available or not.
 */
void kvm_riscv_vcpu_sbi_reset(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_context *ctx = &vcpu->arch.sbi_context;
	unsigned int i;

	ctx->forward_pending = false;
	WRITE_ONCE(ctx->hsm_suspended, false);
	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		if (kvm_riscv_sbi_registry.exts[i]->reset)
			kvm_riscv_sbi_registry.exts[i]->reset(vcpu);
	}
}

/**
 * kvm_riscv_vcpu_sbi_load() - the vCPU arrives on a host CPU
 * @vcpu: the vCPU, whose sbi_context.hart_state is set
 * @cpu: the CPU it is loaded on
 *
 * Calls the load hook of every available extension that has one.
 *
 * Context: kvm_arch_vcpu_load(), preemption off.
 */
void kvm_riscv_vcpu_sbi_load(struct kvm_vcpu *vcpu, int cpu)
{
	unsigned int i;

	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = kvm_riscv_sbi_registry.exts[i];

		if (ext->load && sbi_ext_state(vcpu, i) != KVM_SBI_EXT_UNAVAILABLE)
			ext->load(vcpu, cpu);
	}
}

/**
 * kvm_riscv_vcpu_sbi_put() - the vCPU leaves its host CPU
 * @vcpu: the vCPU, whose sbi_context.hart_state is set
 *
 * Context: kvm_arch_vcpu_put(), preemption off.
 */
void kvm_riscv_vcpu_sbi_put(struct kvm_vcpu *vcpu)
{
	unsigned int i;

	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = kvm_riscv_sbi_registry.exts[i];

		if (ext->put && sbi_ext_state(vcpu, i) != KVM_SBI_EXT_UNAVAILABLE)
			ext->put(vcpu);
	}
}

#if IS_ENABLED(CONFIG_KVM_RISCV_SBI_KUNIT_TEST)
#include "sbi_registry_test.c"
#endif
