// SPDX-License-Identifier: GPL-2.0
/*
 * sbi-vmm: boot a riscv64 Linux guest on KVM with nothing but SBI.
 *
 * The command line follows `lkvm run`. The guest gets RAM, vCPUs, a device
 * tree and a console; timer, IPIs, fences, HSM and reset are KVM's
 * in-kernel SBI, and the console calls KVM forwards are answered here.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbi.h"
#include "vmm.h"

#define DEFAULT_MEM_MIB		256
#define MAX_MEM_MIB		(1ULL << 20)	/* 1 TiB */
#define MAX_CPUS		1024		/* KVM_MAX_VCPUS on riscv */
#define MAX_TIMEOUT		(7 * 24 * 3600)

static const char usage_text[] =
"usage: " VMM_NAME " run-options...\n"
"\n"
"Boot a riscv64 Linux guest on KVM with nothing but SBI: SBI timer and\n"
"IPIs, secondary harts started through SBI HSM, no interrupt controller\n"
"but the UART's.\n"
"\n"
"  -k, --kernel IMAGE     the guest kernel, a RISC-V Image (required)\n"
"  -i, --initrd FILE      an initramfs for the guest\n"
"  -p, --cmdline ARGS     the guest kernel command line (also --params);\n"
"                         given more than once, the pieces are joined with\n"
"                         spaces. Default \"console=hvc0 earlycon=sbi\", or\n"
"                         with --console uart \"console=ttyS0 earlycon\"\n"
"  -c, --cpus N           vCPUs (default 1); vCPU 0 boots, the others start\n"
"                         stopped until the guest starts them (SBI HSM)\n"
"  -m, --mem SIZE         guest RAM in MiB, or with an M or G suffix\n"
"                         (default 256), at 0x80000000\n"
"      --console sbi|uart sbi (default): the guest's hvc0 over the SBI legacy\n"
"                         console and DBCN; uart: an ns16550a at 0x10000000,\n"
"                         its interrupt on a PLIC at 0x0c000000\n"
"  -t, --timeout SECONDS  stop the guest and fail after SECONDS (default 0:\n"
"                         never)\n"
"      --sbi-policy ACTION:EIDS[/FIDS]\n"
"                         have KVM forward, deny or handle these SBI calls\n"
"                         (repeatable; installed before the guest runs).\n"
"                         EIDS: a name (dbcn, pmu, susp, srst, cppc, mpxy,\n"
"                         vendor, experimental, firmware, legacy-console,\n"
"                         ...), N or FIRST-LAST; FIDS only for one EID.\n"
"                         E.g. --sbi-policy forward:vendor --sbi-policy\n"
"                         deny:pmu. Calls the VMM does not implement get\n"
"                         SBI_ERR_NOT_SUPPORTED\n"
"      --disable-sstc     hide Sstc from the guest (off in KVM where KVM can\n"
"                         turn it off, else left out of the device tree):\n"
"                         its timer then runs on SBI set_timer, as on a\n"
"                         host without Sstc\n"
"      --console-ring on|off\n"
"                         on (default): KVM keeps the guest's console output\n"
"                         in a ring and this program empties it, without an\n"
"                         exit per write (on a kernel that has it); off: an\n"
"                         exit per write\n"
"      --stats            when the guest stops, print its SBI calls by\n"
"                         extension and by outcome, from KVM's stats\n"
"      --suspend accept|refuse\n"
"                         answer a forwarded system suspend (SUSP):\n"
"                         accept resumes the guest at once, refuse\n"
"                         (default) returns SBI_ERR_DENIED\n"
"  -h, --help             this text\n"
"\n"
"The guest's console is this program's standard input and output; its own\n"
"messages go to standard error, prefixed \"" VMM_NAME ": \".\n"
"\n"
"Exit status:\n"
"  0  the guest shut down (SBI SRST shutdown or legacy shutdown)\n"
"  1  failure: bad command line, setup failed, the guest crashed the VM,\n"
"     reported a system failure on shutdown, or the timeout expired\n"
"  2  the guest asked for a reboot (SBI SRST cold or warm reboot)\n";

