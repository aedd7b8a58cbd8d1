// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Performance Monitoring Unit extension (PMU): the guest finds its
 * counters, binds them to events, starts, stops and reads them, and may
 * name a page where counter values are exchanged (snapshot). vcpu_pmu.c
 * emulates the counters on host perf events; this file decodes the calls
 * for it and checks what vcpu_pmu.c would otherwise index or map unchecked:
 * counter indices and sets, reserved flag bits, event codes. Indices the
 * guest chooses reach vcpu_pmu.c clamped with array_index_nospec(), so that
 * its array accesses stay in bounds under speculation too.
 *
 * event_get_info (SBI v3.0) is answered here: firmware events from what
 * vcpu_pmu.c counts, hardware and cache events by asking host perf.
 */

#include <linux/bitops.h>
#include <linux/kvm_host.h>
#include <linux/nospec.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
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

/* @cidx, checked by the caller, kept below the counter count under speculation. */
static unsigned long pmu_counter_nospec(struct kvm_vcpu *vcpu,
					unsigned long cidx)
{
	return array_index_nospec(cidx, pmu_nr_counters(vcpu));
}

static bool pmu_counter_is_fw(struct kvm_vcpu *vcpu, unsigned long cidx)
{
	return pmu_counter_is_valid(vcpu, cidx) &&
	       vcpu_to_pmu(vcpu)->pmc[pmu_counter_nospec(vcpu, cidx)].cinfo.type ==
	       SBI_PMU_CTR_TYPE_FW;
}

/*
 * Is firmware counter @cidx (valid, clamped) bound to a firmware event by
 * counter_config_matching? Until then, and after a stop with RESET, its
 * event_idx is SBI_PMU_EVENT_IDX_INVALID, whose code 0xffff vcpu_pmu.c's
 * counter read would use as an index into fw_event[] (SBI_PMU_FW_MAX
 * entries), returning host memory to the guest.
 */
static bool pmu_fw_counter_has_event(struct kvm_vcpu *vcpu, unsigned long cidx)
{
	const struct kvm_pmu *kvpmu = vcpu_to_pmu(vcpu);
	unsigned long eidx = kvpmu->pmc[cidx].event_idx;

	return test_bit(cidx, kvpmu->pmc_in_use) &&
	       (eidx & SBI_PMU_EVENT_IDX_TYPE_MASK) >> 16 == SBI_PMU_EVENT_TYPE_FW &&
	       (eidx & SBI_PMU_EVENT_IDX_CODE_MASK) < SBI_PMU_FW_MAX;
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
 * A set that pmu_counter_set_is_valid() accepted, kept inside the counters
 * under speculation: vcpu_pmu.c indexes its arrays with ctr_base + i. A
 * mispredicted check gives counter 0 alone.
 */
static void pmu_counter_set_nospec(struct kvm_vcpu *vcpu, unsigned long *base,
				   unsigned long *mask)
{
	unsigned long nr = pmu_nr_counters(vcpu), keep;

	*base = array_index_nospec(*base, nr);
	keep = array_index_mask_nospec(__fls(*mask | 1), nr - *base);
	*mask = (*mask & keep) | (~keep & 1);
}

/*
 * vcpu_pmu.c looks a hardware event's code up in a table and indexes
 * fw_event[] with a firmware event's code, after a bounds check of its own:
 * clamp the code too. Codes past the bound are left alone, and vcpu_pmu.c
 * refuses them without indexing anything.
 */
static unsigned long pmu_event_idx_nospec(unsigned long eidx)
{
	unsigned long code = eidx & SBI_PMU_EVENT_IDX_CODE_MASK, max;

	switch ((eidx & SBI_PMU_EVENT_IDX_TYPE_MASK) >> 16) {
	case SBI_PMU_EVENT_TYPE_HW:
		max = SBI_PMU_HW_GENERAL_MAX;
		break;
	case SBI_PMU_EVENT_TYPE_FW:
		max = SBI_PMU_FW_MAX;
		break;
	default:
		return eidx;
	}
	if (code >= max)
		return eidx;
	return (eidx & ~SBI_PMU_EVENT_IDX_CODE_MASK) |
	       array_index_nospec(code, max);
}

/* Flag bits SBI v3.0 defines; the others are reserved and must be 0. */
#define PMU_CFG_FLAGS		GENMASK(7, 0)	/* SKIP_MATCH ... SET_MINH */
#define PMU_START_FLAGS		(SBI_PMU_START_FLAG_SET_INIT_VALUE | \
				 SBI_PMU_START_FLAG_INIT_SNAPSHOT)
