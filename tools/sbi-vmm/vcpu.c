// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: creation, boot registers, ONE_REG access and the run loop.
 *
 * vCPU 0 boots the kernel (a0 = hart id, a1 = device tree). The others
 * start STOPPED and stay in KVM_RUN until the guest starts them with SBI HSM
 * hart_start, which KVM handles in the kernel.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "devices.h"
#include "sbi.h"
#include "vmm.h"

#define CORE_REG(name)	RISCV_REG(KVM_REG_RISCV_CORE, 0, \
				  KVM_REG_RISCV_CORE_REG(name))

int vcpu__get_reg(struct vcpu *vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &reg);
}

int vcpu__set_reg(struct vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg);
}

static int vcpu_stop(struct vcpu *vcpu)
{
	struct kvm_mp_state state = { .mp_state = KVM_MP_STATE_STOPPED };

	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &state))
		return pr_errno("KVM_SET_MP_STATE(STOPPED) on vCPU %u",
				vcpu->id);
	return 0;
}

/*
 * --disable-sstc. Linux 6.12's KVM cannot turn Sstc off (EINVAL), so the
 * device tree leaves it out (fdt.c) and the guest, which then does not
 * know it has stimecmp, runs its timer on SBI set_timer. ENOENT: the host
 * has no Sstc to hide.
 */
static int hide_sstc(struct vcpu *vcpu)
{
	if (vcpu__set_reg(vcpu, RISCV_REG(KVM_REG_RISCV_ISA_EXT,
					  KVM_REG_RISCV_ISA_SINGLE,
					  KVM_RISCV_ISA_EXT_SSTC), 0) &&
	    errno != EINVAL && errno != ENOENT)
		return pr_errno("vCPU %u: KVM_SET_ONE_REG(ISA_EXT SSTC = 0)",
				vcpu->id);
	return 0;
}

/**
 * vcpu__create() - create a vCPU and map its kvm_run page
 * @vm:		the VM
 * @vcpu:	filled in
 * @id:		vCPU id and hart id; all but 0 start stopped
 *
 * Return: 0, or -1 after naming the ioctl that failed and its errno.
 */
int vcpu__create(struct vm *vm, struct vcpu *vcpu, unsigned int id)
{
	long size;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->stats_fd = -1;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return pr_errno("KVM_CREATE_VCPU %u", id);
	if (vm->cfg->stats && stats__open(vcpu))
		return -1;
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return pr_errno("KVM_GET_VCPU_MMAP_SIZE");
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		return pr_errno("mmap of vCPU %u's kvm_run", id);
	if (sbi__vcpu_init(vcpu) || (vm->cfg->disable_sstc && hide_sstc(vcpu)))
		return -1;
	return id ? vcpu_stop(vcpu) : 0;
}

/**
 * vcpu__set_boot_regs() - point the boot vCPU at the kernel
 * @vcpu:	vCPU 0
 * @pc:		the kernel's load address
 * @fdt:	the device tree's guest physical address
 *
 * Return: 0, or -1 after naming the ioctl that failed and its errno.
 */
int vcpu__set_boot_regs(struct vcpu *vcpu, uint64_t pc, uint64_t fdt)
{
	if (vcpu__set_reg(vcpu, CORE_REG(regs.pc), pc) ||
	    vcpu__set_reg(vcpu, CORE_REG(regs.a0), vcpu->id) ||
	    vcpu__set_reg(vcpu, CORE_REG(regs.a1), fdt))
		return pr_errno("KVM_SET_ONE_REG(core) on vCPU %u", vcpu->id);
	return 0;
}

/* SRST and the legacy shutdown: KVM stopped every vCPU already. */
static int system_event(struct vcpu *vcpu)
{
	const struct kvm_run *run = vcpu->run;
	uint64_t reason = run->system_event.ndata ? run->system_event.data[0] : 0;

	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		if (reason == SBI_SRST_REASON_SYS_FAILURE) {
			pr_info("the guest shut down reporting a system failure");
			return VMM_FAILED;
		}
		pr_info("the guest shut down");
		return VMM_SHUTDOWN;
	case KVM_SYSTEM_EVENT_RESET:
		pr_info("the guest asked for a reboot");
		return VMM_RESET;
	}
	pr_err("vCPU %u: unexpected system event %u", vcpu->id,
	       run->system_event.type);
	return VMM_FAILED;
}

static int unexpected_exit(struct vcpu *vcpu)
{
	const struct kvm_run *run = vcpu->run;

	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		pr_err("vCPU %u: KVM_RUN: entry failed, reason %#llx",
		       vcpu->id, run->fail_entry.hardware_entry_failure_reason);
	else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		pr_err("vCPU %u: KVM_RUN: internal error, suberror %u",
		       vcpu->id, run->internal.suberror);
	else
		pr_err("vCPU %u: KVM_RUN: unexpected exit reason %u",
		       vcpu->id, run->exit_reason);
	return VMM_FAILED;
}

/* kick_vcpus() sets immediate_exit: KVM_RUN then returns at once. */
static bool vm_stopped(struct vcpu *vcpu)
{
	return __atomic_load_n(&vcpu->run->immediate_exit, __ATOMIC_SEQ_CST);
}

/* Run until the VM ends; returns how it ends (an enum vmm_status). */
static int vcpu_loop(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	while (!vm_stopped(vcpu)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			pr_errno("vCPU %u: KVM_RUN", vcpu->id);
			return VMM_FAILED;
		}
		/* Console output KVM kept comes before whatever exited. */
		console_ring__drain();
		switch (run->exit_reason) {
		case KVM_EXIT_RISCV_SBI:
			sbi__handle_exit(vcpu);
			break;
		case KVM_EXIT_MMIO:
			mmio__handle_exit(vcpu);
			break;
		case KVM_EXIT_RISCV_CSR:
			csr__handle_exit(vcpu);
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SYSTEM_EVENT:	return system_event(vcpu);
		default:			return unexpected_exit(vcpu);
		}
	}
	return VMM_FAILED;	/* stopped by the main thread, which decided */
}

/**
 * vcpu__thread() - a vCPU's thread
 * @arg:	its struct vcpu
 *
 * Context: one thread per vCPU; SIGUSR1 kicks it out of KVM_RUN.
 * Return: NULL; the outcome goes to vm__stop().
 */
void *vcpu__thread(void *arg)
{
	struct vcpu *vcpu = arg;

	vm__stop(vcpu->vm, vcpu_loop(vcpu));
	return NULL;
}
