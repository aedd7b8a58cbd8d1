// SPDX-License-Identifier: GPL-2.0
/*
 * The legacy v0.1 extensions (spec chapter 5), EID by EID: set_timer,
 * console putchar and getchar, clear_ipi, send_ipi and the remote fences
 * with their hart mask in memory (an unreadable mask traps back to the
 * caller at its ecall), and shutdown (the legacy-shutdown boot mode).
 */
#include "conform.h"

#define SIP_STIP	BIT(5)
#define SIP_SSIP	BIT(1)

static void legacy_console(void)
{
	const char *s = "# legacy putchar: every byte of this line\n";
	long worst = 0, r;

	if (!sbi_probe(SBI_EXT_LEGACY_PUTCHAR)) {
		skip("not probed", "legacy: console_putchar");
	} else {
		for (; *s; s++) {
			r = sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, *s, 0, 0, 0);
			if (r)
				worst = r;
		}
		check(!worst, "legacy: console_putchar returns 0 # got %ld",
		      worst);
	}
	if (!sbi_probe(SBI_EXT_LEGACY_GETCHAR)) {
		skip("not probed", "legacy: console_getchar");
		return;
	}
	/* The runners give the suite no console input. */
	r = sbi_legacy(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0);
	check(r == -1, "legacy: console_getchar with no input is -1 # got %ld",
	      r);
}

static void legacy_timer(void)
{
	long r;

	if (!sbi_probe(SBI_EXT_LEGACY_SET_TIMER)) {
		skip("not probed", "legacy: set_timer");
		return;
	}
	csr_clear(sie, SIE_STIE);
	r = sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, 0, 0, 0, 0);
	check(!r, "legacy: set_timer(0) returns 0 # got %ld", r);
	if (stip_visible())
		check(wait_us(csr_read(sip) & SIP_STIP, 10000),
		      "legacy: set_timer(0) makes the timer interrupt pending");
	else
		skip(stip_hidden_why(), "legacy: set_timer(0) makes the timer interrupt pending");
	r = sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, rdtime() + us_to_ticks(10000000),
		       0, 0, 0);
	check(!r && !(csr_read(sip) & SIP_STIP),
	      "legacy: set_timer(future) clears the pending interrupt");
	sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, -1UL, 0, 0, 0);
}

static void legacy_ipi(void)
{
	unsigned long mask = BIT(this_hartid());
	long r;

	if (!sbi_probe(SBI_EXT_LEGACY_SEND_IPI) ||
	    !sbi_probe(SBI_EXT_LEGACY_CLEAR_IPI)) {
		skip("not probed", "legacy: send_ipi and clear_ipi");
		return;
	}
	csr_clear(sie, SIE_SSIE);
	csr_clear(sip, SIP_SSIP);
	r = sbi_legacy(SBI_EXT_LEGACY_CLEAR_IPI, 0, 0, 0, 0);
	check(r == 0, "legacy: clear_ipi with none pending is 0 # got %ld", r);
	r = sbi_legacy(SBI_EXT_LEGACY_SEND_IPI, (unsigned long)&mask, 0, 0, 0);
	check(!r && wait_us(csr_read(sip) & SIP_SSIP, 10000),
	      "legacy: send_ipi to the own hart makes SSIP pending # got %ld",
	      r);
	r = sbi_legacy(SBI_EXT_LEGACY_CLEAR_IPI, 0, 0, 0, 0);
	check(r > 0, "legacy: clear_ipi with one pending is positive # got %ld",
	      r);
	check(!(csr_read(sip) & SIP_SSIP), "legacy: clear_ipi clears SSIP");

	trap_expect();
	r = sbi_legacy(SBI_EXT_LEGACY_SEND_IPI, env.bad_addr, 0, 0, 0);
	check((trap_taken(5) || trap_taken(13)) &&
	      this_hart()->trap_epc == (unsigned long)sbi_legacy_ecall,
	      "legacy: send_ipi with an unreadable hart mask traps at the ecall # scause %lu sepc %lx",
	      this_hart()->trapped ? this_hart()->trap_cause : 0,
	      this_hart()->trap_epc);
	csr_clear(sip, SIP_SSIP);
}

static void legacy_fences(void)
{
	unsigned long mask = BIT(this_hartid());
	static const struct {
		unsigned long eid;
		const char *name;
	} f[] = {
		{ SBI_EXT_LEGACY_FENCE_I, "remote_fence_i" },
		{ SBI_EXT_LEGACY_SFENCE_VMA, "remote_sfence_vma" },
		{ SBI_EXT_LEGACY_SFENCE_VMA_ASID, "remote_sfence_vma_asid" },
	};
	unsigned int i;
	long r;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		if (!sbi_probe(f[i].eid)) {
			skip("not probed", "legacy: %s", f[i].name);
			continue;
		}
		r = sbi_legacy(f[i].eid, (unsigned long)&mask, 0, 0, 0);
		check(!r, "legacy: %s(own hart, whole space) returns 0 # got %ld",
		      f[i].name, r);
		r = sbi_legacy(f[i].eid, (unsigned long)&mask, env.ram_start,
			       PAGE_SIZE, 1);
		check(!r, "legacy: %s(own hart, one page) returns 0 # got %ld",
		      f[i].name, r);
	}
}

void t_legacy(void)
{
	legacy_console();
	legacy_timer();
	legacy_ipi();
	legacy_fences();
}
