// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_fuzz - seeded random SBI calls from hostile guests.
 *
 * One VM after the other, each of 2-4 vCPUs, issues random ecalls: every
 * standard EID and the legacy ones, the experimental, vendor and firmware
 * ranges and their edges, unknown and huge EIDs; FIDs in and out of range;
 * arguments that are random, guest RAM edges, page-crossing, just outside
 * RAM, MMIO, 0, -1, misaligned; hart masks with odd bases; PMU counter
 * ranges that wrap; shared-memory addresses misaligned, unmapped, outside
 * RAM. Some vCPUs run with the MMU on (the library's Sv48 tables, plus a
 * scratch region with pages left out of them, so that the guest-memory
 * helper takes VS-stage faults), some with the MMU off (satp = 0), and
 * harts started by HSM or resumed from a suspend run with it off too.
 *
 * The guest is one position-independent loop (fuzz_stub below) that runs
 * the same at its virtual and its physical address: it arms a timer 10 ms
 * ahead (stimecmp, so that a suspended hart wakes), asks its host
 * thread for a batch of calls with a private experimental ecall, makes
 * them one by one, stores a0-a7 after each (and the cause, if a fault was
 * redirected into it), and asks again. SSE events are registered with the
 * stub's handler (fuzz_sse_entry, also mapped at VA = PA), which completes
 * at once: an event may fire between any two instructions of the loop,
 * nested by priority, and complete must resume it exactly. The host thread, the VMM side,
 * generates the batches from a stream seeded by (seed, VM, vCPU), checks
 * the results, answers forwarded calls with random completions, sometimes
 * sets immediate_exit or changes kvm_run before re-entering, and is sent
 * signals. Some VMs get a random SBI policy and random ONE_REG extension
 * settings. A call that ends the VM (SRST, the legacy shutdown, the last
 * hart stopped, a forwarded system suspend the VMM ends) ends it, and the
 * next VM starts.
 *
 * The oracle: an answer is a spec error code (0..-14; a legacy call 1 at
 * most), or exactly what the VMM answered for a forwarded call; a0-a7 are
 * preserved except a0/a1 (a0 only, for a legacy call); a forwarded call
 * reaches the VMM with the guest's EID, FID and arguments; a fault
 * redirected into the guest is a load fault at the ecall of a call that
 * reads guest memory; KVM_RUN fails with nothing but EINTR; every exit is
 * one a VMM expects. The host's own splats and hangs are judged on the
 * console (scripts/qemu-run.py).
 *
 *   sbi_fuzz [-s SEED] [-n CALLS] [-t SECONDS] [-v FIRST_VM] [-m VMS]
 *            [-x EID_LO[-EID_HI]]... [-p POLICY_PERCENT] [-c VCPUS] [-q] [-V]
 *
 * -n and -t bound the run (ecalls, seconds; 0 for no bound), -v and -m
 * select VMs by index, -x leaves EIDs out, -p is the share of VMs with a
 * policy, -c fixes the number of vCPUs (1-4), -q stops at the first failure, -V prints a line per VM.
 *
 * The seed is printed first; the same seed (and -v to start at a given
 * VM) replays the same calls on each vCPU.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/stringify.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi.h"
#include "sbi_fuzz.h"
#include "sbi_test.h"
#include "test_util.h"

/* The guest's batch request: a private experimental EID, never generated. */
#define REQ_EID			0x08f0f0f0
#define MAX_VCPUS		4
#define MAX_BATCH		256
#define SLOT_WORDS		20
#define SLOT_BYTES		(SLOT_WORDS * 8)
#define OUT			8	/* a0-a7 after the ecall */
#define FLAGS			16	/* DONE, TRAPPED */
#define CAUSE			17
#define TVAL			18
#define EPC			19
#define DONE			(1UL << 63)
#define TRAPPED			(1UL << 62)

/* Guest memory: a scratch memslot the guest never touches itself. */
#define SCRATCH_GPA		0x40000000UL
#define SCRATCH_PAGES		64
#define SCRATCH_SIZE		(SCRATCH_PAGES * 4096UL)
#define SCRATCH_SLOT		1
/* Scratch pages 3, 11, 19... are left out of the guest's page tables. */
#define SCRATCH_HOLE(pg)	(((pg) & 7) == 3)
#define MMIO_GPA		0x10000000UL

#define SBI_ERR_MIN		(-14L)

/* scause values of the faults a call reading guest memory may redirect. */
#define CAUSE_BREAKPOINT	3
#define CAUSE_LOAD_MISALIGNED	4
#define CAUSE_LOAD_ACCESS	5
#define CAUSE_LOAD_PAGE_FAULT	13

/*
 * The guest: a loop in registers, position independent, no stack. s0 is
 * the next slot, s1 the slots left. The trap handler records a redirected
 * fault and skips the instruction that took it.
 */
extern char fuzz_stub[], fuzz_req_site[], fuzz_ecall_site[], fuzz_sse_entry[];
extern char fuzz_stub_end[];
asm(".pushsection .text.sbi_fuzz, \"ax\"\n"
	".balign 64\n"
	".global fuzz_stub\n"
	"fuzz_stub:\n"
	".option push\n"
	".option norvc\n"
	"	lla	t0, 9f\n"
	"	csrw	stvec, t0\n"
	"	li	t0, -1\n"
	"	csrw	sie, t0\n"
	"	csrci	sstatus, 2\n"
	"1:	csrr	t0, time\n"
	"	li	t1, 100000\n"
	"	add	t0, t0, t1\n"
	"	csrw	0x14d, t0\n"	/* stimecmp */
	"	csrr	a0, satp\n"
	"	li	a6, 0\n"
	"	li	a7, " __stringify(REQ_EID) "\n"
	".global fuzz_req_site\n"
	"fuzz_req_site:\n"
	"	ecall\n"
	"	mv	s0, a1\n"
	"	mv	s1, a0\n"
	"	blez	s1, 1b\n"
	"	li	t0, " __stringify(MAX_BATCH) "\n"
	"	bgt	s1, t0, 1b\n"
	"2:	ld	a0, 0(s0)\n"
	"	ld	a1, 8(s0)\n"
	"	ld	a2, 16(s0)\n"
	"	ld	a3, 24(s0)\n"
	"	ld	a4, 32(s0)\n"
	"	ld	a5, 40(s0)\n"
	"	ld	a6, 48(s0)\n"
	"	ld	a7, 56(s0)\n"
	"	li	t1, 1\n"
	"	slli	t1, t1, 63\n"
	"	li	t2, 0\n"
	"	li	t3, 0\n"
	"	li	t4, 0\n"
	".global fuzz_ecall_site\n"
	"fuzz_ecall_site:\n"
	"	ecall\n"
	"	sd	a0, 64(s0)\n"
	"	sd	a1, 72(s0)\n"
	"	sd	a2, 80(s0)\n"
	"	sd	a3, 88(s0)\n"
	"	sd	a4, 96(s0)\n"
	"	sd	a5, 104(s0)\n"
	"	sd	a6, 112(s0)\n"
	"	sd	a7, 120(s0)\n"
	"	sd	t2, 136(s0)\n"
	"	sd	t3, 144(s0)\n"
	"	sd	t4, 152(s0)\n"
	"	sd	t1, 128(s0)\n"
	"	csrci	sip, 2\n"
	"	addi	s0, s0, " __stringify(SLOT_BYTES) "\n"
	"	addi	s1, s1, -1\n"
	"	bnez	s1, 2b\n"
	"	j	1b\n"
	/*
	 * The SSE handler: completes the event at once. a6 and a7 are the
	 * only registers it changes, and complete restores them with the
	 * interrupted pc, so the batch it interrupted goes on unchanged.
	 */
	"	.balign	4\n"
	".global fuzz_sse_entry\n"
	"fuzz_sse_entry:\n"
	"	li	a6, 6\n"
	"	li	a7, " __stringify(SBI_EXT_SSE) "\n"
	"	ecall\n"
	"8:	wfi\n"			/* complete returned: no event was running */
	"	j	8b\n"
	"	.balign	4\n"
	"9:	csrr	t2, scause\n"
	"	csrr	t3, stval\n"
	"	csrr	t4, sepc\n"
	"	li	t1, 3\n"
	"	slli	t1, t1, 62\n"
	"	addi	t5, t4, 4\n"
	"	csrw	sepc, t5\n"
	"	sret\n"
	".option pop\n"
	".global fuzz_stub_end\n"
	"fuzz_stub_end:\n"
	".popsection\n");

/* ---- options and counters ---- */

struct eid_range {
	uint64_t lo, hi;
};

