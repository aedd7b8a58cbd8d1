// SPDX-License-Identifier: GPL-2.0
/*
 * A platform-level interrupt controller (RISC-V PLIC, "sifive,plic-1.0.0")
 * at PLIC_BASE, for --console uart: the UART's interrupt line, so that the
 * guest's 8250 driver transmits from its interrupt handler as it does on
 * hardware, not from a poll timer (uart.c says why that matters).
 *
 * Context c is hart c's supervisor external interrupt, which reaches the
 * vCPU through KVM_INTERRUPT: KVM_INTERRUPT_SET while the context has an
 * enabled source pending above its threshold, KVM_INTERRUPT_UNSET when it
 * has none (KVM's riscv vCPUs take it as the guest's external interrupt,
 * hvip.VSEIP). KVM_INTERRUPT is an async vCPU ioctl: any thread may raise
 * another vCPU's line while that vCPU is in KVM_RUN.
 *
 * Sources are level triggered: a source is pending while its device holds
 * its line up and no context has claimed it; a claim takes the pending
 * source of highest priority (lowest id on a tie), and its completion lets
 * a line still up be pending again. Completing a source the context does
 * not have enabled is ignored, as the PLIC specification says. Registers
 * are 32 bits; other access sizes read 0 and are ignored on write.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "devices.h"

#define PLIC_BASE		0x0c000000ULL
#define PLIC_SIZE		0x4000000ULL
#define PLIC_NR_SOURCES		32	/* ids 1..31; id 0 means "none" */
#define PLIC_PRIORITY_MASK	7

/* Register map (PLIC specification 1.0.0). */
#define PRIORITY_BASE		0x000000	/* 4 bytes per source */
#define PENDING_BASE		0x001000	/* one bit per source */
#define ENABLE_BASE		0x002000	/* per context: one bit per source */
#define ENABLE_STRIDE		0x80
#define CONTEXT_BASE		0x200000	/* per context: */
#define CONTEXT_STRIDE		0x1000
#define CONTEXT_THRESHOLD	0x0
#define CONTEXT_CLAIM		0x4		/* read: claim; write: complete */

/* S-mode external interrupt: the cause the contexts' parents name. */
#define IRQ_S_EXT		9

/**
 * struct plic_context - one hart's supervisor external interrupt
 * @enable:	enabled sources, bit per id
 * @threshold:	sources at this priority or below do not interrupt
 * @line:	what KVM_INTERRUPT last told the vCPU
 */
struct plic_context {
	uint32_t enable;
	uint32_t threshold;
	bool line;
};

/**
 * struct plic - the controller
 * @lock:	protects everything below; held across KVM_INTERRUPT, so that
 *		a vCPU's line changes in the order the state did
 * @vm:		the VM, whose vCPU c is context c
 * @failed:	a KVM_INTERRUPT failed (said once; the VM is stopped)
 * @priority:	per source
 * @level:	sources whose device holds its line up, bit per id
 * @claimed:	sources claimed and not completed, bit per id
 * @nr_contexts: one per vCPU
 * @ctx:	the contexts
 */
struct plic {
	pthread_mutex_t lock;
	struct vm *vm;
	bool failed;
	uint32_t priority[PLIC_NR_SOURCES];
	uint32_t level;
	uint32_t claimed;
	unsigned int nr_contexts;
	struct plic_context ctx[];
};

/* The source @c would claim now, 0 if none. */
static unsigned int best_source(const struct plic *p,
				const struct plic_context *c)
{
	uint32_t ready = p->level & ~p->claimed & c->enable;
	unsigned int id, best = 0, best_prio = c->threshold;

	if (!ready)
		return 0;
	for (id = 1; id < PLIC_NR_SOURCES; id++) {
		if ((ready & (1U << id)) && p->priority[id] > best_prio) {
			best = id;
			best_prio = p->priority[id];
		}
	}
	return best;
}

/* Tell every vCPU whose line changed. Lock held. */
static void update_lines(struct plic *p)
{
	struct kvm_interrupt irq;
	unsigned int i;
	bool line;

	for (i = 0; i < p->nr_contexts && !p->failed; i++) {
		line = best_source(p, &p->ctx[i]) != 0;
		if (line == p->ctx[i].line)
			continue;
		irq.irq = line ? KVM_INTERRUPT_SET : KVM_INTERRUPT_UNSET;
		if (ioctl(p->vm->vcpus[i].fd, KVM_INTERRUPT, &irq)) {
			pr_errno("vCPU %u: KVM_INTERRUPT(%s)", i,
				 line ? "SET" : "UNSET");
			p->failed = true;
			vm__stop(p->vm, VMM_FAILED);
			return;
		}
		p->ctx[i].line = line;
	}
}

/**
 * plic__set_irq() - a device's interrupt line
 * @vm:		the VM
 * @id:		the source, 1 to PLIC_NR_SOURCES - 1
 * @level:	up (true) or down
 *
 * Context: any thread. Without a PLIC (no --console uart) nothing happens.
 */
void plic__set_irq(struct vm *vm, unsigned int id, bool level)
{
	struct plic *p = vm->plic;

	if (!p || !id || id >= PLIC_NR_SOURCES)
		return;
	pthread_mutex_lock(&p->lock);
	if (level)
		p->level |= 1U << id;
	else
		p->level &= ~(1U << id);
	update_lines(p);
	pthread_mutex_unlock(&p->lock);
}

static uint32_t claim(struct plic *p, struct plic_context *c)
{
	unsigned int id = best_source(p, c);

	if (id) {
		p->claimed |= 1U << id;
		update_lines(p);
	}
	return id;
}

