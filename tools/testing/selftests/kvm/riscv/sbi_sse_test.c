// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_sse_test - SBI v3.0 Supervisor Software Events served by KVM.
 *
 * Every function and its error paths: unknown and unsupported event IDs,
 * calls in the wrong state, read-only and out-of-range attributes, a bad
 * attribute buffer, mask and unmask twice, complete with no event running.
 * A local software event injected by the guest enters the handler with
 * a6 = hart ID, a7 = ENTRY_ARG, sepc = the interrupted pc, SPP = S-mode,
 * SIE = 0, its INTERRUPTED_* attributes holding what it overwrote, and
 * complete resumes the interrupted code with every register as it was.
 * A higher-priority event preempts a running handler, a lower one waits
 * for it; an event injected on a masked hart stays pending until
 * hart_unmask; a one-shot event is disabled by complete; a global event
 * goes to its preferred hart; an event the VMM injects
 * (KVM_SET_DEVICE_ATTR) is delivered, and bad injections get errnos.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/stringify.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi.h"
#include "sbi_test.h"
#include "ucall_common.h"

#define SSE_READ_ATTRS		0
#define SSE_WRITE_ATTRS		1
#define SSE_REGISTER		2
#define SSE_UNREGISTER		3
#define SSE_ENABLE		4
#define SSE_DISABLE		5
#define SSE_COMPLETE		6
#define SSE_INJECT		7
#define SSE_HART_UNMASK		8
#define SSE_HART_MASK		9

#define EV_LOCAL_RAS		0x00000000UL
#define EV_LOCAL_RAS_LOW	0x00100000UL
#define EV_LOCAL_SW		0xffff0000UL
#define EV_GLOBAL_SW		0xffff8000UL
#define EV_PMU_OVERFLOW		0x00010000UL

#define ATTR_STATUS		0
#define ATTR_PRIORITY		1
#define ATTR_CONFIG		2
#define ATTR_PREFERRED_HART	3
#define ATTR_ENTRY_PC		4
#define ATTR_ENTRY_ARG		5
#define ATTR_INT_SEPC		6
#define ATTR_INT_FLAGS		7
#define ATTR_INT_A6		8
#define ATTR_INT_A7		9

#define SBI_ERR_INVALID_STATE	(-10)
#define SBI_ERR_BAD_RANGE	(-11)

#define MAX_LOG			16
#define HOLE_GPA		0x200000000UL

/* ---- the handler: a trampoline that keeps every register ---- */

struct entry {
	unsigned long arg, hartid, sepc, sstatus;
	unsigned long attrs[10];
};

static unsigned long buf_gpa;		/* gpa of attr_buf (set by the host) */
static unsigned long attr_buf[16] __aligned(64);
static struct entry log_entries[MAX_LOG];
static int log_order[MAX_LOG];		/* +arg on entry, -arg before complete */
static int nr_log, nr_entries;
static unsigned long nested_inject;	/* event the handler of arg 1 injects */
static bool nested_on;			/* ... if set (the event may be 0) */

static struct sbiret sse(unsigned long fid, unsigned long a0, unsigned long a1,
			 unsigned long a2, unsigned long a3, unsigned long a4)
{
	return sbi_ecall(SBI_EXT_SSE, fid, a0, a1, a2, a3, a4, 0);
}

static struct sbiret read_attrs(unsigned long ev, unsigned long base,
				unsigned long count)
{
	return sse(SSE_READ_ATTRS, ev, base, count, buf_gpa, 0);
}

static struct sbiret write_attr(unsigned long ev, unsigned long attr,
				unsigned long val)
{
	attr_buf[0] = val;
	return sse(SSE_WRITE_ATTRS, ev, attr, 1, buf_gpa, 0);
}

void sse_handler_c(unsigned long hartid, unsigned long arg, unsigned long sepc,
		   unsigned long sstatus);

