// SPDX-License-Identifier: GPL-2.0
/*
 * Test harness init for the host kernel booted under QEMU.
 *
 * It mounts the pseudo filesystems, reads a list of tests, runs each in its
 * own process group with its own timeout, and reports one TAP 13 stream on
 * the console. A test's own output (often nested TAP) is relayed as TAP
 * diagnostics ("# name: ...") so that it can never be mistaken for a result.
 * Then the machine is powered off. scripts/qemu-run.py parses the stream.
 *
 * List format (/etc/harness/tests.list), one test per line:
 *
 *	<name> <timeout-seconds> [VAR=value...] <program> [args...]
 *	<name> <timeout-seconds> @kunit
 *
 * "@kunit" expands to one result per KUnit suite found in debugfs. A program
 * exiting 0 passes, 4 (KSFT_SKIP) is a TAP skip, anything else (including
 * "cannot execute", a signal and the timeout) fails.
 *
 * The kernel passes unknown "name=value" boot parameters to init as
 * environment variables: harness_only=a,b runs only the named tests.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIST_PATH	"/etc/harness/tests.list"
#define KUNIT_DIR	"/sys/kernel/debug/kunit"
#define KSFT_SKIP	4
#define MAX_TESTS	256
#define MAX_ARGS	32
#define LINE_MAX_LEN	1024

struct test {
	char *name;
	int timeout;
	char *argv[MAX_ARGS + 1];
	char *env[MAX_ARGS + 1];	/* VAR=value for the program */
	char *kunit_suite;	/* set for an expanded KUnit suite */
};

enum verdict { PASS, FAIL, SKIP };

static struct test tests[MAX_TESTS];
static int nr_tests;
static int counts[3];

/* One write per line, so the console never splits a TAP line. */
static void say(const char *fmt, ...)
{
	char buf[LINE_MAX_LEN + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static void mount_fs(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) && errno != EBUSY)
		say("# harness: mount %s on %s: %s", type, dir, strerror(errno));
}

static void setup_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static bool selected(const char *name)
{
	const char *only = getenv("harness_only");
	size_t len = strlen(name);
	const char *p;

	if (!only || !*only)
		return true;
	for (p = only; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
	}
	return false;
}

static struct test *new_test(const char *name, int timeout)
{
	struct test *t;

	if (nr_tests == MAX_TESTS) {
		say("# harness: more than %d tests, rest ignored", MAX_TESTS);
		return NULL;
	}
	t = &tests[nr_tests++];
	t->name = strdup(name);
	t->timeout = timeout;
	return t;
}

static int suite_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One test per KUnit suite, in name order so that runs are comparable. */
static void expand_kunit(const char *prefix, int timeout)
{
	char *names[MAX_TESTS];
	char name[LINE_MAX_LEN];
	struct dirent *de;
	int n = 0, i;
	DIR *dir;

	dir = opendir(KUNIT_DIR);
	while (dir && (de = readdir(dir)) && n < MAX_TESTS) {
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	}
	if (dir)
		closedir(dir);
	qsort(names, n, sizeof(names[0]), suite_cmp);
	for (i = 0; i < n; i++) {
		struct test *t;

		snprintf(name, sizeof(name), "%s.%s", prefix, names[i]);
		t = new_test(name, timeout);
		if (t)
			t->kunit_suite = names[i];
	}
	if (!n) {
		struct test *t = new_test(prefix, timeout);

		if (t)
			t->kunit_suite = "";
	}
}

static void parse_line(char *line, int lineno)
{
	char *save, *name, *tmo, *word;
	int argc = 0, nenv = 0;
	struct test *t;
	char *end;
	long timeout;

	name = strtok_r(line, " \t\n", &save);
	if (!name || name[0] == '#')
		return;
	tmo = strtok_r(NULL, " \t\n", &save);
	timeout = tmo ? strtol(tmo, &end, 10) : 0;
	word = strtok_r(NULL, " \t\n", &save);
	if (!tmo || *end || timeout <= 0 || !word) {
		say("# harness: %s:%d: expected <name> <timeout> <program>",
		    LIST_PATH, lineno);
		t = new_test(name, 1);	/* reported as a failure */
		return;
	}
	if (!selected(name))
		return;
	if (!strcmp(word, "@kunit")) {
		expand_kunit(name, timeout);
		return;
	}
	t = new_test(name, timeout);
	/* Words with '=' before the program are its environment. */
	while (t && word && word[0] != '/' && strchr(word, '=') &&
	       nenv < MAX_ARGS) {
		t->env[nenv++] = strdup(word);
		word = strtok_r(NULL, " \t\n", &save);
	}
	while (t && word && argc < MAX_ARGS) {
		t->argv[argc++] = strdup(word);
		word = strtok_r(NULL, " \t\n", &save);
	}
}

