// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SBI PMU extension's checks: what reaches vcpu_pmu.c
 * and what is answered before it. Included at the end of vcpu_sbi_pmu.c.
 * The vCPU is a zeroed struct with a PMU laid out as vcpu_pmu.c's init
 * lays it out (hardware counters, then firmware counters, no events); no
 * perf event is created, since only firmware events are configured.
 */

#include <kunit/test.h>

#define PMU_TEST_HW_CTRS	4
#define PMU_TEST_SENTINEL	0x5e5e5e5e12345678ULL
#define PMU_TEST_FW_EVENT(code)	(SBI_PMU_EVENT_TYPE_FW << 16 | (code))

static struct kvm_vcpu *pmu_test_vcpu(struct kunit *test)
{
	struct kvm_vcpu *vcpu = kunit_kzalloc(test, sizeof(*vcpu), GFP_KERNEL);
	struct kvm_pmu *kvpmu;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, vcpu);
	kvpmu = vcpu_to_pmu(vcpu);
	kvpmu->num_hw_ctrs = PMU_TEST_HW_CTRS;
	kvpmu->num_fw_ctrs = SBI_PMU_FW_MAX;
	kvpmu->snapshot_addr = INVALID_GPA;
	for (i = 0; i < kvpmu->num_hw_ctrs + kvpmu->num_fw_ctrs; i++) {
		kvpmu->pmc[i].idx = i;
		kvpmu->pmc[i].event_idx = SBI_PMU_EVENT_IDX_INVALID;
		kvpmu->pmc[i].vcpu = vcpu;
		kvpmu->pmc[i].cinfo.type = i < kvpmu->num_hw_ctrs ?
					   SBI_PMU_CTR_TYPE_HW :
					   SBI_PMU_CTR_TYPE_FW;
		kvpmu->pmc[i].counter_val = PMU_TEST_SENTINEL;
	}
	kvpmu->init_done = true;
	return vcpu;
}

static struct kvm_vcpu_sbi_return pmu_test_call(struct kvm_vcpu *vcpu,
						unsigned long fid,
						unsigned long a0,
						unsigned long a1,
						unsigned long a2,
						unsigned long a3)
{
	struct kvm_vcpu_sbi_return ret = KVM_SBI_RETURN_INIT;
	struct kvm_vcpu_sbi_call call = {
		.eid = SBI_EXT_PMU, .fid = fid, .args = { a0, a1, a2, a3 },
	};

	pmu_fns[fid](vcpu, &call, &ret);
	return ret;
}

/*
 * issue #18: counter_fw_read of a firmware counter without an event made
 * vcpu_pmu.c index fw_event[] with 0xffff (UBSAN, then KASAN). Such a
 * counter reads as the value it holds, and vcpu_pmu.c, which would replace
 * that value with what lies past fw_event[], is not called.
 */
static void pmu_test_fw_read_unconfigured(struct kunit *test)
{
	struct kvm_vcpu *vcpu = pmu_test_vcpu(test);
	struct kvm_pmu *kvpmu = vcpu_to_pmu(vcpu);
	unsigned long nr = PMU_TEST_HW_CTRS + SBI_PMU_FW_MAX, cidx;
	struct kvm_vcpu_sbi_return ret;

	for (cidx = PMU_TEST_HW_CTRS; cidx < nr; cidx++) {
		ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_FW_READ, cidx,
				    0, 0, 0);
		KUNIT_EXPECT_EQ_MSG(test, ret.outcome, KVM_SBI_RETURN,
				    "counter %lu", cidx);
		KUNIT_EXPECT_EQ_MSG(test, ret.err_val, (long)SBI_SUCCESS,
				    "counter %lu", cidx);
		KUNIT_EXPECT_EQ_MSG(test, (u64)ret.out_val, PMU_TEST_SENTINEL,
				    "counter %lu", cidx);
		KUNIT_EXPECT_EQ_MSG(test, kvpmu->pmc[cidx].counter_val,
				    PMU_TEST_SENTINEL, "counter %lu", cidx);
	}

	/* Configured: vcpu_pmu.c reads its event's count. */
	cidx = PMU_TEST_HW_CTRS + 2;
	set_bit(cidx, kvpmu->pmc_in_use);
	kvpmu->pmc[cidx].event_idx = PMU_TEST_FW_EVENT(SBI_PMU_FW_SET_TIMER);
	kvpmu->fw_event[SBI_PMU_FW_SET_TIMER].value = 1234;
	ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_FW_READ, cidx, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_SUCCESS);
	KUNIT_EXPECT_EQ(test, ret.out_val, 1234UL);

	/*
	 * An event code past fw_event[] (SKIP_MATCH can store any): the
	 * counter keeps the value the last read left in it.
	 */
	kvpmu->pmc[cidx].event_idx = PMU_TEST_FW_EVENT(0xffff);
	kvpmu->fw_event[SBI_PMU_FW_SET_TIMER].value = 99;
	ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_FW_READ, cidx, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_SUCCESS);
	KUNIT_EXPECT_EQ(test, ret.out_val, 1234UL);
	KUNIT_EXPECT_EQ(test, kvpmu->pmc[cidx].counter_val, 1234ULL);

	/* Hardware, time and non-existent counters. */
	for (cidx = 0; cidx < PMU_TEST_HW_CTRS; cidx++) {
		ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_FW_READ, cidx,
				    0, 0, 0);
		KUNIT_EXPECT_EQ_MSG(test, ret.err_val,
				    (long)SBI_ERR_INVALID_PARAM, "counter %lu",
				    cidx);
	}
	ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_FW_READ, nr, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_ERR_INVALID_PARAM);
	ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_GET_INFO, nr, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_ERR_INVALID_PARAM);
}

