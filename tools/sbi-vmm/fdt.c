// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's device tree, written with libfdt's sequential-write API
 * straight into guest RAM at the layout's fdt_addr.
 *
 * The guest runs on the SBI timer and SBI IPIs, and each hart's local
 * interrupt controller ("riscv,cpu-intc") is all it needs; a PLIC is there
 * only for the UART's interrupt (plic.c). What the CPUs are comes from
 * KVM: the timebase frequency from the timer's ONE_REG, the ISA from the
 * config and ISA extension ONE_REGs, the MMU from satp_mode.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "devices.h"
#include "vmm.h"

#define CONFIG_REG(name)	RISCV_REG(KVM_REG_RISCV_CONFIG, 0, \
					  KVM_REG_RISCV_CONFIG_REG(name))
#define TIMER_REG(name)		RISCV_REG(KVM_REG_RISCV_TIMER, 0, \
					  KVM_REG_RISCV_TIMER_REG(name))
#define ISA_EXT_REG(id)		RISCV_REG(KVM_REG_RISCV_ISA_EXT, \
					  KVM_REG_RISCV_ISA_SINGLE, (id))

#define ISA_LEN			1024
#define RNG_SEED_BYTES		64

/* Single-letter extensions in canonical order (the config isa bitmap). */
static const char isa_letters[] = "imafdqlcbkjtpvh";

/* Multi-letter extensions, by KVM ISA extension id. */
static const char *const isa_ext_names[KVM_RISCV_ISA_EXT_MAX] = {
	[KVM_RISCV_ISA_EXT_SVPBMT]	= "svpbmt",
	[KVM_RISCV_ISA_EXT_SSTC]	= "sstc",
	[KVM_RISCV_ISA_EXT_SVINVAL]	= "svinval",
	[KVM_RISCV_ISA_EXT_ZIHINTPAUSE]	= "zihintpause",
	[KVM_RISCV_ISA_EXT_ZICBOM]	= "zicbom",
	[KVM_RISCV_ISA_EXT_ZICBOZ]	= "zicboz",
	[KVM_RISCV_ISA_EXT_ZBB]		= "zbb",
	[KVM_RISCV_ISA_EXT_SSAIA]	= "ssaia",
	[KVM_RISCV_ISA_EXT_SVNAPOT]	= "svnapot",
	[KVM_RISCV_ISA_EXT_ZBA]		= "zba",
	[KVM_RISCV_ISA_EXT_ZBS]		= "zbs",
	[KVM_RISCV_ISA_EXT_ZICNTR]	= "zicntr",
	[KVM_RISCV_ISA_EXT_ZICSR]	= "zicsr",
	[KVM_RISCV_ISA_EXT_ZIFENCEI]	= "zifencei",
	[KVM_RISCV_ISA_EXT_ZIHPM]	= "zihpm",
	[KVM_RISCV_ISA_EXT_SMSTATEEN]	= "smstateen",
	[KVM_RISCV_ISA_EXT_ZICOND]	= "zicond",
	[KVM_RISCV_ISA_EXT_ZBC]		= "zbc",
	[KVM_RISCV_ISA_EXT_ZBKB]	= "zbkb",
	[KVM_RISCV_ISA_EXT_ZBKC]	= "zbkc",
	[KVM_RISCV_ISA_EXT_ZBKX]	= "zbkx",
	[KVM_RISCV_ISA_EXT_ZKND]	= "zknd",
	[KVM_RISCV_ISA_EXT_ZKNE]	= "zkne",
	[KVM_RISCV_ISA_EXT_ZKNH]	= "zknh",
	[KVM_RISCV_ISA_EXT_ZKR]		= "zkr",
	[KVM_RISCV_ISA_EXT_ZKSED]	= "zksed",
	[KVM_RISCV_ISA_EXT_ZKSH]	= "zksh",
	[KVM_RISCV_ISA_EXT_ZKT]		= "zkt",
	[KVM_RISCV_ISA_EXT_ZVBB]	= "zvbb",
	[KVM_RISCV_ISA_EXT_ZVBC]	= "zvbc",
	[KVM_RISCV_ISA_EXT_ZVKB]	= "zvkb",
	[KVM_RISCV_ISA_EXT_ZVKG]	= "zvkg",
	[KVM_RISCV_ISA_EXT_ZVKNED]	= "zvkned",
	[KVM_RISCV_ISA_EXT_ZVKNHA]	= "zvknha",
	[KVM_RISCV_ISA_EXT_ZVKNHB]	= "zvknhb",
	[KVM_RISCV_ISA_EXT_ZVKSED]	= "zvksed",
	[KVM_RISCV_ISA_EXT_ZVKSH]	= "zvksh",
	[KVM_RISCV_ISA_EXT_ZVKT]	= "zvkt",
	[KVM_RISCV_ISA_EXT_ZFH]		= "zfh",
	[KVM_RISCV_ISA_EXT_ZFHMIN]	= "zfhmin",
	[KVM_RISCV_ISA_EXT_ZIHINTNTL]	= "zihintntl",
	[KVM_RISCV_ISA_EXT_ZVFH]	= "zvfh",
	[KVM_RISCV_ISA_EXT_ZVFHMIN]	= "zvfhmin",
	[KVM_RISCV_ISA_EXT_ZFA]		= "zfa",
	[KVM_RISCV_ISA_EXT_ZTSO]	= "ztso",
	[KVM_RISCV_ISA_EXT_ZACAS]	= "zacas",
	[KVM_RISCV_ISA_EXT_SSCOFPMF]	= "sscofpmf",
	[KVM_RISCV_ISA_EXT_ZIMOP]	= "zimop",
	[KVM_RISCV_ISA_EXT_ZCA]		= "zca",
	[KVM_RISCV_ISA_EXT_ZCB]		= "zcb",
	[KVM_RISCV_ISA_EXT_ZCD]		= "zcd",
	[KVM_RISCV_ISA_EXT_ZCF]		= "zcf",
	[KVM_RISCV_ISA_EXT_ZCMOP]	= "zcmop",
	[KVM_RISCV_ISA_EXT_ZAWRS]	= "zawrs",
};

