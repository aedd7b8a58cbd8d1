// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest-memory access helper of the SBI framework and the instruction
 * decoder.
 *
 * Guest virtual addresses are read with the hypervisor load instructions
 * (HLV, HLVX), which translate through the guest's VS-stage page tables and
 * the G-stage, under the guest's hstatus and a private trap vector, so a
 * fault is caught instead of taken by the host. A VS-stage fault belongs to
 * the guest and is redirected into it; a G-stage fault on guest RAM that is
 * not mapped yet is resolved and the load retried; a G-stage fault outside
 * guest RAM becomes an access fault for the guest.
 *
 * Guest physical ranges (the shared-memory calls) are checked against the
 * memslots before they are copied.
 */

#include <linux/kvm_host.h>
#include <linux/stringify.h>
#include <asm/csr.h>
#include <asm/insn-def.h>

/* HLV.BU: funct7 0110000, rs2 00001 (the H extension's unsigned byte load). */
#define HLV_BU(dest, addr)					\
	INSN_R(OPCODE_SYSTEM, FUNC3(4), FUNC7(48),		\
	       RD(dest), RS1(addr), __RS2(1))

#ifdef CONFIG_64BIT
#define HLV_LONG(dest, addr)	HLV_D(dest, addr)
#else
#define HLV_LONG(dest, addr)	HLV_W(dest, addr)
#endif

/* Attempts to fault in a G-stage page before giving the guest a retry. */
#define GUEST_MEM_TRIES		4

enum guest_load {
	LOAD_BYTE,
	LOAD_LONG,
	LOAD_INSN_HALF,		/* HLVX.HU: needs execute permission */
};

/*
 * May this CPU's hgatp tag another VM's TLB? @vcpu is loaded on this CPU,
 * outside the guest (exit handling).
 *
 * A vCPU's hgatp gets the VM's VMID at entry (and on KVM_REQ_UPDATE_HGATP),
 * but a VMID rollover (vmid.c) may have happened since: the rollover
 * flushes every CPU's G-stage TLB once and hands VMIDs out anew, so the
 * VMID still in hgatp may now be another VM's, whose translations this CPU
 * caches from then on. A hypervisor load (HLV/HLVX) with that hgatp could
 * use them: read another VM's memory. Also stale: another vCPU of the VM
 * already took the VM's new VMID and this vCPU's hgatp update is pending.
 *
 * The guest-memory helper calls this with interrupts off, right before its
 * hypervisor loads and in the same interrupts-off section: a rollover on
 * another CPU then waits (its flush IPI) until the loads are done, and
 * flushes what they cached. If stale, it loads nothing and the guest is
 * entered again at the same instruction (as after a redirected fault): the
 * run loop gives the vCPU its new VMID first, and the instruction traps
 * again.
 *
 * Called with interrupts off. True if hgatp's VMID is not the VM's
 * current one.
 */
static bool guest_mem_hgatp_stale(struct kvm_vcpu *vcpu)
{
	struct kvm_vmid *vmid = &vcpu->kvm->arch.vmid;
	unsigned long hgatp_vmid;

	hgatp_vmid = (csr_read(CSR_HGATP) & HGATP_VMID) >> HGATP_VMID_SHIFT;
	return kvm_riscv_gstage_vmid_ver_changed(vmid) ||
	       hgatp_vmid != READ_ONCE(vmid->vmid);
}

/*
 * One hypervisor load, in one asm statement, so that no C code (lockdep's
 * or KASAN's calls, for instance) runs while stvec points at
 * __kvm_riscv_unpriv_trap, and no register the load depends on is set up
 * outside it. It loads a0 with @trap and t0 with @gva (the instruction
 * macros take register names), swaps in the guest's hstatus (SPVP gives
 * the privilege the access is checked at) and the trap vector, issues the
 * load @kind selects into t1 and restores both CSRs. On a fault the trap
 * stub stores sepc, scause, stval, htval and htinst through a0, clobbers a1
 * and resumes after the 4-byte load (norvc), leaving the value 0.
 * Interrupts are off around it: one taken with the stub as trap vector
 * would be mistaken for a fault of the load. Return: false, having loaded
 * nothing, if the CPU's hgatp may carry another VM's VMID.
 */
