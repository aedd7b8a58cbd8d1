// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_console_test - the console ring (KVM_CAP_RISCV_SBI_CONSOLE_RING).
 *
 * A VMM that enables the ring gets the guest's console output (DBCN
 * console_write and console_write_byte, legacy console_putchar) in a ring
 * it maps, without an exit per call; the guest gets the answers the VMM
 * would give. Checked here: the capability's arguments and errors; a VMM
 * that does not opt in sees an exit per call, as before; bytes in the ring
 * come before every later exit (a forwarded call, a read, a system event);
 * a full ring, or a tail the VMM corrupted, forwards the call with nothing
 * lost or overwritten; calls the VMM would refuse are forwarded; the file
 * descriptor becomes readable after the flush timeout; console reads are
 * answered "nothing pending" without an exit only while the VMM says it
 * has no input, and only for buffers it would accept; two vCPUs writing
 * at once while the ring is emptied keep every record whole and in order.
 *
 * Each check group runs in its own process with its own VM.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "sbi.h"
#include "test_util.h"
#include "ucall_common.h"

#define DBCN_CONSOLE_WRITE		0
#define DBCN_CONSOLE_READ		1
#define DBCN_CONSOLE_WRITE_BYTE		2
#define LEGACY_CONSOLE_PUTCHAR		0x01
#define LEGACY_CONSOLE_GETCHAR		0x02
#define VENDOR_EID			(SBI_EXT_VENDOR_START + 0x42)

#define RING_SMALL			4096
#define OUT_MAX				(64 * 1024)

/* What the guest is asked to do: a list of steps. */
enum step_kind {
	WRITE,		/* console_write of text[off, off + len) */
	WRITE_RAW,	/* console_write with raw a0-a2 */
	BYTE,		/* console_write_byte */
	PUTCHAR,	/* legacy console_putchar */
	VENDOR,		/* a forwarded vendor call: an exit */
	READ,		/* console_read of 4 bytes: an exit */
	SHUTDOWN,	/* SRST shutdown */
	SPIN,		/* wait until the host sets go */
};

struct step {
	enum step_kind kind;
	unsigned long a0, a1, a2;
	long want_err;
	unsigned long want_val;
};

#define MAX_STEPS	16
static struct step steps[MAX_STEPS];
static int nr_steps;

static char text[3 * RING_SMALL];
static unsigned long text_gpa;
static char rx[8];
static unsigned long rx_gpa;
static int go;

/* Two-vCPU group: each vCPU writes RECORDS records of RECORD_LEN bytes. */
#define RECORDS		300
#define RECORD_LEN	16
static char records[2][RECORD_LEN];
static unsigned long records_gpa[2];

/* ---- guest code ---- */

static void guest_step(int i)
{
	const struct step *s = &steps[i];
	unsigned long r[8] = { s->a0, s->a1, s->a2 };

	switch (s->kind) {
	case WRITE:
	case WRITE_RAW:
		r[6] = DBCN_CONSOLE_WRITE;
		r[7] = SBI_EXT_DBCN;
		break;
	case BYTE:
		r[6] = DBCN_CONSOLE_WRITE_BYTE;
		r[7] = SBI_EXT_DBCN;
		break;
	case PUTCHAR:
		r[1] = 0x5a5a;
		r[7] = LEGACY_CONSOLE_PUTCHAR;
		break;
	case VENDOR:
		r[7] = VENDOR_EID;
		break;
	case READ:
		r[6] = DBCN_CONSOLE_READ;
		r[7] = SBI_EXT_DBCN;
		break;
	case SHUTDOWN:
		r[0] = 0;	/* shutdown */
		r[1] = 0;
		r[7] = SBI_EXT_SRST;
		break;
	case SPIN:
		while (!READ_ONCE(go))
			asm volatile("nop" ::: "memory");
		return;
	}
	__GUEST_ASSERT(sbi_ecall_counted(r) == 1, "step %d: ecall not stepped over once", i);
	__GUEST_ASSERT((long)r[0] == s->want_err, "step %d: a0 = %ld, want %ld",
		       i, (long)r[0], s->want_err);
	if (s->kind == PUTCHAR)
		__GUEST_ASSERT(r[1] == 0x5a5a, "step %d: legacy call changed a1", i);
	else
		__GUEST_ASSERT(r[1] == s->want_val, "step %d: a1 = %lu, want %lu",
			       i, r[1], s->want_val);
}

