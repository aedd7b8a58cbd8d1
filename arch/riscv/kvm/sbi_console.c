// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console ring: console output the VMM has claimed, without an exit
 * per call. A VMM that enables KVM_CAP_RISCV_SBI_CONSOLE_RING gets a file
 * descriptor for a per-VM byte ring it maps. From then on the dispatcher
 * hands every console call that would exit to userspace (DBCN
 * console_write of at most one page and console_write_byte, legacy
 * console_putchar) to kvm_riscv_sbi_console_take() first, which appends
 * the bytes to the ring and answers the guest at once, as the VMM would
 * have. Whatever the ring cannot take the way the VMM would (a buffer
 * outside guest RAM, a longer write, a ring without room) is forwarded
 * as before: the VMM empties the ring before it handles any exit, so the
 * bytes come out in the order the guest wrote them. The file descriptor
 * becomes readable when a flush is due: a short while after the first
 * byte the VMM has not taken, or at once when the ring is half full. And
 * while the VMM says it has no input (input_pending = 0 in the shared
 * header), console input calls (DBCN console_read, legacy console_getchar)
 * get the VMM's "nothing pending" from here, without an exit. See
 * Documentation/virt/kvm/riscv/sbi.rst, "The console ring".
 */

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/kvm_host.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/vmalloc.h>
#include <asm/kvm_vcpu_sbi.h>

/* The ring's sizes, in bytes: from one page to 1 MiB. */
#define SBI_CONSOLE_MIN_SIZE	PAGE_SIZE
#define SBI_CONSOLE_MAX_SIZE	SZ_1M

/* The longest console_write the ring takes; the VMM moves as much per call. */
#define SBI_CONSOLE_MAX_WRITE	PAGE_SIZE

/* A byte waits at most this long in the ring before the VMM is told. */
#define SBI_CONSOLE_FLUSH_NS	(5 * NSEC_PER_MSEC)

/**
 * struct kvm_riscv_sbi_console - a VM's console ring
 * @lock: serialises the vCPUs' appends and their updates of the counters
 * @ring: the shared header, then @size bytes of data (vmalloc_user())
 * @data: the data, at @ring + PAGE_SIZE
 * @size: bytes of data, a power of two
 * @head: bytes appended; the kernel's copy, which it alone writes
 * @signals: flushes due since the VMM last read the file
 * @flush: the timer that makes a flush due
 * @wq: the VMM's poll()
 * @kvm: the VM, which the file holds a reference to
 */
struct kvm_riscv_sbi_console {
	struct mutex lock;	/* the vCPUs' appends and counters */
	struct kvm_riscv_sbi_console_ring *ring;
	u8 *data;
	u32 size;
	u32 head;
	atomic64_t signals;
	struct hrtimer flush;
	wait_queue_head_t wq;
	struct kvm *kvm;
};

static void sbi_console_signal(struct kvm_riscv_sbi_console *con)
{
	atomic64_inc(&con->signals);
	wake_up_interruptible_poll(&con->wq, EPOLLIN | EPOLLRDNORM);
}

static enum hrtimer_restart sbi_console_flush_due(struct hrtimer *timer)
{
	sbi_console_signal(container_of(timer, struct kvm_riscv_sbi_console,
					flush));
	return HRTIMER_NORESTART;
}

/*
 * Copy @len bytes of guest memory at @gpa to the ring at @head, wrapping
 * at its end; the bytes are not the VMM's until head is published.
 */
static int sbi_console_copy(struct kvm_vcpu *vcpu,
			    struct kvm_riscv_sbi_console *con, u32 head,
			    gpa_t gpa, unsigned long len)
{
	u32 off = head & (con->size - 1);
	unsigned long first = min_t(unsigned long, len, con->size - off);
	int rc;

	rc = kvm_riscv_vcpu_read_guest_pa(vcpu, gpa, con->data + off, first);
	if (!rc && first < len)
		rc = kvm_riscv_vcpu_read_guest_pa(vcpu, gpa + first, con->data,
						  len - first);
	return rc;
}

/* Append a call's bytes; false if the ring cannot take them. Lock held. */
static bool sbi_console_append(struct kvm_vcpu *vcpu,
			       struct kvm_riscv_sbi_console *con,
			       const struct kvm_vcpu_sbi_call *call,
			       unsigned long len)
{
	struct kvm_riscv_sbi_console_ring *ring = con->ring;
	u32 head = con->head;
	/* Acquire: the VMM has read what it consumed before we overwrite it. */
	u32 used = head - smp_load_acquire(&ring->tail);

	/* A tail the VMM moved past head makes the ring look full. */
	if (used > con->size || len > con->size - used) {
		WRITE_ONCE(ring->full, ring->full + 1);
		sbi_console_signal(con);
		return false;
	}
	if (call->eid == SBI_EXT_DBCN &&
	    call->fid == SBI_EXT_DBCN_CONSOLE_WRITE) {
		if (sbi_console_copy(vcpu, con, head, call->args[1], len))
			return false;
	} else {
		con->data[head & (con->size - 1)] = call->args[0];
	}

	con->head = head + len;
	/* Release: the bytes are in the ring before the VMM sees head move. */
	smp_store_release(&ring->head, con->head);
	WRITE_ONCE(ring->calls, ring->calls + 1);
	if (used + len >= con->size / 2)
		sbi_console_signal(con);
	else if (!hrtimer_is_queued(&con->flush))
		hrtimer_start(&con->flush, ns_to_ktime(SBI_CONSOLE_FLUSH_NS),
			      HRTIMER_MODE_REL);
	return true;
}

