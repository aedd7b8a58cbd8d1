// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_hart_test - SBI calls that act on harts: IPI, RFENCE, TIME, legacy.
 *
 * With several vCPUs: send_ipi reaches exactly the selected harts
 * (hart_mask_base 0, n and -1), a selection naming a hart that is not a vCPU
 * is SBI_ERR_INVALID_PARAM and sends nothing; the remote fences accept the
 * same selections, refuse absent harts, wrapping ranges and ASIDs wider
 * than the guest's satp holds, and the hfence functions are not supported.
 * TIME set_timer raises and clears sip.STIP.
 * The legacy calls read their hart mask through a guest virtual address:
 * an unmapped one is a load page fault for the guest at the ecall, one that
 * is mapped but not yet in the G-stage must just work, and harts in the mask
 * that are not vCPUs are skipped. Legacy calls write a0 only (a1 and the
 * rest are checked after each), and clear_ipi says whether an IPI was
 * pending.
 *
 * Each check group runs in its own process with its own VM.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "sbi.h"
#include "test_util.h"
#include "ucall_common.h"

#define RFENCE_FENCE_I			0
#define RFENCE_SFENCE_VMA		1
#define RFENCE_SFENCE_VMA_ASID		2
#define RFENCE_HFENCE_GVMA_VMID		3
#define RFENCE_HFENCE_VVMA		6

#define LEGACY_SET_TIMER		0x00
#define LEGACY_CLEAR_IPI		0x03
#define LEGACY_SEND_IPI			0x04
#define LEGACY_REMOTE_FENCE_I		0x05
#define LEGACY_REMOTE_SFENCE_VMA	0x06
#define LEGACY_REMOTE_SFENCE_VMA_ASID	0x07

#define A1_MAGIC			0x5a5a1234c0ffee11UL
#define LEGACY_FID			0x1234UL
#define ARG_PATTERN(n)			(0xa5a50000f00d0000UL | (n) * 0x101UL)

/* Sv48 user half, far from anything the library maps. */
#define UNMAPPED_GVA			0x500000000000UL

#define NR_VCPUS			4
#define ALL_HARTS			((1UL << NR_VCPUS) - 1)
#define WAIT_MS				3000
#define SETTLE_MS			20
#define STIP_POLLS			1000

/* Set by the host part. */
static unsigned long timer_freq;
static int nr_vcpus;
static void (*primary_fn)(void);
static unsigned long *untouched_mask;
/* The hart shows a VS-mode guest sip.STIP (not QEMU 7.2's: sbi.rst). */
static bool stip_visible;

/* Shared by the vCPUs. */
static unsigned long ipi_count[NR_VCPUS];
static unsigned long timer_irqs;
static bool online[NR_VCPUS];
static bool stop_secondaries;
static unsigned long legacy_mask;

/* The last load page fault the guest took. */
static unsigned long fault_count, fault_cause, fault_tval, fault_epc;

/* ---- guest helpers ---- */

static void delay_ms(unsigned long ms)
{
	sbi_test_wait_until(false, ms);
}

/* A legacy call; checks that every register but a0 survived it. */
static long legacy_call(unsigned long eid, unsigned long arg0, unsigned long arg1,
			unsigned long arg2, unsigned long arg3)
{
	unsigned long in[8] = { arg0, arg1, arg2, arg3, ARG_PATTERN(4),
				ARG_PATTERN(5), LEGACY_FID, eid };
	unsigned long r[8];
	int i;

	for (i = 0; i < 8; i++)
		r[i] = in[i];
	sbi_ecall_regs(r);
	for (i = 1; i < 8; i++)
		__GUEST_ASSERT(r[i] == in[i], "legacy EID %#lx changed a%d: %#lx",
			       eid, i, r[i]);
	return r[0];
}

static struct sbiret send_ipi(unsigned long mask, unsigned long base)
{
	return sbi_ecall(SBI_EXT_IPI, 0, mask, base, 0, 0, 0, 0);
}

static struct sbiret rfence(unsigned long fid, unsigned long mask, unsigned long base,
			    unsigned long start, unsigned long size, unsigned long asid)
{
	return sbi_ecall(SBI_EXT_RFENCE, fid, mask, base, start, size, asid, 0);
}

static struct sbiret set_timer(unsigned long when)
{
	return sbi_ecall(SBI_EXT_TIME, 0, when, 0, 0, 0, 0, 0);
}

static void reset_counts(void)
{
	int i;

	for (i = 0; i < NR_VCPUS; i++)
		WRITE_ONCE(ipi_count[i], 0);
}

