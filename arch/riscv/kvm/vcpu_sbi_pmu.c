// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Performance Monitoring Unit extension (PMU): the guest finds its
 * counters, binds them to events, starts, stops and reads them, and may
 * name a page where counter values are exchanged (snapshot). vcpu_pmu.c
 * emulates the counters on host perf events; this file decodes the calls
 * for it and checks what vcpu_pmu.c would otherwise index or map unchecked.
 *
 * event_get_info (SBI v3.0) is not implemented: the spec lets it answer
 * SBI_ERR_NOT_SUPPORTED, which is what a missing entry in pmu_fns[] gives.
 */

#include <linux/bitops.h>
#include <linux/kvm_host.h>
#include <linux/sizes.h>
#include <asm/kvm_vcpu_pmu.h>
#include <asm/sbi.h>

/*
 * vcpu_pmu.c writes err_val only on failure and out_val only where there is
 * a value, and returns a negative errno only for a host failure. So a call
 * into it is bracketed: pmu_begin() starts the answer as SBI_SUCCESS with
 * value 0, or answers SBI_ERR_INVALID_PARAM and returns false if the guest
 * named counters that do not exist (!@args_valid), which vcpu_pmu.c must
 * not see; pmu_complete() turns an errno into a failed KVM_RUN.
 */
static bool pmu_begin(struct kvm_vcpu_sbi_return *ret, bool args_valid)
{
	if (!args_valid) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return false;
	}
	kvm_vcpu_sbi_ret_value(ret, 0);
	return true;
}

static void pmu_complete(struct kvm_vcpu_sbi_return *ret, int rc)
{
	if (rc < 0)
		kvm_vcpu_sbi_ret_failed(ret, rc);
}

static unsigned long pmu_nr_counters(struct kvm_vcpu *vcpu)
{
	const struct kvm_pmu *kvpmu = vcpu_to_pmu(vcpu);

	return kvpmu->num_hw_ctrs + kvpmu->num_fw_ctrs;
}

/* Counter 1 would be the time CSR, which is no PMU counter. */
static bool pmu_counter_is_valid(struct kvm_vcpu *vcpu, unsigned long cidx)
{
	return cidx < pmu_nr_counters(vcpu) && cidx != 1;
}

static bool pmu_counter_is_fw(struct kvm_vcpu *vcpu, unsigned long cidx)
{
	return pmu_counter_is_valid(vcpu, cidx) &&
	       vcpu_to_pmu(vcpu)->pmc[cidx].cinfo.type == SBI_PMU_CTR_TYPE_FW;
}

/*
 * Counters ctr_base + i for each bit i of ctr_mask must exist. vcpu_pmu.c
 * only compares ctr_base + __fls(ctr_mask) with the count, which a ctr_base
 * near ULONG_MAX wraps past into out-of-bounds indices: check without
 * overflow first.
 */
static bool pmu_counter_set_is_valid(struct kvm_vcpu *vcpu,
				     unsigned long ctr_base,
				     unsigned long ctr_mask)
{
	unsigned long nr = pmu_nr_counters(vcpu);

	return ctr_mask && ctr_base < nr && __fls(ctr_mask) < nr - ctr_base;
}

/*
 * The snapshot area: 4 KiB aligned, 4 KiB of writable guest RAM. vcpu_pmu.c
 * checks only that its first page is writable. Returns an SBI error code.
 */
static long pmu_snapshot_check(struct kvm_vcpu *vcpu,
			       const struct kvm_vcpu_sbi_call *call)
{
	gpa_t pa;
	int rc;

	if (call->args[0] == SBI_SHMEM_DISABLE &&
	    call->args[1] == SBI_SHMEM_DISABLE)
		return SBI_SUCCESS;
	if (!kvm_vcpu_sbi_arg_pa(call, 0, &pa))
		return SBI_ERR_INVALID_ADDRESS;

	rc = kvm_riscv_vcpu_guest_pa_check(vcpu, pa,
					   sizeof(struct riscv_pmu_snapshot_data),
					   SZ_4K, true);
	if (rc == -EINVAL)
		return SBI_ERR_INVALID_PARAM;
	return rc ? SBI_ERR_INVALID_ADDRESS : SBI_SUCCESS;
}

static void pmu_num_counters(struct kvm_vcpu *vcpu,
			     const struct kvm_vcpu_sbi_call *call,
			     struct kvm_vcpu_sbi_return *ret)
{
	pmu_begin(ret, true);
	pmu_complete(ret, kvm_riscv_vcpu_pmu_num_ctrs(vcpu, ret));
}

static void pmu_counter_get_info(struct kvm_vcpu *vcpu,
				 const struct kvm_vcpu_sbi_call *call,
				 struct kvm_vcpu_sbi_return *ret)
{
	unsigned long cidx = call->args[0];

	/* vcpu_pmu.c would read one entry past its counter array. */
	if (pmu_begin(ret, pmu_counter_is_valid(vcpu, cidx)))
		pmu_complete(ret, kvm_riscv_vcpu_pmu_ctr_info(vcpu, cidx, ret));
}

static void pmu_counter_config_matching(struct kvm_vcpu *vcpu,
					const struct kvm_vcpu_sbi_call *call,
					struct kvm_vcpu_sbi_return *ret)
{
	unsigned long base = call->args[0], mask = call->args[1];
	u64 event_data = kvm_vcpu_sbi_arg_u64(call, 4);
	int rc;

