// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Firmware Features extension (FWFT, EID 0x46574654): the guest reads
 * and sets per-hart features the SBI implementation controls, here KVM.
 *
 * Features:
 * - MISALIGNED_EXC_DELEG (0): supported. 1 delegates misaligned load and
 *   store exceptions to the guest through hedeleg, so that the hart (or the
 *   host firmware, which sees them first when it does not delegate them to
 *   HS-mode) hands them straight to the guest's handler. 0, the reset value,
 *   leaves them to KVM, which redirects them to the guest as 6.12 does:
 *   neither KVM nor the firmware can emulate a misaligned AMO or LR/SC, and
 *   QEMU's hart performs misaligned plain loads and stores itself, so those
 *   never trap. The difference the guest can measure is the exit to KVM.
 * - LANDING_PAD, SHADOW_STACK, DOUBLE_TRAP, PTE_AD_HW_UPDATING and
 *   POINTER_MASKING_PMLEN (1-5): SBI_ERR_NOT_SUPPORTED. They need Zicfilp,
 *   Zicfiss, Ssdbltrp, Svadu and Ssnpm, which QEMU 7.2's hart does not have
 *   and 6.12's host kernel does not know (QEMU 10 has Svadu on and the
 *   others as options), so KVM cannot give them to a guest.
 * - Reserved and platform-specific IDs: SBI_ERR_DENIED (no platform
 *   features exist).
 *
 * A feature locked by the guest (flags bit 0) answers SBI_ERR_DENIED_LOCKED
 * to every later set, the current value included, until the vCPU is reset.
 * The state registers (KVM_REG_RISCV_SBI_STATE, subtype FWFT) have the
 * layout of Linux 6.18, struct kvm_riscv_sbi_fwft: enable, flags and value
 * per feature, only for the features this vCPU supports.
 */

#include <linux/kvm_host.h>
#include <linux/smp.h>
#include <linux/wordpart.h>

#define SBI_FWFT_SET			0
#define SBI_FWFT_GET			1

#define SBI_FWFT_MISALIGNED_EXC_DELEG	0
#define SBI_FWFT_POINTER_MASKING_PMLEN	5
/* The last standard feature ID; reserved ones follow. */
#define SBI_FWFT_STANDARD_LAST		SBI_FWFT_POINTER_MASKING_PMLEN

#define SBI_FWFT_SET_FLAG_LOCK		BIT(0)

/* The exceptions MISALIGNED_EXC_DELEG delegates. */
#define FWFT_MISALIGNED_EXCS		(BIT(EXC_LOAD_MISALIGNED) | \
					 BIT(EXC_STORE_MISALIGNED))

/* State registers: three per feature of struct kvm_riscv_sbi_fwft. */
#define FWFT_REGS_PER_FEATURE		(sizeof(struct kvm_riscv_sbi_fwft_feature) / \
					 sizeof(unsigned long))
#define FWFT_NR_STATE_REGS		(sizeof(struct kvm_riscv_sbi_fwft) / \
					 sizeof(unsigned long))

static_assert(KVM_REG_RISCV_SBI_FWFT_REG(misaligned_deleg.enable) == 0);
static_assert(KVM_REG_RISCV_SBI_FWFT_REG(pointer_masking.enable) ==
	      FWFT_REGS_PER_FEATURE);

/* Feature index in the state registers: ONE_REG order, not the SBI ID. */
enum fwft_slot {
	FWFT_SLOT_MISALIGNED,
	FWFT_SLOT_POINTER_MASKING,
	FWFT_NR_SLOTS,
};

static_assert(sizeof(struct kvm_riscv_sbi_fwft) ==
	      FWFT_NR_SLOTS * sizeof(struct kvm_riscv_sbi_fwft_feature));

/* The features this KVM implements (as slots). */
#define FWFT_SUPPORTED			BIT(FWFT_SLOT_MISALIGNED)

static struct kvm_vcpu_sbi_fwft *fwft_of(struct kvm_vcpu *vcpu)
{
	return &vcpu->arch.sbi_context.fwft;
}

