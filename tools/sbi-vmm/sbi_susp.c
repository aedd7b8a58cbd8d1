// SPDX-License-Identifier: GPL-2.0
/*
 * SBI System Suspend (SUSP), reaching the VMM only when --sbi-policy
 * forwards it; KVM has already checked the sleep type, the resume address
 * and that every other hart is stopped. With --suspend accept the VMM
 * answers success, which KVM turns into a resume at resume_addr (a VM's RAM
 * needs no saving, and it wakes at once); by default it refuses with
 * SBI_ERR_DENIED and the guest carries on after its ecall.
 */
#include "sbi.h"

static void susp_system_suspend(struct vcpu *vcpu, const struct sbi_call *call,
				struct sbi_ret *ret)
{
	bool accept = vcpu->vm->cfg->suspend_accept;

	pr_info("guest asked to suspend (sleep type %#lx): %s", call->args[0],
		accept ? "accepted, resuming it" : "refused");
	ret->error = accept ? SBI_SUCCESS : SBI_ERR_DENIED;
	ret->value = 0;
}

static const sbi_fn susp_fns[] = {
	[0]	= susp_system_suspend,
};

static const struct sbi_ext sbi_susp = {
	.name		= "susp",
	.eid_start	= SBI_EXT_SUSP,
	.eid_end	= SBI_EXT_SUSP,
	.fns		= susp_fns,
	.nr_fns		= ARRAY_SIZE(susp_fns),
};

sbi_ext_register(sbi_susp);
