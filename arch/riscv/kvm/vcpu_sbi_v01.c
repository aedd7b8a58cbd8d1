// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI v0.1 legacy extensions (EIDs 0x00-0x08): timer, console, IPIs,
 * remote fences and shutdown, one function per EID, from before the SBI
 * had extensions with function IDs. Only a0 is returned. The IPI and
 * fence calls pass their hart mask by reference, as a guest virtual
 * address; once it is read, the v0.2 function that replaced the call
 * (IPI send_ipi, RFENCE remote_*) answers it.
 */

#include <linux/kvm_host.h>
#include <linux/nospec.h>

/**
 * struct v01_successor - the v0.2 function that replaced a legacy call
 * @ext: its extension
 * @fid: its function ID
 */
struct v01_successor {
	const struct kvm_vcpu_sbi_extension *ext;
	unsigned long fid;
};

/* Indexed by EID: the legacy calls that take a hart mask. */
static const struct v01_successor v01_successors[] = {
	[SBI_EXT_0_1_SEND_IPI] = {
		&kvm_sbi_ext_ipi, SBI_EXT_IPI_SEND_IPI
	},
	[SBI_EXT_0_1_REMOTE_FENCE_I] = {
		&kvm_sbi_ext_rfence, SBI_EXT_RFENCE_REMOTE_FENCE_I
	},
	[SBI_EXT_0_1_REMOTE_SFENCE_VMA] = {
		&kvm_sbi_ext_rfence, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA
	},
	[SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID] = {
		&kvm_sbi_ext_rfence, SBI_EXT_RFENCE_REMOTE_SFENCE_VMA_ASID
	},
};

/* The harts a legacy mask can name that are vCPUs: ids below XLEN. */
static unsigned long v01_vcpu_harts(struct kvm *kvm)
{
	unsigned long harts = 0, i;
	struct kvm_vcpu *vcpu;

	kvm_for_each_vcpu(i, vcpu, kvm) {
		if (vcpu->vcpu_id < BITS_PER_LONG)
			harts |= BIT(vcpu->vcpu_id);
	}
	return harts;
}

/*
 * Read the hart mask args[0] points to: one unsigned long whose bit i
 * selects hart i, so a guest cannot name harts from XLEN up this way.
 * Harts that are not vCPUs are dropped, since 0.1 has no error for them.
 * A NULL pointer selects every hart, as BBL and OpenSBI have it.
 *
 * Return: true with the mask and its base in @hmask and @hbase, false if
 * the read did not complete, with @ret saying what happens instead.
 */
static bool v01_read_hart_mask(struct kvm_vcpu *vcpu,
			       const struct kvm_vcpu_sbi_call *call,
			       unsigned long *hmask, unsigned long *hbase,
			       struct kvm_vcpu_sbi_return *ret)
{
	int err;

	*hmask = 0;
	*hbase = -1UL;
	if (!call->args[0])
		return true;

	*hbase = 0;
	err = kvm_riscv_vcpu_read_guest_va(vcpu, call->args[0], hmask,
					   sizeof(*hmask));
	if (err == KVM_GUEST_MEM_REDIRECTED) {
		kvm_vcpu_sbi_ret_redirected(ret);
		return false;
	}
	if (err) {
		kvm_vcpu_sbi_ret_failed(ret, err);
		return false;
	}

	*hmask &= v01_vcpu_harts(vcpu->kvm);
	return true;
}

/*
 * send_ipi, remote_fence_i, remote_sfence_vma(_asid): read the mask, then
 * make the call that replaced this one. Its arguments are the legacy ones
 * with (hart_mask, hart_mask_base) in place of the mask pointer. Its
 * errors are negative, as a legacy a0 must be on failure.
 */
static void v01_hart_mask_call(struct kvm_vcpu *vcpu,
			       const struct kvm_vcpu_sbi_call *call,
			       struct kvm_vcpu_sbi_return *ret)
{
	const struct v01_successor *succ;
	struct kvm_vcpu_sbi_call modern = { };