/* Write the vCPU's hedeleg, and the CSR if the vCPU is loaded here. */
static void fwft_set_misaligned_deleg(struct kvm_vcpu *vcpu, bool deleg)
{
	struct kvm_vcpu_config *cfg = &vcpu->arch.cfg;
	int cpu;

	fwft_of(vcpu)->misaligned_deleg = deleg;
	/*
	 * Before the first KVM_RUN, kvm_riscv_vcpu_setup_config() writes
	 * hedeleg anew and asks kvm_riscv_vcpu_sbi_fwft_hedeleg() for these.
	 */
	if (deleg)
		cfg->hedeleg |= FWFT_MISALIGNED_EXCS;
	else
		cfg->hedeleg &= ~FWFT_MISALIGNED_EXCS;
	cpu = get_cpu();
	if (vcpu->cpu == cpu)
		csr_write(CSR_HEDELEG, cfg->hedeleg);
	put_cpu();
}

/**
 * kvm_riscv_vcpu_sbi_fwft_hedeleg() - hedeleg bits the guest's FWFT set
 * @vcpu: the vCPU
 *
 * For kvm_riscv_vcpu_setup_config(), which writes hedeleg at the first
 * KVM_RUN, after a VMM may have restored MISALIGNED_EXC_DELEG.
 *
 * Return: the exceptions FWFT delegates to the guest.
 */
unsigned long kvm_riscv_vcpu_sbi_fwft_hedeleg(struct kvm_vcpu *vcpu)
{
	return fwft_of(vcpu)->misaligned_deleg ? FWFT_MISALIGNED_EXCS : 0;
}

/*
 * The slot of the feature the guest names, or an SBI error: DENIED for a
 * reserved or platform feature, NOT_SUPPORTED for a standard one this vCPU
 * does not have (or its VMM disabled).
 */
static int fwft_slot(struct kvm_vcpu *vcpu, unsigned long arg, long *err)
{
	const struct kvm_vcpu_sbi_fwft *fwft = fwft_of(vcpu);
	u32 feature = lower_32_bits(arg);
	int slot;

	if (feature > SBI_FWFT_STANDARD_LAST) {
		*err = SBI_ERR_DENIED;
		return -1;
	}
	switch (feature) {
	case SBI_FWFT_MISALIGNED_EXC_DELEG:
		slot = FWFT_SLOT_MISALIGNED;
		break;
	case SBI_FWFT_POINTER_MASKING_PMLEN:
		slot = FWFT_SLOT_POINTER_MASKING;
		break;
	default:
		*err = SBI_ERR_NOT_SUPPORTED;
		return -1;
	}
	if (!(fwft->supported & fwft->enabled & BIT(slot))) {
		*err = SBI_ERR_NOT_SUPPORTED;
		return -1;
	}
	return slot;
}

/* fwft_set(uint32_t feature, unsigned long value, unsigned long flags) */
static void fwft_set(struct kvm_vcpu *vcpu,
		     const struct kvm_vcpu_sbi_call *call,
		     struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_vcpu_sbi_fwft *fwft = fwft_of(vcpu);
	unsigned long value = call->args[1], flags = call->args[2];
	long err;
	int slot = fwft_slot(vcpu, call->args[0], &err);

	if (slot < 0) {
		kvm_vcpu_sbi_ret_error(ret, err);
		return;
	}
	if (flags & ~SBI_FWFT_SET_FLAG_LOCK) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}
	if (fwft->locked & BIT(slot)) {
		kvm_vcpu_sbi_ret_error(ret, KVM_SBI_ERR_DENIED_LOCKED);
		return;
	}
	/* Only MISALIGNED_EXC_DELEG is supported: its values are 0 and 1. */
	if (value > 1) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}
	fwft_set_misaligned_deleg(vcpu, value);
	if (flags & SBI_FWFT_SET_FLAG_LOCK)
		fwft->locked |= BIT(slot);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

static unsigned long fwft_value(struct kvm_vcpu *vcpu, int slot)
{
	return slot == FWFT_SLOT_MISALIGNED ? fwft_of(vcpu)->misaligned_deleg : 0;
}

