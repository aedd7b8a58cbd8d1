// SPDX-License-Identifier: GPL-2.0
/*
 * The console ring (KVM_CAP_RISCV_SBI_CONSOLE_RING): KVM appends the
 * guest's console output (DBCN writes, legacy putchar) to a ring this
 * program maps and answers the guest itself, instead of an exit per call.
 *
 * The contract is coalesced MMIO's: every vCPU thread empties the ring
 * after each KVM_RUN, before it handles the exit, so output comes out in
 * the order the guest wrote it relative to everything that exits (a UART
 * write, a console read, a shutdown); and so does every message of the
 * VMM's. Between exits, a thread of its own empties the ring when KVM
 * says a flush is due (a few milliseconds after the first byte, or when
 * the ring is half full). On a kernel without the ring, or with
 * --console-ring off, every call exits as before.
 *
 * Input: KVM answers the guest's console reads "nothing pending" itself
 * while the ring's input_pending is 0. The console's input watch sets it
 * when a byte arrives on stdin; the read that takes the last pending byte
 * clears it again. Both under input_flag_lock, the clear only if nothing
 * is pending then, so that a byte the watch peeked is never left behind a
 * cleared flag. With --console uart, reads are not the console's: the
 * flag stays set and every read exits, as before.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

#define RING_SIZE	(64 * 1024)

static struct {
	int fd;
	struct kvm_riscv_sbi_console_ring *hdr;
	const char *data;
	pthread_mutex_t lock;
	bool watch_input;
} ring = { .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_mutex_t input_flag_lock = PTHREAD_MUTEX_INITIALIZER;

/* The console's input watch: a byte arrived. */
static void input_arrived(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&input_flag_lock);
	__atomic_store_n(&ring.hdr->input_pending, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&input_flag_lock);
}

/**
 * console_ring__input_taken() - a console read took input
 *
 * Clears input_pending if no input is left, so that KVM answers the
 * guest's next reads itself again.
 *
 * Context: a vCPU thread, after console__read().
 */
void console_ring__input_taken(void)
{
	if (!ring.hdr || !ring.watch_input)
		return;
	pthread_mutex_lock(&input_flag_lock);
	if (!console__input_pending())
		__atomic_store_n(&ring.hdr->input_pending, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&input_flag_lock);
}

/**
 * console_ring__drain() - put out what the ring holds
 *
 * Context: any thread; cheap when the ring is empty or off.
 */
void console_ring__drain(void)
{
	uint32_t head, tail, off, n, size;

	if (!ring.hdr)
		return;
	head = __atomic_load_n(&ring.hdr->head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(&ring.hdr->tail, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&ring.lock);
	size = ring.hdr->size;
	head = __atomic_load_n(&ring.hdr->head, __ATOMIC_ACQUIRE);
	tail = ring.hdr->tail;
	while (tail != head) {
		off = tail & (size - 1);
		n = head - tail < size - off ? head - tail : size - off;
		console__write(ring.data + off, n);
		tail += n;
	}
	__atomic_store_n(&ring.hdr->tail, tail, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ring.lock);
}

/* Empty the ring whenever KVM says a flush is due. */
static void *flush_thread(void *arg)
{
	struct pollfd pfd = { .fd = ring.fd, .events = POLLIN };
	uint64_t due;

	(void)arg;
	for (;;) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			pr_errno("console ring: poll");
			return NULL;
		}
		if (read(ring.fd, &due, sizeof(due)) != sizeof(due)) {
			pr_errno("console ring: read");
			return NULL;
		}
		console_ring__drain();
	}
}

/**
 * console_ring__init() - have KVM put the guest's console output in a ring
 * @vm:		the VM, before any vCPU runs
 *
 * Nothing to do with --console-ring off or on a kernel without the ring.
 *
 * Return: 0, or -1 after saying why.
 */
int console_ring__init(struct vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_RISCV_SBI_CONSOLE_RING };
	sigset_t all, old;
	pthread_t thread;
	size_t len;
	void *p;
	int max, err;

	if (!vm->cfg->console_ring)
		return 0;
	max = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_RISCV_SBI_CONSOLE_RING);
	if (max <= 0)
		return 0;
	cap.args[0] = max < RING_SIZE ? max : RING_SIZE;
	ring.fd = ioctl(vm->fd, KVM_ENABLE_CAP, &cap);
	if (ring.fd < 0)
		return pr_errno("KVM_ENABLE_CAP(console ring, %llu bytes)",
				(unsigned long long)cap.args[0]);
	len = getpagesize() + cap.args[0];
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ring.fd, 0);
	if (p == MAP_FAILED)
		return pr_errno("mmap of the console ring");
	ring.data = (const char *)p + ((struct kvm_riscv_sbi_console_ring *)p)->data_offset;
	ring.hdr = p;
	ring.watch_input = vm->cfg->console == CONSOLE_SBI;
	if (!ring.watch_input)
		ring.hdr->input_pending = 1;
	else if (console__watch_input(input_arrived, NULL))
		return -1;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&thread, NULL, flush_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		errno = err;
		return pr_errno("console ring: pthread_create");
	}
	pthread_detach(thread);
	return 0;
}

/**
 * console_ring__stats() - what the ring did
 * @calls:	console calls KVM answered from the ring
 * @full:	console calls KVM forwarded because the ring had no room
 * @reads:	console reads KVM answered "nothing pending"
 *
 * Return: false if the ring is off.
 */
bool console_ring__stats(uint64_t *calls, uint64_t *full, uint64_t *reads)
{
	if (!ring.hdr)
		return false;
	*calls = ring.hdr->calls;
	*full = ring.hdr->full;
	*reads = ring.hdr->reads;
	return true;
}
