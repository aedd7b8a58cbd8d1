// SPDX-License-Identifier: GPL-2.0
/*
 * SUSP (spec chapter 15): system_suspend's reserved and unimplemented
 * sleep types, DENIED while another hart runs, a resume address S-mode
 * cannot execute, and a suspend to RAM that resumes at resume_addr with
 * the hart_start entry state. The runner (sbi-vmm --suspend accept)
 * resumes the guest at once; firmware needs a wake-up source to offer it.
 */
#include "conform.h"

static void park_job(struct hart_job *job)
{
	job->step = 1;
	wait_us(job->step == 2, 5000000);
}

/* system_suspend(@type, @addr); true and *@resumed if it resumed. */
static struct sbiret suspend(unsigned long type, unsigned long addr,
			     bool *resumed, struct jmp_ctx *ctx)
{
	struct sbiret r = { SBI_SUCCESS, 0 };

	*resumed = false;
	if (conform_setjmp(ctx)) {
		*resumed = true;
		return r;
	}
	return sbi_call3(SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND, type, addr,
			 (unsigned long)ctx);
}

void t_susp(void)
{
	static struct hart_job job = { .fn = park_job };
	static struct jmp_ctx ctx;
	unsigned long resume = (unsigned long)resume_entry;
	bool resumed;
	struct sbiret r;

	if (!sbi_probe(SBI_EXT_SUSP)) {
		skip("not probed", "susp: system_suspend");
		return;
	}
	r = suspend(1, resume, &resumed, &ctx);
	check(!resumed && r.error == SBI_ERR_INVALID_PARAM,
	      "susp: system_suspend(reserved type 1) is INVALID_PARAM # %s%s",
	      sbi_err_name(r.error), resumed ? ", it suspended" : "");
	r = suspend(0x80000000UL, resume, &resumed, &ctx);
	check(!resumed && r.error == SBI_ERR_INVALID_PARAM,
	      "susp: system_suspend(unimplemented platform type) is INVALID_PARAM # %s%s",
	      sbi_err_name(r.error), resumed ? ", it suspended" : "");
	if (env.nr_harts >= 2 && !hart_run(1, &job)) {
		wait_us(job.step == 1, 2000000);
		r = suspend(SBI_SUSP_TO_RAM, resume, &resumed, &ctx);
		check(!resumed && r.error == SBI_ERR_DENIED,
		      "susp: system_suspend with another hart running is DENIED # %s",
		      sbi_err_name(r.error));
		job.step = 2;
		hart_wait_stopped(1);
	}
	r = suspend(SBI_SUSP_TO_RAM, env.bad_addr, &resumed, &ctx);
	check(!resumed && r.error == SBI_ERR_INVALID_ADDRESS,
	      "susp: system_suspend(resume_addr S-mode cannot execute) is INVALID_ADDRESS # %s",
	      sbi_err_name(r.error));
	ctx.entry_a0 = -1UL;
	ctx.entry_satp = -1UL;
	ctx.entry_sstatus = -1UL;
	r = suspend(SBI_SUSP_TO_RAM, resume, &resumed, &ctx);
	check(resumed, "susp: system_suspend(SUSPEND_TO_RAM) resumes at resume_addr # %s",
	      sbi_err_name(r.error));
	if (resumed)
		check(ctx.entry_a0 == this_hartid() && ctx.entry_satp == 0 &&
		      !(ctx.entry_sstatus & SSTATUS_SIE),
		      "susp: the resume has a0 = hart ID, satp = 0, sstatus.SIE = 0 # a0 %lx satp %lx sstatus %lx",
		      ctx.entry_a0, ctx.entry_satp, ctx.entry_sstatus);
}
