// SPDX-License-Identifier: GPL-2.0
/*
 * A bare-metal S-mode guest that makes SBI calls directly, for tests of
 * sbi-vmm that need exact control over the calls: a Linux guest's programs
 * run in U-mode, where ecall is a system call, not an SBI call.
 *
 * "sbitest=MODE" in /chosen/bootargs picks what it does. Every line it
 * prints starts with "sbi-guest: "; a check prints "ok" or "FAIL (...)".
 *
 *   dbcn		the known text through DBCN console_write (a buffer
 *			spanning pages, larger than one call moves), then
 *			write_byte, bad buffers, a read and a legacy getchar
 *			with no input pending, legacy putchar
 *   vendor		probe and call an unknown vendor and experimental EID
 *   input		read a line: first byte by legacy getchar, the rest
 *			by DBCN console_read
 *   smp		start hart 1 with HSM; it prints and stops
 *   tail		the known text by DBCN console_write, then TEXT_TAIL
 *			(no newline), half by write_byte, half by legacy
 *			putchar, and SRST shutdown at once: no read between
 *   shutdown, reboot, warm-reboot, legacy-shutdown, failure
 *			end the VM that way (failure: SRST shutdown with
 *			reason "system failure")
 *   hang		never end
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbi-spec.h"
#include "test-text.h"

#define FDT_MAGIC		0xd00dfeed
#define FDT_BEGIN_NODE		1
#define FDT_END_NODE		2
#define FDT_PROP		3
#define FDT_NOP			4

#define RAM_START		0x80000000UL
#define PAGE_SIZE		4096
#define HART1_OPAQUE		0x5eb1UL

struct sbiret {
	long error;
	long value;
};

extern char secondary_entry[];

static unsigned long timebase = 10000000;
static volatile int hart1_up;

static struct sbiret sbi_ecall(unsigned long eid, unsigned long fid,
			       unsigned long arg0, unsigned long arg1,
			       unsigned long arg2)
{
	register unsigned long a0 asm("a0") = arg0;
	register unsigned long a1 asm("a1") = arg1;
	register unsigned long a2 asm("a2") = arg2;
	register unsigned long a6 asm("a6") = fid;
	register unsigned long a7 asm("a7") = eid;

	asm volatile("ecall"
		     : "+r"(a0), "+r"(a1)
		     : "r"(a2), "r"(a6), "r"(a7)
		     : "memory");
	return (struct sbiret){ .error = a0, .value = a1 };
}

static unsigned long rdtime(void)
{
	unsigned long t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Write all of @len bytes with DBCN console_write, as often as it takes. */
static long dbcn_write_all(const char *buf, size_t len)
{
	struct sbiret r;

	while (len) {
		r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, len,
			      (unsigned long)buf, 0);
		if (r.error)
			return r.error;
		buf += r.value;
		len -= r.value;
	}
	return 0;
}

static void puts_raw(const char *s)
{
	dbcn_write_all(s, str_len(s));
}

static char *fmt_num(char *p, unsigned long v, unsigned int base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (base == 16)
		*p++ = '0', *p++ = 'x';
	while (n)
		*p++ = tmp[--n];
	return p;
}

/*
 * A line "sbi-guest: <a><num><b>\n"; %-free formatting for a guest with
 * no library: each piece is a string or a signed decimal.
 */
static void say(const char *a, long num, bool has_num, const char *b)
{
	char line[256], *p = line;
	const char *s;

	for (s = "sbi-guest: "; *s; s++)
		*p++ = *s;
	for (s = a; *s && p < line + 200; s++)
		*p++ = *s;
	if (has_num) {
		if (num < 0)
			*p++ = '-';
		p = fmt_num(p, num < 0 ? -(unsigned long)num : (unsigned long)num, 10);
	}
	for (s = b; *s && p < line + 250; s++)
		*p++ = *s;
	*p++ = '\n';
	dbcn_write_all(line, p - line);
}

static void say_str(const char *s)
{
	say(s, 0, false, "");
}

static void check(const char *what, bool ok, struct sbiret r)
{
	char line[200], *p = line;
	const char *s;

	for (s = what; *s; s++)
		*p++ = *s;
	for (s = ok ? ": ok" : ": FAIL (error "; *s; s++)
		*p++ = *s;
	if (!ok) {
		if (r.error < 0)
			*p++ = '-';
		p = fmt_num(p, r.error < 0 ? -r.error : r.error, 10);
		for (s = ", value "; *s; s++)
			*p++ = *s;
		p = fmt_num(p, r.value, 10);
		*p++ = ')';
	}
	*p = '\0';
	say_str(line);
}

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