#define PMU_STOP_FLAGS		(SBI_PMU_STOP_FLAG_RESET | \
				 SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT)

/*
 * counter_start: SET_INIT_VALUE (one value for the set) and INIT_SNAPSHOT
 * (a value per counter, from the snapshot area) exclude each other.
 */
static bool pmu_start_flags_are_valid(unsigned long flags)
{
	return !(flags & ~PMU_START_FLAGS) && flags != PMU_START_FLAGS;
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
	if (!pmu_begin(ret, pmu_counter_is_valid(vcpu, cidx)))
		return;
	cidx = pmu_counter_nospec(vcpu, cidx);
	pmu_complete(ret, kvm_riscv_vcpu_pmu_ctr_info(vcpu, cidx, ret));
}

static void pmu_counter_config_matching(struct kvm_vcpu *vcpu,
					const struct kvm_vcpu_sbi_call *call,
					struct kvm_vcpu_sbi_return *ret)
{
	unsigned long base = call->args[0], mask = call->args[1];
	unsigned long flags = call->args[2];
	u64 event_data = kvm_vcpu_sbi_arg_u64(call, 4);
	int rc;

	if (!pmu_begin(ret, pmu_counter_set_is_valid(vcpu, base, mask) &&
		       !(flags & ~PMU_CFG_FLAGS)))
		return;
	pmu_counter_set_nospec(vcpu, &base, &mask);
	/*
	 * A perf event the host cannot create is NOT_SUPPORTED for the guest,
	 * which then runs without that counter: no reason to fail KVM_RUN.
	 */
	rc = kvm_riscv_vcpu_pmu_ctr_cfg_match(vcpu, base, mask, flags,
					      pmu_event_idx_nospec(call->args[3]),
					      event_data, ret);
	pmu_complete(ret, rc);
}

static void pmu_counter_start(struct kvm_vcpu *vcpu,
			      const struct kvm_vcpu_sbi_call *call,
			      struct kvm_vcpu_sbi_return *ret)
{
	unsigned long base = call->args[0], mask = call->args[1];
	unsigned long flags = call->args[2];
	u64 initial_value = kvm_vcpu_sbi_arg_u64(call, 3);
	int rc;

	if (!pmu_begin(ret, pmu_counter_set_is_valid(vcpu, base, mask) &&
		       pmu_start_flags_are_valid(flags)))
		return;
	pmu_counter_set_nospec(vcpu, &base, &mask);
	rc = kvm_riscv_vcpu_pmu_ctr_start(vcpu, base, mask, flags,
					  initial_value, ret);
	pmu_complete(ret, rc);
}

static void pmu_counter_stop(struct kvm_vcpu *vcpu,
			     const struct kvm_vcpu_sbi_call *call,
			     struct kvm_vcpu_sbi_return *ret)
{
	unsigned long base = call->args[0], mask = call->args[1];
	unsigned long flags = call->args[2];
	struct kvm_pmu *kvpmu = vcpu_to_pmu(vcpu);
	int rc;

	if (!pmu_begin(ret, pmu_counter_set_is_valid(vcpu, base, mask) &&
		       !(flags & ~PMU_STOP_FLAGS)))
		return;
	pmu_counter_set_nospec(vcpu, &base, &mask);
	/*
	 * A TAKE_SNAPSHOT stop makes vcpu_pmu.c write its whole copy of the
	 * snapshot area back, where SBI v3.0 writes only the stopped
	 * counters' values and the overflow bitmap. Take the copy from the
	 * guest first, so every other entry goes back as the guest left it
	 * (sbi-conform: "the snapshot leaves other counters' entries alone").
	 */
	if ((flags & SBI_PMU_STOP_FLAG_TAKE_SNAPSHOT) &&
	    kvpmu->snapshot_addr != INVALID_GPA &&
	    kvm_riscv_vcpu_read_guest_pa(vcpu, kvpmu->snapshot_addr, kvpmu->sdata,
					 sizeof(*kvpmu->sdata))) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_FAILURE);
		return;
	}
	rc = kvm_riscv_vcpu_pmu_ctr_stop(vcpu, base, mask, flags, ret);
	pmu_complete(ret, rc);
}

