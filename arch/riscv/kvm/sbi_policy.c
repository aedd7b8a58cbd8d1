// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-VM SBI call policy: userspace says, per range of SBI calls,
 * whether the kernel handles them, userspace gets them (KVM_EXIT_RISCV_SBI)
 * or the guest is told they do not exist.
 *
 * An entry covers EIDs [eid_base, eid_base + eid_count) with every FID, or
 * one EID with FIDs [fid_base, fid_base + fid_count). Both are one interval
 * in the key space (eid << 32 | fid), so the policy is a sorted array of
 * disjoint intervals, searched in log time and replaced as a whole when
 * userspace adds entries. It is frozen once a vCPU of the VM has run: the
 * first KVM_RUN of any vCPU sets kvm->arch.sbi_policy_frozen under
 * kvm->arch.sbi_policy_lock, which an add takes and tests the flag under,
 * so an add either completes before any vCPU runs or fails with -EBUSY.
 * Each map also holds one action per registry slot, for the extensions
 * whose every call the policy treats alike (most of them, in most
 * policies): a call to one of them is decided by one load, whatever the
 * number of entries; the others, and unregistered EIDs, by the search.
 * Every reader (dispatch, the fast path, probe_extension) runs on a vCPU
 * that has run, i.e. after the freeze: the map it sees never changes and
 * needs neither RCU nor a lock. See Documentation/virt/kvm/riscv/sbi.rst.
 */

#include <linux/kvm_host.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/kvm_sbi_policy.h>

#include "sbi_registry.h"

/* How many entries a VM may have; KVM_CAP_RISCV_SBI_POLICY reports it. */
#define SBI_POLICY_MAX_ENTRIES	1024

/* Zero means "handle in the kernel": a miss in the map is the answer. */
static_assert(KVM_RISCV_SBI_POLICY_HANDLE == 0);

/* The experimental, vendor and firmware ranges: userspace defines them. */
#define SBI_EXT_USER_FIRST	0x08000000
#define SBI_EXT_USER_LAST	0x0AFFFFFF

/**
 * struct kvm_sbi_policy_range - calls [start, end] of the key space, their fate
 * @start: first key, eid << 32 | fid
 * @end: last key (inclusive)
 * @action: KVM_RISCV_SBI_POLICY_*
 */
struct kvm_sbi_policy_range {
	u64 start;
	u64 end;
	u8 action;
};

/* slot_action[] of an extension whose calls the policy does not treat alike */
#define SBI_POLICY_BY_RANGE	0xff

/**
 * struct kvm_riscv_sbi_policy_map - a VM's policy, immutable once published
 * @slot_action: per registry slot, the action of every call of its
 *	extension (every EID and FID it serves), or SBI_POLICY_BY_RANGE if
 *	they differ: built with the map, so that a call to a registered
 *	extension costs one load whatever the number of entries
 * @nr: number of ranges
 * @ranges: disjoint, sorted by start
 */
struct kvm_riscv_sbi_policy_map {
	u8 slot_action[KVM_SBI_MAX_EXTS];
	unsigned int nr;
	struct kvm_sbi_policy_range ranges[] __counted_by(nr);
};

/*
 * EIDs only the kernel can serve, so they cannot be forwarded: userspace
 * cannot fence other vCPUs' TLBs, inject IPIs into running vCPUs, program
 * their timers, own their hart state, count with the PMU or know scheduler
 * steal time, or program their triggers (SSE, FWFT and DBTR change
 * per-hart trap and debug state), and BASE must describe what the kernel
 * really does. The legacy calls that do the same (set_timer, clear_ipi,
 * send_ipi, remote fences) are the kernel's too; console and shutdown are
 * not.
 */
