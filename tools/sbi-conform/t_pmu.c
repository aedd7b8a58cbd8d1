// SPDX-License-Identifier: GPL-2.0
/*
 * PMU (spec chapter 11): counters and their info, matching a firmware
 * event (SET_TIMER) and a hardware one (CPU_CYCLES), start and stop with
 * their flags and error states, firmware counter reads, the snapshot area
 * (v2.0) and event_get_info (v3.0), each with the spec's error codes.
 */
#include "conform.h"

#define INFO_FW		BIT(63)
#define CSR_CYCLE	0xc00

struct event_info {
	uint32_t event_idx;
	uint32_t output;
	uint64_t event_data;
};

static unsigned long snapshot[512] __aligned(4096);
static struct event_info infos[4] __aligned(16);
static unsigned long nr_counters, all_mask, info[64];
static bool cycles_matched;

static struct sbiret pmu(unsigned long fid, unsigned long a0, unsigned long a1,
			 unsigned long a2, unsigned long a3, unsigned long a4)
{
	return sbi_ecall(a0, a1, a2, a3, a4, 0, fid, SBI_EXT_PMU);
}

/* head.S: CSR 0xc00 + n, cycle to hpmcounter31. */
unsigned long counter_csr_read(unsigned long n);

static bool read_counter_csr(unsigned long csr, unsigned long *v)
{
	if (csr < CSR_CYCLE || csr > CSR_CYCLE + 31)
		return false;
	trap_expect();
	*v = counter_csr_read(csr - CSR_CYCLE);
	return !trap_any();
}

/* The firmware SET_TIMER counter: counted by set_timer calls. */
static void pmu_fw(void)
{
	unsigned long idx, base;
	struct sbiret r;

	r = pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, all_mask, SBI_PMU_CFG_CLEAR_VALUE,
		SBI_PMU_FW_SET_TIMER, 0);
	if (!check(!r.error && r.value < (long)nr_counters &&
		   (info[r.value] & INFO_FW),
		   "pmu: counter_config_matching(FW SET_TIMER) picks a firmware counter # error %ld idx %ld",
		   r.error, r.value))
		return;
	idx = r.value;
	base = idx;
	check_err(pmu(SBI_PMU_COUNTER_START, base, 1, SBI_PMU_START_SET_INIT_VALUE,
		      0, 0), SBI_SUCCESS, "pmu: counter_start(SET_INIT_VALUE 0)");
	check_err(pmu(SBI_PMU_COUNTER_START, base, 1, 0, 0, 0),
		  SBI_ERR_ALREADY_STARTED, "pmu: counter_start(a started counter)");
	for (int i = 0; i < 3; i++)
		set_timer(-1UL);
	r = pmu(SBI_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0);
	check(!r.error && r.value == 3,
	      "pmu: counter_fw_read counts 3 set_timer calls # error %ld value %ld",
	      r.error, r.value);
	if (spec_at_least(2, 0)) {
		r = pmu(SBI_PMU_COUNTER_FW_READ_HI, idx, 0, 0, 0, 0);
		check(!r.error && r.value == 0,
		      "pmu: counter_fw_read_hi is 0 on RV64 # error %ld value %ld",
		      r.error, r.value);
	}
	if (!check_err(pmu(SBI_PMU_COUNTER_STOP, base, 1, BIT(2), 0, 0),
		       SBI_ERR_INVALID_PARAM, "pmu: counter_stop(reserved flag bit 2)"))
		pmu(SBI_PMU_COUNTER_START, base, 1, 0, 0, 0);	/* it stopped */
	check_err(pmu(SBI_PMU_COUNTER_STOP, base, 1, 0, 0, 0), SBI_SUCCESS,
		  "pmu: counter_stop");
	check_err(pmu(SBI_PMU_COUNTER_STOP, base, 1, 0, 0, 0),
		  SBI_ERR_ALREADY_STOPPED, "pmu: counter_stop(a stopped counter)");
	set_timer(-1UL);
	r = pmu(SBI_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0);
	check(!r.error && r.value == 3,
	      "pmu: a stopped counter does not count # value %ld", r.value);
	check_err(pmu(SBI_PMU_COUNTER_START, base, 1, 0, 0, 0), SBI_SUCCESS,
		  "pmu: counter_start without SET_INIT_VALUE");
	set_timer(-1UL);
	r = pmu(SBI_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0);
	check(!r.error && r.value == 4,
	      "pmu: a restarted counter counts on from its value # value %ld",
	      r.value);
	check_err(pmu(SBI_PMU_COUNTER_STOP, base, 1, SBI_PMU_STOP_RESET, 0, 0),
		  SBI_SUCCESS, "pmu: counter_stop(RESET)");
	r = pmu(SBI_PMU_COUNTER_FW_READ, nr_counters, 0, 0, 0, 0);
	check_err(r, SBI_ERR_INVALID_PARAM, "pmu: counter_fw_read(no such counter)");
}