	if (!pmu_begin(ret, pmu_counter_set_is_valid(vcpu, base, mask)))
		return;
	/*
	 * A perf event the host cannot create is NOT_SUPPORTED for the guest,
	 * which then runs without that counter: no reason to fail KVM_RUN.
	 */
	rc = kvm_riscv_vcpu_pmu_ctr_cfg_match(vcpu, base, mask, call->args[2],
					      call->args[3], event_data, ret);
	pmu_complete(ret, rc);
}

static void pmu_counter_start(struct kvm_vcpu *vcpu,
			      const struct kvm_vcpu_sbi_call *call,
			      struct kvm_vcpu_sbi_return *ret)
{
	unsigned long base = call->args[0], mask = call->args[1];
	u64 initial_value = kvm_vcpu_sbi_arg_u64(call, 3);
	int rc;

	if (!pmu_begin(ret, pmu_counter_set_is_valid(vcpu, base, mask)))
		return;
	rc = kvm_riscv_vcpu_pmu_ctr_start(vcpu, base, mask, call->args[2],
					  initial_value, ret);
	pmu_complete(ret, rc);
}

static void pmu_counter_stop(struct kvm_vcpu *vcpu,
			     const struct kvm_vcpu_sbi_call *call,
			     struct kvm_vcpu_sbi_return *ret)
{
	unsigned long base = call->args[0], mask = call->args[1];
	int rc;

	if (!pmu_begin(ret, pmu_counter_set_is_valid(vcpu, base, mask)))
		return;
	rc = kvm_riscv_vcpu_pmu_ctr_stop(vcpu, base, mask, call->args[2], ret);
	pmu_complete(ret, rc);
}

static void pmu_counter_fw_read(struct kvm_vcpu *vcpu,
				const struct kvm_vcpu_sbi_call *call,
				struct kvm_vcpu_sbi_return *ret)
{
	unsigned long cidx = call->args[0];

	/* Firmware counters only; vcpu_pmu.c would printk for a bad index. */
	if (pmu_begin(ret, pmu_counter_is_fw(vcpu, cidx)))
		pmu_complete(ret, kvm_riscv_vcpu_pmu_fw_ctr_read(vcpu, cidx, ret));
}

static void pmu_counter_fw_read_hi(struct kvm_vcpu *vcpu,
				   const struct kvm_vcpu_sbi_call *call,
				   struct kvm_vcpu_sbi_return *ret)
{
	unsigned long cidx = call->args[0];
	int rc;

	if (!pmu_begin(ret, pmu_counter_is_fw(vcpu, cidx)))
		return;
	/* On RV64 counter_fw_read returned all 64 bits: the answer is 0. */
	if (IS_ENABLED(CONFIG_64BIT))
		return;
	rc = kvm_riscv_vcpu_pmu_fw_ctr_read_hi(vcpu, cidx, ret);
	pmu_complete(ret, rc);
}

static void pmu_snapshot_set_shmem(struct kvm_vcpu *vcpu,
				   const struct kvm_vcpu_sbi_call *call,
				   struct kvm_vcpu_sbi_return *ret)
{
	unsigned long flags = call->args[2];
	long err;
	int rc;

	/* vcpu_pmu.c answers a non-zero flags itself, before anything else. */
	err = flags ? SBI_SUCCESS : pmu_snapshot_check(vcpu, call);
	if (err) {
		kvm_vcpu_sbi_ret_error(ret, err);
		return;
	}
	pmu_begin(ret, true);
	rc = kvm_riscv_vcpu_pmu_snapshot_set_shmem(vcpu, call->args[0],
						   call->args[1], flags, ret);
	pmu_complete(ret, rc);
}

static const kvm_vcpu_sbi_fn pmu_fns[] = {
	[SBI_EXT_PMU_NUM_COUNTERS]	= pmu_num_counters,
	[SBI_EXT_PMU_COUNTER_GET_INFO]	= pmu_counter_get_info,
	[SBI_EXT_PMU_COUNTER_CFG_MATCH]	= pmu_counter_config_matching,
	[SBI_EXT_PMU_COUNTER_START]	= pmu_counter_start,
	[SBI_EXT_PMU_COUNTER_STOP]	= pmu_counter_stop,
	[SBI_EXT_PMU_COUNTER_FW_READ]	= pmu_counter_fw_read,
	[SBI_EXT_PMU_COUNTER_FW_READ_HI] = pmu_counter_fw_read_hi,
	[SBI_EXT_PMU_SNAPSHOT_SET_SHMEM] = pmu_snapshot_set_shmem,
};

/* Without Sscofpmf and host SBI PMU support vcpu_pmu.c sets nothing up. */
static unsigned long pmu_probe(struct kvm_vcpu *vcpu)
{
	return vcpu_to_pmu(vcpu)->init_done;
}

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_pmu = {
	.name		= "pmu",
	.eid_start	= SBI_EXT_PMU,
	.eid_end	= SBI_EXT_PMU,
	.onereg_idx	= KVM_RISCV_SBI_EXT_PMU,
	.fns		= pmu_fns,
	.nr_fns		= ARRAY_SIZE(pmu_fns),
	.probe		= pmu_probe,
};
