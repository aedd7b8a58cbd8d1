// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Supervisor Software Events extension (SSE, EID 0x535345): events
 * that enter the guest's handler at any instruction, like an interrupt that
 * cannot be masked by sstatus.SIE, and resume the interrupted context
 * exactly when the handler completes.
 *
 * Events: the local and global high- and low-priority RAS events and the
 * local and global software-injected events. The guest injects any of them
 * with sse_inject, the VMM with KVM_SET_DEVICE_ATTR (group
 * KVM_RISCV_VM_ATTR_SBI_SSE), so that a VMM delivers platform events
 * without emulating anything. PMU overflow and double trap are standard
 * events KVM cannot raise (SBI_ERR_NOT_SUPPORTED); other IDs are
 * SBI_ERR_INVALID_PARAM.
 *
 * State: local events per vCPU, global events per VM, all under the VM's
 * one lock (SSE calls are rare; a handler's entry and completion are two
 * calls). An event is delivered at guest entry, through KVM_REQ_SBI_SSE,
 * to the vCPU it targets: its own for a local event, PREFERRED_HART for a
 * global one, if that hart is unmasked and the event outranks every event
 * running there (lower priority value, then lower event ID). At most one
 * instance of each event runs, so a hart nests at most six handlers.
 */

#include <linux/kvm_host.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wordpart.h>
#include <asm/kvm_sbi_policy.h>

#define SSE_READ_ATTRS		0
#define SSE_WRITE_ATTRS		1
#define SSE_REGISTER		2
#define SSE_UNREGISTER		3
#define SSE_ENABLE		4
#define SSE_DISABLE		5
#define SSE_COMPLETE		6
#define SSE_INJECT		7
#define SSE_HART_UNMASK		8
#define SSE_HART_MASK		9

enum sse_attr {
	SSE_ATTR_STATUS,
	SSE_ATTR_PRIORITY,
	SSE_ATTR_CONFIG,
	SSE_ATTR_PREFERRED_HART,
	SSE_ATTR_ENTRY_PC,
	SSE_ATTR_ENTRY_ARG,
	SSE_ATTR_INTERRUPTED_SEPC,
	SSE_ATTR_INTERRUPTED_FLAGS,
	SSE_ATTR_INTERRUPTED_A6,
	SSE_ATTR_INTERRUPTED_A7,
	SSE_NR_ATTRS,
};

enum sse_state {
	SSE_UNUSED,
	SSE_REGISTERED,
	SSE_ENABLED,
	SSE_RUNNING,
};

#define SSE_STATUS_PENDING		BIT(2)
#define SSE_STATUS_INJECTABLE		BIT(3)
#define SSE_CONFIG_ONESHOT		BIT(0)
#define SSE_FLAG_SPP			BIT(0)
#define SSE_FLAG_SPIE			BIT(1)
/* SPV, SPVP, SPELP and SDT: the guest has no H, Zicfilp or Ssdbltrp. */
#define SSE_FLAGS_VALID			(SSE_FLAG_SPP | SSE_FLAG_SPIE)

#define SSE_EVENT_GLOBAL		BIT(15)

static const u32 sse_local_ids[] = { 0x00000000, 0x00100000, 0xffff0000 };
static const u32 sse_global_ids[] = { 0x00008000, 0x00108000, 0xffff8000 };
/* Standard events KVM cannot raise: PMU overflow, double trap. */
static const u32 sse_unsupported_ids[] = { 0x00010000, 0x00000001 };

#define SSE_NR_LOCAL		ARRAY_SIZE(sse_local_ids)
#define SSE_NR_GLOBAL		ARRAY_SIZE(sse_global_ids)

/**
 * struct sse_event - one event, local (per vCPU) or global (per VM)
 * @id: its event ID
 * @state: enum sse_state
 * @pending: signalled, not yet delivered
 * @priority: PRIORITY (lower is more urgent)
 * @config: CONFIG
 * @preferred_hart: PREFERRED_HART (global events)
 * @entry_pc: ENTRY_PC
 * @entry_arg: ENTRY_ARG
 * @interrupted: INTERRUPTED_SEPC, _FLAGS, _A6, _A7
 * @running_on: the vCPU whose handler runs it (RUNNING)
 */
struct sse_event {
	u32 id;
	u8 state;
	bool pending;
	u32 priority;
	unsigned long config;
	unsigned long preferred_hart;
	unsigned long entry_pc;
	unsigned long entry_arg;
	unsigned long interrupted[4];
	struct kvm_vcpu *running_on;
};

