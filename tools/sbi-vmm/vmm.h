/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sbi-vmm: a VMM that boots riscv64 Linux guests on SBI alone.
 *
 * The VM, its vCPUs and memory, the boot layout, and the small services the
 * rest of the program shares (logging, guest memory, ONE_REG access).
 * Public functions are named subsystem__verb(); statics are plain.
 */
#ifndef SBI_VMM_H
#define SBI_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#define VMM_NAME	"sbi-vmm"

/* Guest RAM starts where the RISC-V virt machines have it. */
#define RAM_BASE	0x80000000ULL

#define SZ_4K		((uint64_t)0x1000)
#define SZ_2M		((uint64_t)0x200000)
#define SZ_1M		((uint64_t)0x100000)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

/* @x rounded up to a multiple of @align, a power of two. */
static inline uint64_t align_up(uint64_t x, uint64_t align)
{
	return (x + align - 1) & ~(align - 1);
}

/* The VMM's exit status; --help documents them. */
enum vmm_status {
	VMM_SHUTDOWN	= 0,	/* the guest powered off */
	VMM_FAILED	= 1,	/* bad usage, setup failure, timeout, crash */
	VMM_RESET	= 2,	/* the guest asked for a reboot */
};

enum console_kind {
	CONSOLE_SBI,		/* hvc0: legacy putchar/getchar and DBCN */
	CONSOLE_UART,		/* an ns16550a at UART_BASE, polled */
};

/**
 * struct vmm_config - what the command line asked for
 * @kernel:	path of the guest's RISC-V Image
 * @initrd:	path of the initramfs, or NULL
 * @cmdline:	the guest kernel command line
 * @nr_cpus:	vCPUs; vCPU 0 boots, the others wait for HSM hart_start
 * @ram_size:	bytes of guest RAM at RAM_BASE
 * @console:	which console device the guest gets
 * @timeout:	seconds before the VMM stops the guest and fails, 0 = never
 *
 * @policy:	SBI policy entries (--sbi-policy), installed before any vCPU
 *		runs (policy.c)
 * @nr_policy:	number of entries in @policy
 * @suspend_accept: answer a forwarded SBI system suspend with success
 * @stats: print the guest's SBI calls from KVM's stats when it stops
 * @console_ring: have KVM put console output in a ring (console_ring.c)
 * @disable_sstc: hide Sstc from the guest (--disable-sstc)
 */
#define MAX_POLICY_ENTRIES	64

struct vm;

struct vmm_config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	unsigned int nr_cpus;
	uint64_t ram_size;
	enum console_kind console;
	unsigned int timeout;
	struct kvm_riscv_sbi_policy_entry policy[MAX_POLICY_ENTRIES];
	unsigned int nr_policy;
	bool suspend_accept;
	bool stats;
	bool console_ring;
	bool disable_sstc;
};

int policy__parse(const char *arg, struct vmm_config *cfg);
int policy__install(struct vm *vm);

/**
 * struct boot_layout - where the loader puts things in guest memory
 * @kernel_addr:	load address: RAM_BASE + the Image's text_offset
 * @kernel_file:	bytes of the Image file
 * @kernel_span:	bytes the kernel occupies once running (image_size)
 * @initrd_addr:	2 MiB aligned above the kernel; 0 without an initrd
 * @initrd_size:	bytes of the initrd file
 * @fdt_addr:		2 MiB aligned above the initrd (or kernel)
 * @fdt_max:		bytes reserved for the device tree
 * @ram_needed:		RAM from RAM_BASE to the end of the device tree
 */
struct boot_layout {
	uint64_t kernel_addr;
	uint64_t kernel_file;
	uint64_t kernel_span;
	uint64_t initrd_addr;
	uint64_t initrd_size;
	uint64_t fdt_addr;
	uint64_t fdt_max;
	uint64_t ram_needed;
};

struct vm;