static bool guest_load_once(struct kvm_vcpu *vcpu, unsigned long gva,
			    enum guest_load kind, struct kvm_cpu_trap *trap,
			    unsigned long *valp)
{
	unsigned long hstatus = vcpu->arch.guest_context.hstatus;
	unsigned long stvec = (unsigned long)&__kvm_riscv_unpriv_trap;
	unsigned long flags, val;

	BUILD_BUG_ON(LOAD_BYTE != 0 || LOAD_LONG != 1 || LOAD_INSN_HALF != 2);

	local_irq_save(flags);
	/*
	 * Not with a VMID that a rollover may have given another VM: asked
	 * with interrupts off, so that a rollover's flush waits for the load.
	 */
	if (guest_mem_hgatp_stale(vcpu)) {
		local_irq_restore(flags);
		return false;
	}
	asm volatile(".option push\n"
		     ".option norvc\n"
		     "mv	a0, %[trap]\n"
		     "mv	t0, %[addr]\n"
		     "li	t1, 0\n"
		     "li	a1, 1\n"
		     "csrrw	%[hs], " __stringify(CSR_HSTATUS) ", %[hs]\n"
		     "csrrw	%[tv], " __stringify(CSR_STVEC) ", %[tv]\n"
		     "beq	%[kind], a1, 2f\n"
		     "bltu	%[kind], a1, 1f\n"
		     HLVX_HU(t1, t0) "\n"
		     "j	3f\n"
		     "1:\n"
		     HLV_BU(t1, t0) "\n"
		     "j	3f\n"
		     "2:\n"
		     HLV_LONG(t1, t0) "\n"
		     "3:\n"
		     "csrw	" __stringify(CSR_STVEC) ", %[tv]\n"
		     "csrw	" __stringify(CSR_HSTATUS) ", %[hs]\n"
		     "mv	%[val], t1\n"
		     ".option pop"
		     : [val] "=r" (val), [hs] "+r" (hstatus), [tv] "+r" (stvec)
		     : [trap] "r" (trap), [addr] "r" (gva),
		       [kind] "r" ((unsigned long)kind)
		     : "a0", "a1", "t0", "t1", "memory");
	local_irq_restore(flags);
	*valp = val;
	return true;
}

/* Map the guest page behind a G-stage fault, as the guest's own load would. */
static int guest_mem_fault_in(struct kvm_vcpu *vcpu,
			      const struct kvm_cpu_trap *trap)
{
	gpa_t gpa = (trap->htval << 2) | (trap->stval & 0x3);
	gfn_t gfn = gpa >> PAGE_SHIFT;
	struct kvm_memory_slot *slot;
	unsigned long hva;
	bool writable;

	slot = kvm_vcpu_gfn_to_memslot(vcpu, gfn);
	hva = gfn_to_hva_memslot_prot(slot, gfn, &writable);
	if (kvm_is_error_hva(hva))
		return -EFAULT;
	return kvm_riscv_gstage_map(vcpu, slot, gpa, hva, false);
}

/* Deliver @cause for @gva to the guest, at the instruction that asked. */
static int guest_mem_redirect(struct kvm_vcpu *vcpu, unsigned long cause,
			      unsigned long gva)
{
	struct kvm_cpu_trap trap = {
		.sepc = vcpu->arch.guest_context.sepc,
		.scause = cause,
		.stval = gva,
	};

	kvm_riscv_vcpu_trap_redirect(vcpu, &trap);
	vcpu->stat.guest_mem_faults_redirected++;
	return KVM_GUEST_MEM_REDIRECTED;
}

