// SPDX-License-Identifier: GPL-2.0
/*
 * sbi-bench: the guest-visible cost of one SBI round trip, for `make bench`.
 *
 * Run by the harness init inside the host kernel (stock 6.12 or ours) booted
 * under QEMU with -icount shift=0: every instruction QEMU executes, at any
 * privilege level, advances virtual time by 1 ns, and the guest's time CSR
 * ticks at the timebase (10 MHz on QEMU virt), i.e. once per 100
 * instructions. A round trip measured with rdtime in the guest is therefore
 * an instruction count: everything KVM, the host kernel and (for a
 * forwarded call) this program execute between the guest's ecall and the
 * instruction after it.
 *
 * The VM is built with raw KVM ioctls: one memslot, one vCPU in S-mode with
 * the MMU off, and the guest below, a few dozen instructions of assembly
 * copied into guest RAM. The guest is a loop that serves requests: it asks
 * for the next one with a forwarded SBI call (CTL_EID), reads it from a
 * mailbox in guest RAM (EID, FID, a0, a1, N), makes the call once outside
 * the clock and stores its answer, then times N calls between two rdtime
 * and stores the tick count. The "empty loop" request runs the identical
 * loop with a nop in place of the ecall; the report subtracts it.
 *
 * The remote rows (-R, on a host with two harts) run in a VM of two vCPUs,
 * each vCPU's thread pinned to its own host hart. vCPU 1 runs the partner
 * below, halted in WFI with its software interrupt enabled (sstatus.SIE
 * clear, so no trap): it would wake on an IPI, clear it and halt again.
 * The rows are the own-hart IPI and RFENCE in a VM of two vCPUs (stock
 * 6.12's cost grows with the vCPUs), the RFENCE functions (fence_i,
 * sfence_vma of a page and of everything, sfence_vma_asid) to the halted
 * partner, which KVM records without waking it, and fences of all harts
 * (hart_mask_base -1: the caller's and the partner's). The guest's a2-a4
 * (a range, an ASID) come from the mailbox too, set once before both loops,
 * since SBI preserves them. A partner that runs instead of halting would
 * add its own instructions to every row (the harts share the -icount
 * clock), so there is no "running target" row. There is no row that wakes the
 * partner: with two harts, QEMU's -icount runs them in turns, and whether
 * a woken vCPU runs before or after its waker's next call depends on where
 * the turns fall, so such a row moved by 20-90 % from loop to loop and by
 * up to 18 % when the kernel command line changed. QEMU's -icount clock is
 * shared by the harts, so a remote row counts the instructions of both,
 * and halt polling is off for them (kvm.halt_poll_ns=0): under -icount a
 * polling hart would turn its poll window into instructions of the row.
 *
 * The console rows make DBCN console_write calls of 256 bytes: answered
 * here as a VMM does (one exit per call), or, on a kernel with the console
 * ring, taken by the ring, which a thread of this program empties when
 * KVM says a flush is due, as a VMM's flush thread does.
 *
 * Output, one line each (the harness relays them as "# sbi-bench: ..."):
 *
 *	info key=value ...
 *	result op=<name> rep=<r> n=<N> ticks=<T> ret0=<a0> ret1=<a1>
 *	skip op=<name> reason=<text>
 *	done
 *
 * scripts/bench.py turns them into instructions per round trip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/kvm.h>

#define GUEST_BASE	0x80000000UL
#define GUEST_SIZE	0x200000UL
#define MAILBOX_OFF	0x100000UL

/* Forwarded SBI calls (vendor range, answered here in userspace). */
#define VENDOR_EID	0x09000000UL
#define CTL_EID		(VENDOR_EID + 0x0)	/* guest: "next request" */
#define FWD_EID		(VENDOR_EID + 0x1)	/* the measured forwarded call */
#define FWD_ANSWER	0x5bc0ffeeUL