static uint64_t opt_seed;
static uint64_t opt_calls = 200000;
static double opt_seconds;
static uint64_t opt_first_vm, opt_vms;
static unsigned int opt_policy_pct = 30;
static int opt_vcpus;
static bool opt_quiet;
static int opt_verbose;
static struct eid_range opt_exclude[16];
static int opt_nr_exclude;

enum exit_kind {
	EK_REQ, EK_FORWARD, EK_FOREIGN_SBI, EK_SYSTEM_EVENT, EK_MMIO, EK_CSR,
	EK_INTR, EK_EINTR, EK_IMMEDIATE, EK_OTHER, EK_ERROR, EK_MAX
};

static const char *const exit_names[EK_MAX] = {
	"batch", "forwarded", "foreign-sbi", "system-event", "mmio", "csr",
	"intr", "eintr", "immediate-exit", "other", "error",
};

enum end_kind {
	END_BUDGET, END_SYSTEM_EVENT, END_SRST_FWD, END_SUSP_FWD, END_STOPPED,
	END_STALL, END_CORRUPT, END_ERROR, END_TIME, END_MAX
};

static const char *const end_names[END_MAX] = {
	"budget", "system-event", "srst-forwarded", "suspend-forwarded",
	"all-stopped", "stall", "guest-corrupt", "run-error", "time",
};

static struct {
	uint64_t ecalls, traps, forwarded, vms, policies, policy_errors;
	uint64_t exits[EK_MAX], ends[END_MAX];
	uint64_t oracle, run_errors, eopnotsupp, unknown_exits, corrupt;
	uint64_t signals, tampered, parked, tainted, kicks, refused_completions;
} st;

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- one VM ---- */

struct fvm;

struct fcpu {
	struct fvm *f;
	struct kvm_vcpu *vcpu;
	pthread_t thread;
	int id;
	bool alive;
	struct fuzz_rng rng;
	vm_vaddr_t buf_gva;
	vm_paddr_t buf_gpa;
	uint64_t *buf;
	int count;		/* slots of the batch in flight */
	bool uncertain;		/* the VMM changed kvm_run during it */
	uint64_t in[MAX_BATCH][8];
	struct {
		bool valid;
		uint64_t r0, r1;
	} fwd[MAX_BATCH];
	int stopped;
	unsigned int wild;	/* exits since the last batch request */
	bool last_req;		/* the last exit was a batch request */
	bool fake_mmio;		/* the VMM completed an MMIO exit KVM never made */
	bool irq;		/* the VMM raised the external interrupt */
	unsigned int last_exit;	/* for the stall report */
	uint64_t last_eid, intr_pc, intr_a7, intr_a6;
	int where;		/* 1 in KVM_RUN, 2 handling an exit */
	unsigned int eintrs;
};

struct fvm {
	struct kvm_vm *vm;
	uint64_t index;
	struct fuzz_rng rng;
	int nr;
	struct fcpu cpu[MAX_VCPUS];
	vm_vaddr_t stub_gva, req_gva, site_gva;
	vm_paddr_t stub_gpa, req_gpa, site_gpa;
	uint64_t ram_end;	/* end of memslot 0 */
	bool dbtr_calls;	/* DBTR calls made: triggers may fire */
	uint64_t budget;
	uint64_t calls;
	uint64_t progress;
	int kick;		/* wake suspended harts */
	double t0;
	int ending;
	int end_kind;
	bool policy;
	bool tainted;		/* the VMM made a completion KVM did not ask for */
};

/* Count a failure in *counter; print the first few of all kinds. */
static void report(uint64_t *counter, struct fcpu *c, int slot, const char *fmt, ...)
{
	static uint64_t printed;
	char msg[256];
	va_list ap;

	fuzz_add(counter, 1);
	if (fuzz_add(&printed, 1) > 30)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&report_lock);
	if (slot >= 0) {
		const uint64_t *r = c->in[slot];

		ksft_print_msg("FAIL vm %lu vcpu %d slot %d: eid %#lx fid %#lx args %#lx %#lx %#lx %#lx %#lx %#lx: %s\n",
			       c->f->index, c->id, slot, r[7], r[6], r[0], r[1],
			       r[2], r[3], r[4], r[5], msg);
	} else {
		ksft_print_msg("FAIL vm %lu vcpu %d: %s\n", c->f->index, c->id, msg);
	}
	pthread_mutex_unlock(&report_lock);
}

static void end_vm(struct fvm *f, int kind)
{
	int expected = 0;

	if (__atomic_compare_exchange_n(&f->ending, &expected, 1, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		f->end_kind = kind;
}

static bool excluded(uint64_t eid)
{
	int i;

	for (i = 0; i < opt_nr_exclude; i++)
		if (eid >= opt_exclude[i].lo && eid <= opt_exclude[i].hi)
			return true;
	return eid == REQ_EID;
}

/* ---- the call generator ---- */

static const struct {
	uint64_t eid;
	unsigned int nr_fids;
	unsigned int weight;
} std_exts[] = {
	{ SBI_EXT_BASE, 7, 6 },
	{ SBI_EXT_TIME, 1, 3 },
	{ SBI_EXT_IPI, 1, 5 },
	{ SBI_EXT_RFENCE, 7, 5 },
	{ SBI_EXT_HSM, 4, 8 },
	{ SBI_EXT_SRST, 1, 0 },		/* drawn on its own, rarely */
	{ SBI_EXT_PMU, 9, 14 },
	{ SBI_EXT_DBCN, 3, 3 },
	{ SBI_EXT_SUSP, 1, 1 },
	{ SBI_EXT_CPPC, 4, 1 },
	{ SBI_EXT_NACL, 5, 1 },
	{ SBI_EXT_STA, 1, 4 },
	{ SBI_EXT_SSE, 10, 5 },
	{ SBI_EXT_FWFT, 2, 2 },
	{ SBI_EXT_DBTR, 8, 1 },
	{ SBI_EXT_MPXY, 8, 1 },
};

static uint64_t gen_eid(struct fuzz_rng *r)
{
	unsigned int w = 0, i, pick;

	switch (fuzz_below(r, 100)) {
	case 0 ... 17:		/* legacy, incl. the reserved 0x09-0x0f */
		if (fuzz_one_in(r, 2000))
			return 0x08;	/* shutdown */
		return fuzz_one_in(r, 8) ? 9 + fuzz_below(r, 7) : fuzz_below(r, 8);
	case 18 ... 21:		/* experimental */
		switch (fuzz_below(r, 4)) {
		case 0:
			return 0x08000000;
		case 1:
			return 0x08ffffff;
		default:
			return 0x08000000 + fuzz_below(r, 0x1000000);
		}
	case 22 ... 24:		/* vendor */
		return fuzz_one_in(r, 2) ? 0x09000000 + fuzz_below(r, 4) :
			0x09000000 + fuzz_below(r, 0x1000000);
	case 25 ... 26:		/* firmware */
		return fuzz_one_in(r, 2) ? 0x0a000003 : 0x0a000000 + fuzz_below(r, 0x1000000);
	case 27 ... 28: {	/* range edges */
		static const uint64_t edges[] = {
			0x07ffffff, 0x0affffff, 0x0b000000, 0x0f, 0x11,
			0x7fffffff, 0x80000000, 0xffffffff,
		};
		return edges[fuzz_below(r, ARRAY_SIZE(edges))];
	}
	case 29 ... 31:		/* unknown 32-bit */
		return fuzz_next(r) & 0xffffffff;
	case 32 ... 33:		/* huge: a standard EID with high bits set */
		return (fuzz_next(r) << 32) | std_exts[fuzz_below(r, ARRAY_SIZE(std_exts))].eid;
	default:
		break;
	}
	if (fuzz_one_in(r, 3000))
		return SBI_EXT_SRST;
	for (i = 0; i < ARRAY_SIZE(std_exts); i++)
		w += std_exts[i].weight;
	pick = fuzz_below(r, w);
	for (i = 0; i < ARRAY_SIZE(std_exts); i++) {
		if (pick < std_exts[i].weight)
			return std_exts[i].eid;
		pick -= std_exts[i].weight;
	}
	return SBI_EXT_BASE;
}

static uint64_t gen_fid(struct fuzz_rng *r, unsigned int nr_fids)
{
	switch (fuzz_below(r, 20)) {
	case 0:
		return nr_fids + fuzz_below(r, 4);
	case 1:
		return fuzz_next(r) & 0xffffffff;
	case 2:
		return fuzz_next(r);
	default:
		return fuzz_below(r, nr_fids ? nr_fids : 1);
	}
}

static unsigned int nr_fids_of(uint64_t eid)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(std_exts); i++)
		if (std_exts[i].eid == eid)
			return std_exts[i].nr_fids;
	return 4;
}

