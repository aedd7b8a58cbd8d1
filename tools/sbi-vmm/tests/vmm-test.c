// SPDX-License-Identifier: GPL-2.0
/*
 * vmm-test: the tests of sbi-vmm that make check runs inside the host
 * kernel (scripts/harness/check.list). "vmm-test NAME" runs one test:
 *
 *   boot	  a 2-vCPU Linux guest boots to its init, prints its banner
 *		  (2 CPUs, SBI v3.0, implementation KVM) and shuts down: exit 0
 *   uart	  the same on the ns16550a console
 *   uart-tail	  a Linux guest that writes the known text and a last line
 *		  without a newline, then powers off at once: every byte
 *		  reaches the user, in order, before the VMM's closing
 *		  message (stderr on the stdout pipe), on the UART, 3 boots
 *   dbcn-tail	  the same on hvc0 over DBCN, 3 boots, and from the
 *		  bare-metal guest (DBCN write and write_byte, legacy putchar)
 *   dbcn	  the known multi-line text arrives intact and in order, from
 *		  Linux's hvc0 and from the bare-metal guest's own DBCN calls;
 *		  DBCN and legacy console edge cases answer as the spec says
 *   vendor	  unknown vendor/experimental EIDs get NOT_SUPPORTED, one log
 *		  line each, and the guest runs on
 *   exit-status  shutdown (0), reboot (2) and system failure (1) told apart
 *   input	  console input reaches the guest (legacy getchar, DBCN read;
 *		  Linux on the UART, typed while it waits: the RX interrupt)
 *   smp	  a secondary hart starts stopped and runs once started by HSM
 *   timeout	  a guest that never shuts down is stopped by --timeout and
 *		  the VMM reports failure
 *   stats	  --stats prints the guest's SBI calls by extension and by
 *		  outcome, counted by KVM: the bare-metal guest's vendor,
 *		  experimental and BASE calls, the forwarded ones
 *   cmdline	  every bad command line gets its one-line error and exit 1
 *   conform	  sbi-conform (tools/sbi-conform) in each of its boot modes
 *		  on 2 vCPUs, every line relayed as "conform: MODE: LINE"
 *		  for scripts/conform.py: the main run passes every check,
 *		  each reset mode ends the VM as it asked. SBI_TEST_KERNEL=
 *		  stock expects Linux 6.12's SBI (and installs no policy)
 *
 * The harness has no shell: this program runs the VMM with fork and exec,
 * feeds its stdin and reads its stdout and stderr through pipes. The VMM,
 * the guest kernel and initramfs and the bare-metal guest are taken from
 * the directory this program is in. It prints one line per check and exits
 * 0 if all passed, 1 if one failed, 4 (skip) without /dev/kvm.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-text.h"

#define KSFT_SKIP	4
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS	32
/* A Linux guest boots in about 4 s under nested TCG; leave a wide margin. */
#define LINUX_TIMEOUT	"90"
#define BARE_TIMEOUT	"30"
/* Our own limit on a VMM run, beyond its --timeout. */
#define KILL_AFTER_S	120

/* quiet first: earlycon replays the log at the loglevel of its time. */
#define QUIET_LINUX	"quiet console=hvc0 earlycon=sbi kunit.enable=0"

struct output {
	char *buf;
	size_t len;
};

/**
 * struct run - one run of the VMM
 * @status:	exit status; 128 + signal if killed
 * @killed:	this program killed it after KILL_AFTER_S
 * @ms:		how long it ran
 * @out:	its stdout, NUL-terminated
 * @err:	its stderr, NUL-terminated
 */
struct run {
	int status;
	bool killed;
	long ms;
	struct output out;
	struct output err;
};

static char dir[512];
static int failures;
/*
 * When set, a run's input is written only INPUT_DELAY_MS after its stdout
 * holds this text: a guest's UART discards what arrives before its driver
 * opens it, as hardware does, and by then the guest sits idle in read().
 */
static const char *input_after;
#define INPUT_DELAY_MS	1000

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *path(const char *file)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, file) < 0) {
		say("not ok - out of memory");
		exit(1);
	}
	return p;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Output is searched as a string: a NUL from the guest becomes '?'. */
static void append(struct output *o, const char *p, size_t n)
{
	char *buf = realloc(o->buf, o->len + n + 1);
	size_t i;

	if (!buf) {
		say("not ok - out of memory");
		exit(1);
	}
	for (i = 0; i < n; i++)
		buf[o->len + i] = p[i] ? p[i] : '?';
	o->buf = buf;
	o->len += n;
	o->buf[o->len] = '\0';
}

static bool has(const struct output *o, const char *s)
{
	return strstr(o->buf, s) != NULL;
}