#define SBI_EXT_LEGACY_SET_TIMER	0x0UL
#define SBI_EXT_BASE			0x10UL
#define SBI_EXT_TIME			0x54494D45UL
#define SBI_EXT_IPI			0x735049UL
#define SBI_EXT_RFENCE			0x52464E43UL
#define SBI_EXT_HSM			0x48534DUL
#define SBI_EXT_DBCN			0x4442434EUL

/* Guest RAM the console rows write from. */
#define CONSOLE_BUF_OFF	0x180000UL
#define CONSOLE_RING_SIZE	(1UL << 20)

/* Mailbox words (u64), shared with the guest code below. */
#define MB_EID		0
#define MB_FID		1
#define MB_A0		2
#define MB_A1		3
#define MB_N		4
#define MB_EMPTY	5
#define MB_TICKS	6
#define MB_RET0		7
#define MB_RET1		8
#define MB_A2		9
#define MB_A3		10
#define MB_A4		11

#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * The guest. s0 = mailbox (a0 at entry). Both timed loops are the same
 * seven instructions; only the ecall/nop differs. SBI preserves every
 * register but a0/a1. The IPI-to-self request leaves the guest's
 * supervisor software interrupt pending (sstatus.SIE is 0, so it is never
 * taken): "csrci sip" clears it before the next request.
 */
asm(
"	.pushsection .text.sbi_bench_guest, \"ax\", @progbits\n"
"	.balign 4\n"
"	.globl sbi_bench_guest_start\n"
"sbi_bench_guest_start:\n"
"	mv	s0, a0\n"
"1:	li	a7, " STR(CTL_EID) "\n"
"	li	a6, 0\n"
"	ecall\n"
"	ld	s1, 8*" STR(MB_EID) "(s0)\n"
"	ld	s2, 8*" STR(MB_FID) "(s0)\n"
"	ld	s3, 8*" STR(MB_A0) "(s0)\n"
"	ld	s4, 8*" STR(MB_A1) "(s0)\n"
"	ld	s5, 8*" STR(MB_N) "(s0)\n"
"	ld	t1, 8*" STR(MB_EMPTY) "(s0)\n"
"	ld	a2, 8*" STR(MB_A2) "(s0)\n"	/* SBI preserves a2-a5 */
"	ld	a3, 8*" STR(MB_A3) "(s0)\n"
"	ld	a4, 8*" STR(MB_A4) "(s0)\n"
"	mv	a0, s3\n"
"	mv	a1, s4\n"
"	mv	a6, s2\n"
"	mv	a7, s1\n"
"	bnez	t1, 2f\n"
"	ecall\n"			/* once, untimed: the answer */
"2:	sd	a0, 8*" STR(MB_RET0) "(s0)\n"
"	sd	a1, 8*" STR(MB_RET1) "(s0)\n"
"	mv	t0, s5\n"
"	bnez	t1, 4f\n"
"	rdtime	s6\n"
"3:	mv	a0, s3\n"
"	mv	a1, s4\n"
"	mv	a6, s2\n"
"	mv	a7, s1\n"
"	ecall\n"
"	addi	t0, t0, -1\n"
"	bnez	t0, 3b\n"
"	rdtime	s7\n"
"	j	6f\n"
"4:	rdtime	s6\n"
"5:	mv	a0, s3\n"
"	mv	a1, s4\n"
"	mv	a6, s2\n"
"	mv	a7, s1\n"
"	nop\n"
"	addi	t0, t0, -1\n"
"	bnez	t0, 5b\n"
"	rdtime	s7\n"
"6:	sub	s7, s7, s6\n"
"	sd	s7, 8*" STR(MB_TICKS) "(s0)\n"
"	csrci	sip, 2\n"
"	j	1b\n"
"	.globl sbi_bench_guest_end\n"
"sbi_bench_guest_end:\n"
"	.popsection\n");

/* The partner vCPU of the remote rows: WFI with sie.SSIE set. */
asm(
"	.pushsection .text.sbi_bench_partner, \"ax\", @progbits\n"
"	.balign 4\n"
"	.globl sbi_bench_partner_start\n"
"sbi_bench_partner_start:\n"
"	csrsi	sie, 2\n"
"1:	wfi\n"
"	csrci	sip, 2\n"
"	j	1b\n"
"	.globl sbi_bench_partner_end\n"
"sbi_bench_partner_end:\n"
"	.popsection\n");

