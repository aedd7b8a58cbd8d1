/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sbi-conform: a bare-metal S-mode SBI conformance suite. This header is
 * the one interface of its runtime (runtime.c, head.S) that the check
 * groups (t_*.c) use: SBI calls, TAP output, CSRs, traps and interrupts,
 * time, secondary harts and the expectations from the command line.
 */
#ifndef SBI_CONFORM_H
#define SBI_CONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbi-spec.h"

/* The attributes by their kernel names, as tools/include spells them. */
#define __aligned(x)		__attribute__((aligned(x)))
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __noreturn		__attribute__((noreturn))

#define MAX_HARTS	8
#define PAGE_SIZE	4096UL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1UL << (n))

#define SIE_SSIE	BIT(1)
#define SIE_STIE	BIT(5)
#define SSTATUS_SIE	BIT(1)
#define SSTATUS_SPIE	BIT(5)
#define SSTATUS_SPP	BIT(8)
#define IRQ_S_SOFT	1
#define IRQ_S_TIMER	5
#define SCAUSE_IRQ	BIT(63)

#define csr_read(csr)						\
({								\
	unsigned long __v;					\
	asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory");	\
	__v;							\
})
#define csr_write(csr, val)					\
	do {							\
		asm volatile("csrw " #csr ", %0" :: "rK"(val) : "memory"); \
	} while (0)
#define csr_set(csr, val)					\
	do {							\
		asm volatile("csrs " #csr ", %0" :: "rK"(val) : "memory"); \
	} while (0)
#define csr_clear(csr, val)					\
	do {							\
		asm volatile("csrc " #csr ", %0" :: "rK"(val) : "memory"); \
	} while (0)

struct sbiret {
	long error;
	long value;
};

/*
 * head.S: a7 = eid, a6 = fid, a0-a5 = arguments: the calling convention
 * of a C function with eight arguments, so this is "ecall; ret".
 */
struct sbiret sbi_ecall(unsigned long a0, unsigned long a1, unsigned long a2,
			unsigned long a3, unsigned long a4, unsigned long a5,
			unsigned long fid, unsigned long eid);

#define sbi_call0(e, f)			sbi_ecall(0, 0, 0, 0, 0, 0, f, e)
#define sbi_call1(e, f, a)		sbi_ecall(a, 0, 0, 0, 0, 0, f, e)
#define sbi_call2(e, f, a, b)		sbi_ecall(a, b, 0, 0, 0, 0, f, e)
#define sbi_call3(e, f, a, b, c)	sbi_ecall(a, b, c, 0, 0, 0, f, e)
#define sbi_call4(e, f, a, b, c, d)	sbi_ecall(a, b, c, d, 0, 0, f, e)
#define sbi_call5(e, f, a, b, c, d, g)	sbi_ecall(a, b, c, d, g, 0, f, e)

/* A legacy (v0.1) call: one function per EID, the result in a0 only. */
long sbi_legacy(unsigned long eid, unsigned long a0, unsigned long a1,
		unsigned long a2, unsigned long a3);

/* setjmp/longjmp of head.S, and where a non-retentive resume lands. */
struct jmp_ctx {
	unsigned long ra, sp, s[12], tp;
	/* Filled by resume_entry from what the hart resumed with. */
	unsigned long entry_a0, entry_satp, entry_sstatus;
};

int conform_setjmp(struct jmp_ctx *ctx);
void conform_longjmp(struct jmp_ctx *ctx, int val) __noreturn;
extern char resume_entry[], secondary_entry[], sse_entry[];
/* The ecall instruction of sbi_legacy(), where its traps point. */
extern char sbi_legacy_ecall[];

/* --- TAP (runtime.c) --- */
void print(const char *fmt, ...) __printf(1, 2);
void diag(const char *fmt, ...) __printf(1, 2);
bool check(bool ok, const char *fmt, ...) __printf(2, 3);
void skip(const char *why, const char *fmt, ...)
	__printf(2, 3);
/* ok if r.error == want; the name says the call, the line says the rest. */
bool check_err(struct sbiret r, long want, const char *fmt, ...)
	__printf(3, 4);
/* ok if r.error is one of want1, want2 (where the spec allows either). */
bool check_err2(struct sbiret r, long want1, long want2, const char *fmt, ...)
	__printf(4, 5);
const char *sbi_err_name(long err);
void bail_out(const char *why) __noreturn;

/* --- the machine and the expectations (runtime.c) --- */
struct conform_env {
	unsigned long timebase;		/* ticks per second */
	unsigned int nr_harts;
	unsigned long hartid[MAX_HARTS];
	bool isa_h;			/* the harts have the H extension */
	bool isa_sstc;
	unsigned long ram_start, ram_size;
	/* conform.* from /chosen/bootargs; "expected" = -1 when not given */
	const char *mode;
	const char *impl;		/* a name for the logs only */
	const char *platform;		/* e.g. qemu-10.0 */
	long impl_id, spec_major, spec_minor;
	long mvendorid, marchid, mimpid;
	const char *exts;		/* expected extensions, comma separated */
	/*
	 * A physical address S-mode may not access (conform.bad_addr): on
	 * firmware its own PMP-protected memory, under a hypervisor a hole
	 * in guest-physical memory. Default: 256 MiB past the end of RAM.
	 */
	unsigned long bad_addr;
};

extern struct conform_env env;
extern unsigned long boot_hartid;

bool bootarg_flag(const char *name);
bool sbi_probe(unsigned long eid);
bool spec_at_least(long major, long minor);
/*
 * Whether a VS-mode sip read shows the timer interrupt KVM injects: not
 * under QEMU 7.2, which leaves hvip.VSTIP out of it (sbi.rst, "STIP").
 */
bool stip_visible(void);
const char *stip_hidden_why(void);
unsigned long this_hartid(void);

/* --- time and interrupts (runtime.c) --- */
unsigned long rdtime(void);
unsigned long us_to_ticks(unsigned long us);
void delay_us(unsigned long us);
/* Evaluate @cond until true or @us microseconds pass; the last value. */
#define wait_us(cond, us)					\
({								\
	unsigned long __end = rdtime() + us_to_ticks(us);	\
	bool __ok;						\
	while (!(__ok = (cond)) && rdtime() < __end)		\
		;						\
	__ok;							\
})
void set_timer(unsigned long when);
void irq_enable(void);
void irq_disable(void);

struct hart_state {
	volatile unsigned long irqs[16];	/* taken, by cause */
	volatile unsigned long timer_sip;	/* sip at the last timer IRQ */
	volatile unsigned long timer_sip_after;	/* after set_timer(-1) */
	/* An exception the running check expects: armed, then taken. */
	volatile bool trap_armed, trapped;
	volatile unsigned long trap_cause, trap_epc, trap_tval;
	/* Where an HSM start/resume entered, as head.S saw it. */
	volatile unsigned long entry_a0, entry_a1, entry_satp, entry_sstatus;
};

extern struct hart_state harts[MAX_HARTS];
struct hart_state *this_hart(void);

/* Arm the trap catcher: the next exception on this hart skips its
 * instruction and is recorded instead of ending the run. */
void trap_expect(void);
/* Disarm it; true if an exception with @cause was taken. */
bool trap_taken(unsigned long cause);
/* Disarm it; true if any exception was taken. */
bool trap_any(void);

/* --- secondary harts (runtime.c) --- */
struct hart_job {
	void (*fn)(struct hart_job *job);
	unsigned long arg;
	volatile unsigned long result;
	volatile int step;		/* a handshake counter */
	volatile bool done;
};

/* Start @job on hart index @idx (env.hartid[idx]) and return the error. */
long hart_run(unsigned int idx, struct hart_job *job);
/* Wait until the hart reports STOPPED (after its job returned). */
bool hart_wait_stopped(unsigned int idx);
long hsm_status(unsigned long hartid);

/* Entry points of head.S into C, and handlers it calls. */
void conform_main(unsigned long hartid, const void *fdt);
void secondary_main(unsigned long hartid, struct hart_job *job,
		    unsigned long satp, unsigned long sstatus);
void trap_handler(unsigned long *regs);
void sse_handler(unsigned long arg, unsigned long hartid);
void sse_complete_returned(void);
/* t_dbtr.c's breakpoint target: a nop, then ret. */
void dbtr_target(void);

/* The check groups, in the order conform_main() runs them. */
void t_base(void);
void t_legacy(void);
void t_time(void);
void t_ipi(void);
void t_rfence(void);
void t_hsm(void);
void t_pmu(void);
void t_sta(void);
void t_dbcn(void);
void t_fwft(void);
void t_sse(void);
void t_dbtr(void);
void t_susp(void);
void t_srst(void);
void t_hsm_last(void);
/* The SRST boot modes: end the run as @mode says (main.c). */
void srst_mode(const char *mode) __noreturn;

#include <string.h>

#endif /* SBI_CONFORM_H */