static void complete(struct plic *p, struct plic_context *c, uint32_t id)
{
	if (id >= PLIC_NR_SOURCES || !(c->enable & (1U << id)))
		return;
	p->claimed &= ~(1U << id);
	update_lines(p);
}

/* The context whose registers @offset (from @base) is in, or NULL. */
static struct plic_context *context_at(struct plic *p, uint64_t offset,
				       uint64_t base, uint64_t stride,
				       uint64_t *reg)
{
	uint64_t i = (offset - base) / stride;

	if (i >= p->nr_contexts)
		return NULL;
	*reg = (offset - base) % stride;
	return &p->ctx[i];
}

static uint32_t plic_read(struct plic *p, uint64_t offset)
{
	struct plic_context *c;
	uint64_t reg;

	if (offset < PENDING_BASE)
		return offset / 4 < PLIC_NR_SOURCES ? p->priority[offset / 4] : 0;
	if (offset < ENABLE_BASE)
		return offset == PENDING_BASE ? p->level & ~p->claimed : 0;
	if (offset < CONTEXT_BASE) {
		c = context_at(p, offset, ENABLE_BASE, ENABLE_STRIDE, &reg);
		return c && !reg ? c->enable : 0;
	}
	c = context_at(p, offset, CONTEXT_BASE, CONTEXT_STRIDE, &reg);
	if (c && reg == CONTEXT_THRESHOLD)
		return c->threshold;
	if (c && reg == CONTEXT_CLAIM)
		return claim(p, c);
	return 0;
}

static void plic_write(struct plic *p, uint64_t offset, uint32_t val)
{
	struct plic_context *c;
	uint64_t reg;

	if (offset < PENDING_BASE) {
		if (offset / 4 && offset / 4 < PLIC_NR_SOURCES)
			p->priority[offset / 4] = val & PLIC_PRIORITY_MASK;
	} else if (offset < ENABLE_BASE) {
		return;		/* pending bits are read-only */
	} else if (offset < CONTEXT_BASE) {
		c = context_at(p, offset, ENABLE_BASE, ENABLE_STRIDE, &reg);
		if (c && !reg)
			c->enable = val & ~1U;	/* id 0 is no source */
	} else {
		c = context_at(p, offset, CONTEXT_BASE, CONTEXT_STRIDE, &reg);
		if (c && reg == CONTEXT_THRESHOLD)
			c->threshold = val & PLIC_PRIORITY_MASK;
		else if (c && reg == CONTEXT_CLAIM)
			complete(p, c, val);
		return;		/* complete() updated the lines */
	}
	update_lines(p);
}

static void plic_mmio(struct vcpu *vcpu, uint64_t offset, uint8_t *data,
		      uint32_t len, bool is_write, void *priv)
{
	struct plic *p = priv;
	uint32_t val;

	(void)vcpu;
	if (len != 4 || offset % 4) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (is_write) {
		memcpy(&val, data, 4);
		plic_write(p, offset, val);
	} else {
		val = plic_read(p, offset);
		memcpy(data, &val, 4);
	}
	pthread_mutex_unlock(&p->lock);
}

static int plic_init(struct vm *vm)
{
	struct plic *p;

	if (vm->cfg->console != CONSOLE_UART)
		return DEVICE_ABSENT;
	p = calloc(1, sizeof(*p) + vm->nr_vcpus * sizeof(p->ctx[0]));
	if (!p)
		return pr_errno("plic: calloc");
	pthread_mutex_init(&p->lock, NULL);
	p->vm = vm;
	p->nr_contexts = vm->nr_vcpus;
	if (mmio__register(vm, PLIC_BASE, PLIC_SIZE, plic_mmio, p)) {
		free(p);
		return -1;
	}
	vm->plic = p;
	return 0;
}

static int plic_fdt_node(struct vm *vm, void *fdt)
{
	static const char compatible[] = "sifive,plic-1.0.0\0riscv,plic0";
	const fdt64_t reg[] = { cpu_to_fdt64(PLIC_BASE),
				cpu_to_fdt64(PLIC_SIZE) };
	unsigned int i, n = vm->nr_vcpus;
	fdt32_t *ints = calloc(2 * n, sizeof(*ints));
	int err;

	if (!ints)
		return -FDT_ERR_NOSPACE;
	for (i = 0; i < n; i++) {
		ints[2 * i] = cpu_to_fdt32(PHANDLE_CPU_INTC(i));
		ints[2 * i + 1] = cpu_to_fdt32(IRQ_S_EXT);
	}
	err = fdt_begin_node(fdt, "interrupt-controller@c000000");
	err = err ?: fdt_property(fdt, "compatible", compatible,
				  sizeof(compatible));
	err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
	err = err ?: fdt_property_u32(fdt, "#address-cells", 0);
	err = err ?: fdt_property_u32(fdt, "#interrupt-cells", 1);
	err = err ?: fdt_property(fdt, "interrupt-controller", NULL, 0);
	err = err ?: fdt_property(fdt, "interrupts-extended", ints,
				  2 * n * sizeof(*ints));
	err = err ?: fdt_property_u32(fdt, "riscv,ndev", PLIC_NR_SOURCES - 1);
	err = err ?: fdt_property_u32(fdt, "phandle", PHANDLE_PLIC);
	err = err ?: fdt_end_node(fdt);
	free(ints);
	return err;
}

static const struct vmm_device plic_device = {
	.name		= "plic",
	.init		= plic_init,
	.fdt_node	= plic_fdt_node,
};

device_register(plic_device);