static pid_t spawn(char *const argv[], int in, int out, int err)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	dup2(in, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	execv(argv[0], argv);
	dprintf(STDERR_FILENO, "cannot execute %s: %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

/*
 * Read stdout and stderr until both close or the time is up; @input goes
 * to @in INPUT_DELAY_MS after stdout holds input_after.
 */
static void collect(struct run *r, pid_t pid, int out, int err, int in,
		    const char *input)
{
	struct pollfd pfd[2] = { { .fd = out, .events = POLLIN },
				 { .fd = err, .events = POLLIN } };
	long deadline = now_ms() + KILL_AFTER_S * 1000L, input_at = 0;
	char chunk[4096];
	int open = 2, i;
	ssize_t n;

	while (open) {
		if (now_ms() > deadline && !r->killed) {
			r->killed = true;
			kill(pid, SIGKILL);
		}
		if (input && input_at && now_ms() >= input_at) {
			if (write(in, input, strlen(input)) < 0)
				say("# writing the VMM's input: %s",
				    strerror(errno));
			input = NULL;
		}
		if (poll(pfd, 2, input ? 100 : 1000) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				append(i ? &r->err : &r->out, chunk, n);
				if (input && !input_at &&
				    has(&r->out, input_after))
					input_at = now_ms() + INPUT_DELAY_MS;
				continue;
			}
			close(pfd[i].fd);
			pfd[i].fd = -1;
			open--;
		}
	}
}

/*
 * Run @argv (NULL-terminated) with @input on its stdin, which stays open
 * (and empty after @input) until it exits: "no input pending", not EOF.
 * With @merged, its stderr is its stdout pipe too: @r->out is then the one
 * stream a user's terminal shows, in the order it was written.
 */
static void run_argv(struct run *r, char *const argv[], const char *input,
		     bool merged)
{
	int in[2], out[2], err[2], status;
	long start = now_ms();
	pid_t pid;

	memset(r, 0, sizeof(*r));
	append(&r->out, "", 0);
	append(&r->err, "", 0);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
	    pipe2(err, O_CLOEXEC)) {
		say("not ok - pipe: %s", strerror(errno));
		exit(1);
	}
	if (input && !input_after && write(in[1], input, strlen(input)) < 0)
		say("# writing the VMM's input: %s", strerror(errno));
	pid = spawn(argv, in[0], out[1], merged ? out[1] : err[1]);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	collect(r, pid, out[0], err[0], in[1], input_after ? input : NULL);
	waitpid(pid, &status, 0);
	close(in[1]);
	r->ms = now_ms() - start;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
					128 + WTERMSIG(status);
}

/* Run the VMM with the arguments that follow, up to NULL. */
static void run_vmm_args(struct run *r, const char *input, bool merged,
			 va_list ap)
{
	char *argv[MAX_ARGS + 1] = { (char *)path("sbi-vmm") };
	int argc = 1;

	while (argc < MAX_ARGS && (argv[argc] = va_arg(ap, char *)))
		argc++;
	argv[argc] = NULL;
	run_argv(r, argv, input, merged);
}

static void run_vmm(struct run *r, const char *input, ...)
{
	va_list ap;

	va_start(ap, input);
	run_vmm_args(r, input, false, ap);
	va_end(ap);
}

/* The same, without input, stderr on the stdout pipe. */
static void run_vmm_merged(struct run *r, ...)
{
	va_list ap;

	va_start(ap, r);
	run_vmm_args(r, NULL, true, ap);
	va_end(ap);
}

/* The Linux guest's init in @mode, quiet, on @cpus vCPUs. */
static void run_linux(struct run *r, const char *input, const char *mode,
		      const char *cpus)
{
	char sbitest[64];

	snprintf(sbitest, sizeof(sbitest), "sbitest=%s", mode);
	run_vmm(r, input, "--kernel", path("Image"), "--initrd",
		path("guest.cpio"), "--cpus", cpus, "--timeout", LINUX_TIMEOUT,
		"--cmdline", QUIET_LINUX, "--cmdline", sbitest, NULL);
}

/* The bare-metal guest in @mode on @cpus vCPUs, stopped after @timeout s. */
static void run_bare(struct run *r, const char *input, const char *mode,
		     const char *cpus, const char *timeout)
{
	char sbitest[64];

	snprintf(sbitest, sizeof(sbitest), "sbitest=%s", mode);
	run_vmm(r, input, "--kernel", path("sbi-guest.img"), "--cpus", cpus,
		"--timeout", timeout, "--cmdline", sbitest, NULL);
}

static void show_lines(const char *what, const char *buf, int max)
{
	const char *p = buf, *end;
	int lines = 0;

	for (end = buf; *end; end++)
		lines += *end == '\n';
	/* The last @max lines. */
	while (lines-- > max && (p = strchr(p, '\n')))
		p++;
	while (p && *p) {
		end = strchr(p, '\n');
		say("#   %s| %.*s", what, (int)(end ? end - p : (long)strlen(p)), p);
		p = end ? end + 1 : NULL;
	}
}