extern const char sbi_bench_guest_start[], sbi_bench_guest_end[];
extern const char sbi_bench_partner_start[], sbi_bench_partner_end[];
#define PARTNER_OFF	0x1000UL

struct op {
	const char *name;
	unsigned long eid, fid, a0, a1, a2, a3, a4;
	bool empty;		/* the nop loop */
	bool null;		/* answered by kvm.sbi_fastpath_null_eid */
	int policy;		/* policy entries to install first (0: none) */
	bool remote;		/* with the partner vCPU (-R only) */
	bool dbcn;		/* DBCN enabled, its writes answered here */
	bool ring;		/* ... or taken by the console ring */
};

/*
 * The floor: an EID the project kernel answers at the earliest point when
 * kvm.sbi_fastpath_null_eid names it (a firmware-range EID nothing uses).
 */
#define NULL_EID	0x0a5a5a5aUL
#define NULL_EID_PARAM	"/sys/module/kvm/parameters/sbi_fastpath_null_eid"
#define HALT_POLL_PARAM	"/sys/module/kvm/parameters/halt_poll_ns"

static bool have_null;

/*
 * What is measured, in report order. The rows with policy entries run in
 * a VM of their own with that many entries installed (install_policy());
 * a kernel without the policy ABI (stock) reports them as skipped, and a
 * kernel without the null EID parameter skips the floor.
 */
#define CALL(n, e, f, x0, x1, pol) \
	{ .name = n, .eid = e, .fid = f, .a0 = x0, .a1 = x1, .policy = pol }

static const struct op ops[] = {
	{ .name = "empty_loop", .empty = true },
	{ .name = "null_floor", .eid = NULL_EID, .null = true },
	CALL("base_get_spec_version",	   SBI_EXT_BASE,   0, 0, 0, 0),
	CALL("base_probe_extension",	   SBI_EXT_BASE,   3, SBI_EXT_TIME, 0, 0),
	CALL("time_set_timer",		   SBI_EXT_TIME,   0, ~0UL, 0, 0),
	CALL("ipi_send_ipi_empty",	   SBI_EXT_IPI,	   0, 0, 0, 0),
	CALL("ipi_send_ipi_self",	   SBI_EXT_IPI,	   0, 1, 0, 0),
	CALL("rfence_remote_fence_i_self", SBI_EXT_RFENCE, 0, 1, 0, 0),
	CALL("hsm_hart_get_status",	   SBI_EXT_HSM,	   2, 0, 0, 0),
	CALL("legacy_set_timer",	   SBI_EXT_LEGACY_SET_TIMER, 0, ~0UL, 0, 0),
	CALL("forward_vendor",		   FWD_EID,	   7, 1, 2, 0),
	CALL("base_policy_1",		   SBI_EXT_BASE,   0, 0, 0, 1),
	CALL("base_policy_16",		   SBI_EXT_BASE,   0, 0, 0, 16),
	CALL("base_policy_256",		   SBI_EXT_BASE,   0, 0, 0, 256),
	CALL("forward_policy_1",	   FWD_EID,	   7, 1, 2, 1),
	CALL("forward_policy_16",	   FWD_EID,	   7, 1, 2, 16),
	CALL("forward_policy_256",	   FWD_EID,	   7, 1, 2, 256),
	/*
	 * Console output: DBCN console_write of 256 bytes (about what Linux's
	 * hvc0 writes per call in the workload table's raw 64 KiB), answered
	 * here as a VMM does (copy and count), or
	 * taken by the console ring, which this program empties at each
	 * request (a kernel without the ring skips that row).
	 */
	{ .name = "dbcn_write_256", .eid = SBI_EXT_DBCN, .fid = 0, .a0 = 256,
	  .a1 = GUEST_BASE + CONSOLE_BUF_OFF, .dbcn = true },
	{ .name = "dbcn_write_256_ring", .eid = SBI_EXT_DBCN, .fid = 0,
	  .a0 = 256, .a1 = GUEST_BASE + CONSOLE_BUF_OFF, .dbcn = true,
	  .ring = true },
	/* -R: hart 1 is the partner, halted in WFI. */
	{ .name = "ipi_send_ipi_self_2vcpus", .eid = SBI_EXT_IPI, .fid = 0,
	  .a0 = 1, .remote = true },
	{ .name = "rfence_remote_fence_i_self_2vcpus", .eid = SBI_EXT_RFENCE,
	  .fid = 0, .a0 = 1, .remote = true },
	{ .name = "rfence_remote_fence_i_remote", .eid = SBI_EXT_RFENCE,
	  .fid = 0, .a0 = 2, .remote = true },
	/* sfence_vma of one page, and of everything (start 0, size 0) */
	{ .name = "rfence_sfence_vma_range_remote", .eid = SBI_EXT_RFENCE,
	  .fid = 1, .a0 = 2, .a2 = 0x10000, .a3 = 0x1000, .remote = true },
	{ .name = "rfence_sfence_vma_all_remote", .eid = SBI_EXT_RFENCE,
	  .fid = 1, .a0 = 2, .remote = true },
	{ .name = "rfence_sfence_vma_asid_remote", .eid = SBI_EXT_RFENCE,
	  .fid = 2, .a0 = 2, .a2 = 0x10000, .a3 = 0x1000, .a4 = 1,
	  .remote = true },
	/* hart_mask_base = -1: every hart, the caller's and the partner's */
	{ .name = "rfence_remote_fence_i_all", .eid = SBI_EXT_RFENCE,
	  .fid = 0, .a0 = 0, .a1 = ~0UL, .remote = true },
	{ .name = "rfence_sfence_vma_range_all", .eid = SBI_EXT_RFENCE,
	  .fid = 1, .a0 = 0, .a1 = ~0UL, .a2 = 0x10000, .a3 = 0x1000,
	  .remote = true },
};
#define NR_OPS	(sizeof(ops) / sizeof(ops[0]))