/* Exactly the harts in @harts got one IPI since reset_counts(). */
static void expect_ipis(unsigned long harts, unsigned long mask, unsigned long base)
{
	unsigned long got;
	int i;

	for (i = 0; i < nr_vcpus; i++)
		__GUEST_ASSERT(!(harts & BIT(i)) ||
			       sbi_test_wait_until(READ_ONCE(ipi_count[i]), WAIT_MS),
			       "mask %#lx base %#lx: hart %d got no IPI", mask, base, i);
	delay_ms(SETTLE_MS);
	for (i = 0; i < nr_vcpus; i++) {
		got = READ_ONCE(ipi_count[i]);
		__GUEST_ASSERT(got == !!(harts & BIT(i)),
			       "mask %#lx base %#lx: hart %d got %lu IPIs, want %d",
			       mask, base, i, got, !!(harts & BIT(i)));
	}
}

static void irq_handler(struct ex_regs *regs)
{
	unsigned long irq = regs->cause & ~CAUSE_IRQ_FLAG;

	if (irq == IRQ_S_TIMER) {
		__GUEST_ASSERT(!stip_visible || (csr_read(CSR_SIP) & IE_TIE),
			       "timer interrupt handler: sip.STIP clear");
		/* Stays pending until the next set_timer: mask it. */
		csr_clear(CSR_SIE, IE_TIE);
		WRITE_ONCE(timer_irqs, timer_irqs + 1);
		return;
	}
	__GUEST_ASSERT(irq == IRQ_S_SOFT, "unexpected interrupt %lu", irq);
	csr_clear(CSR_SIP, IE_SIE);
	__atomic_fetch_add(&ipi_count[guest_get_vcpuid()], 1, __ATOMIC_SEQ_CST);
}

static void load_fault_handler(struct ex_regs *regs)
{
	WRITE_ONCE(fault_cause, regs->cause);
	WRITE_ONCE(fault_tval, csr_read(CSR_STVAL));
	WRITE_ONCE(fault_epc, regs->epc);
	WRITE_ONCE(fault_count, fault_count + 1);
	regs->epc += 4;		/* skip the ecall */
}

static void secondary_idle(void)
{
	for (;;) {
		local_irq_disable();
		if (READ_ONCE(stop_secondaries))
			break;
		asm volatile("wfi" ::: "memory");
		local_irq_enable();
	}
	local_irq_enable();
}

static void guest_code(void)
{
	uint32_t id = guest_get_vcpuid();
	int i;

	csr_set(CSR_SIE, IE_SIE);
	local_irq_enable();
	WRITE_ONCE(online[id], true);
	if (id) {
		secondary_idle();
		GUEST_DONE();
	}

	for (i = 1; i < nr_vcpus; i++)
		__GUEST_ASSERT(sbi_test_wait_until(READ_ONCE(online[i]), WAIT_MS),
			       "vCPU %d did not come up", i);
	primary_fn();

	WRITE_ONCE(stop_secondaries, true);
	if (nr_vcpus > 1)
		GUEST_ASSERT_EQ(send_ipi(ALL_HARTS & ~1UL, 0).error, SBI_SUCCESS);
	GUEST_DONE();
}

/* ---- IPI ---- */

struct hart_sel {
	unsigned long mask;
	unsigned long base;
	unsigned long harts;	/* the vCPUs this selects */
};

static const struct hart_sel valid_sels[] = {
	{ 0x2, 0, 0x2 }, { 0xd, 0, 0xd }, { 0xf, 0, 0xf },
	{ 0x5, 1, 0xa }, { 0x7, 1, 0xe }, { 0x2, 2, 0x8 }, { 0x1, 3, 0x8 },
	{ 0x0, -1UL, 0xf }, { 0x1, -1UL, 0xf },
	/* Nothing selected: a base that is not a hart is fine. */
	{ 0x0, 1000, 0 }, { 0x0, 4, 0 },
};

static const struct hart_sel absent_sels[] = {
	{ 1UL << 63, 0 }, { 0x6 | 1UL << 63, 0 }, { 0x10, 0 },
	{ 0x1, 4 }, { 0x7, 2 }, { 0x1, 1000 }, { 0x3, -2UL },
	/* Harts -2, -1 (absent) and, wrapping, 0: must not reach hart 0. */
	{ 0x4, -2UL }, { 0x1UL << 2 | 1UL << 63, -2UL },
};

static void guest_ipi(void)
{
	struct sbiret ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(valid_sels); i++) {
		reset_counts();
		ret = send_ipi(valid_sels[i].mask, valid_sels[i].base);
		__GUEST_ASSERT(ret.error == SBI_SUCCESS, "mask %#lx base %#lx: error %ld",
			       valid_sels[i].mask, valid_sels[i].base, ret.error);
		expect_ipis(valid_sels[i].harts, valid_sels[i].mask, valid_sels[i].base);
	}
}

