/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The RISC-V Image header (Documentation/arch/riscv/boot-image-header.rst)
 * of the bare-metal guests, as an assembler macro: a loader (sbi-vmm,
 * QEMU's -kernel, a boot loader) puts the image at RAM + text_offset and
 * enters its first instruction with the hart ID in a0 and the device tree
 * in a1. Include it from a .S file, at the image's first byte.
 */
#ifndef SBI_VMM_RISCV_IMAGE_H
#define SBI_VMM_RISCV_IMAGE_H

/* @entry: where code0 jumps; @end: the image's end symbol. */
.macro RISCV_IMAGE_HEADER entry, end
	.option push
	.option norvc
1:	j	\entry			/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset: linked at RAM + 2 MiB */
	.dword	\end - 1b		/* image_size */
	.dword	0			/* flags: little endian */
	.word	0x2			/* header version 0.2 */
	.word	0			/* res1 */
	.dword	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic, deprecated */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* res3 */
	.option pop
.endm

#endif /* SBI_VMM_RISCV_IMAGE_H */
