/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of the bare-metal test guest. It starts with a RISC-V Image header
 * so that sbi-vmm loads it as it loads Linux: at RAM + text_offset, hart id
 * in a0, device tree in a1. A hart started with SBI HSM enters at
 * secondary_entry with its opaque value in a1.
 */
#include "riscv-image.h"

#define STACK_SIZE	16384
#define MAX_HARTS	4

	.option norvc
	.section .head, "ax"
	.globl	_start
_start:
	RISCV_IMAGE_HEADER boot_entry, _end

	.text
/* sp = top of this hart's stack; harts beyond MAX_HARTS park. */
set_stack:
	li	t0, MAX_HARTS
	bgeu	a0, t0, park
	la	sp, stacks_top
	li	t0, STACK_SIZE
	mul	t0, t0, a0
	sub	sp, sp, t0
	ret

boot_entry:
	call	set_stack
	call	guest_main
	j	park

	.globl	secondary_entry
secondary_entry:
	call	set_stack
	call	guest_secondary
park:
	wfi
	j	park

	.bss
	.align	12
stacks:
	.space	STACK_SIZE * MAX_HARTS
stacks_top:
