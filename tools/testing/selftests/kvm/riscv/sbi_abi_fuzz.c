// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_abi_fuzz - seeded random use of the SBI userspace ABI, from several
 * threads at once.
 *
 * One VM after the other: two vCPUs run a guest that makes forwarded SBI
 * calls (experimental EIDs, probes of them) while other threads of the
 * same process
 *
 *  - add random SBI policies with KVM_SET_DEVICE_ATTR (ranges, actions,
 *    FID ranges, padding, flags, counts, bad pointers) and ask
 *    KVM_HAS_DEVICE_ATTR / KVM_GET_DEVICE_ATTR with random groups;
 *  - create vCPUs (random IDs, duplicates, out of range), read and write
 *    the SBI extension registers (single and multi) and the SBI state
 *    registers with KVM_GET/SET_ONE_REG, random register IDs included,
 *    and list registers with KVM_GET_REG_LIST (too small, exact, large;
 *    every listed register must be readable);
 *  - inject SSE events as the VMM (KVM_RISCV_VM_ATTR_SBI_SSE): known and
 *    unknown events and harts, flags, reserved words, bad pointers;
 *  - enable the console ring (KVM_ENABLE_CAP, random sizes, flags and
 *    arguments, before and after a run), map it (random lengths and
 *    offsets, private), scribble on its shared header (tail, head,
 *    input_pending), read and poll its fd, and drain it or not, while the
 *    guest also writes and reads its console (DBCN with random lengths
 *    and addresses, legacy putchar and getchar);
 *  - answer the forwarded calls with random completions, change
 *    kvm_run's exit_reason, set immediate_exit, and are sent signals.
 *
 * The oracle: every ioctl succeeds or fails with an errno the ABI
 * documents for it (Documentation/virt/kvm/riscv/sbi.rst, api.rst), never
 * EFAULT for valid buffers; a policy cannot be added once a vCPU of the VM
 * has run, nor an extension register written once its vCPU has run; a
 * forwarded call arrives with ret[] preset to NOT_SUPPORTED/0; a second
 * ring or one after a run is refused; the kernel's ring head never runs
 * more than a ring ahead of a tail the fuzzer kept honest; KVM_RUN
 * fails with EINTR only; every exit is a known kind. The host's splats
 * are judged on the console.
 *
 *   sbi_abi_fuzz [-s SEED] [-n IOCTLS] [-t SECONDS] [-v FIRST_VM] [-m VMS] [-q]
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi.h"
#include "sbi_fuzz.h"
#include "sbi_test.h"
#include "test_util.h"

#define NR_RUNNERS		2
#define NR_POLICY_THREADS	2
#define MAX_EXTRA_VCPUS		8
#define MAX_LIST		512

#define BIT_ERR(e)		(1ULL << (e))
#define ERR_POLICY		(BIT_ERR(EINVAL) | BIT_ERR(EPERM) | BIT_ERR(EEXIST) | \
				 BIT_ERR(E2BIG) | BIT_ERR(EBUSY) | BIT_ERR(ENXIO) | \
				 BIT_ERR(ENOMEM))
#define ERR_ONE_REG		(BIT_ERR(EINVAL) | BIT_ERR(ENOENT) | BIT_ERR(EBUSY) | \
				 BIT_ERR(E2BIG))

static uint64_t opt_seed;
static uint64_t opt_ioctls = 100000;
static double opt_seconds;
static uint64_t opt_first_vm, opt_vms;
static bool opt_quiet;

static struct {
	uint64_t ioctls, vms, failures, run_failures, exits_unknown;
	uint64_t policy_ok, policy_err, onereg_ok, onereg_err, reglist, vcpus;
	uint64_t sse_ok, sse_err, ring_ok, ring_err, ring_bytes;
	uint64_t runs, forwarded, eintr, efault_expected, busy_checked, refused_completions;
} st;

#define DBCN_WRITE		0
#define DBCN_READ		1
#define DBCN_WRITE_BYTE		2

/* Where the guest's console calls point: guest RAM, set by the host. */
static unsigned long console_gpa;

/* The guest: forwarded calls and console calls, forever; the host ends it. */
static void guest_code(void)
{
	unsigned long i = 0, x = 0x9e3779b97f4a7c15UL, len, addr;

	for (;;) {
		i++;
		sbi_ecall(SBI_EXT_EXPERIMENTAL_START | (i & 0xffff), i & 7, i, -i,
			  0, 0, 0, 0);
		if (!(i & 15))
			sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT,
				  SBI_EXT_VENDOR_START + (i & 0xff), 0, 0, 0, 0, 0);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Lengths around the ring's and the page's edges, and huge. */
		len = (x & 3) == 3 ? x >> 8 : (x >> 8) & 0x1fff;
		addr = (x & 12) == 12 ? x >> 4 : console_gpa + ((x >> 20) & 0xfff);
		switch (x >> 60) {
		case 0 ... 5:
			sbi_ecall(SBI_EXT_DBCN, DBCN_WRITE, len, addr,
				  (x & 0x30) == 0x30, 0, 0, 0);
			break;
		case 6 ... 7:
			sbi_ecall(SBI_EXT_DBCN, DBCN_READ, len, addr, 0, 0, 0, 0);
			break;
		case 8 ... 9:
			sbi_ecall(SBI_EXT_DBCN, DBCN_WRITE_BYTE, x, 0, 0, 0, 0, 0);
			break;
		case 10 ... 11:
			sbi_ecall(0x01, 0, x, 0, 0, 0, 0, 0);	/* putchar */
			break;
		case 12:
			sbi_ecall(0x02, 0, 0, 0, 0, 0, 0, 0);	/* getchar */
			break;
		}
	}
}