/* Called by the trampoline with the event's a6 (hart ID) and a7 (arg). */
void sse_handler_c(unsigned long hartid, unsigned long arg, unsigned long sepc,
		   unsigned long sstatus)
{
	int n = __atomic_fetch_add(&nr_entries, 1, __ATOMIC_SEQ_CST);
	struct entry *e = &log_entries[n % MAX_LOG];
	unsigned long ev = arg >> 8;

	e->arg = arg & 0xff;
	e->hartid = hartid;
	e->sepc = sepc;
	e->sstatus = sstatus;
	log_order[__atomic_fetch_add(&nr_log, 1, __ATOMIC_SEQ_CST) % MAX_LOG] = arg & 0xff;
	if (!read_attrs(ev, 0, 10).error)
		memcpy(e->attrs, attr_buf, sizeof(e->attrs));
	if ((arg & 0xff) == 1 && nested_on)
		sse(SSE_INJECT, nested_inject, hartid, 0, 0, 0);
	log_order[__atomic_fetch_add(&nr_log, 1, __ATOMIC_SEQ_CST) % MAX_LOG] = -(arg & 0xff);
}

/*
 * Entered with the interrupted sp: saves ra, t*, a0-a5, s* and gp/tp-free
 * state below it, calls sse_handler_c(a6, a7, sepc, sstatus), restores,
 * and completes (complete restores a6, a7 and the pc).
 */
extern char sse_entry[];
asm(".pushsection .text\n"
	".balign 4\n"
	".global sse_entry\n"
	"sse_entry:\n"
	"	addi	sp, sp, -256\n"
	"	sd	ra, 0(sp)\n"
	"	sd	t0, 8(sp)\n"
	"	sd	t1, 16(sp)\n"
	"	sd	t2, 24(sp)\n"
	"	sd	a0, 32(sp)\n"
	"	sd	a1, 40(sp)\n"
	"	sd	a2, 48(sp)\n"
	"	sd	a3, 56(sp)\n"
	"	sd	a4, 64(sp)\n"
	"	sd	a5, 72(sp)\n"
	"	sd	t3, 80(sp)\n"
	"	sd	t4, 88(sp)\n"
	"	sd	t5, 96(sp)\n"
	"	sd	t6, 104(sp)\n"
	"	mv	a0, a6\n"
	"	mv	a1, a7\n"
	"	csrr	a2, sepc\n"
	"	csrr	a3, sstatus\n"
	"	call	sse_handler_c\n"
	"	ld	ra, 0(sp)\n"
	"	ld	t0, 8(sp)\n"
	"	ld	t1, 16(sp)\n"
	"	ld	t2, 24(sp)\n"
	"	ld	a0, 32(sp)\n"
	"	ld	a1, 40(sp)\n"
	"	ld	a2, 48(sp)\n"
	"	ld	a3, 56(sp)\n"
	"	ld	a4, 64(sp)\n"
	"	ld	a5, 72(sp)\n"
	"	ld	t3, 80(sp)\n"
	"	ld	t4, 88(sp)\n"
	"	ld	t5, 96(sp)\n"
	"	ld	t6, 104(sp)\n"
	"	addi	sp, sp, 256\n"
	"	li	a6, " __stringify(SSE_COMPLETE) "\n"
	"	li	a7, " __stringify(SBI_EXT_SSE) "\n"
	"	ecall\n"
	"1:	j	1b\n"			/* complete returned: nothing ran */
	".popsection\n");

/* arg: the log tag in bits 0-7, the event in bits 8 and up. */
#define ARG(ev, tag)		(((ev) << 8) | (tag))

static void sse_setup(unsigned long ev, int tag, unsigned long prio)
{
	GUEST_ASSERT_EQ(write_attr(ev, ATTR_PRIORITY, prio).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_REGISTER, ev, (unsigned long)sse_entry, ARG(ev, tag),
			    0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_ENABLE, ev, 0, 0, 0, 0).error, 0);
}

static void (*guest_fn)(void);

static void guest_main(void)
{
	guest_fn();
	GUEST_DONE();
}

/* ---- errors ---- */