static bool check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool check(bool ok, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	say("%s - %s", ok ? "ok" : "not ok", line);
	failures += !ok;
	return ok;
}

/* On a failed check, the run's output helps most. */
static void show_run(const struct run *r)
{
	say("#   exit status %d after %ld ms%s", r->status, r->ms,
	    r->killed ? " (killed by vmm-test)" : "");
	show_lines("stdout", r->out.buf, 40);
	show_lines("stderr", r->err.buf, 20);
}

static int count(const struct output *o, const char *s)
{
	const char *p = o->buf;
	int n = 0;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	return n;
}

/* Checks on one run, shown with its output if any failed. */
static void expect_status(const struct run *r, int status, const char *what)
{
	if (!check(r->status == status, "%s: exit status %d (got %d)", what,
		   status, r->status))
		show_run(r);
}

static void expect_out(const struct run *r, const char *s, const char *what)
{
	int len = strcspn(s, "\n");

	if (!check(has(&r->out, s), "%s: the guest printed \"%.*s%s\"", what,
		   len, s, s[len] ? "\\n" : ""))
		show_run(r);
}

static void expect_err(const struct run *r, const char *s, const char *what)
{
	if (!check(has(&r->err, s), "%s: the VMM said \"%s\"", what, s))
		show_run(r);
}

static void expect_no_fail(const struct run *r, const char *what)
{
	if (!check(!has(&r->out, "FAIL"), "%s: no guest check failed", what))
		show_run(r);
}

/* The known text, as the guest sends it. */
static char *known_text(void)
{
	static char text[sizeof(TEXT_BEGIN) + TEXT_LINES * TEXT_LINE_MAX +
			 sizeof(TEXT_END)];
	size_t len = strlen(TEXT_BEGIN);
	unsigned int i;

	memcpy(text, TEXT_BEGIN, len);
	for (i = 0; i < TEXT_LINES; i++)
		len += test_text_line(i, text + len);
	memcpy(text + len, TEXT_END, sizeof(TEXT_END));
	return text;
}

static void expect_text(const struct run *r, const char *what)
{
	const char *text = known_text(), *begin = strstr(r->out.buf, TEXT_BEGIN);
	bool ok = begin && !strncmp(begin, text, strlen(text));

	if (check(ok, "%s: the %zu-byte text arrived intact and in order",
		  what, strlen(text)))
		return;
	show_run(r);
}

