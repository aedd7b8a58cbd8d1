// SPDX-License-Identifier: GPL-2.0-only
/*
 * ONE_REG for the SBI framework: KVM_REG_RISCV_SBI_EXT, the per-vCPU enable
 * state of each extension (by its KVM_RISCV_SBI_EXT_* index, single and
 * multi registers, as in Linux 6.12), and KVM_REG_RISCV_SBI_STATE, the state
 * registers an extension declares (STA's shared memory, FWFT's features,
 * SSE's events, DBTR's triggers), with their listing for KVM_GET_REG_LIST.
 * The handlers keep 6.12's names: vcpu_onereg.c calls them.
 * See Documentation/virt/kvm/riscv/sbi.rst, "Enable state and ONE_REG".
 */

#include <linux/errno.h>
#include <linux/kvm_host.h>
#include <linux/uaccess.h>
#include <asm/kvm_vcpu_sbi.h>

#include "sbi_registry.h"

/* ONE_REG: KVM_REG_RISCV_SBI_EXT (enable state) */

static int sbi_onereg_slot(struct kvm_vcpu *vcpu, unsigned long idx)
{
	int slot;

	if (idx >= KVM_RISCV_SBI_EXT_MAX)
		return -ENOENT;
	slot = kvm_riscv_sbi_registry.onereg_slot[idx];
	if (slot < 0 || sbi_ext_state(vcpu, slot) == KVM_SBI_EXT_UNAVAILABLE)
		return -ENOENT;
	return slot;
}

/**
 * kvm_riscv_vcpu_sbi_ext_available() - can userspace enable this extension?
 * @vcpu: the vCPU
 * @onereg_idx: KVM_RISCV_SBI_EXT_* index
 *
 * Return: true if it is registered and its probe accepted @vcpu.
 */
bool kvm_riscv_vcpu_sbi_ext_available(struct kvm_vcpu *vcpu, int onereg_idx)
{
	return onereg_idx >= 0 && sbi_onereg_slot(vcpu, onereg_idx) >= 0;
}

/**
 * kvm_riscv_vcpu_sbi_ext_enabled() - is this extension enabled on the vCPU?
 * @vcpu: the vCPU
 * @onereg_idx: KVM_RISCV_SBI_EXT_* index
 *
 * Return: true if the guest can call it.
 */
bool kvm_riscv_vcpu_sbi_ext_enabled(struct kvm_vcpu *vcpu, int onereg_idx)
{
	int slot = onereg_idx >= 0 ? sbi_onereg_slot(vcpu, onereg_idx) : -1;

	return slot >= 0 && sbi_ext_state(vcpu, slot) == KVM_SBI_EXT_ENABLED;
}

static int sbi_ext_set_one(struct kvm_vcpu *vcpu, unsigned long idx,
			   unsigned long val)
{
	int slot;

	if (val > 1)
		return -EINVAL;
	slot = sbi_onereg_slot(vcpu, idx);
	if (slot < 0)
		return slot;
	vcpu->arch.sbi_context.ext_state[slot] = val ? KVM_SBI_EXT_ENABLED :
						       KVM_SBI_EXT_DISABLED;
	return 0;
}

static int sbi_ext_get_one(struct kvm_vcpu *vcpu, unsigned long idx,
			   unsigned long *val)
{
	int slot = sbi_onereg_slot(vcpu, idx);

	if (slot < 0)
		return slot;
	*val = sbi_ext_state(vcpu, slot) == KVM_SBI_EXT_ENABLED;
	return 0;
}

/* Bit i of multi-register @reg_num stands for index reg_num * BITS_PER_LONG + i. */
static unsigned long sbi_ext_multi_first(unsigned long reg_num)
{
	return reg_num * BITS_PER_LONG;
}

static int sbi_ext_set_multi(struct kvm_vcpu *vcpu, unsigned long reg_num,
			     unsigned long mask, bool enable)
{
	unsigned long bit;

	if (reg_num > KVM_REG_RISCV_SBI_MULTI_REG_LAST)
		return -ENOENT;
	/* As in 6.12: indices that are unavailable are skipped silently. */
	for_each_set_bit(bit, &mask, BITS_PER_LONG)
		sbi_ext_set_one(vcpu, sbi_ext_multi_first(reg_num) + bit, enable);
	return 0;
}

