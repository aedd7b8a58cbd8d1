// SPDX-License-Identifier: GPL-2.0
/*
 * SSE (spec chapter 17) with the local software-injected event: attribute
 * reads and their errors, the state machine (register, enable, disable,
 * unregister, each with INVALID_STATE out of turn), hart mask and unmask,
 * and an injected event that runs the handler with a6 = hart ID and
 * a7 = its argument and resumes the interrupted code on sse_complete.
 */
#include "conform.h"

#define EV		SBI_SSE_EVENT_LOCAL_SOFTWARE
#define STATE(st)	((st) & 3)

static volatile unsigned long handled, handler_hart, handler_arg, complete_failed;
static unsigned long attrs[16];

void sse_handler(unsigned long arg, unsigned long hartid)
{
	handled++;
	handler_arg = arg;
	handler_hart = hartid;
}

void sse_complete_returned(void)
{
	complete_failed++;
	print("# sse: sse_complete returned to the handler");
}

static struct sbiret sse(unsigned long fid, unsigned long a0, unsigned long a1,
			 unsigned long a2, unsigned long a3, unsigned long a4)
{
	return sbi_ecall(a0, a1, a2, a3, a4, 0, fid, SBI_EXT_SSE);
}

static long status(void)
{
	struct sbiret r = sse(SBI_SSE_READ_ATTRS, EV, SBI_SSE_ATTR_STATUS, 1,
			      (unsigned long)attrs, 0);

	return r.error ? r.error : (long)attrs[0];
}

void t_sse(void)
{
	unsigned long a = (unsigned long)attrs, self = this_hartid();
	struct sbiret r;
	long st;

	if (!sbi_probe(SBI_EXT_SSE)) {
		skip("not probed", "sse: all functions");
		return;
	}
	st = status();
	check(st >= 0 && STATE(st) == 0,
	      "sse: read_attrs(STATUS) of the software event: UNUSED # %ld", st);
	check_err(sse(SBI_SSE_READ_ATTRS, EV, 0, 0, a, 0), SBI_ERR_INVALID_PARAM,
		  "sse: read_attrs(attr_count 0)");
	check_err(sse(SBI_SSE_READ_ATTRS, EV, 10, 1, a, 0), SBI_ERR_BAD_RANGE,
		  "sse: read_attrs(reserved attribute 10)");
	check_err(sse(SBI_SSE_READ_ATTRS, 2, 0, 1, a, 0), SBI_ERR_INVALID_PARAM,
		  "sse: read_attrs(reserved event 2)");
	check_err(sse(SBI_SSE_READ_ATTRS, EV, 0, 1, env.bad_addr, 0),
		  SBI_ERR_INVALID_ADDRESS, "sse: read_attrs(memory S-mode cannot write)");
	attrs[0] = 0;
	check_err(sse(SBI_SSE_WRITE_ATTRS, EV, SBI_SSE_ATTR_STATUS, 1, a, 0),
		  SBI_ERR_DENIED, "sse: write_attrs(STATUS, read-only)");
	check_err(sse(SBI_SSE_ENABLE, EV, 0, 0, 0, 0), SBI_ERR_INVALID_STATE,
		  "sse: enable(an unregistered event)");
	check_err(sse(SBI_SSE_REGISTER, EV, (unsigned long)sse_entry + 1, 0, 0, 0),
		  SBI_ERR_INVALID_PARAM, "sse: register(entry PC not 2-byte aligned)");
	check_err(sse(SBI_SSE_REGISTER, EV, (unsigned long)sse_entry, 0x5e5e, 0, 0),
		  SBI_SUCCESS, "sse: register");
	check_err(sse(SBI_SSE_REGISTER, EV, (unsigned long)sse_entry, 0x5e5e, 0, 0),
		  SBI_ERR_INVALID_STATE, "sse: register(a registered event)");
	r = sse(SBI_SSE_READ_ATTRS, EV, SBI_SSE_ATTR_ENTRY_PC, 2, a, 0);
	check(!r.error && attrs[0] == (unsigned long)sse_entry && attrs[1] == 0x5e5e,
	      "sse: read_attrs(ENTRY_PC, ENTRY_ARG) # %lx %lx", attrs[0], attrs[1]);
	attrs[0] = 7;
	check_err(sse(SBI_SSE_WRITE_ATTRS, EV, SBI_SSE_ATTR_PRIORITY, 1, a, 0),
		  SBI_SUCCESS, "sse: write_attrs(PRIORITY) while registered");
	check_err(sse(SBI_SSE_DISABLE, EV, 0, 0, 0, 0), SBI_ERR_INVALID_STATE,
		  "sse: disable(a registered event)");
	check_err(sse(SBI_SSE_ENABLE, EV, 0, 0, 0, 0), SBI_SUCCESS, "sse: enable");
	st = status();
	check(st >= 0 && STATE(st) == 2, "sse: STATUS is ENABLED # %ld", st);
	check_err(sse(SBI_SSE_UNREGISTER, EV, 0, 0, 0, 0), SBI_ERR_INVALID_STATE,
		  "sse: unregister(an enabled event)");
	check_err(sse(SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), SBI_SUCCESS,
		  "sse: hart_unmask");
	check_err(sse(SBI_SSE_HART_UNMASK, 0, 0, 0, 0, 0), SBI_ERR_ALREADY_STARTED,
		  "sse: hart_unmask(already unmasked)");
	handled = 0;
	r = sse(SBI_SSE_INJECT, EV, self, 0, 0, 0);
	check(!r.error && wait_us(handled == 1, 1000000) && !complete_failed,
	      "sse: inject runs the handler once and sse_complete resumes # error %ld, handled %lu",
	      r.error, handled);
	check(handler_hart == self && handler_arg == 0x5e5e,
	      "sse: the handler gets a6 = hart ID, a7 = entry arg # %lx %lx",
	      handler_hart, handler_arg);
	check_err(sse(SBI_SSE_INJECT, EV, 10000, 0, 0, 0), SBI_ERR_INVALID_PARAM,
		  "sse: inject(a hart that does not exist)");
	check_err(sse(SBI_SSE_COMPLETE, 0, 0, 0, 0, 0), SBI_SUCCESS,
		  "sse: complete with no event running");
	check_err(sse(SBI_SSE_DISABLE, EV, 0, 0, 0, 0), SBI_SUCCESS, "sse: disable");
	check_err(sse(SBI_SSE_UNREGISTER, EV, 0, 0, 0, 0), SBI_SUCCESS, "sse: unregister");
	check_err(sse(SBI_SSE_UNREGISTER, EV, 0, 0, 0, 0), SBI_ERR_INVALID_STATE,
		  "sse: unregister(an unused event)");
	check_err(sse(SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), SBI_SUCCESS, "sse: hart_mask");
	check_err(sse(SBI_SSE_HART_MASK, 0, 0, 0, 0, 0), SBI_ERR_ALREADY_STOPPED,
		  "sse: hart_mask(already masked)");
	check_err(sse(10, 0, 0, 0, 0, 0), SBI_ERR_NOT_SUPPORTED, "sse: unknown FID 10");
}
