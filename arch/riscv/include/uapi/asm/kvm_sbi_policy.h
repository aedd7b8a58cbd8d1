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

/*
 * The console ring: console output userspace has claimed (DBCN
 * console_write and console_write_byte, legacy console_putchar), appended
 * by the kernel to a ring userspace maps, instead of an exit per call; and
 * console input calls answered "nothing pending" while userspace says it
 * has none.
 * KVM_CHECK_EXTENSION(KVM_CAP_RISCV_SBI_CONSOLE_RING) returns the largest
 * ring size in bytes, or 0. KVM_ENABLE_CAP on the VM fd, before any vCPU
 * runs, with args[0] the ring's size in bytes (a power of two, from the
 * page size to that largest), returns a file descriptor: mmap() it
 * shared, from offset 0, for data_offset + size bytes. poll() says
 * readable when a flush is due; read() of 8 bytes clears that.
 */
#define KVM_CAP_RISCV_SBI_CONSOLE_RING	(KVM_RISCV_SBI_PRIVATE_BASE + 1)

/**
 * struct kvm_riscv_sbi_console_ring - the shared header of the console ring
 * @head: bytes the kernel appended, free-running; written by the kernel
 * @tail: bytes userspace consumed, free-running; written by userspace
 * @size: bytes of data, a power of two; byte n is at data_offset +
 *	(n & (size - 1))
 * @data_offset: where the data starts in the mapping (one page)
 * @calls: console calls the kernel answered from the ring
 * @full: console calls it forwarded because the ring had no room
 * @input_pending: written by userspace: not 0 while it may have input for
 *	the guest. While it is 0, the kernel answers console input calls (DBCN
 *	console_read of a buffer in guest memory, legacy console_getchar)
 *	itself with "nothing pending", as userspace would, without an exit
 * @pad: 0
 * @reads: console input calls the kernel so answered
 *
 * Userspace reads @head with acquire semantics, then the bytes, then
 * stores @tail with release semantics, and does so before it handles any
 * exit of any vCPU.
 */
struct kvm_riscv_sbi_console_ring {
	__u32 head;
	__u32 tail;
	__u32 size;
	__u32 data_offset;
	__u64 calls;
	__u64 full;
	__u32 input_pending;
	__u32 pad;
	__u64 reads;
};

#endif /* __UAPI_ASM_RISCV_KVM_SBI_POLICY_H */