/* How many bytes a call writes, if the ring may take it; else 0. */
static unsigned long sbi_console_call_len(const struct kvm_vcpu_sbi_call *call)
{
	if (call->eid == SBI_EXT_0_1_CONSOLE_PUTCHAR)
		return 1;
	if (call->eid != SBI_EXT_DBCN)
		return 0;
	if (call->fid == SBI_EXT_DBCN_CONSOLE_WRITE_BYTE)
		return 1;
	/*
	 * console_write of 1 to SBI_CONSOLE_MAX_WRITE bytes whose address fits
	 * in base_lo (base_hi = 0): the VMM would move the whole buffer, and
	 * the copy fails where the VMM would refuse the buffer.
	 */
	if (call->fid == SBI_EXT_DBCN_CONSOLE_WRITE && !call->args[2] &&
	    call->args[0] && call->args[0] <= SBI_CONSOLE_MAX_WRITE)
		return call->args[0];
	return 0;
}

/*
 * A console input call, answered "nothing pending" while the VMM says it
 * has no input: DBCN console_read of 1 to SBI_CONSOLE_MAX_WRITE bytes of
 * writable guest memory (a buffer the VMM would refuse is its to refuse),
 * legacy console_getchar. True if answered.
 */
static bool sbi_console_no_input(struct kvm_vcpu *vcpu,
				 struct kvm_riscv_sbi_console *con,
				 const struct kvm_vcpu_sbi_call *call,
				 struct kvm_vcpu_sbi_return *ret)
{
	unsigned long len = call->args[0];

	if (READ_ONCE(con->ring->input_pending))
		return false;
	if (call->eid == SBI_EXT_0_1_CONSOLE_GETCHAR) {
		ret->err_val = -1;	/* no character */
	} else {
		if (call->eid != SBI_EXT_DBCN ||
		    call->fid != SBI_EXT_DBCN_CONSOLE_READ || call->args[2] ||
		    !len || len > SBI_CONSOLE_MAX_WRITE ||
		    kvm_riscv_vcpu_guest_pa_check(vcpu, call->args[1], len, 0,
						  true))
			return false;
		ret->err_val = SBI_SUCCESS;
	}
	ret->out_val = 0;
	ret->outcome = KVM_SBI_RETURN;
	/* Under the lock, as the other counters: two vCPUs may poll at once. */
	mutex_lock(&con->lock);
	WRITE_ONCE(con->ring->reads, con->ring->reads + 1);
	mutex_unlock(&con->lock);
	return true;
}

/**
 * kvm_riscv_sbi_console_take() - answer a forwarded console call from the ring
 * @vcpu: the calling vCPU
 * @call: a call the dispatcher would forward to userspace
 * @ret: its result, KVM_SBI_FORWARD
 *
 * If @call is console output the ring can take as the VMM would answer it,
 * appends its bytes and answers the guest: SBI_SUCCESS and the number of
 * bytes for console_write, SBI_SUCCESS for console_write_byte, 0 for
 * legacy console_putchar. If it is console input while the VMM has none,
 * answers SBI_SUCCESS and 0 bytes (console_read) or -1 (legacy
 * console_getchar). Otherwise @ret stays KVM_SBI_FORWARD: the call exits,
 * and the VMM empties the ring before it answers.
 *
 * Context: vCPU exit handling, only with the VM's ring enabled
 * (kvm->arch.sbi_console); may sleep.
 */
void kvm_riscv_sbi_console_take(struct kvm_vcpu *vcpu,
				const struct kvm_vcpu_sbi_call *call,
				struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_riscv_sbi_console *con = vcpu->kvm->arch.sbi_console;
	unsigned long len = sbi_console_call_len(call);
	bool taken;

	if (!len) {
		sbi_console_no_input(vcpu, con, call, ret);
		return;
	}
	mutex_lock(&con->lock);
	taken = sbi_console_append(vcpu, con, call, len);
	mutex_unlock(&con->lock);
	if (!taken)
		return;
	ret->outcome = KVM_SBI_RETURN;
	ret->err_val = SBI_SUCCESS;
	ret->out_val = call->fid == SBI_EXT_DBCN_CONSOLE_WRITE &&
		       call->eid == SBI_EXT_DBCN ? len : 0;
}

static int sbi_console_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kvm_riscv_sbi_console *con = file->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;

	if (vma->vm_pgoff || len != PAGE_SIZE + con->size ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	return remap_vmalloc_range(vma, con->ring, 0);
}

/*
 * Eight bytes: how many flushes became due since the last read (0 if
 * none). Never blocks: poll() waits.
 */