/* A guest address: virtual for the legacy hart masks, physical elsewhere. */
static uint64_t gen_ptr(struct fcpu *c, bool for_write)
{
	struct fuzz_rng *r = &c->rng;
	struct fvm *f = c->f;
	uint64_t pg = fuzz_below(r, SCRATCH_PAGES);

	switch (fuzz_below(r, for_write ? 16 : 26)) {
	case 0:
		return 0;
	case 1:
		return -1UL;
	case 2:
		return fuzz_next(r);
	case 3:
		return SCRATCH_GPA;
	case 4:
		return SCRATCH_GPA + pg * 4096 + 4096 - 4;
		/* page-crossing */
	case 5:
		return SCRATCH_GPA + (pg | 3) * 4096 + fuzz_below(r, 4096);
		/* VS hole */
	case 6:
		return SCRATCH_GPA + SCRATCH_SIZE - 8;
	case 7:
		return SCRATCH_GPA + SCRATCH_SIZE;
		/* just outside */
	case 8:
		return SCRATCH_GPA + SCRATCH_SIZE - 1 - fuzz_below(r, 7);
	case 9:
		return MMIO_GPA + fuzz_below(r, 0x100) * 8;
	case 10:
		return 1UL << (32 + fuzz_below(r, 28));
	case 11:
		return SCRATCH_GPA + pg * 4096 + 1 + 2 * fuzz_below(r, 4);
		/* misaligned */
	case 12:
		return -4096UL + fuzz_below(r, 4096);
	case 13:
		return SCRATCH_GPA - 8;
	case 14:
		return SCRATCH_GPA + pg * 4096 + (fuzz_below(r, 64) << 6);
		/* 64-aligned */
	case 15:
		return SCRATCH_GPA + pg * 4096;
		/* page-aligned */
	case 16:
		return f->ram_end - 8;
	case 17:
		return f->ram_end;
	case 18:
		return fuzz_below(r, f->ram_end) & ~7UL;
		/* anywhere in memslot 0 */
	case 19:
		return f->stub_gpa;
	case 20:
		return f->stub_gva;
	case 21:
		return c->buf_gva;
	case 22:
		return c->buf_gpa;
	case 23:
		return 1;
	default:
		return SCRATCH_GPA + (fuzz_below(r, SCRATCH_SIZE) & ~7UL);
	}
}

static uint64_t gen_hart(struct fcpu *c)
{
	struct fuzz_rng *r = &c->rng;

	switch (fuzz_below(r, 10)) {
	case 0:
		return -1UL;
	case 1:
		return fuzz_next(r);
	case 2:
		return c->f->nr + fuzz_below(r, 3);
	default:
		return fuzz_below(r, c->f->nr);
	}
}

static void gen_hart_mask(struct fcpu *c, uint64_t *mask, uint64_t *base)
{
	static const uint64_t bases[] = { 0, 0, 0, 1, 2, 3, -1UL, -2UL, 63, 64, 1UL << 40 };
	static const uint64_t masks[] = { 0, 1, 2, 3, 0xf, -1UL, 0x8000000000000000UL };
	struct fuzz_rng *r = &c->rng;

	*base = fuzz_one_in(r, 8) ? fuzz_next(r) : bases[fuzz_below(r, ARRAY_SIZE(bases))];
	*mask = fuzz_one_in(r, 4) ? fuzz_next(r) : masks[fuzz_below(r, ARRAY_SIZE(masks))];
}

static uint64_t gen_arg(struct fcpu *c)
{
	struct fuzz_rng *r = &c->rng;

	switch (fuzz_below(r, 8)) {
	case 0:
		return 0;
	case 1:
		return -1UL;
	case 2:
		return fuzz_below(r, 8);
	case 3:
		return fuzz_next(r) & 0xffffffff;
	case 4:
		return gen_ptr(c, false);
	default:
		return fuzz_next(r);
	}
}

static uint64_t gen_pmu_event(struct fuzz_rng *r)
{
	switch (fuzz_below(r, 6)) {
	case 0:
	case 1:
		return 1 + fuzz_below(r, 10);		/* hardware */
	case 2:
		return 0x10000 | fuzz_below(r, 0x40);	/* cache */
	case 3:
		return 0x20000;				/* raw */
	case 4:
		return 0xf0000 | fuzz_below(r, 22);	/* firmware */
	default:
		return fuzz_next(r) & 0xfffff;
	}
}

static uint64_t gen_ctr_base(struct fuzz_rng *r)
{
	switch (fuzz_below(r, 10)) {
	case 0:
		return -1UL - fuzz_below(r, 4);
	case 1:
		return fuzz_next(r);
	case 2:
		return 60 + fuzz_below(r, 8);
	default:
		return fuzz_below(r, 40);
	}
}

static uint64_t gen_ctr_mask(struct fuzz_rng *r)
{
	switch (fuzz_below(r, 6)) {
	case 0:
		return -1UL;
	case 1:
		return fuzz_next(r);
	case 2:
		return 0xffffffff;
	default:
		return 1UL << fuzz_below(r, 64);
	}
}

/* PMU calls that look right often enough to configure and start counters. */
static void gen_pmu(struct fcpu *c, uint64_t a[8])
{
	struct fuzz_rng *r = &c->rng;

	switch (a[6]) {
	case 1:			/* get_info, fw_read, fw_read_hi */
	case 5:
	case 6:
		a[0] = fuzz_one_in(r, 8) ? fuzz_next(r) : fuzz_below(r, 64);
		break;
	case 2:			/* config_matching */
		a[0] = gen_ctr_base(r);
		a[1] = gen_ctr_mask(r);
		a[2] = fuzz_one_in(r, 4) ? fuzz_next(r) : fuzz_below(r, 0x80);
		a[3] = gen_pmu_event(r);
		a[4] = fuzz_one_in(r, 2) ? 0 : fuzz_next(r);
		break;
	case 3:			/* start */
	case 4:			/* stop */
		a[0] = gen_ctr_base(r);
		a[1] = gen_ctr_mask(r);
		a[2] = fuzz_one_in(r, 4) ? fuzz_next(r) : fuzz_below(r, 4);
		a[3] = fuzz_next(r);
		break;
	case 7:			/* snapshot_set_shmem */
	case 8:			/* event_get_info */
		a[0] = fuzz_one_in(r, 6) ? -1UL : gen_ptr(c, true);
		a[1] = fuzz_one_in(r, 6) ? a[0] : (fuzz_one_in(r, 4) ? fuzz_next(r) : 0);
		a[2] = fuzz_one_in(r, 3) ? fuzz_next(r) : fuzz_below(r, 64);
		a[3] = fuzz_one_in(r, 4) ? fuzz_next(r) : 0;
		break;
	}
}

/* SSE event IDs: the standard ones, reserved and platform ones, any. */
static uint64_t gen_sse_event(struct fuzz_rng *r)
{
	static const uint64_t events[] = {
		0xffff0000, 0xffff0000, 0xffff8000, 0xffff8000, 0x00000000,
		0x00008000, 0x00100000, 0x00108000, 0x00010000, 0x00000001,
		0x00004000, 0x0000c000, 0x00018000, 0xffff0001, 0xffffffff,
	};

	if (fuzz_one_in(r, 16))
		return fuzz_one_in(r, 2) ? fuzz_next(r) :
			(fuzz_next(r) << 32) | events[fuzz_below(r, ARRAY_SIZE(events))];
	return events[fuzz_below(r, ARRAY_SIZE(events))];
}

/*
 * SSE: events registered with the handler in the stub (identity mapped,
 * so the same address serves harts with the MMU on and off), injected,
 * masked, nested by priority; attributes read and written through guest
 * buffers like any shared memory.
 */