struct avm {
	struct kvm_vm *vm;
	uint64_t index;
	struct kvm_vcpu *runners[NR_RUNNERS];
	pthread_t runner_threads[NR_RUNNERS];
	int extra_fds[MAX_EXTRA_VCPUS];
	int nr_extra;
	pthread_mutex_t extra_lock;
	int ran;		/* a runner's KVM_RUN has returned */
	int runner_ran[NR_RUNNERS];
	int stop;
	uint64_t ioctls;
	uint64_t budget;
	/* The console ring, once a policy thread enabled it. */
	pthread_mutex_t ring_lock;
	int ring_fd;
	struct kvm_riscv_sbi_console_ring *ring;
	size_t ring_len;
	uint32_t ring_size;
	bool ring_honest;	/* the fuzzer has not scribbled on head or tail */
};

static void *bad_ptr;		/* an address that is never mapped */

static void fail(const char *fmt, ...)
{
	static uint64_t printed;
	char msg[300];
	va_list ap;

	fuzz_add(&st.failures, 1);
	if (fuzz_add(&printed, 1) > 30)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ksft_print_msg("FAIL %s\n", msg);
}

/* Count one ioctl and check its errno against the allowed set. */
static void judge(struct avm *a, const char *what, int ret, int err,
		  uint64_t allowed, bool bad_buffer)
{
	fuzz_add(&st.ioctls, 1);
	__atomic_add_fetch(&a->ioctls, 1, __ATOMIC_RELAXED);
	if (ret >= 0)
		return;
	if (err == EFAULT && bad_buffer) {
		fuzz_add(&st.efault_expected, 1);
		return;
	}
	if (err < 64 && (allowed & BIT_ERR(err)))
		return;
	fail("vm %lu: %s: unexpected errno %d (%s)", a->index, what, err, strerror(err));
}

/* ---- policy threads ---- */

static const uint32_t policy_eids[] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x0f, 0x10, 0x11,
	0x54494D45, 0x735049, 0x52464E43, 0x48534D, 0x53525354, 0x504D55,
	0x4442434E, 0x53555350, 0x43505043, 0x4E41434C, 0x535441, 0x535345,
	0x46574654, 0x44425452, 0x4D505859, 0x08000000, 0x08ffffff, 0x09000000,
	0x0a000000, 0x0affffff, 0x0b000000, 0x7fffffff, 0xffffffff,
};

static void random_entry(struct fuzz_rng *r, struct kvm_riscv_sbi_policy_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->eid_base = fuzz_one_in(r, 4) ? fuzz_next(r) :
		policy_eids[fuzz_below(r, ARRAY_SIZE(policy_eids))];
	switch (fuzz_below(r, 6)) {
	case 0:
		e->eid_count = 0;
		break;
	case 1:
		e->eid_count = fuzz_next(r);
		break;
	case 2:
		e->eid_count = -e->eid_base;
		break;
		/* to the top */
	case 3:
		e->eid_count = 1 + fuzz_below(r, 0x1000000);
		break;
	default:
		e->eid_count = 1;
		break;
	}
	if (fuzz_one_in(r, 3)) {
		e->fid_base = fuzz_one_in(r, 4) ? fuzz_next(r) : fuzz_below(r, 10);
		e->fid_count = fuzz_one_in(r, 4) ? fuzz_next(r) : fuzz_below(r, 5);
	}
	e->action = fuzz_one_in(r, 10) ? fuzz_next(r) : fuzz_below(r, 3);
	if (fuzz_one_in(r, 12))
		e->pad[fuzz_below(r, 7)] = fuzz_next(r) | 1;
}