static ssize_t sbi_console_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	struct kvm_riscv_sbi_console *con = file->private_data;
	u64 n;

	if (count < sizeof(n))
		return -EINVAL;
	n = atomic64_xchg(&con->signals, 0);
	if (copy_to_user(buf, &n, sizeof(n)))
		return -EFAULT;
	return sizeof(n);
}

static __poll_t sbi_console_poll(struct file *file, poll_table *wait)
{
	struct kvm_riscv_sbi_console *con = file->private_data;

	poll_wait(file, &con->wq, wait);
	return atomic64_read(&con->signals) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int sbi_console_release(struct inode *inode, struct file *file)
{
	struct kvm_riscv_sbi_console *con = file->private_data;

	kvm_put_kvm(con->kvm);
	return 0;
}

static const struct file_operations sbi_console_fops = {
	.owner		= THIS_MODULE,
	.mmap		= sbi_console_mmap,
	.read		= sbi_console_read,
	.poll		= sbi_console_poll,
	.release	= sbi_console_release,
	.llseek		= noop_llseek,
};

static struct kvm_riscv_sbi_console *sbi_console_alloc(struct kvm *kvm,
						       u32 size)
{
	struct kvm_riscv_sbi_console *con;

	con = kzalloc(sizeof(*con), GFP_KERNEL_ACCOUNT);
	if (!con)
		return NULL;
	con->ring = vmalloc_user(PAGE_SIZE + size);
	if (!con->ring) {
		kfree(con);
		return NULL;
	}
	con->data = (u8 *)con->ring + PAGE_SIZE;
	con->size = size;
	con->ring->size = size;
	con->ring->data_offset = PAGE_SIZE;
	con->kvm = kvm;
	mutex_init(&con->lock);
	init_waitqueue_head(&con->wq);
	hrtimer_init(&con->flush, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	con->flush.function = sbi_console_flush_due;
	return con;
}

static void sbi_console_free(struct kvm_riscv_sbi_console *con)
{
	hrtimer_cancel(&con->flush);
	vfree(con->ring);
	kfree(con);
}

/* KVM_ENABLE_CAP(KVM_CAP_RISCV_SBI_CONSOLE_RING): the ring and its fd. */
static int sbi_console_enable(struct kvm *kvm, const struct kvm_enable_cap *cap)
{
	struct kvm_riscv_sbi_console *con;
	u64 size = cap->args[0];
	int fd;

	if (cap->flags || cap->args[1] || cap->args[2] || cap->args[3] ||
	    size < SBI_CONSOLE_MIN_SIZE || size > SBI_CONSOLE_MAX_SIZE ||
	    !is_power_of_2(size))
		return -EINVAL;

	guard(mutex)(&kvm->arch.sbi_policy_lock);
	if (kvm->arch.sbi_policy_frozen)
		return -EBUSY;
	if (kvm->arch.sbi_console)
		return -EEXIST;
	con = sbi_console_alloc(kvm, size);
	if (!con)
		return -ENOMEM;
	kvm_get_kvm(kvm);
	fd = anon_inode_getfd("kvm-sbi-console", &sbi_console_fops, con,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		kvm_put_kvm_no_destroy(kvm);
		sbi_console_free(con);
		return fd;
	}
	/* The first KVM_RUN takes the lock after this: vCPUs see it. */
	kvm->arch.sbi_console = con;
	return fd;
}

/**
 * kvm_vm_ioctl_enable_cap() - RISC-V's KVM_ENABLE_CAP on a VM
 * @kvm: the VM
 * @cap: the capability and its arguments
 *
 * KVM_CAP_RISCV_SBI_CONSOLE_RING: args[0] is the ring's size in bytes, a
 * power of two from PAGE_SIZE to 1 MiB; flags and args[1..3] are 0. Only
 * before any vCPU has run, and once per VM.
 *
 * Context: process context; takes kvm->arch.sbi_policy_lock.
 * Return: the ring's file descriptor; -EINVAL (another capability, bad
 * arguments); -EBUSY (a vCPU has run); -EEXIST (already enabled);
 * -ENOMEM; or what allocating the file descriptor failed with.
 */
int kvm_vm_ioctl_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap)
{
	if (cap->cap == KVM_CAP_RISCV_SBI_CONSOLE_RING)
		return sbi_console_enable(kvm, cap);
	return -EINVAL;
}

/**
 * kvm_riscv_sbi_console_max_size() - KVM_CHECK_EXTENSION(KVM_CAP_RISCV_SBI_CONSOLE_RING)
 *
 * Return: the largest ring size KVM_ENABLE_CAP accepts, in bytes.
 */
int kvm_riscv_sbi_console_max_size(void)
{
	return SBI_CONSOLE_MAX_SIZE;
}

/**
 * kvm_riscv_sbi_console_destroy_vm() - free the VM's ring
 * @kvm: the VM, whose vCPUs are destroyed and whose ring file is closed
 *	(it holds a reference to the VM)
 */
void kvm_riscv_sbi_console_destroy_vm(struct kvm *kvm)
{
	if (!kvm->arch.sbi_console)
		return;
	sbi_console_free(kvm->arch.sbi_console);
	kvm->arch.sbi_console = NULL;
}
