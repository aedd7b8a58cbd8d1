// SPDX-License-Identifier: GPL-2.0
/*
 * TIME (spec chapter 6): set_timer's deadline in the past makes the
 * supervisor timer interrupt pending at once, masked or not; one in the
 * future (or -1) clears it; the interrupt is taken with sip.STIP set, and
 * a deadline moved away before it expires never fires.
 */
#include "conform.h"

#define SIP_STIP	BIT(5)

void t_time(void)
{
	struct hart_state *h = this_hart();
	unsigned long before;
	struct sbiret r;

	if (!sbi_probe(SBI_EXT_TIME)) {
		skip("not probed", "time: set_timer");
		return;
	}
	csr_clear(sie, SIE_STIE);
	r = sbi_call1(SBI_EXT_TIME, 0, 0);
	check_err(r, SBI_SUCCESS, "time: set_timer(0)");
	if (stip_visible())
		check(wait_us(csr_read(sip) & SIP_STIP, 10000),
		      "time: a past deadline makes STIP pending with STIE clear");
	else
		skip(stip_hidden_why(), "time: a past deadline makes STIP pending with STIE clear");
	r = sbi_call1(SBI_EXT_TIME, 0, rdtime() + us_to_ticks(10000000));
	check(!r.error && !(csr_read(sip) & SIP_STIP),
	      "time: a future deadline clears STIP with STIE clear");
	sbi_call1(SBI_EXT_TIME, 0, 0);
	wait_us(csr_read(sip) & SIP_STIP, 10000);
	r = sbi_call1(SBI_EXT_TIME, 0, -1UL);
	check(!r.error && !(csr_read(sip) & SIP_STIP),
	      "time: set_timer(-1) clears STIP");

	before = h->irqs[IRQ_S_TIMER];
	h->timer_sip = 0;
	csr_set(sie, SIE_STIE);
	irq_enable();
	sbi_call1(SBI_EXT_TIME, 0, rdtime() + us_to_ticks(1000));
	check(wait_us(h->irqs[IRQ_S_TIMER] != before, 2000000),
	      "time: the timer interrupt is taken after the deadline");
	if (stip_visible()) {
		check(h->timer_sip & SIP_STIP,
		      "time: sip.STIP is set in the timer interrupt handler");
		check(!(h->timer_sip_after & SIP_STIP),
		      "time: set_timer(-1) in the handler clears sip.STIP");
	} else {
		skip(stip_hidden_why(), "time: sip.STIP is set in the timer interrupt handler");
		skip(stip_hidden_why(), "time: set_timer(-1) in the handler clears sip.STIP");
	}
	/* 200 ms: no exit between the two calls takes that long. */
	before = h->irqs[IRQ_S_TIMER];
	sbi_call1(SBI_EXT_TIME, 0, rdtime() + us_to_ticks(200000));
	sbi_call1(SBI_EXT_TIME, 0, -1UL);
	delay_us(300000);
	check(h->irqs[IRQ_S_TIMER] == before,
	      "time: a deadline moved to -1 before it expires never fires");
	irq_disable();
	csr_clear(sie, SIE_STIE);

	r = sbi_call1(SBI_EXT_TIME, 1, 0);
	check_err(r, SBI_ERR_NOT_SUPPORTED, "time: unknown FID 1");
}