/* SBI v3.0: reserved flag bits and SET_INIT_VALUE with INIT_SNAPSHOT. */
static void pmu_test_reserved_flags(struct kunit *test)
{
	static const unsigned long cfg_bad[] = { BIT(8), BIT(9) | 1, BIT(31),
						 BIT(BITS_PER_LONG - 1) };
	static const unsigned long start_bad[] = { BIT(2), 3, BIT(7) | 1,
						   BIT(BITS_PER_LONG - 1) };
	static const unsigned long stop_bad[] = { BIT(2), BIT(3) | 1, 7,
						  BIT(BITS_PER_LONG - 1) };
	struct kvm_vcpu *vcpu = pmu_test_vcpu(test);
	struct kvm_pmu *kvpmu = vcpu_to_pmu(vcpu);
	const unsigned long fw_base = PMU_TEST_HW_CTRS;
	const unsigned long event = PMU_TEST_FW_EVENT(SBI_PMU_FW_IPI_SENT);
	struct kvm_vcpu_sbi_return ret;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg_bad); i++) {
		ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_CFG_MATCH,
				    fw_base, 0xff, cfg_bad[i], event);
		KUNIT_EXPECT_EQ_MSG(test, ret.err_val,
				    (long)SBI_ERR_INVALID_PARAM,
				    "config_flags %#lx", cfg_bad[i]);
	}
	/* Nothing was configured by the refused calls. */
	KUNIT_EXPECT_TRUE(test, bitmap_empty(kvpmu->pmc_in_use,
					     RISCV_KVM_MAX_COUNTERS));

	for (i = 0; i < ARRAY_SIZE(start_bad); i++) {
		ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_START, fw_base,
				    0x3, start_bad[i], 0);
		KUNIT_EXPECT_EQ_MSG(test, ret.err_val,
				    (long)SBI_ERR_INVALID_PARAM,
				    "start_flags %#lx", start_bad[i]);
	}
	for (i = 0; i < ARRAY_SIZE(stop_bad); i++) {
		ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_STOP, fw_base,
				    0x3, stop_bad[i], 0);
		KUNIT_EXPECT_EQ_MSG(test, ret.err_val,
				    (long)SBI_ERR_INVALID_PARAM,
				    "stop_flags %#lx", stop_bad[i]);
	}

	/* The defined flags still reach vcpu_pmu.c. */
	ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_CFG_MATCH, fw_base, 0x1,
			    SBI_PMU_CFG_FLAG_CLEAR_VALUE |
			    SBI_PMU_CFG_FLAG_SET_MINH, event);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_SUCCESS);
	KUNIT_EXPECT_EQ(test, ret.out_val, fw_base);
	ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_START, fw_base, 0x1,
			    SBI_PMU_START_FLAG_SET_INIT_VALUE, 77);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_SUCCESS);
	ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_FW_READ, fw_base, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ret.out_val, 77UL);
	ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_STOP, fw_base, 0x1,
			    SBI_PMU_STOP_FLAG_RESET, 0);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_SUCCESS);
	KUNIT_EXPECT_FALSE(test, test_bit(fw_base, kvpmu->pmc_in_use));
}