static const struct { u32 first, last; } sbi_policy_kernel_eids[] = {
	{ SBI_EXT_0_1_SET_TIMER, SBI_EXT_0_1_SET_TIMER },
	{ SBI_EXT_0_1_CLEAR_IPI, SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID },
	{ SBI_EXT_BASE, SBI_EXT_BASE },
	{ SBI_EXT_TIME, SBI_EXT_TIME },
	{ SBI_EXT_IPI, SBI_EXT_IPI },
	{ SBI_EXT_RFENCE, SBI_EXT_RFENCE },
	{ SBI_EXT_HSM, SBI_EXT_HSM },
	{ SBI_EXT_PMU, SBI_EXT_PMU },
	{ SBI_EXT_STA, SBI_EXT_STA },
	{ KVM_SBI_EXT_SSE, KVM_SBI_EXT_SSE },
	{ KVM_SBI_EXT_FWFT, KVM_SBI_EXT_FWFT },
	{ KVM_SBI_EXT_NACL, KVM_SBI_EXT_NACL },
	{ KVM_SBI_EXT_DBTR, KVM_SBI_EXT_DBTR },
};

/*
 * SBI v3.0 forbids partial extensions unless the extension lets the
 * supervisor discover which functions exist. So an entry may take part of
 * an extension's functions only where that holds: anywhere in the ranges
 * userspace defines, and, as DENY, for the standard functions the spec
 * makes optional with a way to tell (PMU snapshot_set_shmem and
 * event_get_info answer NOT_SUPPORTED, the RFENCE hfences need the H
 * extension, MPXY advertises FIDs 5-7 in CHANNEL_CAPABILITY, NACL's sync
 * functions follow probe_feature).
 */
static const struct { u32 eid, first, last; } sbi_policy_optional_fids[] = {
	{ SBI_EXT_PMU, 7, 8 },		/* snapshot_set_shmem, event_get_info */
	{ SBI_EXT_RFENCE, 3, 6 },	/* remote_hfence_* */
	{ KVM_SBI_EXT_MPXY, 5, 7 },	/* send_message_*, get_notification_events */
	{ KVM_SBI_EXT_NACL, 2, 4 },	/* sync_csr, sync_hfence, sync_sret */
};

static u64 sbi_policy_key(u32 eid, u32 fid)
{
	return (u64)eid << 32 | fid;
}

static bool sbi_policy_touches(const struct kvm_sbi_policy_range *r, u32 first,
			       u32 last)
{
	return r->start <= sbi_policy_key(last, U32_MAX) &&
	       r->end >= sbi_policy_key(first, 0);
}

/* May @r take its action? -EPERM if it would take a call from the kernel. */
static int sbi_policy_permitted(const struct kvm_sbi_policy_range *r)
{
	unsigned int i;

	if (r->action == KVM_RISCV_SBI_POLICY_DENY)
		return sbi_policy_touches(r, SBI_EXT_BASE, SBI_EXT_BASE) ?
		       -EPERM : 0;
	if (r->action != KVM_RISCV_SBI_POLICY_FORWARD)
		return 0;
	for (i = 0; i < ARRAY_SIZE(sbi_policy_kernel_eids); i++) {
		if (sbi_policy_touches(r, sbi_policy_kernel_eids[i].first,
				       sbi_policy_kernel_eids[i].last))
			return -EPERM;
	}
	return 0;
}

/* May an entry take FIDs [@first, @last] of @eid, and not the others? */
static bool sbi_policy_fids_allowed(u32 eid, u32 first, u32 last, u8 action)
{
	unsigned int i;

	if (eid >= SBI_EXT_USER_FIRST && eid <= SBI_EXT_USER_LAST)
		return true;
	if (action != KVM_RISCV_SBI_POLICY_DENY)
		return false;
	for (i = 0; i < ARRAY_SIZE(sbi_policy_optional_fids); i++) {
		if (sbi_policy_optional_fids[i].eid == eid &&
		    sbi_policy_optional_fids[i].first <= first &&
		    sbi_policy_optional_fids[i].last >= last)
			return true;
	}
	return false;
}

