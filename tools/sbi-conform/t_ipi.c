// SPDX-License-Identifier: GPL-2.0
/*
 * IPI (spec chapter 7): send_ipi to the own hart, to all harts, to another
 * running hart (which takes the interrupt), and the hart mask rules: a
 * base that is no hart is fine with nothing selected, a selected hart
 * that does not exist is INVALID_PARAM.
 */
#include "conform.h"

#define SIP_SSIP	BIT(1)

static void ipi_receiver(struct hart_job *job)
{
	struct hart_state *h = this_hart();

	csr_write(sie, SIE_SSIE);
	irq_enable();
	job->step = 1;
	wait_us(h->irqs[IRQ_S_SOFT] != 0, 2000000);
	job->result = h->irqs[IRQ_S_SOFT];
	irq_disable();
}

static void ipi_remote(void)
{
	static struct hart_job job = { .fn = ipi_receiver };
	unsigned long other;
	struct sbiret r;

	if (env.nr_harts < 2) {
		skip("one hart", "ipi: send_ipi to another hart");
		return;
	}
	other = env.hartid[1];
	harts[other].irqs[IRQ_S_SOFT] = 0;
	if (hart_run(1, &job)) {
		check(false, "ipi: send_ipi to another hart # hart_start failed");
		return;
	}
	wait_us(job.step == 1, 2000000);
	r = sbi_call2(SBI_EXT_IPI, 0, 1, other);
	check(!r.error && wait_us(job.done, 2000000) && job.result == 1,
	      "ipi: send_ipi to another hart interrupts it once # error %ld, taken %lu",
	      r.error, job.result);
	hart_wait_stopped(1);
}

void t_ipi(void)
{
	unsigned long self = this_hartid(), before;
	struct hart_state *h = this_hart();
	struct sbiret r;

	if (!sbi_probe(SBI_EXT_IPI)) {
		skip("not probed", "ipi: send_ipi");
		return;
	}
	csr_clear(sie, SIE_SSIE);
	csr_clear(sip, SIP_SSIP);
	r = sbi_call2(SBI_EXT_IPI, 0, 1, self);
	check(!r.error && wait_us(csr_read(sip) & SIP_SSIP, 10000),
	      "ipi: send_ipi(own hart) makes SSIP pending # error %ld", r.error);
	csr_clear(sip, SIP_SSIP);
	r = sbi_call2(SBI_EXT_IPI, 0, 0, -1UL);
	check(!r.error && wait_us(csr_read(sip) & SIP_SSIP, 10000),
	      "ipi: send_ipi(all harts, base -1) reaches the own hart # error %ld",
	      r.error);
	csr_clear(sip, SIP_SSIP);
	r = sbi_call2(SBI_EXT_IPI, 0, BIT(self), 0);
	check(!r.error && wait_us(csr_read(sip) & SIP_SSIP, 10000),
	      "ipi: send_ipi(mask bit, base 0) reaches the own hart # error %ld",
	      r.error);
	csr_clear(sip, SIP_SSIP);

	r = sbi_call2(SBI_EXT_IPI, 0, 0, 10000);
	check_err(r, SBI_SUCCESS, "ipi: send_ipi(empty mask, base no hart)");
	r = sbi_call2(SBI_EXT_IPI, 0, 1, 10000);
	check_err(r, SBI_ERR_INVALID_PARAM, "ipi: send_ipi(a hart that does not exist)");
	r = sbi_call2(SBI_EXT_IPI, 0, BIT(63), 0);
	check_err(r, SBI_ERR_INVALID_PARAM, "ipi: send_ipi(hart 63 of 0..%u)",
		  env.nr_harts - 1);

	before = h->irqs[IRQ_S_SOFT];
	csr_set(sie, SIE_SSIE);
	irq_enable();
	sbi_call2(SBI_EXT_IPI, 0, 1, self);
	check(wait_us(h->irqs[IRQ_S_SOFT] == before + 1, 1000000),
	      "ipi: the software interrupt is taken once");
	irq_disable();
	csr_clear(sie, SIE_SSIE);

	ipi_remote();
	r = sbi_call2(SBI_EXT_IPI, 1, 1, self);
	check_err(r, SBI_ERR_NOT_SUPPORTED, "ipi: unknown FID 1");
	csr_clear(sip, SIP_SSIP);
}
