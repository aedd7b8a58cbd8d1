// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SBI extension framework: registry, dispatch, forwarding to userspace,
 * per-vCPU enable state and its ONE_REG interface.
 *
 * Extensions are const descriptors, one per vcpu_sbi_<name>.c. At KVM
 * initialisation the registry validates them and sorts their EID ranges, so
 * that an ecall finds its extension by binary search, whatever the number of
 * extensions or the order of the list below. See
 * Documentation/virt/kvm/riscv/sbi.rst.
 */

#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/kvm_host.h>
#include <linux/nospec.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <asm/csr.h>
#include <asm/kvm_sbi_policy.h>
#include <asm/sbi.h>

#include "vcpu_sbi_registry.h"

#define CREATE_TRACE_POINTS
#include "trace_sbi.h"

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

struct sbi_registry kvm_riscv_sbi_registry __ro_after_init;

/* Slot of the range holding @eid, or -1: binary search, no callbacks. */
int kvm_riscv_sbi_range_search(const struct sbi_registry *reg,
			       unsigned long eid)
{
	unsigned int lo = 0, hi = reg->nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct sbi_range *r = &reg->ranges[mid];

		if (eid < r->start)
			hi = mid;
		else if (eid > r->end)
			lo = mid + 1;
		else
			return r->slot;
	}
	return -1;
}

/* How many single-EID extensions collide in the direct table with @mult. */
static unsigned int sbi_direct_collisions(const struct sbi_registry *reg,
					  u32 mult)
{
	DECLARE_BITMAP(used, SBI_DIRECT_SIZE);
	unsigned int i, n = 0, idx;

	bitmap_zero(used, SBI_DIRECT_SIZE);
	for (i = 0; i < reg->nr; i++) {
		const struct sbi_range *r = &reg->ranges[i];

		if (r->start != r->end || r->start < SBI_SMALL_EIDS)
			continue;
		idx = sbi_direct_index(mult, r->start);
		n += test_and_set_bit(idx, used);
	}
	return n;
}

/*
 * Fill @reg->small and @reg->direct from the sorted ranges. The multiplier
 * is the first of a fixed sequence of odd numbers with no collision (the
 * best one otherwise: an EID left out is still found by range search).
 */
/* Fill the next row of @reg->fast with the fast functions of @ext. */
static const kvm_vcpu_sbi_fn *
sbi_registry_fast_row(struct sbi_registry *reg,
		      const struct kvm_vcpu_sbi_extension *ext)
{
	kvm_vcpu_sbi_fn *row = reg->fast[reg->nr_fast++];
	unsigned long fid;

	/* sbi_ext_check() made sure that each fast FID has a function. */
	for_each_set_bit(fid, &ext->fast_fids, BITS_PER_LONG)
		row[fid] = ext->fns[fid];
	return row;
}

static void sbi_registry_index(struct sbi_registry *reg)
{
	u32 mult, best = 0x9e3779b1;
	unsigned int i, k, least = UINT_MAX;

	for (i = 0; i < SBI_SMALL_EIDS; i++)
		reg->small[i] = kvm_riscv_sbi_range_search(reg, i);

	for (k = 0, mult = 0x9e3779b1; k < 1024 && least; k++, mult += 2) {
		unsigned int n = sbi_direct_collisions(reg, mult);

		if (n < least) {
			least = n;
			best = mult;
		}
	}
	reg->mult = best;
	for (i = 0; i < SBI_DIRECT_SIZE; i++)
		reg->direct[i] = (struct sbi_direct) { .slot = -1 };
	memset(reg->fast, 0, sizeof(reg->fast));
	reg->nr_fast = 0;
	for (i = 0; i < reg->nr; i++) {
		const struct sbi_range *r = &reg->ranges[i];
		struct sbi_direct *d;

		if (r->start != r->end || r->start < SBI_SMALL_EIDS)
			continue;
		d = &reg->direct[sbi_direct_index(best, r->start)];
		if (d->slot >= 0)
			continue;
		*d = (struct sbi_direct) {
			.eid = r->start,
			.slot = r->slot,
			.stat_off = offsetof(struct kvm_vcpu, stat.sbi_calls) +
				    reg->stat[r->slot] * sizeof(u64),
		};
		if (reg->exts[r->slot]->fast_fids &&
		    reg->nr_fast < SBI_MAX_FAST_EXTS)
			d->fast = sbi_registry_fast_row(reg, reg->exts[r->slot]);
	}
}

static int sbi_range_cmp(const void *a, const void *b)
{
	const struct sbi_range *ra = a, *rb = b;

	return ra->start < rb->start ? -1 : ra->start > rb->start;
}

