// SPDX-License-Identifier: GPL-2.0
/*
 * bench-vmm: run a VMM for the workload table of `make bench`, keeping
 * only the guest's own lines of its console output.
 *
 *	bench-vmm PROGRAM [ARGS...]
 *
 * PROGRAM's standard output goes to a file in memory (memfd); once
 * PROGRAM has exited, the lines that start with "guest: " (the workloads'
 * results) are copied to this program's standard output, the rest (the
 * 64 KiB the hvc0 workload writes) are counted and dropped. Standard
 * error is PROGRAM's own. The guest's console then costs the VMM a write
 * to memory: not the host's serial console, whose every byte under QEMU
 * is a trap to the 16550 emulation and would dwarf what the guest's
 * console calls cost, and not a pipe, whose reader another host hart
 * would have to wake for (under -icount, host idle time between such
 * wake-ups is virtual time too: a pipe made the same 64 KiB cost 4 to
 * 90 times more from one run to the next). Exits with PROGRAM's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEEP	"guest: "

int main(int argc, char **argv)
{
	static char buf[65536], line[512];
	unsigned long dropped = 0;
	size_t len = 0, i;
	int fd, status;
	ssize_t n;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-vmm PROGRAM [ARGS...]\n");
		return 2;
	}
	fd = memfd_create("bench-vmm", 0);
	if (fd < 0)
		return perror("bench-vmm: memfd_create"), 1;
	pid = fork();
	if (pid < 0)
		return perror("bench-vmm: fork"), 1;
	if (!pid) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
		execv(argv[1], argv + 1);
		fprintf(stderr, "bench-vmm: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return perror("bench-vmm: waitpid"), 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n; i++) {
			if (len < sizeof(line) - 1)
				line[len++] = buf[i];
			if (buf[i] != '\n')
				continue;
			line[len] = '\0';
			if (!strncmp(line, KEEP, strlen(KEEP)))
				fputs(line, stdout);
			else
				dropped += len;
			len = 0;
		}
	}
	if (len) {
		line[len] = '\0';
		if (!strncmp(line, KEEP, strlen(KEEP)))
			printf("%s\n", line);
		else
			dropped += len;
	}
	printf("bench-vmm: dropped %lu bytes of other console output\n",
	       dropped);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