static void guest_ipi_absent(void)
{
	struct sbiret ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(absent_sels); i++) {
		reset_counts();
		ret = send_ipi(absent_sels[i].mask, absent_sels[i].base);
		__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM,
			       "mask %#lx base %#lx: error %ld",
			       absent_sels[i].mask, absent_sels[i].base, ret.error);
		expect_ipis(0, absent_sels[i].mask, absent_sels[i].base);
	}
}

/* ---- RFENCE ---- */

struct range {
	unsigned long start;
	unsigned long size;
};

static const struct range valid_ranges[] = {
	{ 0, 0 }, { 0, -1UL }, { 0x10000, 0x2000 }, { 0x1000, 1 },
	{ 0x7ffffff000UL, 0x1000 },
};

static const struct range wrapping_ranges[] = {
	{ -4096UL, 8192 }, { -1UL, 2 }, { 0x2000, -0x1000UL },
};

static void guest_rfence(void)
{
	unsigned long m, b;
	struct sbiret ret;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(valid_sels); i++) {
		m = valid_sels[i].mask;
		b = valid_sels[i].base;
		ret = rfence(RFENCE_FENCE_I, m, b, 0, 0, 0);
		__GUEST_ASSERT(!ret.error, "fence_i mask %#lx base %#lx: error %ld",
			       m, b, ret.error);
		for (j = 0; j < ARRAY_SIZE(valid_ranges); j++) {
			ret = rfence(RFENCE_SFENCE_VMA, m, b, valid_ranges[j].start,
				     valid_ranges[j].size, 0);
			__GUEST_ASSERT(!ret.error,
				       "sfence_vma mask %#lx base %#lx range %#lx+%#lx: error %ld",
				       m, b, valid_ranges[j].start, valid_ranges[j].size,
				       ret.error);
			ret = rfence(RFENCE_SFENCE_VMA_ASID, m, b, valid_ranges[j].start,
				     valid_ranges[j].size, j);
			__GUEST_ASSERT(!ret.error,
				       "sfence_vma_asid mask %#lx base %#lx range %#lx+%#lx: error %ld",
				       m, b, valid_ranges[j].start, valid_ranges[j].size,
				       ret.error);
		}
	}
}

static void guest_rfence_absent(void)
{
	unsigned long fid, m, b;
	struct sbiret ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(absent_sels); i++) {
		m = absent_sels[i].mask;
		b = absent_sels[i].base;
		for (fid = RFENCE_FENCE_I; fid <= RFENCE_SFENCE_VMA_ASID; fid++) {
			ret = rfence(fid, m, b, 0, 0, 0);
			__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM,
				       "FID %lu mask %#lx base %#lx: error %ld",
				       fid, m, b, ret.error);
		}
	}
}

static void guest_rfence_wrap(void)
{
	static const struct hart_sel sels[] = { { 0x1, 0 }, { 0x0, -1UL }, { 0x6, 0 } };
	unsigned long fid, s, z;
	struct sbiret ret;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(sels); i++) {
		for (j = 0; j < ARRAY_SIZE(wrapping_ranges); j++) {
			s = wrapping_ranges[j].start;
			z = wrapping_ranges[j].size;
			for (fid = RFENCE_SFENCE_VMA; fid <= RFENCE_SFENCE_VMA_ASID; fid++) {
				ret = rfence(fid, sels[i].mask, sels[i].base, s, z, 0);
				__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_ADDRESS,
					       "FID %lu range %#lx+%#lx: error %ld",
					       fid, s, z, ret.error);
			}
		}
	}
}