static int sbi_ext_check(const struct kvm_vcpu_sbi_extension *ext)
{
	unsigned long fid;

	if (ext->eid_start > ext->eid_end || ext->eid_end > U32_MAX)
		return -EINVAL;
	if ((ext->handler && ext->fns) || (ext->fns && !ext->nr_fns))
		return -EINVAL;
	/* Only an extension that exists for userspace has no functions. */
	if (!ext->handler && !ext->fns &&
	    (!ext->forward_check || !ext->default_disabled ||
	     ext->onereg_idx != KVM_SBI_NO_ONEREG))
		return -EINVAL;
	if (ext->onereg_idx != KVM_SBI_NO_ONEREG &&
	    (ext->onereg_idx < 0 || ext->onereg_idx >= KVM_RISCV_SBI_EXT_MAX))
		return -EINVAL;
	if (ext->nr_state_regs && (!ext->get_state_reg || !ext->set_state_reg))
		return -EINVAL;
	/* Fast functions exist, and serve one EID (the fast path's lookup). */
	for_each_set_bit(fid, &ext->fast_fids, BITS_PER_LONG) {
		if (ext->eid_start != ext->eid_end || !ext->fns ||
		    fid >= ext->nr_fns || !ext->fns[fid])
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
 * Validate @exts and index them in @reg: -EINVAL for a malformed descriptor,
 * -EEXIST for overlapping EID ranges or a ONE_REG index used twice.
 */
static int sbi_registry_build(struct sbi_registry *reg,
			      const struct kvm_vcpu_sbi_extension *const *exts,
			      unsigned int nr)
{
	unsigned int i;

	if (nr > KVM_SBI_MAX_EXTS)
		return -E2BIG;
	memset(reg->onereg_slot, -1, sizeof(reg->onereg_slot));
	for (i = 0; i < nr; i++) {
		int idx = exts[i]->onereg_idx;

		if (sbi_ext_check(exts[i]))
			return -EINVAL;
		if (idx != KVM_SBI_NO_ONEREG) {
			if (reg->onereg_slot[idx] >= 0)
				return -EEXIST;
			reg->onereg_slot[idx] = i;
		}
		reg->exts[i] = exts[i];
		reg->stat[i] = sbi_stat_index(exts[i]->name);
		reg->ranges[i] = (struct sbi_range) {
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
	/*
	 * Fast functions the fast path cannot find: an EID below 16, a
	 * collision in the direct table, more than SBI_MAX_FAST_EXTS rows.
	 */
	for (i = 0; i < nr; i++) {
		const struct sbi_direct *d;

		if (!exts[i]->fast_fids)
			continue;
		d = sbi_registry_direct(reg, exts[i]->eid_start);
		if (d->eid != exts[i]->eid_start || d->slot != (int)i ||
		    !d->fast)
			return -EINVAL;
	}
	return 0;
}

/**
 * kvm_riscv_vcpu_sbi_registry_init() - validate and index the extensions
 *
 * Context: KVM module initialisation.
 * Return: 0, or a negative errno if a descriptor is malformed (a host bug).
 */
int __init kvm_riscv_vcpu_sbi_registry_init(void)
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

	ext = sbi_registry_lookup(&kvm_riscv_sbi_registry, eid, &slot);
	if (!ext || sbi_ext_state(vcpu, slot) != KVM_SBI_EXT_ENABLED)
		return NULL;
	return ext;
}

static bool sbi_eid_is_legacy(unsigned long eid)
{
	return eid <= KVM_SBI_LEGACY_EID_LAST;
}

/* An SBI error outside the range the specification defines is a host bug. */
static long sbi_error_sanitize(long err)
{
	if (likely(err <= SBI_SUCCESS && err >= KVM_SBI_ERR_LAST))
		return err;
	WARN_ONCE(1, "KVM: SBI handler returned invalid error %ld\n", err);
	return SBI_ERR_FAILURE;
}

static void sbi_forward(struct kvm_vcpu *vcpu, struct kvm_run *run,
			const struct kvm_vcpu_sbi_extension *ext,
			const struct kvm_vcpu_sbi_call *call)
{
	struct kvm_vcpu_sbi_context *ctx = &vcpu->arch.sbi_context;
	int i;

	ctx->forward_pending = true;
	ctx->forward_ext = ext;
	ctx->forward_call = *call;
	ctx->forward_pc = vcpu->arch.guest_context.sepc;
	vcpu->stat.ecall_exit_stat++;

	run->exit_reason = KVM_EXIT_RISCV_SBI;
	run->riscv_sbi.extension_id = call->eid;
	run->riscv_sbi.function_id = call->fid;
	/* Six words: a loop, not a call to the byte-wise memcpy(). */
	BUILD_BUG_ON(ARRAY_SIZE(run->riscv_sbi.args) != ARRAY_SIZE(call->args));
	for (i = 0; i < ARRAY_SIZE(call->args); i++)
		run->riscv_sbi.args[i] = call->args[i];
	run->riscv_sbi.ret[0] = SBI_ERR_NOT_SUPPORTED;
	run->riscv_sbi.ret[1] = 0;
}

/*
 * Finish a call; returns as kvm_riscv_vcpu_exit() (>0 guest, 0 user, <0).
 * Inline: out of line, the call and the registers it needs cost the
 * dispatcher about 35 instructions (make bench).
 */
static __always_inline int
sbi_complete(struct kvm_vcpu *vcpu, struct kvm_run *run,
	     const struct kvm_vcpu_sbi_extension *ext,
	     const struct kvm_vcpu_sbi_call *call,
	     const struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;

	switch (ret->outcome) {
	case KVM_SBI_RETURN:
		if (sbi_eid_is_legacy(call->eid)) {
			cp->a0 = ret->err_val;	/* function specific */
		} else {
			cp->a0 = sbi_error_sanitize(ret->err_val);
			cp->a1 = ret->out_val;
		}
		cp->sepc += 4;
		return 1;
	case KVM_SBI_FORWARD:
		sbi_forward(vcpu, run, ext, call);
		return 0;
	case KVM_SBI_EXIT:
		return 0;
	case KVM_SBI_REDIRECTED:
		return 1;
	case KVM_SBI_FAILED:
		if (ret->host_err < 0)
			return ret->host_err;
		break;
	case KVM_SBI_NORMAL_PATH:	/* only in the fast path */
		break;
	}
	WARN_ONCE(1, "KVM: SBI handler outcome %d/%d\n", ret->outcome,
		  ret->host_err);
	return -EINVAL;
}

/* Most VMs have no policy: test for it inline, before any call. */
static inline u8 sbi_policy_action(struct kvm_vcpu *vcpu,
				   const struct kvm_vcpu_sbi_call *call)
{
	if (likely(!vcpu->kvm->arch.sbi_policy))
		return KVM_RISCV_SBI_POLICY_HANDLE;
	return kvm_riscv_sbi_policy_action(vcpu->kvm, call->eid, call->fid);
}

/**
 * kvm_riscv_vcpu_sbi_ecall() - answer an ecall from VS-mode
 * @vcpu: the calling vCPU
 * @run: its kvm_run
 *
 * The VM's policy decides first (forward, deny, or handle); handled calls
 * go to the enabled extension serving the EID, if any.
 *
 * Context: vCPU exit handling (vCPU loaded, preemptible, kvm->srcu held).
 * Return: >0 to re-enter the guest, 0 to exit to userspace (exit_reason
 * set), <0 to fail KVM_RUN.
 */
int kvm_riscv_vcpu_sbi_ecall(struct kvm_vcpu *vcpu, struct kvm_run *run)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;
	struct kvm_vcpu_sbi_return ret = KVM_SBI_RETURN_INIT;
	const struct kvm_vcpu_sbi_call call = KVM_SBI_CALL_FROM_REGS(cp);
	const struct kvm_vcpu_sbi_extension *ext;
	kvm_vcpu_sbi_fn fn;
	int slot;
	u8 action;

	ext = sbi_registry_lookup(&kvm_riscv_sbi_registry, call.eid, &slot);

	action = sbi_policy_action(vcpu, &call);
	switch (action) {
	case KVM_RISCV_SBI_POLICY_FORWARD:
		/*
		 * The extension serving the call, registered whether or not
		 * enabled, may vet it first (SUSP checks its arguments).
		 */
		kvm_vcpu_sbi_forward(&ret);
		if (ext && ext->forward_check)
			ext->forward_check(vcpu, &call, &ret);
		break;
	case KVM_RISCV_SBI_POLICY_HANDLE:
		if (!ext || sbi_ext_state(vcpu, slot) != KVM_SBI_EXT_ENABLED)
			break;	/* SBI_ERR_NOT_SUPPORTED */
		if (ext->handler) {
			ext->handler(vcpu, &call, &ret);
		} else if (call.fid < ext->nr_fns) {
			/* The guest's FID indexes a table of functions. */
			fn = ext->fns[array_index_nospec(call.fid, ext->nr_fns)];
			if (fn)
				fn(vcpu, &call, &ret);
		}
		break;
	}
	/* KVM_RISCV_SBI_POLICY_DENY: ret is already SBI_ERR_NOT_SUPPORTED. */

	sbi_account(vcpu, &call, slot, action, &ret);
	return sbi_complete(vcpu, run, ext, &call, &ret);
}

/**
 * kvm_riscv_vcpu_sbi_trace_call() - the kvm_sbi_call tracepoint of a call
 * @vcpu: the calling vCPU
 * @call: the call
 * @action: the VM's policy's action for it
 * @outcome: what became of it
 * @ret: its answer, which only answered calls have (returned, denied, not
 *	supported); the others are traced with 0
 * @fast: the fast path answered it
 *
 * Out of line, for sbi_account() and sbi_account_fast(), which call it only
 * while the tracepoint is enabled.
 */
void kvm_riscv_vcpu_sbi_trace_call(struct kvm_vcpu *vcpu,
				   const struct kvm_vcpu_sbi_call *call,
				   u8 action, enum kvm_sbi_call_outcome outcome,
				   const struct kvm_vcpu_sbi_return *ret,
				   bool fast)
{
	bool answered = outcome == KVM_SBI_CALL_RETURNED ||
			outcome == KVM_SBI_CALL_DENIED ||
			outcome == KVM_SBI_CALL_NOT_SUPPORTED;

	trace_kvm_sbi_call(vcpu, call, action, outcome,
			   answered ? ret->err_val : 0,
			   answered ? ret->out_val : 0, fast);
}

/**
 * kvm_riscv_vcpu_sbi_trace_fast() - the kvm_sbi_call tracepoint of a call
 *	the fast path answered
 * @vcpu: the calling vCPU, whose registers still hold the call
 * @ret: the answer, not written back yet
 *
 * With as few arguments as possible: the fast path keeps nothing alive for
 * it, so that while the tracepoint is disabled it costs its branch alone.
 */
void kvm_riscv_vcpu_sbi_trace_fast(struct kvm_vcpu *vcpu,
				   const struct kvm_vcpu_sbi_return *ret)
{
	const struct kvm_vcpu_sbi_call call =
		KVM_SBI_CALL_FROM_REGS(&vcpu->arch.guest_context);

	kvm_riscv_vcpu_sbi_trace_call(vcpu, &call, KVM_RISCV_SBI_POLICY_HANDLE,
				      sbi_call_outcome(KVM_RISCV_SBI_POLICY_HANDLE,
						       ret),
				      ret, true);
}

/* Are pc and a0-a7 still those of the forwarded call? */
static bool sbi_forwarded_regs_unchanged(const struct kvm_vcpu_sbi_context *ctx,
					 const struct kvm_cpu_context *cp)
{
	const struct kvm_vcpu_sbi_call now = KVM_SBI_CALL_FROM_REGS(cp);
	const struct kvm_vcpu_sbi_call *call = &ctx->forward_call;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(call->args); i++) {
		if (now.args[i] != call->args[i])
			return false;
	}
	return cp->sepc == ctx->forward_pc && now.fid == call->fid &&
	       now.eid == call->eid;
}

/**
 * kvm_riscv_vcpu_sbi_return() - apply userspace's answer to a forwarded call
 * @vcpu: the vCPU
 * @run: its kvm_run
 *
 * Called at the start of every KVM_RUN, whatever run->exit_reason says: a
 * forwarded call is settled by the first KVM_RUN after its exit. If
 * exit_reason is still KVM_EXIT_RISCV_SBI, writes a0 (and a1, unless the
 * call was a legacy one) from run->riscv_sbi.ret and steps over the ecall;
 * an extension with a forward_done hook may continue the guest elsewhere
 * instead (SUSP). If userspace changed exit_reason, the call is dropped
 * unanswered: the guest is entered at the ecall again and makes the call
 * anew. Either way the answer is applied at most once, to the call that
 * exited: if userspace changed pc or any of a0-a7 since the exit (ONE_REG),
 * the call is dropped as well and the guest runs from the registers as
 * userspace left them. A vCPU reset drops it too.
 *
 * Context: KVM_RUN, before the vCPU is loaded.
 * Return: 0.
 */
int kvm_riscv_vcpu_sbi_return(struct kvm_vcpu *vcpu, struct kvm_run *run)
{
	struct kvm_vcpu_sbi_context *ctx = &vcpu->arch.sbi_context;
	const struct kvm_vcpu_sbi_call *call = &ctx->forward_call;
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;
	const struct kvm_vcpu_sbi_return answer = {
		.err_val = run->riscv_sbi.ret[0],
		.out_val = run->riscv_sbi.ret[1],
	};
	const struct kvm_vcpu_sbi_extension *ext = ctx->forward_ext;

	if (!ctx->forward_pending)
		return 0;
	ctx->forward_pending = false;
	/* Two sites: one computed 'applied' cost 7 instructions (make bench). */
	if (run->exit_reason != KVM_EXIT_RISCV_SBI ||
	    !sbi_forwarded_regs_unchanged(ctx, cp)) {
		trace_kvm_sbi_forward_done(vcpu, call, answer.err_val,
					   answer.out_val, false);
		return 0;
	}
	trace_kvm_sbi_forward_done(vcpu, call, answer.err_val, answer.out_val,
				   true);

	if (ext && ext->forward_done && ext->forward_done(vcpu, call, &answer))
		return 0;

	cp->a0 = answer.err_val;
	if (!sbi_eid_is_legacy(call->eid))
		cp->a1 = answer.out_val;
	cp->sepc += 4;
	return 0;
}

/**
 * kvm_riscv_vcpu_sbi_enter_at() - continue the guest at a new entry point
 * @vcpu: the vCPU, loaded or not
 * @addr: guest physical address to continue at
 * @opaque: what a1 gets
 *
 * The state SBI gives a hart at hart_start and after a non-retentive or
 * system suspend: S-mode, satp = 0, sstatus.SIE = 0, a0 = hartid, a1 =
 * opaque; the other registers are left as they are (undefined).
 */
void kvm_riscv_vcpu_sbi_enter_at(struct kvm_vcpu *vcpu, unsigned long addr,
				 unsigned long opaque)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;
	struct kvm_vcpu_csr *csr = &vcpu->arch.guest_csr;

	cp->sepc = addr;
	cp->a0 = vcpu->vcpu_id;
	cp->a1 = opaque;
	cp->sstatus |= SR_SPP;	/* sret returns to VS-mode */

	/*
	 * A loaded vCPU's VS CSRs are live (a preemption in between saves
	 * and restores them); otherwise vcpu_load() will write the saved ones.
	 */
	if (vcpu->cpu != -1) {
		csr_write(CSR_VSATP, 0);
		csr_clear(CSR_VSSTATUS, SR_SIE);
	} else {
		csr->vsatp = 0;
		csr->vsstatus &= ~SR_SIE;
	}
}