static void gen_sse(struct fcpu *c, uint64_t a[8])
{
	struct fuzz_rng *r = &c->rng;
	uint64_t entry = c->f->stub_gpa + (fuzz_sse_entry - fuzz_stub);

	switch (fuzz_below(r, 40)) {
	case 0 ... 5:
		a[6] = 0;	/* read_attrs */
		break;
	case 6 ... 9:
		a[6] = 1;	/* write_attrs */
		break;
	case 10 ... 15:
		a[6] = 2;	/* register */
		break;
	case 16 ... 17:
		a[6] = 3;	/* unregister */
		break;
	case 18 ... 22:
		a[6] = 4;	/* enable */
		break;
	case 23 ... 24:
		a[6] = 5;	/* disable */
		break;
	case 25:
		a[6] = 6;	/* complete, with no event running */
		break;
	case 26 ... 33:
		a[6] = 7;	/* inject */
		break;
	case 34 ... 35:
		a[6] = 8;	/* hart_unmask */
		break;
	case 36:
		a[6] = 9;	/* hart_mask */
		break;
	default:
		return;		/* as gen_call made it */
	}
	a[0] = gen_sse_event(r);
	switch (a[6]) {
	case 0:
	case 1:
		a[1] = fuzz_one_in(r, 8) ? fuzz_next(r) : fuzz_below(r, 11);
		a[2] = fuzz_one_in(r, 8) ? fuzz_next(r) : fuzz_below(r, 11);
		a[3] = gen_ptr(c, a[6] == 0);
		a[4] = fuzz_one_in(r, 8) ? fuzz_next(r) : 0;
		break;
	case 2:
		/*
		 * The stub's handler, or an odd pc (INVALID_PARAM): a valid
		 * pc elsewhere would send the hart into the wild once the
		 * event fires, maybe on another hart before this batch is
		 * checked, and the oracle would blame KVM for it.
		 */
		a[1] = fuzz_below(r, 8) ? entry : (fuzz_one_in(r, 2) ? entry + 1 : -1UL);
		break;
	case 7:
		a[1] = gen_hart(c);
		break;
	}
}

/* FWFT: every feature ID class, values and flags in and out of range. */
static void gen_fwft(struct fcpu *c, uint64_t a[8])
{
	static const uint64_t features[] = {
		0, 1, 2, 3, 4, 5, 6, 0x3fffffff, 0x40000000, 0x7fffffff,
		0x80000000, 0x80000001, 0xc0000000, 0xffffffff,
	};
	struct fuzz_rng *r = &c->rng;

	a[6] = fuzz_one_in(r, 10) ? a[6] : fuzz_below(r, 2);
	a[0] = fuzz_one_in(r, 10) ? fuzz_next(r) : features[fuzz_below(r, ARRAY_SIZE(features))];
	a[1] = fuzz_one_in(r, 6) ? fuzz_next(r) : fuzz_below(r, fuzz_one_in(r, 4) ? 64 : 2);
	a[2] = fuzz_one_in(r, 8) ? fuzz_next(r) : (fuzz_one_in(r, 6) ? 1 : 0);	/* LOCK */
}

/*
 * DBTR: shared memory like any other; trigger index ranges and masks small
 * and wide. The entries installed come from that memory (scratch: half
 * zeros, half random), so triggers of any kind may be asked for.
 */
static void gen_dbtr(struct fcpu *c, uint64_t a[8])
{
	struct fuzz_rng *r = &c->rng;

	if (fuzz_one_in(r, 10))
		return;		/* as gen_call made it */
	a[6] = fuzz_below(r, 8);
	switch (a[6]) {
	case 0:			/* num_triggers(trig_tdata1) */
		a[0] = fuzz_one_in(r, 2) ? 0 : (fuzz_below(r, 16) << 60) | fuzz_below(r, 1 << 12);
		break;
	case 1:			/* setup_shmem(lo, hi) */
		a[0] = fuzz_one_in(r, 6) ? -1UL : gen_ptr(c, true);
		a[1] = fuzz_one_in(r, 6) ? a[0] : (fuzz_one_in(r, 4) ? fuzz_next(r) : 0);
		break;
	case 2:			/* read(base, count) */
	case 3:			/* install(count) */
	case 4:			/* update(count) */
		a[0] = fuzz_one_in(r, 6) ? fuzz_next(r) : fuzz_below(r, 4);
		a[1] = fuzz_one_in(r, 6) ? fuzz_next(r) : fuzz_below(r, 4);
		break;
	default:		/* uninstall, enable, disable(base, mask) */
		a[0] = fuzz_one_in(r, 6) ? fuzz_next(r) : fuzz_below(r, 4);
		a[1] = fuzz_one_in(r, 4) ? fuzz_next(r) : fuzz_below(r, 16);
		break;
	}
}

static void gen_call(struct fcpu *c, uint64_t a[8])
{
	struct fuzz_rng *r = &c->rng;
	struct fvm *f = c->f;
	uint64_t eid;
	int i, tries = 0;

	do {
		eid = gen_eid(r);
	} while (excluded(eid) && ++tries < 100);
	if (excluded(eid))
		eid = SBI_EXT_BASE;
	for (i = 0; i < 6; i++)
		a[i] = gen_arg(c);
	a[7] = eid;
	a[6] = eid < 16 ? fuzz_next(r) : gen_fid(r, nr_fids_of(eid));

	switch (eid) {
	case 0x04:			/* a hart mask pointer */
	case 0x05:
	case 0x06:
	case 0x07:
		a[0] = gen_ptr(c, false);
		break;
	case SBI_EXT_IPI:
		gen_hart_mask(c, &a[0], &a[1]);
		break;
	case SBI_EXT_RFENCE:
		gen_hart_mask(c, &a[0], &a[1]);
		if (fuzz_one_in(r, 2))
			a[3] = fuzz_below(r, 3) ? fuzz_below(r, 0x4000) : -1UL;
		break;
	case SBI_EXT_HSM:
		switch (fuzz_below(r, 50)) {
		case 0 ... 14:
			a[6] = 0;
			break;
			/* hart_start */
		case 15:
			a[6] = 1;
			break;
			/* hart_stop */
		case 16 ... 41:
			a[6] = 2;
			break;
			/* hart_get_status */
		default:
			a[6] = 3;
			break;
			/* hart_suspend */
		}
		if (a[6] == 3) {
			static const uint64_t types[] = {
				0, 0, 0, 0x80000000, 0x80000000, 1, 0x10000000,
				0xffffffff80000000UL,
			};

			a[0] = fuzz_one_in(r, 6) ? fuzz_next(r) :
				types[fuzz_below(r, ARRAY_SIZE(types))];
			a[1] = fuzz_below(r, 5) ? f->stub_gpa : gen_ptr(c, false);
		} else {
			a[0] = gen_hart(c);
			a[1] = fuzz_below(r, 5) < 3 ? f->stub_gpa : gen_ptr(c, false);
		}
		break;
	case SBI_EXT_PMU:
		gen_pmu(c, a);
		break;
	case SBI_EXT_SSE:
		gen_sse(c, a);
		break;
	case SBI_EXT_FWFT:
		gen_fwft(c, a);
		break;
	case SBI_EXT_DBTR:
		f->dbtr_calls = true;
		gen_dbtr(c, a);
		break;
	case SBI_EXT_STA:
	case SBI_EXT_NACL:
	case SBI_EXT_MPXY:
		a[0] = fuzz_one_in(r, 6) ? -1UL : gen_ptr(c, true);
		a[1] = fuzz_one_in(r, 6) ? a[0] : (fuzz_one_in(r, 4) ? fuzz_next(r) : 0);
		if (fuzz_one_in(r, 2))
			a[2] = 0;
		break;
	case SBI_EXT_DBCN:
		a[0] = fuzz_one_in(r, 2) ? fuzz_below(r, 8192) : fuzz_next(r);
		a[1] = gen_ptr(c, false);
		a[2] = fuzz_one_in(r, 4) ? fuzz_next(r) : 0;
		break;
	case SBI_EXT_SUSP:
	case SBI_EXT_SRST:
		a[0] = fuzz_one_in(r, 3) ? fuzz_next(r) : fuzz_below(r, 3) |
			(fuzz_one_in(r, 2) ? 0x80000000 : 0);
		a[1] = fuzz_below(r, 2) ? f->stub_gpa : gen_ptr(c, false);
		break;
	case SBI_EXT_BASE:
		if (a[6] == 3)
			a[0] = gen_eid(r);
		break;
	}
}

/* ---- the host side of one vCPU ---- */

static bool is_legacy(uint64_t eid)
{
	return eid < 16;
}

static bool reads_guest_va(uint64_t eid)
{
	return eid >= 4 && eid <= 7;
}

