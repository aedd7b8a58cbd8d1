// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI System Suspend extension (SUSP): the guest asks to suspend the whole
 * system, which is the VMM's business. The kernel serves SUSP only when the
 * VM's policy forwards it: it checks the call as the spec requires, hands it
 * to userspace, and on the next KVM_RUN applies the answer. Userspace may
 * refuse (an error in ret[0] reaches the guest, which continues after the
 * ecall); on success the hart resumes at resume_addr with the hart_start
 * entry state, as if woken from the suspend. A VMM written for Linux 6.19
 * enables it instead through ONE_REG (KVM_RISCV_SBI_EXT_SUSP, disabled by
 * default), which means the same: userspace implements it, the kernel
 * checks and forwards. Otherwise SUSP does not exist (SBI_ERR_NOT_SUPPORTED).
 */

#include <linux/kvm_host.h>
#include <linux/wordpart.h>

#define SBI_EXT_SUSP_SYSTEM_SUSPEND	0
#define SBI_SUSP_SUSPEND_TO_RAM		0x00000000
#define SBI_SUSP_PLATFORM_FIRST		0x80000000

/* Every other hart must be stopped before the system may suspend. */
static bool susp_others_stopped(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu *tmp;
	unsigned long i;

	kvm_for_each_vcpu(i, tmp, vcpu->kvm) {
		if (tmp != vcpu && !kvm_riscv_vcpu_stopped(tmp))
			return false;
	}
	return true;
}

/*
 * system_suspend(uint32_t sleep_type, resume_addr, opaque). The caller is
 * in S-mode by construction (only VS-mode ecalls reach KVM). Platform
 * specific sleep types are the platform's, i.e. the VMM's, to accept.
 */
static void susp_forward_check(struct kvm_vcpu *vcpu,
			       const struct kvm_vcpu_sbi_call *call,
			       struct kvm_vcpu_sbi_return *ret)
{
	u32 type = lower_32_bits(call->args[0]);

	if (call->fid != SBI_EXT_SUSP_SYSTEM_SUSPEND)
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_NOT_SUPPORTED);
	else if (type != SBI_SUSP_SUSPEND_TO_RAM && type < SBI_SUSP_PLATFORM_FIRST)
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
	else if (kvm_riscv_vcpu_guest_pa_check(vcpu, call->args[1], 4, 2, false))
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_ADDRESS);
	else if (!susp_others_stopped(vcpu))
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_DENIED);
}

/* Enabled through ONE_REG: the policy's FORWARD, by another road. */
static void susp_enabled_call(struct kvm_vcpu *vcpu,
			      const struct kvm_vcpu_sbi_call *call,
			      struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_forward(ret);
	susp_forward_check(vcpu, call, ret);
}

/* Userspace said yes: the system has been suspended and woke up. */
static bool susp_forward_done(struct kvm_vcpu *vcpu,
			      const struct kvm_vcpu_sbi_call *call,
			      const struct kvm_vcpu_sbi_return *answer)
{
	if (answer->err_val != SBI_SUCCESS)
		return false;
	kvm_riscv_vcpu_sbi_enter_at(vcpu, call->args[1], call->args[2]);
	return true;
}

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_susp = {
	.name			= "susp",
	.eid_start		= SBI_EXT_SUSP,
	.eid_end		= SBI_EXT_SUSP,
	.onereg_idx		= KVM_RISCV_SBI_EXT_SUSP,
	.default_disabled	= true,
	.handler		= susp_enabled_call,
	.forward_check		= susp_forward_check,
	.forward_done		= susp_forward_done,
};