struct vm {
	int fd, vcpu;
	struct kvm_run *run;
	int run_size;
	int partner;		/* vCPU 1's fd, or -1 */
	struct kvm_run *partner_run;
	void *mem;
	volatile uint64_t *mailbox;
	struct kvm_riscv_sbi_console_ring *ring;	/* or NULL */
	size_t ring_len;
	int ring_fd;
	pthread_t ring_thread;
};

/* Where the console rows' output goes: as a VMM's would, but nowhere. */
static char console_sink[4096];

static int kvm_fd;

static void die(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t reg_id(uint64_t type, uint64_t idx)
{
	return KVM_REG_RISCV | KVM_REG_SIZE_U64 | type | idx;
}

static void set_reg(struct vm *vm, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(vm->vcpu, KVM_SET_ONE_REG, &reg))
		die("KVM_SET_ONE_REG");
}

static uint64_t get_reg(struct vm *vm, uint64_t id)
{
	struct kvm_one_reg reg;
	uint64_t val = 0;

	reg.id = id;
	reg.addr = (uintptr_t)&val;
	if (ioctl(vm->vcpu, KVM_GET_ONE_REG, &reg))
		die("KVM_GET_ONE_REG");
	return val;
}

#define CORE_REG(r)	reg_id(KVM_REG_RISCV_CORE, KVM_REG_RISCV_CORE_REG(regs.r))

static void vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region region;
	size_t code_len = sbi_bench_guest_end - sbi_bench_guest_start;
	void *mem;

	vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	vm->mem = mem;
	if (code_len > PARTNER_OFF)
		die("guest code too long");
	memcpy(mem, sbi_bench_guest_start, code_len);
	vm->partner = -1;
	vm->ring = NULL;
	vm->mailbox = (volatile uint64_t *)((char *)mem + MAILBOX_OFF);
	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = GUEST_BASE,
		.memory_size = GUEST_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");

	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		die("KVM_CREATE_VCPU");
	vm->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run");

	set_reg(vm, CORE_REG(pc), GUEST_BASE);
	set_reg(vm, CORE_REG(a0), GUEST_BASE + MAILBOX_OFF);
}

