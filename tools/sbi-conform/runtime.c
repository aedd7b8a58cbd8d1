// SPDX-License-Identifier: GPL-2.0
/*
 * sbi-conform's runtime: console output through SBI (DBCN, or the legacy
 * putchar when DBCN is absent), TAP bookkeeping, the device tree (libfdt)
 * and the conform.* expectations of /chosen/bootargs, the trap handler,
 * the timer, and secondary harts started with SBI HSM.
 */
#include <stdarg.h>

#include "conform.h"
#include "libfdt.h"

struct conform_env env = {
	.timebase = 10000000,
	.impl_id = -1, .spec_major = -1, .spec_minor = -1,
	.mvendorid = -1, .marchid = -1, .mimpid = -1,
	.mode = "main", .impl = "unknown", .platform = "",
};
unsigned long boot_hartid;
struct hart_state harts[MAX_HARTS];

static bool have_dbcn, have_time;
static int tap_num, tap_failed, tap_skipped;
static volatile int print_lock;

/* ---- libc for libfdt and us ---- */

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp < sp)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	do {
		if (*s == (char)c)
			last = s;
	} while (*s++);
	return (char *)last;
}

/* ---- console and formatting ---- */

static void console_write(const char *buf, size_t len)
{
	struct sbiret r;

	while (len && have_dbcn) {
		r = sbi_call3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, len,
			      (unsigned long)buf, 0);
		if (r.error)
			break;
		buf += r.value;
		len -= r.value;
	}
	while (len--)
		sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, *buf++, 0, 0, 0);
}

struct out {
	char *buf;
	size_t len, size;
};

static void out_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len++] = c;
}

static void out_num(struct out *o, unsigned long v, unsigned int base,
		    bool neg)
{
	char digits[24], *end = digits + sizeof(digits), *d = end;

	/* Least significant digit first, from the end of the buffer. */
	do {
		*--d = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		out_c(o, '-');
	for (; d < end; d++)
		out_c(o, *d);
}

/* %s %c %d %u %x %lx %ld %lu %p %%: what the checks print. */
static void out_fmt(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		bool lng = false;
		long sv;
		const char *s;

		if (*fmt != '%') {
			out_c(o, *fmt);
			continue;
		}
		if (*++fmt == 'l') {
			lng = true;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			for (s = va_arg(ap, const char *); s && *s; s++)
				out_c(o, *s);
			break;
		case 'c':
			out_c(o, va_arg(ap, int));
			break;
		case 'd':
			sv = lng ? va_arg(ap, long) : va_arg(ap, int);
			out_num(o, sv < 0 ? -(unsigned long)sv : (unsigned long)sv,
				10, sv < 0);
			break;
		case 'u':
			out_num(o, lng ? va_arg(ap, unsigned long) :
				   va_arg(ap, unsigned int), 10, false);
			break;
		case 'p':
			lng = true;
			__attribute__((fallthrough));
		case 'x':
			out_c(o, '0');
			out_c(o, 'x');
			out_num(o, lng ? va_arg(ap, unsigned long) :
				   va_arg(ap, unsigned int), 16, false);
			break;
		default:
			out_c(o, *fmt);
			break;
		}
	}
}

/* One console write per line, under a lock: harts never mix lines. */
static void emit(const char *prefix, const char *fmt, va_list ap,
		 const char *suffix)
{
	char buf[320];
	struct out o = { buf, 0, sizeof(buf) };

	for (; *prefix; prefix++)
		out_c(&o, *prefix);
	out_fmt(&o, fmt, ap);
	for (; *suffix; suffix++)
		out_c(&o, *suffix);
	out_c(&o, '\n');
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		;
	console_write(buf, o.len);
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap, "");
	va_end(ap);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("# ", fmt, ap, "");
	va_end(ap);
}

static void tap_line(bool ok, const char *fmt, va_list ap, const char *tail)
{
	char prefix[24];
	struct out o = { prefix, 0, sizeof(prefix) };

	tap_num++;
	if (!ok) {
		tap_failed++;
		out_c(&o, 'n');
		out_c(&o, 'o');
		out_c(&o, 't');
		out_c(&o, ' ');
	}
	out_c(&o, 'o');
	out_c(&o, 'k');
	out_c(&o, ' ');
	out_num(&o, tap_num, 10, false);
	out_c(&o, ' ');
	prefix[o.len] = 0;
	emit(prefix, fmt, ap, tail);
}

bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line(ok, fmt, ap, "");
	va_end(ap);
	return ok;
}

void skip(const char *why, const char *fmt, ...)
{
	char tail[160];
	struct out o = { tail, 0, sizeof(tail) };
	va_list ap;

	for (const char *s = " # SKIP "; *s; s++)
		out_c(&o, *s);
	for (; *why; why++)
		out_c(&o, *why);
	tail[o.len] = 0;
	tap_skipped++;
	va_start(ap, fmt);
	tap_line(true, fmt, ap, tail);
	va_end(ap);
}

