// SPDX-License-Identifier: GPL-2.0
/*
 * SBI System Suspend (SUSP), reaching the VMM only when --sbi-policy
 * forwards it; KVM has already checked the resume address, that every
 * other hart is stopped and that the sleep type is SUSPEND_TO_RAM or one of
 * the platform's (0x80000000 up), which are the VMM's to implement: it
 * implements none, so they get SBI_ERR_INVALID_PARAM. With --suspend accept
 * the VMM answers SUSPEND_TO_RAM with success, which KVM turns into a
 * resume at resume_addr (a VM's RAM needs no saving, and it wakes at once);
 * by default it refuses with SBI_ERR_DENIED and the guest carries on after
 * its ecall.
 */
#include "sbi.h"

static void susp_system_suspend(struct vcpu *vcpu, const struct sbi_call *call,
				struct sbi_ret *ret)
{
	bool accept = vcpu->vm->cfg->suspend_accept;

	if ((uint32_t)call->args[0] != SBI_SUSP_TO_RAM) {
		pr_info("guest asked to suspend (sleep type %#lx): no such sleep type",
			call->args[0]);
		ret->error = SBI_ERR_INVALID_PARAM;
		ret->value = 0;
		return;
	}
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