/* The guest's ASIDLEN: how many bits of satp.ASID (vsatp) hold a 1. */
static unsigned long guest_asid_max(void)
{
	unsigned long old = csr_read(CSR_SATP), val;

	csr_write(CSR_SATP, old | SATP_ASID_MASK << SATP_ASID_SHIFT);
	val = csr_read(CSR_SATP);
	csr_write(CSR_SATP, old);
	asm volatile("sfence.vma" ::: "memory");
	return (val >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
}

static void guest_rfence_asid(void)
{
	unsigned long max = guest_asid_max(), asid;
	static const struct hart_sel sels[] = { { 0x1, 0 }, { 0x0, -1UL }, { 0x6, 0 } };
	struct sbiret ret;
	int i;

	__GUEST_ASSERT(max && !(max & (max + 1)), "ASID field reads %#lx", max);
	for (i = 0; i < ARRAY_SIZE(sels); i++) {
		/* Every ASID the guest can hold is fine. */
		for (asid = 0; asid <= max; asid = asid * 2 + 1) {
			ret = rfence(RFENCE_SFENCE_VMA_ASID, sels[i].mask, sels[i].base,
				     0x10000, 0x1000, asid);
			__GUEST_ASSERT(!ret.error, "ASID %#lx (max %#lx): error %ld",
				       asid, max, ret.error);
		}
		/* Wider ones are a bad asid, whole range or not. */
		for (asid = max + 1; asid; asid <<= 1) {
			ret = rfence(RFENCE_SFENCE_VMA_ASID, sels[i].mask, sels[i].base,
				     0x10000, 0x1000, asid);
			__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM,
				       "ASID %#lx (max %#lx): error %ld", asid, max, ret.error);
			ret = rfence(RFENCE_SFENCE_VMA_ASID, sels[i].mask, sels[i].base,
				     0, 0, asid | max);
			__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM,
				       "ASID %#lx (max %#lx), all: error %ld",
				       asid | max, max, ret.error);
		}
		ret = rfence(RFENCE_SFENCE_VMA_ASID, sels[i].mask, sels[i].base, 0, 0, -1UL);
		__GUEST_ASSERT(ret.error == SBI_ERR_INVALID_PARAM, "ASID -1: error %ld",
			       ret.error);
	}
	/* The legacy call answers through RFENCE: a negative a0. */
	WRITE_ONCE(legacy_mask, 0x1);
	GUEST_ASSERT_EQ(legacy_call(LEGACY_REMOTE_SFENCE_VMA_ASID,
				    (unsigned long)&legacy_mask, 0, 0, max + 1),
			SBI_ERR_INVALID_PARAM);
	GUEST_ASSERT_EQ(legacy_call(LEGACY_REMOTE_SFENCE_VMA_ASID,
				    (unsigned long)&legacy_mask, 0, 0, max), 0);
}

static void guest_rfence_hfence(void)
{
	struct sbiret ret;
	unsigned long fid;

	for (fid = RFENCE_HFENCE_GVMA_VMID; fid <= RFENCE_HFENCE_VVMA + 2; fid++) {
		ret = rfence(fid, 0x1, 0, 0, 0, 0);
		__GUEST_ASSERT(ret.error == SBI_ERR_NOT_SUPPORTED,
			       "RFENCE FID %lu: error %ld", fid, ret.error);
		ret = rfence(fid, 0, -1UL, 0x10000, 0x1000, 1);
		__GUEST_ASSERT(ret.error == SBI_ERR_NOT_SUPPORTED,
			       "RFENCE FID %lu (all harts): error %ld", fid, ret.error);
	}
}

/* ---- TIME and legacy timer/IPI ---- */

static bool stip_pending(void)
{
	return csr_read(CSR_SIP) & IE_TIE;
}

/*
 * Is the timer interrupt pending? KVM raises it either in hvip or, with
 * Sstc, through vstimecmp; QEMU 7.2 delivers both but shows neither in a
 * VS-mode sip.STIP. So poll sip.STIP a bounded number of times, then let
 * the interrupt in for up to @ms and see whether it is taken. Where the
 * hart shows sip.STIP (stip_visible), guest_time() also asserts the bit.
 */
static bool timer_pending(unsigned long ms)
{
	unsigned long before = READ_ONCE(timer_irqs);
	bool taken;
	int i;

	for (i = 0; i < STIP_POLLS; i++)
		if (stip_pending())
			return true;

	local_irq_enable();
	csr_set(CSR_SIE, IE_TIE);
	taken = sbi_test_wait_until(READ_ONCE(timer_irqs) != before, ms);
	csr_clear(CSR_SIE, IE_TIE);
	return taken;
}

static bool ssip_pending(void)
{
	return csr_read(CSR_SIP) & IE_SIE;
}