static void read_list(void)
{
	char line[LINE_MAX_LEN];
	int lineno = 0;
	FILE *f;

	f = fopen(LIST_PATH, "r");
	if (!f) {
		say("# harness: cannot open %s: %s", LIST_PATH, strerror(errno));
		new_test("harness-list", 1);
		return;
	}
	while (fgets(line, sizeof(line), f))
		parse_line(line, ++lineno);
	fclose(f);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * Relay the child's output line by line as diagnostics. Remember the last
 * line that mentions a skip, for the TAP "# SKIP reason".
 */
struct relay {
	const char *name;
	char buf[LINE_MAX_LEN];
	size_t len;
	char skip_reason[256];
};

static void relay_flush(struct relay *r)
{
	r->buf[r->len] = '\0';
	say("# %s: %s", r->name, r->buf);
	if (strcasestr(r->buf, "skip"))
		snprintf(r->skip_reason, sizeof(r->skip_reason), "%.200s", r->buf);
	r->len = 0;
}

static void relay_bytes(struct relay *r, const char *p, ssize_t n)
{
	for (; n > 0; p++, n--) {
		if (*p == '\n' || r->len == sizeof(r->buf) - 1) {
			relay_flush(r);
			if (*p == '\n')
				continue;
		}
		if (*p != '\r')
			r->buf[r->len++] = *p;
	}
}

static pid_t spawn(struct test *t, int out)
{
	pid_t pid = fork();
	int devnull;

	if (pid)
		return pid;
	setpgid(0, 0);
	devnull = open("/dev/null", O_RDONLY);
	dup2(devnull, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	for (char **env = t->env; *env; env++)
		putenv(*env);
	execv(t->argv[0], t->argv);
	dprintf(STDERR_FILENO, "cannot execute %s: %s\n", t->argv[0],
		strerror(errno));
	_exit(127);
}

static enum verdict run_program(struct test *t, char *why, size_t whylen)
{
	struct relay r = { .name = t->name };
	long deadline = now_ms() + t->timeout * 1000L;
	bool timed_out = false;
	struct pollfd pfd;
	int pipefd[2], status;
	char chunk[512];
	pid_t pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC)) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return FAIL;
	}
	pid = spawn(t, pipefd[1]);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return FAIL;
	}
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	for (;;) {
		long left = deadline - now_ms();

		if (left <= 0 && !timed_out) {
			timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		if (poll(&pfd, 1, timed_out ? 1000 : left) < 0 && errno != EINTR)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(pipefd[0], chunk, sizeof(chunk));
		if (n <= 0)
			break;
		relay_bytes(&r, chunk, n);
	}
	if (r.len)
		relay_flush(&r);
	close(pipefd[0]);
	/* The pipe closed; grandchildren may still hold it, so kill the group. */
	kill(-pid, SIGKILL);
	waitpid(pid, &status, 0);

	if (timed_out) {
		snprintf(why, whylen, "timed out after %ds", t->timeout);
		return FAIL;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, whylen, "killed by signal %d", WTERMSIG(status));
		return FAIL;
	}
	if (WEXITSTATUS(status) == KSFT_SKIP) {
		snprintf(why, whylen, "%s",
			 r.skip_reason[0] ? r.skip_reason : "exit status 4");
		return SKIP;
	}
	if (WEXITSTATUS(status)) {
		snprintf(why, whylen, "exit status %d", WEXITSTATUS(status));
		return FAIL;
	}
	return PASS;
}

/*
 * A suite's debugfs "results" file holds its KTAP; the unindented line
 * "ok N <suite>" or "not ok N <suite>" is its verdict.
 */
static enum verdict run_kunit(struct test *t, char *why, size_t whylen)
{
	char path[LINE_MAX_LEN], line[LINE_MAX_LEN];
	enum verdict v = FAIL;
	bool found = false;
	FILE *f;

	if (!t->kunit_suite[0]) {
		snprintf(why, whylen, "no KUnit suite is built in");
		return SKIP;
	}
	snprintf(path, sizeof(path), KUNIT_DIR "/%s/results", t->kunit_suite);
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, whylen, "%.200s: %s", path, strerror(errno));
		return FAIL;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		say("# %s: %s", t->name, line);
		if (!strncmp(line, "ok ", 3)) {
			found = true;
			v = strstr(line, "# SKIP") ? SKIP : PASS;
		} else if (!strncmp(line, "not ok ", 7)) {
			found = true;
			v = FAIL;
		}
	}
	fclose(f);
	if (!found)
		snprintf(why, whylen, "no verdict line in %.200s", path);
	else if (v == SKIP)
		snprintf(why, whylen, "suite skipped");
	else if (v == FAIL)
		snprintf(why, whylen, "suite failed");
	return v;
}

static void run_one(int num, struct test *t)
{
	char why[300] = "malformed entry in " LIST_PATH;
	enum verdict v = FAIL;
	long start = now_ms();

	say("# harness: start %s", t->name);
	if (t->kunit_suite)
		v = run_kunit(t, why, sizeof(why));
	else if (t->argv[0])
		v = run_program(t, why, sizeof(why));
	counts[v]++;

	if (v == PASS)
		say("ok %d %s # %ld ms", num, t->name, now_ms() - start);
	else if (v == SKIP)
		say("ok %d %s # SKIP %s", num, t->name, why);
	else
		say("not ok %d %s # %s", num, t->name, why);
}

int main(void)
{
	int i;

	mount_fs("devtmpfs", "/dev", "devtmpfs");
	setup_console();
	mount_fs("proc", "/proc", "proc");
	mount_fs("sysfs", "/sys", "sysfs");
	mount_fs("debugfs", "/sys/kernel/debug", "debugfs");
	mount_fs("tmpfs", "/tmp", "tmpfs");
	mount_fs("tmpfs", "/dev/shm", "tmpfs");
	setenv("PATH", "/bin:/usr/bin", 1);
	chdir("/tmp");

	read_list();
	say("TAP version 13");
	say("1..%d", nr_tests);
	for (i = 0; i < nr_tests; i++)
		run_one(i + 1, &tests[i]);
	say("# harness: %d passed, %d failed, %d skipped",
	    counts[PASS], counts[FAIL], counts[SKIP]);
	say("# harness: powering off");

	sync();
	reboot(RB_POWER_OFF);
	say("# harness: power off failed: %s", strerror(errno));
	for (;;)
		pause();
}