static void policy_op(struct avm *a, struct fuzz_rng *r)
{
	static const int ioctls[] = {
		KVM_SET_DEVICE_ATTR, KVM_SET_DEVICE_ATTR, KVM_SET_DEVICE_ATTR,
		KVM_HAS_DEVICE_ATTR, KVM_GET_DEVICE_ATTR,
	};
	struct kvm_riscv_sbi_policy_entry entries[16];
	struct kvm_riscv_sbi_policy p = { 0 };
	struct kvm_device_attr attr = { 0 };
	int ioc = ioctls[fuzz_below(r, ARRAY_SIZE(ioctls))];
	bool bad = false, valid_attr = true, ran_before;
	unsigned int n = 1 + (fuzz_one_in(r, 4) ? fuzz_below(r, ARRAY_SIZE(entries)) :
			      fuzz_below(r, 3)), i;
	void *arg = &attr;
	int ret, err;

	for (i = 0; i < n; i++)
		random_entry(r, &entries[i]);
	p.nr_entries = fuzz_one_in(r, 16) ? (fuzz_one_in(r, 2) ? 0 : 1025 + fuzz_below(r, 4)) : n;
	p.flags = fuzz_one_in(r, 16) ? fuzz_next(r) : 0;
	p.entries = (unsigned long)entries;
	attr.group = KVM_RISCV_VM_ATTR_SBI_POLICY;
	attr.attr = KVM_RISCV_VM_SBI_POLICY_ADD;
	attr.addr = (unsigned long)&p;
	switch (fuzz_below(r, 24)) {
	case 0:
		attr.group = fuzz_next(r);
		valid_attr = false;
		break;
	case 1:
		attr.attr = fuzz_next(r) | 1;
		valid_attr = false;
		break;
	case 2:
		attr.flags = fuzz_next(r) | 1;
		valid_attr = false;
		break;
	case 3:
		attr.addr = (unsigned long)bad_ptr;
		bad = true;
		break;
	case 4:
		p.entries = (unsigned long)bad_ptr;
		bad = true;
		break;
	case 5:
		arg = bad_ptr;
		bad = true;
		break;
	case 6:	/* entries running off the end of a mapping */
		p.entries = (unsigned long)bad_ptr - sizeof(entries[0]);
		p.nr_entries = 2;
		bad = true;
		break;
	}

	ran_before = __atomic_load_n(&a->ran, __ATOMIC_SEQ_CST);
	ret = ioctl(a->vm->fd, ioc, arg);
	err = errno;
	if (ioc == KVM_SET_DEVICE_ATTR) {
		judge(a, "KVM_SET_DEVICE_ATTR", ret, err, ERR_POLICY, bad);
		if (!ret) {
			fuzz_add(&st.policy_ok, 1);
			if (ran_before)
				fail("vm %lu: a policy was added after a vCPU ran", a->index);
			if (!valid_attr)
				fail("vm %lu: KVM_SET_DEVICE_ATTR took group %#x attr %#llx flags %#x",
				     a->index, attr.group, (unsigned long long)attr.attr, attr.flags);
		} else {
			fuzz_add(&st.policy_err, 1);
			if (ran_before && err == EBUSY)
				fuzz_add(&st.busy_checked, 1);
		}
	} else if (ioc == KVM_HAS_DEVICE_ATTR) {
		judge(a, "KVM_HAS_DEVICE_ATTR", ret, err,
		      BIT_ERR(ENXIO) | BIT_ERR(EINVAL), bad && arg == bad_ptr);
		if (!ret && !valid_attr)
			fail("vm %lu: KVM_HAS_DEVICE_ATTR has group %#x attr %#llx flags %#x",
			     a->index, attr.group, (unsigned long long)attr.attr, attr.flags);
		if (ret && valid_attr && arg != bad_ptr)
			fail("vm %lu: KVM_HAS_DEVICE_ATTR(policy): %s", a->index, strerror(err));
	} else {
		judge(a, "KVM_GET_DEVICE_ATTR", ret, err,
		      BIT_ERR(ENXIO) | BIT_ERR(EINVAL), bad);
		if (!ret)
			fail("vm %lu: KVM_GET_DEVICE_ATTR succeeded", a->index);
	}
}

struct worker {
	struct avm *a;
	int id;
	struct fuzz_rng rng;
};

/*
 * The VMM injects an SSE event: known and unknown events, harts in and out
 * of range, non-zero flags and reserved words, bad pointers. Success, or
 * EINVAL, ENOENT (no such hart), EFAULT for a bad pointer.
 */
static void sse_inject_op(struct avm *a, struct fuzz_rng *r)
{
	static const uint32_t events[] = {
		0x00000000, 0x00008000, 0x00100000, 0x00108000, 0xffff0000,
		0xffff8000, 0x00010000, 0x00000001, 0x12345678,
	};
	struct kvm_riscv_sbi_sse_inject inj = {
		.event_id = fuzz_one_in(r, 8) ? fuzz_next(r) :
			    events[fuzz_below(r, ARRAY_SIZE(events))],
		.flags = fuzz_one_in(r, 8) ? fuzz_next(r) : 0,
		.hart_id = fuzz_one_in(r, 6) ? fuzz_next(r) : fuzz_below(r, 4),
	};
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_SSE,
		.attr = KVM_RISCV_VM_SBI_SSE_INJECT,
		.addr = (unsigned long)&inj,
	};
	bool bad = false;
	int ret;

	if (fuzz_one_in(r, 8))
		inj.reserved[fuzz_below(r, 2)] = fuzz_next(r) | 1;
	if (fuzz_one_in(r, 12)) {
		attr.addr = (unsigned long)bad_ptr;
		bad = true;
	}
	ret = ioctl(a->vm->fd, KVM_SET_DEVICE_ATTR, &attr);
	judge(a, "KVM_SET_DEVICE_ATTR(SSE)", ret, errno,
	      BIT_ERR(EINVAL) | BIT_ERR(ENOENT), bad);
	if (!ret && (inj.flags || inj.reserved[0] || inj.reserved[1]))
		fail("vm %lu: SSE injection with flags %#x reserved %#llx/%#llx succeeded",
		     a->index, inj.flags, (unsigned long long)inj.reserved[0],
		     (unsigned long long)inj.reserved[1]);
	fuzz_add(ret ? &st.sse_err : &st.sse_ok, 1);
}