static void check_slot(struct fcpu *c, int i)
{
	const uint64_t *in = c->in[i], *s = &c->buf[i * SLOT_WORDS];
	uint64_t flags = s[FLAGS];
	long a0 = s[OUT];
	int k;

	fuzz_add(&st.ecalls, 1);
	c->f->calls++;
	if (c->f->tainted)
		return;
	for (k = 2; k < 8; k++) {
		if (s[OUT + k] != in[k]) {
			report(&st.oracle, c, i, "a%d changed to %#lx", k, s[OUT + k]);
			return;
		}
	}
	if ((flags & TRAPPED) && s[CAUSE] == CAUSE_BREAKPOINT && c->f->dbtr_calls) {
		/* A trigger the guest installed fired: its batch is lost. */
		c->f->tainted = true;
		return;
	}
	if (flags & TRAPPED) {
		fuzz_add(&st.traps, 1);
		if (s[EPC] != c->f->site_gva && s[EPC] != c->f->site_gpa) {
			report(&st.oracle, c, i, "trap at %#lx (cause %#lx), not at the ecall",
			       s[EPC], s[CAUSE]);
			return;
		}
		if (!reads_guest_va(in[7]) ||
		    (s[CAUSE] != CAUSE_LOAD_MISALIGNED && s[CAUSE] != CAUSE_LOAD_ACCESS &&
		     s[CAUSE] != CAUSE_LOAD_PAGE_FAULT))
			report(&st.oracle, c, i, "redirected cause %#lx stval %#lx", s[CAUSE], s[TVAL]);
		if (s[OUT] != in[0] || s[OUT + 1] != in[1])
			report(&st.oracle, c, i, "a0/a1 changed by a redirected call");
		return;
	}
	if (c->uncertain)
		return;
	if (is_legacy(in[7]) && s[OUT + 1] != in[1])
		report(&st.oracle, c, i, "legacy call changed a1 to %#lx", s[OUT + 1]);
	if (c->fwd[i].valid) {
		if (s[OUT] != c->fwd[i].r0 ||
		    (!is_legacy(in[7]) && s[OUT + 1] != c->fwd[i].r1)) {
			int j, w = -1, ws = -1;

			for (j = 0; j < c->count; j++) {
				if (c->fwd[j].valid && c->fwd[j].r1 == s[OUT + 1])
					w = j;
				for (k = 0; k < 8; k++)
					if (c->in[j][k] == s[OUT + 1])
						ws = j * 8 + k;
			}
			report(&st.oracle, c, i, "forwarded answer %#lx/%#lx became %#lx/%#lx (answer of slot %d, input %d, flags %#lx)",
			       c->fwd[i].r0, c->fwd[i].r1, s[OUT], s[OUT + 1], w, ws, s[FLAGS]);
		}
		return;
	}
	if (a0 < SBI_ERR_MIN || a0 > (is_legacy(in[7] & 0xffffffff) ? 1 : 0))
		report(&st.oracle, c, i, "a0 = %ld is no SBI error code (a1 %#lx)", a0, s[OUT + 1]);
}

/* The stub is the host binary's own code: a guest that overwrote it is lost. */
static bool stub_intact(struct fvm *f)
{
	return !memcmp(addr_gpa2hva(f->vm, f->stub_gpa), fuzz_stub,
		       fuzz_stub_end - fuzz_stub);
}

static void check_batch(struct fcpu *c)
{
	int i;

	for (i = 0; i < c->count; i++) {
		const uint64_t *s = &c->buf[i * SLOT_WORDS];

		if (memcmp(s, c->in[i], 64)) {
			fuzz_add(&st.corrupt, 1);
			return;
		}
		if (s[FLAGS] & DONE)
			check_slot(c, i);
	}
}

static void new_batch(struct fcpu *c, uint64_t satp)
{
	struct kvm_run *run = c->vcpu->run;
	int i;

	c->count = 32 + fuzz_below(&c->rng, MAX_BATCH - 32 + 1);
	c->uncertain = false;
	for (i = 0; i < c->count; i++) {
		gen_call(c, c->in[i]);
		c->fwd[i].valid = false;
		memcpy(&c->buf[i * SLOT_WORDS], c->in[i], 64);
		memset(&c->buf[i * SLOT_WORDS + 8], 0, SLOT_BYTES - 64);
	}
	run->riscv_sbi.ret[0] = c->count;
	run->riscv_sbi.ret[1] = satp ? c->buf_gva : c->buf_gpa;
}

static uint64_t guest_reg(struct fcpu *c, uint64_t id)
{
	uint64_t v = -1UL;

	__vcpu_get_reg(c->vcpu, id, &v);
	return v;
}

static uint64_t random_answer(struct fuzz_rng *r)
{
	switch (fuzz_below(r, 10)) {
	case 0 ... 3:
		return 0;
	case 4 ... 6:
		return -1 - fuzz_below(r, 14);
	case 7:
		return fuzz_below(r, 256);
	default:
		return fuzz_next(r);
	}
}

static void handle_forward(struct fcpu *c)
{
	struct kvm_run *run = c->vcpu->run;
	struct fuzz_rng *r = &c->rng;
	struct fvm *f = c->f;
	uint64_t eid = run->riscv_sbi.extension_id;
	uint64_t pc = guest_reg(c, RISCV_CORE_REG(regs.pc));
	uint64_t s1 = guest_reg(c, RISCV_CORE_REG(regs.s1));
	int slot = c->count - (int)s1;
	const uint64_t *in;
	int k;

	if ((pc != f->site_gva && pc != f->site_gpa) || s1 > (uint64_t)c->count ||
	    slot < 0 || slot >= c->count) {
		/*
		 * A hart running the stub with registers it did not get from
		 * its batch request (jumped into, or derailed) may write any
		 * buffer: the VM's answers are not checked any more.
		 */
		fuzz_add(&st.exits[EK_FOREIGN_SBI], 1);
		f->tainted = true;
		run->riscv_sbi.ret[0] = random_answer(r);
		run->riscv_sbi.ret[1] = fuzz_next(r);
		if (opt_verbose > 1)
			ksft_print_msg("vcpu %d: foreign eid %#lx at pc %#lx s1 %#lx, answer %#llx/%#llx\n",
				       c->id, eid, pc, s1, run->riscv_sbi.ret[0],
				       run->riscv_sbi.ret[1]);
		return;
	}
	fuzz_add(&st.exits[EK_FORWARD], 1);
	fuzz_add(&st.forwarded, 1);
	in = c->in[slot];
	if (!c->uncertain && !f->tainted) {
		bool same = run->riscv_sbi.extension_id == in[7] &&
			    run->riscv_sbi.function_id == in[6];

		for (k = 0; k < 6; k++)
			same &= run->riscv_sbi.args[k] == in[k];
		if (!same)
			report(&st.oracle, c, slot, "forwarded as eid %#lx fid %#lx a0 %#lx",
				    (uint64_t)run->riscv_sbi.extension_id,
				    (uint64_t)run->riscv_sbi.function_id,
				    (uint64_t)run->riscv_sbi.args[0]);
		if (run->riscv_sbi.ret[0] != (uint64_t)SBI_ERR_NOT_SUPPORTED ||
		    run->riscv_sbi.ret[1])
			report(&st.oracle, c, slot, "forwarded with ret %#lx/%#lx preset",
				    (uint64_t)run->riscv_sbi.ret[0],
				    (uint64_t)run->riscv_sbi.ret[1]);
	}
	/* The VMM may take a reset or shutdown as the end of the VM. */
	if ((eid == SBI_EXT_SRST || eid == 0x08) && fuzz_one_in(r, 2)) {
		end_vm(f, END_SRST_FWD);
		return;
	}
	run->riscv_sbi.ret[0] = random_answer(r);
	run->riscv_sbi.ret[1] = fuzz_next(r);
	if (eid == SBI_EXT_SUSP && fuzz_one_in(r, 2)) {
		if (fuzz_one_in(r, 2)) {
			end_vm(f, END_SUSP_FWD);
			return;
		}
		run->riscv_sbi.ret[0] = 0;	/* slept and woke: resume */
	}
	c->fwd[slot].valid = true;
	c->fwd[slot].r0 = run->riscv_sbi.ret[0];
	c->fwd[slot].r1 = run->riscv_sbi.ret[1];
	if (opt_verbose > 1)
		ksft_print_msg("vcpu %d slot %d/%d: eid %#lx fid %#lx forwarded, answer %#lx/%#lx\n",
			       c->id, slot, c->count, eid,
			       (uint64_t)run->riscv_sbi.function_id,
			       c->fwd[slot].r0, c->fwd[slot].r1);
}

static void handle_sbi(struct fcpu *c)
{
	struct kvm_run *run = c->vcpu->run;
	struct fvm *f = c->f;
	uint64_t pc;

	if (run->riscv_sbi.extension_id != REQ_EID) {
		handle_forward(c);
		return;
	}
	pc = guest_reg(c, RISCV_CORE_REG(regs.pc));
	if (pc != f->req_gva && pc != f->req_gpa) {
		fuzz_add(&st.exits[EK_FOREIGN_SBI], 1);
		f->tainted = true;
		run->riscv_sbi.ret[0] = 0;
		return;
	}
	fuzz_add(&st.exits[EK_REQ], 1);
	c->wild = 0;
	c->last_req = true;
	if (c->irq) {
		struct kvm_interrupt irq = { .irq = KVM_INTERRUPT_UNSET };

		__vcpu_ioctl(c->vcpu, KVM_INTERRUPT, &irq);
		c->irq = false;
	}
	if (opt_verbose > 1)
		ksft_print_msg("vcpu %d: batch request, %d slots done\n", c->id, c->count);
	if (c->count)
		check_batch(c);
	if (!stub_intact(f)) {
		fuzz_add(&st.corrupt, 1);
		end_vm(f, END_CORRUPT);
		c->count = 0;
		return;
	}
	if (f->calls >= f->budget)
		end_vm(f, END_BUDGET);
	new_batch(c, run->riscv_sbi.args[0]);
	__atomic_add_fetch(&f->progress, 1, __ATOMIC_RELAXED);
}