static void guest_time(void)
{
	GUEST_ASSERT(!(csr_read(CSR_SIE) & IE_TIE));

	GUEST_ASSERT_EQ(set_timer(0).error, SBI_SUCCESS);
	/* A deadline in the past: pending with the interrupt masked. */
	__GUEST_ASSERT(!stip_visible || sbi_test_wait_until(stip_pending(), 1000),
		       "set_timer(0): sip.STIP clear");
	__GUEST_ASSERT(timer_pending(1000), "set_timer(0): timer not pending");

	/* Clears the pending interrupt although sie.STIE is clear. */
	GUEST_ASSERT_EQ(set_timer(sbi_test_now() + 100 * timer_freq).error, SBI_SUCCESS);
	__GUEST_ASSERT(!stip_pending(), "set_timer(+100 s) left STIP pending");
	__GUEST_ASSERT(!timer_pending(SETTLE_MS), "set_timer(+100 s): timer pending");

	GUEST_ASSERT_EQ(set_timer(sbi_test_now()).error, SBI_SUCCESS);
	__GUEST_ASSERT(timer_pending(1000), "set_timer(now): timer not pending");

	GUEST_ASSERT_EQ(set_timer(-1UL).error, SBI_SUCCESS);
	__GUEST_ASSERT(!stip_pending(), "set_timer(-1) left STIP pending");
	__GUEST_ASSERT(!timer_pending(SETTLE_MS), "set_timer(-1): timer pending");

	/* A deadline a little ahead arrives by itself. */
	GUEST_ASSERT_EQ(set_timer(sbi_test_now() + timer_freq / 100).error, SBI_SUCCESS);
	__GUEST_ASSERT(timer_pending(1000), "set_timer(+10 ms): timer never fired");
	GUEST_ASSERT_EQ(set_timer(-1UL).error, SBI_SUCCESS);
}

static void guest_legacy_timer_ipi(void)
{
	long a0;

	GUEST_ASSERT_EQ(legacy_call(LEGACY_SET_TIMER, 0, A1_MAGIC, 0, 0), 0);
	__GUEST_ASSERT(timer_pending(1000), "legacy set_timer(0): timer not pending");
	GUEST_ASSERT_EQ(legacy_call(LEGACY_SET_TIMER, -1UL, A1_MAGIC, 0, 0), 0);
	__GUEST_ASSERT(!stip_pending(), "legacy set_timer(-1) left STIP pending");
	__GUEST_ASSERT(!timer_pending(SETTLE_MS), "legacy set_timer(-1): timer pending");

	/* clear_ipi: 0 when nothing is pending, clears a pending IPI. */
	local_irq_disable();
	GUEST_ASSERT_EQ(legacy_call(LEGACY_CLEAR_IPI, 0, A1_MAGIC, 0, 0), 0);
	GUEST_ASSERT_EQ(send_ipi(0x1, 0).error, SBI_SUCCESS);
	__GUEST_ASSERT(sbi_test_wait_until(ssip_pending(), 1000), "self IPI: SSIP not pending");
	/* v0.1: positive when an IPI was pending; a1 is never written. */
	a0 = legacy_call(LEGACY_CLEAR_IPI, 0, A1_MAGIC, 0, 0);
	__GUEST_ASSERT(a0 > 0, "clear_ipi with an IPI pending: %ld", a0);
	__GUEST_ASSERT(!ssip_pending(), "clear_ipi left SSIP pending");
	GUEST_ASSERT_EQ(legacy_call(LEGACY_CLEAR_IPI, 0, A1_MAGIC, 0, 0), 0);
	/* An SSIP the guest set itself is pending too. */
	csr_set(CSR_SIP, IE_SIE);
	a0 = legacy_call(LEGACY_CLEAR_IPI, 0, A1_MAGIC, 0, 0);
	__GUEST_ASSERT(a0 > 0, "clear_ipi with SSIP set by the guest: %ld", a0);
	__GUEST_ASSERT(!ssip_pending(), "clear_ipi left the guest's SSIP pending");
	GUEST_ASSERT_EQ(legacy_call(LEGACY_CLEAR_IPI, 0, A1_MAGIC, 0, 0), 0);
	local_irq_enable();
	delay_ms(SETTLE_MS);
	GUEST_ASSERT_EQ(READ_ONCE(ipi_count[0]), 0);
}

/* ---- legacy calls with a hart mask pointer ---- */

static void legacy_ipi(unsigned long *maskp, unsigned long harts)
{
	long a0;

	reset_counts();
	a0 = legacy_call(LEGACY_SEND_IPI, (unsigned long)maskp, A1_MAGIC, 0, 0);
	__GUEST_ASSERT(a0 == 0, "legacy send_ipi (harts %#lx): a0 = %ld", harts, a0);
	expect_ipis(harts, harts, 0);
}

static void guest_legacy_send_ipi(void)
{
	WRITE_ONCE(legacy_mask, 0x4);
	legacy_ipi(&legacy_mask, 0x4);
	WRITE_ONCE(legacy_mask, 0xb);
	legacy_ipi(&legacy_mask, 0xb);
	WRITE_ONCE(legacy_mask, 0);
	legacy_ipi(&legacy_mask, 0);
}

static void guest_legacy_untouched(void)
{
	/* The host put 0x4 there; the guest never touches that page. */
	legacy_ipi(untouched_mask, 0x4);
}