static void guest_steps(void)
{
	int i;

	for (i = 0; i < nr_steps; i++)
		guest_step(i);
	GUEST_DONE();
}

static void guest_records(int id)
{
	struct sbiret ret;
	int i;

	for (i = 0; i < RECORDS; i++) {
		/* "v<id> <seq>" padded to RECORD_LEN, with a newline */
		records[id][0] = 'v';
		records[id][1] = '0' + id;
		records[id][2] = ' ';
		records[id][3] = '0' + i / 100;
		records[id][4] = '0' + i / 10 % 10;
		records[id][5] = '0' + i % 10;
		memset(&records[id][6], '.', RECORD_LEN - 7);
		records[id][RECORD_LEN - 1] = '\n';
		ret = sbi_ecall(SBI_EXT_DBCN, DBCN_CONSOLE_WRITE, RECORD_LEN,
				records_gpa[id], 0, 0, 0, 0);
		GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
		GUEST_ASSERT_EQ(ret.value, RECORD_LEN);
	}
	GUEST_DONE();
}

/* ---- host side ---- */

struct ring {
	int fd;
	struct kvm_riscv_sbi_console_ring *hdr;
	char *data;
	size_t map_len;
};

/* What the host VMM has put out, in order. */
static char out[OUT_MAX];
static size_t out_len;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void out_put(const void *buf, size_t len)
{
	TEST_ASSERT(out_len + len <= sizeof(out), "output overflows the test's buffer");
	memcpy(out + out_len, buf, len);
	out_len += len;
}

/* Empty the ring into out[], as a VMM does before it handles an exit. */
static void ring_drain(struct ring *r)
{
	uint32_t head, tail, off, n;

	pthread_mutex_lock(&out_lock);
	head = __atomic_load_n(&r->hdr->head, __ATOMIC_ACQUIRE);
	tail = r->hdr->tail;
	TEST_ASSERT(head - tail <= r->hdr->size, "head %u tail %u: more than the ring holds",
		    head, tail);
	while (tail != head) {
		off = tail & (r->hdr->size - 1);
		n = head - tail;
		if (n > r->hdr->size - off)
			n = r->hdr->size - off;
		out_put(r->data + off, n);
		tail += n;
	}
	__atomic_store_n(&r->hdr->tail, tail, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&out_lock);
}

static int ring_enable(struct kvm_vm *vm, uint64_t size, uint64_t flags,
		       uint64_t arg1)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_RISCV_SBI_CONSOLE_RING,
		.flags = flags,
		.args = { size, arg1 },
	};

	return __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
}

static struct ring ring_open(struct kvm_vm *vm, uint64_t size)
{
	struct ring r;
	void *p;

	r.fd = ring_enable(vm, size, 0, 0);
	TEST_ASSERT(r.fd >= 0, "KVM_ENABLE_CAP(console ring, %lu): %s",
		    (unsigned long)size, strerror(errno));
	r.map_len = getpagesize() + size;
	p = mmap(NULL, r.map_len, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
	TEST_ASSERT(p != MAP_FAILED, "mmap of the console ring: %s", strerror(errno));
	r.hdr = p;
	TEST_ASSERT(r.hdr->size == size && r.hdr->data_offset == getpagesize() &&
		    !r.hdr->head && !r.hdr->tail && !r.hdr->input_pending,
		    "new ring: size %u data_offset %u head %u tail %u input %u",
		    r.hdr->size, r.hdr->data_offset, r.hdr->head, r.hdr->tail,
		    r.hdr->input_pending);
	r.data = (char *)p + r.hdr->data_offset;
	return r;
}

static void add_step(enum step_kind kind, unsigned long a0, unsigned long a1,
		     unsigned long a2, long want_err, unsigned long want_val)
{
	TEST_ASSERT(nr_steps < MAX_STEPS, "too many steps");
	steps[nr_steps++] = (struct step){ kind, a0, a1, a2, want_err, want_val };
}

/* console_write of text[off, off + len), answered with len. */
static void add_write(unsigned long off, unsigned long len)
{
	add_step(WRITE, len, text_gpa + off, 0, SBI_SUCCESS, len);
}

static struct kvm_vm *steps_vm(struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_steps);
	int i;