static const char *const err_names[] = {
	"SUCCESS", "FAILED", "NOT_SUPPORTED", "INVALID_PARAM", "DENIED",
	"INVALID_ADDRESS", "ALREADY_AVAILABLE", "ALREADY_STARTED",
	"ALREADY_STOPPED", "NO_SHMEM", "INVALID_STATE", "BAD_RANGE",
	"TIMEOUT", "IO", "DENIED_LOCKED",
};

const char *sbi_err_name(long err)
{
	if (err <= 0 && -err < (long)ARRAY_SIZE(err_names))
		return err_names[-err];
	return "(not an SBI error)";
}

static bool check_err_v(struct sbiret r, bool ok, const char *want,
			const char *fmt, va_list ap)
{
	char tail[120];
	struct out o = { tail, 0, sizeof(tail) };

	if (!ok) {
		const char *got = sbi_err_name(r.error);

		for (const char *s = " # got "; *s; s++)
			out_c(&o, *s);
		for (; *got; got++)
			out_c(&o, *got);
		out_c(&o, ' ');
		out_c(&o, '(');
		out_num(&o, r.error < 0 ? -r.error : r.error, 10, r.error < 0);
		for (const char *s = "), expected "; *s; s++)
			out_c(&o, *s);
		for (; *want; want++)
			out_c(&o, *want);
	}
	tail[o.len] = 0;
	tap_line(ok, fmt, ap, tail);
	return ok;
}

bool check_err(struct sbiret r, long want, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = check_err_v(r, r.error == want, sbi_err_name(want), fmt, ap);
	va_end(ap);
	return ok;
}

bool check_err2(struct sbiret r, long want1, long want2, const char *fmt, ...)
{
	char want[48];
	struct out o = { want, 0, sizeof(want) };
	va_list ap;
	bool ok;

	for (const char *s = sbi_err_name(want1); *s; s++)
		out_c(&o, *s);
	for (const char *s = " or "; *s; s++)
		out_c(&o, *s);
	for (const char *s = sbi_err_name(want2); *s; s++)
		out_c(&o, *s);
	want[o.len] = 0;
	va_start(ap, fmt);
	ok = check_err_v(r, r.error == want1 || r.error == want2, want, fmt,
			 ap);
	va_end(ap);
	return ok;
}

/* The closing lines; shutdown with "system failure" if a check failed. */
static void __noreturn finish(void)
{
	unsigned long reason = tap_failed ? SBI_SRST_REASON_SYS_FAILURE :
					    SBI_SRST_REASON_NONE;

	print("1..%d", tap_num);
	print("%d passed, %d failed, %d skipped", tap_num - tap_failed -
	      tap_skipped, tap_failed, tap_skipped);
	sbi_call2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET,
		  SBI_SRST_TYPE_SHUTDOWN, reason);
	sbi_legacy(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
	for (;;)
		asm volatile("wfi");
}

void bail_out(const char *why)
{
	print("Bail out! %s", why);
	tap_failed++;
	finish();
}

/* ---- the device tree and the command line ---- */

static const char *bootargs = "";