/* satp.MODE values (privileged spec) and their device tree names. */
static const char *const mmu_types[] = {
	[8]	= "riscv,sv39",
	[9]	= "riscv,sv48",
	[10]	= "riscv,sv57",
};

/**
 * struct cpu_desc - what the device tree says about one hart
 * @isa:	"rv64imafdc_zicntr_..." (riscv,isa)
 * @exts:	the same as a string list (riscv,isa-extensions)
 * @exts_len:	bytes in @exts, NULs included
 * @mmu:	riscv,sv39 or wider
 */
struct cpu_desc {
	char isa[ISA_LEN];
	char exts[ISA_LEN];
	size_t exts_len;
	const char *mmu;
};

/**
 * struct fdt_info - what KVM says about the harts
 * @timebase:	the timer's frequency (Hz)
 * @cpus:	one description per vCPU
 */
struct fdt_info {
	uint64_t timebase;
	struct cpu_desc *cpus;
};

static void add_ext(struct cpu_desc *cpu, const char *name, bool letter)
{
	size_t len = strlen(name), isa_len = strlen(cpu->isa);

	if (isa_len + len + 2 > ISA_LEN || cpu->exts_len + len + 1 > ISA_LEN)
		return;
	snprintf(cpu->isa + isa_len, ISA_LEN - isa_len, "%s%s",
		 letter ? "" : "_", name);
	memcpy(cpu->exts + cpu->exts_len, name, len + 1);
	cpu->exts_len += len + 1;
}

static bool has_isa_ext(struct vcpu *vcpu, unsigned int id)
{
	uint64_t val;

	/* --disable-sstc: what KVM cannot disable, the guest is not told of. */
	if (id == KVM_RISCV_ISA_EXT_SSTC && vcpu->vm->cfg->disable_sstc)
		return false;
	/* -ENOENT: the host does not have it. */
	return !vcpu__get_reg(vcpu, ISA_EXT_REG(id), &val) && val;
}

