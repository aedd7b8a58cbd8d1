// SPDX-License-Identifier: GPL-2.0
/*
 * STA (spec chapter 16): steal_time_set_shmem's argument checks, the
 * 64-byte record it zeroes and then keeps (even sequence, flags 0, zero
 * padding, steal never going back), and that it stops writing once
 * disabled.
 */
#include "conform.h"

struct sta_record {
	uint32_t sequence;
	uint32_t flags;
	uint64_t steal;
	uint8_t preempted;
	uint8_t pad[47];
};

static volatile struct sta_record sta __aligned(64);

static struct sbiret sta_set(unsigned long lo, unsigned long hi,
			     unsigned long flags)
{
	return sbi_call3(SBI_EXT_STA, SBI_STA_SET_SHMEM, lo, hi, flags);
}

/* A consistent copy of the record, by the sequence protocol. */
static bool sta_read(struct sta_record *out)
{
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t seq = sta.sequence;

		if (seq & 1)
			continue;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		memcpy(out, (const void *)&sta, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (sta.sequence == seq)
			return true;
	}
	return false;
}

void t_sta(void)
{
	unsigned long p = (unsigned long)&sta;
	struct sta_record a, b;
	bool pad_zero = true;
	uint32_t seq;

	if (!sbi_probe(SBI_EXT_STA)) {
		skip("not probed", "sta: steal_time_set_shmem");
		return;
	}
	check_err(sta_set(p + 8, 0, 0), SBI_ERR_INVALID_PARAM,
		  "sta: set_shmem(not 64-byte aligned)");
	check_err(sta_set(p, 0, 1), SBI_ERR_INVALID_PARAM, "sta: set_shmem(flags 1)");
	check_err(sta_set(env.bad_addr, 0, 0), SBI_ERR_INVALID_ADDRESS,
		  "sta: set_shmem(memory S-mode cannot write)");
	check_err(sta_set(p, 1, 0), SBI_ERR_INVALID_ADDRESS,
		  "sta: set_shmem(hi 1: beyond the physical address space)");
	memset((void *)&sta, 0xa5, sizeof(sta));
	if (!check_err(sta_set(p, 0, 0), SBI_SUCCESS, "sta: set_shmem(a record)"))
		return;
	delay_us(20000);
	check(sta_read(&a), "sta: the sequence is even when read");
	for (unsigned int i = 0; i < sizeof(a.pad); i++)
		pad_zero &= !a.pad[i];
	check(a.flags == 0 && pad_zero,
	      "sta: flags and padding are zero # flags %x", a.flags);
	delay_us(20000);
	check(sta_read(&b) && b.steal >= a.steal,
	      "sta: steal does not go back # %lu then %lu",
	      (unsigned long)a.steal, (unsigned long)b.steal);
	check(b.preempted == 0, "sta: preempted is 0 while the hart runs");
	check_err(sta_set(-1UL, -1UL, 0), SBI_SUCCESS, "sta: set_shmem(-1, -1) disables");
	seq = sta.sequence;
	sta.sequence = 0x12345678;
	delay_us(50000);
	check(sta.sequence == 0x12345678,
	      "sta: nothing is written once disabled # sequence %x (was %x)",
	      sta.sequence, seq);
	check_err(sbi_call0(SBI_EXT_STA, 1), SBI_ERR_NOT_SUPPORTED,
		  "sta: unknown FID 1");
}