static void guest_legacy_absent(void)
{
	WRITE_ONCE(legacy_mask, (1UL << 10) | (1UL << 63));
	legacy_ipi(&legacy_mask, 0);
	WRITE_ONCE(legacy_mask, 0x2 | (1UL << 40));
	legacy_ipi(&legacy_mask, 0x2);
}

static void guest_legacy_fences(void)
{
	static const unsigned long masks[] = { 0xe, 0x1, 0xf | (1UL << 20) };
	unsigned long m = (unsigned long)&legacy_mask;
	int i;

	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		WRITE_ONCE(legacy_mask, masks[i]);
		GUEST_ASSERT_EQ(legacy_call(LEGACY_REMOTE_FENCE_I, m, A1_MAGIC, 0, 0), 0);
		GUEST_ASSERT_EQ(legacy_call(LEGACY_REMOTE_SFENCE_VMA, m, 0, 0, 0), 0);
		GUEST_ASSERT_EQ(legacy_call(LEGACY_REMOTE_SFENCE_VMA, m, 0x10000, 0x3000, 0), 0);
		GUEST_ASSERT_EQ(legacy_call(LEGACY_REMOTE_SFENCE_VMA_ASID, m, 0, 0, 1), 0);
		GUEST_ASSERT_EQ(legacy_call(LEGACY_REMOTE_SFENCE_VMA_ASID, m,
					    0x10000, 0x3000, 0), 0);
	}
}

/* A legacy call whose a0 is a hart mask pointer; *pc = the ecall's address. */
static unsigned long legacy_call_at(unsigned long eid, unsigned long maskp,
				    unsigned long *pc, unsigned long *a1_out)
{
	register unsigned long a0 asm("a0") = maskp;
	register unsigned long a1 asm("a1") = A1_MAGIC;
	register unsigned long a7 asm("a7") = eid;
	unsigned long addr;

	asm volatile("lla %[addr], 1f\n"
		     "1: ecall\n"
		     : [addr] "=&r"(addr), "+r"(a0), "+r"(a1)
		     : "r"(a7)
		     : "memory");
	*pc = addr;
	*a1_out = a1;
	return a0;
}

static void guest_legacy_fault(void)
{
	static const unsigned long eids[] = {
		LEGACY_SEND_IPI, LEGACY_REMOTE_FENCE_I, LEGACY_REMOTE_SFENCE_VMA,
		LEGACY_REMOTE_SFENCE_VMA_ASID,
	};
	unsigned long pc, a0, a1;
	int i;

	for (i = 0; i < ARRAY_SIZE(eids); i++) {
		WRITE_ONCE(fault_count, 0);
		a0 = legacy_call_at(eids[i], UNMAPPED_GVA, &pc, &a1);
		__GUEST_ASSERT(READ_ONCE(fault_count) == 1,
			       "legacy EID %#lx: %lu load page faults", eids[i], fault_count);
		GUEST_ASSERT_EQ(fault_cause, EXC_LOAD_PAGE_FAULT);
		GUEST_ASSERT_EQ(fault_tval, UNMAPPED_GVA);
		GUEST_ASSERT_EQ(fault_epc, pc);
		/* The call did not complete: nothing was written back. */
		GUEST_ASSERT_EQ(a0, UNMAPPED_GVA);
		GUEST_ASSERT_EQ(a1, A1_MAGIC);
	}

	/* The vCPU and the host carry on. */
	WRITE_ONCE(legacy_mask, 0x1);
	legacy_ipi(&legacy_mask, 0x1);
}

/* ---- host side ---- */

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			return NULL;
		case UCALL_SYNC:
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("vCPU %u: unexpected exit %s", vcpu->id,
				  exit_reason_str(vcpu->run->exit_reason));
		}
	}
}

/*
 * SBI_TEST_PLATFORM=qemu-<major>.<minor> (scripts/qemu-run.py): QEMU 8 and
 * later show a VS-mode guest sip.STIP; 7.2 and an unnamed platform are not
 * held to it.
 */
static bool platform_shows_stip(void)
{
	const char *plat = getenv("SBI_TEST_PLATFORM");
	int major, minor;

	return plat && sscanf(plat, "qemu-%d.%d", &major, &minor) == 2 &&
	       major >= 8;
}