/*
 * The hart map: SBI calls name harts by ID (HSM, and the hart masks of
 * IPI and RFENCE), one lookup per hart named. kvm_get_vcpu_by_id() walks
 * the VM's vCPU xarray, and every vCPU when an ID is not its vCPU index.
 * The hart map (kvm->arch.sbi_harts) is an array by vcpu_id, allocated
 * with the VM and read without locks: an entry is set once, to a vCPU that
 * lives as long as the VM, and never cleared; kvm->arch.sbi_harts_nr
 * counts them. A vCPU between its publication and
 * kvm_arch_vcpu_postcreate() has no entry yet: the lookup then falls back
 * to kvm_get_vcpu_by_id(), so it answers the same. Once every online vCPU
 * is entered, an ID with no entry has no vCPU: no fallback, no walk.
 */

/**
 * kvm_riscv_sbi_init_vm() - allocate the VM's hart map and SSE state, set up
 *	its policy
 * @kvm: the VM being created (from kvm_arch_init_vm())
 *
 * Return: 0 or -ENOMEM.
 */
int kvm_riscv_sbi_init_vm(struct kvm *kvm)
{
	kvm_riscv_sbi_policy_init_vm(kvm);
	kvm->arch.sbi_harts = kvcalloc(KVM_MAX_VCPU_IDS,
				       sizeof(*kvm->arch.sbi_harts),
				       GFP_KERNEL_ACCOUNT);
	atomic_set(&kvm->arch.sbi_harts_nr, 0);
	if (!kvm->arch.sbi_harts || kvm_riscv_sbi_sse_init_vm(kvm)) {
		kvm_riscv_sbi_destroy_vm(kvm);
		return -ENOMEM;
	}
	return 0;
}