	for (i = 0; i < sizeof(text); i++)
		text[i] = 'a' + i % 26;
	text_gpa = addr_gva2gpa(vm, (vm_vaddr_t)text);
	rx_gpa = addr_gva2gpa(vm, (vm_vaddr_t)rx);
	sync_global_to_guest(vm, text);
	vcpu_set_reg(*vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), 1);
	return vm;
}

static void steps_sync(struct kvm_vm *vm)
{
	sync_global_to_guest(vm, steps);
	sync_global_to_guest(vm, nr_steps);
}

/* Run to the next exit that is not a ucall; return it for checks. */
static struct kvm_run *run_to_sbi(struct kvm_vcpu *vcpu, unsigned long eid,
				  unsigned long fid)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run(vcpu);
	if (run->exit_reason != KVM_EXIT_RISCV_SBI ||
	    run->riscv_sbi.extension_id != eid ||
	    (eid != LEGACY_CONSOLE_PUTCHAR && run->riscv_sbi.function_id != fid))
		sbi_test_report_exit(vcpu);
	return run;
}

static void run_to_done(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) != UCALL_DONE)
		sbi_test_report_exit(vcpu);
}

static void expect_out(const char *what, const void *want, size_t len)
{
	TEST_ASSERT(out_len == len && !memcmp(out, want, len),
		    "%s: the VMM has %zu bytes \"%.*s\", want %zu \"%.*s\"", what,
		    out_len, (int)(out_len > 64 ? 64 : out_len), out, len,
		    (int)(len > 64 ? 64 : len), (const char *)want);
	out_len = 0;
}

static void test_enable(void)
{
	long page = getpagesize();
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ring r;
	int max, fd;
	void *p;

	vm = vm_create_with_one_vcpu(&vcpu, guest_steps);
	max = __vm_ioctl(vm, KVM_CHECK_EXTENSION,
			 (void *)(long)KVM_CAP_RISCV_SBI_CONSOLE_RING);
	TEST_ASSERT(max >= page && !(max & (max - 1)),
		    "KVM_CHECK_EXTENSION(console ring) = %d", max);

	TEST_ASSERT(ring_enable(vm, 0, 0, 0) == -1 && errno == EINVAL, "size 0 accepted");
	TEST_ASSERT(ring_enable(vm, page / 2, 0, 0) == -1 && errno == EINVAL,
		    "size below a page accepted");
	TEST_ASSERT(ring_enable(vm, 3 * page, 0, 0) == -1 && errno == EINVAL,
		    "size not a power of two accepted");
	TEST_ASSERT(ring_enable(vm, 2UL * max, 0, 0) == -1 && errno == EINVAL,
		    "size above the maximum accepted");
	TEST_ASSERT(ring_enable(vm, 1UL << 40, 0, 0) == -1 && errno == EINVAL,
		    "size 2^40 accepted");
	TEST_ASSERT(ring_enable(vm, page, 1, 0) == -1 && errno == EINVAL,
		    "flags accepted");
	TEST_ASSERT(ring_enable(vm, page, 0, 1) == -1 && errno == EINVAL,
		    "args[1] accepted");

	r = ring_open(vm, page);
	TEST_ASSERT(ring_enable(vm, page, 0, 0) == -1 && errno == EEXIST,
		    "second ring: errno %d, want EEXIST", errno);

	p = mmap(NULL, r.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE, r.fd, 0);
	TEST_ASSERT(p == MAP_FAILED && errno == EINVAL, "private mapping accepted");
	p = mmap(NULL, r.map_len + page, PROT_READ, MAP_SHARED, r.fd, 0);
	TEST_ASSERT(p == MAP_FAILED && errno == EINVAL, "mapping past the ring accepted");
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, r.fd, page);
	TEST_ASSERT(p == MAP_FAILED && errno == EINVAL, "mapping at an offset accepted");
	kvm_vm_free(vm);

	/* Once a vCPU has run, the ring can no longer be enabled. */
	vm = steps_vm(&vcpu);
	nr_steps = 0;
	steps_sync(vm);
	run_to_done(vcpu);
	TEST_ASSERT(ring_enable(vm, page, 0, 0) == -1 && errno == EBUSY,
		    "ring enabled after KVM_RUN: errno %d, want EBUSY", errno);
	kvm_vm_free(vm);

	/* The file keeps the VM alive: the ring outlives the VM fd. */
	vm = vm_create_with_one_vcpu(&vcpu, guest_steps);
	r = ring_open(vm, page);
	fd = r.fd;
	kvm_vm_free(vm);
	TEST_ASSERT(r.hdr->size == page, "ring unmapped with the VM");
	munmap(r.hdr, r.map_len);
	close(fd);
}