/* Multi-letter extensions: the Z ones, then the rest (canonical order). */
static void add_multi_letter(struct vcpu *vcpu, struct cpu_desc *cpu, bool z)
{
	const char *name;
	unsigned int id;

	for (id = 0; id < KVM_RISCV_ISA_EXT_MAX; id++) {
		name = isa_ext_names[id];
		if (name && (name[0] == 'z') == z && has_isa_ext(vcpu, id))
			add_ext(cpu, name, false);
	}
}

static int describe_cpu(struct vcpu *vcpu, struct cpu_desc *cpu)
{
	char letter[2] = "";
	uint64_t isa, satp_mode;
	const char *p;

	memset(cpu, 0, sizeof(*cpu));
	if (vcpu__get_reg(vcpu, CONFIG_REG(isa), &isa))
		return pr_errno("KVM_GET_ONE_REG(config isa) on vCPU %u",
				vcpu->id);
	if (vcpu__get_reg(vcpu, CONFIG_REG(satp_mode), &satp_mode))
		return pr_errno("KVM_GET_ONE_REG(config satp_mode) on vCPU %u",
				vcpu->id);
	if (satp_mode >= ARRAY_SIZE(mmu_types) || !mmu_types[satp_mode]) {
		pr_err("vCPU %u: unknown satp mode %llu", vcpu->id,
		       (unsigned long long)satp_mode);
		return -1;
	}
	cpu->mmu = mmu_types[satp_mode];
	snprintf(cpu->isa, sizeof(cpu->isa), "rv64");
	for (p = isa_letters; *p; p++) {
		letter[0] = *p;
		if (isa & (1ULL << (*p - 'a')))
			add_ext(cpu, letter, true);
	}
	add_multi_letter(vcpu, cpu, true);
	add_multi_letter(vcpu, cpu, false);
	return 0;
}

static int fdt_cpu(void *fdt, unsigned int id, const struct cpu_desc *cpu)
{
	char name[32];
	int err;

	snprintf(name, sizeof(name), "cpu@%x", id);
	err = fdt_begin_node(fdt, name);
	err = err ?: fdt_property_string(fdt, "device_type", "cpu");
	err = err ?: fdt_property_u32(fdt, "reg", id);
	err = err ?: fdt_property_string(fdt, "status", "okay");
	err = err ?: fdt_property_string(fdt, "compatible", "riscv");
	err = err ?: fdt_property_string(fdt, "riscv,isa", cpu->isa);
	err = err ?: fdt_property_string(fdt, "riscv,isa-base", "rv64i");
	err = err ?: fdt_property(fdt, "riscv,isa-extensions", cpu->exts,
				  cpu->exts_len);
	err = err ?: fdt_property_string(fdt, "mmu-type", cpu->mmu);
	err = err ?: fdt_begin_node(fdt, "interrupt-controller");
	err = err ?: fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
	err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 1);
	err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
	err = err ?: fdt_property_u32(fdt, "phandle", PHANDLE_CPU_INTC(id));
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_end_node(fdt);
	return err;
}

static int fdt_cpus(void *fdt, struct vm *vm, const struct fdt_info *info)
{
	unsigned int i;
	int err;

	err = fdt_begin_node(fdt, "cpus");
	err = err ?: fdt_property_u32(fdt, "#address-cells", 1);
	err = err ?: fdt_property_u32(fdt, "#size-cells", 0);
	err = err ?: fdt_property_u32(fdt, "timebase-frequency",
				      info->timebase);
	for (i = 0; !err && i < vm->nr_vcpus; i++)
		err = fdt_cpu(fdt, i, &info->cpus[i]);
	err = err ?: fdt_end_node(fdt);
	return err;
}

static const char *stdout_path(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_devices; i++) {
		if (vm->devices[i]->stdout_path)
			return vm->devices[i]->stdout_path;
	}
	return NULL;
}