/**
 * kvm_riscv_vcpu_sbi_postcreate() - enter a new vCPU in the VM's hart map
 * @vcpu: a vCPU KVM has just published (from kvm_arch_vcpu_postcreate())
 *
 * Not earlier: kvm_arch_vcpu_create() also runs for a vCPU whose ID turns
 * out to be taken, which is then destroyed.
 */
void kvm_riscv_vcpu_sbi_postcreate(struct kvm_vcpu *vcpu)
{
	struct kvm_arch *arch = &vcpu->kvm->arch;

	/* Both pair with the reads in sbi_hart_miss(). */
	smp_store_release(&arch->sbi_harts[vcpu->vcpu_id], vcpu);
	atomic_inc_return_release(&arch->sbi_harts_nr);
}

/**
 * kvm_riscv_sbi_destroy_vm() - free the VM's hart map and SSE state
 * @kvm: the VM, whose vCPUs are destroyed (or were never created)
 */
void kvm_riscv_sbi_destroy_vm(struct kvm *kvm)
{
	kvm_riscv_sbi_sse_destroy_vm(kvm);
	kvfree(kvm->arch.sbi_harts);
	kvm->arch.sbi_harts = NULL;
}

/*
 * No entry for @hartid in the map. Out of line, so that a hit saves no
 * registers for it.
 */
