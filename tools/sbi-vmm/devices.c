// SPDX-License-Identifier: GPL-2.0
/*
 * The device registry and MMIO dispatch.
 *
 * Devices register themselves (device_register(), a constructor); at VM
 * creation each one's init decides whether it attaches. MMIO regions are
 * kept sorted by base and found by binary search. An access no region
 * claims reads as zero and is ignored on write; the first few are logged,
 * and the guest runs on.
 */
#include <stdlib.h>
#include <string.h>

#include "devices.h"

#define MAX_UNCLAIMED_LOGS	16

struct mmio_region {
	uint64_t base;
	uint64_t size;
	mmio_fn fn;
	void *priv;
};

static const struct vmm_device *registered[MAX_DEVICES];
static unsigned int nr_registered;
static unsigned int unclaimed_logged;

void device__register(const struct vmm_device *dev)
{
	if (nr_registered < MAX_DEVICES)
		registered[nr_registered++] = dev;
}

/**
 * device__init_all() - attach every device the configuration wants
 * @vm:		the VM
 *
 * Return: 0, or -1 after the failing device said why.
 */
int device__init_all(struct vm *vm)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nr_registered; i++) {
		ret = registered[i]->init(vm);
		if (ret < 0)
			return -1;
		if (ret != DEVICE_ABSENT)
			vm->devices[vm->nr_devices++] = registered[i];
	}
	return 0;
}

/**
 * mmio__register() - claim a range of guest physical addresses
 * @vm:		the VM
 * @base:	first address
 * @size:	bytes
 * @fn:		called for every access in the range
 * @priv:	passed to @fn
 *
 * Return: 0, or -1 after saying why (no room, overlaps RAM or a region).
 */
int mmio__register(struct vm *vm, uint64_t base, uint64_t size, mmio_fn fn,
		   void *priv)
{
	struct mmio_region *r;
	unsigned int i;

	for (i = 0; i < vm->nr_mmio; i++) {
		r = vm->mmio[i];
		if (base < r->base + r->size && r->base < base + size)
			goto overlap;
	}
	if (base < RAM_BASE + vm->ram_size && RAM_BASE < base + size)
		goto overlap;
	r = vm->nr_mmio < MAX_MMIO_REGIONS ? malloc(sizeof(*r)) : NULL;
	if (!r) {
		pr_err("no room for an MMIO region at %#llx",
		       (unsigned long long)base);
		return -1;
	}
	*r = (struct mmio_region){ base, size, fn, priv };
	for (i = vm->nr_mmio; i > 0 && vm->mmio[i - 1]->base > base; i--)
		vm->mmio[i] = vm->mmio[i - 1];
	vm->mmio[i] = r;
	vm->nr_mmio++;
	return 0;
overlap:
	pr_err("MMIO region at %#llx overlaps RAM or another region",
	       (unsigned long long)base);
	return -1;
}

static struct mmio_region *find_region(struct vm *vm, uint64_t addr)
{
	unsigned int lo = 0, hi = vm->nr_mmio, mid;
	struct mmio_region *r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (vm->mmio[mid]->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	r = vm->mmio[lo - 1];
	return addr - r->base < r->size ? r : NULL;
}

static void log_unclaimed(struct vcpu *vcpu, uint64_t addr, bool is_write)
{
	unsigned int n = __atomic_fetch_add(&unclaimed_logged, 1,
					    __ATOMIC_RELAXED);

	if (n < MAX_UNCLAIMED_LOGS)
		pr_info("vCPU %u: %s of unclaimed guest address %#llx ignored",
			vcpu->id, is_write ? "write" : "read",
			(unsigned long long)addr);
}

/**
 * mmio__handle_exit() - answer a KVM_EXIT_MMIO
 * @vcpu:	the vCPU that exited
 */
void mmio__handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint64_t addr = run->mmio.phys_addr;
	struct mmio_region *r = find_region(vcpu->vm, addr);
	uint32_t len = run->mmio.len;

	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (r) {
		r->fn(vcpu, addr - r->base, run->mmio.data, len,
		      run->mmio.is_write, r->priv);
		return;
	}
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0, len);
	log_unclaimed(vcpu, addr, run->mmio.is_write);
}
