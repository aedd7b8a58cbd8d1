// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Timer extension (TIME): the guest programs its next timer event as
 * an absolute time. KVM arms it with Sstc's vstimecmp when the host has
 * Sstc, otherwise with an hrtimer.
 */

#include <linux/kvm_host.h>
#include <asm/kvm_vcpu_pmu.h>
#include <asm/kvm_vcpu_timer.h>

static void time_set_timer(struct kvm_vcpu *vcpu,
			   const struct kvm_vcpu_sbi_call *call,
			   struct kvm_vcpu_sbi_return *ret)
{
	u64 next_cycle = kvm_vcpu_sbi_arg_u64(call, 0);

	/* Answered first: neither @call nor @ret is live across the calls. */
	kvm_vcpu_sbi_ret_value(ret, 0);
	kvm_riscv_vcpu_pmu_incr_fw(vcpu, SBI_PMU_FW_SET_TIMER);
	kvm_riscv_vcpu_timer_next_event(vcpu, next_cycle);
}

static const kvm_vcpu_sbi_fn time_fns[] = {
	[SBI_EXT_TIME_SET_TIMER]	= time_set_timer,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_time = {
	.name		= "time",
	.eid_start	= SBI_EXT_TIME,
	.eid_end	= SBI_EXT_TIME,
	.onereg_idx	= KVM_RISCV_SBI_EXT_TIME,
	.fns		= time_fns,
	.nr_fns		= ARRAY_SIZE(time_fns),
	/* Sstc: a CSR write; otherwise hrtimer_start(), fine with IRQs off. */
	.fast_fids	= BIT(SBI_EXT_TIME_SET_TIMER),
};