/* Empty the ring, as a VMM does; checks head against an honest tail. */
static void ring_drain(struct avm *a)
{
	struct kvm_riscv_sbi_console_ring *h = a->ring;
	uint32_t head, tail;

	head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&h->tail, __ATOMIC_RELAXED);
	if (a->ring_honest && head - tail > a->ring_size)
		fail("vm %lu: console ring head %u is more than %u ahead of tail %u",
		     a->index, head, a->ring_size, tail);
	if (a->ring_honest)
		fuzz_add(&st.ring_bytes, head - tail);
	__atomic_store_n(&h->tail, head, __ATOMIC_RELEASE);
}

static void ring_op(struct avm *a, struct fuzz_rng *r)
{
	long page = getpagesize();
	struct kvm_enable_cap cap = { .cap = KVM_CAP_RISCV_SBI_CONSOLE_RING };
	struct pollfd pfd;
	uint64_t buf[2];
	bool ran;
	void *p;
	int ret, err;

	pthread_mutex_lock(&a->ring_lock);
	if (a->ring_fd < 0 || fuzz_one_in(r, 16)) {
		cap.args[0] = fuzz_one_in(r, 4) ? fuzz_next(r) :
			      (uint64_t)page << fuzz_below(r, 10);
		if (fuzz_one_in(r, 8))
			cap.flags = fuzz_next(r) | 1;
		if (fuzz_one_in(r, 8))
			cap.args[1 + fuzz_below(r, 3)] = fuzz_next(r) | 1;
		ran = __atomic_load_n(&a->ran, __ATOMIC_SEQ_CST);
		ret = ioctl(a->vm->fd, KVM_ENABLE_CAP, &cap);
		err = errno;
		judge(a, "KVM_ENABLE_CAP(console ring)", ret, err,
		      BIT_ERR(EINVAL) | BIT_ERR(EEXIST) | BIT_ERR(EBUSY) |
		      BIT_ERR(ENOMEM), false);
		if (ret >= 0 && (a->ring_fd >= 0 || ran))
			fail("vm %lu: a console ring enabled %s", a->index,
			     a->ring_fd >= 0 ? "twice" : "after a run");
		if (ret >= 0) {
			a->ring_fd = ret;
			a->ring_size = cap.args[0];
			a->ring_len = page + cap.args[0];
		}
		fuzz_add(ret >= 0 ? &st.ring_ok : &st.ring_err, 1);
		pthread_mutex_unlock(&a->ring_lock);
		return;
	}
	switch (fuzz_below(r, 8)) {
	case 0:	/* map it, or try to map it wrong */
		if (a->ring && !fuzz_one_in(r, 4))
			break;
		p = mmap(NULL, fuzz_one_in(r, 3) ? page * fuzz_below(r, 40) :
			 a->ring_len, PROT_READ | PROT_WRITE,
			 fuzz_one_in(r, 4) ? MAP_PRIVATE : MAP_SHARED, a->ring_fd,
			 fuzz_one_in(r, 4) ? page * fuzz_below(r, 4) : 0);
		if (p == MAP_FAILED)
			break;
		if (!a->ring && ((struct kvm_riscv_sbi_console_ring *)p)->size ==
		    a->ring_size) {
			a->ring = p;
			a->ring_honest = true;
		} else {
			munmap(p, a->ring_len);
		}
		break;
	case 1 ... 3:	/* drain */
		if (a->ring)
			ring_drain(a);
		break;
	case 4:	/* scribble */
		if (!a->ring)
			break;
		switch (fuzz_below(r, 3)) {
		case 0:
			a->ring->tail = fuzz_next(r);
			a->ring_honest = false;
			break;
		case 1:
			a->ring->head = fuzz_next(r);	/* the kernel's own copy rules */
			a->ring_honest = false;
			break;
		case 2:
			a->ring->input_pending = fuzz_below(r, 2);
			break;
		}
		break;
	case 5:	/* a scribbled ring stays unchecked: its head may be ours */
		if (a->ring)
			ring_drain(a);
		break;
	case 6:	/* read, any size */
		ret = read(a->ring_fd, buf, fuzz_below(r, 17));
		if (ret < 0 && errno != EINVAL)
			fail("vm %lu: read of the console ring fd: %s", a->index,
			     strerror(errno));
		break;
	case 7:
		pfd = (struct pollfd){ .fd = a->ring_fd, .events = POLLIN };
		if (poll(&pfd, 1, 0) < 0)
			fail("vm %lu: poll of the console ring fd: %s", a->index,
			     strerror(errno));
		break;
	}
	pthread_mutex_unlock(&a->ring_lock);
}