static int fdt_chosen(void *fdt, struct vm *vm, const struct boot_layout *l)
{
	const char *console = stdout_path(vm);
	uint8_t seed[RNG_SEED_BYTES];
	int err;

	err = fdt_begin_node(fdt, "chosen");
	err = err ?: fdt_property_string(fdt, "bootargs", vm->cfg->cmdline);
	if (!err && l->initrd_addr) {
		err = fdt_property_u64(fdt, "linux,initrd-start", l->initrd_addr);
		err = err ?: fdt_property_u64(fdt, "linux,initrd-end",
					      l->initrd_addr + l->initrd_size);
	}
	if (!err && console)
		err = fdt_property_string(fdt, "stdout-path", console);
	/* The guest has no entropy source of its own at boot. */
	if (!err && getrandom(seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		err = fdt_property(fdt, "rng-seed", seed, sizeof(seed));
	err = err ?: fdt_end_node(fdt);
	return err;
}

static int fdt_memory(void *fdt, struct vm *vm)
{
	const fdt64_t reg[] = { cpu_to_fdt64(RAM_BASE),
				cpu_to_fdt64(vm->ram_size) };
	char name[32];
	int err;

	snprintf(name, sizeof(name), "memory@%llx", RAM_BASE);
	err = fdt_begin_node(fdt, name);
	err = err ?: fdt_property_string(fdt, "device_type", "memory");
	err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
	err = err ?: fdt_end_node(fdt);
	return err;
}

static int fdt_soc(void *fdt, struct vm *vm)
{
	unsigned int i;
	int err;

	err = fdt_begin_node(fdt, "soc");
	err = err ?: fdt_property_string(fdt, "compatible", "simple-bus");
	err = err ?: fdt_property_u32(fdt, "#address-cells", 2);
	err = err ?: fdt_property_u32(fdt, "#size-cells", 2);
	err = err ?: fdt_property(fdt, "ranges", NULL, 0);
	for (i = 0; !err && i < vm->nr_devices; i++)
		err = vm->devices[i]->fdt_node(vm, fdt);
	err = err ?: fdt_end_node(fdt);
	return err;
}

static int fdt_root(void *fdt, struct vm *vm, const struct boot_layout *l,
		    const struct fdt_info *info)
{
	int err;

	err = fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_u32(fdt, "#address-cells", 2);
	err = err ?: fdt_property_u32(fdt, "#size-cells", 2);
	err = err ?: fdt_property_string(fdt, "compatible", "linux,dummy-virt");
	err = err ?: fdt_property_string(fdt, "model", VMM_NAME);
	err = err ?: fdt_chosen(fdt, vm, l);
	err = err ?: fdt_memory(fdt, vm);
	err = err ?: fdt_cpus(fdt, vm, info);
	err = err ?: fdt_soc(fdt, vm);
	err = err ?: fdt_end_node(fdt);
	return err;
}

/* Ask KVM what the harts are, before writing anything. */
static int query_kvm(struct vm *vm, struct fdt_info *info)
{
	unsigned int i;

	if (vcpu__get_reg(&vm->vcpus[0], TIMER_REG(frequency), &info->timebase))
		return pr_errno("KVM_GET_ONE_REG(timer frequency)");
	info->cpus = calloc(vm->nr_vcpus, sizeof(*info->cpus));
	if (!info->cpus)
		return pr_errno("calloc");
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (describe_cpu(&vm->vcpus[i], &info->cpus[i]))
			return -1;
	}
	return 0;
}

/**
 * fdt__build() - write the guest's device tree into guest RAM
 * @vm:		the VM, vCPUs and devices created
 * @layout:	where it goes and how much room it has
 *
 * Return: 0, or -1 after saying why.
 */
int fdt__build(struct vm *vm, const struct boot_layout *layout)
{
	void *fdt = vm__guest_ptr(vm, layout->fdt_addr, layout->fdt_max);
	struct fdt_info info = { 0 };
	int err;

	if (!fdt) {
		pr_err("device tree: no room at %#llx",
		       (unsigned long long)layout->fdt_addr);
		return -1;
	}
	if (query_kvm(vm, &info)) {
		free(info.cpus);
		return -1;
	}
	err = fdt_create(fdt, layout->fdt_max);
	err = err ?: fdt_root(fdt, vm, layout, &info);
	err = err ?: fdt_finish(fdt);
	free(info.cpus);
	if (err) {
		pr_err("device tree: %s", fdt_strerror(err));
		return -1;
	}
	return 0;
}