static void pmu_hw(void)
{
	unsigned long idx, csr, v0, v1;
	struct sbiret r;

	r = pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, all_mask, SBI_PMU_CFG_CLEAR_VALUE,
		SBI_PMU_HW_CPU_CYCLES, 0);
	if (r.error == SBI_ERR_NOT_SUPPORTED) {
		skip("no counter counts CPU_CYCLES", "pmu: a hardware counter counts");
		return;
	}
	if (!check(!r.error && r.value < (long)nr_counters &&
		   !(info[r.value] & INFO_FW),
		   "pmu: counter_config_matching(HW CPU_CYCLES) picks a hardware counter # error %ld idx %ld",
		   r.error, r.value))
		return;
	idx = r.value;
	cycles_matched = true;
	csr = info[idx] & 0xfff;
	check_err(pmu(SBI_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: counter_fw_read(a hardware counter)");
	check_err(pmu(SBI_PMU_COUNTER_START, idx, 1, SBI_PMU_START_SET_INIT_VALUE,
		      0, 0), SBI_SUCCESS, "pmu: counter_start(HW counter)");
	if (read_counter_csr(csr, &v0)) {
		delay_us(100);
		read_counter_csr(csr, &v1);
		check(v1 > v0, "pmu: the hardware counter (CSR %lx) counts # %lu then %lu",
		      csr, v0, v1);
	} else {
		check(false,
		      "pmu: the hardware counter counts # reading CSR %lx trapped (scause %lu)",
		      csr, this_hart()->trap_cause);
	}
	check_err(pmu(SBI_PMU_COUNTER_STOP, idx, 1, SBI_PMU_STOP_RESET, 0, 0),
		  SBI_SUCCESS, "pmu: counter_stop(HW counter, RESET)");
}

/* The snapshot area (optional: NOT_SUPPORTED for a page means absent). */
static void pmu_snapshot(void)
{
	unsigned long page = (unsigned long)snapshot, idx;
	struct sbiret r;

	r = pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, page, 0, 0, 0, 0);
	if (r.error == SBI_ERR_NOT_SUPPORTED) {
		skip("snapshots not implemented (optional)", "pmu: snapshot_set_shmem");
		return;
	}
	check_err(r, SBI_SUCCESS, "pmu: snapshot_set_shmem(a page)");
	check_err(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, -1UL, -1UL, 0, 0, 0),
		  SBI_SUCCESS, "pmu: snapshot_set_shmem(-1, -1) disables");
	check_err(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, page + 8, 0, 0, 0, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: snapshot_set_shmem(misaligned)");
	check_err(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, page, 0, 1, 0, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: snapshot_set_shmem(flags 1)");
	check_err(pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, env.bad_addr, 0, 0, 0, 0),
		  SBI_ERR_INVALID_ADDRESS, "pmu: snapshot_set_shmem(memory S-mode cannot write)");
	r = pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, all_mask, SBI_PMU_CFG_CLEAR_VALUE,
		SBI_PMU_FW_SET_TIMER, 0);
	if (!check_err(r, SBI_SUCCESS,
		       "pmu: counter_config_matching(FW SET_TIMER) for the snapshot"))
		return;
	idx = r.value;
	pmu(SBI_PMU_COUNTER_START, idx, 1, SBI_PMU_START_SET_INIT_VALUE, 0, 0);
	check_err(pmu(SBI_PMU_COUNTER_STOP, idx, 1, SBI_PMU_STOP_TAKE_SNAPSHOT,
		      0, 0), SBI_ERR_NO_SHMEM,
		  "pmu: counter_stop(TAKE_SNAPSHOT) without a snapshot area");
	pmu(SBI_PMU_COUNTER_STOP, idx, 1, 0, 0, 0);
	pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, page, 0, 0, 0, 0);
	memset(snapshot, 0xff, sizeof(snapshot));
	pmu(SBI_PMU_COUNTER_START, idx, 1, SBI_PMU_START_SET_INIT_VALUE, 0, 0);
	set_timer(-1UL);
	set_timer(-1UL);
	r = pmu(SBI_PMU_COUNTER_STOP, idx, 1, SBI_PMU_STOP_TAKE_SNAPSHOT, 0, 0);
	check(!r.error && snapshot[1] == 2,
	      "pmu: counter_stop(TAKE_SNAPSHOT) writes the value at counter_values[0] # error %ld value %lx",
	      r.error, snapshot[1]);
	check(snapshot[2] == -1UL && snapshot[64] == -1UL,
	      "pmu: the snapshot leaves other counters' entries alone # %lx %lx",
	      snapshot[2], snapshot[64]);
	pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, -1UL, -1UL, 0, 0, 0);
	pmu(SBI_PMU_COUNTER_STOP, idx, 1, SBI_PMU_STOP_RESET, 0, 0);
}