static noinline struct kvm_vcpu *sbi_hart_miss(struct kvm *kvm,
					       unsigned long hartid)
{
	struct kvm_vcpu *target;
	int entered;

	/*
	 * The count, then the entry again. If the count equals the online
	 * vCPUs read after it, every vCPU online at that point has its entry
	 * stored, visible to the second read: no vCPU has @hartid.
	 */
	entered = atomic_read_acquire(&kvm->arch.sbi_harts_nr);
	target = READ_ONCE(kvm->arch.sbi_harts[hartid]);
	if (target || entered == atomic_read(&kvm->online_vcpus))
		return target;
	return kvm_get_vcpu_by_id(kvm, hartid);
}

/**
 * kvm_riscv_vcpu_sbi_hart() - the vCPU an SBI hart ID names
 * @vcpu: the calling vCPU
 * @hartid: hart ID from the guest (any value)
 *
 * Context: any; does not sleep or take locks (the SBI fast path calls it).
 * Return: the vCPU whose vcpu_id is @hartid, or NULL.
 */
struct kvm_vcpu *kvm_riscv_vcpu_sbi_hart(struct kvm_vcpu *vcpu,
					 unsigned long hartid)
{
	struct kvm_vcpu *target;

	if (hartid >= KVM_MAX_VCPU_IDS)
		return NULL;
	hartid = array_index_nospec(hartid, KVM_MAX_VCPU_IDS);
	target = READ_ONCE(vcpu->kvm->arch.sbi_harts[hartid]);
	return target ?: sbi_hart_miss(vcpu->kvm, hartid);
}