/**
 * struct kvm_vcpu_sbi_sse - a vCPU's SSE state
 * @local: its local events
 * @masked: events are masked on this hart (the reset state)
 * @running: the events whose handlers run here, innermost last
 * @nr_running: how many
 */
struct kvm_vcpu_sbi_sse {
	struct sse_event local[SSE_NR_LOCAL];
	bool masked;
	struct sse_event *running[SSE_NR_LOCAL + SSE_NR_GLOBAL];
	unsigned int nr_running;
};

/**
 * struct kvm_riscv_sbi_sse_vm - a VM's SSE state
 * @lock: protects it and every vCPU's struct kvm_vcpu_sbi_sse
 * @global: the global events
 */
struct kvm_riscv_sbi_sse_vm {
	spinlock_t lock;	/* all of the VM's SSE state */
	struct sse_event global[SSE_NR_GLOBAL];
};

static void sse_event_reset(struct sse_event *ev, u32 id)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = id;
}

/**
 * kvm_riscv_sbi_sse_init_vm() - allocate a VM's SSE state
 * @kvm: the VM being created
 *
 * Return: 0 or -ENOMEM.
 */
int kvm_riscv_sbi_sse_init_vm(struct kvm *kvm)
{
	struct kvm_riscv_sbi_sse_vm *sse;
	unsigned int i;

	sse = kzalloc(sizeof(*sse), GFP_KERNEL_ACCOUNT);
	if (!sse)
		return -ENOMEM;
	spin_lock_init(&sse->lock);
	for (i = 0; i < SSE_NR_GLOBAL; i++)
		sse_event_reset(&sse->global[i], sse_global_ids[i]);
	kvm->arch.sbi_sse = sse;
	return 0;
}

/**
 * kvm_riscv_sbi_sse_destroy_vm() - free a VM's SSE state
 * @kvm: the VM, whose vCPUs are destroyed
 */
void kvm_riscv_sbi_sse_destroy_vm(struct kvm *kvm)
{
	kfree(kvm->arch.sbi_sse);
	kvm->arch.sbi_sse = NULL;
}

static struct kvm_vcpu_sbi_sse *sse_of(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.sbi_context.sse;
}

/*
 * The event @id names for @vcpu, or NULL with the SBI error: INVALID_PARAM
 * for an ID KVM does not know, NOT_SUPPORTED for a standard one it cannot
 * raise. Only the low 32 bits of the argument count.
 */
static struct sse_event *sse_find(struct kvm_vcpu *vcpu, unsigned long arg,
				  long *err)
{
	struct kvm_vcpu_sbi_sse *hart = sse_of(vcpu);
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	u32 id = lower_32_bits(arg);
	unsigned int i;

	/* Its allocation at vCPU creation failed: SSE fails on this vCPU. */
	if (unlikely(!hart || !vm)) {
		*err = SBI_ERR_FAILURE;
		return NULL;
	}
	for (i = 0; i < SSE_NR_LOCAL; i++)
		if (sse_local_ids[i] == id)
			return &hart->local[i];
	for (i = 0; i < SSE_NR_GLOBAL; i++)
		if (sse_global_ids[i] == id)
			return &vm->global[i];
	*err = SBI_ERR_INVALID_PARAM;
	for (i = 0; i < ARRAY_SIZE(sse_unsupported_ids); i++)
		if (sse_unsupported_ids[i] == id)
			*err = SBI_ERR_NOT_SUPPORTED;
	return NULL;
}

static bool sse_is_global(const struct sse_event *ev)
{
	return ev->id & SSE_EVENT_GLOBAL;
}

/* Does @a outrank @b? */
static bool sse_before(const struct sse_event *a, const struct sse_event *b)
{
	return a->priority < b->priority ||
	       (a->priority == b->priority && a->id < b->id);
}

/* The vCPU that takes @ev next: its own for a local event. */
static struct kvm_vcpu *sse_target(struct kvm_vcpu *vcpu, struct sse_event *ev)
{
	if (!sse_is_global(ev))
		return vcpu;
	return kvm_riscv_vcpu_sbi_hart(vcpu, ev->preferred_hart);
}

/*
 * Have @target look for an event to take before it next enters the guest.
 * A hart in WFI takes it when it wakes (an interrupt): a request alone
 * does not end kvm_vcpu_halt(), and one that no path clears would keep
 * the run loop from ever entering the guest.
 */
static void sse_kick(struct kvm_vcpu *target)
{
	kvm_make_request(KVM_REQ_SBI_SSE, target);
	kvm_vcpu_kick(target);
}

/*
 * Enter @ev's handler on @vcpu (loaded, the lock held): save what the
 * handler will overwrite in its INTERRUPTED_* attributes, then a6 = hart
 * ID, a7 = ENTRY_ARG, sepc = the interrupted pc, SPP = the interrupted
 * mode, SPIE = SIE, SIE = 0, S-mode at ENTRY_PC.
 */
static void sse_enter(struct kvm_vcpu *vcpu, struct kvm_vcpu_sbi_sse *hart,
		      struct sse_event *ev)
{
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;
	unsigned long orig = csr_read(CSR_VSSTATUS), vsstatus, flags = 0;

	if (orig & SR_SPP)
		flags |= SSE_FLAG_SPP;
	if (orig & SR_SPIE)
		flags |= SSE_FLAG_SPIE;
	ev->interrupted[0] = csr_read(CSR_VSEPC);
	ev->interrupted[1] = flags;
	ev->interrupted[2] = cp->a6;
	ev->interrupted[3] = cp->a7;

	vsstatus = orig & ~(SR_SPP | SR_SPIE | SR_SIE);
	if (cp->sstatus & SR_SPP)		/* interrupted in VS-mode */
		vsstatus |= SR_SPP;
	if (orig & SR_SIE)
		vsstatus |= SR_SPIE;
	csr_write(CSR_VSSTATUS, vsstatus);
	csr_write(CSR_VSEPC, cp->sepc);
	cp->a6 = vcpu->vcpu_id;
	cp->a7 = ev->entry_arg;
	cp->sstatus |= SR_SPP;			/* the handler runs in VS-mode */
	cp->sepc = ev->entry_pc;

	ev->state = SSE_RUNNING;
	ev->pending = false;
	ev->running_on = vcpu;
	hart->running[hart->nr_running++] = ev;
}

/**
 * kvm_riscv_vcpu_sbi_sse_deliver() - enter the handler of an event due here
 * @vcpu: the vCPU, loaded, about to enter the guest (KVM_REQ_SBI_SSE)
 *
 * Takes the most urgent pending, enabled event that targets @vcpu, if the
 * hart is unmasked and the event outranks every handler running here.
 */
void kvm_riscv_vcpu_sbi_sse_deliver(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_sse *hart = sse_of(vcpu);
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	struct sse_event *best = NULL, *ev;
	unsigned int i;

	if (!hart || !vm)
		return;
	spin_lock(&vm->lock);
	if (hart->masked)
		goto out;
	for (i = 0; i < SSE_NR_LOCAL + SSE_NR_GLOBAL; i++) {
		ev = i < SSE_NR_LOCAL ? &hart->local[i] : &vm->global[i - SSE_NR_LOCAL];
		if (ev->state != SSE_ENABLED || !ev->pending)
			continue;
		if (sse_is_global(ev) && ev->preferred_hart != vcpu->vcpu_id)
			continue;
		if (!best || sse_before(ev, best))
			best = ev;
	}
	if (best && (!hart->nr_running ||
		     sse_before(best, hart->running[hart->nr_running - 1])))
		sse_enter(vcpu, hart, best);
out:
	spin_unlock(&vm->lock);
}

/* Signal @ev (the lock held); returns the vCPU to kick, if any. */
static struct kvm_vcpu *sse_signal(struct kvm_vcpu *vcpu, struct sse_event *ev,
				   struct kvm_vcpu *local_target)
{
	ev->pending = true;
	if (ev->state != SSE_ENABLED)
		return NULL;
	return sse_is_global(ev) ? sse_target(vcpu, ev) : local_target;
}