static void *policy_thread(void *arg)
{
	struct worker *w = arg;

	while (!__atomic_load_n(&w->a->stop, __ATOMIC_SEQ_CST)) {
		if (fuzz_one_in(&w->rng, 4))
			sse_inject_op(w->a, &w->rng);
		else if (fuzz_one_in(&w->rng, 3))
			ring_op(w->a, &w->rng);
		else
			policy_op(w->a, &w->rng);
	}
	return NULL;
}

/* ---- vCPU creation and registers ---- */

static uint64_t random_reg_id(struct fuzz_rng *r)
{
	uint64_t size = fuzz_one_in(r, 8) ? (fuzz_below(r, 8) << KVM_REG_SIZE_SHIFT) :
		KVM_REG_SIZE_U64;

	switch (fuzz_below(r, 10)) {
	case 0 ... 3:	/* SBI extension enables */
		return KVM_REG_RISCV | size | KVM_REG_RISCV_SBI_EXT |
			(fuzz_below(r, 4) << KVM_REG_RISCV_SUBTYPE_SHIFT) |
			(fuzz_one_in(r, 6) ? fuzz_next(r) & 0xffff : fuzz_below(r, 14));
	case 4 ... 6: {	/* SBI state: STA, FWFT, SSE, DBTR and others */
		static const uint64_t subtypes[] = {
			KVM_REG_RISCV_SBI_STA, KVM_REG_RISCV_SBI_FWFT,
			KVM_REG_RISCV_SBI_SSE, KVM_REG_RISCV_SBI_DBTR,
			2 << KVM_REG_RISCV_SUBTYPE_SHIFT, 0x7f << KVM_REG_RISCV_SUBTYPE_SHIFT,
			0x82 << KVM_REG_RISCV_SUBTYPE_SHIFT,
		};

		return KVM_REG_RISCV | size | KVM_REG_RISCV_SBI_STATE |
			subtypes[fuzz_below(r, ARRAY_SIZE(subtypes))] |
			(fuzz_one_in(r, 6) ? fuzz_next(r) & 0xffff : fuzz_below(r, 64));
	}
	case 7:		/* any riscv type */
		return KVM_REG_RISCV | size | (fuzz_below(r, 16) << KVM_REG_RISCV_TYPE_SHIFT) |
			(fuzz_next(r) & 0xffffff & ~KVM_REG_RISCV_TYPE_MASK);
	default:	/* anything */
		return fuzz_next(r);
	}
}

static bool is_sbi_reg(uint64_t id)
{
	uint64_t type = id & KVM_REG_RISCV_TYPE_MASK;

	return (id & KVM_REG_ARCH_MASK) == KVM_REG_RISCV &&
	       (type == KVM_REG_RISCV_SBI_EXT || type == KVM_REG_RISCV_SBI_STATE);
}

static void one_reg_op(struct avm *a, struct fuzz_rng *r, int fd, bool ran)
{
	uint64_t val[4] = { 0 }, id = random_reg_id(r);
	struct kvm_one_reg reg = { .id = id, .addr = (unsigned long)val };
	bool set, bad = false;
	int ret, err;

	/* Writes stay in the SBI space: random core or CSR writes prove nothing. */
	set = is_sbi_reg(id) && fuzz_one_in(r, 2);
	if (set)
		val[0] = fuzz_below(r, 4) ? fuzz_below(r, 2) : fuzz_next(r);
	if (fuzz_one_in(r, 20)) {
		reg.addr = (unsigned long)bad_ptr;
		bad = true;
	}
	ret = ioctl(fd, set ? KVM_SET_ONE_REG : KVM_GET_ONE_REG, &reg);
	err = errno;
	judge(a, set ? "KVM_SET_ONE_REG" : "KVM_GET_ONE_REG", ret, err, ERR_ONE_REG, bad);
	if (ret)
		fuzz_add(&st.onereg_err, 1);
	else
		fuzz_add(&st.onereg_ok, 1);
	/* An extension enable written after the vCPU ran. */
	if (set && !ret && ran && (id & KVM_REG_RISCV_TYPE_MASK) == KVM_REG_RISCV_SBI_EXT)
		fail("vm %lu: SET_ONE_REG %#lx = %#lx succeeded after the vCPU ran",
		     a->index, id, val[0]);
	if (set && ran && ret && err == EBUSY)
		fuzz_add(&st.busy_checked, 1);
}