/* The number after "  @label " in the VMM's --stats, or -1 without it. */
static long stats_value(const struct run *r, const char *label)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "  %s ", label);
	p = strstr(r->err.buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void test_boot(void)
{
	struct run r;

	run_linux(&r, NULL, "banner", "2");
	expect_status(&r, 0, "Linux, 2 vCPUs");
	expect_out(&r, "guest: Linux 6.", "banner");
	expect_out(&r, "guest: 2 CPUs online", "banner");
	expect_out(&r, "guest: SBI specification v3.0 detected", "banner");
	expect_out(&r, "guest: SBI implementation ID=0x3 ", "banner");
	expect_out(&r, "(KVM)", "banner");
	expect_out(&r, "guest: console: SBI DBCN", "banner");
	expect_out(&r, "guest: powering off", "banner");
	expect_err(&r, "sbi-vmm: the guest shut down", "Linux, 2 vCPUs");
	say("# Linux booted and shut down in %ld ms", r.ms);

	/* --disable-sstc: the guest's ISA has no Sstc; it boots on SBI TIME. */
	run_vmm(&r, NULL, "--kernel", path("Image"), "--initrd",
		path("guest.cpio"), "--timeout", LINUX_TIMEOUT, "--stats",
		"--disable-sstc", "--cmdline", QUIET_LINUX, NULL);
	expect_status(&r, 0, "Linux, --disable-sstc");
	expect_out(&r, "guest: isa rv64", "--disable-sstc");
	if (!check(!has(&r.out, "sstc") && stats_value(&r, "time") > 0,
		   "--disable-sstc: no sstc in the guest's ISA, its timer on SBI TIME"))
		show_run(&r);
}

static void test_uart(void)
{
	struct run r;

	run_vmm(&r, NULL, "--kernel", path("Image"), "--initrd",
		path("guest.cpio"), "--console", "uart", "--timeout",
		LINUX_TIMEOUT, "--cmdline", "quiet console=ttyS0 earlycon",
		"--cmdline", "kunit.enable=0", NULL);
	expect_status(&r, 0, "Linux on the UART");
	expect_out(&r, "guest: 1 CPUs online", "banner on ttyS0");
	expect_out(&r, "(KVM)", "banner on ttyS0");
	expect_out(&r, "guest: powering off", "banner on ttyS0");
	if (!check(!has(&r.out, "IRQ index 0 not found"),
		   "the UART has its interrupt"))
		show_run(&r);
}

static void test_dbcn(void)
{
	long ring, full, reads, dbcn, fwd;
	struct run r;

	run_linux(&r, NULL, "dbcn", "1");
	expect_status(&r, 0, "Linux hvc0 over DBCN");
	expect_text(&r, "Linux hvc0 over DBCN");
	expect_out(&r, "guest: console: SBI DBCN", "Linux hvc0 over DBCN");

	/*
	 * hvc0's writes went through KVM's console ring and, with no input,
	 * its input polls were answered by KVM too: not one DBCN exit.
	 */
	run_vmm(&r, NULL, "--kernel", path("Image"), "--initrd",
		path("guest.cpio"), "--timeout", LINUX_TIMEOUT, "--stats",
		"--cmdline", QUIET_LINUX, "--cmdline", "sbitest=dbcn", NULL);
	expect_status(&r, 0, "Linux hvc0 over the console ring");
	expect_text(&r, "Linux hvc0 over the console ring");
	ring = stats_value(&r, "writes answered from the ring");
	full = stats_value(&r, "forwarded: the ring was full");
	reads = stats_value(&r, "reads answered: no input");
	dbcn = stats_value(&r, "dbcn");
	fwd = stats_value(&r, "vmm/dbcn");
	fwd = fwd < 0 ? 0 : fwd;	/* no line: none */
	if (!check(ring > 10 && reads > 0 && full == 0 && !fwd &&
		   ring + reads == dbcn,
		   "Linux hvc0: of %ld DBCN calls, %ld writes taken by the console ring and %ld reads answered by KVM, %ld exits, %ld for want of room",
		   dbcn, ring, reads, fwd, full))
		show_run(&r);

	run_vmm(&r, NULL, "--kernel", path("Image"), "--initrd",
		path("guest.cpio"), "--timeout", LINUX_TIMEOUT, "--stats",
		"--console-ring", "off", "--cmdline", QUIET_LINUX,
		"--cmdline", "sbitest=dbcn", NULL);
	expect_status(&r, 0, "Linux hvc0, console ring off");
	expect_text(&r, "Linux hvc0, console ring off");
	if (!check(!has(&r.err, "console ring:") &&
		   stats_value(&r, "forwarded to the VMM") ==
		   stats_value(&r, "dbcn") &&
		   stats_value(&r, "vmm/dbcn") == stats_value(&r, "dbcn"),
		   "console ring off: every DBCN call exits to the VMM"))
		show_run(&r);

	run_bare(&r, NULL, "dbcn", "1", BARE_TIMEOUT);
	expect_status(&r, 0, "bare-metal DBCN");
	expect_text(&r, "bare-metal DBCN");
	expect_out(&r, "sbi-guest: dbcn: write of a buffer spanning pages: ok",
		   "bare-metal DBCN");
	expect_out(&r, "sbi-guest: written by write_byte\n", "bare-metal DBCN");
	expect_out(&r, "sbi-guest: written by legacy putchar\n",
		   "bare-metal DBCN");
	expect_out(&r, "sbi-guest: dbcn: read with no input pending moves 0 bytes: ok",
		   "bare-metal DBCN");
	expect_out(&r, "sbi-guest: legacy: getchar with no input pending is -1: ok",
		   "bare-metal DBCN");
	check(count(&r.out, "is INVALID_PARAM: ok") == 5,
	      "bare-metal DBCN: 5 bad buffers are INVALID_PARAM");
	expect_no_fail(&r, "bare-metal DBCN");
}

#define SHUT_DOWN_MSG	"sbi-vmm: the guest shut down\n"

/* The known text and its tail, as the tail guest writes them. */
static char *tail_text(void)
{
	static char text[sizeof(TEXT_BEGIN) + TEXT_LINES * TEXT_LINE_MAX +
			 sizeof(TEXT_END) + sizeof(TEXT_TAIL)];

	snprintf(text, sizeof(text), "%s%s", known_text(), TEXT_TAIL);
	return text;
}

/*
 * A tail run, stdout and stderr in one pipe: the whole text, then the
 * closing message on a line of its own (the text ends inside a line, so a
 * newline comes between, and nothing else). How much arrived in order
 * before the message is told on failure.
 */
static void expect_tail(const struct run *r, const char *what)
{
	const char *text = tail_text(), *begin, *msg;
	size_t len = strlen(text), got;

	begin = strstr(r->out.buf, TEXT_BEGIN);
	msg = strstr(r->out.buf, SHUT_DOWN_MSG);
	for (got = 0; begin && got < len && begin[got] == text[got];)
		got++;
	if (check(r->status == 0 && got == len && msg == begin + len + 1 &&
		  msg[-1] == '\n',
		  "%s: the %zu bytes in order, then the closing message on its own line",
		  what, len))
		return;
	say("#   %zu of %zu bytes in order; the closing message %s", got, len,
	    !msg ? "is missing" :
	    begin && msg < begin + len ? "comes before the text's end" :
	    "does not follow it on the next line");
	show_run(r);
}

/*
 * The Linux guest's sbitest=tail on @console, @boots times; the second
 * boot has 2 vCPUs (the UART's interrupt may then go to a vCPU other than
 * the writer's).
 */
static void tail_boots(const char *console, const char *cmdline, int boots,
		       const char *what)
{
	const char *cpus;
	char name[128];
	struct run r;
	int boot;

	for (boot = 1; boot <= boots; boot++) {
		cpus = boot == 2 ? "2" : "1";
		run_vmm_merged(&r, "--kernel", path("Image"), "--initrd",
			       path("guest.cpio"), "--console", console,
			       "--cpus", cpus, "--timeout", LINUX_TIMEOUT,
			       "--cmdline", cmdline, "--cmdline",
			       "sbitest=tail", NULL);
		snprintf(name, sizeof(name), "%s, boot %d, %s vCPU%s", what,
			 boot, cpus, boot == 2 ? "s" : "");
		expect_tail(&r, name);
	}
}

/* Without the UART's interrupt, about a third of the text was lost. */
static void test_uart_tail(void)
{
	tail_boots("uart", "quiet console=ttyS0 earlycon kunit.enable=0", 3,
		   "UART");
}

/*
 * hvc0 loses nothing, but a partial line sat in the VMM's stdout buffer
 * and came after the message, unless hvc0's input poll (a DBCN read, which
 * flushes) happened to run in between, as it often does. The bare-metal
 * guest reads nothing: there it came after the message every time.
 */
static void test_dbcn_tail(void)
{
	struct run r;

	run_vmm_merged(&r, "--kernel", path("sbi-guest.img"), "--timeout",
		       BARE_TIMEOUT, "--cmdline", "sbitest=tail", NULL);
	expect_tail(&r, "bare-metal DBCN, write_byte and legacy putchar");
	tail_boots("sbi", QUIET_LINUX, 3, "Linux hvc0 over DBCN");
	run_vmm_merged(&r, "--kernel", path("sbi-guest.img"), "--timeout",
		       BARE_TIMEOUT, "--console-ring", "off", "--cmdline",
		       "sbitest=tail", NULL);
	expect_tail(&r, "bare-metal DBCN, console ring off");
}

static void test_vendor(void)
{
	struct run r;

	run_bare(&r, NULL, "vendor", "1", BARE_TIMEOUT);
	expect_status(&r, 0, "unknown EIDs");
	expect_out(&r, "call to an unknown vendor EID is NOT_SUPPORTED: ok",
		   "unknown EIDs");
	expect_out(&r, "call to an unknown experimental EID is NOT_SUPPORTED: ok",
		   "unknown EIDs");
	expect_out(&r, "probe_extension of an unknown vendor EID is 0: ok",
		   "unknown EIDs");
	expect_out(&r, "still running after the unknown calls", "unknown EIDs");
	expect_no_fail(&r, "unknown EIDs");
	if (!check(count(&r.err, "not supported") == 2,
		   "unknown EIDs: one log line per unsupported call (got %d)",
		   count(&r.err, "not supported")))
		show_run(&r);
	expect_err(&r, "SBI call EID 0x9000042 FID 0x7 not supported",
		   "unknown EIDs");
}

/* The number on the --stats line "  <label>   N", or -1 if there is none. */

/*
 * --stats: after the bare-metal guest's unknown vendor and experimental
 * calls (one of each, forwarded, and the VMM's NOT_SUPPORTED) and its
 * BASE probe, the table KVM's counters give. Without --stats, no table.
 */
static void test_stats(void)
{
	struct run r;

	run_vmm(&r, NULL, "--kernel", path("sbi-guest.img"), "--timeout",
		BARE_TIMEOUT, "--cmdline", "sbitest=vendor", "--stats", NULL);
	expect_status(&r, 0, "--stats");
	expect_err(&r, "SBI calls of the guest (1 vCPU), by extension:", "--stats");
	if (!check(stats_value(&r, "vendor") == 1 && stats_value(&r, "base") >= 1 &&
		   stats_value(&r, "experimental") >= 1 &&
		   stats_value(&r, "total") > stats_value(&r, "base") &&
		   stats_value(&r, "forwarded to the VMM") >= 2 &&
		   stats_value(&r, "vmm/total") ==
		   stats_value(&r, "forwarded to the VMM") &&
		   stats_value(&r, "system event (reset, shutdown)") == 1,
		   "--stats: vendor 1, base %ld, experimental %ld, total %ld, forwarded %ld, system events %ld",
		   stats_value(&r, "base"), stats_value(&r, "experimental"),
		   stats_value(&r, "total"), stats_value(&r, "forwarded to the VMM"),
		   stats_value(&r, "system event (reset, shutdown)")))
		show_run(&r);

	run_bare(&r, NULL, "vendor", "1", BARE_TIMEOUT);
	if (!check(!has(&r.err, "SBI calls of the guest"), "no --stats: no table"))
		show_run(&r);
}

/*
 * --sbi-policy: a denied range never reaches the VMM (the guest still gets
 * NOT_SUPPORTED, and its probe says 0); a kernel-owned call cannot be
 * forwarded, and the VMM says which ioctl refused.
 */
static void test_policy(void)
{
	struct run r;

	run_vmm(&r, NULL, "--kernel", path("sbi-guest.img"), "--timeout",
		BARE_TIMEOUT, "--cmdline", "sbitest=vendor", "--sbi-policy",
		"deny:vendor", NULL);
	expect_status(&r, 0, "deny:vendor");
	expect_err(&r, "SBI policy: 1 entries installed", "deny:vendor");
	expect_out(&r, "call to an unknown vendor EID is NOT_SUPPORTED: ok",
		   "deny:vendor");
	expect_out(&r, "probe_extension of an unknown vendor EID is 0: ok",
		   "deny:vendor");
	expect_no_fail(&r, "deny:vendor");
	if (!check(!has(&r.err, "EID 0x9000042") &&
		   count(&r.err, "not supported") == 1,
		   "deny:vendor: only the experimental call reaches the VMM"))
		show_run(&r);

	run_vmm(&r, NULL, "--kernel", path("sbi-guest.img"), "--timeout",
		BARE_TIMEOUT, "--cmdline", "sbitest=vendor", "--sbi-policy",
		"forward:time", NULL);
	expect_status(&r, 1, "forward:time");
	expect_err(&r, "KVM_SET_DEVICE_ATTR (SBI policy, 1 entries): Operation not permitted (EPERM)",
		   "forward:time");
}

static void bare_exit(const char *mode, int status, const char *said)
{
	struct run r;

	run_bare(&r, NULL, mode, "1", BARE_TIMEOUT);
	expect_status(&r, status, mode);
	expect_err(&r, said, mode);
}

static void test_exit_status(void)
{
	struct run r;

	bare_exit("shutdown", 0, "the guest shut down");
	bare_exit("legacy-shutdown", 0, "the guest shut down");
	bare_exit("reboot", 2, "the guest asked for a reboot");
	bare_exit("warm-reboot", 2, "the guest asked for a reboot");
	bare_exit("failure", 1, "reporting a system failure");

	run_linux(&r, NULL, "reboot", "1");
	expect_status(&r, 2, "Linux reboot");
	expect_out(&r, "guest: rebooting", "Linux reboot");
}

static void test_input(void)
{
	struct run r;

	run_bare(&r, "hello sbi\n", "input", "1", BARE_TIMEOUT);
	expect_status(&r, 0, "bare-metal input");
	expect_out(&r, "sbi-guest: input: read \"hello sbi\"",
		   "bare-metal input");

	run_linux(&r, "hello linux\n", "echo", "1");
	expect_status(&r, 0, "Linux input");
	expect_out(&r, "guest: read \"hello linux\"", "Linux input");

	input_after = "guest: type a line";
	run_vmm(&r, "hello uart\n", "--kernel", path("Image"), "--initrd",
		path("guest.cpio"), "--console", "uart", "--timeout",
		LINUX_TIMEOUT, "--cmdline", "quiet console=ttyS0 earlycon",
		"--cmdline", "kunit.enable=0 sbitest=echo", NULL);
	input_after = NULL;
	expect_status(&r, 0, "Linux input on the UART");
	expect_out(&r, "guest: read \"hello uart\"", "Linux input on the UART");
}

static void test_smp(void)
{
	struct run r;

	run_bare(&r, NULL, "smp", "2", BARE_TIMEOUT);
	expect_status(&r, 0, "HSM start");
	expect_out(&r, "sbi-guest: smp: hart 1 started", "HSM start");
	expect_out(&r, "sbi-guest: smp: opaque 24241", "HSM start");
	expect_out(&r, "sbi-guest: smp: hart 1 ran: ok", "HSM start");
	expect_no_fail(&r, "HSM start");
}

static void test_timeout(void)
{
	struct run r;

	run_bare(&r, NULL, "hang", "1", "3");
	expect_out(&r, "sbi-guest: hang: never shutting down", "hanging guest");
	expect_status(&r, 1, "hanging guest stopped by --timeout 3");
	expect_err(&r, "timed out: the guest did not shut down within 3 s",
		   "hanging guest");
	if (!check(r.ms >= 3000 && r.ms < 20000 && !r.killed,
		   "hanging guest: stopped after %ld ms, by the VMM itself",
		   r.ms))
		show_run(&r);
}

/*
 * Bad command lines and the error each must give. "@file" stands for a file
 * next to this program.
 */
static const struct {
	const char *msg;
	const char *args[8];
} bad_cmdlines[] = {
	{ "no kernel: give --kernel IMAGE", { NULL } },
	{ "cannot read kernel /no/such/Image: No such file or directory",
	  { "--kernel", "/no/such/Image" } },
	{ "cannot read kernel /proc: not a regular file",
	  { "--kernel", "/proc" } },
	{ "guest.cpio is not a RISC-V Image (no \"RSC\\x05\" magic at offset 0x38)",
	  { "--kernel", "@guest.cpio" } },
	{ "/proc/version is not a RISC-V Image",
	  { "--kernel", "/proc/version" } },
	{ "cannot read initrd /no/such.cpio: No such file or directory",
	  { "--kernel", "@Image", "--initrd", "/no/such.cpio" } },
	{ "--mem 8 MiB is too small: the kernel, initrd and device tree need",
	  { "--kernel", "@Image", "--initrd", "@guest.cpio", "--mem", "8" } },
	{ "--mem 1048576 MiB is more than the host has",
	  { "--kernel", "@Image", "--mem", "1024G" } },
	{ "--mem '0': expected a size in MiB",
	  { "--kernel", "@Image", "--mem", "0" } },
	{ "--mem '12X': expected a size in MiB",
	  { "--kernel", "@Image", "--mem", "12X" } },
	{ "--mem '99999999999999999999': expected a size in MiB",
	  { "--kernel", "@Image", "--mem", "99999999999999999999" } },
	{ "--cpus '0': expected a whole number from 1 to 1024",
	  { "--kernel", "@Image", "--cpus", "0" } },
	{ "--cpus 'two': expected a whole number",
	  { "--kernel", "@Image", "--cpus", "two" } },
	{ "--cpus '2000': expected a whole number",
	  { "--kernel", "@Image", "--cpus", "2000" } },
	{ "--cpus '-1': expected a whole number",
	  { "--kernel", "@Image", "--cpus", "-1" } },
	{ "--timeout '1.5': expected whole seconds",
	  { "--kernel", "@Image", "--timeout", "1.5" } },
	{ "--console 'vga': expected sbi or uart",
	  { "--kernel", "@Image", "--console", "vga" } },
	{ "unknown option '--bogus'", { "--kernel", "@Image", "--bogus" } },
	{ "--sbi-policy 'bogus': want forward|deny|handle:EIDS[/FIDS]",
	  { "--kernel", "@Image", "--sbi-policy", "bogus" } },
	{ "--sbi-policy 'forward:vendor/1': want",
	  { "--kernel", "@Image", "--sbi-policy", "forward:vendor/1" } },
	{ "--sbi-policy 'deny:0x20-0x10': want",
	  { "--kernel", "@Image", "--sbi-policy", "deny:0x20-0x10" } },
	{ "--console-ring 'maybe': want on or off",
	  { "--kernel", "@Image", "--console-ring", "maybe" } },
	{ "--suspend 'maybe': want accept or refuse",
	  { "--kernel", "@Image", "--suspend", "maybe" } },
	{ "option '--kernel' needs a value", { "--kernel" } },
	{ "unexpected argument 'extra'", { "--kernel", "@Image", "extra" } },
};

/* A bad command line: exit 1, one stderr line holding @msg, no output. */
static void bad_cmdline(const char *msg, const char *const *args)
{
	char *argv[MAX_ARGS + 1] = { (char *)path("sbi-vmm") };
	char shown[512] = "";
	int argc = 1;
	struct run r;

	for (; *args && argc < MAX_ARGS; args++) {
		argv[argc] = (char *)(**args == '@' ? path(*args + 1) : *args);
		strncat(shown, " ", sizeof(shown) - strlen(shown) - 1);
		strncat(shown, argv[argc++], sizeof(shown) - strlen(shown) - 1);
	}
	argv[argc] = NULL;
	run_argv(&r, argv, NULL, false);
	if (!check(r.status == 1 && count(&r.err, "\n") == 1 &&
		   !strncmp(r.err.buf, "sbi-vmm: ", 9) && has(&r.err, msg) &&
		   !r.out.len, "sbi-vmm%s: %s", shown, msg))
		show_run(&r);
}

static void test_cmdline(void)
{
	struct run r;
	size_t i;

	run_vmm(&r, NULL, "--help", NULL);
	if (!check(r.status == 0 && has(&r.out, "Exit status:") && !r.err.len,
		   "sbi-vmm --help: usage and exit codes, exit 0"))
		show_run(&r);
	for (i = 0; i < ARRAY_SIZE(bad_cmdlines); i++)
		bad_cmdline(bad_cmdlines[i].msg, bad_cmdlines[i].args);
}

/* sbi-conform's boot modes and how each must end the VM. */
static const struct {
	const char *mode;
	int status;
	const char *said;	/* on stderr */
	const char *tap;	/* on stdout */
} conform_modes[] = {
	{ "main", 0, "the guest shut down", " passed, 0 failed, " },
	{ "srst-shutdown", 0, "the guest shut down", NULL },
	{ "srst-cold-reboot", 2, "the guest asked for a reboot", NULL },
	{ "srst-warm-reboot", 2, "the guest asked for a reboot", NULL },
	{ "srst-failure", 1, "reporting a system failure", NULL },
	{ "srst-vendor-reason", 0, "the guest shut down", NULL },
	{ "srst-reserved-reason", 0, "the guest shut down",
	  "ok 1 srst: system_reset(shutdown, reserved reason 2)" },
	{ "legacy-shutdown", 0, "the guest shut down", NULL },
};

/* What the suite expects of this kernel's SBI (conform.* bootargs). */
static const char *conform_expect(bool stock)
{
	const char *fw = getenv("SBI_TEST_FIRMWARE");
	const char *platform = getenv("SBI_TEST_PLATFORM");
	char *s;

	if (asprintf(&s, "conform.impl=%s conform.impl_id=3 conform.spec=%s conform.platform=%s conform.exts=%s%s",
		     stock ? "kvm-6.12" : "kvm", stock ? "2.0" : "3.0",
		     platform ? platform : "",
		     stock ? "legacy,time,ipi,rfence,hsm,srst,pmu,dbcn,sta" :
			     "legacy,time,ipi,rfence,hsm,srst,pmu,dbcn,susp,sta,sse,fwft",
		     !stock && fw && !strcmp(fw, "opensbi-1.9") ? ",dbtr" : "") < 0) {
		say("not ok - out of memory");
		exit(1);
	}
	return s;
}

static void test_conform(void)
{
	const char *kernel = getenv("SBI_TEST_KERNEL");
	bool stock = kernel && !strcmp(kernel, "stock");
	const char *expect = conform_expect(stock);
	unsigned int i;
	struct run r;

	for (i = 0; i < ARRAY_SIZE(conform_modes); i++) {
		const char *mode = conform_modes[i].mode;
		char *cmdline, *line, *next;

		if (asprintf(&cmdline, "%s conform.mode=%s", expect, mode) < 0)
			exit(1);
		if (stock)
			run_vmm(&r, NULL, "--kernel", path("sbi-conform.img"),
				"--cpus", "2", "--timeout", "60", "--cmdline",
				cmdline, NULL);
		else
			run_vmm(&r, NULL, "--kernel", path("sbi-conform.img"),
				"--cpus", "2", "--timeout", "60",
				"--sbi-policy", "forward:susp", "--suspend",
				"accept", "--cmdline", cmdline, NULL);
		expect_status(&r, conform_modes[i].status, mode);
		expect_err(&r, conform_modes[i].said, mode);
		if (conform_modes[i].tap)
			expect_out(&r, conform_modes[i].tap, mode);
		for (line = r.out.buf; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = 0;
			say("conform: %s: %s", mode, line);
		}
		say("conform: %s: exit %d", mode, r.status);
		free(cmdline);
	}
}

static const struct {
	const char *name;
	void (*fn)(void);
	bool needs_kvm;
} tests[] = {
	{ "boot",		test_boot,		true },
	{ "uart",		test_uart,		true },
	{ "uart-tail",		test_uart_tail,		true },
	{ "dbcn-tail",		test_dbcn_tail,		true },
	{ "dbcn",		test_dbcn,		true },
	{ "vendor",		test_vendor,		true },
	{ "exit-status",	test_exit_status,	true },
	{ "input",		test_input,		true },
	{ "smp",		test_smp,		true },
	{ "timeout",		test_timeout,		true },
	{ "policy",		test_policy,		true },
	{ "stats",		test_stats,		true },
	{ "cmdline",		test_cmdline,		false },
	{ "conform",		test_conform,		true },
};

int main(int argc, char **argv)
{
	const char *slash = strrchr(argv[0], '/');
	unsigned int i;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - argv[0]) : 1,
		 slash ? argv[0] : ".");
	for (i = 0; argc == 2 && i < ARRAY_SIZE(tests); i++) {
		if (strcmp(argv[1], tests[i].name))
			continue;
		if (tests[i].needs_kvm && access("/dev/kvm", R_OK | W_OK)) {
			say("SKIP: /dev/kvm: %s", strerror(errno));
			return KSFT_SKIP;
		}
		tests[i].fn();
		say("# %s: %d check%s failed", tests[i].name, failures,
		    failures == 1 ? "" : "s");
		return failures ? 1 : 0;
	}
	fprintf(stderr, "usage: vmm-test TEST\ntests:");
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		fprintf(stderr, " %s", tests[i].name);
	fprintf(stderr, "\n");
	return 1;
}