/* Property @prop of the top-level node @node, or NULL. */
static const void *fdt_prop(const void *fdt, const char *node,
			    const char *prop)
{
	const uint8_t *base = fdt, *p;
	const char *strings;
	bool in_node = false;
	uint32_t len;
	int depth = 0;

	if (!fdt || be32(base) != FDT_MAGIC)
		return NULL;
	p = base + be32(base + 8);
	strings = (const char *)base + be32(base + 12);
	for (;;) {
		switch (be32(p)) {
		case FDT_BEGIN_NODE:
			depth++;
			in_node = depth == 2 && str_eq((const char *)p + 4, node);
			p += 4 + ((str_len((const char *)p + 4) + 4) & ~3UL);
			break;
		case FDT_END_NODE:
			depth--;
			in_node = false;
			p += 4;
			break;
		case FDT_PROP:
			len = be32(p + 4);
			if (in_node && str_eq(strings + be32(p + 8), prop))
				return p + 12;
			p += 12 + ((len + 3) & ~3UL);
			break;
		case FDT_NOP:
			p += 4;
			break;
		default:
			return NULL;
		}
	}
}

/* The word after "sbitest=" in @bootargs, copied to @mode. */
static void test_mode(const char *bootargs, char *mode, size_t size)
{
	const char *key = "sbitest=", *p = bootargs;
	size_t i, n = 0;

	mode[0] = '\0';
	for (; p && *p; p++) {
		for (i = 0; key[i] && p[i] == key[i]; i++)
			;
		if (key[i])
			continue;
		for (p += i; *p && *p != ' ' && n < size - 1; p++)
			mode[n++] = *p;
		mode[n] = '\0';
		return;
	}
}

static void srst(unsigned long type, unsigned long reason)
{
	struct sbiret r = sbi_ecall(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, type,
				    reason, 0);

	check("SRST system_reset returned", false, r);
}

static void test_dbcn_text(void)
{
	/* Starts 100 bytes before a page boundary, so it spans three pages. */
	static char buf[4 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	char *text = buf + PAGE_SIZE - 100;
	struct sbiret r;
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < TEXT_LINES; i++)
		len += test_text_line(i, text + len);
	puts_raw(TEXT_BEGIN);
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, len,
		      (unsigned long)text, 0);
	if (!r.error && (size_t)r.value < len)
		r.error = dbcn_write_all(text + r.value, len - r.value);
	puts_raw(TEXT_END);
	check("dbcn: write of a buffer spanning pages", !r.error, r);
	say("dbcn: the text is ", len, true, " bytes");
}

static void test_dbcn_errors(void)
{
	static char buf[64];
	struct sbiret r;

	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 16, 0x1000, 0);
	check("dbcn: write from below RAM is INVALID_PARAM",
	      r.error == SBI_ERR_INVALID_PARAM, r);
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 1UL << 40,
		      (unsigned long)buf, 0);
	check("dbcn: write running past the end of RAM is INVALID_PARAM",
	      r.error == SBI_ERR_INVALID_PARAM, r);
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 32, -16UL, 0);
	check("dbcn: write wrapping around is INVALID_PARAM",
	      r.error == SBI_ERR_INVALID_PARAM, r);
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 16,
		      (unsigned long)buf, 1);
	check("dbcn: write with base_addr_hi set is INVALID_PARAM",
	      r.error == SBI_ERR_INVALID_PARAM, r);
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, sizeof(buf), 0x1000, 0);
	check("dbcn: read into below RAM is INVALID_PARAM",
	      r.error == SBI_ERR_INVALID_PARAM, r);
	r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, sizeof(buf),
		      (unsigned long)buf, 0);
	check("dbcn: read with no input pending moves 0 bytes",
	      !r.error && !r.value, r);
	r = sbi_ecall(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0);
	check("legacy: getchar with no input pending is -1", r.error == -1, r);
}

static void test_dbcn(void)
{
	const char *s;
	struct sbiret r = { 0, 0 };

	test_dbcn_text();
	for (s = "sbi-guest: written by write_byte\n"; *s && !r.error; s++)
		r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, *s, 0, 0);
	check("dbcn: write_byte", !r.error, r);
	for (s = "sbi-guest: written by legacy putchar\n"; *s && !r.error; s++)
		r = sbi_ecall(SBI_EXT_LEGACY_PUTCHAR, 0, *s, 0, 0);
	check("legacy: putchar", !r.error, r);
	test_dbcn_errors();
}