/* Counter sets: no wrap-around; the speculation clamp keeps valid sets. */
static void pmu_test_counter_sets(struct kunit *test)
{
	static const struct { unsigned long base, mask; } valid[] = {
		{ 0, 1 }, { 0, 0xd }, { 3, 1 }, { 25, 1 }, { 0, GENMASK(25, 0) },
		{ 10, GENMASK(15, 0) }, { 4, 0x20000 },
	}, invalid[] = {
		{ 0, 0 }, { 26, 1 }, { 0, BIT(26) }, { 25, 2 }, { -1UL, 2 },
		{ -2UL, 4 }, { -1UL, -1UL }, { 1, -1UL },
	};
	struct kvm_vcpu *vcpu = pmu_test_vcpu(test);
	unsigned long base, mask;
	unsigned int i;

	/* 4 + SBI_PMU_FW_MAX = 26 counters. */
	KUNIT_ASSERT_EQ(test, pmu_nr_counters(vcpu), 26UL);
	for (i = 0; i < ARRAY_SIZE(valid); i++) {
		base = valid[i].base;
		mask = valid[i].mask;
		KUNIT_EXPECT_TRUE_MSG(test, pmu_counter_set_is_valid(vcpu, base,
								     mask),
				      "set %u", i);
		pmu_counter_set_nospec(vcpu, &base, &mask);
		KUNIT_EXPECT_EQ_MSG(test, base, valid[i].base, "set %u", i);
		KUNIT_EXPECT_EQ_MSG(test, mask, valid[i].mask, "set %u", i);
	}
	for (i = 0; i < ARRAY_SIZE(invalid); i++)
		KUNIT_EXPECT_FALSE_MSG(test,
				       pmu_counter_set_is_valid(vcpu,
								invalid[i].base,
								invalid[i].mask),
				       "set %u", i);

	/* A wrapping set is refused before vcpu_pmu.c walks it. */
	for (i = 0; i < 3; i++) {
		struct kvm_vcpu_sbi_return ret;

		ret = pmu_test_call(vcpu, SBI_EXT_PMU_COUNTER_CFG_MATCH + i,
				    -1UL, 0x6, 0, PMU_TEST_FW_EVENT(1));
		KUNIT_EXPECT_EQ_MSG(test, ret.err_val,
				    (long)SBI_ERR_INVALID_PARAM, "FID %u",
				    SBI_EXT_PMU_COUNTER_CFG_MATCH + i);
	}

	/* Event codes keep their value; only codes in range are clamped. */
	KUNIT_EXPECT_EQ(test, pmu_event_idx_nospec(PMU_TEST_FW_EVENT(21)),
			(unsigned long)PMU_TEST_FW_EVENT(21));
	KUNIT_EXPECT_EQ(test, pmu_event_idx_nospec(PMU_TEST_FW_EVENT(0xffff)),
			(unsigned long)PMU_TEST_FW_EVENT(0xffff));
	KUNIT_EXPECT_EQ(test, pmu_event_idx_nospec(SBI_PMU_HW_REF_CPU_CYCLES),
			(unsigned long)SBI_PMU_HW_REF_CPU_CYCLES);
	KUNIT_EXPECT_EQ(test, pmu_event_idx_nospec(0x2abcd), 0x2abcdUL);
}

/*
 * event_get_info: the answers that need no host perf and no guest memory.
 * Firmware events are supported up to SBI_PMU_FW_MAX, without event data;
 * raw, reserved and PLATFORM events are not; the arguments are checked
 * before any guest memory is touched (a zeroed vCPU has none).
 */
static void pmu_test_event_info(struct kunit *test)
{
	struct kvm_vcpu *vcpu = pmu_test_vcpu(test);
	const u32 timer = PMU_TEST_FW_EVENT(SBI_PMU_FW_SET_TIMER);
	const u32 last = PMU_TEST_FW_EVENT(SBI_PMU_FW_MAX - 1);
	struct kvm_vcpu_sbi_return ret;

	KUNIT_EXPECT_TRUE(test, pmu_event_supported(vcpu, timer, 0));
	KUNIT_EXPECT_TRUE(test, pmu_event_supported(vcpu, last, 0));
	KUNIT_EXPECT_FALSE(test, pmu_event_supported(vcpu, last + 1, 0));
	KUNIT_EXPECT_FALSE(test, pmu_event_supported(vcpu, PMU_TEST_FW_EVENT(0xffff), 0));
	KUNIT_EXPECT_FALSE(test, pmu_event_supported(vcpu, timer, 1));
	KUNIT_EXPECT_FALSE(test, pmu_event_supported(vcpu, 0x20000, 0x12));
	KUNIT_EXPECT_FALSE(test, pmu_event_supported(vcpu, 0x50001, 0));
	KUNIT_EXPECT_FALSE(test, pmu_event_supported(vcpu, 0x00000, 0));
	vcpu_to_pmu(vcpu)->num_fw_ctrs = 0;
	KUNIT_EXPECT_FALSE(test, pmu_event_supported(vcpu, timer, 0));

	ret = pmu_test_call(vcpu, PMU_EVENT_GET_INFO, 0x80000000, 0, 1, 1);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_ERR_INVALID_PARAM);
	ret = pmu_test_call(vcpu, PMU_EVENT_GET_INFO, 0x80000000, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_ERR_INVALID_PARAM);
	ret = pmu_test_call(vcpu, PMU_EVENT_GET_INFO, 0x80000000, 0,
			    ULONG_MAX / 8, 0);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_ERR_INVALID_PARAM);
	ret = pmu_test_call(vcpu, PMU_EVENT_GET_INFO, 0x80000000, 1, 1, 0);
	KUNIT_EXPECT_EQ(test, ret.err_val, (long)SBI_ERR_INVALID_ADDRESS);
}

static struct kunit_case pmu_test_cases[] = {
	KUNIT_CASE(pmu_test_fw_read_unconfigured),
	KUNIT_CASE(pmu_test_reserved_flags),
	KUNIT_CASE(pmu_test_counter_sets),
	KUNIT_CASE(pmu_test_event_info),
	{}
};

static struct kunit_suite pmu_test_suite = {
	.name = "kvm_riscv_sbi_pmu",
	.test_cases = pmu_test_cases,
};

kunit_test_suite(pmu_test_suite);
