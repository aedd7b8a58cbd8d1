// SPDX-License-Identifier: GPL-2.0
/*
 * kmemleak-check: host memory the tests leaked, on the debug kernel.
 *
 *   kmemleak-check clear   forget what is allocated now (boot, earlier runs)
 *   kmemleak-check scan    scan (twice: an object in flight during the
 *                          first scan is not reported) and fail on any leak
 *                          kmemleak reports, printing each
 *
 * The debug stage runs "clear" first and "scan" last, so that any object
 * the KVM paths the tests drive allocated and lost is a failure. Exit
 * status 4 (a TAP skip) if the kernel has no kmemleak.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define SKIP		4

static int command(const char *cmd)
{
	FILE *f = fopen(KMEMLEAK, "w");

	if (!f || fputs(cmd, f) < 0 || fclose(f)) {
		printf("kmemleak-check: %s > %s: %s\n", cmd, KMEMLEAK,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int report(void)
{
	char line[512];
	int leaks = 0;
	FILE *f = fopen(KMEMLEAK, "r");

	if (!f) {
		printf("kmemleak-check: %s: %s\n", KMEMLEAK, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "unreferenced object", 19))
			leaks++;
		if (leaks <= 10)
			fputs(line, stdout);
	}
	fclose(f);
	printf("kmemleak-check: %d unreferenced object%s\n", leaks,
	       leaks == 1 ? "" : "s");
	return leaks;
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "clear") && strcmp(argv[1], "scan"))) {
		printf("usage: kmemleak-check clear|scan\n");
		return 2;
	}
	if (access(KMEMLEAK, F_OK)) {
		printf("kmemleak-check: no %s (kernel without kmemleak)\n", KMEMLEAK);
		return SKIP;
	}
	if (!strcmp(argv[1], "clear"))
		return command("clear") ? 1 : 0;
	if (command("scan") || (sleep(1), command("scan")))
		return 1;
	return report() ? 1 : 0;
}