/* The same guest output with and without the ring. */
static void add_mixed_output(void)
{
	add_write(0, 3);				/* "abc" */
	add_step(BYTE, '-', 0, 0, SBI_SUCCESS, 0);
	add_step(PUTCHAR, '!', 0, 0, 0, 0);
	add_step(VENDOR, 7, 0, 0, SBI_SUCCESS, 77);	/* answered by the host */
	add_write(3, 5);				/* "defgh" */
	add_step(READ, 4, 0, 0, SBI_SUCCESS, 0);	/* rx_gpa, set below */
	add_step(PUTCHAR, '\n', 0, 0, 0, 0);
	steps[5].a1 = rx_gpa;
}

static void answer(struct kvm_run *run, long err, unsigned long val)
{
	run->riscv_sbi.ret[0] = err;
	run->riscv_sbi.ret[1] = val;
}

static void test_no_opt_in(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;

	vm = steps_vm(&vcpu);
	add_mixed_output();
	steps_sync(vm);

	/* Every console call exits, carrying the guest's arguments. */
	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_WRITE);
	TEST_ASSERT(run->riscv_sbi.args[0] == 3 && run->riscv_sbi.args[1] == text_gpa &&
		    run->riscv_sbi.ret[0] == (unsigned long)SBI_ERR_NOT_SUPPORTED,
		    "console_write exit: a0 %lu a1 %#lx ret0 %lld", run->riscv_sbi.args[0],
		    run->riscv_sbi.args[1], (long long)run->riscv_sbi.ret[0]);
	answer(run, SBI_SUCCESS, 3);
	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_WRITE_BYTE);
	TEST_ASSERT_EQ(run->riscv_sbi.args[0], '-');
	answer(run, SBI_SUCCESS, 0);
	run = run_to_sbi(vcpu, LEGACY_CONSOLE_PUTCHAR, 0);
	TEST_ASSERT_EQ(run->riscv_sbi.args[0], '!');
	answer(run, 0, 0);
	run = run_to_sbi(vcpu, VENDOR_EID, 0);
	answer(run, SBI_SUCCESS, 77);
	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_WRITE);
	TEST_ASSERT_EQ(run->riscv_sbi.args[0], 5);
	answer(run, SBI_SUCCESS, 5);
	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_READ);
	answer(run, SBI_SUCCESS, 0);
	run = run_to_sbi(vcpu, LEGACY_CONSOLE_PUTCHAR, 0);
	answer(run, 0, 0);
	run_to_done(vcpu);
	kvm_vm_free(vm);
}

