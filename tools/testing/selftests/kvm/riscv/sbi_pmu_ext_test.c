// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_pmu_ext_test - SBI PMU argument checks and host-bug regressions.
 *
 * The upstream sbi_pmu_test covers counting. Here, what a hostile guest
 * passes: counter_fw_read of every firmware counter before any is
 * configured (a read past vcpu_pmu.c's fw_event[] in Linux 6.12, issue
 * #18) succeeds and reads 0; counter_fw_read of a hardware, the time or a
 * non-existent counter, and counter_get_info(num_counters), are
 * SBI_ERR_INVALID_PARAM; a counter set whose ctr_base + mask wraps past
 * the top (which oopsed 6.12's host) is SBI_ERR_INVALID_PARAM for
 * config_matching, start and stop; reserved config_flags (bit 8 up),
 * start_flags and stop_flags (bit 2 up), and SET_INIT_VALUE with
 * INIT_SNAPSHOT, are SBI_ERR_INVALID_PARAM and change nothing.
 *
 * Each check group runs in its own process with its own VM.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "sbi.h"
#include "test_util.h"
#include "ucall_common.h"

#define FW_EVENT(code)		(0xfUL << 16 | (code))
#define FW_SET_TIMER		5
#define START_SET_INIT_VALUE	BIT(0)
#define START_INIT_SNAPSHOT	BIT(1)
#define STOP_RESET		BIT(0)
#define STOP_TAKE_SNAPSHOT	BIT(1)

static void (*guest_fn)(void);

/* ---- guest code ---- */

static struct sbiret pmu(unsigned long fid, unsigned long a0, unsigned long a1,
			 unsigned long a2, unsigned long a3)
{
	return sbi_ecall(SBI_EXT_PMU, fid, a0, a1, a2, a3, 0, 0);
}

static unsigned long nr_counters(void)
{
	struct sbiret ret = pmu(SBI_EXT_PMU_NUM_COUNTERS, 0, 0, 0, 0);

	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
	__GUEST_ASSERT(ret.value > 3 && ret.value <= 64, "%lu counters", ret.value);
	return ret.value;
}

/* The counter's type, or -1 for the time counter (index 1). */
static int counter_type(unsigned long cidx)
{
	union sbi_pmu_ctr_info info;
	struct sbiret ret = pmu(SBI_EXT_PMU_COUNTER_GET_INFO, cidx, 0, 0, 0);

	if (cidx == 1) {
		GUEST_ASSERT_EQ(ret.error, SBI_ERR_INVALID_PARAM);
		return -1;
	}
	__GUEST_ASSERT(!ret.error, "counter_get_info(%lu): %ld", cidx, ret.error);
	info.value = ret.value;
	return info.type;
}

/* First firmware counter; every counter from it up is one. */
static unsigned long first_fw_counter(unsigned long nr)
{
	unsigned long cidx;

	for (cidx = 0; cidx < nr; cidx++)
		if (counter_type(cidx) == SBI_PMU_CTR_TYPE_FW)
			return cidx;
	__GUEST_ASSERT(0, "no firmware counter among %lu", nr);
	return 0;
}

static void expect_err(struct sbiret ret, long err, const char *what,
		       unsigned long arg)
{
	__GUEST_ASSERT(ret.error == err, "%s (%#lx): error %ld, want %ld",
		       what, arg, ret.error, err);
}

static void guest_fw_read_unconfigured(void)
{
	unsigned long nr = nr_counters(), cidx;
	struct sbiret ret;

	/* Before any counter is configured: each reads 0, twice. */
	for (cidx = first_fw_counter(nr); cidx < nr; cidx++) {
		GUEST_ASSERT_EQ(counter_type(cidx), SBI_PMU_CTR_TYPE_FW);
		ret = pmu(SBI_EXT_PMU_COUNTER_FW_READ, cidx, 0, 0, 0);
		__GUEST_ASSERT(!ret.error && !ret.value,
			       "fw_read(%lu) unconfigured: error %ld value %#lx",
			       cidx, ret.error, ret.value);
		ret = pmu(SBI_EXT_PMU_COUNTER_FW_READ, cidx, 0, 0, 0);
		__GUEST_ASSERT(!ret.error && !ret.value,
			       "fw_read(%lu) again: error %ld value %#lx",
			       cidx, ret.error, ret.value);
		ret = pmu(SBI_EXT_PMU_COUNTER_FW_READ_HI, cidx, 0, 0, 0);
		__GUEST_ASSERT(!ret.error && !ret.value,
			       "fw_read_hi(%lu): error %ld value %#lx",
			       cidx, ret.error, ret.value);
	}
	GUEST_DONE();
}

static void guest_bad_indices(void)
{
	unsigned long nr = nr_counters(), fw = first_fw_counter(nr), cidx;
	static const unsigned long huge[] = { 64, 0x10000, -1UL, -2UL };
	int i;

	/* Hardware counters and the time counter are not firmware ones. */
	for (cidx = 0; cidx < fw; cidx++) {
		expect_err(pmu(SBI_EXT_PMU_COUNTER_FW_READ, cidx, 0, 0, 0),
			   SBI_ERR_INVALID_PARAM, "fw_read of a hw counter", cidx);
		expect_err(pmu(SBI_EXT_PMU_COUNTER_FW_READ_HI, cidx, 0, 0, 0),
			   SBI_ERR_INVALID_PARAM, "fw_read_hi of a hw counter", cidx);
	}
	/* One past the end, and far past it. */
	expect_err(pmu(SBI_EXT_PMU_COUNTER_GET_INFO, nr, 0, 0, 0),
		   SBI_ERR_INVALID_PARAM, "counter_get_info(num_counters)", nr);
	expect_err(pmu(SBI_EXT_PMU_COUNTER_FW_READ, nr, 0, 0, 0),
		   SBI_ERR_INVALID_PARAM, "fw_read(num_counters)", nr);
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		expect_err(pmu(SBI_EXT_PMU_COUNTER_GET_INFO, huge[i], 0, 0, 0),
			   SBI_ERR_INVALID_PARAM, "counter_get_info", huge[i]);
		expect_err(pmu(SBI_EXT_PMU_COUNTER_FW_READ, huge[i], 0, 0, 0),
			   SBI_ERR_INVALID_PARAM, "fw_read", huge[i]);
	}
	GUEST_DONE();
}

static void guest_wrapping_sets(void)
{
	static const struct { unsigned long base, mask; } sets[] = {
		{ -1UL, 0x2 }, { -1UL, 0x3 }, { -2UL, 0x4 }, { -4UL, 0xf0 },
		{ -1UL, -1UL }, { 1UL << 63, 1UL << 63 },
	};
	unsigned long nr = nr_counters(), fw = first_fw_counter(nr), fid;
	int i;

	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		for (fid = SBI_EXT_PMU_COUNTER_CFG_MATCH;
		     fid <= SBI_EXT_PMU_COUNTER_STOP; fid++) {
			struct sbiret ret = pmu(fid, sets[i].base, sets[i].mask,
						0, FW_EVENT(FW_SET_TIMER));

			__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM,
				       "FID %lu base %#lx mask %#lx: error %ld",
				       fid, sets[i].base, sets[i].mask, ret.error);
		}
	}
	/* Past the last counter without wrapping, too. */
	expect_err(pmu(SBI_EXT_PMU_COUNTER_START, fw, 1UL << (nr - fw), 0, 0),
		   SBI_ERR_INVALID_PARAM, "start past the last counter", nr);
	GUEST_DONE();
}

