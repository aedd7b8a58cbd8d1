/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Emulated devices and the MMIO exits they answer.
 *
 * A device is one file that ends in a const struct vmm_device and
 * device_register(). At VM creation every registered device's init runs;
 * it may decline (the UART only attaches with --console uart). Devices that
 * attached add their node to the device tree and own MMIO regions.
 */
#ifndef SBI_VMM_DEVICES_H
#define SBI_VMM_DEVICES_H

#include "vmm.h"

/* init's answer when the configuration does not want the device. */
#define DEVICE_ABSENT	1

/**
 * struct vmm_device - an emulated device
 * @name:	short name, for messages
 * @init:	attach to @vm: register MMIO regions. Returns 0 when attached,
 *		DEVICE_ABSENT when not wanted, -1 after saying why it failed.
 * @fdt_node:	add the device's node under /soc (@fdt is in sequential-write
 *		mode). Returns 0 or a libfdt error.
 * @stdout_path: optional; the node's path, if it is the guest's console
 *		(/chosen/stdout-path)
 */
struct vmm_device {
	const char *name;
	int (*init)(struct vm *vm);
	int (*fdt_node)(struct vm *vm, void *fdt);
	const char *stdout_path;
};

void device__register(const struct vmm_device *dev);
int device__init_all(struct vm *vm);

#define device_register(dev)						\
	static void __attribute__((constructor)) dev##_register(void)	\
	{								\
		device__register(&(dev));				\
	}

/*
 * mmio_fn - answer one access at @offset into the region: fill @data on
 * a read, consume it on a write. @len is 1, 2, 4 or 8.
 */
typedef void (*mmio_fn)(struct vcpu *vcpu, uint64_t offset, uint8_t *data,
			uint32_t len, bool is_write, void *priv);

int mmio__register(struct vm *vm, uint64_t base, uint64_t size, mmio_fn fn,
		   void *priv);
void mmio__handle_exit(struct vcpu *vcpu);

/* Device tree phandles: each hart's "riscv,cpu-intc", and the PLIC. */
#define PHANDLE_CPU_INTC(hart)	((hart) + 1)
#define PHANDLE_PLIC		0x10000		/* above every hart's */

/* plic.c: a device's interrupt line (--console uart only). */
void plic__set_irq(struct vm *vm, unsigned int id, bool level);

#endif /* SBI_VMM_DEVICES_H */
