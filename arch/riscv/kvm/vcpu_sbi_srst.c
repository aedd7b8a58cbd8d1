// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI System Reset extension (SRST): the guest shuts the machine down or
 * reboots it. For a VM the machine is the VMM's, so KVM stops every vCPU
 * and exits KVM_RUN with KVM_EXIT_SYSTEM_EVENT, the reset reason in
 * data[0] (as Linux 6.12) and the SBI reset type in data[1] (ndata = 2),
 * which tells a cold reboot from a warm one, and leaves the rest to the VMM.
 */

#include <linux/kvm_host.h>

/*
 * Reset reasons from here up are SBI-implementation (0xE...) or vendor
 * (0xF...) specific. The VMM is both, so KVM hands them on untouched;
 * 0x00000002-0xDFFFFFFF are reserved.
 */
#define SRST_REASON_PLATFORM_FIRST	0xE0000000U

static bool srst_reason_is_valid(u32 reason)
{
	return reason <= SBI_SRST_RESET_REASON_SYS_FAILURE ||
	       reason >= SRST_REASON_PLATFORM_FIRST;
}

static void srst_system_reset(struct kvm_vcpu *vcpu,
			      const struct kvm_vcpu_sbi_call *call,
			      struct kvm_vcpu_sbi_return *ret)
{
	/* Both arguments are uint32_t: only the low 32 bits count. */
	u32 type = call->args[0], reason = call->args[1];
	u32 event;

	switch (type) {
	case SBI_SRST_RESET_TYPE_SHUTDOWN:
		event = KVM_SYSTEM_EVENT_SHUTDOWN;
		break;
	case SBI_SRST_RESET_TYPE_COLD_REBOOT:
	case SBI_SRST_RESET_TYPE_WARM_REBOOT:
		event = KVM_SYSTEM_EVENT_RESET;
		break;
	default:
		/*
		 * Reserved (3-0xEFFFFFFF), or vendor/platform specific
		 * (0xF0000000 up), of which KVM implements none and a VMM
		 * cannot declare any: "platform specific and unimplemented".
		 */
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}

	if (!srst_reason_is_valid(reason)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}

	kvm_riscv_vcpu_sbi_system_event(vcpu, ret, event, reason);
	vcpu->run->system_event.data[1] = type;
	vcpu->run->system_event.ndata = 2;
}

static const kvm_vcpu_sbi_fn srst_fns[] = {
	[SBI_EXT_SRST_RESET]	= srst_system_reset,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_srst = {
	.name		= "srst",
	.eid_start	= SBI_EXT_SRST,
	.eid_end	= SBI_EXT_SRST,
	.onereg_idx	= KVM_RISCV_SBI_EXT_SRST,
	.fns		= srst_fns,
	.nr_fns		= ARRAY_SIZE(srst_fns),
};
