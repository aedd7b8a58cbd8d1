// SPDX-License-Identifier: GPL-2.0
/*
 * HSM (spec chapter 9): hart_get_status of every state the suite can
 * bring about, hart_start and its entry state (a0, a1, satp, sstatus.SIE),
 * ALREADY_AVAILABLE, hart_stop, retentive and non-retentive hart_suspend
 * woken by an IPI (SUSPENDED seen from the other hart, the non-retentive
 * resume state), the reserved suspend types, and last (t_hsm_last, after
 * which no check needs hart 1) the bad start and resume addresses.
 */
#include "conform.h"

static void wait_for_go(struct hart_job *job)
{
	job->step = 1;
	wait_us(job->step == 2, 5000000);
}

/* Suspend this hart as @type, woken by an IPI; result: the error. */
static void suspend_job(struct hart_job *job)
{
	static struct jmp_ctx ctx[MAX_HARTS];
	struct jmp_ctx *c = &ctx[this_hartid()];
	struct sbiret r;

	csr_write(sie, SIE_SSIE);
	if (conform_setjmp(c)) {
		/* Resumed at resume_entry: c->entry_* is what it saw. */
		struct hart_state *h = this_hart();

		h->entry_a0 = c->entry_a0;
		h->entry_satp = c->entry_satp;
		h->entry_sstatus = c->entry_sstatus;
		job->result = 1;
		csr_clear(sip, SIE_SSIE);
		return;
	}
	job->step = 1;
	r = sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, job->arg,
		      (unsigned long)resume_entry, (unsigned long)c);
	job->result = r.error ? (unsigned long)r.error : 0;
	csr_clear(sip, SIE_SSIE);
}

static void hsm_suspend_other(unsigned long type, const char *what)
{
	static struct hart_job job = { .fn = suspend_job };
	unsigned long other = env.hartid[1];
	struct hart_state *h = &harts[other];
	bool suspended, woke;
	struct sbiret r;

	job.arg = type;
	job.result = -100;
	h->entry_a0 = -1UL;
	h->entry_satp = -1UL;
	h->entry_sstatus = -1UL;
	if (hart_run(1, &job)) {
		check(false, "hsm: %s suspend # hart_start failed", what);
		return;
	}
	wait_us(job.step == 1, 2000000);
	suspended = wait_us(hsm_status(other) == SBI_HSM_STATE_SUSPENDED,
			    2000000);
	check(suspended, "hsm: hart_get_status of a hart in %s suspend is SUSPENDED # got %ld",
	      what, hsm_status(other));
	r = sbi_call2(SBI_EXT_IPI, 0, 1, other);
	woke = !r.error && wait_us(job.done, 2000000);
	if (type == SBI_HSM_SUSPEND_RETENTIVE) {
		check(woke && job.result == 0,
		      "hsm: retentive hart_suspend returns SUCCESS after an IPI # result %ld",
		      (long)job.result);
	} else {
		check(woke && job.result == 1,
		      "hsm: non-retentive hart_suspend resumes at resume_addr after an IPI # result %ld",
		      (long)job.result);
		check(h->entry_a0 == other && h->entry_satp == 0 &&
		      !(h->entry_sstatus & SSTATUS_SIE),
		      "hsm: the resume has a0 = hart ID, satp = 0, sstatus.SIE = 0 # a0 %lx satp %lx sstatus %lx",
		      h->entry_a0, h->entry_satp, h->entry_sstatus);
	}
	hart_wait_stopped(1);
}

/* A suspend of the own hart that must fail; a timer wakes it if not. */
static void hsm_bad_suspend(unsigned long type, long want, const char *what)
{
	static struct jmp_ctx ctx;
	struct sbiret r;

	if (conform_setjmp(&ctx)) {
		check(false, "hsm: hart_suspend(%s) # it suspended and resumed",
		      what);
		set_timer(-1UL);
		return;
	}
	csr_write(sie, SIE_STIE);
	set_timer(rdtime() + us_to_ticks(50000));
	r = sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, type,
		      (unsigned long)resume_entry, (unsigned long)&ctx);
	set_timer(-1UL);
	csr_write(sie, 0);
	check_err(r, want, "hsm: hart_suspend(%s)", what);
}

