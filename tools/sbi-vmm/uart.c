// SPDX-License-Identifier: GPL-2.0
/*
 * An ns16550a UART at UART_BASE, for --console uart. No interrupt line:
 * the guest's 8250 driver polls a port without one (and says once that it
 * found no IRQ). The transmitter is always empty (output goes straight to
 * the console), the receiver holds a byte when the console has input, and
 * the other registers keep what the guest writes so that its probing reads
 * back sensible values.
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

struct uart {
	pthread_mutex_t lock;
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
};

static bool uart_dlab(const struct uart *u)
{
	return u->lcr & UART_LCR_DLAB;
}

/*
 * The interrupt the guest would see if the UART had a line: the driver of a
 * port without one polls IIR on a timer, and acts only on what it says is
 * pending. The transmitter is always empty, so THRE is pending whenever it
 * is enabled.
 */
static uint8_t uart_iir(struct uart *u)
{
	console__flush();	/* the driver's idle poll: show a prompt */
	if ((u->ier & UART_IER_RDI) && console__has_input())
		return UART_IIR_RDI;
	if (u->ier & UART_IER_THRI)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
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
		if (uart_dlab(u))
			u->dll = val;
		else
			console__write(&val, 1);
		break;
	case UART_IER:
		if (uart_dlab(u))
			u->dlm = val;
		else
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
	if (mmio__register(vm, UART_BASE, UART_SIZE, uart_mmio, u)) {
		free(u);
		return -1;
	}
	return 0;
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