static const struct option options[] = {
	{ "kernel",	required_argument,	NULL, 'k' },
	{ "initrd",	required_argument,	NULL, 'i' },
	{ "cmdline",	required_argument,	NULL, 'p' },
	{ "params",	required_argument,	NULL, 'p' },
	{ "cpus",	required_argument,	NULL, 'c' },
	{ "mem",	required_argument,	NULL, 'm' },
	{ "console",	required_argument,	NULL, 'C' },
	{ "timeout",	required_argument,	NULL, 't' },
	{ "stats",	no_argument,		NULL, 'T' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "sbi-policy",	required_argument,	NULL, 'P' },
	{ "suspend",	required_argument,	NULL, 'S' },
	{ "console-ring", required_argument,	NULL, 'R' },
	{ "disable-sstc", no_argument,		NULL, 'D' },
	{ NULL,		0,			NULL, 0 }
};

/* Guest output written so far goes first; the message has a line of its own. */
static void vlog(const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s" VMM_NAME ": %s%s\n",
		console__end_line() ? "\n" : "", line, suffix);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap, "");
	va_end(ap);
}

void pr_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap, "");
	va_end(ap);
}

int pr_errno(const char *fmt, ...)
{
	const char *name = strerrorname_np(errno);
	char suffix[128];
	va_list ap;

	snprintf(suffix, sizeof(suffix), ": %s (%s)", strerror(errno),
		 name ? name : "?");
	va_start(ap, fmt);
	vlog(fmt, ap, suffix);
	va_end(ap);
	return -1;
}

/* A whole decimal number in [min, max], nothing else. */
static int parse_uint(const char *s, uint64_t min, uint64_t max,
		      uint64_t *val, char **rest)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v < min || v > max)
		return -1;
	if (!rest && *end)
		return -1;
	if (rest)
		*rest = end;
	*val = v;
	return 0;
}

static int parse_mem(const char *arg, uint64_t *bytes)
{
	uint64_t mib;
	char *rest;

	if (parse_uint(arg, 1, MAX_MEM_MIB, &mib, &rest))
		goto bad;
	if ((*rest == 'G' || *rest == 'g') && !rest[1] &&
	    mib <= MAX_MEM_MIB / 1024)
		mib *= 1024;
	else if (*rest && !((*rest == 'M' || *rest == 'm') && !rest[1]))
		goto bad;
	*bytes = mib * SZ_1M;
	return 0;
bad:
	pr_err("--mem '%s': expected a size in MiB (1 to %llu), or with an M or G suffix",
	       arg, MAX_MEM_MIB);
	return -1;
}

/* "--cpus '0': expected a whole number from 1 to 1024" */
static int parse_count(const char *opt, const char *arg, unsigned int min,
		       unsigned int max, const char *what, unsigned int *val)
{
	uint64_t v;

	if (parse_uint(arg, min, max, &v, NULL)) {
		pr_err("%s '%s': expected %s from %u to %u", opt, arg, what,
		       min, max);
		return -1;
	}
	*val = v;
	return 0;
}

static int parse_console(const char *arg, enum console_kind *console)
{
	if (!strcmp(arg, "sbi")) {
		*console = CONSOLE_SBI;
	} else if (!strcmp(arg, "uart")) {
		*console = CONSOLE_UART;
	} else {
		pr_err("--console '%s': expected sbi or uart", arg);
		return -1;
	}
	return 0;
}

/* Each --cmdline adds its words: a caller without a shell can give several. */
static int append_cmdline(const char *arg, const char **cmdline)
{
	char *joined;

	if (!*cmdline) {
		*cmdline = arg;
		return 0;
	}
	if (asprintf(&joined, "%s %s", *cmdline, arg) < 0)
		return pr_errno("--cmdline");
	*cmdline = joined;
	return 0;
}

