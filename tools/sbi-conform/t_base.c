// SPDX-License-Identifier: GPL-2.0
/*
 * BASE (spec chapter 4): every function, the probe of every extension the
 * command line expects (conform.exts), unknown EIDs and FIDs, and the
 * calling convention's rule that only a0 and a1 change.
 */
#include "conform.h"

static const struct {
	const char *name;
	unsigned long eid;
} exts[] = {
	{ "time", SBI_EXT_TIME },	{ "ipi", SBI_EXT_IPI },
	{ "rfence", SBI_EXT_RFENCE },	{ "hsm", SBI_EXT_HSM },
	{ "srst", SBI_EXT_SRST },	{ "pmu", SBI_EXT_PMU },
	{ "dbcn", SBI_EXT_DBCN },	{ "susp", SBI_EXT_SUSP },
	{ "cppc", SBI_EXT_CPPC },	{ "nacl", SBI_EXT_NACL },
	{ "sta", SBI_EXT_STA },		{ "sse", SBI_EXT_SSE },
	{ "fwft", SBI_EXT_FWFT },	{ "dbtr", SBI_EXT_DBTR },
	{ "mpxy", SBI_EXT_MPXY },
	{ "legacy", SBI_EXT_LEGACY_SET_TIMER },
};

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p; p++)
		if ((p == list || p[-1] == ',') && !strncmp(p, name, n) &&
		    (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/*
 * BASE get_spec_version with a2-a7, t0-t6 and s2-s11 set to known values:
 * every one of them must come back unchanged (a6/a7 are the FID/EID).
 */
static bool regs_preserved(void)
{
	unsigned long bad;

	asm volatile(
		"	.set	conform_n, 1\n"
		".irp r, a2, a3, a4, a5, t0, t1, t2, t3, t4, t5, t6\n"
		"	li	\\r, 0x5a5a0000 + conform_n\n"
		"	.set	conform_n, conform_n + 1\n"
		".endr\n"
		"	li	a7, 0x10\n"
		"	li	a6, 0\n"
		"	ecall\n"
		"	li	%0, 0\n"
		"	.set	conform_n, 1\n"
		".irp r, a2, a3, a4, a5, t0, t1, t2, t3, t4, t5, t6\n"
		"	li	a0, 0x5a5a0000 + conform_n\n"
		"	.set	conform_n, conform_n + 1\n"
		"	beq	a0, \\r, 1f\n"
		"	addi	%0, %0, 1\n"
		"1:\n"
		".endr\n"
		"	li	a0, 0x10\n"
		"	bne	a7, a0, 2f\n"
		"	bnez	a6, 2f\n"
		"	j	3f\n"
		"2:	addi	%0, %0, 1\n"
		"3:\n"
		: "=&r"(bad)
		:
		: "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1",
		  "t2", "t3", "t4", "t5", "t6", "memory");
	return bad == 0;
}

void t_base(void)
{
	struct sbiret r;
	long major, minor;
	unsigned int i;

	r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION);
	major = (r.value >> 24) & 0x7f;
	minor = r.value & 0xffffff;
	check(!r.error && !(r.value & ~0x7fffffffUL),
	      "base: get_spec_version: SUCCESS, bit 31 and bits 63:32 zero");
	if (env.spec_major >= 0)
		check(major == env.spec_major && minor == env.spec_minor,
		      "base: get_spec_version is v%ld.%ld # got v%ld.%ld",
		      env.spec_major, env.spec_minor, major, minor);
	else
		skip("no conform.spec", "base: get_spec_version as expected");

	r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID);
	if (env.impl_id >= 0)
		check(!r.error && r.value == env.impl_id,
		      "base: get_impl_id is %ld # got %ld", env.impl_id,
		      r.value);
	else
		skip("no conform.impl_id", "base: get_impl_id as expected");
	r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION);
	check_err(r, SBI_SUCCESS, "base: get_impl_version");

	r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_MVENDORID);
	check(!r.error && (env.mvendorid < 0 || r.value == env.mvendorid),
	      "base: get_mvendorid # got %ld, error %ld", r.value, r.error);
	r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_MARCHID);
	check(!r.error && (env.marchid < 0 || r.value == env.marchid),
	      "base: get_marchid # got %lx, error %ld", r.value, r.error);
	r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_MIMPID);
	check(!r.error && (env.mimpid < 0 || r.value == env.mimpid),
	      "base: get_mimpid # got %lx, error %ld", r.value, r.error);

	r = sbi_call1(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_BASE);
	check(!r.error && r.value, "base: probe_extension(BASE) is non-zero");
	r = sbi_call1(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, 0x0b000000);
	check(!r.error && !r.value,
	      "base: probe_extension(a reserved EID) is 0");
	r = sbi_call1(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, 0x09ffffff);
	check(!r.error && !r.value,
	      "base: probe_extension(an unknown vendor EID) is 0");
	for (i = 0; i < ARRAY_SIZE(exts); i++) {
		bool has = sbi_probe(exts[i].eid);

		diag("probe_extension(%s) = %d", exts[i].name, has);
		if (env.exts)
			check(has == listed(env.exts, exts[i].name),
			      "base: probe_extension(%s) is %s", exts[i].name,
			      listed(env.exts, exts[i].name) ? "non-zero" : "0");
	}

	r = sbi_call0(SBI_EXT_BASE, 7);
	check_err(r, SBI_ERR_NOT_SUPPORTED, "base: unknown FID 7");
	r = sbi_call0(SBI_EXT_BASE, 0x7fffffff);
	check_err(r, SBI_ERR_NOT_SUPPORTED, "base: unknown FID 0x7fffffff");
	r = sbi_call0(0x0b000000, 0);
	check_err(r, SBI_ERR_NOT_SUPPORTED, "base: reserved EID 0x0b000000");
	r = sbi_call0(0x08000000, 0);
	check_err(r, SBI_ERR_NOT_SUPPORTED,
		  "base: unimplemented experimental EID");
	r = sbi_call0(0x09ffffff, 0);
	check_err(r, SBI_ERR_NOT_SUPPORTED, "base: unimplemented vendor EID");
	/* EIDs are 32-bit: the upper half of a7 must not matter. */
	r = sbi_ecall(SBI_EXT_BASE, 0, 0, 0, 0, 0,
		      SBI_BASE_PROBE_EXTENSION, SBI_EXT_BASE | (1UL << 32));
	diag("EID 0x1_00000010 (BASE with bit 32 set): error %ld value %ld",
	     r.error, r.value);
	check(regs_preserved(),
	      "base: a call leaves a2-a7 and t0-t6 unchanged");
}