static void reg_list_op(struct avm *a, struct fuzz_rng *r, int fd)
{
	static __thread uint64_t buf[MAX_LIST + 1];
	struct kvm_reg_list *list = (void *)buf;
	uint64_t n = fuzz_one_in(r, 3) ? fuzz_below(r, 8) : MAX_LIST, i;
	uint64_t val[4];
	int ret, err;

	list->n = n;
	ret = ioctl(fd, KVM_GET_REG_LIST, list);
	err = errno;
	judge(a, "KVM_GET_REG_LIST", ret, err, BIT_ERR(E2BIG), false);
	fuzz_add(&st.reglist, 1);
	if (ret) {
		if (err == E2BIG && list->n <= n)
			fail("vm %lu: KVM_GET_REG_LIST E2BIG with n %lu, needs %llu",
			     a->index, n, (unsigned long long)list->n);
		return;
	}
	if (list->n > n) {
		fail("vm %lu: KVM_GET_REG_LIST wrote %llu of %lu", a->index,
		     (unsigned long long)list->n, n);
		return;
	}
	/* Every listed SBI register can be read. */
	for (i = 0; i < list->n; i++) {
		struct kvm_one_reg reg = { .id = list->reg[i], .addr = (unsigned long)val };

		if (!is_sbi_reg(list->reg[i]))
			continue;
		ret = ioctl(fd, KVM_GET_ONE_REG, &reg);
		judge(a, "KVM_GET_ONE_REG(listed)", ret, errno, 0, false);
	}
}

static void vcpu_op(struct avm *a, struct fuzz_rng *r)
{
	int fd, i, pick;

	switch (fuzz_below(r, 12)) {
	case 0: {	/* create */
		unsigned long id;

		switch (fuzz_below(r, 4)) {
		case 0:
			id = fuzz_next(r);
			break;
		case 1:
			id = 1020 + fuzz_below(r, 8);
			break;
		default:
			id = fuzz_below(r, 16);
			break;
		}
		fd = __vm_ioctl(a->vm, KVM_CREATE_VCPU, (void *)id);
		judge(a, "KVM_CREATE_VCPU", fd, errno, BIT_ERR(EEXIST) | BIT_ERR(EINVAL), false);
		if (fd < 0)
			return;
		fuzz_add(&st.vcpus, 1);
		pthread_mutex_lock(&a->extra_lock);
		if (a->nr_extra < MAX_EXTRA_VCPUS)
			a->extra_fds[a->nr_extra++] = fd;
		else
			close(fd);
		pthread_mutex_unlock(&a->extra_lock);
		return;
	}
	case 1:
		pick = fuzz_below(r, NR_RUNNERS + MAX_EXTRA_VCPUS);
		break;
	default:
		pick = fuzz_below(r, NR_RUNNERS + MAX_EXTRA_VCPUS);
		break;
	}
	if (pick < NR_RUNNERS) {
		fd = a->runners[pick]->fd;
	} else {
		pthread_mutex_lock(&a->extra_lock);
		i = pick - NR_RUNNERS;
		fd = i < a->nr_extra ? a->extra_fds[i] : -1;
		pthread_mutex_unlock(&a->extra_lock);
		if (fd < 0)
			return;
	}
	if (fuzz_one_in(r, 16))
		reg_list_op(a, r, fd);
	else
		one_reg_op(a, r, fd, pick < NR_RUNNERS &&
			   __atomic_load_n(&a->runner_ran[pick], __ATOMIC_SEQ_CST));
}

static void *vcpu_thread(void *arg)
{
	struct worker *w = arg;

	while (!__atomic_load_n(&w->a->stop, __ATOMIC_SEQ_CST))
		vcpu_op(w->a, &w->rng);
	return NULL;
}

/* ---- runners: KVM_RUN and bogus completions ---- */

struct runner {
	struct avm *a;
	int id;
	struct kvm_vcpu *vcpu;
	struct fuzz_rng rng;
};

