// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SBI fast path: hot SBI calls answered inside the world switch, right
 * after __kvm_riscv_switch_to() returns, and the guest entered again at
 * once, without leaving kvm_riscv_vcpu_enter_exit(). A normal exit pays,
 * around a handler of a few dozen instructions: RCU's guest exit and entry,
 * the swap of the host's and the guest's envcfg/stateen, the trap CSR reads,
 * the interrupt sync and flush (each under the vCPU's irqs_pending_lock),
 * interrupt enabling, guest time accounting, tracing, preemption and srcu
 * toggling and the request checks of the outer loop. The fast path pays
 * none of these unless the call changed what they look at.
 *
 * Which calls: functions an extension marks in fast_fids, which must not
 * sleep, need no kvm->srcu, return to the guest and do work bounded by a
 * small constant whatever the guest passes (BASE, TIME set_timer, HSM
 * hart_get_status, IPI send_ipi naming at most 16 harts, see
 * vcpu_sbi_ipi.c).
 * Anything else, and any call the VM's SBI policy forwards or denies,
 * takes the normal path. See Documentation/virt/kvm/riscv/sbi.rst.
 */

#include <linux/context_tracking.h>
#include <linux/entry-kvm.h>
#include <linux/kvm_host.h>
#include <linux/moduleparam.h>

#include "sbi_dispatch.h"
#include "trace.h"

static bool sbi_fastpath = true;
module_param(sbi_fastpath, bool, 0644);
MODULE_PARM_DESC(sbi_fastpath, "Answer hot SBI calls without a full exit");

#ifdef CONFIG_KVM_RISCV_SBI_BENCH
/*
 * For measuring the floor of the SBI round trip: an ecall with this EID is
 * answered (a0 = a1 = 0) at the earliest point, whatever the VM's policy
 * says. 0 turns it off. A benchmark aid, not an SBI extension: only in a
 * kernel built with CONFIG_KVM_RISCV_SBI_BENCH (the bench's own build).
 */
static unsigned long sbi_fastpath_null_eid;
module_param(sbi_fastpath_null_eid, ulong, 0644);
MODULE_PARM_DESC(sbi_fastpath_null_eid,
		 "Benchmark only: EID answered with no handler (0: off)");

static __always_inline bool sbi_fastpath_is_null(unsigned long eid)
{
	unsigned long null_eid = READ_ONCE(sbi_fastpath_null_eid);

	return unlikely(null_eid && eid == null_eid);
}
#else
static __always_inline bool sbi_fastpath_is_null(unsigned long eid)
{
	return false;
}
#endif

/*
 * The call in the guest registers, read in place rather than copied: the
 * members of struct kvm_vcpu_sbi_call follow a0-a7, and a fast function
 * changes no guest register.
 */
#define SBI_FASTPATH_CALL_AT(member, reg)				\
	static_assert(offsetof(struct kvm_vcpu_sbi_call, member) ==	\
		      offsetof(struct kvm_cpu_context, reg) -		\
		      offsetof(struct kvm_cpu_context, a0))
SBI_FASTPATH_CALL_AT(args[1], a1);
SBI_FASTPATH_CALL_AT(args[2], a2);
SBI_FASTPATH_CALL_AT(args[3], a3);
SBI_FASTPATH_CALL_AT(args[4], a4);
SBI_FASTPATH_CALL_AT(args[5], a5);
SBI_FASTPATH_CALL_AT(fid, a6);
SBI_FASTPATH_CALL_AT(eid, a7);
static_assert(sizeof(struct kvm_vcpu_sbi_call) == 8 * sizeof(unsigned long));

static const struct kvm_vcpu_sbi_call *
sbi_fastpath_call_in(const struct kvm_cpu_context *cp)
{
	return (const struct kvm_vcpu_sbi_call *)&cp->a0;
}

/*
 * Make the call with fast function @fn, counted at @stat_off; true if
 * answered.
 */
static bool sbi_fastpath_call(struct kvm_vcpu *vcpu, struct kvm_cpu_context *cp,
			      kvm_vcpu_sbi_fn fn, u16 stat_off)
{
	struct kvm_vcpu_sbi_return ret = KVM_SBI_RETURN_INIT;

	fn(vcpu, sbi_fastpath_call_in(cp), &ret);

	/*
	 * A fast function returns to the guest, or asks, before it changed
	 * anything, for its call to be forwarded or for work too large for
	 * the fast path: the normal path makes the call again. Anything else
	 * is a bug.
	 */
	if (unlikely(ret.outcome != KVM_SBI_RETURN)) {
		if (ret.outcome == KVM_SBI_FORWARD ||
		    ret.outcome == KVM_SBI_NORMAL_PATH)
			return false;
		WARN_ONCE(1, "SBI fast function: outcome %d\n", ret.outcome);
		kvm_vcpu_sbi_ret_error(&ret, SBI_ERR_FAILURE);
	}
	sbi_account_fast(vcpu, stat_off, &ret);
	sbi_write_back(cp, false, &ret);
	return true;
}

/*
 * Is the call the guest made fast? If so, @fn is its fast function. The
 * dispatcher's lookup, first step only (the registry keeps every fast
 * function's EID in the direct table), and its FID bound, with fast_fids
 * for the callable FIDs. Not fast: not in the direct table, a FID not
 * marked in fast_fids (none is for an extension with no fast function:
 * every legacy call), or not enabled. Makes no calls, so that an ecall
 * that is not fast costs no stack frame here.
 */
static __always_inline bool sbi_fastpath_fn(struct kvm_vcpu *vcpu,
					    unsigned long eid,
					    unsigned long fid,
					    kvm_vcpu_sbi_fn *fn, u16 *stat_off)
{
	const struct kvm_sbi_direct *d = kvm_sbi_direct(&kvm_riscv_sbi_registry,
							eid);

	/* Most calls end here: not in the table, or no fast function. */
	if (d->eid != eid)
		return false;
	*fn = sbi_fn(d->fns, d->fast_fids, fid);
	if (!*fn)
		return false;
	*stat_off = d->stat_off;
	/* sbi_ext_state(vcpu, d->slot), at the offset the entry keeps. */
	return *((const u8 *)vcpu + d->state_off) == KVM_SBI_EXT_ENABLED;
}

/*
 * Answer the call the guest made with fast function @fn, counted at
 * @stat_off, or as the null EID if @fn is NULL (only with
 * CONFIG_KVM_RISCV_SBI_BENCH, and neither counted nor traced); true if
 * answered.
 */
static bool sbi_fastpath_answer(struct kvm_vcpu *vcpu, kvm_vcpu_sbi_fn fn,
				u16 stat_off)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;

	if (IS_ENABLED(CONFIG_KVM_RISCV_SBI_BENCH) && !fn) {
		cp->a0 = 0;
		cp->a1 = 0;
		cp->sepc += 4;
		return true;
	}
	/*
	 * The dispatcher's policy decision: a policy may deny a fast function
	 * (TIME, IPI, HSM), and the normal path then answers; it is asked
	 * only here, so that calls with no fast function pay no policy
	 * lookup in the fast path, and the slot is found again only in a VM
	 * with a policy, so that the others keep it out of their registers.
	 */
	if (unlikely(vcpu->kvm->arch.sbi_policy) &&
	    sbi_policy_action(vcpu,
			      kvm_sbi_direct(&kvm_riscv_sbi_registry,
					     cp->a7)->slot,
			      sbi_fastpath_call_in(cp)) !=
	    KVM_RISCV_SBI_POLICY_HANDLE)
		return false;
	return sbi_fastpath_call(vcpu, cp, fn, stat_off);
}