static void test_tail(void)
{
	static char text[TEXT_LINES * TEXT_LINE_MAX];
	const char *s = TEXT_TAIL;
	size_t len = 0, half = str_len(TEXT_TAIL) / 2;
	unsigned int i;

	for (i = 0; i < TEXT_LINES; i++)
		len += test_text_line(i, text + len);
	puts_raw(TEXT_BEGIN);
	dbcn_write_all(text, len);
	puts_raw(TEXT_END);
	for (; s < TEXT_TAIL + half; s++)
		sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, *s, 0, 0);
	for (; *s; s++)
		sbi_ecall(SBI_EXT_LEGACY_PUTCHAR, 0, *s, 0, 0);
	srst(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
}

static void test_vendor(void)
{
	struct sbiret r;

	r = sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION,
		      SBI_EXT_VENDOR_START + 0x42, 0, 0);
	check("vendor: probe_extension of an unknown vendor EID is 0",
	      !r.error && !r.value, r);
	r = sbi_ecall(SBI_EXT_VENDOR_START + 0x42, 7, 1, 2, 3);
	check("vendor: call to an unknown vendor EID is NOT_SUPPORTED",
	      r.error == SBI_ERR_NOT_SUPPORTED, r);
	r = sbi_ecall(SBI_EXT_EXPERIMENTAL_START + 1, 0, 0, 0, 0);
	check("vendor: call to an unknown experimental EID is NOT_SUPPORTED",
	      r.error == SBI_ERR_NOT_SUPPORTED, r);
	say_str("vendor: still running after the unknown calls");
}

/*
 * Poll legacy getchar (@legacy) or DBCN console_read until a byte comes or
 * @seconds pass; the byte, or -1 on timeout.
 */
static int wait_byte(bool legacy, unsigned int seconds)
{
	unsigned long end = rdtime() + seconds * timebase;
	struct sbiret r;
	char c;

	while (rdtime() < end) {
		if (legacy)
			r = sbi_ecall(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0);
		else
			r = sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 1,
				      (unsigned long)&c, 0);
		if (legacy && r.error >= 0)
			return r.error;
		if (!legacy && !r.error && r.value == 1)
			return (unsigned char)c;
	}
	return -1;
}

static void test_input(void)
{
	char line[128];
	size_t n = 0;
	int c;

	say_str("input: waiting for a line");
	c = wait_byte(true, 30);
	while (c >= 0 && c != '\n' && n < sizeof(line) - 2) {
		line[n++] = c;
		c = wait_byte(false, 30);
	}
	line[n++] = '"';
	line[n] = '\0';
	say("input: read \"", 0, false, line);
}

void guest_secondary(unsigned long hartid, unsigned long opaque)
{
	say("smp: hart ", hartid, true, " started");
	say("smp: opaque ", opaque, true, "");
	hart1_up = 1;
	sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0);
}

static void test_smp(void)
{
	unsigned long end = rdtime() + 30 * timebase;
	struct sbiret r;

	r = sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_START, 1,
		      (unsigned long)secondary_entry, HART1_OPAQUE);
	check("smp: hart_start of hart 1", !r.error, r);
	while (!r.error && !hart1_up && rdtime() < end)
		;
	check("smp: hart 1 ran", hart1_up, r);
}

static void hang(void)
{
	say_str("hang: never shutting down");
	for (;;)
		asm volatile("wfi");
}

static void unknown_mode(const char *mode)
{
	say("unknown mode ", 0, false, mode);
	srst(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYS_FAILURE);
}

static void run_mode(const char *mode)
{
	if (str_eq(mode, "dbcn"))
		test_dbcn();
	else if (str_eq(mode, "vendor"))
		test_vendor();
	else if (str_eq(mode, "input"))
		test_input();
	else if (str_eq(mode, "smp"))
		test_smp();
	else if (str_eq(mode, "tail"))
		test_tail();
	else if (str_eq(mode, "reboot"))
		srst(SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE);
	else if (str_eq(mode, "warm-reboot"))
		srst(SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_NONE);
	else if (str_eq(mode, "failure"))
		srst(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYS_FAILURE);
	else if (str_eq(mode, "legacy-shutdown"))
		sbi_ecall(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
	else if (str_eq(mode, "hang"))
		hang();
	else if (!str_eq(mode, "shutdown"))
		unknown_mode(mode);
}

void guest_main(unsigned long hartid, const void *fdt)
{
	const uint8_t *freq = fdt_prop(fdt, "cpus", "timebase-frequency");
	const char *bootargs = fdt_prop(fdt, "chosen", "bootargs");
	char mode[32];

	if (freq)
		timebase = be32(freq);
	test_mode(bootargs, mode, sizeof(mode));
	say("hart ", hartid, true, " up");
	say("mode ", 0, false, mode[0] ? mode : "(none)");
	run_mode(mode);
	say_str("shutting down");
	srst(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
}