static void guest_reserved_flags(void)
{
	static const unsigned long cfg_bad[] = { BIT(8), BIT(8) | 1, BIT(31), BIT(63) };
	static const unsigned long start_bad[] = {
		BIT(2), START_SET_INIT_VALUE | START_INIT_SNAPSHOT, BIT(5) | 1, BIT(63),
	};
	static const unsigned long stop_bad[] = { BIT(2), BIT(3) | STOP_RESET, BIT(63) };
	unsigned long nr = nr_counters(), fw = first_fw_counter(nr), cidx;
	struct sbiret ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(cfg_bad); i++)
		expect_err(pmu(SBI_EXT_PMU_COUNTER_CFG_MATCH, fw, 1, cfg_bad[i],
			       FW_EVENT(FW_SET_TIMER)),
			   SBI_ERR_INVALID_PARAM, "config_flags", cfg_bad[i]);

	/* Nothing got configured: configuring now takes the first counter. */
	ret = pmu(SBI_EXT_PMU_COUNTER_CFG_MATCH, fw, 1, 0, FW_EVENT(FW_SET_TIMER));
	__GUEST_ASSERT(!ret.error && ret.value == fw,
		       "config_matching: error %ld counter %lu, want %lu",
		       ret.error, ret.value, fw);
	cidx = ret.value;

	for (i = 0; i < ARRAY_SIZE(start_bad); i++)
		expect_err(pmu(SBI_EXT_PMU_COUNTER_START, cidx, 1, start_bad[i], 99),
			   SBI_ERR_INVALID_PARAM, "start_flags", start_bad[i]);
	/* Not started by the refused calls: it still reads 0. */
	ret = pmu(SBI_EXT_PMU_COUNTER_FW_READ, cidx, 0, 0, 0);
	__GUEST_ASSERT(!ret.error && !ret.value, "fw_read: error %ld value %lu",
		       ret.error, ret.value);

	GUEST_ASSERT_EQ(pmu(SBI_EXT_PMU_COUNTER_START, cidx, 1,
			    START_SET_INIT_VALUE, 40).error, SBI_SUCCESS);
	for (i = 0; i < ARRAY_SIZE(stop_bad); i++)
		expect_err(pmu(SBI_EXT_PMU_COUNTER_STOP, cidx, 1, stop_bad[i], 0),
			   SBI_ERR_INVALID_PARAM, "stop_flags", stop_bad[i]);

	/* Still running after the refused stops: set_timer calls count. */
	GUEST_ASSERT_EQ(sbi_ecall(SBI_EXT_TIME, 0, -1UL, 0, 0, 0, 0, 0).error, SBI_SUCCESS);
	GUEST_ASSERT_EQ(sbi_ecall(SBI_EXT_TIME, 0, -1UL, 0, 0, 0, 0, 0).error, SBI_SUCCESS);
	ret = pmu(SBI_EXT_PMU_COUNTER_FW_READ, cidx, 0, 0, 0);
	__GUEST_ASSERT(!ret.error && ret.value == 42,
		       "fw_read after two set_timer: error %ld value %lu, want 42",
		       ret.error, ret.value);
	GUEST_ASSERT_EQ(pmu(SBI_EXT_PMU_COUNTER_STOP, cidx, 1, STOP_RESET, 0).error,
			SBI_SUCCESS);
	GUEST_DONE();
}