static void handle_exit(struct fcpu *c)
{
	struct kvm_run *run = c->vcpu->run;
	struct fuzz_rng *r = &c->rng;
	int i;

	c->last_req = false;
	c->last_exit = run->exit_reason;
	c->last_eid = run->riscv_sbi.extension_id;
	switch (run->exit_reason) {
	case KVM_EXIT_RISCV_SBI:
		handle_sbi(c);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		fuzz_add(&st.exits[EK_SYSTEM_EVENT], 1);
		end_vm(c->f, END_SYSTEM_EVENT);
		break;
	case KVM_EXIT_MMIO:
		fuzz_add(&st.exits[EK_MMIO], 1);
		if (!run->mmio.is_write)
			for (i = 0; i < 8; i++)
				run->mmio.data[i] = fuzz_next(r);
		break;
	case KVM_EXIT_RISCV_CSR:
		fuzz_add(&st.exits[EK_CSR], 1);
		run->riscv_csr.ret_value = fuzz_next(r);
		break;
	case KVM_EXIT_INTR:
		fuzz_add(&st.exits[EK_INTR], 1);
		break;
	default:
		fuzz_add(&st.exits[EK_OTHER], 1);
		report(&st.unknown_exits, c, -1, "unexpected exit reason %u", run->exit_reason);
		end_vm(c->f, END_ERROR);
		break;
	}
}

/*
 * Sometimes the VMM changes kvm_run before it re-enters. A completion
 * KVM never asked for is the VMM's mistake, and may derail its own guest
 * (6.12's CSR completion steps sepc over an instruction it never decoded),
 * so the VM's answers are no longer checked after one; KVM_RUN and the
 * exits still are. A changed answer to a batch request would send the
 * guest anywhere, and is not made.
 */
static void tamper(struct fcpu *c)
{
	struct kvm_run *run = c->vcpu->run;
	struct fuzz_rng *r = &c->rng;

	if (fuzz_one_in(r, 64)) {
		run->immediate_exit = 1;
		return;
	}
	if (!fuzz_one_in(r, 1000))
		return;
	fuzz_add(&st.tampered, 1);
	c->uncertain = true;
	switch (fuzz_below(r, 5)) {
	case 0:
		run->exit_reason = KVM_EXIT_MMIO;
		c->f->tainted = true;
		c->fake_mmio = true;
		break;
	case 1:
		run->exit_reason = KVM_EXIT_RISCV_CSR;
		c->f->tainted = true;
		break;
	case 2:
		run->exit_reason = KVM_EXIT_RISCV_SBI;
		break;
	case 3:
		run->exit_reason = fuzz_next(r) & 0xffff;
		break;
	default:
		if (c->last_req)
			break;
		run->riscv_sbi.ret[0] = fuzz_next(r);
		run->riscv_sbi.ret[1] = fuzz_next(r);
		break;
	}
}

static void *vcpu_thread(void *arg)
{
	struct fcpu *c = arg;
	struct kvm_run *run = c->vcpu->run;
	struct fvm *f = c->f;
	struct kvm_mp_state mps;
	int ret, err;

	while (!__atomic_load_n(&f->ending, __ATOMIC_SEQ_CST)) {
		bool immediate;

		c->fake_mmio = false;
		tamper(c);
		immediate = run->immediate_exit;
		c->where = 1;
		ret = __vcpu_run(c->vcpu);
		err = errno;
		c->where = 2;
		run->immediate_exit = 0;
		if (ret < 0 && err == EINTR) {
			fuzz_add(&st.exits[immediate ? EK_IMMEDIATE : EK_EINTR], 1);
			c->eintrs++;
			if (opt_verbose) {
				c->intr_pc = guest_reg(c, RISCV_CORE_REG(regs.pc));
				c->intr_a7 = guest_reg(c, RISCV_CORE_REG(regs.a7));
				c->intr_a6 = guest_reg(c, RISCV_CORE_REG(regs.a6));
			}
			if (!__vcpu_ioctl(c->vcpu, KVM_GET_MP_STATE, &mps))
				__atomic_store_n(&c->stopped,
						 mps.mp_state == KVM_MP_STATE_STOPPED,
						 __ATOMIC_SEQ_CST);
			/*
			 * A hart suspended with its timer far away: the VMM
			 * wakes it with its external interrupt line.
			 */
			if (__atomic_load_n(&f->kick, __ATOMIC_SEQ_CST) && !c->irq) {
				struct kvm_interrupt irq = { .irq = KVM_INTERRUPT_SET };

				if (__vcpu_ioctl(c->vcpu, KVM_INTERRUPT, &irq))
					report(&st.run_errors, c, -1, "KVM_INTERRUPT: %s",
					       strerror(errno));
				c->irq = true;
				fuzz_add(&st.kicks, 1);
			}
			continue;
		}
		__atomic_store_n(&c->stopped, 0, __ATOMIC_SEQ_CST);
		/*
		 * A hart that left the stub (started or resumed at a random
		 * address) and keeps exiting is parked: not run any more.
		 */
		if (++c->wild > 4000) {
			fuzz_add(&st.parked, 1);
			__atomic_store_n(&c->stopped, 1, __ATOMIC_SEQ_CST);
			while (!__atomic_load_n(&f->ending, __ATOMIC_SEQ_CST))
				usleep(10000);
			break;
		}
		/*
		 * 6.12's MMIO completion refuses, once, a vCPU that never made
		 * an MMIO exit (its decode is empty): the VMM's own mistake.
		 */
		if (ret < 0 && err == EOPNOTSUPP && c->fake_mmio) {
			fuzz_add(&st.refused_completions, 1);
			continue;
		}
		if (ret < 0) {
			fuzz_add(&st.exits[EK_ERROR], 1);
			if (err == EOPNOTSUPP)
				fuzz_add(&st.eopnotsupp, 1);
			report(&st.run_errors, c, -1, "KVM_RUN failed: %s (errno %d), pc %#lx",
			       strerror(err), err, guest_reg(c, RISCV_CORE_REG(regs.pc)));
			end_vm(f, END_ERROR);
			break;
		}
		handle_exit(c);
	}
	__atomic_store_n(&c->alive, false, __ATOMIC_SEQ_CST);
	return NULL;
}

/* ---- VM set-up ---- */

static uint64_t guest_reg(struct fcpu *c, uint64_t id);

static void install_policy(struct fvm *f)
{
	static const uint64_t fwd_eids[] = {
		SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_SUSP, SBI_EXT_CPPC, SBI_EXT_MPXY,
		0x01, 0x02, 0x08, 0x0a000000, 0x09000000, 0x12345678, SBI_EXT_PMU,
	};
	static const uint64_t deny_eids[] = {
		SBI_EXT_PMU, SBI_EXT_STA, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_HSM,
		SBI_EXT_RFENCE, 0x00, 0x04, SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_BASE,
		0x09000000,
	};
	struct kvm_riscv_sbi_policy_entry e[8];
	struct kvm_riscv_sbi_policy p;
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_POLICY,
		.attr = KVM_RISCV_VM_SBI_POLICY_ADD,
		.addr = (unsigned long)&p,
	};
	struct fuzz_rng *r = &f->rng;
	int calls = 1 + fuzz_below(r, 3), n, i, ret;

	while (calls--) {
		n = 1 + fuzz_below(r, ARRAY_SIZE(e));
		memset(e, 0, sizeof(e));
		for (i = 0; i < n; i++) {
			e[i].action = fuzz_below(r, 3);
			if (e[i].action == KVM_RISCV_SBI_POLICY_FORWARD)
				e[i].eid_base = fwd_eids[fuzz_below(r, ARRAY_SIZE(fwd_eids))];
			else
				e[i].eid_base = deny_eids[fuzz_below(r, ARRAY_SIZE(deny_eids))];
			e[i].eid_count = e[i].eid_base >= 0x09000000 &&
					 e[i].eid_base < 0x0b000000 ?
					 1 + fuzz_below(r, 0x1000000) : 1;
			if (fuzz_one_in(r, 4) && e[i].eid_count == 1 && e[i].eid_base >= 16) {
				e[i].fid_base = fuzz_below(r, 8);
				e[i].fid_count = 1 + fuzz_below(r, 4);
			}
			if (fuzz_one_in(r, 16))
				e[i].pad[fuzz_below(r, 7)] = 1;
			if (fuzz_one_in(r, 16))
				e[i].action = fuzz_below(r, 256);
			if (fuzz_one_in(r, 8)) {
				e[i].eid_base = fuzz_next(r);
				e[i].eid_count = fuzz_next(r);
			}
			/* Never take the guest's own batch requests away. */
			if (e[i].eid_base <= REQ_EID &&
			    REQ_EID - e[i].eid_base < e[i].eid_count)
				e[i].action = KVM_RISCV_SBI_POLICY_FORWARD;
		}
		p.nr_entries = n;
		p.flags = fuzz_one_in(r, 32);
		p.entries = (unsigned long)e;
		ret = __vm_ioctl(f->vm, KVM_SET_DEVICE_ATTR, &attr);
		if (!ret) {
			f->policy = true;
			continue;
		}
		fuzz_add(&st.policy_errors, 1);
		switch (errno) {
		case EINVAL:
		case EPERM:
		case EEXIST:
		case E2BIG:
			break;
		default:
			report(&st.oracle, &f->cpu[0], -1, "KVM_SET_DEVICE_ATTR(policy): %s",
			       strerror(errno));
		}
	}
	if (f->policy)
		fuzz_add(&st.policies, 1);
}