/* The exception the guest sees for a fault @kind raised with @cause. */
static unsigned long guest_mem_fault_cause(enum guest_load kind,
					   unsigned long cause)
{
	bool fetch = kind == LOAD_INSN_HALF;

	switch (cause) {
	case EXC_LOAD_PAGE_FAULT:
		return fetch ? EXC_INST_PAGE_FAULT : EXC_LOAD_PAGE_FAULT;
	case EXC_LOAD_MISALIGNED:
		return fetch ? EXC_INST_MISALIGNED : EXC_LOAD_MISALIGNED;
	default:
		return fetch ? EXC_INST_ACCESS : EXC_LOAD_ACCESS;
	}
}

/*
 * Load with fault handling. Return: 0 and *val; KVM_GUEST_MEM_REDIRECTED
 * when the guest resumes at its current instruction instead (a fault was
 * redirected to it, or, after repeated G-stage faults, it retries the
 * instruction itself); or a negative errno from the G-stage mapping.
 */
static int guest_load(struct kvm_vcpu *vcpu, unsigned long gva,
		      enum guest_load kind, unsigned long *val)
{
	struct kvm_cpu_trap trap;
	int tries, rc;

	for (tries = 0; tries < GUEST_MEM_TRIES; tries++) {
		memset(&trap, 0, sizeof(trap));
		/* A stale VMID: the guest retries once it has the new one. */
		if (!guest_load_once(vcpu, gva, kind, &trap, val))
			return KVM_GUEST_MEM_REDIRECTED;
		if (!trap.scause)
			return 0;
		if (trap.scause != EXC_LOAD_GUEST_PAGE_FAULT)
			return guest_mem_redirect(vcpu,
					guest_mem_fault_cause(kind, trap.scause),
					gva);
		rc = guest_mem_fault_in(vcpu, &trap);
		if (rc == -EFAULT)
			return guest_mem_redirect(vcpu,
					guest_mem_fault_cause(kind, EXC_LOAD_ACCESS),
					gva);
		if (rc)
			return rc;
		vcpu->stat.guest_mem_faults_resolved++;
	}
	return KVM_GUEST_MEM_REDIRECTED;
}

/**
 * kvm_riscv_vcpu_read_guest_va() - read guest virtual memory
 * @vcpu: the vCPU whose address space and privilege apply
 * @gva: guest virtual address (guest physical while the guest's satp is 0)
 * @buf: destination
 * @len: number of bytes
 *
 * Reads as the guest's supervisor mode would at the instruction being
 * emulated, including its SUM and MXR settings.
 *
 * Context: vCPU exit handling (vCPU loaded, kvm->srcu held); may sleep.
 * Return: 0 when @buf is filled; KVM_GUEST_MEM_REDIRECTED when the guest
 * instead resumes at its current instruction (a fault was redirected into
 * it); a negative errno on a host failure.
 */
int kvm_riscv_vcpu_read_guest_va(struct kvm_vcpu *vcpu, unsigned long gva,
				 void *buf, unsigned int len)
{
	u8 *dst = buf;
	unsigned long val;
	int rc;

	while (len) {
		bool whole = len >= sizeof(long) && IS_ALIGNED(gva, sizeof(long));

		rc = guest_load(vcpu, gva, whole ? LOAD_LONG : LOAD_BYTE, &val);
		if (rc)
			return rc;
		if (whole) {
			memcpy(dst, &val, sizeof(long));
			dst += sizeof(long);
			gva += sizeof(long);
			len -= sizeof(long);
		} else {
			*dst++ = val;
			gva++;
			len--;
		}
	}
	return 0;
}

/**
 * kvm_riscv_vcpu_fetch_guest_insn() - read the guest instruction at @gva
 * @vcpu: the vCPU
 * @gva: guest virtual address of the instruction
 * @insn: the instruction, 16 or 32 bits
 *
 * Fetches with execute permission (HLVX); a fault reaches the guest as an
 * instruction fault.
 *
 * Context: vCPU exit handling (vCPU loaded, kvm->srcu held); may sleep.
 * Return: as kvm_riscv_vcpu_read_guest_va().
 */
