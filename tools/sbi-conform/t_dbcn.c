// SPDX-License-Identifier: GPL-2.0
/*
 * DBCN (spec chapter 12): console_write (whole, partial, zero bytes, a
 * buffer S-mode cannot read, an address beyond the physical address
 * space), console_read with no input pending (the runners give the suite
 * none), console_write_byte, and an unknown FID.
 */
#include "conform.h"

static const char line[] = "# dbcn: console_write of this line, then write_byte\n";

void t_dbcn(void)
{
	size_t len = sizeof(line) - 1, done = 0;
	static char in[16];
	struct sbiret r = { 0, 0 };

	if (!sbi_probe(SBI_EXT_DBCN)) {
		skip("not probed", "dbcn: all functions");
		return;
	}
	while (done < len) {
		r = sbi_call3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, len - done,
			      (unsigned long)line + done, 0);
		if (r.error || r.value <= 0 || (size_t)r.value > len - done)
			break;
		done += r.value;
	}
	check(done == len, "dbcn: console_write writes every byte # error %ld value %ld",
	      r.error, r.value);
	r = sbi_call3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 0,
		      (unsigned long)line, 0);
	check(!r.error && r.value == 0, "dbcn: console_write(0 bytes) # error %ld value %ld",
	      r.error, r.value);
	r = sbi_call3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 8, env.bad_addr, 0);
	check_err(r, SBI_ERR_INVALID_PARAM, "dbcn: console_write(memory S-mode cannot read)");
	r = sbi_call3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 8,
		      (unsigned long)line, 1);
	check_err(r, SBI_ERR_INVALID_PARAM, "dbcn: console_write(base_addr_hi 1)");
	r = sbi_call3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, sizeof(in),
		      (unsigned long)in, 0);
	check(!r.error && r.value == 0,
	      "dbcn: console_read with no input pending reads 0 bytes # error %ld value %ld",
	      r.error, r.value);
	r = sbi_call3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 8, env.bad_addr, 0);
	check_err(r, SBI_ERR_INVALID_PARAM, "dbcn: console_read(memory S-mode cannot write)");
	r = sbi_call1(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, '#');
	r.error |= sbi_call1(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, '\n').error;
	check_err(r, SBI_SUCCESS, "dbcn: console_write_byte");
	check_err(sbi_call0(SBI_EXT_DBCN, 3), SBI_ERR_NOT_SUPPORTED,
		  "dbcn: unknown FID 3");
}
