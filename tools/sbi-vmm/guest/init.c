// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the Linux guest that sbi-vmm boots (make run, make check).
 *
 * It mounts proc, sysfs and devtmpfs, prints a banner of what it sees (the
 * kernel from uname, the CPUs online and their ISA, the SBI version and
 * implementation from the kernel log) and powers off, which the kernel does through SBI
 * SRST. "sbitest=MODE" on the kernel command line picks something else
 * (the kernel hands unknown name=value parameters to init as environment):
 *
 *   banner	the default, as above
 *   reboot	the banner, then reboot instead of power off
 *   dbcn	the known text of tests/test-text.h written to the console in
 *		one write, which the kernel's hvc0 sends as DBCN console_write
 *		calls (kernel messages are kept off the console meanwhile),
 *		then which console hvc0 runs on
 *   echo	read one line from the console (DBCN console_read) and print
 *		it back
 *   tail	the known text a line per write, then TEXT_TAIL (no newline),
 *		and power off at once: no tcdrain(), no sync(). Whatever the
 *		console still holds at the system event is the VMM's to lose
 *   bench:W,W	the workloads W of make bench (bench.c), kernel messages
 *		off, then power off
 *
 * Lines of its own start with "guest: ".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#include "bench.h"
#include "test-text.h"

#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_CONSOLE_OFF	6
#define LOG_BUF_SIZE			(256 * 1024)
#define ARRAY_SIZE(a)			(sizeof(a) / sizeof((a)[0]))

/* SBI implementation IDs (SBI spec, chapter 4). */
static const char *const sbi_impls[] = {
	"BBL", "OpenSBI", "Xvisor", "KVM", "RustSBI", "Diosix", "Coffer",
	"Xen Project", "PolarFire Hart Software Services", "coreboot",
	"oreboot", "bhyve",
};

static char log_buf[LOG_BUF_SIZE];

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One write per line, so that a line reaches the console whole. */
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, n) < 0)
		return;
}

static void mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) && errno != EBUSY)
		say("guest: mount %s on %s: %s", type, dir, strerror(errno));
}

/* Count the CPUs in a list like "0-1,3". */
static int cpus_online(void)
{
	char buf[256], *p = buf, *end;
	unsigned long a, b;
	int n = 0;
	FILE *f;

	f = fopen("/sys/devices/system/cpu/online", "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	while (*p >= '0' && *p <= '9') {
		a = b = strtoul(p, &end, 10);
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		n += b - a + 1;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* The kernel log line holding @what, from @what to its end, or NULL. */
static const char *log_line(const char *what, char *out, size_t size)
{
	const char *p = strstr(log_buf, what);
	size_t len;

	if (!p)
		return NULL;
	len = strcspn(p, "\n");
	if (len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

static void read_log(void)
{
	int n = klogctl(SYSLOG_ACTION_READ_ALL, log_buf, sizeof(log_buf) - 1);

	log_buf[n > 0 ? n : 0] = '\0';
}

/* What hvc0 runs on: DBCN if the kernel found it, else the legacy calls. */
static void say_console(void)
{
	say("guest: console: %s", strstr(log_buf, "SBI DBCN extension detected") ?
	    "SBI DBCN" : "SBI legacy console");
}

/* The first hart's ISA string, as the kernel read it from the device tree. */
static void say_isa(void)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "isa\t", 4)) {
			line[strcspn(line, "\n")] = '\0';
			say("guest: isa %s", line + strcspn(line, ":") + 2);
			break;
		}
	}
	if (f)
		fclose(f);
}

static void banner(void)
{
	char line[256];
	const char *impl;
	struct utsname u;
	unsigned long id;

	if (!uname(&u))
		say("guest: %s %s %s", u.sysname, u.release, u.machine);
	say("guest: %d CPUs online", cpus_online());
	say_isa();

	read_log();
	if (log_line("SBI specification v", line, sizeof(line)))
		say("guest: %s", line);
	else
		say("guest: no SBI specification line in the kernel log");
	if (log_line("SBI implementation ID=", line, sizeof(line))) {
		id = strtoul(line + strlen("SBI implementation ID="), NULL, 16);
		impl = id < ARRAY_SIZE(sbi_impls) ? sbi_impls[id] : "unknown";
		say("guest: %s (%s)", line, impl);
	} else {
		say("guest: no SBI implementation line in the kernel log");
	}
	say_console();
}

static void write_all(const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

/* Raw console output: no \n to \r\n. */
static void raw_console(void)
{
	struct termios t;

	if (!tcgetattr(STDOUT_FILENO, &t)) {
		cfmakeraw(&t);
		tcsetattr(STDOUT_FILENO, TCSANOW, &t);
	}
}

/* The known text, raw, in one write. */
static void dbcn_text(void)
{
	static char text[TEXT_LINES * TEXT_LINE_MAX];
	size_t len = 0;
	unsigned int i;

	klogctl(SYSLOG_ACTION_CONSOLE_OFF, NULL, 0);
	raw_console();
	write_all(TEXT_BEGIN, strlen(TEXT_BEGIN));
	for (i = 0; i < TEXT_LINES; i++)
		len += test_text_line(i, text + len);
	write_all(text, len);
	write_all(TEXT_END, strlen(TEXT_END));
	read_log();
	say_console();
}

/*
 * Console log level 0: not even the kernel's "reboot: Power down" (an
 * emergency message, which SYSLOG_ACTION_CONSOLE_OFF still lets through)
 * follows the tail; its newline would flush a partial line for the VMM.
 */
static void tail_text(void)
{
	char line[TEXT_LINE_MAX];
	unsigned int i;
	FILE *f = fopen("/proc/sys/kernel/printk", "w");

	if (!f || fputs("0\n", f) < 0 || fclose(f))
		say("guest: tail: cannot set the console log level to 0");
	raw_console();
	write_all(TEXT_BEGIN, strlen(TEXT_BEGIN));
	for (i = 0; i < TEXT_LINES; i++)
		write_all(line, test_text_line(i, line));
	write_all(TEXT_END, strlen(TEXT_END));
	write_all(TEXT_TAIL, strlen(TEXT_TAIL));
	reboot(RB_POWER_OFF);
}

static void echo_line(void)
{
	char line[256];

	say("guest: type a line");
	if (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		say("guest: read \"%s\"", line);
	} else {
		say("guest: read nothing");
	}
}

static unsigned long rdtime(void)
{
	unsigned long t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

int main(void)
{
	unsigned long boot_ticks = rdtime();
	const char *mode = getenv("sbitest");
	int how = RB_POWER_OFF;

	mount_fs("devtmpfs", "/dev");
	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");

	if (!mode)
		mode = "banner";
	if (!strcmp(mode, "dbcn")) {
		dbcn_text();
	} else if (!strcmp(mode, "echo")) {
		echo_line();
	} else if (!strcmp(mode, "tail")) {
		tail_text();
	} else if (!strncmp(mode, "bench:", 6)) {
		klogctl(SYSLOG_ACTION_CONSOLE_OFF, NULL, 0);
		bench_run(mode + 6, boot_ticks);
	} else {
		banner();
		if (!strcmp(mode, "reboot"))
			how = RB_AUTOBOOT;
	}
	say("guest: %s", how == RB_POWER_OFF ? "powering off" : "rebooting");
	tcdrain(STDOUT_FILENO);
	sync();
	reboot(how);
	say("guest: reboot: %s", strerror(errno));
	return 1;
}