int kvm_riscv_vcpu_fetch_guest_insn(struct kvm_vcpu *vcpu, unsigned long gva,
				    unsigned long *insn)
{
	unsigned long lo, hi;
	int rc;

	rc = guest_load(vcpu, gva, LOAD_INSN_HALF, &lo);
	if (rc)
		return rc;
	if ((lo & 0x3) != 0x3) {
		*insn = lo;
		return 0;
	}
	rc = guest_load(vcpu, gva + 2, LOAD_INSN_HALF, &hi);
	if (rc)
		return rc;
	*insn = lo | (hi << 16);
	return 0;
}

/**
 * kvm_riscv_vcpu_guest_pa_check() - may the guest share this physical range?
 * @vcpu: the vCPU
 * @gpa: start of the range
 * @len: its length, non-zero
 * @align: required alignment of @gpa (a power of two), or 0
 * @write: the range must also be writable
 *
 * Every page of [@gpa, @gpa + @len) must be guest RAM (a memslot), and not
 * read-only when @write. Walks memslots, not pages.
 *
 * Context: kvm->srcu held.
 * Return: 0; -EINVAL if @len is 0 or @gpa is misaligned; -EFAULT if the range
 * wraps or is not (writable) guest RAM.
 */
int kvm_riscv_vcpu_guest_pa_check(struct kvm_vcpu *vcpu, gpa_t gpa,
				  unsigned long len, unsigned long align,
				  bool write)
{
	struct kvm_memory_slot *slot;
	gfn_t gfn, last;

	if (!len || (align && !IS_ALIGNED(gpa, align)))
		return -EINVAL;
	if (gpa + len - 1 < gpa)
		return -EFAULT;

	last = (gpa + len - 1) >> PAGE_SHIFT;
	for (gfn = gpa >> PAGE_SHIFT; gfn <= last;
	     gfn = slot->base_gfn + slot->npages) {
		slot = kvm_vcpu_gfn_to_memslot(vcpu, gfn);
		if (!slot || (slot->flags & KVM_MEMSLOT_INVALID))
			return -EFAULT;
		if (write && (slot->flags & KVM_MEM_READONLY))
			return -EFAULT;
	}
	return 0;
}

/**
 * kvm_riscv_vcpu_read_guest_pa() - copy from a checked guest physical range
 * @vcpu: the vCPU
 * @gpa: guest physical address
 * @buf: destination
 * @len: number of bytes, non-zero
 *
 * Context: kvm->srcu held; may sleep.
 * Return: 0, or a negative errno as kvm_riscv_vcpu_guest_pa_check().
 */
int kvm_riscv_vcpu_read_guest_pa(struct kvm_vcpu *vcpu, gpa_t gpa,
				 void *buf, unsigned long len)
{
	int rc = kvm_riscv_vcpu_guest_pa_check(vcpu, gpa, len, 0, false);

	return rc ? rc : kvm_vcpu_read_guest(vcpu, gpa, buf, len);
}

/**
 * kvm_riscv_vcpu_write_guest_pa() - copy to a checked guest physical range
 * @vcpu: the vCPU
 * @gpa: guest physical address
 * @buf: source
 * @len: number of bytes, non-zero
 *
 * Context: kvm->srcu held; may sleep.
 * Return: 0, or a negative errno as kvm_riscv_vcpu_guest_pa_check().
 */
int kvm_riscv_vcpu_write_guest_pa(struct kvm_vcpu *vcpu, gpa_t gpa,
				  const void *buf, unsigned long len)
{
	int rc = kvm_riscv_vcpu_guest_pa_check(vcpu, gpa, len, 0, true);

	return rc ? rc : kvm_vcpu_write_guest(vcpu, gpa, buf, len);
}