/**
 * kvm_riscv_vcpu_sbi_system_event() - stop the VM and report a system event
 * @vcpu: the calling vCPU
 * @ret: its result, set to KVM_SBI_EXIT
 * @type: KVM_SYSTEM_EVENT_*
 * @reason: reported in data[0]
 *
 * Every vCPU of the VM is stopped; the caller's KVM_RUN exits with
 * KVM_EXIT_SYSTEM_EVENT.
 */
void kvm_riscv_vcpu_sbi_system_event(struct kvm_vcpu *vcpu,
				     struct kvm_vcpu_sbi_return *ret,
				     u32 type, u64 reason)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_vcpu *tmp;
	unsigned long i;

	kvm_for_each_vcpu(i, tmp, vcpu->kvm)
		kvm_riscv_vcpu_power_off(tmp);

	memset(&run->system_event, 0, sizeof(run->system_event));
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = type;
	run->system_event.ndata = 1;
	run->system_event.data[0] = reason;
	ret->outcome = KVM_SBI_EXIT;
}

/* Per-vCPU lifecycle. */

/**
 * kvm_riscv_vcpu_sbi_init() - set up the extensions of a new vCPU
 * @vcpu: the vCPU, after its PMU and timer are set up
 *
 * An extension whose probe says 0 is unavailable on @vcpu; the others start
 * enabled unless default_disabled.
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
 * A forwarded call that userspace has not answered is dropped.
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

/* ONE_REG: KVM_REG_RISCV_SBI_EXT (enable state) */

static int sbi_onereg_slot(struct kvm_vcpu *vcpu, unsigned long idx)
{
	int slot;

	if (idx >= KVM_RISCV_SBI_EXT_MAX)
		return -ENOENT;
	slot = kvm_riscv_sbi_registry.onereg_slot[idx];
	if (slot < 0 || sbi_ext_state(vcpu, slot) == KVM_SBI_EXT_UNAVAILABLE)
		return -ENOENT;
	return slot;
}

/**
 * kvm_riscv_vcpu_sbi_ext_available() - can userspace enable this extension?
 * @vcpu: the vCPU
 * @onereg_idx: KVM_RISCV_SBI_EXT_* index
 *
 * Return: true if it is registered and its probe accepted @vcpu.
 */
bool kvm_riscv_vcpu_sbi_ext_available(struct kvm_vcpu *vcpu, int onereg_idx)
{
	return onereg_idx >= 0 && sbi_onereg_slot(vcpu, onereg_idx) >= 0;
}

/**
 * kvm_riscv_vcpu_sbi_ext_enabled() - is this extension enabled on the vCPU?
 * @vcpu: the vCPU
 * @onereg_idx: KVM_RISCV_SBI_EXT_* index
 *
 * Return: true if the guest can call it.
 */
bool kvm_riscv_vcpu_sbi_ext_enabled(struct kvm_vcpu *vcpu, int onereg_idx)
{
	int slot = onereg_idx >= 0 ? sbi_onereg_slot(vcpu, onereg_idx) : -1;

	return slot >= 0 && sbi_ext_state(vcpu, slot) == KVM_SBI_EXT_ENABLED;
}

static int sbi_ext_set_one(struct kvm_vcpu *vcpu, unsigned long idx,
			   unsigned long val)
{
	int slot;

	if (val > 1)
		return -EINVAL;
	slot = sbi_onereg_slot(vcpu, idx);
	if (slot < 0)
		return slot;
	vcpu->arch.sbi_context.ext_state[slot] = val ? KVM_SBI_EXT_ENABLED :
						       KVM_SBI_EXT_DISABLED;
	return 0;
}