/* Anything bitmap @mask of the vCPU's interrupt lines has set? */
static bool sbi_fastpath_irqs_changed(const unsigned long *mask)
{
	int i;

	for (i = 0; i < BITS_TO_LONGS(KVM_RISCV_VCPU_NR_IRQS); i++)
		if (READ_ONCE(mask[i]))
			return true;
	return false;
}

/*
 * The call is answered: may the guest run again at once? The same steps as
 * the run loop's entry, in its order: the vCPU is IN_GUEST_MODE again
 * before anything is looked at, so that a kick from another CPU after this
 * point sends an IPI that exits the guest, and a kick before it is seen
 * here (a kick by the call itself, an IPI to its own hart, is served by
 * the flush below); interrupt lines the call or another vCPU changed are
 * synced and flushed into hvip; a request, a signal or reschedule, or a
 * VMID rollover sends the vCPU round the run loop.
 */
static enum kvm_sbi_fastpath sbi_fastpath_next(struct kvm_vcpu *vcpu)
{
	/* Mode before requests and interrupt lines, as in vcpu-requests.rst */
	smp_store_mb(vcpu->mode, IN_GUEST_MODE);

	if (sbi_fastpath_irqs_changed(vcpu->arch.irqs_pending_mask)) {
		kvm_riscv_vcpu_sync_interrupts(vcpu);
		kvm_riscv_vcpu_flush_interrupts(vcpu);
		kvm_riscv_update_hvip(vcpu);
	}
	if (kvm_request_pending(vcpu) || xfer_to_guest_mode_work_pending() ||
	    kvm_riscv_gstage_vmid_ver_changed(&vcpu->kvm->arch.vmid))
		return KVM_SBI_FAST_HANDLED;
	return KVM_SBI_FAST_REENTER;
}

