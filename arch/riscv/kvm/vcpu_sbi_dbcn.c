// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Debug Console extension (DBCN): console write, read and write_byte
 * for early boot and debugging. The console is the VMM's, so every
 * function goes to userspace as KVM_EXIT_RISCV_SBI with its arguments as
 * the guest passed them; the VMM checks the buffer and answers. DBCN
 * starts disabled, as in Linux 6.12: a VMM that implements it enables it
 * with KVM_REG_RISCV_SBI_EXT.
 */

#include <linux/kvm_host.h>

static void dbcn_forward(struct kvm_vcpu *vcpu,
			 const struct kvm_vcpu_sbi_call *call,
			 struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_forward(ret);
}

static const kvm_vcpu_sbi_fn dbcn_fns[] = {
	[SBI_EXT_DBCN_CONSOLE_WRITE]		= dbcn_forward,
	[SBI_EXT_DBCN_CONSOLE_READ]		= dbcn_forward,
	[SBI_EXT_DBCN_CONSOLE_WRITE_BYTE]	= dbcn_forward,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_dbcn = {
	.name			= "dbcn",
	.eid_start		= SBI_EXT_DBCN,
	.eid_end		= SBI_EXT_DBCN,
	.onereg_idx		= KVM_RISCV_SBI_EXT_DBCN,
	.default_disabled	= true,
	.fns			= dbcn_fns,
	.nr_fns			= ARRAY_SIZE(dbcn_fns),
};
