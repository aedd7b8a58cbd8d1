/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * RISC-V KVM: this project's userspace ABI for the SBI extensions the
 * kernel serves beyond Linux 6.18's: the KVM_REG_RISCV_SBI_STATE subtypes
 * it adds to upstream's (STA 0, FWFT 1, in <asm/kvm.h>), numbered from
 * 0x80 so that the next upstream subtypes cannot collide with them, and
 * the VMM's injection of SSE events. Included by <asm/kvm.h>. See
 * Documentation/virt/kvm/riscv/sbi.rst, "SBI v3.0 extensions in the
 * kernel", and Documentation/virt/kvm/api.rst.
 */

#ifndef __UAPI_ASM_RISCV_KVM_SBI_EXT_H
#define __UAPI_ASM_RISCV_KVM_SBI_EXT_H

#include <linux/types.h>

/*
 * KVM_RISCV_SBI_PRIVATE_BASE - this project's block of numbers, outside
 * upstream's: 0x52530000 ('R' 'S'). Upstream numbers its capabilities one
 * by one from 0 (about 240 in Linux 6.12) and its device attribute groups
 * from 0, so its next numbers can never reach the block. Each private
 * capability and VM attribute group is KVM_RISCV_SBI_PRIVATE_BASE + n (the
 * two name spaces are separate): api.rst documents them as sections 8.x<n>.
 */
#define KVM_RISCV_SBI_PRIVATE_BASE	0x52530000

/* SSE: the vCPU's event state (vcpu_sbi_sse.c) */
#define KVM_REG_RISCV_SBI_SSE		(0x80 << KVM_REG_RISCV_SUBTYPE_SHIFT)

/*
 * DBTR: the vCPU's debug triggers (vcpu_sbi_dbtr.c). Register 0 and 1 are
 * shmem_lo and shmem_hi; register KVM_REG_RISCV_SBI_DBTR_TRIG(i, w) is word
 * w (0 state, 1 tdata1, 2 tdata2, 3 tdata3) of logical trigger i, as
 * debug_read_triggers gives it; listed for the triggers the vCPU has.
 */
#define KVM_REG_RISCV_SBI_DBTR		(0x81 << KVM_REG_RISCV_SUBTYPE_SHIFT)
#define KVM_RISCV_SBI_DBTR_MAX_TRIGGERS	8
#define KVM_REG_RISCV_SBI_DBTR_TRIG(i, w)	(2 + 4 * (i) + (w))

/*
 * The VMM signals an SSE event: KVM_SET_DEVICE_ATTR on the VM fd, group
 * KVM_RISCV_VM_ATTR_SBI_SSE, attribute KVM_RISCV_VM_SBI_SSE_INJECT, addr
 * pointing to a struct kvm_riscv_sbi_sse_inject. KVM_HAS_DEVICE_ATTR with
 * the same group and attribute answers 0.
 */
#define KVM_RISCV_VM_ATTR_SBI_SSE	(KVM_RISCV_SBI_PRIVATE_BASE + 1)
#define KVM_RISCV_VM_SBI_SSE_INJECT		0

/**
 * struct kvm_riscv_sbi_sse_inject - an SSE event the VMM signals
 * @event_id: the SBI event ID
 * @flags: 0
 * @hart_id: the hart of a local event (ignored for a global one)
 * @reserved: 0
 */
struct kvm_riscv_sbi_sse_inject {
	__u32 event_id;
	__u32 flags;
	__u64 hart_id;
	__u64 reserved[2];
};

#endif /* __UAPI_ASM_RISCV_KVM_SBI_EXT_H */
