// SPDX-License-Identifier: GPL-2.0
/*
 * SBI Base, probe_extension only. KVM answers BASE itself, except a probe
 * of an EID in the experimental or vendor range: the VMM implements those
 * ranges, so only the VMM knows which EIDs exist there.
 */
#include "sbi.h"

static void base_probe_extension(struct vcpu *vcpu, const struct sbi_call *call,
				 struct sbi_ret *ret)
{
	(void)vcpu;
	ret->error = SBI_SUCCESS;
	ret->value = sbi__is_emulated(call->args[0]);
}

static const sbi_fn base_fns[] = {
	[SBI_BASE_PROBE_EXTENSION]	= base_probe_extension,
};

static const struct sbi_ext sbi_base = {
	.name		= "base",
	.eid_start	= SBI_EXT_BASE,
	.eid_end	= SBI_EXT_BASE,
	.fns		= base_fns,
	.nr_fns		= ARRAY_SIZE(base_fns),
};

sbi_ext_register(sbi_base);
