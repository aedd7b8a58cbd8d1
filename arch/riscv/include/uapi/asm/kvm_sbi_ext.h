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

/* SSE: the vCPU's event state (vcpu_sbi_sse.c) */
#define KVM_REG_RISCV_SBI_SSE		(0x80 << KVM_REG_RISCV_SUBTYPE_SHIFT)

/* DBTR: the vCPU's debug triggers (vcpu_sbi_dbtr.c) */
#define KVM_REG_RISCV_SBI_DBTR		(0x81 << KVM_REG_RISCV_SUBTYPE_SHIFT)

#endif /* __UAPI_ASM_RISCV_KVM_SBI_EXT_H */
