// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest exits that KVM cannot complete as the guest asked, and what the
 * guest or the VMM gets instead.
 *
 * A guest access to a guest physical address that no memslot backs is
 * MMIO for the VMM when KVM can decode the load or store. Otherwise (an
 * instruction fetch, an access KVM's decoder does not know, or one
 * misaligned for its size) the guest gets what a hart would raise for an
 * access that no device accepts: an access fault, at the instruction, with
 * the faulting address in stval. None of these fails KVM_RUN: a guest
 * cannot make its VMM's KVM_RUN fail at will.
 *
 * What still fails KVM_RUN is reported in the host log with a rate limit,
 * since a guest may be able to repeat it.
 */

#include <linux/kvm_host.h>
#include <linux/ratelimit.h>
#include <asm/csr.h>
#include <asm/kvm_vcpu_exit.h>
#include <asm/kvm_vcpu_insn.h>

/* The access fault a hart raises for the access behind a G-stage fault. */
static unsigned long exit_access_fault_cause(unsigned long scause)
{
	switch (scause) {
	case EXC_LOAD_GUEST_PAGE_FAULT:
		return EXC_LOAD_ACCESS;
	case EXC_STORE_GUEST_PAGE_FAULT:
		return EXC_STORE_ACCESS;
	default:
		return EXC_INST_ACCESS;
	}
}

static int exit_access_fault(struct kvm_vcpu *vcpu,
			     const struct kvm_cpu_trap *trap)
{
	struct kvm_cpu_trap fault = {
		.sepc = trap->sepc,
		.scause = exit_access_fault_cause(trap->scause),
		.stval = trap->stval,
	};

	kvm_riscv_vcpu_trap_redirect(vcpu, &fault);
	return 1;
}

/**
 * kvm_riscv_vcpu_gstage_no_memory() - a guest access outside guest memory
 * @vcpu: the vCPU that faulted
 * @run: its kvm_run
 * @trap: the G-stage fault (instruction, load or store guest-page fault)
 * @fault_addr: the guest physical address
 *
 * For a G-stage fault on an address no memslot backs, or a store to a
 * read-only one: a load or store KVM decodes becomes an MMIO exit; an
 * instruction fetch, an undecodable access or a misaligned one becomes an
 * access fault in the guest.
 *
 * Context: vCPU exit handling (vCPU loaded, preemptible, kvm->srcu held).
 * Return: as kvm_riscv_vcpu_exit(): 1 to re-enter the guest, 0 for an MMIO
 * exit to userspace, or a negative errno for a host failure.
 */
int kvm_riscv_vcpu_gstage_no_memory(struct kvm_vcpu *vcpu, struct kvm_run *run,
				    const struct kvm_cpu_trap *trap,
				    gpa_t fault_addr)
{
	int rc;

	switch (trap->scause) {
	case EXC_LOAD_GUEST_PAGE_FAULT:
		rc = kvm_riscv_vcpu_mmio_load(vcpu, run, fault_addr,
					      trap->htinst);
		break;
	case EXC_STORE_GUEST_PAGE_FAULT:
		rc = kvm_riscv_vcpu_mmio_store(vcpu, run, fault_addr,
					       trap->htinst);
		break;
	default:
		rc = -EOPNOTSUPP;
		break;
	}
	/*
	 * The decoders fail with -EOPNOTSUPP (not a load or store they know)
	 * or -EIO (misaligned) before they change anything.
	 */
	if (rc == -EOPNOTSUPP || rc == -EIO)
		return exit_access_fault(vcpu, trap);
	return rc;
}

/**
 * kvm_riscv_vcpu_exit_error() - report an exit that fails KVM_RUN
 * @vcpu: the vCPU
 * @trap: the trap it exited with
 * @err: the negative errno KVM_RUN returns
 *
 * One report of three lines, at most a burst of 10 every 5 s for all VMs.
 *
 * Context: vCPU exit handling.
 */
void kvm_riscv_vcpu_exit_error(struct kvm_vcpu *vcpu,
			       const struct kvm_cpu_trap *trap, int err)
{
	static DEFINE_RATELIMIT_STATE(rs, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	const struct kvm_cpu_context *cp = &vcpu->arch.guest_context;

	if (!__ratelimit(&rs))
		return;
	kvm_err("VCPU exit error %d\n"
		"SEPC=0x%lx SSTATUS=0x%lx HSTATUS=0x%lx\n"
		"SCAUSE=0x%lx STVAL=0x%lx HTVAL=0x%lx HTINST=0x%lx\n",
		err, cp->sepc, cp->sstatus, cp->hstatus,
		trap->scause, trap->stval, trap->htval, trap->htinst);
}
