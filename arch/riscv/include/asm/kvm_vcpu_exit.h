/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest exits KVM cannot complete as the guest asked: what the guest or
 * the VMM gets instead (arch/riscv/kvm/vcpu_exit_fault.c).
 */

#ifndef __RISCV_KVM_VCPU_EXIT_H__
#define __RISCV_KVM_VCPU_EXIT_H__

#include <linux/types.h>

struct kvm_cpu_trap;
struct kvm_run;
struct kvm_vcpu;

int kvm_riscv_vcpu_gstage_no_memory(struct kvm_vcpu *vcpu, struct kvm_run *run,
				    const struct kvm_cpu_trap *trap,
				    gpa_t fault_addr);
void kvm_riscv_vcpu_exit_error(struct kvm_vcpu *vcpu,
			       const struct kvm_cpu_trap *trap, int err);

#endif /* __RISCV_KVM_VCPU_EXIT_H__ */
