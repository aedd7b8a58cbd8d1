// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-probe: show that /dev/kvm works on the host kernel under QEMU.
 *
 * Checks the KVM API version, creates a VM and a vCPU, and lists the SBI
 * extensions the vCPU has enabled (KVM_REG_RISCV_SBI_EXT ONE_REGs). Exits
 * non-zero if any step fails, so it is a test as well as a demonstration.
 *
 * It also checks the platform (README "Platforms"): SBI_TEST_PLATFORM,
 * "qemu-<major>.<minor>" from scripts/qemu-run.py, says which QEMU the host
 * runs on. From QEMU 8 on the machine has AIA, so the host's ISA line must
 * show Smaia and Ssaia besides Sscofpmf and Sstc, and a new vCPU must have
 * Ssaia, Sscofpmf and Sstc (6.12's KVM offers Sscofpmf only with Ssaia).
 * On QEMU 7.2 the host has Sscofpmf and Sstc and no AIA, so the vCPU has
 * Sstc and neither Ssaia nor Sscofpmf.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

static const char *const sbi_ext_names[KVM_RISCV_SBI_EXT_MAX] = {
	[KVM_RISCV_SBI_EXT_V01] = "v01",
	[KVM_RISCV_SBI_EXT_TIME] = "time",
	[KVM_RISCV_SBI_EXT_IPI] = "ipi",
	[KVM_RISCV_SBI_EXT_RFENCE] = "rfence",
	[KVM_RISCV_SBI_EXT_SRST] = "srst",
	[KVM_RISCV_SBI_EXT_HSM] = "hsm",
	[KVM_RISCV_SBI_EXT_PMU] = "pmu",
	[KVM_RISCV_SBI_EXT_EXPERIMENTAL] = "experimental",
	[KVM_RISCV_SBI_EXT_VENDOR] = "vendor",
	[KVM_RISCV_SBI_EXT_DBCN] = "dbcn",
	[KVM_RISCV_SBI_EXT_STA] = "sta",
	[KVM_RISCV_SBI_EXT_SUSP] = "susp",
	[KVM_RISCV_SBI_EXT_FWFT] = "fwft",
	[KVM_RISCV_SBI_EXT_MPXY] = "mpxy",
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct isa_want {
	const char *name;	/* as /proc/cpuinfo spells it */
	int kvm_id;		/* KVM_RISCV_ISA_EXT_* */
	bool aia_only;		/* on the host only with AIA (QEMU 8 on) */
	bool vcpu;		/* a new vCPU has it (where the host does) */
	bool vcpu_aia;		/* ... only with AIA */
};

static const struct isa_want isa_wants[] = {
	{ "sstc", KVM_RISCV_ISA_EXT_SSTC, false, true, false },
	{ "smaia", -1, true, false, false },
	{ "ssaia", KVM_RISCV_ISA_EXT_SSAIA, true, true, false },
	{ "sscofpmf", KVM_RISCV_ISA_EXT_SSCOFPMF, false, true, true },
};

static char host_isa[1024];

/* What the host kernel made of the CPU, as /proc/cpuinfo shows it. */
static void show_host_isa(void)
{
	char line[sizeof(host_isa)];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "isa", 3)) {
			printf("host %s", line);
			snprintf(host_isa, sizeof(host_isa), "%s",
				 strchr(line, ':') ? strchr(line, ':') + 1 : "");
			break;
		}
	}
	if (f)
		fclose(f);
}

/* Whether the ISA line lists the multi-letter extension @ext. */
static bool host_has(const char *ext)
{
	size_t n = strlen(ext);
	const char *p = host_isa;

	while ((p = strchr(p, '_'))) {
		p++;
		if (!strncmp(p, ext, n) && (p[n] == '_' || p[n] == '\n' ||
					    p[n] == '\0'))
			return true;
	}
	return false;
}

static int vcpu_has(int vcpu, int id)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = {
		.id = KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_ISA_EXT |
		      KVM_REG_RISCV_ISA_SINGLE | id,
		.addr = (uintptr_t)&val,
	};

	if (ioctl(vcpu, KVM_GET_ONE_REG, &reg))
		return 0;
	return !!val;
}

/* The platform checks; returns the number of mismatches. */
static int check_platform(int vcpu)
{
	const char *plat = getenv("SBI_TEST_PLATFORM");
	int major, minor, bad = 0;
	unsigned int i;
	bool aia;

	if (!plat || sscanf(plat, "qemu-%d.%d", &major, &minor) != 2) {
		printf("platform: unknown (SBI_TEST_PLATFORM %s), not checked\n",
		       plat ? plat : "unset");
		return 0;
	}
	aia = major >= 8;
	printf("platform: QEMU %d.%d, %s\n", major, minor,
	       aia ? "AIA (APLIC, IMSIC)" : "PLIC, no AIA");
	for (i = 0; i < ARRAY_SIZE(isa_wants); i++) {
		const struct isa_want *w = &isa_wants[i];
		bool want = aia || !w->aia_only, host = host_has(w->name);
		int guest, want_guest = want && w->vcpu && (aia || !w->vcpu_aia);

		if (host != want) {
			printf("platform: host ISA %s %s, expected %s\n", w->name,
			       host ? "present" : "missing",
			       want ? "present" : "missing");
			bad++;
		}
		if (w->kvm_id < 0)
			continue;
		guest = vcpu_has(vcpu, w->kvm_id);
		printf("platform: vCPU %s %d\n", w->name, guest);
		if (guest != want_guest) {
			printf("platform: vCPU %s expected %d\n", w->name,
			       want_guest);
			bad++;
		}
	}
	return bad;
}

static int fail(const char *what)
{
	printf("%s: %s\n", what, strerror(errno));
	return 1;
}

int main(void)
{
	int kvm, vm, vcpu, api, i, enabled = 0;

	show_host_isa();
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open /dev/kvm");
	api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	printf("KVM API version %d\n", api);
	if (api != KVM_API_VERSION) {
		printf("expected API version %d\n", KVM_API_VERSION);
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	printf("created a VM and vCPU 0; max vCPUs %d\n",
	       ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS));

	printf("SBI extensions enabled on vCPU 0:");
	for (i = 0; i < KVM_RISCV_SBI_EXT_MAX; i++) {
		uint64_t val = 0;
		struct kvm_one_reg reg = {
			.id = KVM_REG_RISCV | KVM_REG_SIZE_U64 |
			      KVM_REG_RISCV_SBI_EXT |
			      KVM_REG_RISCV_SBI_SINGLE | i,
			.addr = (uintptr_t)&val,
		};

		if (ioctl(vcpu, KVM_GET_ONE_REG, &reg) || !val)
			continue;
		printf(" %s", sbi_ext_names[i] ? sbi_ext_names[i] : "?");
		enabled++;
	}
	printf("\n");
	if (!enabled) {
		printf("no SBI extension is enabled\n");
		return 1;
	}
	if (check_platform(vcpu))
		return 1;
	close(vcpu);
	close(vm);
	close(kvm);
	return 0;
}
