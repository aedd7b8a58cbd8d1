// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SBI dispatcher: the one place an ecall from VS-mode is decided and
 * answered on the normal exit path. It asks the VM's policy, finds the
 * extension in the registry, calls its function, and completes the call by
 * the outcome the function reports: written back, forwarded to userspace
 * (KVM_EXIT_RISCV_SBI, settled on the next KVM_RUN), a system event, or a
 * redirected trap. The steps it shares with the fast path are in
 * sbi_dispatch.h. Also here: the services extensions call to end a call
 * (a system event, a new entry point). See
 * Documentation/virt/kvm/riscv/sbi.rst, "Registry and dispatch".
 */

#include <linux/kvm_host.h>
#include <asm/csr.h>
#include <asm/kvm_vcpu_sbi.h>

#include "sbi_dispatch.h"

#define CREATE_TRACE_POINTS
#include "trace_sbi.h"

/**
 * kvm_riscv_vcpu_sbi_bad_error() - report an SBI error the spec lacks
 * @err: what a handler answered
 *
 * Out of line and cold, for sbi_write_back(): a host bug, warned about once.
 */
void __cold kvm_riscv_vcpu_sbi_bad_error(long err)
{
	WARN_ONCE(1, "KVM: SBI handler returned invalid error %ld\n", err);
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
		sbi_write_back(cp, sbi_eid_is_legacy(call->eid), ret);
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

	ext = kvm_sbi_lookup(&kvm_riscv_sbi_registry, call.eid, &slot);

	action = sbi_policy_action(vcpu, slot, &call);
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
		} else {
			fn = sbi_fn(ext->fns, kvm_riscv_sbi_registry.callable[slot],
				    call.fid);
			if (fn)
				fn(vcpu, &call, &ret);
		}
		break;
	}
	/* KVM_RISCV_SBI_POLICY_DENY: ret is already SBI_ERR_NOT_SUPPORTED. */

	/* Console output userspace claimed may go to its ring instead. */
	if (ret.outcome == KVM_SBI_FORWARD && vcpu->kvm->arch.sbi_console)
		kvm_riscv_sbi_console_take(vcpu, &call, &ret);

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

#if IS_ENABLED(CONFIG_KVM_RISCV_SBI_KUNIT_TEST)
#include "sbi_dispatch_test.c"
#endif
