// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SBI fast path: hot SBI calls answered right after the guest exits,
 * with interrupts still off, and the guest re-entered without leaving the
 * inner run loop when nothing else needs the vCPU. This skips what a
 * normal exit costs around a handler of a few dozen instructions:
 * interrupt enabling, guest time accounting, tracing, preemption and srcu
 * toggling, the request checks of the outer loop.
 *
 * Which calls: functions an extension marks in fast_fids, which must not
 * sleep, need no kvm->srcu and always return to the guest (BASE but
 * probe_extension, TIME set_timer, HSM hart_get_status, IPI send_ipi).
 * Anything else, and any call the VM's SBI policy forwards or denies,
 * takes the normal path. See Documentation/virt/kvm/riscv/sbi.rst.
 */

#include <linux/entry-kvm.h>
#include <linux/kvm_host.h>
#include <linux/moduleparam.h>
#include <asm/kvm_sbi_policy.h>

static bool sbi_fastpath = true;
module_param(sbi_fastpath, bool, 0644);
MODULE_PARM_DESC(sbi_fastpath, "Answer hot SBI calls without a full exit");

/*
 * For measuring the floor of the SBI round trip: an ecall with this EID is
 * answered (a0 = a1 = 0) at the earliest point. 0 turns it off; it is a
 * benchmark aid, not an SBI extension.
 */
static unsigned long sbi_fastpath_null_eid;
module_param(sbi_fastpath_null_eid, ulong, 0644);
MODULE_PARM_DESC(sbi_fastpath_null_eid,
		 "Benchmark only: EID answered with no handler (0: off)");

static bool sbi_fastpath_null(struct kvm_cpu_context *cp)
{
	unsigned long eid = READ_ONCE(sbi_fastpath_null_eid);

	if (likely(!eid || cp->a7 != eid))
		return false;
	cp->a0 = 0;
	cp->a1 = 0;
	cp->sepc += 4;
	return true;
}

/**
 * kvm_riscv_vcpu_sbi_fastpath() - answer a hot SBI call in the inner loop
 * @vcpu: the vCPU that just exited
 * @trap: why it exited
 *
 * The one decision "fast or normal": the exit is an ecall, the fast path is
 * on, the VM's SBI policy (if any) leaves the call to the kernel, and the
 * call's function is enabled and marked fast. Then it is answered and
 * written back as the normal path would (kvm_riscv_vcpu_sbi_ecall()), so
 * the guest cannot tell the paths apart.
 *
 * Context: right after the guest exit: interrupts and preemption off,
 * kvm->srcu not held.
 * Return: true if the call was answered; the vCPU must then not take the
 * normal exit path for @trap.
 */
bool kvm_riscv_vcpu_sbi_fastpath(struct kvm_vcpu *vcpu,
				 const struct kvm_cpu_trap *trap)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;
	const struct kvm_vcpu_sbi_extension *ext;
	struct kvm_vcpu_sbi_return ret = {
		.outcome = KVM_SBI_RETURN,
		.err_val = SBI_ERR_NOT_SUPPORTED,
	};
	struct kvm_vcpu_sbi_call call;

	if (trap->scause != EXC_SUPERVISOR_SYSCALL || !READ_ONCE(sbi_fastpath))
		return false;
	if (sbi_fastpath_null(cp))
		return true;
	/* Legacy calls are never fast. */
	if (cp->a7 <= KVM_SBI_LEGACY_EID_LAST)
		return false;
	ext = kvm_riscv_vcpu_sbi_find_ext(vcpu, cp->a7);
	if (!ext || cp->a6 >= BITS_PER_LONG || !(ext->fast_fids & BIT(cp->a6)))
		return false;
	/*
	 * A policy may deny a fast function (TIME, IPI, HSM): only then is it
	 * asked, so that calls with no fast function pay no policy lookup here.
	 */
	if (rcu_access_pointer(vcpu->kvm->arch.sbi_policy) &&
	    kvm_riscv_sbi_policy_action(vcpu->kvm, cp->a7, cp->a6))
		return false;	/* not KVM_RISCV_SBI_POLICY_HANDLE (0) */

	call = (struct kvm_vcpu_sbi_call) {
		.eid = cp->a7,
		.fid = cp->a6,
		.args = { cp->a0, cp->a1, cp->a2, cp->a3, cp->a4, cp->a5 },
	};
	ext->fns[call.fid](vcpu, &call, &ret);

	/* A fast function always returns to the guest; anything else is a bug. */
	if (WARN_ON_ONCE(ret.outcome != KVM_SBI_RETURN))
		kvm_vcpu_sbi_ret_error(&ret, SBI_ERR_FAILURE);
	cp->a0 = ret.err_val;
	cp->a1 = ret.out_val;
	cp->sepc += 4;
	return true;
}

/**
 * kvm_riscv_vcpu_sbi_fastpath_reenter() - may the fast path re-enter now?
 * @vcpu: the vCPU whose call the fast path answered
 *
 * Repeats the last checks of the normal entry, in the same order: the vCPU
 * is IN_GUEST_MODE before requests are looked at (so a kick from another
 * CPU is never lost), interrupts for the guest are flushed into hvip, and
 * a pending request, signal, reschedule or VMID change sends the vCPU to
 * the normal path instead. Host interrupts that arrived meanwhile are taken
 * as soon as the guest runs, which exits it again.
 *
 * Context: interrupts and preemption off, kvm->srcu not held.
 * Return: true if the guest can be entered; false with the vCPU
 * OUTSIDE_GUEST_MODE.
 */
bool kvm_riscv_vcpu_sbi_fastpath_reenter(struct kvm_vcpu *vcpu)
{
	vcpu->mode = IN_GUEST_MODE;
	smp_mb();	/* mode before requests, as in vcpu-requests.rst */

	kvm_riscv_vcpu_flush_interrupts(vcpu);
	kvm_riscv_update_hvip(vcpu);

	if (kvm_riscv_gstage_vmid_ver_changed(&vcpu->kvm->arch.vmid) ||
	    kvm_request_pending(vcpu) || xfer_to_guest_mode_work_pending()) {
		vcpu->mode = OUTSIDE_GUEST_MODE;
		return false;
	}
	kvm_riscv_local_tlb_sanitize(vcpu);
	return true;
}
