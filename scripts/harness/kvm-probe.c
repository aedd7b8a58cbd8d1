// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-probe: show that /dev/kvm works on the host kernel under QEMU.
 *
 * Checks the KVM API version, creates a VM and a vCPU, and lists the SBI
 * extensions the vCPU has enabled (KVM_REG_RISCV_SBI_EXT ONE_REGs). Exits
 * non-zero if any step fails, so it is a test as well as a demonstration.
 */
#include <errno.h>
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
};

/* What the host kernel made of the CPU, as /proc/cpuinfo shows it. */
static void show_host_isa(void)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "isa", 3)) {
			printf("host %s", line);
			break;
		}
	}
	if (f)
		fclose(f);
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
	close(vcpu);
	close(vm);
	close(kvm);
	return 0;
}
