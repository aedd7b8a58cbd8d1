// SPDX-License-Identifier: GPL-2.0
/*
 * The workloads of `make bench`'s workload table, run by the Linux guest's
 * /init with "sbitest=bench:NAME,NAME,...". Each is timed with rdtime,
 * which under QEMU's -icount shift=0 ticks once per 100 instructions of
 * the whole machine, and counted with the guest's SBI PMU firmware
 * counters on both CPUs (the SBI calls KVM counts: set_timer, send_ipi,
 * remote fences), read before and after:
 *
 *   ipi	a byte sent back and forth through two pipes between two
 *		threads pinned to CPU 0 and CPU 1 (each wake-up of the
 *		other, halted CPU is an SBI IPI)
 *   munmap	mmap, touch and munmap of a page on CPU 0 while a thread
 *		of the process that ran on CPU 1 keeps the address space
 *		live there (each munmap fences CPU 1 through SBI)
 *   sleep	a 50 us clock_nanosleep(); with the guest timer on SBI
 *		(sbi-vmm --disable-sstc), each is one or more set_timer
 *   hvc0	64 KiB to the console (hvc0 over DBCN), per KiB
 *
 * each REPS times after a warm-up,
 * and "boot": the time from the VM's creation (when KVM starts the
 * guest's time at 0) to /init. One line per workload:
 *
 *   guest: bench op=NAME rep=R n=N ticks=T sbi=S set_timer=.. ipi=.. ...
 *
 * S is the SBI calls the counters saw over the N operations (-1 without
 * the counters); DBCN calls are not among the firmware events, so the
 * hvc0 row's come from the VMM (sbi-vmm --stats).
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* SBI PMU firmware events KVM counts (SBI spec, PMU chapter). */
static const struct {
	const char *name;
	unsigned int code;
} fw_events[] = {
	{ "set_timer", 5 },
	{ "ipi", 6 },			/* IPI_SENT */
	{ "fence_i", 8 },		/* FENCE_I_SENT */
	{ "sfence_vma", 18 },		/* HFENCE_VVMA_SENT: KVM's name */
	{ "sfence_vma_asid", 20 },	/* HFENCE_VVMA_ASID_SENT */
};

#define NR_FW		(sizeof(fw_events) / sizeof(fw_events[0]))
#define NR_CPUS		2
#define REPS		5

static int fw_fd[NR_FW][NR_CPUS];
static bool have_fw;

static unsigned long rdtime(void)
{
	unsigned long t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Open the counters: raw events with bits 63:62 = 2 are SBI firmware ones. */
static void fw_open(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_RAW,
		.size = sizeof(attr),
	};
	unsigned int e, c;

	have_fw = true;
	for (e = 0; e < NR_FW; e++) {
		for (c = 0; c < NR_CPUS; c++) {
			attr.config = (2ULL << 62) | fw_events[e].code;
			fw_fd[e][c] = syscall(SYS_perf_event_open, &attr, -1, c,
					      -1, 0);
			if (fw_fd[e][c] < 0) {
				printf("guest: bench: no SBI firmware counter %s on CPU %u: %s\n",
				       fw_events[e].name, c, strerror(errno));
				have_fw = false;
				return;
			}
		}
	}
}

static void fw_read(uint64_t v[NR_FW])
{
	unsigned int e, c;
	uint64_t x;

	for (e = 0; e < NR_FW; e++) {
		v[e] = 0;
		for (c = 0; have_fw && c < NR_CPUS; c++) {
			if (read(fw_fd[e][c], &x, sizeof(x)) == sizeof(x))
				v[e] += x;
		}
	}
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		printf("guest: bench: cannot pin to CPU %d: %s\n", cpu,
		       strerror(errno));
}

struct timing {
	unsigned long t0;
	uint64_t fw0[NR_FW];
};

static void start(struct timing *t)
{
	fw_read(t->fw0);
	t->t0 = rdtime();
}

static void report(const char *op, int rep, unsigned long n,
		   const struct timing *t)
{
	unsigned long ticks = rdtime() - t->t0;
	uint64_t fw[NR_FW], total = 0;
	char detail[256];
	size_t len = 0;
	unsigned int e;

	fw_read(fw);
	for (e = 0; e < NR_FW; e++) {
		total += fw[e] - t->fw0[e];
		len += snprintf(detail + len, sizeof(detail) - len, " %s=%llu",
				fw_events[e].name,
				(unsigned long long)(fw[e] - t->fw0[e]));
	}
	printf("guest: bench op=%s rep=%d n=%lu ticks=%lu sbi=%lld%s\n", op, rep,
	       n, ticks, have_fw ? (long long)total : -1LL,
	       have_fw ? detail : "");
	fflush(stdout);
}

/* --- ipi: pipe ping-pong between CPU 0 and CPU 1 --- */

static int ping[2], pong[2];

static void *pong_thread(void *arg)
{
	char c;

	(void)arg;
	pin(1);
	while (read(ping[0], &c, 1) == 1 && c)
		if (write(pong[1], &c, 1) != 1)
			break;
	return NULL;
}

