/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sbi-conform's entry points, trap vector and the few routines C cannot
 * write: the SBI call itself, setjmp/longjmp for non-retentive resumes,
 * and the SSE handler entry. tp holds the hart ID throughout.
 *
 *   _start		boot hart: a0 = hart ID, a1 = device tree
 *   secondary_entry	HSM hart_start: a0 = hart ID, a1 = struct hart_job *
 *   resume_entry	non-retentive HSM suspend and SUSP system suspend:
 *			a0 = hart ID, a1 = struct jmp_ctx *, longjmps to it
 *   sse_entry		SSE event handler: a6 = hart ID, a7 = entry arg
 */
#include "riscv-image.h"

#define STACK_SIZE	16384
#define MAX_HARTS	8
#define FRAME		(32 * 8)
/* struct jmp_ctx: ra, sp, s0-s11, tp, then entry_a0, entry_satp, ... */
#define JMP_ENTRY	(15 * 8)

	.section .head, "ax"
	.globl	_start
_start:
	RISCV_IMAGE_HEADER boot_entry, _end

/* Every register but sp (x2) to (sd) or from (ld) the frame at sp. */
.macro FRAME_REGS op
	.irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, \
		19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	\op	x\n, (\n * 8)(sp)
	.endr
.endm

	.text
/* sp = top of hart a0's stack, tp = a0, stvec = trap_entry. t2-t4 only. */
hart_setup:
	li	t2, MAX_HARTS
	bgeu	a0, t2, park
	la	sp, stacks_top
	li	t2, STACK_SIZE
	mul	t2, t2, a0
	sub	sp, sp, t2
	mv	tp, a0
	la	t3, trap_entry
	csrw	stvec, t3
	ret

boot_entry:
	mv	s0, a1
	call	hart_setup
	mv	a1, s0
	call	conform_main
	j	park

	.globl	secondary_entry
secondary_entry:
	/* The entry state, before anything changes it. */
	csrr	s1, satp
	csrr	s2, sstatus
	call	hart_setup
	mv	a2, s1
	mv	a3, s2
	call	secondary_main
park:
	wfi
	j	park

	.globl	resume_entry
resume_entry:
	csrr	t0, satp
	csrr	t1, sstatus
	sd	a0, (JMP_ENTRY + 0)(a1)
	sd	t0, (JMP_ENTRY + 8)(a1)
	sd	t1, (JMP_ENTRY + 16)(a1)
	la	t3, trap_entry
	csrw	stvec, t3
	mv	a0, a1
	li	a1, 1
	j	conform_longjmp

/* The registers a jmp_ctx keeps: ra, sp, s0-s11 (at 16 on), tp. */
.macro JMP_REGS op
	\op	ra, 0(a0)
	\op	sp, 8(a0)
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	\op	s\n, (16 + \n * 8)(a0)
	.endr
	\op	tp, (14 * 8)(a0)
.endm

	.globl	conform_setjmp
conform_setjmp:
	JMP_REGS sd
	li	a0, 0
	ret

	.globl	conform_longjmp
conform_longjmp:
	JMP_REGS ld
	mv	a0, a1
	ret

	.globl	sbi_ecall
sbi_ecall:
	ecall
	ret

/* Legacy: a0-a3 arguments, a7 = EID; only a0 comes back. */
	.globl	sbi_legacy
sbi_legacy:
	mv	a7, a0
	mv	a0, a1
	mv	a1, a2
	mv	a2, a3
	mv	a3, a4
	.globl	sbi_legacy_ecall
sbi_legacy_ecall:
	ecall
	ret

	.align	2
trap_entry:
	addi	sp, sp, -FRAME
	FRAME_REGS sd
	mv	a0, sp
	call	trap_handler
	FRAME_REGS ld
	addi	sp, sp, FRAME
	sret

/*
 * The SSE handler runs on the interrupted context's registers, a6 and a7
 * aside (the SEE keeps those in INTERRUPTED_A6/A7), on its stack: S-mode
 * has no red zone. sse_complete resumes the interrupted context.
 */
	.align	2
	.globl	sse_entry
sse_entry:
	addi	sp, sp, -FRAME
	FRAME_REGS sd
	mv	a0, a7
	mv	a1, a6
	call	sse_handler
	FRAME_REGS ld
	addi	sp, sp, FRAME
	li	a7, 0x535345		/* SBI_EXT_SSE */
	li	a6, 6			/* SBI_SSE_COMPLETE */
	ecall
	/* A complete that returns has failed: the C side counts that. */
	call	sse_complete_returned
	j	park

/* A stack per hart, hart 0's on top. */
	.section .bss.stacks, "aw", @nobits
	.balign	4096
	.skip	STACK_SIZE * MAX_HARTS
stacks_top:

/* counter_csr_read(n): the value of CSR 0xc00 + n (cycle .. hpmcounter31). */
	.text
	.globl	counter_csr_read
counter_csr_read:
	andi	a0, a0, 31
	slli	a0, a0, 3
	la	t0, 1f
	add	t0, t0, a0
	jr	t0
	.option push
	.option norvc
	.balign	8
1:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, \
		18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	csrr	a0, 0xc00 + \n
	ret
	.endr
	.option pop