static void sse_read_attrs(struct kvm_vcpu *vcpu,
			   const struct kvm_vcpu_sbi_call *call,
			   struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	unsigned long base = lower_32_bits(call->args[1]);
	unsigned long count = lower_32_bits(call->args[2]);
	unsigned long vals[SSE_NR_ATTRS];
	struct sse_event *ev;
	unsigned long i;
	long err;
	gpa_t gpa;
	int rc;

	ev = sse_find(vcpu, call->args[0], &err);
	if (!ev) {
		kvm_vcpu_sbi_ret_error(ret, err);
		return;
	}
	if (!count) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}
	if (base >= SSE_NR_ATTRS || count > SSE_NR_ATTRS - base) {
		kvm_vcpu_sbi_ret_error(ret, KVM_SBI_ERR_BAD_RANGE);
		return;
	}
	if (!kvm_vcpu_sbi_arg_pa(call, 3, &gpa)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_ADDRESS);
		return;
	}
	rc = kvm_riscv_vcpu_guest_pa_check(vcpu, gpa, count * sizeof(long),
					   sizeof(long), true);
	if (rc) {
		kvm_vcpu_sbi_ret_error(ret, rc == -EINVAL ? SBI_ERR_INVALID_PARAM :
					    SBI_ERR_INVALID_ADDRESS);
		return;
	}

	spin_lock(&vm->lock);
	vals[SSE_ATTR_STATUS] = ev->state | SSE_STATUS_INJECTABLE |
				(ev->pending ? SSE_STATUS_PENDING : 0);
	vals[SSE_ATTR_PRIORITY] = ev->priority;
	vals[SSE_ATTR_CONFIG] = ev->config;
	vals[SSE_ATTR_PREFERRED_HART] = sse_is_global(ev) ? ev->preferred_hart :
				       vcpu->vcpu_id;
	vals[SSE_ATTR_ENTRY_PC] = ev->entry_pc;
	vals[SSE_ATTR_ENTRY_ARG] = ev->entry_arg;
	for (i = 0; i < 4; i++)
		vals[SSE_ATTR_INTERRUPTED_SEPC + i] = ev->interrupted[i];
	spin_unlock(&vm->lock);

	/* Attribute base + i at offset i (as OpenSBI; see sbi.rst). */
	if (kvm_riscv_vcpu_write_guest_pa(vcpu, gpa, &vals[base],
					  count * sizeof(long)))
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_ADDRESS);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
}

/* Check one attribute write; returns 0 or the SBI error. */
static long sse_attr_check(struct kvm_vcpu *vcpu, struct sse_event *ev,
			   unsigned int attr, unsigned long val)
{
	bool settable = ev->state == SSE_UNUSED || ev->state == SSE_REGISTERED;

	switch (attr) {
	case SSE_ATTR_PRIORITY:
		return settable ? 0 : KVM_SBI_ERR_INVALID_STATE;
	case SSE_ATTR_CONFIG:
		if (val & ~SSE_CONFIG_ONESHOT)
			return SBI_ERR_INVALID_PARAM;
		return settable ? 0 : KVM_SBI_ERR_INVALID_STATE;
	case SSE_ATTR_PREFERRED_HART:
		if (!sse_is_global(ev))
			return SBI_ERR_DENIED;
		if (!kvm_riscv_vcpu_sbi_hart(vcpu, val))
			return SBI_ERR_INVALID_PARAM;
		return settable ? 0 : KVM_SBI_ERR_INVALID_STATE;
	case SSE_ATTR_INTERRUPTED_SEPC:
	case SSE_ATTR_INTERRUPTED_FLAGS:
	case SSE_ATTR_INTERRUPTED_A6:
	case SSE_ATTR_INTERRUPTED_A7:
		if (ev->state != SSE_RUNNING || ev->running_on != vcpu)
			return KVM_SBI_ERR_INVALID_STATE;
		if (attr == SSE_ATTR_INTERRUPTED_FLAGS && (val & ~SSE_FLAGS_VALID))
			return SBI_ERR_INVALID_PARAM;
		return 0;
	default:			/* STATUS, ENTRY_PC, ENTRY_ARG */
		return SBI_ERR_DENIED;
	}
}

static void sse_attr_set(struct sse_event *ev, unsigned int attr,
			 unsigned long val)
{
	switch (attr) {
	case SSE_ATTR_PRIORITY:
		ev->priority = lower_32_bits(val);
		break;
	case SSE_ATTR_CONFIG:
		ev->config = val;
		break;
	case SSE_ATTR_PREFERRED_HART:
		ev->preferred_hart = val;
		break;
	default:
		ev->interrupted[attr - SSE_ATTR_INTERRUPTED_SEPC] = val;
		break;
	}
}

/* All checked first, in attribute order; nothing changes on an error. */
static void sse_write_attrs(struct kvm_vcpu *vcpu,
			    const struct kvm_vcpu_sbi_call *call,
			    struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	unsigned long base = lower_32_bits(call->args[1]);
	unsigned long count = lower_32_bits(call->args[2]);
	unsigned long vals[SSE_NR_ATTRS];
	struct sse_event *ev;
	unsigned long i;
	long err = 0;
	gpa_t gpa;
	int rc;

	ev = sse_find(vcpu, call->args[0], &err);
	if (!ev) {
		kvm_vcpu_sbi_ret_error(ret, err);
		return;
	}
	if (!count) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}
	if (base >= SSE_NR_ATTRS || count > SSE_NR_ATTRS - base) {
		kvm_vcpu_sbi_ret_error(ret, KVM_SBI_ERR_BAD_RANGE);
		return;
	}
	if (!kvm_vcpu_sbi_arg_pa(call, 3, &gpa)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_ADDRESS);
		return;
	}
	rc = kvm_riscv_vcpu_guest_pa_check(vcpu, gpa, count * sizeof(long),
					   sizeof(long), false);
	if (!rc)
		rc = kvm_riscv_vcpu_read_guest_pa(vcpu, gpa, vals,
						  count * sizeof(long));
	if (rc) {
		kvm_vcpu_sbi_ret_error(ret, rc == -EINVAL ? SBI_ERR_INVALID_PARAM :
					    SBI_ERR_INVALID_ADDRESS);
		return;
	}

	spin_lock(&vm->lock);
	for (i = 0; i < count && !err; i++)
		err = sse_attr_check(vcpu, ev, base + i, vals[i]);
	for (i = 0; i < count && !err; i++)
		sse_attr_set(ev, base + i, vals[i]);
	spin_unlock(&vm->lock);
	if (err)
		kvm_vcpu_sbi_ret_error(ret, err);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
}

/*
 * register, unregister, enable and disable: a state change from @from to
 * @to under the lock; INVALID_STATE from any other state.
 */
static void sse_transition(struct kvm_vcpu *vcpu,
			   const struct kvm_vcpu_sbi_call *call,
			   struct kvm_vcpu_sbi_return *ret,
			   enum sse_state from, enum sse_state to)
{
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	struct kvm_vcpu *kick = NULL;
	struct sse_event *ev;
	long err;

	ev = sse_find(vcpu, call->args[0], &err);
	if (!ev) {
		kvm_vcpu_sbi_ret_error(ret, err);
		return;
	}
	/* register(event, entry_pc, entry_arg): the pc is 2-byte aligned. */
	if (to == SSE_REGISTERED && from == SSE_UNUSED && (call->args[1] & 1)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}
	spin_lock(&vm->lock);
	if (ev->state != from) {
		spin_unlock(&vm->lock);
		kvm_vcpu_sbi_ret_error(ret, KVM_SBI_ERR_INVALID_STATE);
		return;
	}
	ev->state = to;
	if (from == SSE_UNUSED) {
		ev->entry_pc = call->args[1];
		ev->entry_arg = call->args[2];
	} else if (to == SSE_UNUSED) {
		ev->entry_pc = 0;
		ev->entry_arg = 0;
	}
	if (to == SSE_ENABLED && ev->pending)
		kick = sse_target(vcpu, ev);
	spin_unlock(&vm->lock);
	if (kick)
		sse_kick(kick);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

static void sse_register(struct kvm_vcpu *vcpu,
			 const struct kvm_vcpu_sbi_call *call,
			 struct kvm_vcpu_sbi_return *ret)
{
	sse_transition(vcpu, call, ret, SSE_UNUSED, SSE_REGISTERED);
}

static void sse_unregister(struct kvm_vcpu *vcpu,
			   const struct kvm_vcpu_sbi_call *call,
			   struct kvm_vcpu_sbi_return *ret)
{
	sse_transition(vcpu, call, ret, SSE_REGISTERED, SSE_UNUSED);
}

static void sse_enable(struct kvm_vcpu *vcpu,
		       const struct kvm_vcpu_sbi_call *call,
		       struct kvm_vcpu_sbi_return *ret)
{
	sse_transition(vcpu, call, ret, SSE_REGISTERED, SSE_ENABLED);
}

static void sse_disable(struct kvm_vcpu *vcpu,
			const struct kvm_vcpu_sbi_call *call,
			struct kvm_vcpu_sbi_return *ret)
{
	sse_transition(vcpu, call, ret, SSE_ENABLED, SSE_REGISTERED);
}

/*
 * Resume what the innermost handler interrupted: pc = sepc, mode = SPP,
 * SIE = SPIE, then SPIE, SPP, sepc, a6 and a7 from INTERRUPTED_*.
 */
static void sse_complete(struct kvm_vcpu *vcpu,
			 const struct kvm_vcpu_sbi_call *call,
			 struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_vcpu_sbi_sse *hart = sse_of(vcpu);
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	struct kvm_cpu_context *cp = &vcpu->arch.guest_context;
	struct kvm_vcpu *kick = NULL;
	unsigned long orig, vsstatus;
	struct sse_event *ev;

	if (unlikely(!hart || !vm)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_FAILURE);
		return;
	}
	spin_lock(&vm->lock);
	if (!hart->nr_running) {
		spin_unlock(&vm->lock);
		kvm_vcpu_sbi_ret_value(ret, 0);	/* nothing runs: no-op */
		return;
	}
	ev = hart->running[--hart->nr_running];
	orig = csr_read(CSR_VSSTATUS);
	cp->sepc = csr_read(CSR_VSEPC);
	if (orig & SR_SPP)
		cp->sstatus |= SR_SPP;
	else
		cp->sstatus &= ~SR_SPP;
	vsstatus = orig & ~(SR_SIE | SR_SPIE | SR_SPP);
	if (orig & SR_SPIE)
		vsstatus |= SR_SIE;
	if (ev->interrupted[1] & SSE_FLAG_SPIE)
		vsstatus |= SR_SPIE;
	if (ev->interrupted[1] & SSE_FLAG_SPP)
		vsstatus |= SR_SPP;
	csr_write(CSR_VSSTATUS, vsstatus);
	csr_write(CSR_VSEPC, ev->interrupted[0]);
	cp->a6 = ev->interrupted[2];
	cp->a7 = ev->interrupted[3];