static void ping_pong(unsigned long n)
{
	char c = 1;

	while (n--) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			break;
	}
}

static void bench_ipi(unsigned long n)
{
	struct timing t;
	pthread_t thr;
	char stop = 0;
	int rep;

	if (pipe(ping) || pipe(pong))
		return;
	pthread_create(&thr, NULL, pong_thread, NULL);
	ping_pong(n / 10);
	for (rep = 0; rep < REPS; rep++) {
		start(&t);
		ping_pong(n);
		report("ipi", rep, n, &t);
	}
	if (write(ping[1], &stop, 1) == 1)
		pthread_join(thr, NULL);
	close(ping[0]);
	close(ping[1]);
	close(pong[0]);
	close(pong[1]);
}

/* --- munmap: a page mapped, touched and unmapped, CPU 1 in the mm --- */

static int park[2];

static void *park_thread(void *arg)
{
	char c;

	(void)arg;
	pin(1);
	/* Has run on CPU 1 in this mm; now sleeps there, CPU 1 idle. */
	if (read(park[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void map_touch_unmap(unsigned long n)
{
	volatile char *p;

	while (n--) {
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return;
		*p = 1;
		munmap((void *)p, 4096);
	}
}

static void bench_munmap(unsigned long n)
{
	struct timing t;
	pthread_t thr;
	char c = 0;
	int rep;

	if (pipe(park))
		return;
	pthread_create(&thr, NULL, park_thread, NULL);
	usleep(10000);		/* the thread has run on CPU 1 */
	map_touch_unmap(n / 10);
	for (rep = 0; rep < REPS; rep++) {
		start(&t);
		map_touch_unmap(n);
		report("munmap", rep, n, &t);
	}
	if (write(park[1], &c, 1) == 1)
		pthread_join(thr, NULL);
	close(park[0]);
	close(park[1]);
}

/* --- sleep: 50 us --- */

static void sleeps(unsigned long n)
{
	const struct timespec ts = { .tv_nsec = 50000 };

	while (n--)
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
}

static void bench_sleep(unsigned long n)
{
	struct timing t;
	int rep;

	sleeps(n / 10);
	for (rep = 0; rep < REPS; rep++) {
		start(&t);
		sleeps(n);
		report("sleep", rep, n, &t);
	}
}

/* --- hvc0: 64 KiB in lines of 64 bytes, per KiB --- */

static void console_out(unsigned long kib)
{
	char buf[1024];
	unsigned long i;
	ssize_t n;
	size_t off;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i % 64 == 63 ? '\n' : 'a' + i % 26;
	while (kib--) {
		for (off = 0; off < sizeof(buf); off += n) {
			n = write(STDOUT_FILENO, buf + off, sizeof(buf) - off);
			if (n <= 0)
				return;
		}
	}
	tcdrain(STDOUT_FILENO);
}

/*
 * hvc0's kernel thread, khvcd, sends what a write left over (Linux's DBCN
 * write stops at a page boundary): pinned to the writer's CPU, so that the
 * row measures the console path and not when QEMU's -icount turns let the
 * other vCPU run it (unpinned, 64 KiB cost 1 to 40 times the pinned
 * figure from run to run, on both kernels).
 */
static void pin_khvcd(void)
{
	char path[64], comm[32];
	cpu_set_t set;
	FILE *f;
	int pid;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	for (pid = 2; pid < 1000; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "khvcd\n") &&
		    sched_setaffinity(pid, sizeof(set), &set))
			printf("guest: bench: cannot pin khvcd: %s\n",
			       strerror(errno));
		fclose(f);
	}
}

static void bench_hvc0(unsigned long kib)
{
	struct termios tio;
	struct timing t;
	int rep;

	pin_khvcd();
	/* Raw: each byte goes out as written (no \n to \r\n). */
	if (!tcgetattr(STDOUT_FILENO, &tio)) {
		cfmakeraw(&tio);
		tcsetattr(STDOUT_FILENO, TCSANOW, &tio);
	}
	console_out(1);
	for (rep = 0; rep < REPS; rep++) {
		start(&t);
		console_out(kib);
		report("hvc0", rep, kib, &t);
	}
}

/**
 * bench_run() - run the workloads named in @list
 * @list:	comma-separated names, as after "bench:"
 * @boot_ticks:	rdtime at the start of /init
 */
void bench_run(const char *list, unsigned long boot_ticks)
{
	char *names = strdup(list), *name, *save = NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("guest: bench op=boot rep=0 n=1 ticks=%lu sbi=-1\n", boot_ticks);
	fw_open();
	pin(0);
	for (name = strtok_r(names, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "ipi"))
			bench_ipi(1000);
		else if (!strcmp(name, "munmap"))
			bench_munmap(1000);
		else if (!strcmp(name, "sleep"))
			bench_sleep(200);
		else if (!strcmp(name, "hvc0"))
			bench_hvc0(64);
		else
			printf("guest: bench: unknown workload '%s'\n", name);
	}
	free(names);
}