	/* v01_handler() dispatched on the EID: it is one of the four. */
	succ = &v01_successors[array_index_nospec(call->eid,
						  ARRAY_SIZE(v01_successors))];
	modern.eid = succ->ext->eid_start;
	modern.fid = succ->fid;
	if (!v01_read_hart_mask(vcpu, call, &modern.args[0], &modern.args[1],
				ret))
		return;

	modern.args[2] = call->args[1];	/* start_addr */
	modern.args[3] = call->args[2];	/* size */
	modern.args[4] = call->args[3];	/* asid */
	succ->ext->fns[succ->fid](vcpu, &modern, ret);
}

/* Same argument and answer (0) as the TIME set_timer that replaced it. */
static void v01_set_timer(struct kvm_vcpu *vcpu,
			  const struct kvm_vcpu_sbi_call *call,
			  struct kvm_vcpu_sbi_return *ret)
{
	kvm_sbi_ext_time.fns[SBI_EXT_TIME_SET_TIMER](vcpu, call, ret);
}

/* The console is the VMM's. */
static void v01_console(struct kvm_vcpu *vcpu,
			const struct kvm_vcpu_sbi_call *call,
			struct kvm_vcpu_sbi_return *ret)
{
	kvm_vcpu_sbi_forward(ret);
}

/*
 * v0.1: a0 is 0 if no IPI was pending, a positive value if one was. The
 * run loop synced the guest's own writes to sip.SSIP into irqs_pending
 * before this exit was handled, so the bit is what the guest would read.
 */
static void v01_clear_ipi(struct kvm_vcpu *vcpu,
			  const struct kvm_vcpu_sbi_call *call,
			  struct kvm_vcpu_sbi_return *ret)
{
	bool pending = test_bit(IRQ_VS_SOFT, vcpu->arch.irqs_pending);
	int err = kvm_riscv_vcpu_unset_interrupt(vcpu, IRQ_VS_SOFT);

	if (err) {
		kvm_vcpu_sbi_ret_failed(ret, err);
		return;
	}
	/* A legacy call's a0 is err_val, and its meaning is the call's. */
	kvm_vcpu_sbi_ret_value(ret, 0);
	ret->err_val = pending;
}

static void v01_shutdown(struct kvm_vcpu *vcpu,
			 const struct kvm_vcpu_sbi_call *call,
			 struct kvm_vcpu_sbi_return *ret)
{
	kvm_riscv_vcpu_sbi_system_event(vcpu, ret, KVM_SYSTEM_EVENT_SHUTDOWN, 0);
}

/* Indexed by EID: in 0.1 every function is an extension of its own. */
static const kvm_vcpu_sbi_fn v01_fns[] = {
	[SBI_EXT_0_1_SET_TIMER]			= v01_set_timer,
	[SBI_EXT_0_1_CONSOLE_PUTCHAR]		= v01_console,
	[SBI_EXT_0_1_CONSOLE_GETCHAR]		= v01_console,
	[SBI_EXT_0_1_CLEAR_IPI]			= v01_clear_ipi,
	[SBI_EXT_0_1_SEND_IPI]			= v01_hart_mask_call,
	[SBI_EXT_0_1_REMOTE_FENCE_I]		= v01_hart_mask_call,
	[SBI_EXT_0_1_REMOTE_SFENCE_VMA]		= v01_hart_mask_call,
	[SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID]	= v01_hart_mask_call,
	[SBI_EXT_0_1_SHUTDOWN]			= v01_shutdown,
};

static void v01_handler(struct kvm_vcpu *vcpu,
			const struct kvm_vcpu_sbi_call *call,
			struct kvm_vcpu_sbi_return *ret)
{
	unsigned long eid = call->eid;

	if (eid >= ARRAY_SIZE(v01_fns))
		return;
	/* The guest's EID indexes function pointers, also under speculation. */
	v01_fns[array_index_nospec(eid, ARRAY_SIZE(v01_fns))](vcpu, call, ret);
}

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_v01 = {
	.name		= "v01",
	.eid_start	= SBI_EXT_0_1_SET_TIMER,
	.eid_end	= SBI_EXT_0_1_SHUTDOWN,
	.onereg_idx	= KVM_RISCV_SBI_EXT_V01,
	.handler	= v01_handler,
};