static void test_ordering(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ring r;

	vm = steps_vm(&vcpu);
	r = ring_open(vm, RING_SMALL);
	r.hdr->input_pending = 1;	/* the read exits */
	add_mixed_output();
	steps_sync(vm);

	/* The first exit is the vendor call: the three writes are before it. */
	run = run_to_sbi(vcpu, VENDOR_EID, 0);
	ring_drain(&r);
	expect_out("before the forwarded call", "abc-!", 5);
	TEST_ASSERT_EQ(r.hdr->calls, 3);
	answer(run, SBI_SUCCESS, 77);

	/* A read exits; the write before it is in the ring. */
	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_READ);
	ring_drain(&r);
	expect_out("before console_read", "defgh", 5);
	answer(run, SBI_SUCCESS, 0);

	run_to_done(vcpu);
	ring_drain(&r);
	expect_out("before the last exit", "\n", 1);
	TEST_ASSERT(r.hdr->calls == 5 && r.hdr->full == 0, "calls %llu full %llu",
		    r.hdr->calls, r.hdr->full);
	kvm_vm_free(vm);
}

static void test_full(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ring r;

	vm = steps_vm(&vcpu);
	r = ring_open(vm, RING_SMALL);
	add_write(0, 3000);
	add_write(3000, 3000);		/* does not fit: forwarded */
	add_write(6000, 3000);		/* fits once emptied; wraps round */
	add_step(VENDOR, 0, 0, 0, SBI_SUCCESS, 0);
	add_write(9000, 1);		/* forwarded: the VMM corrupted tail */
	add_write(9001, 1);
	steps_sync(vm);

	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_WRITE);
	TEST_ASSERT(run->riscv_sbi.args[0] == 3000 &&
		    run->riscv_sbi.args[1] == text_gpa + 3000,
		    "forwarded write: a0 %lu a1 %#lx", run->riscv_sbi.args[0],
		    run->riscv_sbi.args[1]);
	TEST_ASSERT(r.hdr->full == 1 && r.hdr->calls == 1, "full %llu calls %llu",
		    r.hdr->full, r.hdr->calls);
	/* The VMM empties the ring, then writes the forwarded buffer itself. */
	ring_drain(&r);
	expect_out("ring before the full write", text, 3000);
	out_put(addr_gpa2hva(vm, run->riscv_sbi.args[1]), 3000);
	answer(run, SBI_SUCCESS, 3000);

	run = run_to_sbi(vcpu, VENDOR_EID, 0);
	ring_drain(&r);
	expect_out("the full write, then the ring", text + 3000, 6000);
	TEST_ASSERT(r.hdr->head == 6000 && r.hdr->calls == 2, "head %u calls %llu",
		    r.hdr->head, r.hdr->calls);
	answer(run, SBI_SUCCESS, 0);

	/* A tail past head: the ring looks full, nothing is overwritten. */
	__atomic_store_n(&r.hdr->tail, r.hdr->head + 1, __ATOMIC_RELEASE);
	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_WRITE);
	TEST_ASSERT(run->riscv_sbi.args[1] == text_gpa + 9000 && r.hdr->full == 2 &&
		    r.hdr->head == 6000,
		    "corrupted tail: a1 %#lx full %llu head %u", run->riscv_sbi.args[1],
		    r.hdr->full, r.hdr->head);
	__atomic_store_n(&r.hdr->tail, r.hdr->head, __ATOMIC_RELEASE);
	out_put(addr_gpa2hva(vm, run->riscv_sbi.args[1]), 1);
	answer(run, SBI_SUCCESS, 1);

	run_to_done(vcpu);
	ring_drain(&r);
	expect_out("the last bytes, in order", text + 9000, 2);
	kvm_vm_free(vm);
}