/* fwft_get(uint32_t feature) */
static void fwft_get(struct kvm_vcpu *vcpu,
		     const struct kvm_vcpu_sbi_call *call,
		     struct kvm_vcpu_sbi_return *ret)
{
	long err;
	int slot = fwft_slot(vcpu, call->args[0], &err);

	if (slot < 0)
		kvm_vcpu_sbi_ret_error(ret, err);
	else
		kvm_vcpu_sbi_ret_value(ret, fwft_value(vcpu, slot));
}

static void fwft_init(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_fwft *fwft = fwft_of(vcpu);

	fwft->supported = FWFT_SUPPORTED;
	fwft->enabled = FWFT_SUPPORTED;
}

/* A vCPU reset is a hart reset: every local feature to its reset value. */
static void fwft_reset(struct kvm_vcpu *vcpu)
{
	fwft_of(vcpu)->locked = 0;
	fwft_set_misaligned_deleg(vcpu, false);
}

static bool fwft_state_reg_valid(struct kvm_vcpu *vcpu, unsigned int num)
{
	return fwft_of(vcpu)->supported & BIT(num / FWFT_REGS_PER_FEATURE);
}

/* Register @num of struct kvm_riscv_sbi_fwft: which member of its feature. */
enum fwft_member { FWFT_ENABLE, FWFT_FLAGS, FWFT_VALUE };

static unsigned long fwft_get_state_reg(struct kvm_vcpu *vcpu, unsigned int num)
{
	const struct kvm_vcpu_sbi_fwft *fwft = fwft_of(vcpu);
	int slot = num / FWFT_REGS_PER_FEATURE;

	switch (num % FWFT_REGS_PER_FEATURE) {
	case FWFT_ENABLE:
		return !!(fwft->enabled & BIT(slot));
	case FWFT_FLAGS:
		return fwft->locked & BIT(slot) ? SBI_FWFT_SET_FLAG_LOCK : 0;
	default:
		return fwft_value(vcpu, slot);
	}
}

/*
 * enable may change only before the vCPU first runs (what the guest may
 * use, like the extension enable bits); flags and value at any time, so
 * that a VMM restores a guest's features, locked or not.
 */
static int fwft_set_state_reg(struct kvm_vcpu *vcpu, unsigned int num,
			      unsigned long val)
{
	struct kvm_vcpu_sbi_fwft *fwft = fwft_of(vcpu);
	int slot = num / FWFT_REGS_PER_FEATURE;

	switch (num % FWFT_REGS_PER_FEATURE) {
	case FWFT_ENABLE:
		if (val > 1)
			return -EINVAL;
		if (vcpu->arch.ran_atleast_once)
			return -EBUSY;
		if (val)
			fwft->enabled |= BIT(slot);
		else
			fwft->enabled &= ~BIT(slot);
		return 0;
	case FWFT_FLAGS:
		if (val & ~SBI_FWFT_SET_FLAG_LOCK)
			return -EINVAL;
		if (val)
			fwft->locked |= BIT(slot);
		else
			fwft->locked &= ~BIT(slot);
		return 0;
	default:
		if (val > 1)
			return -EINVAL;
		fwft_set_misaligned_deleg(vcpu, val);
		return 0;
	}
}

static const kvm_vcpu_sbi_fn fwft_fns[] = {
	[SBI_FWFT_SET]	= fwft_set,
	[SBI_FWFT_GET]	= fwft_get,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_fwft = {
	.name			= "fwft",
	.eid_start		= KVM_SBI_EXT_FWFT,
	.eid_end		= KVM_SBI_EXT_FWFT,
	.onereg_idx		= KVM_RISCV_SBI_EXT_FWFT,
	.fns			= fwft_fns,
	.nr_fns			= ARRAY_SIZE(fwft_fns),
	.init			= fwft_init,
	.reset			= fwft_reset,
	.state_subtype		= KVM_REG_RISCV_SBI_FWFT,
	.nr_state_regs		= FWFT_NR_STATE_REGS,
	.state_reg_valid	= fwft_state_reg_valid,
	.get_state_reg		= fwft_get_state_reg,
	.set_state_reg		= fwft_set_state_reg,
};
