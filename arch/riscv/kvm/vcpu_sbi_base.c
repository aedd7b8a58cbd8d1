// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Base extension (EID 0x10): the calls a guest makes first, to learn
 * which SBI version and implementation it runs on and which extensions it
 * may use. Every function is mandatory and succeeds.
 */

#include <linux/kvm_host.h>
#include <linux/version.h>
#include <asm/kvm_sbi_policy.h>

static void base_get_spec_version(struct kvm_vcpu *vcpu,
				  const struct kvm_vcpu_sbi_call *call,
				  struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_ret_value(ret, (KVM_SBI_VERSION_MAJOR <<
				     SBI_SPEC_VERSION_MAJOR_SHIFT) |
				    KVM_SBI_VERSION_MINOR);
}

static void base_get_impl_id(struct kvm_vcpu *vcpu,
			     const struct kvm_vcpu_sbi_call *call,
			     struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_ret_value(ret, KVM_SBI_IMPID);
}

/* The host kernel's version, encoded as LINUX_VERSION_CODE is. */
static void base_get_impl_version(struct kvm_vcpu *vcpu,
				  const struct kvm_vcpu_sbi_call *call,
				  struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_ret_value(ret, KERNEL_VERSION(LINUX_VERSION_MAJOR,
						   LINUX_VERSION_PATCHLEVEL,
						   LINUX_VERSION_SUBLEVEL));
}

static void base_probe_extension(struct kvm_vcpu *vcpu,
				 const struct kvm_vcpu_sbi_call *call,
				 struct kvm_vcpu_sbi_return *ret)
{
	const struct kvm_vcpu_sbi_extension *ext;

	/* What dispatch will do: the VM's policy, if any, decides first. */
	if (vcpu->kvm->arch.sbi_policy) {
		switch (kvm_riscv_sbi_policy_probe(vcpu->kvm, call->args[0])) {
		case KVM_RISCV_SBI_POLICY_FORWARD:
			kvm_vcpu_sbi_ret_value(ret, 1);
			return;
		case KVM_RISCV_SBI_POLICY_DENY:
			kvm_vcpu_sbi_ret_value(ret, 0);
			return;
		}
	}

	/* A disabled or unavailable extension is not found: report 0. */
	ext = kvm_riscv_vcpu_sbi_find_ext(vcpu, call->args[0]);
	if (!ext) {
		kvm_vcpu_sbi_ret_value(ret, 0);
		return;
	}

	/* The VMM implements the EIDs (experimental, vendor ranges). */
	if (ext->probe_forwarded) {
		kvm_vcpu_sbi_forward(ret);
		return;
	}

	kvm_vcpu_sbi_ret_value(ret, ext->probe ? ext->probe(vcpu) : 1);
}

static void base_get_mvendorid(struct kvm_vcpu *vcpu,
			       const struct kvm_vcpu_sbi_call *call,
			       struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_ret_value(ret, vcpu->arch.mvendorid);
}

static void base_get_marchid(struct kvm_vcpu *vcpu,
			     const struct kvm_vcpu_sbi_call *call,
			     struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_ret_value(ret, vcpu->arch.marchid);
}

static void base_get_mimpid(struct kvm_vcpu *vcpu,
			    const struct kvm_vcpu_sbi_call *call,
			    struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_ret_value(ret, vcpu->arch.mimpid);
}

static const kvm_vcpu_sbi_fn base_fns[] = {
	[SBI_EXT_BASE_GET_SPEC_VERSION]	= base_get_spec_version,
	[SBI_EXT_BASE_GET_IMP_ID]	= base_get_impl_id,
	[SBI_EXT_BASE_GET_IMP_VERSION]	= base_get_impl_version,
	[SBI_EXT_BASE_PROBE_EXT]	= base_probe_extension,
	[SBI_EXT_BASE_GET_MVENDORID]	= base_get_mvendorid,
	[SBI_EXT_BASE_GET_MARCHID]	= base_get_marchid,
	[SBI_EXT_BASE_GET_MIMPID]	= base_get_mimpid,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_base = {
	.name		= "base",
	.eid_start	= SBI_EXT_BASE,
	.eid_end	= SBI_EXT_BASE,
	.onereg_idx	= KVM_SBI_ALWAYS_ENABLED,
	.fns		= base_fns,
	.nr_fns		= ARRAY_SIZE(base_fns),
	/*
	 * All of them: a probe that the VMM must answer (the forwarded ranges)
	 * is forwarded before anything changed, which the fast path allows.
	 */
	.fast_fids	= BIT(SBI_EXT_BASE_GET_SPEC_VERSION) |
			  BIT(SBI_EXT_BASE_PROBE_EXT) |
			  BIT(SBI_EXT_BASE_GET_IMP_ID) |
			  BIT(SBI_EXT_BASE_GET_IMP_VERSION) |
			  BIT(SBI_EXT_BASE_GET_MVENDORID) |
			  BIT(SBI_EXT_BASE_GET_MARCHID) |
			  BIT(SBI_EXT_BASE_GET_MIMPID),
};
