// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Steal-time Accounting extension (STA): the guest names 64 bytes of
 * its memory, and before each run of the vCPU KVM adds there the time the
 * vCPU thread spent runnable but waiting for a host CPU (the scheduler's
 * run_delay). Userspace saves and restores the address through two
 * KVM_REG_RISCV_SBI_STATE registers, as in Linux 6.12.
 */

#include <linux/kvm_host.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/wordpart.h>
#include <asm/barrier.h>
#include <asm/sbi.h>

/* SBI v3.0, STA: the shared memory is 64-byte aligned, the record 64 bytes. */
#define STA_SHMEM_ALIGN		64
#define STA_SHMEM_SIZE		sizeof(struct sbi_sta_struct)

/* Guest physical address of @field in the record at @shmem. */
#define STA_FIELD(shmem, field)	((shmem) + offsetof(struct sbi_sta_struct, field))

/*
 * Write @rec's steal and preempted fields to the record at @shmem between an
 * odd and an even sequence number, as the guest's reader expects.
 */
static int sta_publish(struct kvm_vcpu *vcpu, gpa_t shmem,
		       const struct sbi_sta_struct *rec)
{
	/* Odd even if the guest wrote an odd value there, and even after. */
	u32 odd = (le32_to_cpu(rec->sequence) + 1) | 1;
	__le32 seq = cpu_to_le32(odd);

	if (kvm_riscv_vcpu_write_guest_pa(vcpu, STA_FIELD(shmem, sequence),
					  &seq, sizeof(seq)))
		return -EFAULT;
	smp_wmb();	/* the odd sequence is seen before the update */

	if (kvm_riscv_vcpu_write_guest_pa(vcpu, STA_FIELD(shmem, steal),
					  &rec->steal, sizeof(rec->steal)) ||
	    kvm_riscv_vcpu_write_guest_pa(vcpu, STA_FIELD(shmem, preempted),
					  &rec->preempted,
					  sizeof(rec->preempted)))
		return -EFAULT;
	smp_wmb();	/* ... and the update before the even sequence */

	seq = cpu_to_le32(odd + 1);
	return kvm_riscv_vcpu_write_guest_pa(vcpu, STA_FIELD(shmem, sequence),
					     &seq, sizeof(seq));
}

/**
 * kvm_riscv_vcpu_record_steal_time() - update the guest's steal-time record
 * @vcpu: the vCPU about to enter the guest
 *
 * Adds the run_delay the vCPU thread accumulated since the last update to
 * the steal field of the record the guest registered, following the
 * sequence protocol of the SBI STA extension, and clears preempted. Does
 * nothing if no record is registered or STA is disabled. If the record is
 * no longer guest RAM (userspace changed the memslots), the update is
 * skipped and the delay is carried over to the next one.
 *
 * Context: KVM_RUN, when KVM_REQ_STEAL_UPDATE is pending (after every
 * vcpu_load); preemptible, kvm->srcu held; may sleep.
 */
void kvm_riscv_vcpu_record_steal_time(struct kvm_vcpu *vcpu)
{
	gpa_t shmem = vcpu->arch.sta.shmem;
	struct sbi_sta_struct rec;
	u64 run_delay, delay;

	if (shmem == INVALID_GPA ||
	    !kvm_riscv_vcpu_sbi_ext_enabled(vcpu, KVM_RISCV_SBI_EXT_STA))
		return;

	/* sequence, flags and steal */
	if (kvm_riscv_vcpu_read_guest_pa(vcpu, shmem, &rec,
					 offsetofend(struct sbi_sta_struct,
						     steal)))
		return;

	/* run_delay only grows: the unsigned difference is the new delay. */
	run_delay = READ_ONCE(current->sched_info.run_delay);
	delay = run_delay - vcpu->arch.sta.last_steal;
	rec.steal = cpu_to_le64(le64_to_cpu(rec.steal) + delay);
	rec.preempted = 0;	/* must be 0 whenever the vCPU runs */

	if (!sta_publish(vcpu, shmem, &rec))
		vcpu->arch.sta.last_steal = run_delay;
}