static void run_vm(int nr, void (*fn)(void), void (*setup)(struct kvm_vm *vm))
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	pthread_t threads[NR_VCPUS];
	struct kvm_vm *vm;
	int i;

	vm = vm_create_with_vcpus(nr, guest_code, vcpus);
	vm_init_vector_tables(vm);
	vm_install_interrupt_handler(vm, irq_handler);
	vm_install_exception_handler(vm, EXC_LOAD_PAGE_FAULT, load_fault_handler);
	for (i = 0; i < nr; i++)
		vcpu_init_vector_tables(vcpus[i]);

	vcpu_get_reg(vcpus[0], RISCV_TIMER_REG(frequency), &timer_freq);
	nr_vcpus = nr;
	primary_fn = fn;
	stip_visible = platform_shows_stip();
	sync_global_to_guest(vm, stip_visible);
	sync_global_to_guest(vm, timer_freq);
	sync_global_to_guest(vm, nr_vcpus);
	sync_global_to_guest(vm, primary_fn);
	if (setup)
		setup(vm);

	for (i = 0; i < nr; i++)
		pthread_create(&threads[i], NULL, vcpu_thread, vcpus[i]);
	for (i = 0; i < nr; i++)
		pthread_join(threads[i], NULL);
	kvm_vm_free(vm);
}

static void setup_untouched(struct kvm_vm *vm)
{
	vm_vaddr_t gva = vm_vaddr_alloc_page(vm);

	/* Written through the host mapping: no G-stage mapping appears. */
	*(unsigned long *)addr_gva2hva(vm, gva) = 0x4;
	untouched_mask = (unsigned long *)gva;
	sync_global_to_guest(vm, untouched_mask);
}

static void setup_unmapped(struct kvm_vm *vm)
{
	TEST_ASSERT(!sparsebit_is_set(vm->vpages_mapped, UNMAPPED_GVA >> vm->page_shift),
		    "%#lx is mapped", UNMAPPED_GVA);
}

static void test_ipi(void)
{
	run_vm(NR_VCPUS, guest_ipi, NULL);
}

static void test_ipi_absent(void)
{
	run_vm(NR_VCPUS, guest_ipi_absent, NULL);
}

static void test_rfence(void)
{
	run_vm(NR_VCPUS, guest_rfence, NULL);
}

static void test_rfence_absent(void)
{
	run_vm(NR_VCPUS, guest_rfence_absent, NULL);
}

static void test_rfence_wrap(void)
{
	run_vm(NR_VCPUS, guest_rfence_wrap, NULL);
}

static void test_rfence_asid(void)
{
	run_vm(NR_VCPUS, guest_rfence_asid, NULL);
}

static void test_rfence_hfence(void)
{
	run_vm(NR_VCPUS, guest_rfence_hfence, NULL);
}

static void test_time(void)
{
	run_vm(1, guest_time, NULL);
}

static void test_legacy_timer_ipi(void)
{
	run_vm(1, guest_legacy_timer_ipi, NULL);
}

static void test_legacy_send_ipi(void)
{
	run_vm(NR_VCPUS, guest_legacy_send_ipi, NULL);
}

static void test_legacy_fences(void)
{
	run_vm(NR_VCPUS, guest_legacy_fences, NULL);
}

static void test_legacy_fault(void)
{
	run_vm(1, guest_legacy_fault, setup_unmapped);
}

static void test_legacy_untouched(void)
{
	run_vm(NR_VCPUS, guest_legacy_untouched, setup_untouched);
}

static void test_legacy_absent(void)
{
	run_vm(NR_VCPUS, guest_legacy_absent, NULL);
}

/* ---- groups ---- */

/* ---- regressions of host bugs (tlb.c, patches/0007) ---- */

/*
 * A range in the top page of the address space: 6.12's tlb.c fenced page
 * by page while pos < start + size, which wraps to 0 after that page, and
 * looped about 2^52 times in the host (a hung CPU). It must just work.
 */
static void guest_rfence_top_page(void)
{
	static const unsigned long fids[] = { RFENCE_SFENCE_VMA, RFENCE_SFENCE_VMA_ASID };
	struct sbiret ret;
	int i;

	for (i = 0; i < 2; i++) {
		ret = rfence(fids[i], 0x1, 0, -4096UL, 0x800, 0);
		__GUEST_ASSERT(ret.error == SBI_SUCCESS, "fid %lu top page: error %ld",
			       fids[i], ret.error);
		ret = rfence(fids[i], 0x1, 0, -8192UL, 8192, 0);
		__GUEST_ASSERT(ret.error == SBI_SUCCESS, "fid %lu last 2 pages: error %ld",
			       fids[i], ret.error);
	}
	GUEST_DONE();
}

static void test_rfence_top_page(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_rfence_top_page);
	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_DONE)
		sbi_test_report_exit(vcpu);
	kvm_vm_free(vm);
}

/*
 * Hart masks whose shift would be 64 or more: 6.12's make_xfence_request()
 * computed 1UL << (vcpu_id - hart_mask_base) for every vCPU, which on
 * RISC-V is 1UL << ((vcpu_id - base) % 64): a fence for hart 0 also went
 * to vCPU 64. Here vCPU 64 spins in the guest while vCPU 0 fences hart 0
 * only, many times: vCPU 64 must not be kicked out of the guest for them
 * (its exits stat stays far below the number of fences).
 */
