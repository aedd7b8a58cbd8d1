// SPDX-License-Identifier: GPL-2.0
/*
 * The VM: /dev/kvm, guest RAM, the vCPU threads, and how the VM ends.
 *
 * Every vCPU has a thread. The main thread only waits: for a vCPU to say
 * how the VM ends (vm__stop(), which raises SIGUSR2), for the timeout, or
 * for SIGINT/SIGTERM/SIGHUP. Then it kicks every vCPU out of KVM_RUN
 * (immediate_exit and SIGUSR1), joins the threads and returns the status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "devices.h"
#include "sbi.h"
#include "vmm.h"

#define KVM_DEV			"/dev/kvm"
#define SIG_VM_STOPPED		SIGUSR2
#define SIG_KICK		SIGUSR1

static int open_kvm(struct vm *vm)
{
	int version;

	vm->kvm_fd = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return pr_errno("open %s", KVM_DEV);
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version < 0)
		return pr_errno("KVM_GET_API_VERSION");
	if (version != KVM_API_VERSION) {
		pr_err("KVM_GET_API_VERSION: %d, expected %d", version,
		       KVM_API_VERSION);
		return -1;
	}
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return pr_errno("KVM_CREATE_VM");
	return 0;
}

static int check_cpus(struct vm *vm)
{
	int max = ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (max < 0)
		return pr_errno("KVM_CHECK_EXTENSION(KVM_CAP_MAX_VCPUS)");
	if (max > 0 && vm->cfg->nr_cpus > (unsigned int)max) {
		pr_err("--cpus %u is more than KVM allows (%d)",
		       vm->cfg->nr_cpus, max);
		return -1;
	}
	return 0;
}

static int map_ram(struct vm *vm)
{
	struct kvm_userspace_memory_region region = {
		.slot		 = 0,
		.guest_phys_addr = RAM_BASE,
		.memory_size	 = vm->cfg->ram_size,
	};

	vm->ram_size = vm->cfg->ram_size;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED)
		return pr_errno("mmap of %llu MiB of guest RAM",
				(unsigned long long)(vm->ram_size / SZ_1M));
	region.userspace_addr = (uintptr_t)vm->ram;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		return pr_errno("KVM_SET_USER_MEMORY_REGION");
	return 0;
}

/**
 * vm__create() - create the VM, its RAM, vCPUs and devices
 * @vm:		filled in
 * @cfg:	the command line
 *
 * Return: 0, or -1 after naming the ioctl that failed and its errno.
 */
int vm__create(struct vm *vm, const struct vmm_config *cfg)
{
	unsigned int i;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	pthread_mutex_init(&vm->lock, NULL);
	if (open_kvm(vm) || check_cpus(vm) || map_ram(vm))
		return -1;
	if (sbi__vm_setup(vm) || console_ring__init(vm))
		return -1;
	vm->vcpus = calloc(cfg->nr_cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return pr_errno("calloc of %u vCPUs", cfg->nr_cpus);
	for (i = 0; i < cfg->nr_cpus; i++, vm->nr_vcpus++) {
		if (vcpu__create(vm, &vm->vcpus[i], i))
			return -1;
	}
	return device__init_all(vm);
}

/**
 * vm__guest_ptr() - the host address of a range of guest RAM
 * @vm:		the VM
 * @gpa:	guest physical address
 * @len:	bytes; the whole range must be RAM
 *
 * This is the one place guest addresses become host pointers.
 *
 * Return: the host address of @gpa, or NULL if any byte of the range lies
 * outside guest RAM (or the range wraps).
 */
void *vm__guest_ptr(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t offset = gpa - RAM_BASE;

	if (gpa < RAM_BASE || offset > vm->ram_size ||
	    len > vm->ram_size - offset)
		return NULL;
	return vm->ram + offset;
}

/**
 * vm__stop() - decide how the VM ends, unless that is decided already
 * @vm:		the VM
 * @status:	an enum vmm_status
 *
 * Context: any thread; the first decision wins.
 */
void vm__stop(struct vm *vm, int status)
{
	bool first;

	pthread_mutex_lock(&vm->lock);
	first = !vm->stopped;
	if (first) {
		vm->stopped = true;
		vm->status = status;
	}
	pthread_mutex_unlock(&vm->lock);
	if (first)
		kill(getpid(), SIG_VM_STOPPED);
}

static void kick_handler(int sig)
{
	(void)sig;
}

static int start_vcpus(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	unsigned int i;
	int err;

	/* No SA_RESTART: the kick must make KVM_RUN return EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIG_KICK, &sa, NULL))
		return pr_errno("sigaction");
	for (i = 0; i < vm->nr_vcpus; i++) {
		err = pthread_create(&vm->vcpus[i].thread, NULL, vcpu__thread,
				     &vm->vcpus[i]);
		if (err) {
			errno = err;
			pr_errno("pthread_create for vCPU %u", i);
			vm__stop(vm, VMM_FAILED);
			return -1;
		}
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* The next of the signals in @set, or -1 with errno EAGAIN at @deadline. */
static int next_signal(const sigset_t *set, unsigned int timeout,
		       long deadline)
{
	long left = deadline - now_ms();
	struct timespec ts;

	if (!timeout)
		return sigwaitinfo(set, NULL);
	if (left <= 0) {
		errno = EAGAIN;
		return -1;
	}
	ts.tv_sec = left / 1000;
	ts.tv_nsec = (left % 1000) * 1000000;
	return sigtimedwait(set, NULL, &ts);
}

/* Wait for the VM to end; returns the status it ends with. */
static int wait_for_stop(struct vm *vm, const sigset_t *set)
{
	unsigned int timeout = vm->cfg->timeout;
	long deadline = now_ms() + timeout * 1000L;
	int sig, status;

	do {
		sig = next_signal(set, timeout, deadline);
	} while (sig < 0 && errno == EINTR);

	if (sig < 0 && errno == EAGAIN)
		pr_err("timed out: the guest did not shut down within %u s",
		       timeout);
	else if (sig < 0)
		pr_errno("sigwaitinfo");
	else if (sig != SIG_VM_STOPPED)
		pr_err("stopping the guest: %s", strsignal(sig));
	vm__stop(vm, VMM_FAILED);	/* unless a vCPU decided first */

	pthread_mutex_lock(&vm->lock);
	status = vm->status;
	pthread_mutex_unlock(&vm->lock);
	return status;
}

static void kick_vcpus(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		__atomic_store_n(&vm->vcpus[i].run->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
		pthread_kill(vm->vcpus[i].thread, SIG_KICK);
	}
	for (i = 0; i < vm->nr_vcpus; i++)
		pthread_join(vm->vcpus[i].thread, NULL);
}

/**
 * vm__run() - run the guest until it shuts down, resets or fails
 * @vm:		a VM from vm__create(), with kernel, device tree and boot
 *		registers in place
 *
 * Return: an enum vmm_status, the process's exit status.
 */
int vm__run(struct vm *vm)
{
	sigset_t set;
	int status;

	/*
	 * Blocked before any vCPU thread exists, so blocked in all of them:
	 * only the main thread's wait sees these.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIG_VM_STOPPED);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		pr_errno("sigprocmask");
		return VMM_FAILED;
	}
	if (start_vcpus(vm))
		return VMM_FAILED;
	status = wait_for_stop(vm, &set);
	kick_vcpus(vm);
	return status;
}