/* Register the record at @gpa; returns an SBI error code. */
static long sta_set_shmem(struct kvm_vcpu *vcpu, gpa_t gpa)
{
	static const struct sbi_sta_struct zero;
	int rc;

	rc = kvm_riscv_vcpu_guest_pa_check(vcpu, gpa, STA_SHMEM_SIZE,
					   STA_SHMEM_ALIGN, true);
	if (rc == -EINVAL)
		return SBI_ERR_INVALID_PARAM;
	if (rc)
		return SBI_ERR_INVALID_ADDRESS;

	/* The spec wants the record zeroed before the call returns. */
	if (kvm_riscv_vcpu_write_guest_pa(vcpu, gpa, &zero, sizeof(zero)))
		return SBI_ERR_FAILURE;

	/* Steal time counts from now: the record starts at zero. */
	vcpu->arch.sta.shmem = gpa;
	vcpu->arch.sta.last_steal = READ_ONCE(current->sched_info.run_delay);
	kvm_make_request(KVM_REQ_STEAL_UPDATE, vcpu);
	return SBI_SUCCESS;
}

/* Stop updating the record (lo = hi = -1); returns an SBI error code. */
static long sta_stop(struct kvm_vcpu *vcpu)
{
	vcpu->arch.sta.shmem = INVALID_GPA;
	return SBI_SUCCESS;
}

static void sta_steal_time_set_shmem(struct kvm_vcpu *vcpu,
				     const struct kvm_vcpu_sbi_call *call,
				     struct kvm_vcpu_sbi_return *ret)
{
	unsigned long lo = call->args[0], hi = call->args[1];
	gpa_t pa;
	long err;

	if (call->args[2])	/* flags: reserved, must be zero */
		err = SBI_ERR_INVALID_PARAM;
	else if (lo == SBI_SHMEM_DISABLE && hi == SBI_SHMEM_DISABLE)
		err = sta_stop(vcpu);
	else if (!kvm_vcpu_sbi_arg_pa(call, 0, &pa))
		err = SBI_ERR_INVALID_ADDRESS;
	else
		err = sta_set_shmem(vcpu, pa);

	if (err)
		kvm_vcpu_sbi_ret_error(ret, err);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
}

static unsigned long sta_probe(struct kvm_vcpu *vcpu)
{
	/* run_delay is kept only with scheduler statistics. */
	return sched_info_on();
}

static void sta_reset(struct kvm_vcpu *vcpu)
{
	vcpu->arch.sta.shmem = INVALID_GPA;
	vcpu->arch.sta.last_steal = 0;
}

/*
 * The state registers are struct kvm_riscv_sbi_sta: shmem_lo and shmem_hi,
 * the halves of the address on RV32. On RV64 shmem_lo holds all of it and
 * shmem_hi is always 0. INVALID_GPA (all ones) means no record.
 */
static unsigned long sta_get_state_reg(struct kvm_vcpu *vcpu, unsigned int num)
{
	gpa_t shmem = vcpu->arch.sta.shmem;

	if (num != KVM_REG_RISCV_SBI_STA_REG(shmem_hi))
		return (unsigned long)shmem;
	return IS_ENABLED(CONFIG_32BIT) ? upper_32_bits(shmem) : 0;
}

static int sta_set_state_reg(struct kvm_vcpu *vcpu, unsigned int num,
			     unsigned long val)
{
	gpa_t *shmem = &vcpu->arch.sta.shmem;
	bool hi = num == KVM_REG_RISCV_SBI_STA_REG(shmem_hi);

	if (IS_ENABLED(CONFIG_64BIT)) {
		if (hi)
			return val ? -EINVAL : 0;
		*shmem = val;
		return 0;
	}

	/* RV32: replace one half, keep the other. */
	if (hi)
		*shmem = (u64)val << 32 | lower_32_bits(*shmem);
	else
		*shmem = (u64)upper_32_bits(*shmem) << 32 | val;
	return 0;
}

static const kvm_vcpu_sbi_fn sta_fns[] = {
	[SBI_EXT_STA_STEAL_TIME_SET_SHMEM]	= sta_steal_time_set_shmem,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_sta = {
	.name		= "sta",
	.eid_start	= SBI_EXT_STA,
	.eid_end	= SBI_EXT_STA,
	.onereg_idx	= KVM_RISCV_SBI_EXT_STA,
	.fns		= sta_fns,
	.nr_fns		= ARRAY_SIZE(sta_fns),
	.probe		= sta_probe,
	.reset		= sta_reset,
	.state_subtype	= KVM_REG_RISCV_SBI_STA,
	.nr_state_regs	= sizeof(struct kvm_riscv_sbi_sta) /
			  sizeof(unsigned long),
	.get_state_reg	= sta_get_state_reg,
	.set_state_reg	= sta_set_state_reg,
};
