// SPDX-License-Identifier: GPL-2.0
/*
 * FWFT (spec chapter 18): reserved and unimplemented platform features are
 * DENIED (and get answers 0), every standard feature the implementation
 * has accepts its current value and rejects bad values and flags, the
 * misaligned-exception delegation really moves the trap to S-mode, and a
 * locked feature is DENIED_LOCKED (on hart 1, which no later check needs
 * unlocked).
 */
#include "conform.h"

#define EXC_LOAD_MISALIGNED	4

static struct sbiret fwft_get(unsigned long f)
{
	return sbi_call1(SBI_EXT_FWFT, SBI_FWFT_GET, f);
}

static struct sbiret fwft_set(unsigned long f, unsigned long v,
			      unsigned long flags)
{
	return sbi_call3(SBI_EXT_FWFT, SBI_FWFT_SET, f, v, flags);
}

static const char *const names[] = {
	"MISALIGNED_EXC_DELEG", "LANDING_PAD", "SHADOW_STACK", "DOUBLE_TRAP",
	"PTE_AD_HW_UPDATING", "POINTER_MASKING_PMLEN",
};

static unsigned long misaligned_load(void)
{
	static volatile unsigned char buf[16] __aligned(8) = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	unsigned long v, addr = (unsigned long)buf + 1;

	asm volatile("ld %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static void fwft_misaligned(void)
{
	struct sbiret r = fwft_set(SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0);
	unsigned long v;

	if (r.error) {
		skip("set to 1 refused", "fwft: MISALIGNED_EXC_DELEG 1 delegates the trap");
		return;
	}
	trap_expect();
	misaligned_load();
	if (trap_taken(EXC_LOAD_MISALIGNED))
		check(true, "fwft: MISALIGNED_EXC_DELEG 1 delegates the trap to S-mode");
	else if (!this_hart()->trapped)
		skip("the hart does misaligned loads itself",
		     "fwft: MISALIGNED_EXC_DELEG 1 delegates the trap");
	else
		check(false, "fwft: MISALIGNED_EXC_DELEG 1 delegates the trap # scause %lu",
		      this_hart()->trap_cause);
	r = fwft_set(SBI_FWFT_MISALIGNED_EXC_DELEG, 0, 0);
	trap_expect();
	v = misaligned_load();
	check(!r.error && !trap_taken(EXC_LOAD_MISALIGNED) && v == 0x0908070605040302UL,
	      "fwft: MISALIGNED_EXC_DELEG 0: the load completes without a trap # %lx", v);
}

static void lock_job(struct hart_job *job)
{
	unsigned long f = job->arg;
	struct sbiret g = fwft_get(f), r;

	r = fwft_set(f, g.value, SBI_FWFT_SET_FLAG_LOCK);
	job->result = r.error == 0;
	r = fwft_set(f, g.value, 0);
	job->result |= (unsigned long)(r.error == SBI_ERR_DENIED_LOCKED) << 1;
	r = fwft_get(f);
	job->result |= (unsigned long)(!r.error && r.value == g.value) << 2;
}

void t_fwft(void)
{
	static const unsigned long reserved[] = {
		6, 0x3fffffff, 0x40000000, 0x80000000, 0xc0000000,
	};
	static struct hart_job job = { .fn = lock_job };
	long lockable = -1;
	struct sbiret r;

	if (!sbi_probe(SBI_EXT_FWFT)) {
		skip("not probed", "fwft: all functions");
		return;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(reserved); i++) {
		r = fwft_get(reserved[i]);
		check(r.error == SBI_ERR_DENIED && r.value == 0,
		      "fwft: get(reserved or unimplemented feature %lx) is DENIED, value 0 # %s",
		      reserved[i], sbi_err_name(r.error));
		check_err(fwft_set(reserved[i], 0, 0), SBI_ERR_DENIED,
			  "fwft: set(reserved or unimplemented feature %lx)", reserved[i]);
	}
	for (unsigned long f = 0; f < ARRAY_SIZE(names); f++) {
		r = fwft_get(f);
		if (!check_err2(r, SBI_SUCCESS, SBI_ERR_NOT_SUPPORTED, "fwft: get(%s)",
				names[f]) || r.error)
			continue;
		diag("fwft: %s = %ld", names[f], r.value);
		check_err(fwft_set(f, r.value, 0), SBI_SUCCESS,
			  "fwft: set(%s, its current value)", names[f]);
		check_err(fwft_set(f, r.value, BIT(1)), SBI_ERR_INVALID_PARAM,
			  "fwft: set(%s, flags bit 1)", names[f]);
		if (f != SBI_FWFT_POINTER_MASKING_PMLEN)
			check_err(fwft_set(f, 2, 0), SBI_ERR_INVALID_PARAM,
				  "fwft: set(%s, 2)", names[f]);
		if (lockable < 0)
			lockable = f;
	}
	if (!fwft_get(SBI_FWFT_MISALIGNED_EXC_DELEG).error)
		fwft_misaligned();
	check_err(sbi_call0(SBI_EXT_FWFT, 2), SBI_ERR_NOT_SUPPORTED,
		  "fwft: unknown FID 2");
	if (lockable < 0 || env.nr_harts < 2) {
		skip("no feature or one hart", "fwft: LOCK");
		return;
	}
	job.arg = lockable;
	if (!hart_run(1, &job) && wait_us(job.done, 2000000))
		check(job.result == 7,
		      "fwft: set(%s, LOCK) succeeds, then set is DENIED_LOCKED, get unchanged # %lx",
		      names[lockable], job.result);
	else
		check(false, "fwft: LOCK # hart 1 did not run");
	hart_wait_stopped(1);
}