/* Check one entry from userspace and turn it into a range of keys. */
static int sbi_policy_entry_to_range(const struct kvm_riscv_sbi_policy_entry *e,
				     struct kvm_sbi_policy_range *r)
{
	u64 eid_last = (u64)e->eid_base + e->eid_count - 1;
	u64 fid_last = (u64)e->fid_base + e->fid_count - 1;
	int rc;

	if (memchr_inv(e->pad, 0, sizeof(e->pad)) ||
	    e->action > KVM_RISCV_SBI_POLICY_DENY)
		return -EINVAL;
	if (!e->eid_count || eid_last > U32_MAX)
		return -EINVAL;

	if (e->fid_count) {
		if (e->eid_count != 1 || e->eid_base <= KVM_SBI_LEGACY_EID_LAST ||
		    fid_last > U32_MAX)
			return -EINVAL;
		r->start = sbi_policy_key(e->eid_base, e->fid_base);
		r->end = sbi_policy_key(e->eid_base, fid_last);
	} else {
		r->start = sbi_policy_key(e->eid_base, 0);
		r->end = sbi_policy_key(eid_last, U32_MAX);
	}
	r->action = e->action;
	rc = sbi_policy_permitted(r);
	if (rc)
		return rc;
	/* HANDLE is the kernel's answer for every FID: never partial. */
	if (e->fid_count && e->action != KVM_RISCV_SBI_POLICY_HANDLE &&
	    !sbi_policy_fids_allowed(e->eid_base, e->fid_base, fid_last,
				     e->action))
		return -EINVAL;
	return 0;
}