static int sbi_ext_get_one(struct kvm_vcpu *vcpu, unsigned long idx,
			   unsigned long *val)
{
	int slot = sbi_onereg_slot(vcpu, idx);

	if (slot < 0)
		return slot;
	*val = sbi_ext_state(vcpu, slot) == KVM_SBI_EXT_ENABLED;
	return 0;
}

/* Bit i of multi-register @reg_num stands for index reg_num * BITS_PER_LONG + i. */
static unsigned long sbi_ext_multi_first(unsigned long reg_num)
{
	return reg_num * BITS_PER_LONG;
}

static int sbi_ext_set_multi(struct kvm_vcpu *vcpu, unsigned long reg_num,
			     unsigned long mask, bool enable)
{
	unsigned long bit;

	if (reg_num > KVM_REG_RISCV_SBI_MULTI_REG_LAST)
		return -ENOENT;
	/* As in 6.12: indices that are unavailable are skipped silently. */
	for_each_set_bit(bit, &mask, BITS_PER_LONG)
		sbi_ext_set_one(vcpu, sbi_ext_multi_first(reg_num) + bit, enable);
	return 0;
}

static int sbi_ext_get_multi(struct kvm_vcpu *vcpu, unsigned long reg_num,
			     unsigned long *mask)
{
	unsigned long bit, val;

	if (reg_num > KVM_REG_RISCV_SBI_MULTI_REG_LAST)
		return -ENOENT;
	*mask = 0;
	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!sbi_ext_get_one(vcpu, sbi_ext_multi_first(reg_num) + bit,
				     &val) && val)
			*mask |= BIT(bit);
	}
	return 0;
}

/* Split a KVM_REG_RISCV_SBI_* register id into subtype and number. */
static unsigned long sbi_reg_split(u64 id, u64 type, unsigned long *subtype)
{
	unsigned long num = id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK | type);

	*subtype = num & KVM_REG_RISCV_SUBTYPE_MASK;
	return num & ~KVM_REG_RISCV_SUBTYPE_MASK;
}

/**
 * kvm_riscv_vcpu_set_reg_sbi_ext() - KVM_SET_ONE_REG, KVM_REG_RISCV_SBI_EXT
 * @vcpu: the vCPU
 * @reg: the register
 *
 * Return: 0; -EINVAL (size, value); -EBUSY once the vCPU has run; -ENOENT
 * for an unavailable or unknown extension; -EFAULT.
 */
int kvm_riscv_vcpu_set_reg_sbi_ext(struct kvm_vcpu *vcpu,
				   const struct kvm_one_reg *reg)
{
	unsigned long __user *uaddr = u64_to_user_ptr(reg->addr);
	unsigned long num, subtype, val;

	if (KVM_REG_SIZE(reg->id) != sizeof(unsigned long))
		return -EINVAL;
	if (vcpu->arch.ran_atleast_once)
		return -EBUSY;
	if (copy_from_user(&val, uaddr, sizeof(val)))
		return -EFAULT;

	num = sbi_reg_split(reg->id, KVM_REG_RISCV_SBI_EXT, &subtype);
	switch (subtype) {
	case KVM_REG_RISCV_SBI_SINGLE:
		return sbi_ext_set_one(vcpu, num, val);
	case KVM_REG_RISCV_SBI_MULTI_EN:
		return sbi_ext_set_multi(vcpu, num, val, true);
	case KVM_REG_RISCV_SBI_MULTI_DIS:
		return sbi_ext_set_multi(vcpu, num, val, false);
	default:
		return -ENOENT;
	}
}

/**
 * kvm_riscv_vcpu_get_reg_sbi_ext() - KVM_GET_ONE_REG, KVM_REG_RISCV_SBI_EXT
 * @vcpu: the vCPU
 * @reg: the register
 *
 * Return: 0; -EINVAL (size); -ENOENT for an unavailable or unknown
 * extension; -EFAULT.
 */
int kvm_riscv_vcpu_get_reg_sbi_ext(struct kvm_vcpu *vcpu,
				   const struct kvm_one_reg *reg)
{
	unsigned long __user *uaddr = u64_to_user_ptr(reg->addr);
	unsigned long num, subtype, val;
	int rc;

	if (KVM_REG_SIZE(reg->id) != sizeof(unsigned long))
		return -EINVAL;

	num = sbi_reg_split(reg->id, KVM_REG_RISCV_SBI_EXT, &subtype);
	switch (subtype) {
	case KVM_REG_RISCV_SBI_SINGLE:
		rc = sbi_ext_get_one(vcpu, num, &val);
		break;
	case KVM_REG_RISCV_SBI_MULTI_EN:
		rc = sbi_ext_get_multi(vcpu, num, &val);
		break;
	case KVM_REG_RISCV_SBI_MULTI_DIS:
		rc = sbi_ext_get_multi(vcpu, num, &val);
		val = ~val;
		break;
	default:
		return -ENOENT;
	}
	if (rc)
		return rc;
	return copy_to_user(uaddr, &val, sizeof(val)) ? -EFAULT : 0;
}

