// SPDX-License-Identifier: GPL-2.0
/*
 * An ns16550a UART at UART_BASE, for --console uart, its interrupt on
 * source UART_IRQ of the PLIC (plic.c). The transmitter is always empty
 * (output goes straight to the console), the receiver holds a byte when the
 * console has input, and the other registers keep what the guest writes so
 * that its probing reads back sensible values.
 *
 * The interrupt is what makes the guest's output leave at once. Linux's
 * 8250 driver polls a port without one from a timer (serial8250_timeout(),
 * every uart_poll_timeout(): a jiffy or a few) and moves at most a FIFO's
 * worth (16 bytes) per tick; a write() only queues its bytes, so what a
 * guest wrote just before powering off was still queued, and lost, at the
 * system event. With the line, start_tx() enabling THRI raises the
 * interrupt and the handler empties the queue before write() returns.
 *
 * Interrupts as a 16550 has them: receive data (IER.RDI) while a byte is
 * pending; transmitter empty (IER.THRI) raised when THRI is enabled and
 * after every byte written (the transmitter empties at once), cleared by
 * an IIR read that reports it. Input arriving while the guest is idle is
 * noticed by the console's watcher thread (console__watch_input()).
 */
#include <libfdt.h>
#include <stdlib.h>

#include "devices.h"

#define UART_BASE	0x10000000ULL
#define UART_SIZE	0x100
#define UART_CLOCK	3686400

/* Registers, at byte offsets (reg-shift 0). */
#define UART_RX		0	/* read, DLAB = 0 */
#define UART_TX		0	/* write, DLAB = 0 */
#define UART_DLL	0	/* DLAB = 1 */
#define UART_IER	1	/* DLAB = 0 */
#define UART_DLM	1	/* DLAB = 1 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_LCR_DLAB	0x80
#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_FCR_ENABLE	0x01
#define UART_IIR_NO_INT	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_FIFO	0xc0
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_DCD	0x80

#define UART_IRQ	10	/* the PLIC source, as on QEMU's virt machine */

/**
 * struct uart - the UART's registers
 * @lock:	protects the registers and @thre
 * @vm:		the VM, for the interrupt line
 * @thre:	a transmitter-empty interrupt is pending (if IER.THRI)
 * @irq:	the line's level, as last told to the PLIC
 */
struct uart {
	pthread_mutex_t lock;
	struct vm *vm;
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	bool thre;
	bool irq;
};

static bool uart_dlab(const struct uart *u)
{
	return u->lcr & UART_LCR_DLAB;
}

/* The highest-priority interrupt pending, without acknowledging it. */
static uint8_t uart_pending(struct uart *u)
{
	if ((u->ier & UART_IER_RDI) && console__has_input())
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thre)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

/* Raise or lower the line to match. Lock held. */
static void uart_update_irq(struct uart *u)
{
	bool irq = uart_pending(u) != UART_IIR_NO_INT;

	if (irq != u->irq) {
		u->irq = irq;
		plic__set_irq(u->vm, UART_IRQ, irq);
	}
}

/*
 * Reading IIR acknowledges a transmitter-empty interrupt it reports. The
 * driver reads it at each interrupt, after sending a burst too: a partial
 * line (a prompt) is shown then.
 */
static uint8_t uart_iir(struct uart *u)
{
	uint8_t iir = uart_pending(u);

	console__flush();
	if (iir == UART_IIR_THRI)
		u->thre = false;
	return iir;
}

static uint8_t uart_read(struct uart *u, uint64_t reg)
{
	uint8_t c = 0;

	switch (reg) {
	case UART_RX:
		if (uart_dlab(u))
			return u->dll;
		console__read(&c, 1);
		return c;
	case UART_IER:
		return uart_dlab(u) ? u->dlm : u->ier;
	case UART_IIR:
		return uart_iir(u) |
		       (u->fcr & UART_FCR_ENABLE ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (console__has_input() ? UART_LSR_DR : 0);
	case UART_MSR:
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	case UART_SCR:
		return u->scr;
	}
	return 0;
}

static void uart_write(struct uart *u, uint64_t reg, uint8_t val)
{
	switch (reg) {
	case UART_TX:
		if (uart_dlab(u)) {
			u->dll = val;
		} else {
			console__write(&val, 1);
			u->thre = true;		/* sent: empty again */
		}
		break;
	case UART_IER:
		if (uart_dlab(u)) {
			u->dlm = val;
			break;
		}
		if ((val & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thre = true;		/* enabled while empty */
		u->ier = val & 0x0f;
		break;
	case UART_FCR:
		u->fcr = val;
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val;
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
}

static void uart_mmio(struct vcpu *vcpu, uint64_t offset, uint8_t *data,
		      uint32_t len, bool is_write, void *priv)
{
	struct uart *u = priv;
	uint32_t i;

	(void)vcpu;
	pthread_mutex_lock(&u->lock);
	if (is_write) {
		uart_write(u, offset, data[0]);
	} else {
		data[0] = uart_read(u, offset);
		for (i = 1; i < len; i++)
			data[i] = 0;
	}
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

/* The console's watcher: input arrived while the guest was not looking. */
static void uart_input(void *priv)
{
	struct uart *u = priv;

	pthread_mutex_lock(&u->lock);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}

static int uart_init(struct vm *vm)
{
	struct uart *u;

	if (vm->cfg->console != CONSOLE_UART)
		return DEVICE_ABSENT;
	u = calloc(1, sizeof(*u));
	if (!u)
		return pr_errno("uart: calloc");
	pthread_mutex_init(&u->lock, NULL);
	u->vm = vm;
	if (mmio__register(vm, UART_BASE, UART_SIZE, uart_mmio, u)) {
		free(u);
		return -1;
	}
	return console__watch_input(uart_input, u);
}

static int uart_fdt_node(struct vm *vm, void *fdt)
{
	const fdt64_t reg[] = { cpu_to_fdt64(UART_BASE),
				cpu_to_fdt64(UART_SIZE) };
	int err;

	(void)vm;
	err = fdt_begin_node(fdt, "serial@10000000");
	err = err ?: fdt_property_string(fdt, "compatible", "ns16550a");
	err = err ?: fdt_property(fdt, "reg", reg, sizeof(reg));
	err = err ?: fdt_property_u32(fdt, "clock-frequency", UART_CLOCK);
	err = err ?: fdt_property_u32(fdt, "interrupts", UART_IRQ);
	err = err ?: fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC);
	err = err ?: fdt_end_node(fdt);
	return err;
}

static const struct vmm_device uart_device = {
	.name		= "uart",
	.init		= uart_init,
	.fdt_node	= uart_fdt_node,
	.stdout_path	= "/soc/serial@10000000",
};

device_register(uart_device);
