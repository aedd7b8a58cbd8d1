/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * RISC-V KVM: the per-VM SBI call policy, by which userspace claims SBI
 * calls (forward them to it), denies them, or leaves them to the kernel.
 * See Documentation/virt/kvm/api.rst and Documentation/virt/kvm/riscv/sbi.rst.
 */

#ifndef __UAPI_ASM_RISCV_KVM_SBI_POLICY_H
#define __UAPI_ASM_RISCV_KVM_SBI_POLICY_H

#include <linux/types.h>

#include <asm/kvm_sbi_ext.h>

/*
 * KVM_CHECK_EXTENSION(KVM_CAP_RISCV_SBI_POLICY) returns the number of
 * policy entries a VM accepts, or 0 without the policy. Its number is the
 * first of this project's block (KVM_RISCV_SBI_PRIVATE_BASE), out of the
 * range of upstream's capability numbers.
 */
#define KVM_CAP_RISCV_SBI_POLICY	(KVM_RISCV_SBI_PRIVATE_BASE + 0)

/* KVM_SET_DEVICE_ATTR / KVM_HAS_DEVICE_ATTR on the VM fd */
#define KVM_RISCV_VM_ATTR_SBI_POLICY	(KVM_RISCV_SBI_PRIVATE_BASE + 0)
#define KVM_RISCV_VM_SBI_POLICY_ADD		0

/* What happens to a call an entry covers. */
#define KVM_RISCV_SBI_POLICY_HANDLE		0	/* the kernel's handler */
#define KVM_RISCV_SBI_POLICY_FORWARD		1	/* KVM_EXIT_RISCV_SBI */
#define KVM_RISCV_SBI_POLICY_DENY		2	/* SBI_ERR_NOT_SUPPORTED */

/**
 * struct kvm_riscv_sbi_policy_entry - one range of SBI calls and its action
 * @eid_base: first extension ID
 * @eid_count: number of extension IDs, at least 1
 * @fid_base: first function ID, if @fid_count is not 0
 * @fid_count: number of function IDs; 0 means every function. A FID range
 *	needs @eid_count == 1 and a non-legacy EID (legacy calls have no FID)
 * @action: KVM_RISCV_SBI_POLICY_*
 * @pad: must be zero
 */
struct kvm_riscv_sbi_policy_entry {
	__u32 eid_base;
	__u32 eid_count;
	__u32 fid_base;
	__u32 fid_count;
	__u8 action;
	__u8 pad[7];
};

/**
 * struct kvm_riscv_sbi_policy - what KVM_RISCV_VM_SBI_POLICY_ADD reads
 * @nr_entries: number of entries, at least 1
 * @flags: must be zero
 * @entries: user address of @nr_entries struct kvm_riscv_sbi_policy_entry
 *
 * The entries are added all or none.
 */
struct kvm_riscv_sbi_policy {
	__u32 nr_entries;
	__u32 flags;
	__u64 entries;
};

#endif /* __UAPI_ASM_RISCV_KVM_SBI_POLICY_H */