static int parse_suspend(const char *arg, bool *accept)
{
	if (strcmp(arg, "accept") && strcmp(arg, "refuse")) {
		pr_err("--suspend '%s': want accept or refuse", arg);
		return -1;
	}
	*accept = !strcmp(arg, "accept");
	return 0;
}

static int parse_on_off(const char *opt, const char *arg, bool *on)
{
	if (strcmp(arg, "on") && strcmp(arg, "off")) {
		pr_err("%s '%s': want on or off", opt, arg);
		return -1;
	}
	*on = !strcmp(arg, "on");
	return 0;
}

static int parse_option(int opt, const char *arg, struct vmm_config *cfg)
{
	switch (opt) {
	case 'k':
		cfg->kernel = arg;
		return 0;
	case 'i':
		cfg->initrd = arg;
		return 0;
	case 'p':	return append_cmdline(arg, &cfg->cmdline);
	case 'c':	return parse_count("--cpus", arg, 1, MAX_CPUS,
					   "a whole number", &cfg->nr_cpus);
	case 'm':	return parse_mem(arg, &cfg->ram_size);
	case 'C':	return parse_console(arg, &cfg->console);
	case 't':	return parse_count("--timeout", arg, 0, MAX_TIMEOUT,
					   "whole seconds", &cfg->timeout);
	case 'P':	return policy__parse(arg, cfg);
	case 'S':	return parse_suspend(arg, &cfg->suspend_accept);
	case 'R':	return parse_on_off("--console-ring", arg,
					    &cfg->console_ring);
	case 'T':
		cfg->stats = true;
		return 0;
	case 'D':
		cfg->disable_sstc = true;
		return 0;
	}
	return -1;
}

/* Returns 0 to go on, 1 when --help was shown, -1 after an error. */
static int parse_args(int argc, char **argv, struct vmm_config *cfg)
{
	int opt;

	*cfg = (struct vmm_config) {
		.nr_cpus	= 1,
		.ram_size	= DEFAULT_MEM_MIB * SZ_1M,
		.console	= CONSOLE_SBI,
		.console_ring	= true,
	};
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":k:i:p:c:m:t:h", options,
				  NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage_text, stdout);
			return 1;
		}
		if (opt == ':') {
			pr_err("option '%s' needs a value", argv[optind - 1]);
			return -1;
		}
		if (opt == '?') {
			pr_err("unknown option '%s' (see --help)",
			       argv[optind - 1]);
			return -1;
		}
		if (parse_option(opt, optarg, cfg))
			return -1;
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (!cfg->kernel) {
		pr_err("no kernel: give --kernel IMAGE (see --help)");
		return -1;
	}
	if (!cfg->cmdline)
		cfg->cmdline = cfg->console == CONSOLE_UART ?
			       "console=ttyS0 earlycon" :
			       "console=hvc0 earlycon=sbi";
	return 0;
}

int main(int argc, char **argv)
{
	struct boot_layout layout;
	struct vmm_config cfg;
	struct vm vm;
	int ret;

	ret = parse_args(argc, argv, &cfg);
	if (ret)
		return ret > 0 ? 0 : VMM_FAILED;
	if (loader__plan(&cfg, &layout))
		return VMM_FAILED;
	if (vm__create(&vm, &cfg))
		return VMM_FAILED;
	if (loader__load(&vm, &layout) || fdt__build(&vm, &layout))
		return VMM_FAILED;
	if (vcpu__set_boot_regs(&vm.vcpus[0], layout.kernel_addr,
				layout.fdt_addr))
		return VMM_FAILED;
	pr_info("booting %s: %u vCPU%s, %" PRIu64 " MiB, %s console",
		cfg.kernel, cfg.nr_cpus, cfg.nr_cpus == 1 ? "" : "s",
		cfg.ram_size / SZ_1M,
		cfg.console == CONSOLE_UART ? "uart" : "sbi");
	console__init();
	ret = vm__run(&vm);
	if (cfg.stats)
		stats__print(&vm);
	return ret;
}