static void test_shutdown(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ring r;

	vm = steps_vm(&vcpu);
	r = ring_open(vm, RING_SMALL);
	add_write(0, 26);
	add_step(PUTCHAR, '\n', 0, 0, 0, 0);
	add_step(SHUTDOWN, 0, 0, 0, 0, 0);
	steps_sync(vm);

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
		    vcpu->run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN,
		    "exit %s, want SYSTEM_EVENT shutdown",
		    exit_reason_str(vcpu->run->exit_reason));
	ring_drain(&r);
	TEST_ASSERT(out_len == 27 && !memcmp(out, text, 26) && out[26] == '\n',
		    "output before shutdown: %zu bytes", out_len);
	kvm_vm_free(vm);
}

static void test_refused(void)
{
	const unsigned long page = getpagesize();
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	unsigned long ram_end;
	struct ring r;
	int i;

	vm = steps_vm(&vcpu);
	r = ring_open(vm, RING_SMALL);
	ram_end = sbi_test_ram_end(vm, text_gpa);
	TEST_ASSERT(ram_end && !sbi_test_gpa_is_ram(vm, 1UL << 50) &&
		    !sbi_test_gpa_is_ram(vm, ram_end),
		    "the test's non-RAM addresses are RAM");
	/* Not RAM; base_hi set; longer than a page; 0 bytes; RAM, then not */
	add_step(WRITE_RAW, 8, 1UL << 50, 0, SBI_ERR_INVALID_PARAM, 0);
	add_step(WRITE_RAW, 8, text_gpa, 1, SBI_ERR_INVALID_PARAM, 0);
	add_step(WRITE_RAW, page + 1, text_gpa, 0, SBI_SUCCESS, page);
	add_step(WRITE_RAW, 0, text_gpa, 0, SBI_SUCCESS, 0);
	add_step(WRITE_RAW, 2, ram_end - 1, 0, SBI_ERR_INVALID_PARAM, 0);
	steps_sync(vm);

	for (i = 0; i < nr_steps; i++) {
		run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_WRITE);
		TEST_ASSERT(run->riscv_sbi.args[0] == steps[i].a0 &&
			    run->riscv_sbi.args[1] == steps[i].a1 &&
			    run->riscv_sbi.args[2] == steps[i].a2,
			    "step %d: forwarded with other arguments", i);
		/* As the VMM answers. */
		answer(run, steps[i].want_err, steps[i].want_val);
	}
	run_to_done(vcpu);
	TEST_ASSERT(r.hdr->head == 0 && r.hdr->calls == 0,
		    "refused calls reached the ring: head %u calls %llu",
		    r.hdr->head, r.hdr->calls);
	kvm_vm_free(vm);
}

static void guest_no_input(void)
{
	struct sbiret ret;
	long c;

	/* No input: both reads answered without an exit. */
	ret = sbi_ecall(SBI_EXT_DBCN, DBCN_CONSOLE_READ, 4, rx_gpa, 0, 0, 0, 0);
	GUEST_ASSERT(ret.error == SBI_SUCCESS && ret.value == 0);
	c = sbi_ecall(LEGACY_CONSOLE_GETCHAR, 0, 0, 0, 0, 0, 0, 0).error;
	GUEST_ASSERT_EQ(c, -1);
	/* A buffer outside guest RAM is the VMM's to refuse: it exits. */
	ret = sbi_ecall(SBI_EXT_DBCN, DBCN_CONSOLE_READ, 4, 1UL << 50, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(ret.error, SBI_ERR_INVALID_PARAM);
	/* The VMM says it has input (ucall): reads exit again. */
	GUEST_SYNC(1);
	ret = sbi_ecall(SBI_EXT_DBCN, DBCN_CONSOLE_READ, 4, rx_gpa, 0, 0, 0, 0);
	GUEST_ASSERT(ret.error == SBI_SUCCESS && ret.value == 3);
	c = sbi_ecall(LEGACY_CONSOLE_GETCHAR, 0, 0, 0, 0, 0, 0, 0).error;
	GUEST_ASSERT_EQ(c, 'k');
	GUEST_DONE();
}

static void test_no_input(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ucall uc;
	struct ring r;

	vm = vm_create_with_one_vcpu(&vcpu, guest_no_input);
	rx_gpa = addr_gva2gpa(vm, (vm_vaddr_t)rx);
	sync_global_to_guest(vm, rx_gpa);
	vcpu_set_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), 1);
	r = ring_open(vm, RING_SMALL);

	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_READ);
	TEST_ASSERT(run->riscv_sbi.args[1] == 1UL << 50 && r.hdr->reads == 2,
		    "no input: exit for a1 %#lx, %llu reads answered",
		    run->riscv_sbi.args[1], r.hdr->reads);
	answer(run, SBI_ERR_INVALID_PARAM, 0);
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC, "no GUEST_SYNC");

	r.hdr->input_pending = 1;
	run = run_to_sbi(vcpu, SBI_EXT_DBCN, DBCN_CONSOLE_READ);
	memcpy(addr_gpa2hva(vm, run->riscv_sbi.args[1]), "kvm", 3);
	answer(run, SBI_SUCCESS, 3);
	run = run_to_sbi(vcpu, LEGACY_CONSOLE_GETCHAR, 0);
	answer(run, 'k', 0);
	run_to_done(vcpu);
	TEST_ASSERT_EQ(r.hdr->reads, 2);
	kvm_vm_free(vm);
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	run_to_done(vcpu);
	return NULL;
}