/*
 * A firmware counter without an event counts nothing: it reads as the value
 * it holds (0 until it is first used), as no event's count is there to add.
 * SBI v3.0 keeps INVALID_PARAM for hardware and non-existent counters, and
 * sets no initial value; the upstream sbi_pmu_test reads every firmware
 * counter before configuring any and expects success.
 */
static void pmu_counter_fw_read(struct kvm_vcpu *vcpu,
				const struct kvm_vcpu_sbi_call *call,
				struct kvm_vcpu_sbi_return *ret)
{
	unsigned long cidx = call->args[0];

	/* Firmware counters only; vcpu_pmu.c would printk for a bad index. */
	if (!pmu_begin(ret, pmu_counter_is_fw(vcpu, cidx)))
		return;
	cidx = pmu_counter_nospec(vcpu, cidx);
	if (!pmu_fw_counter_has_event(vcpu, cidx)) {
		kvm_vcpu_sbi_ret_value(ret, vcpu_to_pmu(vcpu)->pmc[cidx].counter_val);
		return;
	}
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
	cidx = pmu_counter_nospec(vcpu, cidx);
	if (!pmu_fw_counter_has_event(vcpu, cidx)) {
		kvm_vcpu_sbi_ret_value(ret,
				       upper_32_bits(vcpu_to_pmu(vcpu)->pmc[cidx].counter_val));
		return;
	}
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

/* SBI v3.0's FID 8; Linux 6.12's enum sbi_ext_pmu_fid stops at 7. */
#define PMU_EVENT_GET_INFO	(SBI_EXT_PMU_SNAPSHOT_SET_SHMEM + 1)

/* One entry of the event_get_info array, little endian in guest memory. */
struct pmu_event_info {
	__le32 event_idx;	/* [19:0]; [31:20] reserved, must be 0 */
	__le32 output;		/* bit 0: supported; the rest written 0 */
	__le64 event_data;
};

/* Entries read and written per guest-memory access. */
#define PMU_INFO_CHUNK		16

/*
 * Can host perf count @type/@config for this vCPU's thread? The same kind
 * of kernel counter vcpu_pmu.c creates when a counter is configured,
 * created disabled and released at once.
 */
static bool pmu_perf_can_count(u32 type, u64 config)
{
	struct perf_event_attr attr = {
		.type		= type,
		.size		= sizeof(attr),
		.config		= config,
		.disabled	= 1,
		.exclude_host	= 1,
		.exclude_hv	= 1,
		.pinned		= 1,
	};
	struct perf_event *ev;

	ev = perf_event_create_kernel_counter(&attr, -1, current, NULL, NULL);
	if (IS_ERR(ev))
		return false;
	perf_event_release_kernel(ev);
	return true;
}

/*
 * Whether a counter of @vcpu can count event @eidx with @edata, as
 * counter_config_matching would find one: firmware events vcpu_pmu.c
 * counts (SBI_PMU_FW_MAX codes, no event data; not PLATFORM), and hardware
 * and cache events host perf can count with a hardware counter to put
 * them on. SBI and perf number the general events one apart and encode
 * cache events alike (cache ID, op, result). Raw events are not answered
 * as supported: which raw encodings a host has is the host's secret.
 */
static bool pmu_event_supported(struct kvm_vcpu *vcpu, u32 eidx, u64 edata)
{
	u32 code = eidx & SBI_PMU_EVENT_IDX_CODE_MASK;

	switch ((eidx & SBI_PMU_EVENT_IDX_TYPE_MASK) >> 16) {
	case SBI_PMU_EVENT_TYPE_FW:
		return code < SBI_PMU_FW_MAX && !edata &&
		       vcpu_to_pmu(vcpu)->num_fw_ctrs;
	case SBI_PMU_EVENT_TYPE_HW:
		return code && code < SBI_PMU_HW_GENERAL_MAX && !edata &&
		       vcpu_to_pmu(vcpu)->num_hw_ctrs &&
		       pmu_perf_can_count(PERF_TYPE_HARDWARE, code - 1);
	case SBI_PMU_EVENT_TYPE_CACHE:
		return (code >> 3) < PERF_COUNT_HW_CACHE_MAX &&
		       ((code >> 1) & 3) < PERF_COUNT_HW_CACHE_OP_MAX && !edata &&
		       vcpu_to_pmu(vcpu)->num_hw_ctrs &&
		       pmu_perf_can_count(PERF_TYPE_HW_CACHE,
					  (code >> 3) | ((code >> 1) & 3) << 8 |
					  (u64)(code & 1) << 16);
	}
	return false;
}

/*
 * The event_get_info array: @nr entries at @pa, 16-byte aligned, writable
 * guest RAM (checked by the caller). Two passes, so that a reserved bit in
 * any event_idx word answers SBI_ERR_INVALID_PARAM with nothing written;
 * then each entry's output word is written whole. The work is the guest's
 * own: a chunk at a time, with a reschedule point between chunks.
 */
static long pmu_event_info_fill(struct kvm_vcpu *vcpu, gpa_t pa,
				unsigned long nr)
{
	struct pmu_event_info e[PMU_INFO_CHUNK];
	unsigned long done, i, n;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (done = 0; done < nr; done += n) {
			n = min_t(unsigned long, nr - done, PMU_INFO_CHUNK);
			if (kvm_riscv_vcpu_read_guest_pa(vcpu, pa + done * sizeof(*e),
							 e, n * sizeof(*e)))
				return SBI_ERR_FAILURE;
			for (i = 0; i < n; i++) {
				u32 eidx = le32_to_cpu(e[i].event_idx);
				u64 edata = le64_to_cpu(e[i].event_data);

				if (!pass && (eidx & ~SBI_PMU_EVENT_IDX_MASK))
					return SBI_ERR_INVALID_PARAM;
				e[i].output = cpu_to_le32(pass &&
							  pmu_event_supported(vcpu, eidx, edata));
			}
			if (pass &&
			    kvm_riscv_vcpu_write_guest_pa(vcpu, pa + done * sizeof(*e),
							  e, n * sizeof(*e)))
				return SBI_ERR_FAILURE;
			cond_resched();
		}
	}
	return SBI_SUCCESS;
}