static void *runner_thread(void *arg)
{
	struct runner *rn = arg;
	struct kvm_run *run = rn->vcpu->run;
	struct fuzz_rng *r = &rn->rng;
	struct avm *a = rn->a;
	bool fake_mmio;
	int ret, err;

	while (!__atomic_load_n(&a->stop, __ATOMIC_SEQ_CST)) {
		if (fuzz_one_in(r, 32))
			run->immediate_exit = 1;
		if (fuzz_one_in(r, 64))
			run->exit_reason = fuzz_below(r, 2) ? fuzz_next(r) & 0xff :
				KVM_EXIT_RISCV_SBI;
		fake_mmio = run->exit_reason == KVM_EXIT_MMIO;
		ret = __vcpu_run(rn->vcpu);
		err = errno;
		run->immediate_exit = 0;
		/*
		 * 6.12's MMIO completion refuses (EOPNOTSUPP), once, a vCPU
		 * that never made an MMIO exit: the VMM's own mistake.
		 */
		if (ret < 0 && err == EOPNOTSUPP && fake_mmio) {
			fuzz_add(&st.refused_completions, 1);
			continue;
		}
		judge(a, "KVM_RUN", ret, err, BIT_ERR(EINTR), false);
		fuzz_add(&st.runs, 1);
		/* A VMM empties the ring before it handles the exit; or not. */
		if (fuzz_below(r, 4)) {
			pthread_mutex_lock(&a->ring_lock);
			if (a->ring)
				ring_drain(a);
			pthread_mutex_unlock(&a->ring_lock);
		}
		if (ret < 0 && err != EINTR)
			fuzz_add(&st.run_failures, 1);
		__atomic_store_n(&a->runner_ran[rn->id], 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&a->ran, 1, __ATOMIC_SEQ_CST);
		if (ret < 0) {
			if (err == EINTR)
				fuzz_add(&st.eintr, 1);
			else
				break;
			continue;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_RISCV_SBI:
			fuzz_add(&st.forwarded, 1);
			if (run->riscv_sbi.ret[0] != (unsigned long)SBI_ERR_NOT_SUPPORTED ||
			    run->riscv_sbi.ret[1])
				fail("vm %lu: forwarded eid %#lx with ret %#lx/%#lx preset",
				     a->index, (unsigned long)run->riscv_sbi.extension_id,
				     (unsigned long)run->riscv_sbi.ret[0],
				     (unsigned long)run->riscv_sbi.ret[1]);
			if (!fuzz_one_in(r, 4)) {
				run->riscv_sbi.ret[0] = fuzz_next(r);
				run->riscv_sbi.ret[1] = fuzz_next(r);
			}
			break;
		case KVM_EXIT_MMIO:
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xa5, sizeof(run->mmio.data));
			break;
		case KVM_EXIT_RISCV_CSR:
		case KVM_EXIT_INTR:
		case KVM_EXIT_SYSTEM_EVENT:
			break;
		default:
			fuzz_add(&st.exits_unknown, 1);
			fail("vm %lu: unexpected exit %u", a->index, run->exit_reason);
			break;
		}
	}
	return NULL;
}

static void sigusr1(int sig)
{
}

static double t_start, t_progress;

static bool out_of_time(void)
{
	return (opt_seconds && fuzz_now() - t_start >= opt_seconds) ||
	       (opt_ioctls && fuzz_get(&st.ioctls) >= opt_ioctls);
}

static void progress(bool force)
{
	double now = fuzz_now();

	if (!force && now - t_progress < 10)
		return;
	t_progress = now;
	ksft_print_msg("progress: %.0f s, %lu ioctls (%.0f/s), %lu VMs, %lu KVM_RUN, %lu failures\n",
		       now - t_start, fuzz_get(&st.ioctls),
		       fuzz_get(&st.ioctls) / (now - t_start + 1e-9), fuzz_get(&st.vms),
		       fuzz_get(&st.runs), fuzz_get(&st.failures));
}