	ev->state = ev->config & SSE_CONFIG_ONESHOT ? SSE_REGISTERED : SSE_ENABLED;
	ev->running_on = NULL;
	/* Signalled while it ran: taken again, maybe elsewhere. */
	if (ev->pending && ev->state == SSE_ENABLED)
		kick = sse_target(vcpu, ev);
	spin_unlock(&vm->lock);
	/* Events left pending here may be due now. */
	kvm_make_request(KVM_REQ_SBI_SSE, vcpu);
	if (kick && kick != vcpu)
		sse_kick(kick);
	kvm_vcpu_sbi_ret_redirected(ret);
}

/* Signal @id for @hartid (local events); 0 or a negative errno / SBI error. */
static long sse_inject_event(struct kvm_vcpu *vcpu, unsigned long id,
			     unsigned long hartid)
{
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	struct kvm_vcpu *target = vcpu, *kick;
	struct sse_event *ev;
	long err;

	ev = sse_find(vcpu, id, &err);
	if (!ev)
		return err;
	if (!sse_is_global(ev)) {
		target = kvm_riscv_vcpu_sbi_hart(vcpu, hartid);
		if (!target || !sse_of(target))
			return SBI_ERR_INVALID_PARAM;
		/* The same event, in the target hart's state. */
		ev = &sse_of(target)->local[ev - sse_of(vcpu)->local];
	}
	spin_lock(&vm->lock);
	kick = sse_signal(vcpu, ev, target);
	spin_unlock(&vm->lock);
	if (kick)
		sse_kick(kick);
	return 0;
}

static void sse_inject(struct kvm_vcpu *vcpu,
		       const struct kvm_vcpu_sbi_call *call,
		       struct kvm_vcpu_sbi_return *ret)
{
	long err = sse_inject_event(vcpu, call->args[0], call->args[1]);

	if (err)
		kvm_vcpu_sbi_ret_error(ret, err);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
}

static void sse_set_mask(struct kvm_vcpu *vcpu, struct kvm_vcpu_sbi_return *ret,
			 bool mask)
{
	struct kvm_vcpu_sbi_sse *hart = sse_of(vcpu);
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	bool was;

	if (unlikely(!hart || !vm)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_FAILURE);
		return;
	}
	spin_lock(&vm->lock);
	was = hart->masked;
	hart->masked = mask;
	spin_unlock(&vm->lock);
	if (was == mask) {
		kvm_vcpu_sbi_ret_error(ret, mask ? SBI_ERR_ALREADY_STOPPED :
					    SBI_ERR_ALREADY_STARTED);
		return;
	}
	if (!mask)
		kvm_make_request(KVM_REQ_SBI_SSE, vcpu);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

static void sse_hart_unmask(struct kvm_vcpu *vcpu,
			    const struct kvm_vcpu_sbi_call *call,
			    struct kvm_vcpu_sbi_return *ret)
{
	sse_set_mask(vcpu, ret, false);
}

static void sse_hart_mask(struct kvm_vcpu *vcpu,
			  const struct kvm_vcpu_sbi_call *call,
			  struct kvm_vcpu_sbi_return *ret)
{
	sse_set_mask(vcpu, ret, true);
}

/**
 * kvm_riscv_sbi_sse_vm_inject() - the VMM signals an event
 * @kvm: the VM
 * @uaddr: a struct kvm_riscv_sbi_sse_inject
 *
 * Return: 0; -EFAULT; -EINVAL for non-zero flags or reserved words, or an
 * event KVM does not offer; -ENOENT for a local event's hart that is no
 * vCPU (or a VM without vCPUs).
 */