static unsigned long fdt_cells(const fdt32_t *p, int cells)
{
	unsigned long v = 0;

	while (cells-- > 0)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

static void parse_fdt(const void *fdt)
{
	int node, len, cpus;
	const fdt32_t *p;
	const char *s;

	if (fdt_check_header(fdt))
		bail_out("no device tree in a1");
	node = fdt_path_offset(fdt, "/chosen");
	s = node >= 0 ? fdt_getprop(fdt, node, "bootargs", &len) : NULL;
	if (s)
		bootargs = s;
	cpus = fdt_path_offset(fdt, "/cpus");
	p = cpus >= 0 ? fdt_getprop(fdt, cpus, "timebase-frequency", &len) :
			NULL;
	if (p && len == 4)
		env.timebase = fdt32_to_cpu(*p);
	fdt_for_each_subnode(node, fdt, cpus) {
		s = fdt_getprop(fdt, node, "device_type", &len);
		if (!s || strcmp(s, "cpu"))
			continue;
		s = fdt_getprop(fdt, node, "status", &len);
		if (s && strcmp(s, "okay"))
			continue;
		p = fdt_getprop(fdt, node, "reg", &len);
		if (!p || env.nr_harts == MAX_HARTS)
			continue;
		env.hartid[env.nr_harts++] = fdt_cells(p, len / 4);
		s = fdt_getprop(fdt, node, "riscv,isa", &len);
		/* "rv64imafdch_zicsr..._sstc...": single letters, then _z... */
		if (s && env.nr_harts == 1) {
			const char *u = s + 4;

			while (*u && *u != '_' && *u != 'h')
				u++;
			env.isa_h = *u == 'h';
			for (u = s; *u; u++)
				if (!strncmp(u, "_sstc", 5))
					env.isa_sstc = true;
		}
	}
	node = fdt_path_offset(fdt, "/memory");
	if (node < 0)
		node = fdt_node_offset_by_prop_value(fdt, -1, "device_type",
						     "memory", 7);
	p = node >= 0 ? fdt_getprop(fdt, node, "reg", &len) : NULL;
	if (p && len == 16) {
		env.ram_start = fdt_cells(p, 2);
		env.ram_size = fdt_cells(p + 2, 2);
	}
}

/* The value of "conform.NAME=" in bootargs, up to a space; NULL if absent. */
static const char *bootarg(const char *name, size_t *vlen)
{
	size_t n = strlen(name);
	const char *p;

	for (p = bootargs; *p; p++) {
		if ((p == bootargs || p[-1] == ' ') &&
		    !strncmp(p, "conform.", 8) && !strncmp(p + 8, name, n) &&
		    p[8 + n] == '=') {
			const char *v = p + 9 + n;

			*vlen = 0;
			while (v[*vlen] && v[*vlen] != ' ')
				(*vlen)++;
			return v;
		}
	}
	return NULL;
}

static char arg_store[512];
static size_t arg_used;

static const char *bootarg_str(const char *name, const char *dflt)
{
	size_t len;
	const char *v = bootarg(name, &len);
	char *s = arg_store + arg_used;

	if (!v || arg_used + len + 1 > sizeof(arg_store))
		return dflt;
	memcpy(s, v, len);
	s[len] = 0;
	arg_used += len + 1;
	return s;
}

static long parse_num(const char *s, const char **end)
{
	unsigned int base = 10;
	long v = 0;

	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		v = v * base + d;
	}
	*end = s;
	return v;
}

static long bootarg_num(const char *name)
{
	const char *s = bootarg_str(name, NULL), *end;

	return s ? parse_num(s, &end) : -1;
}

bool bootarg_flag(const char *name)
{
	size_t len;

	return !!bootarg(name, &len);
}

static void parse_bootargs(void)
{
	const char *s, *end;

	env.mode = bootarg_str("mode", "main");
	env.impl = bootarg_str("impl", "unknown");
	env.platform = bootarg_str("platform", "");
	env.exts = bootarg_str("exts", NULL);
	env.impl_id = bootarg_num("impl_id");
	env.mvendorid = bootarg_num("mvendorid");
	env.marchid = bootarg_num("marchid");
	env.mimpid = bootarg_num("mimpid");
	env.bad_addr = bootarg_num("bad_addr");
	if (env.bad_addr == -1UL)
		env.bad_addr = env.ram_start + env.ram_size + 0x10000000;
	s = bootarg_str("spec", NULL);
	if (s) {
		env.spec_major = parse_num(s, &end);
		env.spec_minor = *end == '.' ? parse_num(end + 1, &end) : 0;
	}
}

/* ---- SBI helpers ---- */

bool sbi_probe(unsigned long eid)
{
	struct sbiret r = sbi_call1(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION,
				    eid);

	return !r.error && r.value;
}

static long spec_major, spec_minor;

bool spec_at_least(long major, long minor)
{
	return spec_major > major || (spec_major == major &&
				      spec_minor >= minor);
}

static long impl_id;

bool stip_visible(void)
{
	return !(impl_id == SBI_IMPL_ID_KVM &&
		 !strncmp(env.platform, "qemu-7.", 7));
}

const char *stip_hidden_why(void)
{
	return "QEMU 7.2 leaves hvip.VSTIP out of a VS-mode sip read";
}

unsigned long this_hartid(void)
{
	unsigned long h;

	asm volatile("mv %0, tp" : "=r"(h));
	return h;
}

struct hart_state *this_hart(void)
{
	return &harts[this_hartid()];
}

/* ---- time and traps ---- */

unsigned long rdtime(void)
{
	unsigned long t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

unsigned long us_to_ticks(unsigned long us)
{
	return us * (env.timebase / 1000) / 1000 + 1;
}

void delay_us(unsigned long us)
{
	unsigned long end = rdtime() + us_to_ticks(us);

	while (rdtime() < end)
		;
}

void set_timer(unsigned long when)
{
	if (have_time)
		sbi_call1(SBI_EXT_TIME, 0, when);
	else
		sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, when, 0, 0, 0);
}

void irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

void irq_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

void trap_expect(void)
{
	struct hart_state *h = this_hart();

	h->trapped = false;
	h->trap_armed = true;
}

bool trap_taken(unsigned long cause)
{
	struct hart_state *h = this_hart();

	h->trap_armed = false;
	return h->trapped && h->trap_cause == cause;
}

