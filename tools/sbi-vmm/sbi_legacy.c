// SPDX-License-Identifier: GPL-2.0
/*
 * The legacy (v0.1) console: console_putchar (EID 0x01) and
 * console_getchar (EID 0x02). Each function is its own EID and only a0
 * comes back: 0 for putchar; the character, or -1 when there is none, for
 * getchar, which never waits.
 */
#include "sbi.h"

static void legacy_putchar(const struct sbi_call *call, struct sbi_ret *ret)
{
	unsigned char c = call->args[0];

	console__write(&c, 1);
	ret->error = 0;
}

static void legacy_getchar(struct sbi_ret *ret)
{
	unsigned char c;

	ret->error = console__read(&c, 1) ? c : -1;
	console_ring__input_taken();
}

static void legacy_console(struct vcpu *vcpu, const struct sbi_call *call,
			   struct sbi_ret *ret)
{
	(void)vcpu;
	if (call->eid == SBI_EXT_LEGACY_PUTCHAR)
		legacy_putchar(call, ret);
	else
		legacy_getchar(ret);
}

static const struct sbi_ext sbi_legacy_console = {
	.name		= "legacy-console",
	.eid_start	= SBI_EXT_LEGACY_PUTCHAR,
	.eid_end	= SBI_EXT_LEGACY_GETCHAR,
	.handler	= legacy_console,
};

sbi_ext_register(sbi_legacy_console);