static void guest_errors(void)
{
	struct sbiret r;

	GUEST_ASSERT_EQ(sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, SBI_EXT_SSE,
				  0, 0, 0, 0, 0).value, 1);
	GUEST_ASSERT_EQ(sse(SSE_REGISTER, 0x12345678, (unsigned long)sse_entry, 0, 0, 0).error,
			SBI_ERR_INVALID_PARAM);
	GUEST_ASSERT_EQ(sse(SSE_REGISTER, EV_PMU_OVERFLOW, (unsigned long)sse_entry, 0, 0, 0).error,
			SBI_ERR_NOT_SUPPORTED);
	GUEST_ASSERT_EQ(sse(SSE_REGISTER, EV_LOCAL_SW, (unsigned long)sse_entry + 1, 0, 0, 0).error,
			SBI_ERR_INVALID_PARAM);
	GUEST_ASSERT_EQ(sse(SSE_ENABLE, EV_LOCAL_SW, 0, 0, 0, 0).error, SBI_ERR_INVALID_STATE);
	GUEST_ASSERT_EQ(sse(SSE_UNREGISTER, EV_LOCAL_SW, 0, 0, 0, 0).error, SBI_ERR_INVALID_STATE);
	GUEST_ASSERT_EQ(sse(SSE_REGISTER, EV_LOCAL_SW, (unsigned long)sse_entry, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_REGISTER, EV_LOCAL_SW, (unsigned long)sse_entry, 0, 0, 0).error,
			SBI_ERR_INVALID_STATE);
	GUEST_ASSERT_EQ(sse(SSE_DISABLE, EV_LOCAL_SW, 0, 0, 0, 0).error, SBI_ERR_INVALID_STATE);
	GUEST_ASSERT_EQ(sse(SSE_ENABLE, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_UNREGISTER, EV_LOCAL_SW, 0, 0, 0, 0).error, SBI_ERR_INVALID_STATE);

	/* Attributes: ranges, buffer, read-only ones, state rules. */
	GUEST_ASSERT_EQ(read_attrs(EV_LOCAL_SW, 0, 0).error, SBI_ERR_INVALID_PARAM);
	GUEST_ASSERT_EQ(read_attrs(EV_LOCAL_SW, 10, 1).error, SBI_ERR_BAD_RANGE);
	GUEST_ASSERT_EQ(read_attrs(EV_LOCAL_SW, 8, 3).error, SBI_ERR_BAD_RANGE);
	GUEST_ASSERT_EQ(read_attrs(EV_LOCAL_SW, 0xffffffff, 2).error, SBI_ERR_BAD_RANGE);
	GUEST_ASSERT_EQ(sse(SSE_READ_ATTRS, EV_LOCAL_SW, 0, 1, HOLE_GPA, 0).error,
			SBI_ERR_INVALID_ADDRESS);
	GUEST_ASSERT_EQ(sse(SSE_READ_ATTRS, EV_LOCAL_SW, 0, 1, buf_gpa, 1).error,
			SBI_ERR_INVALID_ADDRESS);
	GUEST_ASSERT_EQ(sse(SSE_READ_ATTRS, EV_LOCAL_SW, 0, 1, buf_gpa + 4, 0).error,
			SBI_ERR_INVALID_PARAM);
	r = read_attrs(EV_LOCAL_SW, 0, 6);
	GUEST_ASSERT_EQ(r.error, 0);
	GUEST_ASSERT_EQ(attr_buf[ATTR_STATUS] & 3, 2);		/* ENABLED */
	GUEST_ASSERT_EQ(attr_buf[ATTR_ENTRY_PC], (unsigned long)sse_entry);
	GUEST_ASSERT_EQ(attr_buf[ATTR_PREFERRED_HART], 0);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_SW, ATTR_STATUS, 0).error, SBI_ERR_DENIED);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_SW, ATTR_ENTRY_PC, 0).error, SBI_ERR_DENIED);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_SW, ATTR_ENTRY_ARG, 0).error, SBI_ERR_DENIED);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_SW, ATTR_PREFERRED_HART, 0).error, SBI_ERR_DENIED);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_SW, ATTR_PRIORITY, 3).error, SBI_ERR_INVALID_STATE);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_SW, ATTR_INT_A6, 3).error, SBI_ERR_INVALID_STATE);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_RAS, ATTR_CONFIG, 2).error, SBI_ERR_INVALID_PARAM);
	GUEST_ASSERT_EQ(write_attr(EV_GLOBAL_SW, ATTR_PREFERRED_HART, 7).error,
			SBI_ERR_INVALID_PARAM);

	/* Mask state, complete with nothing running, inject to no hart. */
	GUEST_ASSERT_EQ(sse(SSE_HART_MASK, 0, 0, 0, 0, 0).error, SBI_ERR_ALREADY_STOPPED);
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, SBI_ERR_ALREADY_STARTED);
	GUEST_ASSERT_EQ(sse(SSE_COMPLETE, 0, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_INJECT, EV_LOCAL_SW, 5, 0, 0, 0).error, SBI_ERR_INVALID_PARAM);
	GUEST_ASSERT_EQ(sse(SSE_INJECT, 0x12345678, 0, 0, 0, 0).error, SBI_ERR_INVALID_PARAM);
	GUEST_ASSERT_EQ(nr_entries, 0);
}