static void vm_destroy(struct vm *vm)
{
	if (vm->partner >= 0) {
		munmap(vm->partner_run, vm->run_size);
		close(vm->partner);
	}
	if (vm->ring) {
		pthread_cancel(vm->ring_thread);
		pthread_join(vm->ring_thread, NULL);
		munmap(vm->ring, vm->ring_len);
		close(vm->ring_fd);
	}
	munmap(vm->run, vm->run_size);
	close(vm->vcpu);
	close(vm->fd);
	munmap(vm->mem, GUEST_SIZE);
}

/*
 * Install @entries policy entries on @vm, all FORWARD: the measured vendor
 * EID, and firmware-range EIDs (forwardable, never called) for the rest, so
 * that the lookup searches @entries ranges. BASE is never covered (the
 * kernel owns it): its rows measure the policy lookup on the handled path.
 */
static int install_policy(struct vm *vm, int entries)
{
	struct kvm_riscv_sbi_policy_entry *e;
	struct kvm_riscv_sbi_policy policy;
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_POLICY,
		.attr = KVM_RISCV_VM_SBI_POLICY_ADD,
		.addr = (uintptr_t)&policy,
	};
	int i, rc;

	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_RISCV_SBI_POLICY) <= 0) {
		errno = ENOSYS;
		return -1;
	}
	e = calloc(entries, sizeof(*e));
	if (!e)
		die("calloc");
	for (i = 0; i < entries; i++) {
		e[i].eid_base = i ? 0x0a000000UL + 2 * i : FWD_EID;
		e[i].eid_count = 1;
		e[i].action = KVM_RISCV_SBI_POLICY_FORWARD;
	}
	policy = (struct kvm_riscv_sbi_policy) {
		.nr_entries = entries,
		.entries = (uintptr_t)e,
	};
	rc = ioctl(vm->fd, KVM_SET_DEVICE_ATTR, &attr);
	free(e);
	return rc;
}

static void unexpected_exit(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	printf("error: unexpected exit reason %u at pc %#llx",
	       run->exit_reason, (unsigned long long)get_reg(vm, CORE_REG(pc)));
	if (run->exit_reason == KVM_EXIT_RISCV_SBI)
		printf(" (SBI EID %#lx FID %#lx)", run->riscv_sbi.extension_id,
		       run->riscv_sbi.function_id);
	if (run->exit_reason == KVM_EXIT_MMIO)
		printf(" (MMIO at %#llx)", (unsigned long long)run->mmio.phys_addr);
	printf("\n");
	exit(1);
}

/* A forwarded DBCN console_write, answered as a VMM does. */
static void console_write(struct vm *vm, struct kvm_run *run)
{
	unsigned long len = run->riscv_sbi.args[0];
	unsigned long gpa = run->riscv_sbi.args[1];

	if (gpa < GUEST_BASE || len > sizeof(console_sink) ||
	    gpa - GUEST_BASE > GUEST_SIZE - len || run->riscv_sbi.args[2]) {
		run->riscv_sbi.ret[0] = -3;	/* SBI_ERR_INVALID_PARAM */
		return;
	}
	memcpy(console_sink, (char *)vm->mem + (gpa - GUEST_BASE), len);
	run->riscv_sbi.ret[0] = 0;
	run->riscv_sbi.ret[1] = len;
}

/*
 * Empty the console ring as a VMM does after every exit, and from
 * ring_thread() when KVM says a flush is due (this program's answer to one
 * of the ring's console_write takes 256 bytes; 20000 of them do not fit).
 */
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;

static void console_ring_drain(struct vm *vm)
{
	struct kvm_riscv_sbi_console_ring *r = vm->ring;
	const char *data;
	uint32_t head, tail, off, len;

	if (!r)
		return;
	pthread_mutex_lock(&ring_lock);
	data = (const char *)r + r->data_offset;
	head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	for (tail = r->tail; tail != head; tail += len) {
		off = tail & (r->size - 1);
		len = head - tail;
		if (len > r->size - off)
			len = r->size - off;
		if (len > sizeof(console_sink))
			len = sizeof(console_sink);
		memcpy(console_sink, data + off, len);
	}
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ring_lock);
}