bool trap_any(void)
{
	struct hart_state *h = this_hart();

	h->trap_armed = false;
	return h->trapped;
}

void trap_handler(unsigned long *regs)
{
	unsigned long cause = csr_read(scause), epc = csr_read(sepc);
	struct hart_state *h = this_hart();

	(void)regs;
	if (cause & SCAUSE_IRQ) {
		cause &= ~SCAUSE_IRQ;
		if (cause < ARRAY_SIZE(h->irqs))
			h->irqs[cause]++;
		if (cause == IRQ_S_TIMER) {
			h->timer_sip = csr_read(sip);
			set_timer(-1UL);
			h->timer_sip_after = csr_read(sip);
		} else if (cause == IRQ_S_SOFT) {
			csr_clear(sip, SIE_SSIE);
		} else {
			csr_clear(sie, BIT(cause));
		}
		return;
	}
	if (h->trap_armed && !h->trapped) {
		unsigned short insn = *(volatile unsigned short *)epc;

		h->trapped = true;
		h->trap_cause = cause;
		h->trap_epc = epc;
		h->trap_tval = csr_read(stval);
		csr_write(sepc, epc + ((insn & 3) == 3 ? 4 : 2));
		return;
	}
	print("# hart %lu: unexpected exception: scause %lu sepc %lx stval %lx",
	      this_hartid(), cause, epc, csr_read(stval));
	bail_out("unexpected exception");
}

/* ---- secondary harts ---- */

long hsm_status(unsigned long hartid)
{
	struct sbiret r = sbi_call1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS,
				    hartid);

	return r.error ? r.error : r.value;
}

void secondary_main(unsigned long hartid, struct hart_job *job,
		    unsigned long satp, unsigned long sstatus)
{
	struct hart_state *h = this_hart();

	h->entry_a0 = hartid;
	h->entry_a1 = (unsigned long)job;
	h->entry_satp = satp;
	h->entry_sstatus = sstatus;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	job->fn(job);
	irq_disable();
	csr_write(sie, 0);
	job->done = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sbi_call0(SBI_EXT_HSM, SBI_HSM_HART_STOP);
	print("# hart %lu: hart_stop returned", hartid);
}

long hart_run(unsigned int idx, struct hart_job *job)
{
	struct sbiret r;

	job->done = false;
	job->step = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r = sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, env.hartid[idx],
		      (unsigned long)secondary_entry, (unsigned long)job);
	return r.error;
}

bool hart_wait_stopped(unsigned int idx)
{
	return wait_us(hsm_status(env.hartid[idx]) == SBI_HSM_STATE_STOPPED,
		       2000000);
}

/* ---- main ---- */

static void report_env(void)
{
	struct sbiret v = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION);
	struct sbiret id = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID);
	struct sbiret iv = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION);

	spec_major = (v.value >> 24) & 0x7f;
	spec_minor = v.value & 0xffffff;
	impl_id = id.value;
	diag("sbi-conform: mode %s, implementation %s, platform %s",
	     env.mode, env.impl, env.platform[0] ? env.platform : "-");
	diag("SBI v%ld.%ld, implementation ID %ld version %lx", spec_major,
	     spec_minor, id.value, iv.value);
	diag("%u harts, boot hart %lu, timebase %lu Hz, H %s, Sstc %s, RAM %lx+%lx",
	     env.nr_harts, boot_hartid, env.timebase, env.isa_h ? "yes" : "no",
	     env.isa_sstc ? "yes" : "no", env.ram_start, env.ram_size);
}

void conform_main(unsigned long hartid, const void *fdt)
{
	boot_hartid = hartid;
	csr_write(sie, 0);
	parse_fdt(fdt);
	have_dbcn = sbi_probe(SBI_EXT_DBCN);
	have_time = sbi_probe(SBI_EXT_TIME);
	parse_bootargs();
	print("TAP version 13");
	report_env();
	/* Hart index 0 is the boot hart, whichever the firmware chose. */
	for (unsigned int i = 1; i < env.nr_harts; i++) {
		if (env.hartid[i] == hartid) {
			env.hartid[i] = env.hartid[0];
			env.hartid[0] = hartid;
		}
	}
	if (env.nr_harts == 0 || env.hartid[0] != hartid)
		bail_out("the boot hart is not in the device tree");
	if (strncmp(env.mode, "srst-", 5) && strcmp(env.mode, "legacy-shutdown")) {
		t_base();
		t_legacy();
		t_time();
		t_ipi();
		t_rfence();
		t_hsm();
		t_pmu();
		t_sta();
		t_dbcn();
		t_fwft();
		t_sse();
		t_dbtr();
		t_susp();
		t_srst();
		t_hsm_last();
	} else {
		srst_mode(env.mode);
	}
	finish();
}
