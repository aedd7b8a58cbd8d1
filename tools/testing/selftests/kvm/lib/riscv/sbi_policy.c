// SPDX-License-Identifier: GPL-2.0-only
/*
 * With KVM_SELFTEST_SBI_POLICY set in the environment, every VM the
 * selftest library creates gets an SBI call policy before any vCPU runs,
 * one that claims nothing the tests call (the firmware range forwarded,
 * CPPC denied). The harness runs the upstream selftests once more that
 * way, to show that a VM with a policy behaves the same for everything the
 * policy leaves to the kernel.
 */
#include <stdlib.h>
#include <linux/kvm.h>

#include "kvm_util.h"

void kvm_arch_vm_post_create(struct kvm_vm *vm)
{
	struct kvm_riscv_sbi_policy_entry entries[] = {
		{ .eid_base = 0x0a000000, .eid_count = 0x1000000,
		  .action = KVM_RISCV_SBI_POLICY_FORWARD },
		{ .eid_base = 0x43505043, .eid_count = 1,	/* CPPC */
		  .action = KVM_RISCV_SBI_POLICY_DENY },
	};
	struct kvm_riscv_sbi_policy policy = {
		.nr_entries = ARRAY_SIZE(entries),
		.entries = (unsigned long)entries,
	};
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_POLICY,
		.attr = KVM_RISCV_VM_SBI_POLICY_ADD,
		.addr = (unsigned long)&policy,
	};

	if (!getenv("KVM_SELFTEST_SBI_POLICY"))
		return;
	vm_ioctl(vm, KVM_SET_DEVICE_ATTR, &attr);
}