/*
 * The exit, and the entry that follows it, for the kvm_exit and kvm_entry
 * tracepoints, as the run loop reports a normal exit: a guest that
 * re-enters at once would otherwise be invisible to them (perf kvm stat).
 * The trap registers other than sepc and scause are not read: 0.
 */
static void sbi_fastpath_trace_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_cpu_trap trap = {
		.sepc = vcpu->arch.guest_context.sepc - 4,	/* the ecall */
		.scause = EXC_SUPERVISOR_SYSCALL,
	};

	trace_kvm_exit(&trap);
	trace_kvm_entry(vcpu);
}

/* Answer with @fn (NULL: the null EID) and decide whether to re-enter. */
static noinstr enum kvm_sbi_fastpath sbi_fastpath_run(struct kvm_vcpu *vcpu,
						      kvm_vcpu_sbi_fn fn,
						      u16 stat_off)
{
	enum kvm_sbi_fastpath fast = KVM_SBI_FAST_NONE;

	/* As guest_state_exit_irqoff(), without telling RCU. */
	lockdep_hardirqs_off(CALLER_ADDR0);
	instrumentation_begin();
	trace_hardirqs_off_finish();

	/*
	 * Each exit counts once in vcpu->stat.exits: here if the guest is
	 * entered again at once, else in the run loop, which the vCPU then
	 * goes round (KVM_SBI_FAST_HANDLED).
	 */
	if (sbi_fastpath_answer(vcpu, fn, stat_off)) {
		fast = sbi_fastpath_next(vcpu);
		if (fast == KVM_SBI_FAST_REENTER) {
			vcpu->stat.exits++;
			if (trace_kvm_exit_enabled())
				sbi_fastpath_trace_exit(vcpu);
		}
	}

	/* And back, as guest_state_enter_irqoff(). */
	trace_hardirqs_on_prepare();
	lockdep_hardirqs_on_prepare();
	instrumentation_end();
	lockdep_hardirqs_on(CALLER_ADDR0);
	return fast;
}

/**
 * kvm_riscv_vcpu_sbi_fastpath() - answer a hot SBI call inside the switch
 * @vcpu: the vCPU that just left the guest
 *
 * The one decision "fast or normal", made for every exit: the exit is an
 * ecall from VS-mode, the fast path is on, the call's function is enabled
 * and marked fast, and the VM's SBI policy (if any) leaves it to the
 * kernel. The answer is written back as the normal path writes it
 * (kvm_riscv_vcpu_sbi_ecall()), so the guest cannot tell the paths apart.
 * Up to the policy, the decision makes no calls and needs no stack frame:
 * an ecall that is not fast pays about 33 instructions for it.
 *
 * Runs while the CPU is still in the guest state of RCU, lockdep and
 * context tracking (between guest_state_enter_irqoff() and
 * guest_state_exit_irqoff()): it tells lockdep that interrupts are off
 * while it runs, and does nothing on a CPU where context tracking is on
 * (nohz_full), where RCU does not watch a CPU in guest mode. RCU does not
 * hear of a fast exit: its next normal exit reports the quiescent state.
 *
 * Context: interrupts and preemption off, kvm->srcu not held, vcpu->mode
 * IN_GUEST_MODE (or EXITING_GUEST_MODE if kicked).
 * Return: KVM_SBI_FAST_NONE if the exit was not answered (the normal path
 * handles it), KVM_SBI_FAST_REENTER if answered and the guest may be
 * entered again at once, KVM_SBI_FAST_HANDLED if answered but the vCPU has
 * other work (the run loop goes round without handling the exit again).
 */
noinstr enum kvm_sbi_fastpath kvm_riscv_vcpu_sbi_fastpath(struct kvm_vcpu *vcpu)
{
	const struct kvm_cpu_context *cp = &vcpu->arch.guest_context;
	kvm_vcpu_sbi_fn fn = NULL;
	u16 stat_off = 0;

	if (csr_read(CSR_SCAUSE) != EXC_SUPERVISOR_SYSCALL ||
	    !READ_ONCE(sbi_fastpath) || context_tracking_enabled_this_cpu())
		return KVM_SBI_FAST_NONE;

	/* The null EID (fn NULL) is answered with no lookup at all. */
	if (!sbi_fastpath_is_null(cp->a7) &&
	    !sbi_fastpath_fn(vcpu, cp->a7, cp->a6, &fn, &stat_off))
		return KVM_SBI_FAST_NONE;
	return sbi_fastpath_run(vcpu, fn, stat_off);
}

#if IS_ENABLED(CONFIG_KVM_RISCV_SBI_KUNIT_TEST)
#include "sbi_fastpath_test.c"
#endif