static void pmu_event_info(void)
{
	unsigned long p = (unsigned long)infos;
	struct sbiret r;

	memset(infos, 0, sizeof(infos));
	infos[0].event_idx = SBI_PMU_FW_SET_TIMER;
	infos[1].event_idx = SBI_PMU_FW_IPI_SENT;
	infos[2].event_idx = SBI_PMU_EVENT(15, 200);	/* reserved code */
	infos[3].event_idx = SBI_PMU_HW_CPU_CYCLES;
	for (int i = 0; i < 4; i++)
		infos[i].output = 0xfe;
	r = pmu(SBI_PMU_EVENT_GET_INFO, p, 0, 4, 0, 0);
	if (r.error == SBI_ERR_NOT_SUPPORTED) {
		skip("function not available (optional)", "pmu: event_get_info");
		return;
	}
	if (check_err(r, SBI_SUCCESS, "pmu: event_get_info(4 entries)")) {
		check(infos[0].output == 1 && infos[1].output == 1,
		      "pmu: event_get_info: firmware SET_TIMER and IPI_SENT supported # %x %x",
		      infos[0].output, infos[1].output);
		check(infos[2].output == 0,
		      "pmu: event_get_info: a reserved firmware event unsupported # %x",
		      infos[2].output);
		check(infos[3].output == cycles_matched,
		      "pmu: event_get_info(CPU_CYCLES) agrees with counter_config_matching # %x",
		      infos[3].output);
	}
	check_err(pmu(SBI_PMU_EVENT_GET_INFO, p + 8, 0, 1, 0, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: event_get_info(misaligned)");
	check_err(pmu(SBI_PMU_EVENT_GET_INFO, p, 0, 1, 1, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: event_get_info(flags 1)");
	infos[0].event_idx = BIT(20) | SBI_PMU_FW_SET_TIMER;
	check_err(pmu(SBI_PMU_EVENT_GET_INFO, p, 0, 1, 0, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: event_get_info(reserved event_idx bit 20)");
	check_err(pmu(SBI_PMU_EVENT_GET_INFO, env.bad_addr, 0, 1, 0, 0),
		  SBI_ERR_INVALID_ADDRESS, "pmu: event_get_info(memory S-mode cannot access)");
}

void t_pmu(void)
{
	unsigned long hw = 0, fw = 0;
	struct sbiret r;

	if (!sbi_probe(SBI_EXT_PMU)) {
		skip("not probed", "pmu: all functions");
		return;
	}
	r = pmu(SBI_PMU_NUM_COUNTERS, 0, 0, 0, 0, 0);
	if (!check(!r.error && r.value > 0 && r.value <= 64,
		   "pmu: num_counters # error %ld value %ld", r.error, r.value))
		return;
	nr_counters = r.value;
	all_mask = nr_counters == 64 ? -1UL : BIT(nr_counters) - 1;
	for (unsigned long i = 0; i < nr_counters; i++) {
		r = pmu(SBI_PMU_COUNTER_GET_INFO, i, 0, 0, 0, 0);
		info[i] = r.error ? 0 : r.value;
		if (r.error)
			hw = -1UL;
		else if (r.value & INFO_FW)
			fw++;
		else
			hw++;
	}
	check(hw != -1UL, "pmu: counter_get_info of every counter");
	diag("pmu: %lu counters: %lu hardware, %lu firmware", nr_counters, hw, fw);
	check_err(pmu(SBI_PMU_COUNTER_GET_INFO, nr_counters, 0, 0, 0, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: counter_get_info(no such counter)");
	check_err(pmu(SBI_PMU_COUNTER_CFG_MATCH, 0, all_mask, BIT(8),
		      SBI_PMU_FW_SET_TIMER, 0), SBI_ERR_INVALID_PARAM,
		  "pmu: counter_config_matching(reserved flag bit 8)");
	check_err(pmu(SBI_PMU_COUNTER_CFG_MATCH, nr_counters, 1, 0,
		      SBI_PMU_FW_SET_TIMER, 0), SBI_ERR_INVALID_PARAM,
		  "pmu: counter_config_matching(no such counter)");
	check_err(pmu(SBI_PMU_COUNTER_START, nr_counters, 1, 0, 0, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: counter_start(no such counter)");
	check_err(pmu(SBI_PMU_COUNTER_STOP, nr_counters, 1, 0, 0, 0),
		  SBI_ERR_INVALID_PARAM, "pmu: counter_stop(no such counter)");
	if (fw)
		pmu_fw();
	else
		skip("no firmware counters", "pmu: firmware counters");
	pmu_hw();
	if (spec_at_least(2, 0))
		pmu_snapshot();
	if (spec_at_least(3, 0))
		pmu_event_info();
	check_err(pmu(9, 0, 0, 0, 0, 0), SBI_ERR_NOT_SUPPORTED,
		  "pmu: unknown FID 9");
}