static int sbi_ext_get_multi(struct kvm_vcpu *vcpu, unsigned long reg_num,
			     unsigned long *mask)
{
	unsigned long bit, val;

	if (reg_num > KVM_REG_RISCV_SBI_MULTI_REG_LAST)
		return -ENOENT;
	*mask = 0;
	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!sbi_ext_get_one(vcpu, sbi_ext_multi_first(reg_num) + bit,
				     &val) && val)
			*mask |= BIT(bit);
	}
	return 0;
}

/* Split a KVM_REG_RISCV_SBI_* register id into subtype and number. */
static unsigned long sbi_reg_split(u64 id, u64 type, unsigned long *subtype)
{
	unsigned long num = id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK | type);

	*subtype = num & KVM_REG_RISCV_SUBTYPE_MASK;
	return num & ~KVM_REG_RISCV_SUBTYPE_MASK;
}

/**
 * kvm_riscv_vcpu_set_reg_sbi_ext() - KVM_SET_ONE_REG, KVM_REG_RISCV_SBI_EXT
 * @vcpu: the vCPU
 * @reg: the register
 *
 * Return: 0; -EINVAL (size, value); -EBUSY once the vCPU has run; -ENOENT
 * for an unavailable or unknown extension; -EFAULT.
 */
int kvm_riscv_vcpu_set_reg_sbi_ext(struct kvm_vcpu *vcpu,
				   const struct kvm_one_reg *reg)
{
	unsigned long __user *uaddr = u64_to_user_ptr(reg->addr);
	unsigned long num, subtype, val;

	if (KVM_REG_SIZE(reg->id) != sizeof(unsigned long))
		return -EINVAL;
	if (vcpu->arch.ran_atleast_once)
		return -EBUSY;
	if (copy_from_user(&val, uaddr, sizeof(val)))
		return -EFAULT;

	num = sbi_reg_split(reg->id, KVM_REG_RISCV_SBI_EXT, &subtype);
	switch (subtype) {
	case KVM_REG_RISCV_SBI_SINGLE:
		return sbi_ext_set_one(vcpu, num, val);
	case KVM_REG_RISCV_SBI_MULTI_EN:
		return sbi_ext_set_multi(vcpu, num, val, true);
	case KVM_REG_RISCV_SBI_MULTI_DIS:
		return sbi_ext_set_multi(vcpu, num, val, false);
	default:
		return -ENOENT;
	}
}

/**
 * kvm_riscv_vcpu_get_reg_sbi_ext() - KVM_GET_ONE_REG, KVM_REG_RISCV_SBI_EXT
 * @vcpu: the vCPU
 * @reg: the register
 *
 * Return: 0; -EINVAL (size); -ENOENT for an unavailable or unknown
 * extension; -EFAULT.
 */
int kvm_riscv_vcpu_get_reg_sbi_ext(struct kvm_vcpu *vcpu,
				   const struct kvm_one_reg *reg)
{
	unsigned long __user *uaddr = u64_to_user_ptr(reg->addr);
	unsigned long num, subtype, val;
	int rc;

	if (KVM_REG_SIZE(reg->id) != sizeof(unsigned long))
		return -EINVAL;

	num = sbi_reg_split(reg->id, KVM_REG_RISCV_SBI_EXT, &subtype);
	switch (subtype) {
	case KVM_REG_RISCV_SBI_SINGLE:
		rc = sbi_ext_get_one(vcpu, num, &val);
		break;
	case KVM_REG_RISCV_SBI_MULTI_EN:
		rc = sbi_ext_get_multi(vcpu, num, &val);
		break;
	case KVM_REG_RISCV_SBI_MULTI_DIS:
		rc = sbi_ext_get_multi(vcpu, num, &val);
		val = ~val;
		break;
	default:
		return -ENOENT;
	}
	if (rc)
		return rc;
	return copy_to_user(uaddr, &val, sizeof(val)) ? -EFAULT : 0;
}

/* ONE_REG: KVM_REG_RISCV_SBI_STATE (registers an extension declares) */

/*
 * The extension owning state register @reg and the register's number in
 * *@num: NULL with *@err = -ENOENT for an unavailable extension, -EINVAL for
 * a subtype nobody declares or a number past its registers (as 6.12).
 */