int kvm_riscv_sbi_sse_vm_inject(struct kvm *kvm, void __user *uaddr)
{
	struct kvm_riscv_sbi_sse_inject inj;
	struct kvm_vcpu *vcpu;
	long err;

	if (copy_from_user(&inj, uaddr, sizeof(inj)))
		return -EFAULT;
	if (inj.flags || inj.reserved[0] || inj.reserved[1])
		return -EINVAL;
	/* Any vCPU can name the event and its hart. */
	vcpu = kvm_get_vcpu(kvm, 0);
	if (!vcpu || !sse_of(vcpu))
		return -ENOENT;
	err = sse_inject_event(vcpu, inj.event_id, inj.hart_id);
	if (err == SBI_ERR_INVALID_PARAM && (inj.event_id & SSE_EVENT_GLOBAL) == 0 &&
	    sse_find(vcpu, inj.event_id, &err))
		return -ENOENT;		/* a known local event: the hart */
	return err ? -EINVAL : 0;
}

static void sse_init(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_sse *hart;
	unsigned int i;

	hart = kzalloc(sizeof(*hart), GFP_KERNEL_ACCOUNT);
	if (!hart)
		return;		/* SSE answers nothing on this vCPU: probe 0 */
	for (i = 0; i < SSE_NR_LOCAL; i++)
		sse_event_reset(&hart->local[i], sse_local_ids[i]);
	hart->masked = true;
	vcpu->arch.sbi_context.sse = hart;
}

/* A global event whose handler ran on @vcpu is enabled again. */
static void sse_abandon(struct kvm_vcpu *vcpu, struct kvm_vcpu_sbi_sse *hart)
{
	unsigned int i;

	for (i = 0; i < hart->nr_running; i++) {
		if (sse_is_global(hart->running[i])) {
			hart->running[i]->state = SSE_ENABLED;
			hart->running[i]->running_on = NULL;
		}
	}
	hart->nr_running = 0;
}

static void sse_reset(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_sse *hart = sse_of(vcpu);
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	unsigned int i;

	if (!hart || !vm)
		return;
	spin_lock(&vm->lock);
	sse_abandon(vcpu, hart);
	for (i = 0; i < SSE_NR_LOCAL; i++)
		sse_event_reset(&hart->local[i], sse_local_ids[i]);
	hart->masked = true;
	spin_unlock(&vm->lock);
}

static void sse_deinit(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_sse *hart = sse_of(vcpu);
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;

	if (!hart)
		return;
	if (vm) {
		spin_lock(&vm->lock);
		sse_abandon(vcpu, hart);
		spin_unlock(&vm->lock);
	}
	vcpu->arch.sbi_context.sse = NULL;
	kfree(hart);
}

/* Called before .init at vCPU creation: the VM's state decides. */
static unsigned long sse_probe(struct kvm_vcpu *vcpu)
{
	return !!vcpu->kvm->arch.sbi_sse;
}

/*
 * State registers (KVM_REG_RISCV_SBI_SSE): register slot * 16 + attr is
 * attribute attr (0-9, as read_attrs numbers them; STATUS holds the state
 * and the pending bit) of event slot 0-2 (the vCPU's local events) or 3-5
 * (the VM's global events, the same on every vCPU); register 96 is 1 while
 * the hart is masked. Written only before the vCPU first runs (a VMM
 * restoring a saved guest); a running handler cannot be restored.
 */
#define SSE_REG_STRIDE		16
#define SSE_REG_MASKED		(SSE_REG_STRIDE * (SSE_NR_LOCAL + SSE_NR_GLOBAL))
#define SSE_NR_STATE_REGS	(SSE_REG_MASKED + 1)

static struct sse_event *sse_reg_event(struct kvm_vcpu *vcpu, unsigned int num)
{
	unsigned int slot = num / SSE_REG_STRIDE;

	if (slot < SSE_NR_LOCAL)
		return &sse_of(vcpu)->local[slot];
	return &vcpu->kvm->arch.sbi_sse->global[slot - SSE_NR_LOCAL];
}

static bool sse_state_reg_valid(struct kvm_vcpu *vcpu, unsigned int num)
{
	if (!sse_of(vcpu) || !vcpu->kvm->arch.sbi_sse)
		return false;
	return num == SSE_REG_MASKED || num % SSE_REG_STRIDE < SSE_NR_ATTRS;
}