/* event_get_info(shmem_lo, shmem_hi, num_entries, flags) */
static void pmu_event_get_info(struct kvm_vcpu *vcpu,
			       const struct kvm_vcpu_sbi_call *call,
			       struct kvm_vcpu_sbi_return *ret)
{
	unsigned long nr = call->args[2], flags = call->args[3];
	gpa_t pa;
	long err;
	int rc;

	if (flags || !nr || nr > ULONG_MAX / sizeof(struct pmu_event_info)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}
	if (!kvm_vcpu_sbi_arg_pa(call, 0, &pa)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_ADDRESS);
		return;
	}
	rc = kvm_riscv_vcpu_guest_pa_check(vcpu, pa,
					   nr * sizeof(struct pmu_event_info),
					   sizeof(struct pmu_event_info), true);
	if (rc) {
		kvm_vcpu_sbi_ret_error(ret, rc == -EINVAL ? SBI_ERR_INVALID_PARAM :
							   SBI_ERR_INVALID_ADDRESS);
		return;
	}
	err = pmu_event_info_fill(vcpu, pa, nr);
	if (err)
		kvm_vcpu_sbi_ret_error(ret, err);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
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
	[PMU_EVENT_GET_INFO]		= pmu_event_get_info,
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

#if IS_ENABLED(CONFIG_KVM_RISCV_SBI_KUNIT_TEST)
#include "vcpu_sbi_pmu_test.c"
#endif