static const struct kvm_vcpu_sbi_extension *
sbi_state_reg(struct kvm_vcpu *vcpu, const struct kvm_one_reg *reg,
	      unsigned long *num, int *err)
{
	unsigned long subtype;
	unsigned int i;

	*num = sbi_reg_split(reg->id, KVM_REG_RISCV_SBI_STATE, &subtype);
	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = kvm_riscv_sbi_registry.exts[i];

		if (!ext->nr_state_regs || ext->state_subtype != subtype)
			continue;
		*err = sbi_ext_state(vcpu, i) == KVM_SBI_EXT_UNAVAILABLE ?
		       -ENOENT : -EINVAL;
		if (*err == -ENOENT || *num >= ext->nr_state_regs)
			return NULL;
		if (ext->state_reg_valid && !ext->state_reg_valid(vcpu, *num)) {
			*err = -ENOENT;
			return NULL;
		}
		return ext;
	}
	*err = -EINVAL;
	return NULL;
}

/**
 * kvm_riscv_vcpu_set_reg_sbi() - KVM_SET_ONE_REG, KVM_REG_RISCV_SBI_STATE
 * @vcpu: the vCPU
 * @reg: the register
 *
 * Return: 0; -EINVAL (size, unknown subtype or number, value); -ENOENT
 * (extension unavailable); -EFAULT.
 */
int kvm_riscv_vcpu_set_reg_sbi(struct kvm_vcpu *vcpu,
			       const struct kvm_one_reg *reg)
{
	unsigned long __user *uaddr = u64_to_user_ptr(reg->addr);
	const struct kvm_vcpu_sbi_extension *ext;
	unsigned long num, val;
	int err;

	if (KVM_REG_SIZE(reg->id) != sizeof(unsigned long))
		return -EINVAL;
	if (copy_from_user(&val, uaddr, sizeof(val)))
		return -EFAULT;
	ext = sbi_state_reg(vcpu, reg, &num, &err);
	return ext ? ext->set_state_reg(vcpu, num, val) : err;
}

/**
 * kvm_riscv_vcpu_get_reg_sbi() - KVM_GET_ONE_REG, KVM_REG_RISCV_SBI_STATE
 * @vcpu: the vCPU
 * @reg: the register
 *
 * Return: as kvm_riscv_vcpu_set_reg_sbi().
 */
int kvm_riscv_vcpu_get_reg_sbi(struct kvm_vcpu *vcpu,
			       const struct kvm_one_reg *reg)
{
	unsigned long __user *uaddr = u64_to_user_ptr(reg->addr);
	const struct kvm_vcpu_sbi_extension *ext;
	unsigned long num, val;
	int err;

	if (KVM_REG_SIZE(reg->id) != sizeof(unsigned long))
		return -EINVAL;
	ext = sbi_state_reg(vcpu, reg, &num, &err);
	if (!ext)
		return err;
	val = ext->get_state_reg(vcpu, num);
	return copy_to_user(uaddr, &val, sizeof(val)) ? -EFAULT : 0;
}

/**
 * kvm_riscv_vcpu_sbi_copy_state_reg_indices() - list the SBI state registers
 * @vcpu: the vCPU
 * @uindices: where to store the ids, or NULL to count them
 *
 * Lists the state registers of every enabled extension (KVM_GET_REG_LIST).
 *
 * Return: the number of registers, or -EFAULT.
 */
int kvm_riscv_vcpu_sbi_copy_state_reg_indices(struct kvm_vcpu *vcpu,
					      u64 __user *uindices)
{
	u64 size = IS_ENABLED(CONFIG_32BIT) ? KVM_REG_SIZE_U32 : KVM_REG_SIZE_U64;
	unsigned int i, n, total = 0;

	for (i = 0; i < kvm_riscv_sbi_registry.nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = kvm_riscv_sbi_registry.exts[i];

		if (sbi_ext_state(vcpu, i) != KVM_SBI_EXT_ENABLED)
			continue;
		for (n = 0; n < ext->nr_state_regs; n++) {
			u64 id = KVM_REG_RISCV | size | KVM_REG_RISCV_SBI_STATE |
				 ext->state_subtype | n;

			if (ext->state_reg_valid && !ext->state_reg_valid(vcpu, n))
				continue;
			if (uindices && put_user(id, uindices++))
				return -EFAULT;
			total++;
		}
	}
	return total;
}

#if IS_ENABLED(CONFIG_KVM_RISCV_SBI_KUNIT_TEST)
#include "sbi_onereg_test.c"
#endif