static void run_vm(uint64_t index)
{
	struct worker policy[NR_POLICY_THREADS], vw;
	pthread_t policy_threads[NR_POLICY_THREADS], vt;
	struct runner runners[NR_RUNNERS];
	struct fuzz_rng rng;
	static struct avm a;
	int i;

	memset(&a, 0, sizeof(a));
	a.index = index;
	a.ring_fd = -1;
	pthread_mutex_init(&a.extra_lock, NULL);
	pthread_mutex_init(&a.ring_lock, NULL);
	fuzz_rng_init(&rng, opt_seed, index, 0xab1);
	a.budget = 500 + fuzz_below(&rng, 3000);
	a.vm = vm_create_with_vcpus(NR_RUNNERS, guest_code, a.runners);
	console_gpa = addr_gva2gpa(a.vm, (vm_vaddr_t)&console_gpa) & ~0xfffUL;
	sync_global_to_guest(a.vm, console_gpa);
	for (i = 0; i < NR_RUNNERS; i++) {
		if (fuzz_one_in(&rng, 4))
			continue;	/* DBCN stays disabled: NOT_SUPPORTED */
		vcpu_set_reg(a.runners[i],
			     RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_DBCN), 1);
	}

	for (i = 0; i < NR_POLICY_THREADS; i++) {
		policy[i].a = &a;
		fuzz_rng_init(&policy[i].rng, opt_seed, index, 0x100 + i);
		pthread_create(&policy_threads[i], NULL, policy_thread, &policy[i]);
	}
	vw.a = &a;
	fuzz_rng_init(&vw.rng, opt_seed, index, 0x200);
	pthread_create(&vt, NULL, vcpu_thread, &vw);
	/* The runners start a little later, so that some policies go in first. */
	usleep(fuzz_below(&rng, 20000));
	for (i = 0; i < NR_RUNNERS; i++) {
		runners[i].a = &a;
		runners[i].id = i;
		runners[i].vcpu = a.runners[i];
		fuzz_rng_init(&runners[i].rng, opt_seed, index, 0x300 + i);
		pthread_create(&a.runner_threads[i], NULL, runner_thread, &runners[i]);
	}

	while (__atomic_load_n(&a.ioctls, __ATOMIC_RELAXED) < a.budget && !out_of_time()) {
		usleep(5000 + fuzz_below(&rng, 20000));
		pthread_kill(a.runner_threads[fuzz_below(&rng, NR_RUNNERS)], SIGUSR1);
		progress(false);
	}
	__atomic_store_n(&a.stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < NR_RUNNERS; i++) {
		while (pthread_tryjoin_np(a.runner_threads[i], NULL)) {
			pthread_kill(a.runner_threads[i], SIGUSR1);
			usleep(2000);
		}
	}
	for (i = 0; i < NR_POLICY_THREADS; i++)
		pthread_join(policy_threads[i], NULL);
	pthread_join(vt, NULL);
	for (i = 0; i < a.nr_extra; i++)
		close(a.extra_fds[i]);
	/* The ring file may outlive the VM fd, in either order. */
	if (a.ring_fd >= 0 && fuzz_one_in(&rng, 2)) {
		if (a.ring)
			munmap(a.ring, a.ring_len);
		close(a.ring_fd);
		a.ring_fd = -1;
	}
	kvm_vm_free(a.vm);
	if (a.ring_fd >= 0) {
		if (a.ring)
			munmap(a.ring, a.ring_len);
		close(a.ring_fd);
	}
	fuzz_add(&st.vms, 1);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sigusr1 };
	bool seeded = false;
	uint64_t index;
	double t;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:t:v:m:q")) != -1) {
		switch (opt) {
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'n':
			opt_ioctls = strtoull(optarg, NULL, 0);
			break;
		case 't':
			opt_seconds = strtod(optarg, NULL);
			break;
		case 'v':
			opt_first_vm = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			opt_vms = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			opt_quiet = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n IOCTLS] [-t SECONDS] [-v FIRST_VM] [-m VMS] [-q]\n",
				argv[0]);
			exit(KSFT_FAIL);
		}
	}
	if (!seeded)
		opt_seed = fuzz_default_seed();

	ksft_print_header();
	ksft_print_msg("seed %#lx (rerun: %s -s %#lx)\n", opt_seed, argv[0], opt_seed);
	close(open_kvm_dev_path_or_exit());
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_RISCV_SBI_POLICY));
	ksft_set_plan(2);
	sigaction(SIGUSR1, &sa, NULL);
	bad_ptr = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(bad_ptr != MAP_FAILED, "mmap");

	t_start = t_progress = fuzz_now();
	for (index = opt_first_vm; !out_of_time(); index++) {
		if (opt_vms && index - opt_first_vm >= opt_vms)
			break;
		run_vm(index);
		if (opt_quiet && fuzz_get(&st.failures))
			break;
	}
	t = fuzz_now() - t_start;
	progress(true);
	ksft_print_msg("summary: seed %#lx, %.1f s, %lu ioctls (%.0f/s), %lu VMs, %lu vCPUs created, %lu KVM_RUN (%lu EINTR), %lu forwarded\n",
		       opt_seed, t, fuzz_get(&st.ioctls), fuzz_get(&st.ioctls) / (t + 1e-9),
		       fuzz_get(&st.vms), fuzz_get(&st.vcpus), fuzz_get(&st.runs),
		       fuzz_get(&st.eintr), fuzz_get(&st.forwarded));
	ksft_print_msg("summary: policies %lu added, %lu refused; ONE_REG %lu ok, %lu refused; %lu register lists; %lu EFAULTs for bad buffers; %lu refusals after a run checked\n",
		       fuzz_get(&st.policy_ok), fuzz_get(&st.policy_err),
		       fuzz_get(&st.onereg_ok), fuzz_get(&st.onereg_err),
		       fuzz_get(&st.reglist), fuzz_get(&st.efault_expected),
		       fuzz_get(&st.busy_checked));
	ksft_print_msg("summary: console rings %lu enabled, %lu refused, %lu bytes drained from honest rings\n",
		       fuzz_get(&st.ring_ok), fuzz_get(&st.ring_err),
		       fuzz_get(&st.ring_bytes));
	ksft_print_msg("summary: %lu failures, %lu KVM_RUN errors, %lu unknown exits, %lu made-up MMIO completions refused\n",
		       fuzz_get(&st.failures), fuzz_get(&st.run_failures),
		       fuzz_get(&st.exits_unknown), fuzz_get(&st.refused_completions));
	printf("FUZZ-SUMMARY sbi_abi_fuzz seed=%#lx seconds=%.1f ioctls=%lu vms=%lu failures=%lu\n",
	       opt_seed, t, fuzz_get(&st.ioctls), fuzz_get(&st.vms), fuzz_get(&st.failures));
	ksft_test_result(!fuzz_get(&st.failures), "sbi_abi_fuzz: every ioctl answered as documented\n");
	ksft_test_result(!fuzz_get(&st.run_failures) && !fuzz_get(&st.exits_unknown),
			 "sbi_abi_fuzz: KVM_RUN fails with EINTR only, exits of known kinds\n");
	ksft_finished();
}
