// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VM's SBI state and its hart map: created and freed with the VM (the
 * hart map, the SBI policy, SSE's VM-wide state), and the lookup that turns
 * a hart ID from the guest into a vCPU, for HSM and the hart masks of IPI
 * and RFENCE, without locks (the fast path uses it).
 */

#include <linux/kvm_host.h>
#include <linux/nospec.h>
#include <asm/kvm_vcpu_sbi.h>

/*
 * The hart map: SBI calls name harts by ID (HSM, and the hart masks of
 * IPI and RFENCE), one lookup per hart named. kvm_get_vcpu_by_id() walks
 * the VM's vCPU xarray, and every vCPU when an ID is not its vCPU index.
 * The hart map (kvm->arch.sbi_harts) is an array by vcpu_id, allocated
 * with the VM and read without locks: an entry is set once, to a vCPU that
 * lives as long as the VM, and never cleared; kvm->arch.sbi_harts_nr
 * counts them. A vCPU between its publication and
 * kvm_arch_vcpu_postcreate() has no entry yet: the lookup then falls back
 * to kvm_get_vcpu_by_id(), so it answers the same. Once every online vCPU
 * is entered, an ID with no entry has no vCPU: no fallback, no walk.
 */

/**
 * kvm_riscv_sbi_init_vm() - allocate the VM's hart map and SSE state, set up
 *	its policy
 * @kvm: the VM being created (from kvm_arch_init_vm())
 *
 * Return: 0 or -ENOMEM.
 */
int kvm_riscv_sbi_init_vm(struct kvm *kvm)
{
	kvm_riscv_sbi_policy_init_vm(kvm);
	kvm->arch.sbi_harts = kvcalloc(KVM_MAX_VCPU_IDS,
				       sizeof(*kvm->arch.sbi_harts),
				       GFP_KERNEL_ACCOUNT);
	atomic_set(&kvm->arch.sbi_harts_nr, 0);
	if (!kvm->arch.sbi_harts || kvm_riscv_sbi_sse_init_vm(kvm)) {
		kvm_riscv_sbi_destroy_vm(kvm);
		return -ENOMEM;
	}
	return 0;
}

/**
 * kvm_riscv_vcpu_sbi_postcreate() - enter a new vCPU in the VM's hart map
 * @vcpu: a vCPU KVM has just published (from kvm_arch_vcpu_postcreate())
 *
 * Not earlier: kvm_arch_vcpu_create() also runs for a vCPU whose ID turns
 * out to be taken, which is then destroyed.
 */
void kvm_riscv_vcpu_sbi_postcreate(struct kvm_vcpu *vcpu)
{
	struct kvm_arch *arch = &vcpu->kvm->arch;

	/* Both pair with the reads in sbi_hart_miss(). */
	smp_store_release(&arch->sbi_harts[vcpu->vcpu_id], vcpu);
	atomic_inc_return_release(&arch->sbi_harts_nr);
}

/**
 * kvm_riscv_sbi_destroy_vm() - free the VM's hart map, SSE state and console
 *	ring
 * @kvm: the VM, whose vCPUs are destroyed (or were never created)
 */
void kvm_riscv_sbi_destroy_vm(struct kvm *kvm)
{
	kvm_riscv_sbi_console_destroy_vm(kvm);
	kvm_riscv_sbi_sse_destroy_vm(kvm);
	kvfree(kvm->arch.sbi_harts);
	kvm->arch.sbi_harts = NULL;
}

/*
 * No entry for @hartid in the map. Out of line, so that a hit saves no
 * registers for it.
 */
static noinline struct kvm_vcpu *sbi_hart_miss(struct kvm *kvm,
					       unsigned long hartid)
{
	struct kvm_vcpu *target;
	int entered;

	/*
	 * The count, then the entry again. If the count equals the online
	 * vCPUs read after it, every vCPU online at that point has its entry
	 * stored, visible to the second read: no vCPU has @hartid.
	 */
	entered = atomic_read_acquire(&kvm->arch.sbi_harts_nr);
	target = READ_ONCE(kvm->arch.sbi_harts[hartid]);
	if (target || entered == atomic_read(&kvm->online_vcpus))
		return target;
	return kvm_get_vcpu_by_id(kvm, hartid);
}

/**
 * kvm_riscv_vcpu_sbi_hart() - the vCPU an SBI hart ID names
 * @vcpu: the calling vCPU
 * @hartid: hart ID from the guest (any value)
 *
 * Context: any; does not sleep or take locks (the SBI fast path calls it).
 * Return: the vCPU whose vcpu_id is @hartid, or NULL.
 */
struct kvm_vcpu *kvm_riscv_vcpu_sbi_hart(struct kvm_vcpu *vcpu,
					 unsigned long hartid)
{
	struct kvm_vcpu *target;

	if (hartid >= KVM_MAX_VCPU_IDS)
		return NULL;
	hartid = array_index_nospec(hartid, KVM_MAX_VCPU_IDS);
	target = READ_ONCE(vcpu->kvm->arch.sbi_harts[hartid]);
	return target ?: sbi_hart_miss(vcpu->kvm, hartid);
}

#if IS_ENABLED(CONFIG_KVM_RISCV_SBI_KUNIT_TEST)
#include "sbi_hart_test.c"
#endif