/* ONE_REG: KVM_REG_RISCV_SBI_STATE (registers an extension declares) */

/*
 * The extension owning state register @reg and the register's number in
 * *@num: NULL with *@err = -ENOENT for an unavailable extension, -EINVAL for
 * a subtype nobody declares or a number past its registers (as 6.12).
 */
static const struct kvm_vcpu_sbi_extension *
sbi_state_reg(struct kvm_vcpu *vcpu, const struct kvm_one_reg *reg,
	      unsigned long *num, int *err)
{
	unsigned long subtype;
	unsigned int i;

	*num = sbi_reg_split(reg->id, KVM_REG_RISCV_SBI_STATE, &subtype);
	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = kvm_riscv_sbi_registry.exts[i];

		if (!ext->nr_state_regs || ext->state_subtype != subtype)
			continue;
		*err = sbi_ext_state(vcpu, i) == KVM_SBI_EXT_UNAVAILABLE ?
		       -ENOENT : -EINVAL;
		if (*err == -ENOENT || *num >= ext->nr_state_regs)
			return NULL;
		if (ext->state_reg_valid && !ext->state_reg_valid(vcpu, *num)) {
			*err = -ENOENT;
			return NULL;
		}
		return ext;
	}
	*err = -EINVAL;
	return NULL;
}

/**
 * kvm_riscv_vcpu_set_reg_sbi() - KVM_SET_ONE_REG, KVM_REG_RISCV_SBI_STATE
 * @vcpu: the vCPU
 * @reg: the register
 *
 * Return: 0; -EINVAL (size, unknown subtype or number, value); -ENOENT
 * (extension unavailable); -EFAULT.
 */
int kvm_riscv_vcpu_set_reg_sbi(struct kvm_vcpu *vcpu,
			       const struct kvm_one_reg *reg)
{
	unsigned long __user *uaddr = u64_to_user_ptr(reg->addr);
	const struct kvm_vcpu_sbi_extension *ext;
	unsigned long num, val;
	int err;

	if (KVM_REG_SIZE(reg->id) != sizeof(unsigned long))
		return -EINVAL;
	if (copy_from_user(&val, uaddr, sizeof(val)))
		return -EFAULT;
	ext = sbi_state_reg(vcpu, reg, &num, &err);
	return ext ? ext->set_state_reg(vcpu, num, val) : err;
}

/**
 * kvm_riscv_vcpu_get_reg_sbi() - KVM_GET_ONE_REG, KVM_REG_RISCV_SBI_STATE
 * @vcpu: the vCPU
 * @reg: the register
 *
 * Return: as kvm_riscv_vcpu_set_reg_sbi().
 */
int kvm_riscv_vcpu_get_reg_sbi(struct kvm_vcpu *vcpu,
			       const struct kvm_one_reg *reg)
{
	unsigned long __user *uaddr = u64_to_user_ptr(reg->addr);
	const struct kvm_vcpu_sbi_extension *ext;
	unsigned long num, val;
	int err;

	if (KVM_REG_SIZE(reg->id) != sizeof(unsigned long))
		return -EINVAL;
	ext = sbi_state_reg(vcpu, reg, &num, &err);
	if (!ext)
		return err;
	val = ext->get_state_reg(vcpu, num);
	return copy_to_user(uaddr, &val, sizeof(val)) ? -EFAULT : 0;
}

/**
 * kvm_riscv_vcpu_sbi_copy_state_reg_indices() - list the SBI state registers
 * @vcpu: the vCPU
 * @uindices: where to store the ids, or NULL to count them
 *
 * Lists the state registers of every enabled extension (KVM_GET_REG_LIST).
 *
 * Return: the number of registers, or -EFAULT.
 */
int kvm_riscv_vcpu_sbi_copy_state_reg_indices(struct kvm_vcpu *vcpu,
					      u64 __user *uindices)
{
	u64 size = IS_ENABLED(CONFIG_32BIT) ? KVM_REG_SIZE_U32 : KVM_REG_SIZE_U64;
	unsigned int i, n, total = 0;

	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = kvm_riscv_sbi_registry.exts[i];

		if (sbi_ext_state(vcpu, i) != KVM_SBI_EXT_ENABLED)
			continue;
		for (n = 0; n < ext->nr_state_regs; n++) {
			u64 id = KVM_REG_RISCV | size | KVM_REG_RISCV_SBI_STATE |
				 ext->state_subtype | n;

			if (ext->state_reg_valid && !ext->state_reg_valid(vcpu, n))
				continue;
			if (uindices && put_user(id, uindices++))
				return -EFAULT;
			total++;
		}
	}
	return total;
}

#if IS_ENABLED(CONFIG_KVM_RISCV_SBI_KUNIT_TEST)
#include "vcpu_sbi_test.c"
#endif