static void test_flush_timeout(void)
{
	struct pollfd pfd;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	pthread_t thread;
	struct ring r;
	uint64_t n;
	int *gop;

	vm = steps_vm(&vcpu);
	r = ring_open(vm, RING_SMALL);
	add_write(0, 5);
	add_step(SPIN, 0, 0, 0, 0, 0);
	steps_sync(vm);
	gop = addr_gva2hva(vm, (vm_vaddr_t)&go);

	pfd = (struct pollfd){ .fd = r.fd, .events = POLLIN };
	TEST_ASSERT(poll(&pfd, 1, 0) == 0, "ring readable before any output");
	pthread_create(&thread, NULL, vcpu_thread, vcpu);

	/* The guest wrote and spins without an exit: the timeout tells us. */
	TEST_ASSERT(poll(&pfd, 1, 5000) == 1 && (pfd.revents & POLLIN),
		    "no flush within 5 s of guest output");
	TEST_ASSERT(read(r.fd, &n, sizeof(n)) == sizeof(n) && n >= 1,
		    "read of a due ring: n %lu", (unsigned long)n);
	TEST_ASSERT(poll(&pfd, 1, 0) == 0, "read did not clear the flush");
	TEST_ASSERT(read(r.fd, &n, sizeof(n)) == sizeof(n) && n == 0,
		    "second read: n %lu", (unsigned long)n);
	TEST_ASSERT(read(r.fd, &n, 4) == -1 && errno == EINVAL, "short read accepted");
	ring_drain(&r);
	expect_out("flushed by the timeout", text, 5);

	__atomic_store_n(gop, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	kvm_vm_free(vm);
}

static int records_done;

struct records_vcpu {
	struct kvm_vcpu *vcpu;
	struct ring *ring;
};

/* A vCPU of the two: answers forwarded writes as a VMM does. */
static void *records_thread(void *arg)
{
	struct records_vcpu *rv = arg;
	struct kvm_run *run = rv->vcpu->run;
	struct ucall uc;

	for (;;) {
		vcpu_run(rv->vcpu);
		if (run->exit_reason == KVM_EXIT_RISCV_SBI &&
		    run->riscv_sbi.extension_id == SBI_EXT_DBCN) {
			TEST_ASSERT_EQ(run->riscv_sbi.args[0], RECORD_LEN);
			/* What the ring holds came before this call. */
			ring_drain(rv->ring);
			pthread_mutex_lock(&out_lock);
			out_put(addr_gpa2hva(rv->vcpu->vm, run->riscv_sbi.args[1]),
				RECORD_LEN);
			pthread_mutex_unlock(&out_lock);
			answer(run, SBI_SUCCESS, RECORD_LEN);
			continue;
		}
		if (get_ucall(rv->vcpu, &uc) != UCALL_DONE)
			sbi_test_report_exit(rv->vcpu);
		__atomic_add_fetch(&records_done, 1, __ATOMIC_RELEASE);
		return NULL;
	}
}

static void test_two_vcpus(void)
{
	struct records_vcpu rv[2];
	struct kvm_vcpu *vcpus[2];
	pthread_t threads[2];
	struct kvm_vm *vm;
	struct ring r;
	int next[2] = { 0, 0 };
	int i, id, seq;
	char *rec;

	vm = vm_create_with_vcpus(2, guest_records, vcpus);
	r = ring_open(vm, RING_SMALL);
	for (i = 0; i < 2; i++) {
		records_gpa[i] = addr_gva2gpa(vm, (vm_vaddr_t)records[i]);
		vcpu_set_reg(vcpus[i], RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), 1);
		vcpu_args_set(vcpus[i], 1, i);
	}
	sync_global_to_guest(vm, records_gpa);
	for (i = 0; i < 2; i++) {
		rv[i] = (struct records_vcpu){ vcpus[i], &r };
		pthread_create(&threads[i], NULL, records_thread, &rv[i]);
	}
	/*
	 * The VMM's flush thread: empty the ring when told, a little late, so
	 * that the ring also fills and the vCPUs empty it themselves.
	 */
	while (__atomic_load_n(&records_done, __ATOMIC_ACQUIRE) < 2) {
		struct pollfd pfd = { .fd = r.fd, .events = POLLIN };
		uint64_t n;

		if (poll(&pfd, 1, 10) != 1)
			continue;
		TEST_ASSERT(read(r.fd, &n, sizeof(n)) == sizeof(n), "read");
		usleep(5000);
		ring_drain(&r);
	}
	for (i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	ring_drain(&r);

	TEST_ASSERT(out_len == 2 * RECORDS * RECORD_LEN, "%zu bytes, want %d", out_len,
		    2 * RECORDS * RECORD_LEN);
	for (i = 0; i < 2 * RECORDS; i++) {
		rec = out + i * RECORD_LEN;
		TEST_ASSERT(rec[0] == 'v' && (rec[1] == '0' || rec[1] == '1') &&
			    rec[RECORD_LEN - 1] == '\n',
			    "record %d not whole: \"%.16s\"", i, rec);
		id = rec[1] - '0';
		seq = (rec[3] - '0') * 100 + (rec[4] - '0') * 10 + (rec[5] - '0');
		TEST_ASSERT(seq == next[id], "vCPU %d: record %d after %d", id, seq,
			    next[id] - 1);
		next[id]++;
	}
	ksft_print_msg("two vCPUs: %llu calls from the ring, %llu forwarded (full)\n",
		       r.hdr->calls, r.hdr->full);
	TEST_ASSERT(r.hdr->calls + r.hdr->full == 2 * RECORDS,
		    "calls %llu + full %llu != %d", r.hdr->calls, r.hdr->full, 2 * RECORDS);
	kvm_vm_free(vm);
}

static const struct sbi_test_group groups[] = {
	{ "ring: capability, arguments and errors",		test_enable },
	{ "ring: a VMM that does not opt in: an exit per call",	test_no_opt_in },
	{ "ring: output before every later exit, answers kept",	test_ordering },
	{ "ring: full or corrupted ring forwards, nothing lost",	test_full },
	{ "ring: output before shutdown is kept",		test_shutdown },
	{ "ring: buffers the VMM would refuse are forwarded",	test_refused },
	{ "ring: readable after the flush timeout",		test_flush_timeout },
	{ "ring: reads without input pending answered in KVM",	test_no_input },
	{ "ring: two vCPUs, every record whole and in order",	test_two_vcpus },
};

int main(void)
{
	int fd, max;

	ksft_print_header();
	fd = open_kvm_dev_path_or_exit();
	max = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_RISCV_SBI_CONSOLE_RING);
	close(fd);
	if (max <= 0)
		ksft_exit_skip("KVM_CAP_RISCV_SBI_CONSOLE_RING not supported\n");
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
