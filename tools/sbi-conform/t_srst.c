// SPDX-License-Identifier: GPL-2.0
/*
 * SRST (spec chapter 10). In the main run: the reserved and unimplemented
 * reset types and an unknown FID, which must fail and leave the machine
 * running. The resets themselves are boot modes (conform.mode=srst-...),
 * one per run, whose outcome the runner observes: the machine shut down,
 * rebooted (the suite starts again) or reported a failure.
 */
#include "conform.h"

void t_srst(void)
{
	if (!sbi_probe(SBI_EXT_SRST)) {
		skip("not probed", "srst: system_reset");
		return;
	}
	check_err(sbi_call2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 3, 0),
		  SBI_ERR_INVALID_PARAM, "srst: system_reset(reserved type 3)");
	check_err(sbi_call2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 0xf0000000UL, 0),
		  SBI_ERR_INVALID_PARAM, "srst: system_reset(unimplemented vendor type)");
	check_err(sbi_call2(SBI_EXT_SRST, 1, 0, 0), SBI_ERR_NOT_SUPPORTED,
		  "srst: unknown FID 1");
}

static const struct {
	const char *mode;
	unsigned long type, reason;
} resets[] = {
	{ "srst-shutdown", SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE },
	{ "srst-cold-reboot", SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE },
	{ "srst-warm-reboot", SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_NONE },
	{ "srst-failure", SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYS_FAILURE },
	{ "srst-vendor-reason", SBI_SRST_TYPE_SHUTDOWN, 0xf0000000UL },
	/* Must fail: the suite then shuts down normally. */
	{ "srst-reserved-reason", SBI_SRST_TYPE_SHUTDOWN, 2 },
};

void srst_mode(const char *mode)
{
	struct sbiret r;
	long l;

	if (!strcmp(mode, "legacy-shutdown")) {
		print("# srst: legacy shutdown");
		l = sbi_legacy(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
		check(false, "legacy: shutdown returned %ld", l);
		bail_out("the machine is still running");
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(resets); i++) {
		if (strcmp(mode, resets[i].mode))
			continue;
		print("# srst: system_reset(type %lx, reason %lx)", resets[i].type,
		      resets[i].reason);
		r = sbi_call2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, resets[i].type,
			      resets[i].reason);
		if (resets[i].reason == 2) {
			check_err(r, SBI_ERR_INVALID_PARAM,
				  "srst: system_reset(shutdown, reserved reason 2)");
			sbi_call2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET,
				  SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
		}
		check(false, "srst: %s returned %s", mode, sbi_err_name(r.error));
		bail_out("the machine is still running");
	}
	bail_out("unknown conform.mode");
}
