// SPDX-License-Identifier: GPL-2.0
/*
 * DBTR (spec chapter 19): num_triggers, the shared memory rules, a trigger
 * read, installed (an execute breakpoint that really fires in S-mode),
 * disabled, enabled and uninstalled, and the errors for indexes that are
 * not mapped.
 */
#include "conform.h"

#define EXC_BREAKPOINT	3
#define MC6_EXEC	(6UL << 60 | BIT(4) | BIT(2))	/* type 6, s, execute */
#define TS_MAPPED	BIT(0)

struct dbtr_entry {
	unsigned long word[4];
};

static struct dbtr_entry shm[4] __aligned(64);

/* The breakpoint's target (conform.h): the trap skips the nop. */
asm(".text\n.globl dbtr_target\ndbtr_target:\n\tnop\n\tret\n");

static struct sbiret dbtr(unsigned long fid, unsigned long a0, unsigned long a1,
			  unsigned long a2)
{
	return sbi_call3(SBI_EXT_DBTR, fid, a0, a1, a2);
}

static bool fires(void)
{
	bool hit;

	trap_expect();
	dbtr_target();
	hit = trap_taken(EXC_BREAKPOINT);
	return hit && this_hart()->trap_epc == (unsigned long)dbtr_target;
}

void t_dbtr(void)
{
	unsigned long p = (unsigned long)shm, max;
	struct sbiret r;

	if (!sbi_probe(SBI_EXT_DBTR)) {
		skip("not probed", "dbtr: all functions");
		return;
	}
	r = dbtr(SBI_DBTR_NUM_TRIGGERS, 0, 0, 0);
	check_err(r, SBI_SUCCESS, "dbtr: num_triggers(0)");
	max = r.value;
	diag("dbtr: %lu triggers", max);
	r = dbtr(SBI_DBTR_READ_TRIGGERS, 0, 1, 0);
	check_err(r, SBI_ERR_NO_SHMEM, "dbtr: read_triggers without shared memory");
	check_err(dbtr(SBI_DBTR_SET_SHMEM, p + 1, 0, 0), SBI_ERR_INVALID_PARAM,
		  "dbtr: set_shmem(misaligned)");
	if (!check_err(dbtr(SBI_DBTR_SET_SHMEM, p, 0, 1), SBI_ERR_INVALID_PARAM,
		       "dbtr: set_shmem(flags 1)"))
		dbtr(SBI_DBTR_SET_SHMEM, -1UL, -1UL, 0);
	check_err(dbtr(SBI_DBTR_SET_SHMEM, env.bad_addr, 0, 0),
		  SBI_ERR_INVALID_ADDRESS, "dbtr: set_shmem(memory S-mode cannot write)");
	if (!max) {
		skip("no triggers", "dbtr: triggers");
		return;
	}
	check_err(dbtr(SBI_DBTR_SET_SHMEM, p, 0, 0), SBI_SUCCESS, "dbtr: set_shmem");
	memset(shm, 0, sizeof(shm));
	shm[0].word[1] = MC6_EXEC;
	shm[0].word[2] = (unsigned long)dbtr_target;
	r = dbtr(SBI_DBTR_INSTALL_TRIGGERS, 1, 0, 0);
	if (!check(!r.error && shm[0].word[0] < max,
		   "dbtr: install_triggers(an execute breakpoint) # error %ld index %lu",
		   r.error, shm[0].word[0]))
		return;
	check(fires(), "dbtr: the breakpoint fires at its address");
	r = dbtr(SBI_DBTR_READ_TRIGGERS, 0, 1, 0);
	check(!r.error && (shm[0].word[0] & TS_MAPPED) &&
	      shm[0].word[2] == (unsigned long)dbtr_target,
	      "dbtr: read_triggers: mapped, tdata2 the address # state %lx tdata2 %lx",
	      shm[0].word[0], shm[0].word[2]);
	check_err(dbtr(7, 0, 1, 0), SBI_SUCCESS, "dbtr: disable_triggers");
	check(!fires(), "dbtr: a disabled breakpoint does not fire");
	check_err(dbtr(6, 0, 1, 0), SBI_SUCCESS, "dbtr: enable_triggers");
	check(fires(), "dbtr: an enabled breakpoint fires again");
	check_err(dbtr(SBI_DBTR_UNINSTALL_TRIGGERS, 0, 1, 0), SBI_SUCCESS,
		  "dbtr: uninstall_triggers");
	check(!fires(), "dbtr: an uninstalled breakpoint does not fire");
	check_err(dbtr(SBI_DBTR_UNINSTALL_TRIGGERS, 0, 1, 0), SBI_ERR_INVALID_PARAM,
		  "dbtr: uninstall_triggers(an unmapped index)");
	check_err(dbtr(SBI_DBTR_UNINSTALL_TRIGGERS, max, 1, 0), SBI_ERR_INVALID_PARAM,
		  "dbtr: uninstall_triggers(index trig_max)");
	check_err(dbtr(8, 0, 0, 0), SBI_ERR_NOT_SUPPORTED, "dbtr: unknown FID 8");
	dbtr(SBI_DBTR_SET_SHMEM, -1UL, -1UL, 0);
}