/* Random SBI extension enables, before the vCPU first runs. */
static void set_extensions(struct fvm *f, struct fcpu *c)
{
	struct fuzz_rng *r = &f->rng;
	int ext;

	for (ext = 0; ext < KVM_RISCV_SBI_EXT_MAX; ext++) {
		uint64_t val;

		if (ext == KVM_RISCV_SBI_EXT_EXPERIMENTAL)
			continue;
		if (ext == KVM_RISCV_SBI_EXT_DBCN)
			val = fuzz_below(r, 2);
		else if (fuzz_one_in(r, 12))
			val = 0;
		else
			continue;
		__vcpu_set_reg(c->vcpu, KVM_REG_RISCV | KVM_REG_SIZE_ULONG |
			       KVM_REG_RISCV_SBI_EXT | KVM_REG_RISCV_SBI_SINGLE | ext, val);
	}
}

static void setup_scratch(struct fvm *f)
{
	uint64_t *p;
	int pg, i;

	vm_userspace_mem_region_add(f->vm, VM_MEM_SRC_ANONYMOUS, SCRATCH_GPA,
				    SCRATCH_SLOT, SCRATCH_PAGES, 0);
	p = addr_gpa2hva(f->vm, SCRATCH_GPA);
	/* Half zeros, half random: hart masks, and code for wild harts. */
	for (i = SCRATCH_SIZE / 16; i < SCRATCH_SIZE / 8; i++)
		p[i] = fuzz_next(&f->rng);
	for (pg = 0; pg < SCRATCH_PAGES; pg++)
		if (!SCRATCH_HOLE(pg))
			virt_map(f->vm, SCRATCH_GPA + pg * 4096UL,
				 SCRATCH_GPA + pg * 4096UL, 1);
}

static uint64_t memslot0_end(struct kvm_vm *vm)
{
	struct userspace_mem_region *region = memslot2region(vm, 0);

	return region->region.guest_phys_addr + region->region.memory_size;
}

static void create_vm(struct fvm *f, uint64_t index)
{
	struct kvm_mp_state stopped = { .mp_state = KVM_MP_STATE_STOPPED };
	struct kvm_vcpu *vcpus[MAX_VCPUS];
	int i;

	memset(f, 0, sizeof(*f));
	f->index = index;
	fuzz_rng_init(&f->rng, opt_seed, index, 0xf00);
	f->nr = 2 + fuzz_below(&f->rng, MAX_VCPUS - 1);
	if (opt_vcpus)
		f->nr = opt_vcpus;
	f->budget = 1000 + fuzz_below(&f->rng, 12000);
	f->vm = vm_create_with_vcpus(f->nr, (void *)fuzz_stub, vcpus);
	f->stub_gva = (vm_vaddr_t)fuzz_stub;
	f->req_gva = (vm_vaddr_t)fuzz_req_site;
	f->site_gva = (vm_vaddr_t)fuzz_ecall_site;
	f->stub_gpa = addr_gva2gpa(f->vm, f->stub_gva);
	f->req_gpa = f->stub_gpa + (fuzz_req_site - fuzz_stub);
	f->site_gpa = f->stub_gpa + (fuzz_ecall_site - fuzz_stub);
	TEST_ASSERT(addr_gva2gpa(f->vm, (vm_vaddr_t)fuzz_stub_end) - f->stub_gpa ==
		    (uint64_t)(fuzz_stub_end - fuzz_stub), "stub not contiguous");
	f->ram_end = memslot0_end(f->vm);
	/* The stub also at VA = PA: SSE handlers run in either MMU mode. */
	virt_map(f->vm, f->stub_gpa & ~4095UL, f->stub_gpa & ~4095UL,
		 ((f->stub_gpa & 4095) + (fuzz_stub_end - fuzz_stub) + 4095) / 4096);
	setup_scratch(f);
	for (i = 0; i < f->nr; i++) {
		f->cpu[i].f = f;
		f->cpu[i].id = i;
	}
	if (fuzz_below(&f->rng, 100) < opt_policy_pct)
		install_policy(f);

	for (i = 0; i < f->nr; i++) {
		struct fcpu *c = &f->cpu[i];

		c->vcpu = vcpus[i];
		fuzz_rng_init(&c->rng, opt_seed, index, i);
		c->buf_gva = vm_vaddr_alloc(f->vm, MAX_BATCH * SLOT_BYTES, KVM_UTIL_MIN_VADDR);
		c->buf_gpa = addr_gva2gpa(f->vm, c->buf_gva);
		c->buf = addr_gva2hva(f->vm, c->buf_gva);
		if (fuzz_one_in(&f->rng, 3))
			set_extensions(f, c);
		/* MMU off: the stub at its physical address, satp = 0. */
		if (fuzz_one_in(&f->rng, 2)) {
			vcpu_set_reg(c->vcpu, RISCV_GENERAL_CSR_REG(satp), 0);
			vcpu_set_reg(c->vcpu, RISCV_CORE_REG(regs.pc), f->stub_gpa);
		}
		if (i && fuzz_one_in(&f->rng, 3))
			vcpu_mp_state_set(c->vcpu, &stopped);
		if (opt_verbose > 1)
			ksft_print_msg("vm %lu vcpu %d: satp %#lx pc %#lx buffer %#lx (gpa %#lx)\n",
				       index, i, guest_reg(c, RISCV_GENERAL_CSR_REG(satp)),
				       guest_reg(c, RISCV_CORE_REG(regs.pc)), c->buf_gva,
				       c->buf_gpa);
	}
	if (opt_verbose > 1)
		ksft_print_msg("vm %lu: stub %#lx (gpa %#lx), ecall site %#lx (gpa %#lx)\n",
			       index, f->stub_gva, f->stub_gpa, f->site_gva, f->site_gpa);
}

static void sigusr1(int sig)
{
}

static void signal_all(struct fvm *f)
{
	int i;

	for (i = 0; i < f->nr; i++)
		if (__atomic_load_n(&f->cpu[i].alive, __ATOMIC_SEQ_CST))
			pthread_kill(f->cpu[i].thread, SIGUSR1);
}

static double t_start, t_last_progress;

static void progress(bool force)
{
	double now = fuzz_now();

	if (!force && now - t_last_progress < 10)
		return;
	t_last_progress = now;
	ksft_print_msg("progress: %.0f s, %lu ecalls (%.0f/s), %lu VMs, %lu forwarded, %lu traps, %lu oracle failures, %lu KVM_RUN errors\n",
		       now - t_start, fuzz_get(&st.ecalls),
		       fuzz_get(&st.ecalls) / (now - t_start + 1e-9),
		       fuzz_get(&st.vms), fuzz_get(&st.forwarded),
		       fuzz_get(&st.traps), fuzz_get(&st.oracle),
		       fuzz_get(&st.run_errors));
}

static bool out_of_time(void)
{
	return (opt_seconds && fuzz_now() - t_start >= opt_seconds) ||
	       (opt_calls && fuzz_get(&st.ecalls) >= opt_calls);
}