void t_hsm(void)
{
	static struct hart_job job = { .fn = wait_for_go };
	unsigned long self = this_hartid(), other;
	struct hart_state *h;
	long st;

	if (!sbi_probe(SBI_EXT_HSM)) {
		skip("not probed", "hsm: all functions");
		return;
	}
	st = hsm_status(self);
	check(st == SBI_HSM_STATE_STARTED,
	      "hsm: hart_get_status(own hart) is STARTED # got %ld", st);
	st = hsm_status(10000);
	check(st == SBI_ERR_INVALID_PARAM,
	      "hsm: hart_get_status(a hart that does not exist) is INVALID_PARAM # got %ld",
	      st);
	check_err(sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, 10000,
			    (unsigned long)secondary_entry, 0),
		  SBI_ERR_INVALID_PARAM, "hsm: hart_start(a hart that does not exist)");
	check_err(sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, self,
			    (unsigned long)secondary_entry, 0),
		  SBI_ERR_ALREADY_AVAILABLE, "hsm: hart_start(own hart)");
	check_err(sbi_call0(SBI_EXT_HSM, 4), SBI_ERR_NOT_SUPPORTED,
		  "hsm: unknown FID 4");
	hsm_bad_suspend(1, SBI_ERR_INVALID_PARAM, "reserved type 1");
	hsm_bad_suspend(0x80000001UL, SBI_ERR_INVALID_PARAM,
			"reserved type 0x80000001");
	hsm_bad_suspend(0x10000000UL, SBI_ERR_INVALID_PARAM,
			"unimplemented platform type 0x10000000");
	if (env.nr_harts < 2) {
		skip("one hart", "hsm: hart_start, hart_stop and hart_suspend of another hart");
		return;
	}
	other = env.hartid[1];
	h = &harts[other];
	st = hsm_status(other);
	check(st == SBI_HSM_STATE_STOPPED,
	      "hsm: hart_get_status of a hart not started yet is STOPPED # got %ld",
	      st);
	h->entry_a0 = -1UL;
	h->entry_a1 = -1UL;
	h->entry_satp = -1UL;
	h->entry_sstatus = -1UL;
	check_err(sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, other,
			    (unsigned long)secondary_entry, (unsigned long)&job),
		  SBI_SUCCESS, "hsm: hart_start(a stopped hart)");
	if (!wait_us(job.step == 1, 2000000)) {
		check(false, "hsm: the started hart runs");
		return;
	}
	check(h->entry_a0 == other && h->entry_a1 == (unsigned long)&job,
	      "hsm: the started hart has a0 = hart ID, a1 = opaque # a0 %lx a1 %lx",
	      h->entry_a0, h->entry_a1);
	check(h->entry_satp == 0 && !(h->entry_sstatus & SSTATUS_SIE),
	      "hsm: the started hart has satp = 0, sstatus.SIE = 0 # satp %lx sstatus %lx",
	      h->entry_satp, h->entry_sstatus);
	st = hsm_status(other);
	check(st == SBI_HSM_STATE_STARTED,
	      "hsm: hart_get_status of a running hart is STARTED # got %ld", st);
	check_err(sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, other,
			    (unsigned long)secondary_entry, (unsigned long)&job),
		  SBI_ERR_ALREADY_AVAILABLE, "hsm: hart_start(a running hart)");
	job.step = 2;
	check(wait_us(job.done, 2000000) && hart_wait_stopped(1),
	      "hsm: hart_stop: the hart becomes STOPPED");
	hsm_suspend_other(SBI_HSM_SUSPEND_RETENTIVE, "retentive");
	hsm_suspend_other(SBI_HSM_SUSPEND_NON_RETENTIVE, "non-retentive");
}

void t_hsm_last(void)
{
	struct sbiret r;

	if (!sbi_probe(SBI_EXT_HSM) || env.nr_harts < 2) {
		skip("no HSM or one hart", "hsm: hart_start(bad address)");
		return;
	}
	r = sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, env.hartid[1],
		      env.bad_addr, 0);
	check_err(r, SBI_ERR_INVALID_ADDRESS, "hsm: hart_start(start_addr S-mode cannot execute)");
}