/* The VMM's flush thread: drain when the ring's fd says so; -1 stops it. */
static void *ring_thread(void *arg)
{
	struct vm *vm = arg;
	struct pollfd pfd = { .fd = vm->ring_fd, .events = POLLIN };
	uint64_t due;

	while (poll(&pfd, 1, -1) >= 0 || errno == EINTR) {
		if (!(pfd.revents & POLLIN))
			continue;
		if (read(vm->ring_fd, &due, sizeof(due)) != sizeof(due))
			break;
		console_ring_drain(vm);
	}
	return NULL;
}

/* DBCN on, and the console ring if asked: -1 (errno) if KVM lacks it. */
static int console_setup(struct vm *vm, bool ring)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_RISCV_SBI_CONSOLE_RING,
				      .args = { CONSOLE_RING_SIZE } };
	int fd;

	memset((char *)vm->mem + CONSOLE_BUF_OFF, 'x', 4096);
	vm->ring_fd = -1;
	set_reg(vm, reg_id(KVM_REG_RISCV_SBI_EXT, KVM_REG_RISCV_SBI_SINGLE |
			   KVM_RISCV_SBI_EXT_DBCN), 1);
	if (!ring)
		return 0;
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_RISCV_SBI_CONSOLE_RING) <
	    (int)CONSOLE_RING_SIZE) {
		errno = ENOSYS;
		return -1;
	}
	fd = ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
	if (fd < 0)
		return -1;
	vm->ring_len = getpagesize() + CONSOLE_RING_SIZE;
	vm->ring = mmap(NULL, vm->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			fd, 0);
	if (vm->ring == MAP_FAILED)
		die("mmap of the console ring");
	vm->ring_fd = fd;
	if (pthread_create(&vm->ring_thread, NULL, ring_thread, vm))
		die("pthread_create (console ring)");
	return 0;
}

/*
 * Run the vCPU until the guest asks for its next request, answering the
 * measured forwarded calls on the way (the answer goes back in a0/a1).
 */
static void run_to_ctl(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	for (;;) {
		if (ioctl(vm->vcpu, KVM_RUN, 0))
			die("KVM_RUN");
		if (run->exit_reason != KVM_EXIT_RISCV_SBI)
			unexpected_exit(vm);
		console_ring_drain(vm);
		if (run->riscv_sbi.extension_id == FWD_EID) {
			run->riscv_sbi.ret[0] = 0;
			run->riscv_sbi.ret[1] = FWD_ANSWER;
			continue;
		}
		if (run->riscv_sbi.extension_id == SBI_EXT_DBCN &&
		    run->riscv_sbi.function_id == 0) {
			console_write(vm, run);
			continue;
		}
		if (run->riscv_sbi.extension_id == CTL_EID) {
			run->riscv_sbi.ret[0] = 0;
			run->riscv_sbi.ret[1] = 0;
			return;
		}
		unexpected_exit(vm);
	}
}

/* The guest is waiting in its CTL call: one request, n calls. */
static uint64_t measure(struct vm *vm, const struct op *op, unsigned long n,
			uint64_t *ret0, uint64_t *ret1)
{
	volatile uint64_t *mb = vm->mailbox;

	mb[MB_EID] = op->eid;
	mb[MB_FID] = op->fid;
	mb[MB_A0] = op->a0;
	mb[MB_A1] = op->a1;
	mb[MB_A2] = op->a2;
	mb[MB_A3] = op->a3;
	mb[MB_A4] = op->a4;
	mb[MB_N] = n;
	mb[MB_EMPTY] = op->empty;
	mb[MB_TICKS] = mb[MB_RET0] = mb[MB_RET1] = ~0ULL;
	run_to_ctl(vm);
	*ret0 = mb[MB_RET0];
	*ret1 = mb[MB_RET1];
	return mb[MB_TICKS];
}