/* ---- entry state and exact resumption ---- */

static void guest_entry_state(void)
{
	unsigned long out_a0, out_a6, out_a7, out_t5, out_s5, resume;
	struct entry *e = &log_entries[0];

	sse_setup(EV_LOCAL_SW, 9, 0);
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, 0);

	/*
	 * inject, in one asm with its own registers: the event fires as the
	 * ecall returns; complete must give back every register.
	 */
	asm volatile("mv	a0, %[ev]\n"
		     "li	a1, 0\n"
		     "li	a6, " __stringify(SSE_INJECT) "\n"
		     "li	a7, " __stringify(SBI_EXT_SSE) "\n"
		     "li	t5, 0x7e57\n"
		     "li	s5, 0x5e5e\n"
		     "lla	t6, 1f\n"
		     "mv	%[resume], t6\n"
		     "ecall\n"
		     "1:\n"
		     "mv	%[a0], a0\n"
		     "mv	%[a6], a6\n"
		     "mv	%[a7], a7\n"
		     "mv	%[t5], t5\n"
		     "mv	%[s5], s5\n"
		     : [a0] "=r"(out_a0), [a6] "=r"(out_a6), [a7] "=r"(out_a7),
		       [t5] "=r"(out_t5), [s5] "=r"(out_s5), [resume] "=&r"(resume)
		     : [ev] "r"(EV_LOCAL_SW)
		     : "a0", "a1", "a6", "a7", "t5", "t6", "s5", "memory");
	GUEST_ASSERT_EQ(nr_entries, 1);
	GUEST_ASSERT_EQ(out_a0, 0);
	GUEST_ASSERT_EQ(out_a6, SSE_INJECT);
	GUEST_ASSERT_EQ(out_a7, SBI_EXT_SSE);
	GUEST_ASSERT_EQ(out_t5, 0x7e57);
	GUEST_ASSERT_EQ(out_s5, 0x5e5e);

	GUEST_ASSERT_EQ(e->arg, 9);
	GUEST_ASSERT_EQ(e->hartid, 0);
	__GUEST_ASSERT(e->sepc == resume, "handler sepc %#lx, interrupted at %#lx",
		       e->sepc, resume);
	GUEST_ASSERT(e->sstatus & SR_SPP);			/* interrupted in S */
	GUEST_ASSERT(!(e->sstatus & SR_SIE));
	GUEST_ASSERT_EQ(e->attrs[ATTR_STATUS] & 3, 3);		/* RUNNING */
	GUEST_ASSERT_EQ(e->attrs[ATTR_INT_A6], SSE_INJECT);
	GUEST_ASSERT_EQ(e->attrs[ATTR_INT_A7], SBI_EXT_SSE);
	GUEST_ASSERT_EQ(e->attrs[ATTR_ENTRY_ARG], ARG(EV_LOCAL_SW, 9));

	/* Back to ENABLED; one-shot: to REGISTERED after complete. */
	GUEST_ASSERT_EQ(read_attrs(EV_LOCAL_SW, ATTR_STATUS, 1).error, 0);
	GUEST_ASSERT_EQ(attr_buf[0] & 7, 2);
	GUEST_ASSERT_EQ(sse(SSE_DISABLE, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_SW, ATTR_CONFIG, 1).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_ENABLE, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_INJECT, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(nr_entries, 2);
	GUEST_ASSERT_EQ(read_attrs(EV_LOCAL_SW, ATTR_STATUS, 1).error, 0);
	GUEST_ASSERT_EQ(attr_buf[0] & 7, 1);			/* REGISTERED */
	GUEST_ASSERT_EQ(sse(SSE_INJECT, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(nr_entries, 2);				/* not enabled */
	GUEST_ASSERT_EQ(sse(SSE_UNREGISTER, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
}

/* ---- priorities, nesting, masking ---- */

static void guest_nesting(void)
{
	int i;

	/* Low-priority event 1 (priority 10) injects urgent event 2 (1). */
	sse_setup(EV_LOCAL_SW, 1, 10);
	sse_setup(EV_LOCAL_RAS, 2, 1);
	nested_inject = EV_LOCAL_RAS;
	nested_on = true;

	/* Masked: stays pending. */
	GUEST_ASSERT_EQ(sse(SSE_INJECT, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(nr_entries, 0);
	GUEST_ASSERT_EQ(read_attrs(EV_LOCAL_SW, ATTR_STATUS, 1).error, 0);
	GUEST_ASSERT(attr_buf[0] & 4);				/* pending */
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(nr_entries, 2);
	/* 2 preempted 1: 1 in, 2 in, 2 out, 1 out. */
	GUEST_ASSERT_EQ(log_order[0], 1);
	GUEST_ASSERT_EQ(log_order[1], 2);
	GUEST_ASSERT_EQ(log_order[2], -2);
	GUEST_ASSERT_EQ(log_order[3], -1);

	/* The other way round: the urgent handler injects the low one. */
	nr_log = 0;
	nested_on = false;
	GUEST_ASSERT_EQ(sse(SSE_DISABLE, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_DISABLE, EV_LOCAL_RAS, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_SW, ATTR_PRIORITY, 1).error, 0);
	GUEST_ASSERT_EQ(write_attr(EV_LOCAL_RAS, ATTR_PRIORITY, 10).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_ENABLE, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_ENABLE, EV_LOCAL_RAS, 0, 0, 0, 0).error, 0);
	nested_on = true;			/* 1 (now urgent) injects 2 */
	GUEST_ASSERT_EQ(sse(SSE_INJECT, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(nr_entries, 4);
	/* 2 waited for 1: 1 in, 1 out, 2 in, 2 out. */
	GUEST_ASSERT_EQ(log_order[0], 1);
	GUEST_ASSERT_EQ(log_order[1], -1);
	GUEST_ASSERT_EQ(log_order[2], 2);
	GUEST_ASSERT_EQ(log_order[3], -2);
	for (i = 0; i < 4; i++)
		GUEST_ASSERT_EQ(log_entries[i].hartid, 0);
}

/* ---- global events, preferred hart ---- */

static bool hart1_ready;

static void guest_global(void)
{
	int i;

	if (guest_get_vcpuid() == 1) {
		GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, 0);
		WRITE_ONCE(hart1_ready, true);
		for (i = 0; i < 100000000 && !READ_ONCE(nr_entries); i++)
			asm volatile("nop");
		GUEST_ASSERT_EQ(READ_ONCE(nr_entries), 1);
		return;
	}
	while (!READ_ONCE(hart1_ready))
		asm volatile("nop");
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(write_attr(EV_GLOBAL_SW, ATTR_PREFERRED_HART, 1).error, 0);
	GUEST_ASSERT_EQ(read_attrs(EV_GLOBAL_SW, ATTR_PREFERRED_HART, 1).error, 0);
	GUEST_ASSERT_EQ(attr_buf[0], 1);
	sse_setup(EV_GLOBAL_SW, 5, 0);
	GUEST_ASSERT_EQ(write_attr(EV_GLOBAL_SW, ATTR_PREFERRED_HART, 0).error,
			SBI_ERR_INVALID_STATE);		/* enabled */
	/* hart_id is ignored for a global event. */
	GUEST_ASSERT_EQ(sse(SSE_INJECT, EV_GLOBAL_SW, 77, 0, 0, 0).error, 0);
	/* Until the handler on hart 1 has written its record and left. */
	for (i = 0; i < 100000000 && __atomic_load_n(&nr_log, __ATOMIC_SEQ_CST) < 2; i++)
		asm volatile("nop");
	GUEST_ASSERT_EQ(READ_ONCE(nr_entries), 1);
	GUEST_ASSERT_EQ(log_entries[0].hartid, 1);
	GUEST_ASSERT_EQ(log_entries[0].arg, 5);
}

/* ---- the VMM injects ---- */

static void guest_vmm(void)
{
	int i;

	sse_setup(EV_LOCAL_RAS_LOW, 6, 0);
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, 0);
	GUEST_SYNC(1);			/* the VMM injects now */
	for (i = 0; i < 100000000 && !READ_ONCE(nr_entries); i++)
		asm volatile("nop");
	GUEST_ASSERT_EQ(READ_ONCE(nr_entries), 1);
	GUEST_ASSERT_EQ(log_entries[0].arg, 6);
}

/* A hart halted in WFI, with no interrupt enabled, wakes for an event. */
static void guest_wfi(void)
{
	sse_setup(EV_LOCAL_RAS_LOW, 9, 0);
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, 0);
	csr_write(CSR_SIE, 0);
	GUEST_SYNC(2);			/* the VMM injects while we wait */
	while (!READ_ONCE(nr_entries))
		asm volatile("wfi" ::: "memory");
	GUEST_ASSERT_EQ(log_entries[0].arg, 9);
}

/* ---- state saved and restored ---- */

static void guest_save(void)
{
	sse_setup(EV_LOCAL_SW, 7, 5);
	sse_setup(EV_GLOBAL_SW, 8, 6);
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, 0);
}

/* In a new VM with the saved state: both events fire at once. */
static void guest_restored(void)
{
	GUEST_ASSERT_EQ(read_attrs(EV_LOCAL_SW, 0, 6).error, 0);
	GUEST_ASSERT_EQ(attr_buf[ATTR_STATUS] & 3, 2);
	GUEST_ASSERT_EQ(attr_buf[ATTR_PRIORITY], 5);
	GUEST_ASSERT_EQ(attr_buf[ATTR_ENTRY_PC], (unsigned long)sse_entry);
	GUEST_ASSERT_EQ(sse(SSE_INJECT, EV_LOCAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(sse(SSE_INJECT, EV_GLOBAL_SW, 0, 0, 0, 0).error, 0);
	GUEST_ASSERT_EQ(nr_entries, 2);
	GUEST_ASSERT_EQ(log_entries[0].arg, 7);
	GUEST_ASSERT_EQ(log_entries[1].arg, 8);
	GUEST_ASSERT_EQ(sse(SSE_HART_UNMASK, 0, 0, 0, 0, 0).error, SBI_ERR_ALREADY_STARTED);
}

/* ---- host side ---- */

static struct kvm_vm *sse_vm(void (*fn)(void), int nr, struct kvm_vcpu **vcpus)
{
	struct kvm_vm *vm = vm_create_with_vcpus(nr, guest_main, vcpus);

	guest_fn = fn;
	sync_global_to_guest(vm, guest_fn);
	buf_gpa = addr_gva2gpa(vm, (vm_vaddr_t)attr_buf);
	sync_global_to_guest(vm, buf_gpa);
	TEST_ASSERT(!sbi_test_gpa_is_ram(vm, HOLE_GPA), "%#lx is guest RAM", HOLE_GPA);
	return vm;
}

static int vmm_inject(struct kvm_vm *vm, uint32_t ev, uint64_t hart, uint32_t flags)
{
	struct kvm_riscv_sbi_sse_inject inj = {
		.event_id = ev, .hart_id = hart, .flags = flags,
	};
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_SSE,
		.attr = KVM_RISCV_VM_SBI_SSE_INJECT,
		.addr = (uint64_t)(unsigned long)&inj,
	};

	return ioctl(vm->fd, KVM_SET_DEVICE_ATTR, &attr) ? errno : 0;
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			return NULL;
		case UCALL_SYNC: {
			int rc;

			/* Bad injections first, then the real one. */
			rc = vmm_inject(vcpu->vm, EV_LOCAL_RAS_LOW, 0, 1);
			TEST_ASSERT(rc == EINVAL, "flags 1: %s", strerror(rc));
			rc = vmm_inject(vcpu->vm, 0x12345678, 0, 0);
			TEST_ASSERT(rc == EINVAL, "unknown event: %s", strerror(rc));
			rc = vmm_inject(vcpu->vm, EV_LOCAL_RAS_LOW, 9, 0);
			TEST_ASSERT(rc == ENOENT, "hart 9: %s", strerror(rc));
			rc = vmm_inject(vcpu->vm, EV_LOCAL_RAS_LOW, 0, 0);
			TEST_ASSERT(!rc, "inject: %s", strerror(rc));
			break;
		}
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("vCPU %u: unexpected exit %s", vcpu->id,
				  exit_reason_str(vcpu->run->exit_reason));
		}
	}
}

static void run_vm(void (*fn)(void), int nr)
{
	struct kvm_vcpu *vcpus[2];
	struct kvm_vm *vm = sse_vm(fn, nr, vcpus);
	pthread_t t[2];
	int i;

	for (i = 0; i < nr; i++)
		pthread_create(&t[i], NULL, vcpu_thread, vcpus[i]);
	for (i = 0; i < nr; i++)
		pthread_join(t[i], NULL);
	kvm_vm_free(vm);
}

static void test_errors(void)
{
	run_vm(guest_errors, 1);
}

static void test_entry_state(void)
{
	run_vm(guest_entry_state, 1);
}

static void test_nesting(void)
{
	run_vm(guest_nesting, 1);
}

static void test_global(void)
{
	run_vm(guest_global, 2);
}

static void test_vmm(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = sse_vm(guest_vmm, 1, &vcpu);
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_SSE,
		.attr = KVM_RISCV_VM_SBI_SSE_INJECT,
	};

	TEST_ASSERT(!ioctl(vm->fd, KVM_HAS_DEVICE_ATTR, &attr), "HAS_DEVICE_ATTR: %s",
		    strerror(errno));
	vcpu_thread(vcpu);
	kvm_vm_free(vm);
}

static void *inject_later(void *vm)
{
	int rc;

	usleep(200 * 1000);	/* the vCPU is halted in WFI by now */
	rc = vmm_inject(vm, EV_LOCAL_RAS_LOW, 0, 0);
	TEST_ASSERT(!rc, "inject: %s", strerror(rc));
	return NULL;
}

static void test_wfi(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = sse_vm(guest_wfi, 1, &vcpu);
	pthread_t t = 0;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			TEST_ASSERT(t, "no GUEST_SYNC");
			pthread_join(t, NULL);
			kvm_vm_free(vm);
			return;
		case UCALL_SYNC:
			pthread_create(&t, NULL, inject_later, vm);
			break;
		default:
			sbi_test_report_exit(vcpu);
		}
	}
}

