// SPDX-License-Identifier: GPL-2.0-only
/*
 * Extensions userspace implements. The experimental (0x08000000-
 * 0x08FFFFFF) and vendor (0x09000000-0x09FFFFFF) SBI extension spaces: KVM
 * implements nothing there, every call goes to userspace as
 * KVM_EXIT_RISCV_SBI, so a VMM can offer its own extensions; one that
 * implements none of them still gives the guest SBI_ERR_NOT_SUPPORTED,
 * which KVM presets in the exit. And MPXY, whose channels are the
 * platform's (the VMM's): disabled by default, forwarded once userspace
 * enables it (KVM_RISCV_SBI_EXT_MPXY), as in Linux 6.19.
 */

#include <linux/kvm_host.h>

static void forward_call(struct kvm_vcpu *vcpu,
			 const struct kvm_vcpu_sbi_call *call,
			 struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_forward(ret);
}

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_experimental = {
	.name		= "experimental",
	.eid_start	= SBI_EXT_EXPERIMENTAL_START,
	.eid_end	= SBI_EXT_EXPERIMENTAL_END,
	.onereg_idx	= KVM_RISCV_SBI_EXT_EXPERIMENTAL,
	.handler	= forward_call,
	.probe_forwarded = true,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_vendor = {
	.name		= "vendor",
	.eid_start	= SBI_EXT_VENDOR_START,
	.eid_end	= SBI_EXT_VENDOR_END,
	.onereg_idx	= KVM_RISCV_SBI_EXT_VENDOR,
	.handler	= forward_call,
	.probe_forwarded = true,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_mpxy = {
	.name			= "mpxy",
	.eid_start		= KVM_SBI_EXT_MPXY,
	.eid_end		= KVM_SBI_EXT_MPXY,
	.onereg_idx		= KVM_RISCV_SBI_EXT_MPXY,
	.default_disabled	= true,
	.handler		= forward_call,
};
