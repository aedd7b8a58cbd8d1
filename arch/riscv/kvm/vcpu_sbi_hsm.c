// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Hart State Management extension (HSM): a guest starts and stops its
 * harts (vCPUs), asks for their state, and suspends the calling hart until
 * an interrupt arrives.
 *
 * A stopped vCPU is started through a vCPU reset, whose context already has
 * the entry state hart_start defines; a non-retentive suspend resumes in
 * place instead, since timers, pending interrupts and PMU counters must
 * survive it. The calls are decoded at the bottom of the file, next to the
 * descriptor; the functions above them never look at guest registers.
 */

#include <linux/kvm_host.h>
#include <linux/wordpart.h>
#include <asm/sbi.h>

/*
 * A hart enters at start_addr or resume_addr with its MMU off, so the
 * address is guest physical. Execution needs one instruction's worth of
 * guest RAM there, at the alignment of compressed instructions.
 */
static bool hsm_entry_is_valid(struct kvm_vcpu *vcpu, unsigned long addr)
{
	return !kvm_riscv_vcpu_guest_pa_check(vcpu, addr, 4, 2, false);
}

/* Where the next reset of @target makes it enter the guest. */
static void hsm_set_entry(struct kvm_vcpu *target, unsigned long hartid,
			  unsigned long start_addr, unsigned long opaque)
{
	struct kvm_cpu_context *entry = &target->arch.guest_reset_context;

	/* The rest (S-mode, SIE = 0, vsatp = 0) is what any reset gives. */
	spin_lock(&target->arch.reset_cntx_lock);
	entry->sepc = start_addr;
	entry->a0 = hartid;
	entry->a1 = opaque;
	spin_unlock(&target->arch.reset_cntx_lock);
}

/* Start stopped hart @hartid at @start_addr; returns an SBI error code. */
static long hsm_start(struct kvm_vcpu *vcpu, unsigned long hartid,
		      unsigned long start_addr, unsigned long opaque)
{
	struct kvm_vcpu *target = kvm_riscv_vcpu_sbi_hart(vcpu, hartid);
	long err = SBI_SUCCESS;

	if (!target)
		return SBI_ERR_INVALID_PARAM;
	if (!hsm_entry_is_valid(vcpu, start_addr))
		return SBI_ERR_INVALID_ADDRESS;

	/* Two harts starting @target at once: only one finds it stopped. */
	spin_lock(&target->arch.mp_state_lock);
	if (kvm_riscv_vcpu_stopped(target)) {
		hsm_set_entry(target, hartid, start_addr, opaque);
		kvm_make_request(KVM_REQ_VCPU_RESET, target);
		__kvm_riscv_vcpu_power_on(target);
	} else {
		err = SBI_ERR_ALREADY_AVAILABLE;
	}
	spin_unlock(&target->arch.mp_state_lock);
	return err;
}

/* The state hart_get_status reports; the spec allows it to be stale. */
static unsigned long hsm_state(struct kvm_vcpu *target)
{
	if (kvm_riscv_vcpu_stopped(target))
		return SBI_HSM_STATE_STOPPED;
	if (READ_ONCE(target->arch.sbi_context.hsm_suspended))
		return SBI_HSM_STATE_SUSPENDED;
	return SBI_HSM_STATE_STARTED;
}

/*
 * Sleep as WFI does, until an interrupt is pending for the vCPU. A signal
 * for the vCPU thread ends the sleep early, which the guest sees as a
 * spurious wake-up, as it may from WFI.
 */
static void hsm_suspend(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_context *ctx = &vcpu->arch.sbi_context;

	WRITE_ONCE(ctx->hsm_suspended, true);
	kvm_riscv_vcpu_wfi(vcpu);
	WRITE_ONCE(ctx->hsm_suspended, false);
}

/* Default non-retentive suspend; returns an SBI error code. */
static long hsm_suspend_non_retentive(struct kvm_vcpu *vcpu,
				      unsigned long resume_addr,
				      unsigned long opaque)
{
	if (!hsm_entry_is_valid(vcpu, resume_addr))
		return SBI_ERR_INVALID_ADDRESS;

	hsm_suspend(vcpu);
	kvm_riscv_vcpu_sbi_enter_at(vcpu, resume_addr, opaque);
	return SBI_SUCCESS;
}

static void hsm_hart_start(struct kvm_vcpu *vcpu,
			   const struct kvm_vcpu_sbi_call *call,
			   struct kvm_vcpu_sbi_return *ret)
{
	long err = hsm_start(vcpu, call->args[0], call->args[1], call->args[2]);

	if (err)
		kvm_vcpu_sbi_ret_error(ret, err);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
}

static void hsm_hart_stop(struct kvm_vcpu *vcpu,
			  const struct kvm_vcpu_sbi_call *call,
			  struct kvm_vcpu_sbi_return *ret)
{
	/*
	 * The vCPU sleeps before it would re-enter the guest, and the reset
	 * of the next hart_start replaces the answer below.
	 */
	kvm_riscv_vcpu_power_off(vcpu);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

static void hsm_hart_get_status(struct kvm_vcpu *vcpu,
				const struct kvm_vcpu_sbi_call *call,
				struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_vcpu *target = kvm_riscv_vcpu_sbi_hart(vcpu, call->args[0]);

	if (!target)
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
	else
		kvm_vcpu_sbi_ret_value(ret, hsm_state(target));
}

static void hsm_hart_suspend(struct kvm_vcpu *vcpu,
			     const struct kvm_vcpu_sbi_call *call,
			     struct kvm_vcpu_sbi_return *ret)
{
	/* suspend_type is a uint32_t: bits 63:32 of a0 carry nothing. */
	u32 type = lower_32_bits(call->args[0]);
	long err;

	switch (type) {
	case SBI_HSM_SUSPEND_RET_DEFAULT:
		hsm_suspend(vcpu);
		kvm_vcpu_sbi_ret_value(ret, 0);
		return;
	case SBI_HSM_SUSPEND_NON_RET_DEFAULT:
		err = hsm_suspend_non_retentive(vcpu, call->args[1],
						call->args[2]);
		break;
	default:
		/* Reserved, or platform specific: KVM implements none. */
		err = SBI_ERR_INVALID_PARAM;
		break;
	}

	if (err)
		kvm_vcpu_sbi_ret_error(ret, err);
	else
		kvm_vcpu_sbi_ret_redirected(ret);
}

static const kvm_vcpu_sbi_fn hsm_fns[] = {
	[SBI_EXT_HSM_HART_START]	= hsm_hart_start,
	[SBI_EXT_HSM_HART_STOP]		= hsm_hart_stop,
	[SBI_EXT_HSM_HART_STATUS]	= hsm_hart_get_status,
	[SBI_EXT_HSM_HART_SUSPEND]	= hsm_hart_suspend,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_hsm = {
	.name		= "hsm",
	.eid_start	= SBI_EXT_HSM,
	.eid_end	= SBI_EXT_HSM,
	.onereg_idx	= KVM_RISCV_SBI_EXT_HSM,
	.fns		= hsm_fns,
	.nr_fns		= ARRAY_SIZE(hsm_fns),
	/* hart_get_status only reads; start, stop and suspend sleep or reset. */
	.fast_fids	= BIT(SBI_EXT_HSM_HART_STATUS),
};