#define SSE_REG(n)	(KVM_REG_RISCV | KVM_REG_SIZE_ULONG | KVM_REG_RISCV_SBI_STATE | \
			 KVM_REG_RISCV_SBI_SSE | (n))

static void test_state(void)
{
	static uint64_t ids[128], vals[128];
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = sse_vm(guest_save, 1, &vcpu);
	struct kvm_reg_list *list;
	int i, n = 0;

	vcpu_thread(vcpu);
	list = vcpu_get_reg_list(vcpu);
	for (i = 0; i < list->n; i++) {
		uint64_t id = list->reg[i];

		if ((id & KVM_REG_RISCV_TYPE_MASK) != KVM_REG_RISCV_SBI_STATE ||
		    (id & KVM_REG_RISCV_SUBTYPE_MASK) != KVM_REG_RISCV_SBI_SSE)
			continue;
		TEST_ASSERT(n < ARRAY_SIZE(ids), "too many SSE registers");
		ids[n] = id;
		vcpu_get_reg(vcpu, id, &vals[n++]);
	}
	free(list);
	TEST_ASSERT(n == 61, "%d SSE state registers listed, want 61", n);
	TEST_ASSERT(__vcpu_set_reg(vcpu, ids[0], vals[0]) && errno == EBUSY,
		    "SSE state written after the vCPU ran");
	TEST_ASSERT(__vcpu_get_reg(vcpu, SSE_REG(10), &vals[127]) && errno == ENOENT,
		    "register 10 (no attribute) exists");
	kvm_vm_free(vm);

	vm = sse_vm(guest_restored, 1, &vcpu);
	TEST_ASSERT(__vcpu_set_reg(vcpu, SSE_REG(0), 3) && errno == EINVAL,
		    "a RUNNING state restored");
	TEST_ASSERT(__vcpu_set_reg(vcpu, SSE_REG(96), 2) && errno == EINVAL,
		    "mask 2 accepted");
	for (i = 0; i < n; i++)
		vcpu_set_reg(vcpu, ids[i], vals[i]);
	vcpu_thread(vcpu);
	kvm_vm_free(vm);
}

static const struct sbi_test_group groups[] = {
	{ "sse: error paths of every function",				test_errors },
	{ "sse: handler entry state, exact resume, one-shot",		test_entry_state },
	{ "sse: nesting by priority, pending while masked",		test_nesting },
	{ "sse: global event to its preferred hart",			test_global },
	{ "sse: VMM-injected event, bad injections",			test_vmm },
	{ "sse: an event wakes a hart halted in WFI",			test_wfi },
	{ "sse: state saved, restored into a new VM, delivered",	test_state },
};

int main(void)
{
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