/**
 * struct vcpu - one vCPU and the thread that runs it
 * @vm:		the VM
 * @id:		vCPU id, which is also the guest's hart id
 * @fd:		the vCPU file descriptor
 * @run:	the shared kvm_run page
 * @thread:	the thread calling KVM_RUN
 * @stats_fd:	its binary stats (KVM_GET_STATS_FD), with --stats; else -1
 */
struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	int stats_fd;
};

#define MAX_MMIO_REGIONS	8
#define MAX_DEVICES		8

struct mmio_region;
struct vmm_device;
struct plic;

/**
 * struct vm - the virtual machine
 * @cfg:		the command line
 * @kvm_fd:		/dev/kvm
 * @fd:			the VM file descriptor
 * @ram:		host mapping of guest RAM
 * @ram_size:		bytes of guest RAM, at RAM_BASE
 * @vcpus:		@nr_vcpus vCPUs
 * @nr_vcpus:		how many
 * @mmio:		MMIO regions, sorted by base (mmio.c)
 * @nr_mmio:		how many
 * @devices:		devices that attached (devices.c)
 * @nr_devices:		how many
 * @plic:		the interrupt controller, NULL without one (plic.c)
 * @lock:		protects @stopped and @status
 * @stopped:		a vCPU or the main thread decided how the VM ends
 * @status:		that decision, an enum vmm_status
 */
struct vm {
	const struct vmm_config *cfg;
	int kvm_fd;
	int fd;
	uint8_t *ram;
	uint64_t ram_size;
	struct vcpu *vcpus;
	unsigned int nr_vcpus;
	struct mmio_region *mmio[MAX_MMIO_REGIONS];
	unsigned int nr_mmio;
	const struct vmm_device *devices[MAX_DEVICES];
	unsigned int nr_devices;
	struct plic *plic;
	pthread_mutex_t lock;
	bool stopped;
	int status;
};

/* Messages: the VMM's own go to stderr, one line each, prefixed. */
__printf(1, 2) void pr_err(const char *fmt, ...);
__printf(1, 2) void pr_info(const char *fmt, ...);
/* "<what>: <strerror> (<ERRNO>)" for the current errno; returns -1. */
__printf(1, 2) int pr_errno(const char *fmt, ...);

/* loader.c */
int loader__plan(const struct vmm_config *cfg, struct boot_layout *layout);
int loader__load(struct vm *vm, const struct boot_layout *layout);

/* fdt.c */
int fdt__build(struct vm *vm, const struct boot_layout *layout);

/* vm.c */
int vm__create(struct vm *vm, const struct vmm_config *cfg);
void *vm__guest_ptr(struct vm *vm, uint64_t gpa, uint64_t len);
int vm__run(struct vm *vm);
void vm__stop(struct vm *vm, int status);

/* vcpu.c */
int vcpu__create(struct vm *vm, struct vcpu *vcpu, unsigned int id);
int stats__open(struct vcpu *vcpu);
void stats__print(const struct vm *vm);
int vcpu__set_boot_regs(struct vcpu *vcpu, uint64_t pc, uint64_t fdt);
int vcpu__get_reg(struct vcpu *vcpu, uint64_t id, uint64_t *val);
int vcpu__set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val);
void *vcpu__thread(void *arg);

/* ONE_REG ids: every register the VMM uses is XLEN = 64 bits wide. */
#define RISCV_REG(type, sub, idx) \
	(KVM_REG_RISCV | KVM_REG_SIZE_U64 | (type) | (sub) | (idx))

/* csr.c */
void csr__handle_exit(struct vcpu *vcpu);

/* console.c: the host terminal */
void console__init(void);
void console__write(const void *buf, size_t len);
size_t console__read(void *buf, size_t len);
bool console__has_input(void);
bool console__input_pending(void);
void console__flush(void);
bool console__end_line(void);
int console__watch_input(void (*fn)(void *arg), void *arg);

/* console_ring.c: KVM's console ring */
int console_ring__init(struct vm *vm);
void console_ring__drain(void);
bool console_ring__stats(uint64_t *calls, uint64_t *full, uint64_t *reads);
void console_ring__input_taken(void);

#endif /* SBI_VMM_H */
