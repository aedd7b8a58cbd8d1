// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI IPI extension (sPI): a guest hart raises a supervisor software
 * interrupt on a set of harts, given as an SBI hart mask. In a guest the
 * harts are the VM's vCPUs and the interrupt is VS-mode's.
 */

#include <linux/kvm_host.h>
#include <asm/kvm_vcpu_pmu.h>

/* Raise the interrupt on one target; false (and @ret failed) on error. */
static bool ipi_send_one(struct kvm_vcpu *target, struct kvm_vcpu_sbi_return *ret)
{
	int err = kvm_riscv_vcpu_set_interrupt(target, IRQ_VS_SOFT);

	if (err) {
		kvm_vcpu_sbi_ret_failed(ret, err);
		return false;
	}
	kvm_riscv_vcpu_pmu_incr_fw(target, SBI_PMU_FW_IPI_RCVD);
	return true;
}

/*
 * The most harts a send_ipi answered in the fast path may name. Each costs,
 * with interrupts off, a hart map lookup, two atomic bit sets and a kick
 * (an IPI to the CPU running that vCPU): 16 of them are about the cost of
 * the normal exit the fast path saves, so the fast path never holds
 * interrupts off much longer than an exit does. Guests name few harts per
 * call (the own hart, a neighbour); a broadcast (hart_mask_base -1, every
 * vCPU of the VM: up to KVM_MAX_VCPUS) or a wider mask takes the normal
 * path, where the same work runs with interrupts on.
 */
#define IPI_FAST_MAX_HARTS	16

/* Does @hmask name at most IPI_FAST_MAX_HARTS harts? Bounded: 16 steps. */
static bool ipi_fast_mask_small(unsigned long hmask)
{
	int i;

	for (i = 0; hmask && i < IPI_FAST_MAX_HARTS; i++)
		hmask &= hmask - 1;	/* clear the lowest bit */
	return !hmask;
}

static void ipi_send_ipi(struct kvm_vcpu *vcpu,
			 const struct kvm_vcpu_sbi_call *call,
			 struct kvm_vcpu_sbi_return *ret)
{
	unsigned long hmask = call->args[0], hbase = call->args[1];
	struct kvm_vcpu *target;
	unsigned long i;

	/* Bounded work with interrupts off: see IPI_FAST_MAX_HARTS. */
	if (kvm_vcpu_sbi_in_fastpath() &&
	    (hbase == -1UL || !ipi_fast_mask_small(hmask))) {
		kvm_vcpu_sbi_normal_path(ret);
		return;
	}

	/* The spec's INVALID_PARAM leaves no room for a partial send. */
	if (!kvm_riscv_vcpu_sbi_hart_mask_valid(vcpu, hmask, hbase)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}

	kvm_riscv_vcpu_pmu_incr_fw(vcpu, SBI_PMU_FW_IPI_SENT);
	if (hbase == -1UL) {
		kvm_for_each_vcpu(i, target, vcpu->kvm)
			if (!ipi_send_one(target, ret))
				return;
	} else {
		/* Only the selected harts, all valid (as the check walks). */
		for (i = hbase; hmask; hmask >>= 1, i++) {
			if (!(hmask & 1))
				continue;
			target = kvm_riscv_vcpu_sbi_hart(vcpu, i);
			if (!ipi_send_one(target, ret))
				return;
		}
	}
	kvm_vcpu_sbi_ret_value(ret, 0);
}

static const kvm_vcpu_sbi_fn ipi_fns[] = {
	[SBI_EXT_IPI_SEND_IPI]	= ipi_send_ipi,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_ipi = {
	.name		= "ipi",
	.eid_start	= SBI_EXT_IPI,
	.eid_end	= SBI_EXT_IPI,
	.onereg_idx	= KVM_RISCV_SBI_EXT_IPI,
	.fns		= ipi_fns,
	.nr_fns		= ARRAY_SIZE(ipi_fns),
	/*
	 * Setting a pending bit and kicking the target are IRQ-safe; at most
	 * IPI_FAST_MAX_HARTS targets in the fast path.
	 */
	.fast_fids	= BIT(SBI_EXT_IPI_SEND_IPI),
};