static void report(const struct op *op, int rep, unsigned long n,
		   uint64_t ticks, uint64_t ret0, uint64_t ret1)
{
	printf("result op=%s rep=%d n=%lu ticks=%llu ret0=%lld ret1=%#llx\n",
	       op->name, rep, n, (unsigned long long)ticks, (long long)ret0,
	       (unsigned long long)ret1);
}

/* Pin the calling thread to host hart @cpu. */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static bool partner_stop;	/* __atomic: the main thread sets it */

static void partner_signal(int sig)
{
	(void)sig;
}

/* vCPU 1's thread: KVM_RUN until partner_stop (woken by SIGUSR1). */
static void *partner_thread(void *arg)
{
	struct vm *vm = arg;

	pin(1);
	while (!__atomic_load_n(&partner_stop, __ATOMIC_ACQUIRE)) {
		if (ioctl(vm->partner, KVM_RUN, 0) && errno != EINTR)
			die("KVM_RUN (partner)");
		if (!__atomic_load_n(&partner_stop, __ATOMIC_ACQUIRE) &&
		    vm->partner_run->exit_reason != KVM_EXIT_INTR) {
			printf("error: partner exit reason %u\n",
			       vm->partner_run->exit_reason);
			exit(1);
		}
	}
	return NULL;
}

/* Add vCPU 1 with the partner code, runnable, and start its thread. */
static void partner_start(struct vm *vm, pthread_t *thread)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct sigaction sa = { .sa_handler = partner_signal };
	struct vm p = *vm;

	memcpy((char *)vm->mem + PARTNER_OFF, sbi_bench_partner_start,
	       sbi_bench_partner_end - sbi_bench_partner_start);
	vm->partner = ioctl(vm->fd, KVM_CREATE_VCPU, 1);
	if (vm->partner < 0)
		die("KVM_CREATE_VCPU 1");
	vm->partner_run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, vm->partner, 0);
	if (vm->partner_run == MAP_FAILED)
		die("mmap kvm_run (partner)");
	p.vcpu = vm->partner;
	set_reg(&p, CORE_REG(pc), GUEST_BASE + PARTNER_OFF);
	if (ioctl(vm->partner, KVM_SET_MP_STATE, &mp))
		die("KVM_SET_MP_STATE");
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: KVM_RUN returns */
	__atomic_store_n(&partner_stop, false, __ATOMIC_RELEASE);
	if (pthread_create(thread, NULL, partner_thread, vm))
		die("pthread_create");
}

/*
 * Stop vCPU 1's thread: the signal takes it out of KVM_RUN, and
 * immediate_exit covers a signal that lands just before it enters.
 */
static void partner_join(struct vm *vm, pthread_t thread)
{
	__atomic_store_n(&vm->partner_run->immediate_exit, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&partner_stop, true, __ATOMIC_RELEASE);
	pthread_kill(thread, SIGUSR1);
	pthread_join(thread, NULL);
}

static bool set_param(const char *path, unsigned long val)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%lu\n", val) > 0;
	return !fclose(f) && ok;
}

/*
 * Measure the operations ops[first..last] in one fresh VM: a warm-up pass
 * (every path and page touched once before the clock runs), then `reps`
 * passes. The passes interleave the operations, so drift would show as
 * spread between repetitions.
 */
static const char *only;	/* -o: measure only this operation */

static bool selected(const struct op *op)
{
	return !only || op->empty || !strcmp(op->name, only);
}

