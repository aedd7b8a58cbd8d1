// SPDX-License-Identifier: GPL-2.0
/*
 * CSR accesses KVM leaves to userspace (KVM_EXIT_RISCV_CSR): the ones it
 * traps but has no in-kernel emulation for. The VMM emulates none, so a
 * read gives 0 and a write is dropped; the first few are logged, and the
 * guest runs on.
 */
#include "vmm.h"

#define MAX_CSR_LOGS	16

static unsigned int csr_logged;

/**
 * csr__handle_exit() - answer a KVM_EXIT_RISCV_CSR
 * @vcpu:	the vCPU that exited
 *
 * KVM writes ret_value to the instruction's destination register on the
 * next KVM_RUN.
 */
void csr__handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned int n = __atomic_fetch_add(&csr_logged, 1, __ATOMIC_RELAXED);

	if (n < MAX_CSR_LOGS)
		pr_info("vCPU %u: CSR %#lx is not emulated: reads as 0, writes ignored",
			vcpu->id, run->riscv_csr.csr_num);
	run->riscv_csr.ret_value = 0;
}