static int sbi_policy_range_cmp(const void *a, const void *b)
{
	const struct kvm_sbi_policy_range *ra = a, *rb = b;

	return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/* Index of the first range that ends at or after @key (nr if none). */
static unsigned int
sbi_policy_first_ending_after(const struct kvm_riscv_sbi_policy_map *map,
			      u64 key)
{
	unsigned int lo = 0, hi = map->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (map->ranges[mid].end < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The action of every key in [@first, @last], or SBI_POLICY_BY_RANGE if
 * they differ: the ranges touching it have one action and, unless it is
 * HANDLE (the answer for keys no range covers), leave no key uncovered.
 */
static u8 sbi_policy_map_uniform(const struct kvm_riscv_sbi_policy_map *map,
				 u64 first, u64 last)
{
	unsigned int i = sbi_policy_first_ending_after(map, first);
	u8 action = KVM_RISCV_SBI_POLICY_HANDLE;
	bool seen = false, gap = false;
	u64 next = first;	/* the first key not known to be covered */

	for (; i < map->nr && map->ranges[i].start <= last; i++) {
		const struct kvm_sbi_policy_range *r = &map->ranges[i];

		if (seen && r->action != action)
			return SBI_POLICY_BY_RANGE;
		action = r->action;
		seen = true;
		if (r->start > next)
			gap = true;
		if (r->end >= last)
			return gap && action != KVM_RISCV_SBI_POLICY_HANDLE ?
			       SBI_POLICY_BY_RANGE : action;
		next = r->end + 1;
	}
	/* Keys after the last range touching it (or all of them) are HANDLE. */
	return !seen || action == KVM_RISCV_SBI_POLICY_HANDLE ?
	       KVM_RISCV_SBI_POLICY_HANDLE : SBI_POLICY_BY_RANGE;
}

/* Fill @map->slot_action from its ranges and the registered extensions. */
static void sbi_policy_map_slots(struct kvm_riscv_sbi_policy_map *map)
{
	const struct kvm_sbi_registry *reg = &kvm_riscv_sbi_registry;
	unsigned int slot;

	memset(map->slot_action, SBI_POLICY_BY_RANGE, sizeof(map->slot_action));
	for (slot = 0; slot < reg->nr; slot++) {
		const struct kvm_vcpu_sbi_extension *ext = reg->exts[slot];

		map->slot_action[slot] =
			sbi_policy_map_uniform(map,
					       sbi_policy_key(ext->eid_start, 0),
					       sbi_policy_key(ext->eid_end,
							      U32_MAX));
	}
}

/*
 * A new map holding @old's ranges and @add's: ERR_PTR(-E2BIG) past the
 * limit, ERR_PTR(-EEXIST) if two ranges overlap.
 */
static struct kvm_riscv_sbi_policy_map *
sbi_policy_merge(const struct kvm_riscv_sbi_policy_map *old,
		 const struct kvm_sbi_policy_range *add, unsigned int nr_add)
{
	unsigned int nr_old = old ? old->nr : 0, i;
	struct kvm_riscv_sbi_policy_map *map;

	if (nr_old + nr_add > SBI_POLICY_MAX_ENTRIES)
		return ERR_PTR(-E2BIG);
	map = kvzalloc(struct_size(map, ranges, nr_old + nr_add),
		       GFP_KERNEL_ACCOUNT);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->nr = nr_old + nr_add;
	if (nr_old)
		memcpy(map->ranges, old->ranges, nr_old * sizeof(*add));
	memcpy(map->ranges + nr_old, add, nr_add * sizeof(*add));
	sort(map->ranges, map->nr, sizeof(*add), sbi_policy_range_cmp, NULL);

	for (i = 1; i < map->nr; i++) {
		if (map->ranges[i].start <= map->ranges[i - 1].end) {
			kvfree(map);
			return ERR_PTR(-EEXIST);
		}
	}
	sbi_policy_map_slots(map);
	return map;
}

static u8 sbi_policy_map_lookup(const struct kvm_riscv_sbi_policy_map *map,
				u64 key)
{
	unsigned int i = sbi_policy_first_ending_after(map, key);

	if (i < map->nr && map->ranges[i].start <= key)
		return map->ranges[i].action;
	return KVM_RISCV_SBI_POLICY_HANDLE;
}

/*
 * FORWARD if any function of @eid is forwarded, DENY if all of them are
 * denied by one range, else HANDLE.
 */
static u8 sbi_policy_map_probe(const struct kvm_riscv_sbi_policy_map *map,
			       u32 eid)
{
	u64 first = sbi_policy_key(eid, 0), last = sbi_policy_key(eid, U32_MAX);
	unsigned int i = sbi_policy_first_ending_after(map, first);
	bool denied = false;

	for (; i < map->nr && map->ranges[i].start <= last; i++) {
		const struct kvm_sbi_policy_range *r = &map->ranges[i];

		if (r->action == KVM_RISCV_SBI_POLICY_FORWARD)
			return KVM_RISCV_SBI_POLICY_FORWARD;
		if (r->action == KVM_RISCV_SBI_POLICY_DENY &&
		    r->start <= first && r->end >= last)
			denied = true;
	}
	return denied ? KVM_RISCV_SBI_POLICY_DENY : KVM_RISCV_SBI_POLICY_HANDLE;
}

/**
 * kvm_riscv_sbi_policy_action() - what the VM's policy says about a call
 * @kvm: the VM
 * @slot: the registry slot of the extension serving @eid, or -1 for none
 * @eid: extension ID (a7)
 * @fid: function ID (a6); ignored for legacy EIDs, which have none
 *
 * One load for an extension whose calls the policy treats alike, else a
 * binary search over the policy's ranges.
 *
 * Context: a vCPU of @kvm that has run (the policy is frozen); any
 * context, interrupts off included; takes no lock.
 * Return: KVM_RISCV_SBI_POLICY_HANDLE (also without a policy, or for an EID
 * that does not fit in 32 bits), _FORWARD or _DENY.
 */
u8 kvm_riscv_sbi_policy_action(struct kvm *kvm, int slot, unsigned long eid,
			       unsigned long fid)
{
	const struct kvm_riscv_sbi_policy_map *map = kvm->arch.sbi_policy;
	u8 action;

	if (likely(!map) || eid > U32_MAX)
		return KVM_RISCV_SBI_POLICY_HANDLE;
	if (slot >= 0) {
		action = map->slot_action[array_index_nospec(slot,
							     KVM_SBI_MAX_EXTS)];
		if (action != SBI_POLICY_BY_RANGE)
			return action;
	}
	if (eid <= KVM_SBI_LEGACY_EID_LAST)
		fid = 0;
	return sbi_policy_map_lookup(map, sbi_policy_key(eid, fid));
}

/**
 * kvm_riscv_sbi_policy_probe() - what the policy means for probe_extension
 * @kvm: the VM
 * @eid: the extension probed
 *
 * Context: as kvm_riscv_sbi_policy_action().
 * Return: KVM_RISCV_SBI_POLICY_FORWARD if some function of @eid is
 * forwarded (the extension exists, in userspace), _DENY if every function
 * is denied, else _HANDLE (the kernel's answer stands).
 */
u8 kvm_riscv_sbi_policy_probe(struct kvm *kvm, unsigned long eid)
{
	const struct kvm_riscv_sbi_policy_map *map = kvm->arch.sbi_policy;

	if (likely(!map) || eid > U32_MAX)
		return KVM_RISCV_SBI_POLICY_HANDLE;
	return sbi_policy_map_probe(map, eid);
}

/**
 * kvm_riscv_sbi_policy_init_vm() - set up a new VM's (empty) policy
 * @kvm: the VM being created
 */
void kvm_riscv_sbi_policy_init_vm(struct kvm *kvm)
{
	mutex_init(&kvm->arch.sbi_policy_lock);
	kvm->arch.sbi_policy = NULL;
	kvm->arch.sbi_policy_frozen = false;
}

/**
 * kvm_riscv_vcpu_sbi_policy_freeze() - no policy change once a vCPU runs
 * @vcpu: a vCPU about to run for the first time (KVM_RUN)
 *
 * After this, every KVM_SET_DEVICE_ATTR of the policy fails with -EBUSY,
 * and the map this vCPU (and every later one) sees is final: an add that
 * took the lock before is complete, with its map published.
 *
 * Context: KVM_RUN, vcpu->mutex held; takes kvm->arch.sbi_policy_lock.
 */
void kvm_riscv_vcpu_sbi_policy_freeze(struct kvm_vcpu *vcpu)
{
	struct kvm *kvm = vcpu->kvm;

	mutex_lock(&kvm->arch.sbi_policy_lock);
	kvm->arch.sbi_policy_frozen = true;
	mutex_unlock(&kvm->arch.sbi_policy_lock);
}

/* Validate everything, then publish old + new ranges as one new map. */
static int sbi_policy_add(struct kvm *kvm,
			  const struct kvm_riscv_sbi_policy __user *uarg)
{
	struct kvm_riscv_sbi_policy_map *old, *map;
	struct kvm_riscv_sbi_policy_entry *entries;
	struct kvm_riscv_sbi_policy policy;
	struct kvm_sbi_policy_range *ranges;
	unsigned int i;
	int rc = 0;

	if (copy_from_user(&policy, uarg, sizeof(policy)))
		return -EFAULT;
	if (policy.flags || !policy.nr_entries)
		return -EINVAL;
	if (policy.nr_entries > SBI_POLICY_MAX_ENTRIES)
		return -E2BIG;

	entries = vmemdup_array_user(u64_to_user_ptr(policy.entries),
				     policy.nr_entries, sizeof(*entries));
	if (IS_ERR(entries))
		return PTR_ERR(entries);
	ranges = kvcalloc(policy.nr_entries, sizeof(*ranges), GFP_KERNEL);
	if (!ranges) {
		rc = -ENOMEM;
		goto out_free_entries;
	}
	for (i = 0; i < policy.nr_entries && !rc; i++)
		rc = sbi_policy_entry_to_range(&entries[i], &ranges[i]);
	if (rc)
		goto out_free_ranges;

	/*
	 * No vCPU has run, so nothing reads the map: the old one can go at
	 * once. A vCPU's first run takes the lock after this add released it,
	 * and so sees the new map.
	 */
	mutex_lock(&kvm->arch.sbi_policy_lock);
	if (kvm->arch.sbi_policy_frozen) {
		rc = -EBUSY;
		goto out_unlock;
	}
	old = kvm->arch.sbi_policy;
	map = sbi_policy_merge(old, ranges, policy.nr_entries);
	if (IS_ERR(map)) {
		rc = PTR_ERR(map);
		goto out_unlock;
	}
	kvm->arch.sbi_policy = map;
	kvfree(old);
out_unlock:
	mutex_unlock(&kvm->arch.sbi_policy_lock);
out_free_ranges:
	kvfree(ranges);
out_free_entries:
	kvfree(entries);
	return rc;
}

/**
 * kvm_riscv_sbi_policy_vm_ioctl() - the policy's VM ioctls
 * @kvm: the VM
 * @ioctl: KVM_SET_DEVICE_ATTR or KVM_HAS_DEVICE_ATTR (others: -EINVAL)
 * @arg: user address of a struct kvm_device_attr
 *
 * Group KVM_RISCV_VM_ATTR_SBI_POLICY, attribute KVM_RISCV_VM_SBI_POLICY_ADD:
 * its addr points to a struct kvm_riscv_sbi_policy.
 *
 * Context: process context; takes kvm->arch.sbi_policy_lock.
 * Return: 0; -ENXIO (unknown group or attribute); -EINVAL (malformed
 * entry, flags, empty or wrapping range); -EPERM (an entry would take a
 * call from the kernel); -EEXIST (overlap); -E2BIG (too many entries);
 * -EBUSY (a vCPU has run); -EFAULT; -ENOMEM.
 */
int kvm_riscv_sbi_policy_vm_ioctl(struct kvm *kvm, unsigned int ioctl,
				  unsigned long arg)
{
	struct kvm_device_attr attr;

	if (ioctl != KVM_SET_DEVICE_ATTR && ioctl != KVM_HAS_DEVICE_ATTR)
		return -EINVAL;
	if (copy_from_user(&attr, (void __user *)arg, sizeof(attr)))
		return -EFAULT;
	if (attr.flags)
		return -EINVAL;
	/* The VMM's SSE events (vcpu_sbi_sse.c) share the VM's attributes. */
	if (attr.group == KVM_RISCV_VM_ATTR_SBI_SSE &&
	    attr.attr == KVM_RISCV_VM_SBI_SSE_INJECT)
		return ioctl == KVM_HAS_DEVICE_ATTR ? 0 :
		       kvm_riscv_sbi_sse_vm_inject(kvm, u64_to_user_ptr(attr.addr));
	if (attr.group != KVM_RISCV_VM_ATTR_SBI_POLICY ||
	    attr.attr != KVM_RISCV_VM_SBI_POLICY_ADD)
		return -ENXIO;
	if (ioctl == KVM_HAS_DEVICE_ATTR)
		return 0;
	return sbi_policy_add(kvm, u64_to_user_ptr(attr.addr));
}

/**
 * kvm_riscv_sbi_policy_max_entries() - KVM_CAP_RISCV_SBI_POLICY
 *
 * Return: how many policy entries a VM accepts.
 */
int kvm_riscv_sbi_policy_max_entries(void)
{
	return SBI_POLICY_MAX_ENTRIES;
}

/**
 * kvm_riscv_sbi_policy_destroy() - free a VM's policy
 * @kvm: the VM being destroyed (no vCPU runs any more)
 */
void kvm_riscv_sbi_policy_destroy(struct kvm *kvm)
{
	kvfree(kvm->arch.sbi_policy);
	kvm->arch.sbi_policy = NULL;
}

#if IS_ENABLED(CONFIG_KVM_RISCV_SBI_KUNIT_TEST)
#include "sbi_policy_test.c"
#endif