static void run_vm(uint64_t index)
{
	static struct fvm f;
	uint64_t last = 0, idle_ms = 0, tick = 0;
	struct fuzz_rng sig_rng;
	int i, alive, waited = 0;
	double tc = fuzz_now();

	create_vm(&f, index);
	f.t0 = fuzz_now();
	tc = f.t0 - tc;
	fuzz_rng_init(&sig_rng, opt_seed, index, 0x516);
	for (i = 0; i < f.nr; i++) {
		f.cpu[i].alive = true;
		pthread_create(&f.cpu[i].thread, NULL, vcpu_thread, &f.cpu[i]);
	}

	for (;;) {
		uint64_t p;
		bool all_stopped = true;

		usleep(20000);
		tick++;
		alive = 0;
		for (i = 0; i < f.nr; i++)
			alive += __atomic_load_n(&f.cpu[i].alive, __ATOMIC_SEQ_CST);
		if (!alive)
			break;
		if (__atomic_load_n(&f.ending, __ATOMIC_SEQ_CST)) {
			signal_all(&f);
			if (++waited == 1500) {
				ksft_print_msg("vm %lu: a vCPU thread is stuck in KVM_RUN\n", index);
				fuzz_add(&st.run_errors, 1);
			}
			continue;
		}
		progress(false);
		if (out_of_time()) {
			end_vm(&f, END_TIME);
			continue;
		}
		/* The VMM's signals. */
		if (fuzz_one_in(&sig_rng, 4)) {
			i = fuzz_below(&sig_rng, f.nr);
			if (__atomic_load_n(&f.cpu[i].alive, __ATOMIC_SEQ_CST)) {
				pthread_kill(f.cpu[i].thread, SIGUSR1);
				fuzz_add(&st.signals, 1);
			}
		}
		p = __atomic_load_n(&f.progress, __ATOMIC_RELAXED);
		if (p != last) {
			last = p;
			idle_ms = 0;
			__atomic_store_n(&f.kick, 0, __ATOMIC_SEQ_CST);
			continue;
		}
		idle_ms += 20;
		if (idle_ms % 200)
			continue;
		for (i = 0; i < f.nr; i++)
			all_stopped &= __atomic_load_n(&f.cpu[i].stopped, __ATOMIC_SEQ_CST);
		__atomic_store_n(&f.kick, 1, __ATOMIC_SEQ_CST);
		if (all_stopped) {
			end_vm(&f, END_STOPPED);
		} else if (idle_ms >= 600) {
			if (opt_verbose)
				for (i = 0; i < f.nr; i++)
					ksft_print_msg("vm %lu stalls: vcpu %d where %d eintrs %u stopped %d, pc %#lx a7 %#lx a6 %#lx, %u exits since its batch, last exit %u eid %#lx, slots %d\n",
						       index, i, f.cpu[i].where, f.cpu[i].eintrs,
						       f.cpu[i].stopped, f.cpu[i].intr_pc,
						       f.cpu[i].intr_a7, f.cpu[i].intr_a6, f.cpu[i].wild,
						       f.cpu[i].last_exit, f.cpu[i].last_eid,
						       f.cpu[i].count);
			end_vm(&f, END_STALL);
		} else {
			signal_all(&f);
		}
	}
	for (i = 0; i < f.nr; i++)
		pthread_join(f.cpu[i].thread, NULL);
	fuzz_add(&st.ends[f.end_kind], 1);
	fuzz_add(&st.vms, 1);
	if (f.tainted)
		fuzz_add(&st.tainted, 1);
	if (opt_verbose)
		ksft_print_msg("vm %lu: %d vCPUs%s, created in %.3f s, %lu ecalls in %.3f s, end %s\n",
			       index, f.nr, f.policy ? ", policy" : "", tc, f.calls,
			       fuzz_now() - f.t0, end_names[f.end_kind]);
	kvm_vm_free(f.vm);
}

static void summary(void)
{
	double t = fuzz_now() - t_start;
	char exits[512] = "", ends[512] = "";
	int i, n = 0, m = 0;

	for (i = 0; i < EK_MAX; i++)
		n += snprintf(exits + n, sizeof(exits) - n, " %s=%lu", exit_names[i],
			      fuzz_get(&st.exits[i]));
	for (i = 0; i < END_MAX; i++)
		m += snprintf(ends + m, sizeof(ends) - m, " %s=%lu", end_names[i],
			      fuzz_get(&st.ends[i]));
	ksft_print_msg("summary: seed %#lx, %.1f s, %lu ecalls (%.0f/s), %lu VMs (%lu with a policy, %lu policy ioctls refused), %lu forwarded, %lu faults redirected, %lu signals, %lu interrupts raised, %lu kvm_run changes, %lu corrupted batches, %lu harts parked, %lu VMs derailed (answers unchecked from then on)\n",
		       opt_seed, t, fuzz_get(&st.ecalls), fuzz_get(&st.ecalls) / (t + 1e-9),
		       fuzz_get(&st.vms), fuzz_get(&st.policies),
		       fuzz_get(&st.policy_errors), fuzz_get(&st.forwarded),
		       fuzz_get(&st.traps), fuzz_get(&st.signals),
		       fuzz_get(&st.kicks), fuzz_get(&st.tampered), fuzz_get(&st.corrupt), fuzz_get(&st.parked),
		       fuzz_get(&st.tainted));
	ksft_print_msg("summary: exits:%s\n", exits);
	ksft_print_msg("summary: VM ends:%s\n", ends);
	ksft_print_msg("summary: %lu oracle failures, %lu KVM_RUN errors (%lu EOPNOTSUPP), %lu unknown exits, %lu made-up MMIO completions refused\n",
		       fuzz_get(&st.oracle), fuzz_get(&st.run_errors),
		       fuzz_get(&st.eopnotsupp), fuzz_get(&st.unknown_exits),
		       fuzz_get(&st.refused_completions));
	printf("FUZZ-SUMMARY sbi_fuzz seed=%#lx seconds=%.1f ecalls=%lu vms=%lu oracle=%lu run_errors=%lu\n",
	       opt_seed, t, fuzz_get(&st.ecalls), fuzz_get(&st.vms),
	       fuzz_get(&st.oracle), fuzz_get(&st.run_errors));
}

static void parse_exclude(const char *s)
{
	char *end;

	TEST_ASSERT(opt_nr_exclude < (int)ARRAY_SIZE(opt_exclude), "too many -x");
	opt_exclude[opt_nr_exclude].lo = strtoull(s, &end, 0);
	opt_exclude[opt_nr_exclude].hi = *end == '-' ? strtoull(end + 1, NULL, 0) :
					 opt_exclude[opt_nr_exclude].lo;
	opt_nr_exclude++;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SEED] [-n CALLS] [-t SECONDS] [-v FIRST_VM] [-m VMS]\n"
		"       [-x EID_LO[-EID_HI]]... [-p POLICY_PERCENT] [-c VCPUS] [-q] [-V]\n", prog);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sigusr1 };
	bool seeded = false;
	uint64_t index;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:t:v:m:x:p:c:qVh")) != -1) {
		switch (opt) {
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'n':
			opt_calls = strtoull(optarg, NULL, 0);
			break;
		case 't':
			opt_seconds = strtod(optarg, NULL);
			break;
		case 'v':
			opt_first_vm = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			opt_vms = strtoull(optarg, NULL, 0);
			break;
		case 'x':
			parse_exclude(optarg);
			break;
		case 'p':
			opt_policy_pct = atoi(optarg);
			break;
		case 'c':
			opt_vcpus = atoi(optarg);
			if (opt_vcpus < 1 || opt_vcpus > MAX_VCPUS)
				usage(argv[0]);
			break;
		case 'q':
			opt_quiet = true;
			break;
		case 'V':
			opt_verbose++;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!seeded)
		opt_seed = fuzz_default_seed();

	ksft_print_header();
	ksft_print_msg("seed %#lx (rerun: %s -s %#lx%s)\n", opt_seed, argv[0], opt_seed,
		       opt_first_vm ? " -v N" : "");
	close(open_kvm_dev_path_or_exit());
	ksft_set_plan(3);
	sigaction(SIGUSR1, &sa, NULL);

	t_start = t_last_progress = fuzz_now();
	for (index = opt_first_vm; !out_of_time(); index++) {
		if (opt_vms && index - opt_first_vm >= opt_vms)
			break;
		run_vm(index);
		if (opt_quiet && fuzz_get(&st.oracle) + fuzz_get(&st.run_errors) +
		    fuzz_get(&st.unknown_exits))
			break;
	}
	progress(true);
	summary();
	ksft_test_result(!fuzz_get(&st.oracle), "sbi_fuzz: every answer a spec error code or the VMM's\n");
	ksft_test_result(!fuzz_get(&st.run_errors), "sbi_fuzz: KVM_RUN fails with EINTR only\n");
	ksft_test_result(!fuzz_get(&st.unknown_exits), "sbi_fuzz: every exit of a known kind\n");
	ksft_finished();
}