static unsigned long sse_get_state_reg(struct kvm_vcpu *vcpu, unsigned int num)
{
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	struct sse_event *ev;
	unsigned long val;

	if (num == SSE_REG_MASKED)
		return sse_of(vcpu)->masked;
	ev = sse_reg_event(vcpu, num);
	spin_lock(&vm->lock);
	switch (num % SSE_REG_STRIDE) {
	case SSE_ATTR_STATUS:
		val = ev->state | (ev->pending ? SSE_STATUS_PENDING : 0);
		break;
	case SSE_ATTR_PRIORITY:
		val = ev->priority;
		break;
	case SSE_ATTR_CONFIG:
		val = ev->config;
		break;
	case SSE_ATTR_PREFERRED_HART:
		val = sse_is_global(ev) ? ev->preferred_hart : vcpu->vcpu_id;
		break;
	case SSE_ATTR_ENTRY_PC:
		val = ev->entry_pc;
		break;
	case SSE_ATTR_ENTRY_ARG:
		val = ev->entry_arg;
		break;
	default:
		val = ev->interrupted[num % SSE_REG_STRIDE - SSE_ATTR_INTERRUPTED_SEPC];
		break;
	}
	spin_unlock(&vm->lock);
	return val;
}

static int sse_set_state_reg(struct kvm_vcpu *vcpu, unsigned int num,
			     unsigned long val)
{
	struct kvm_riscv_sbi_sse_vm *vm = vcpu->kvm->arch.sbi_sse;
	unsigned int attr = num % SSE_REG_STRIDE;
	struct sse_event *ev;
	int rc = 0;

	if (vcpu->arch.ran_atleast_once)
		return -EBUSY;
	if (num == SSE_REG_MASKED) {
		if (val > 1)
			return -EINVAL;
		sse_of(vcpu)->masked = val;
		return 0;
	}
	ev = sse_reg_event(vcpu, num);
	spin_lock(&vm->lock);
	switch (attr) {
	case SSE_ATTR_STATUS:
		/* UNUSED, REGISTERED or ENABLED, and the pending bit. */
		if ((val & ~(3UL | SSE_STATUS_PENDING)) || (val & 3) == SSE_RUNNING) {
			rc = -EINVAL;
			break;
		}
		ev->state = val & 3;
		ev->pending = val & SSE_STATUS_PENDING;
		break;
	case SSE_ATTR_PRIORITY:
		if (val > U32_MAX)
			rc = -EINVAL;
		else
			ev->priority = val;
		break;
	case SSE_ATTR_CONFIG:
		if (val & ~SSE_CONFIG_ONESHOT)
			rc = -EINVAL;
		else
			ev->config = val;
		break;
	case SSE_ATTR_PREFERRED_HART:
		/* Other vCPUs may not exist yet: checked at delivery. */
		if (!sse_is_global(ev) && val != vcpu->vcpu_id && val)
			rc = -EINVAL;
		else if (sse_is_global(ev))
			ev->preferred_hart = val;
		break;
	case SSE_ATTR_ENTRY_PC:
		if (val & 1)
			rc = -EINVAL;
		else
			ev->entry_pc = val;
		break;
	case SSE_ATTR_ENTRY_ARG:
		ev->entry_arg = val;
		break;
	default:
		if (attr == SSE_ATTR_INTERRUPTED_FLAGS && (val & ~SSE_FLAGS_VALID))
			rc = -EINVAL;
		else
			ev->interrupted[attr - SSE_ATTR_INTERRUPTED_SEPC] = val;
		break;
	}
	spin_unlock(&vm->lock);
	if (!rc && attr == SSE_ATTR_STATUS)
		kvm_make_request(KVM_REQ_SBI_SSE, vcpu);
	return rc;
}

static const kvm_vcpu_sbi_fn sse_fns[] = {
	[SSE_READ_ATTRS]	= sse_read_attrs,
	[SSE_WRITE_ATTRS]	= sse_write_attrs,
	[SSE_REGISTER]		= sse_register,
	[SSE_UNREGISTER]	= sse_unregister,
	[SSE_ENABLE]		= sse_enable,
	[SSE_DISABLE]		= sse_disable,
	[SSE_COMPLETE]		= sse_complete,
	[SSE_INJECT]		= sse_inject,
	[SSE_HART_UNMASK]	= sse_hart_unmask,
	[SSE_HART_MASK]		= sse_hart_mask,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_sse = {
	.name		= "sse",
	.eid_start	= KVM_SBI_EXT_SSE,
	.eid_end	= KVM_SBI_EXT_SSE,
	.onereg_idx	= KVM_SBI_ALWAYS_ENABLED,
	.fns		= sse_fns,
	.nr_fns		= ARRAY_SIZE(sse_fns),
	.probe		= sse_probe,
	.init		= sse_init,
	.deinit		= sse_deinit,
	.reset		= sse_reset,
	.state_subtype	= KVM_REG_RISCV_SBI_SSE,
	.nr_state_regs	= SSE_NR_STATE_REGS,
	.state_reg_valid = sse_state_reg_valid,
	.get_state_reg	= sse_get_state_reg,
	.set_state_reg	= sse_set_state_reg,
};