static void guest_main(void)
{
	guest_fn();
}

/* ---- host side ---- */

static void run_guest(void (*fn)(void))
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	guest_fn = fn;
	sync_global_to_guest(vm, guest_fn);

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_DONE)
		sbi_test_report_exit(vcpu);
	kvm_vm_free(vm);
}

static void test_fw_read_unconfigured(void)
{
	run_guest(guest_fw_read_unconfigured);
}

static void test_bad_indices(void)
{
	run_guest(guest_bad_indices);
}

static void test_wrapping_sets(void)
{
	run_guest(guest_wrapping_sets);
}

static void test_reserved_flags(void)
{
	run_guest(guest_reserved_flags);
}

/* ---- groups ---- */

static const struct sbi_test_group groups[] = {
	{ "fw_read: unconfigured firmware counters read 0",	test_fw_read_unconfigured },
	{ "fw_read/get_info: hw, time, past-the-end counters",	test_bad_indices },
	{ "sets: ctr_base + mask wrapping is INVALID_PARAM",	test_wrapping_sets },
	{ "flags: reserved bits, SET_INIT_VALUE|INIT_SNAPSHOT",	test_reserved_flags },
};

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool has_pmu;

	ksft_print_header();
	close(open_kvm_dev_path_or_exit());

	vm = vm_create_with_one_vcpu(&vcpu, NULL);
	has_pmu = __vcpu_has_sbi_ext(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_PMU));
	kvm_vm_free(vm);
	if (!has_pmu)
		ksft_exit_skip("SBI PMU is not available on this vCPU\n");

	sbi_test_run(groups, ARRAY_SIZE(groups));
}