#define WIDE_ID			64
#define WIDE_FENCES		1000

static bool wide_stop;
static bool wide_spinning;

static void guest_wide_fencer(void)
{
	struct sbiret ret;
	int i;

	while (!READ_ONCE(wide_spinning))
		;
	GUEST_SYNC(0);
	for (i = 0; i < WIDE_FENCES; i++) {
		ret = rfence(RFENCE_FENCE_I, 0x1, 0, 0, 0, 0);
		__GUEST_ASSERT(ret.error == SBI_SUCCESS, "fence %d: error %ld", i, ret.error);
	}
	GUEST_SYNC(1);
	WRITE_ONCE(wide_stop, true);
	GUEST_DONE();
}

static void guest_wide_spinner(void)
{
	WRITE_ONCE(wide_spinning, true);
	while (!READ_ONCE(wide_stop))
		asm volatile("nop" ::: "memory");
	GUEST_DONE();
}

static void *wide_spin_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_DONE)
		sbi_test_report_exit(vcpu);
	return NULL;
}

static void test_rfence_wide_shift(void)
{
	struct kvm_vcpu *v0, *v64;
	uint64_t before = 0, after = 0;
	int stats_fd;
	struct kvm_vm *vm;
	pthread_t thread;
	struct ucall uc;

	vm = vm_create(2);
	v0 = vm_vcpu_add(vm, 0, guest_wide_fencer);
	v64 = vm_vcpu_add(vm, WIDE_ID, guest_wide_spinner);
	/* A vCPU other than the first starts stopped (HSM): start it. */
	vcpu_mp_state_set(v64, &(struct kvm_mp_state){ KVM_MP_STATE_RUNNABLE });
	stats_fd = vcpu_get_stats_fd(v64);
	pthread_create(&thread, NULL, wide_spin_thread, v64);
	for (;;) {
		vcpu_run(v0);
		switch (get_ucall(v0, &uc)) {
		case UCALL_SYNC:
			if (uc.args[1] == 0)
				before = sbi_test_stat(stats_fd, "exits");
			else
				after = sbi_test_stat(stats_fd, "exits");
			continue;
		case UCALL_DONE:
			break;
		default:
			sbi_test_report_exit(v0);
		}
		break;
	}
	pthread_join(thread, NULL);
	ksft_print_msg("vCPU %d: %lu exits during %d fences of hart 0\n",
		       WIDE_ID, (unsigned long)(after - before), WIDE_FENCES);
	close(stats_fd);
	TEST_ASSERT(after - before < WIDE_FENCES / 4,
		    "vCPU %d left the guest %lu times for %d fences of hart 0 only",
		    WIDE_ID, (unsigned long)(after - before), WIDE_FENCES);
	kvm_vm_free(vm);
}

static const struct sbi_test_group groups[] = {
	{ "rfence: a range in the top page is fenced, no hang",	test_rfence_top_page },
	{ "rfence: hart 0's fence does not reach vCPU 64",	test_rfence_wide_shift },
	{ "ipi: send_ipi reaches exactly the selected harts",	test_ipi },
	{ "ipi: absent hart is INVALID_PARAM, nothing sent",	test_ipi_absent },
	{ "rfence: fences succeed for bases 0, n and -1",	test_rfence },
	{ "rfence: absent hart is INVALID_PARAM",		test_rfence_absent },
	{ "rfence: wrapping range is INVALID_ADDRESS",		test_rfence_wrap },
	{ "rfence: hfence FIDs are NOT_SUPPORTED",		test_rfence_hfence },
	{ "rfence: ASID wider than vsatp's is INVALID_PARAM",	test_rfence_asid },
	{ "time: set_timer raises and clears STIP",		test_time },
	{ "legacy: set_timer and clear_ipi",			test_legacy_timer_ipi },
	{ "legacy: send_ipi reads the mask from guest memory",	test_legacy_send_ipi },
	{ "legacy: remote fences with a mask pointer",		test_legacy_fences },
	{ "legacy: unmapped mask pointer is a load page fault",	test_legacy_fault },
	{ "legacy: mask in a page not yet in the G-stage",	test_legacy_untouched },
	/* Last: Linux 6.12 dereferences a NULL vCPU here. */
	{ "legacy: send_ipi skips harts that are not vCPUs",	test_legacy_absent },
};

int main(void)
{
	ksft_print_header();
	close(open_kvm_dev_path_or_exit());
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