static void bench(size_t first, size_t last, int policy, bool remote,
		  unsigned long n, unsigned long warm, int reps)
{
	uint64_t ticks, r0, r1;
	pthread_t partner;
	struct vm vm;
	size_t i;
	int rep;

	for (i = first; i <= last && !selected(&ops[i]); i++)
		;
	if (i > last)
		return;
	vm_create(&vm);
	if (policy && install_policy(&vm, policy)) {
		for (i = first; i <= last; i++)
			printf("skip op=%s reason=policy ABI not available (%s)\n",
			       ops[i].name, strerror(errno));
		vm_destroy(&vm);
		return;
	}
	if (ops[first].dbcn && console_setup(&vm, ops[first].ring)) {
		printf("skip op=%s reason=no console ring (%s)\n",
		       ops[first].name, strerror(errno));
		vm_destroy(&vm);
		return;
	}
	if (remote)
		partner_start(&vm, &partner);
	run_to_ctl(&vm);	/* the guest's first request */
	for (i = first; i <= last; i++) {
		if (!selected(&ops[i]))
			continue;
		if (ops[i].null && !have_null)
			printf("skip op=%s reason=no kvm.sbi_fastpath_null_eid (stock kernel)\n",
			       ops[i].name);
		else
			measure(&vm, &ops[i], warm, &r0, &r1);
	}
	for (rep = 0; rep < reps; rep++) {
		for (i = first; i <= last; i++) {
			if (!selected(&ops[i]) || (ops[i].null && !have_null))
				continue;
			ticks = measure(&vm, &ops[i], n, &r0, &r1);
			report(&ops[i], rep, n, ticks, r0, r1);
		}
	}
	if (remote)
		partner_join(&vm, partner);
	vm_destroy(&vm);
}

static void usage(void)
{
	size_t i;

	printf("usage: sbi-bench [-R] [-n calls] [-r repetitions] [-w warm-up calls] [-o operation]\n"
	       "-R: the remote rows (two host harts) instead of the others\n"
	       "operations:");
	for (i = 0; i < NR_OPS; i++)
		printf(" %s", ops[i].name);
	printf("\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 20000, warm = 2000;
	bool remote_rows = false;
	int reps = 5, opt;
	struct utsname uts;
	struct vm vm;
	uint64_t freq;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "Rn:r:w:o:")) != -1) {
		switch (opt) {
		case 'R': remote_rows = true; break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'r': reps = atoi(optarg); break;
		case 'w': warm = strtoul(optarg, NULL, 0); break;
		case 'o': only = optarg; break;
		default: usage();
		}
	}
	if (!n || reps < 1 || !warm)
		usage();
	for (i = 0; only && i < NR_OPS && strcmp(ops[i].name, only); i++)
		;
	if (only && i == NR_OPS) {
		printf("sbi-bench: unknown operation '%s'\n", only);
		usage();
	}

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("open /dev/kvm");
	uname(&uts);
	printf("info kernel=%s build=%s\n", uts.release, uts.version);

	/* The guest's timebase, as KVM reports it to the VMM. */
	vm_create(&vm);
	freq = get_reg(&vm, reg_id(KVM_REG_RISCV_TIMER,
				   KVM_REG_RISCV_TIMER_REG(frequency)));
	vm_destroy(&vm);
	printf("info timebase_hz=%llu n=%lu reps=%d warmup=%lu\n",
	       (unsigned long long)freq, n, reps, warm);

	pin(0);
	if (remote_rows) {
		/* The empty loop and the remote rows, in one two-vCPU VM. */
		for (i = 0; i < NR_OPS && !ops[i].remote; i++)
			;
		if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
			for (; i < NR_OPS; i++)
				printf("skip op=%s reason=needs two host harts\n",
				       ops[i].name);
		} else {
			if (!set_param(HALT_POLL_PARAM, 0))
				die(HALT_POLL_PARAM);
			bench(0, 0, 0, false, n, warm, reps);
			bench(i, NR_OPS - 1, 0, true, n, warm, reps);
		}
		printf("done\n");
		return 0;
	}

	/* The calls without policy in one VM; each policy size in its own. */
	have_null = set_param(NULL_EID_PARAM, NULL_EID);
	for (i = 0; i < NR_OPS && !ops[i].policy; i++)
		;
	bench(0, i - 1, 0, false, n, warm, reps);
	for (; i < NR_OPS && !ops[i].remote; i++)
		bench(i, i, ops[i].policy, false, n, warm, reps);	/* and DBCN */
	if (have_null)
		set_param(NULL_EID_PARAM, 0);
	printf("done\n");
	return 0;
}
