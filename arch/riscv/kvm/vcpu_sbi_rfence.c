// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Remote Fence extension (RFNC): a guest hart asks a set of harts to
 * execute FENCE.I or SFENCE.VMA. KVM turns each request into fence
 * requests to the selected vCPUs (tlb.c), where SFENCE.VMA becomes
 * HFENCE.VVMA in the VM's VMID. The HFENCE functions are for harts with
 * the H extension, which guests do not have.
 */

#include <linux/kvm_host.h>
#include <asm/csr.h>
#include <asm/kvm_vcpu_pmu.h>
#include <asm/pgtable.h>

/*
 * The largest ASID a guest can name: all ones in the ASIDLEN bits that
 * vsatp.ASID implements (a WARL field, like satp's). Found when a vCPU is
 * created, as Linux finds satp's ASIDLEN (asids_init()): write all ones to
 * the field and read back, interrupts off, then restore vsatp. vsatp is
 * live only while a vCPU is loaded, and no vCPU is loaded on this CPU
 * while this thread creates one; it is restored all the same. MODE is set
 * to the host's own satp mode, since a Bare vsatp with non-zero ASID is
 * UNSPECIFIED; should vsatp not take that mode (the write is then
 * ignored), the ASID field is taken as fully implemented.
 */
static unsigned long rfence_asid_max = SATP_ASID_MASK;

static unsigned long rfence_probe_asid_max(void)
{
	unsigned long flags, old, val;

	local_irq_save(flags);
	old = csr_read(CSR_VSATP);
	csr_write(CSR_VSATP, satp_mode | SATP_ASID_MASK << SATP_ASID_SHIFT);
	val = csr_read(CSR_VSATP);
	csr_write(CSR_VSATP, old);
	local_irq_restore(flags);

	if (val >> SATP_MODE_SHIFT != satp_mode >> SATP_MODE_SHIFT)
		return SATP_ASID_MASK;
	return (val >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
}

/**
 * struct rfence_range - guest virtual addresses to fence, as tlb.c takes them
 * @all: the whole address space; @start and @size are then meaningless
 * @start: start of the first page
 * @size: bytes from @start to the end of the range
 */
struct rfence_range {
	bool all;
	unsigned long start;
	unsigned long size;
};

/*
 * Decode (start_addr, size) from args[2] and args[3] into @range.
 *
 * The spec makes start == size == 0, or size == -1, the whole address
 * space. tlb.c fences page by page while pos < start + size, fencing the
 * page of each pos, so a partial range is given from its first page (an
 * unaligned start would miss the last one), an empty one as size 0, and
 * one that reaches the top page is fenced whole: the walk past that page
 * would wrap to 0 and go on for 2^(XLEN - PAGE_SHIFT) steps.
 *
 * Return: false if the range wraps past the top of the address space.
 */
static bool rfence_range_decode(const struct kvm_vcpu_sbi_call *call,
				struct rfence_range *range)
{
	unsigned long start = call->args[2], size = call->args[3];
	unsigned long last = start + size - 1;

	range->all = (!start && !size) || size == -1UL;
	range->start = start & PAGE_MASK;
	range->size = size ? size + offset_in_page(start) : 0;
	if (range->all || !size)
		return true;
	if (last < start)
		return false;

	range->all = last >= PAGE_MASK;
	return true;
}

/*
 * The checks every function makes before fencing anything: the hart mask
 * (args[0], base args[1]) selects only vCPUs, and, if @range is given, the
 * address range is valid. On failure @ret holds the guest's error.
 */
static bool rfence_prepare(struct kvm_vcpu *vcpu,
			   const struct kvm_vcpu_sbi_call *call,
			   struct rfence_range *range,
			   struct kvm_vcpu_sbi_return *ret)
{
	if (!kvm_riscv_vcpu_sbi_hart_mask_valid(vcpu, call->args[0],
						call->args[1])) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return false;
	}
	if (range && !rfence_range_decode(call, range)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_ADDRESS);
		return false;
	}
	return true;
}

static void rfence_remote_fence_i(struct kvm_vcpu *vcpu,
				  const struct kvm_vcpu_sbi_call *call,
				  struct kvm_vcpu_sbi_return *ret)
{
	if (!rfence_prepare(vcpu, call, NULL, ret))
		return;

	kvm_riscv_fence_i(vcpu->kvm, call->args[1], call->args[0]);
	kvm_riscv_vcpu_pmu_incr_fw(vcpu, SBI_PMU_FW_FENCE_I_SENT);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

static void rfence_remote_sfence_vma(struct kvm_vcpu *vcpu,
				     const struct kvm_vcpu_sbi_call *call,
				     struct kvm_vcpu_sbi_return *ret)
{
	unsigned long hmask = call->args[0], hbase = call->args[1];
	struct rfence_range range;

	if (!rfence_prepare(vcpu, call, &range, ret))
		return;

	if (range.all)
		kvm_riscv_hfence_vvma_all(vcpu->kvm, hbase, hmask);
	else
		kvm_riscv_hfence_vvma_gva(vcpu->kvm, hbase, hmask,
					  range.start, range.size, PAGE_SHIFT);
	kvm_riscv_vcpu_pmu_incr_fw(vcpu, SBI_PMU_FW_HFENCE_VVMA_SENT);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

static void rfence_remote_sfence_vma_asid(struct kvm_vcpu *vcpu,
					  const struct kvm_vcpu_sbi_call *call,
					  struct kvm_vcpu_sbi_return *ret)
{
	unsigned long hmask = call->args[0], hbase = call->args[1];
	unsigned long asid = call->args[4];
	struct rfence_range range;

	if (!rfence_prepare(vcpu, call, &range, ret))
		return;
	/* An ASID the guest's vsatp cannot hold is a bad asid. */
	if (asid > READ_ONCE(rfence_asid_max)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}

	if (range.all)
		kvm_riscv_hfence_vvma_asid_all(vcpu->kvm, hbase, hmask, asid);
	else
		kvm_riscv_hfence_vvma_asid_gva(vcpu->kvm, hbase, hmask,
					       range.start, range.size,
					       PAGE_SHIFT, asid);
	kvm_riscv_vcpu_pmu_incr_fw(vcpu, SBI_PMU_FW_HFENCE_VVMA_ASID_SENT);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

/*
 * SBI_EXT_RFENCE_REMOTE_HFENCE_GVMA_VMID to _HFENCE_VVMA (FIDs 3-6) are
 * left out, so they answer SBI_ERR_NOT_SUPPORTED: the spec's answer when
 * a target hart has no H extension, which is every vCPU.
 */
static const kvm_vcpu_sbi_fn rfence_fns[] = {
	[SBI_EXT_RFENCE_REMOTE_FENCE_I]		= rfence_remote_fence_i,
	[SBI_EXT_RFENCE_REMOTE_SFENCE_VMA]	= rfence_remote_sfence_vma,
	[SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID]	= rfence_remote_sfence_vma_asid,
};

static void rfence_init(struct kvm_vcpu *vcpu)
{
	WRITE_ONCE(rfence_asid_max, rfence_probe_asid_max());
}

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_rfence = {
	.name		= "rfence",
	.eid_start	= SBI_EXT_RFENCE,
	.eid_end	= SBI_EXT_RFENCE,
	.onereg_idx	= KVM_RISCV_SBI_EXT_RFENCE,
	.fns		= rfence_fns,
	.nr_fns		= ARRAY_SIZE(rfence_fns),
	.init		= rfence_init,
};
