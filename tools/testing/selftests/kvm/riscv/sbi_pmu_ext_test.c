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
 * INIT_SNAPSHOT, are SBI_ERR_INVALID_PARAM and change nothing. An
 * hpmcounter CSR whose number is a firmware counter's index (the same
 * fw_event[] read through the CSR emulation) is an illegal instruction.
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

/* Readers of hpmcounter3-31: csrr takes its CSR number as an immediate. */
#define HPM_READER(n)							\
static unsigned long hpm_read_##n(void)					\
{									\
	return csr_read(CSR_CYCLE + (n));					\
}

HPM_READER(3) HPM_READER(4) HPM_READER(5) HPM_READER(6) HPM_READER(7)
HPM_READER(8) HPM_READER(9) HPM_READER(10) HPM_READER(11) HPM_READER(12)
HPM_READER(13) HPM_READER(14) HPM_READER(15) HPM_READER(16) HPM_READER(17)
HPM_READER(18) HPM_READER(19) HPM_READER(20) HPM_READER(21) HPM_READER(22)
HPM_READER(23) HPM_READER(24) HPM_READER(25) HPM_READER(26) HPM_READER(27)
HPM_READER(28) HPM_READER(29) HPM_READER(30) HPM_READER(31)

static unsigned long (*const hpm_readers[32])(void) = {
	[3] = hpm_read_3, [4] = hpm_read_4, [5] = hpm_read_5, [6] = hpm_read_6,
	[7] = hpm_read_7, [8] = hpm_read_8, [9] = hpm_read_9, [10] = hpm_read_10,
	[11] = hpm_read_11, [12] = hpm_read_12, [13] = hpm_read_13,
	[14] = hpm_read_14, [15] = hpm_read_15, [16] = hpm_read_16,
	[17] = hpm_read_17, [18] = hpm_read_18, [19] = hpm_read_19,
	[20] = hpm_read_20, [21] = hpm_read_21, [22] = hpm_read_22,
	[23] = hpm_read_23, [24] = hpm_read_24, [25] = hpm_read_25,
	[26] = hpm_read_26, [27] = hpm_read_27, [28] = hpm_read_28,
	[29] = hpm_read_29, [30] = hpm_read_30, [31] = hpm_read_31,
};

static unsigned long illegal_traps;

static void illegal_handler(struct ex_regs *regs)
{
	WRITE_ONCE(illegal_traps, illegal_traps + 1);
	regs->epc += 4;		/* skip the csrr */
}

/*
 * An hpmcounter CSR whose number is a firmware counter's index: 6.12
 * emulated the read with that counter, indexing fw_event[] with 0xffff.
 * Firmware counters have no CSR, so it is an illegal instruction.
 */
static void guest_hpm_csr_of_fw_counter(void)
{
	unsigned long nr = nr_counters(), fw = first_fw_counter(nr), n, val;

	GUEST_SYNC(fw);
	__GUEST_ASSERT(fw >= 3, "first firmware counter %lu", fw);
	for (n = fw; n < 32; n++) {
		WRITE_ONCE(illegal_traps, 0);
		val = hpm_readers[n]();
		__GUEST_ASSERT(READ_ONCE(illegal_traps) == 1,
			       "hpmcounter%lu (firmware counter %lu): %lu traps, value %#lx",
			       n, n, illegal_traps, val);
	}
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
	vm_init_vector_tables(vm);
	vm_install_exception_handler(vm, EXC_INST_ILLEGAL, illegal_handler);
	vcpu_init_vector_tables(vcpu);
	guest_fn = fn;
	sync_global_to_guest(vm, guest_fn);

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			kvm_vm_free(vm);
			return;
		case UCALL_SYNC:
			ksft_print_msg("first firmware counter %lu: %lu hpmcounter CSRs name one\n",
				       (unsigned long)uc.args[1],
				       uc.args[1] < 32 ? 32 - (unsigned long)uc.args[1] : 0);
			break;
		default:
			sbi_test_report_exit(vcpu);
		}
	}
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

static void test_hpm_csr_of_fw_counter(void)
{
	run_guest(guest_hpm_csr_of_fw_counter);
}

/* ---- groups ---- */

static const struct sbi_test_group groups[] = {
	{ "fw_read: unconfigured firmware counters read 0",	test_fw_read_unconfigured },
	{ "fw_read/get_info: hw, time, past-the-end counters",	test_bad_indices },
	{ "sets: ctr_base + mask wrapping is INVALID_PARAM",	test_wrapping_sets },
	{ "flags: reserved bits, SET_INIT_VALUE|INIT_SNAPSHOT",	test_reserved_flags },
	{ "csr: hpmcounter of a firmware counter is illegal",	test_hpm_csr_of_fw_counter },
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
