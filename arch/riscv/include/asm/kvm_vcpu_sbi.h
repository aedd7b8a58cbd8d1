/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * RISC-V KVM SBI extension framework: the interface an extension includes.
 *
 * An extension is one file, arch/riscv/kvm/vcpu_sbi_<name>.c, ending in one
 * const struct kvm_vcpu_sbi_extension. The framework (sbi_<job>.c: the
 * registry, the dispatcher, ONE_REG, the hart map, the policy and the fast
 * path) finds it by EID, calls it, and completes the call according to the
 * outcome it reports. See Documentation/virt/kvm/riscv/sbi.rst.
 */

#ifndef __RISCV_KVM_VCPU_SBI_H__
#define __RISCV_KVM_VCPU_SBI_H__

#include <linux/bits.h>
#include <linux/irqflags.h>
#include <linux/kvm_types.h>
#include <linux/types.h>
#include <asm/sbi.h>
#include <uapi/asm/kvm.h>

struct kvm;
struct kvm_cpu_trap;
struct kvm_vcpu;
struct kvm_run;
struct kvm_one_reg;
struct kvm_vcpu_sbi_sse;
struct kvm_vcpu_sbi_dbtr;

/* What BASE reports: SBI v3.0, implementation ID 3 (KVM). */
#define KVM_SBI_IMPID			3
#define KVM_SBI_VERSION_MAJOR		3
#define KVM_SBI_VERSION_MINOR		0

/* SBI v3.0 extension IDs that 6.12's <asm/sbi.h> does not have. */
#define KVM_SBI_EXT_SSE			0x535345
#define KVM_SBI_EXT_FWFT		0x46574654
#define KVM_SBI_EXT_NACL		0x4E41434C
#define KVM_SBI_EXT_DBTR		0x44425452
#define KVM_SBI_EXT_MPXY		0x4D505859

/* SBI v3.0 error codes that 6.12's <asm/sbi.h> does not have. */
#define KVM_SBI_ERR_INVALID_STATE	(-10)
#define KVM_SBI_ERR_BAD_RANGE		(-11)
#define KVM_SBI_ERR_TIMEOUT		(-12)
#define KVM_SBI_ERR_IO			(-13)
#define KVM_SBI_ERR_DENIED_LOCKED	(-14)

/* The most negative error code SBI v3.0 defines. */
#define KVM_SBI_ERR_LAST		KVM_SBI_ERR_DENIED_LOCKED

/* Upper bound on registered extensions; checked at build time. */
#define KVM_SBI_MAX_EXTS		24

/* Legacy (v0.1) EIDs 0x00-0x0F: one function each, a1 preserved. */
#define KVM_SBI_LEGACY_EID_LAST		0x0F

/*
 * onereg_idx of an extension that has no KVM_RISCV_SBI_EXT_* index: it is
 * enabled on every vCPU where it is available, and userspace cannot disable
 * it (BASE; SSE and DBTR, which 6.12's index enum does not have).
 */
#define KVM_SBI_ALWAYS_ENABLED		(-1)

/**
 * struct kvm_vcpu_sbi_call - one SBI call, decoded from the guest registers
 * @args: arguments (a0..a5)
 * @fid: function ID (a6); meaningless for legacy calls
 * @eid: extension ID (a7)
 *
 * The members follow a0-a7 of struct kvm_cpu_context, so that the fast
 * path can read a call in place (sbi_fastpath.c checks the layout).
 */
struct kvm_vcpu_sbi_call {
	unsigned long args[6];
	unsigned long fid;
	unsigned long eid;
};

/*
 * The SBI call a guest makes with its registers @regs (a struct
 * kvm_cpu_context *, at its ecall): EID a7, FID a6, arguments a0-a5.
 */
#define KVM_SBI_CALL_FROM_REGS(regs) ({				\
	const struct kvm_cpu_context *__cp = (regs);			\
									\
	(struct kvm_vcpu_sbi_call) {					\
		.eid = __cp->a7,					\
		.fid = __cp->a6,					\
		.args = { __cp->a0, __cp->a1, __cp->a2, __cp->a3,	\
			  __cp->a4, __cp->a5 },				\
	};								\
})

/**
 * enum kvm_vcpu_sbi_outcome - what happens once an SBI function returns
 * @KVM_SBI_RETURN: a0 = err_val, a1 = out_val (not for legacy calls,
 *	EIDs 0x00-0x0F, which preserve a1), sepc += 4, back to the guest
 * @KVM_SBI_FORWARD: exit to userspace with KVM_EXIT_RISCV_SBI; the answer
 *	is written back on the next KVM_RUN
 * @KVM_SBI_EXIT: exit to userspace with the exit the function filled in
 *	kvm_run (a system event); sepc is not advanced
 * @KVM_SBI_REDIRECTED: the function set the guest's pc and registers
 *	itself (a trap redirected into the guest, a non-retentive resume);
 *	nothing is written back
 * @KVM_SBI_FAILED: KVM_RUN fails with host_err
 * @KVM_SBI_NORMAL_PATH: only from a fast function in the fast path, before
 *	it changed anything: the call is not answered here but made again on
 *	the normal path (for work the fast path must not do with interrupts
 *	off, see kvm_vcpu_sbi_in_fastpath())
 */
enum kvm_vcpu_sbi_outcome {
	KVM_SBI_RETURN = 0,
	KVM_SBI_FORWARD,
	KVM_SBI_EXIT,
	KVM_SBI_REDIRECTED,
	KVM_SBI_FAILED,
	KVM_SBI_NORMAL_PATH,
};

/**
 * struct kvm_vcpu_sbi_return - the result of an SBI function
 * @outcome: what happens next
 * @err_val: SBI error code for the guest (KVM_SBI_RETURN)
 * @out_val: value for the guest (KVM_SBI_RETURN)
 * @host_err: negative errno for KVM_RUN (KVM_SBI_FAILED)
 *
 * The dispatcher presets KVM_SBI_RETURN with SBI_ERR_NOT_SUPPORTED, so a
 * function that does not answer still gives the guest a spec answer. SBI
 * error codes and errnos never share a member. (vcpu_pmu.c fills err_val
 * and out_val directly; the PMU extension maps its errno to an outcome.)
 */
struct kvm_vcpu_sbi_return {
	enum kvm_vcpu_sbi_outcome outcome;
	long err_val;
	unsigned long out_val;
	int host_err;
};

/* How the dispatcher presets a result: KVM_SBI_RETURN, NOT_SUPPORTED. */
#define KVM_SBI_RETURN_INIT { \
	.outcome = KVM_SBI_RETURN, .err_val = SBI_ERR_NOT_SUPPORTED }

/**
 * typedef kvm_vcpu_sbi_fn - one SBI function (or a whole legacy/range
 *	extension)
 * @vcpu: the calling vCPU, loaded, preemptible, kvm->srcu held
 * @call: the decoded call
 * @ret: the result, preset to KVM_SBI_RETURN / SBI_ERR_NOT_SUPPORTED
 *
 * Context: the vCPU's KVM_RUN; may sleep.
 */
typedef void (*kvm_vcpu_sbi_fn)(struct kvm_vcpu *vcpu,
				const struct kvm_vcpu_sbi_call *call,
				struct kvm_vcpu_sbi_return *ret);

/**
 * struct kvm_vcpu_sbi_extension - an SBI extension, declared once, const
 * @name: short name, for diagnostics
 * @eid_start: first extension ID it serves
 * @eid_end: last extension ID it serves (inclusive)
 * @onereg_idx: KVM_RISCV_SBI_EXT_* index userspace enables it by, or
 *	KVM_SBI_ALWAYS_ENABLED
 * @default_disabled: starts disabled on every vCPU
 * @fns: functions indexed by FID (exactly one of @fns and @handler)
 * @nr_fns: number of entries in @fns; a FID past it or a NULL entry is
 *	SBI_ERR_NOT_SUPPORTED without calling anything
 * @fast_fids: bit i set: @fns[i] may run in the fast path (sbi_fastpath.c);
 *	only for an extension serving one EID, and @fns[i] must exist (the
 *	registry refuses the descriptor otherwise). It runs with interrupts
 *	and preemption off and without kvm->srcu; it must not sleep or change
 *	the guest's registers (its @call is read from them in place), and
 *	must answer with KVM_SBI_RETURN (an error code the spec lacks is
 *	clamped, as on the normal path), or with KVM_SBI_FORWARD or
 *	KVM_SBI_NORMAL_PATH before it changed anything (the call is then
 *	made again on the normal path); any other outcome, KVM_SBI_FAILED
 *	included, is a bug, warned about once and answered SBI_ERR_FAILURE.
 *	Its work must be bounded by a small constant whatever the guest
 *	passes (sbi.rst, "The fast path")
 * @handler: one function for every call, for extensions that do not
 *	select by FID (legacy calls, forwarded ranges)
 * @probe: 0 if unavailable on @vcpu, else the value BASE probe_extension
 *	reports; NULL means always available, reported as 1. Called at vCPU
 *	creation and by probe_extension; must not fail or sleep.
 * @probe_forwarded: userspace implements the EIDs, so only it knows which
 *	exist: BASE probe_extension of one of them is forwarded to it
 * @init: at vCPU creation, before the first reset (optional)
 * @deinit: at vCPU destruction (optional)
 * @reset: at every vCPU reset (optional)
 * @load: from kvm_arch_vcpu_load(), with preemption off, on the host CPU
 *	@cpu the vCPU now runs on: for per-hart hardware state that follows
 *	the vCPU (optional; only for an available extension)
 * @put: from kvm_arch_vcpu_put(), preemption off, before the vCPU leaves
 *	its host CPU (optional)
 * @state_subtype: KVM_REG_RISCV_SBI_STATE subtype of its state registers
 * @nr_state_regs: number of state registers (0: none)
 * @state_reg_valid: whether register @num exists on this vCPU (optional;
 *	without it all @nr_state_regs do): one that does not is not listed
 *	by KVM_GET_REG_LIST, and KVM_GET/SET_ONE_REG of it is -ENOENT
 * @get_state_reg: read state register @num (< @nr_state_regs)
 * @set_state_reg: write state register @num; returns 0 or a negative errno
 * @forward_check: when the VM's policy forwards a call of this extension,
 *	called first: it may answer the guest itself (an SBI error) or leave
 *	the outcome KVM_SBI_FORWARD (SUSP checks its arguments)
 * @forward_done: on the KVM_RUN after a forwarded call, with userspace's
 *	answer in err_val/out_val; returns true if it set the guest's state
 *	itself, false for the usual write-back (a0, a1, sepc += 4)
 */
struct kvm_vcpu_sbi_extension {
	const char *name;
	unsigned long eid_start;
	unsigned long eid_end;
	int onereg_idx;
	bool default_disabled;
	const kvm_vcpu_sbi_fn *fns;
	unsigned int nr_fns;
	unsigned long fast_fids;
	kvm_vcpu_sbi_fn handler;
	unsigned long (*probe)(struct kvm_vcpu *vcpu);
	bool probe_forwarded;
	void (*init)(struct kvm_vcpu *vcpu);
	void (*deinit)(struct kvm_vcpu *vcpu);
	void (*reset)(struct kvm_vcpu *vcpu);
	void (*load)(struct kvm_vcpu *vcpu, int cpu);
	void (*put)(struct kvm_vcpu *vcpu);
	unsigned long state_subtype;
	unsigned int nr_state_regs;
	bool (*state_reg_valid)(struct kvm_vcpu *vcpu, unsigned int num);
	unsigned long (*get_state_reg)(struct kvm_vcpu *vcpu, unsigned int num);
	int (*set_state_reg)(struct kvm_vcpu *vcpu, unsigned int num,
			     unsigned long val);
	kvm_vcpu_sbi_fn forward_check;
	bool (*forward_done)(struct kvm_vcpu *vcpu,
			     const struct kvm_vcpu_sbi_call *call,
			     const struct kvm_vcpu_sbi_return *answer);
};

/**
 * enum kvm_sbi_stat_ext - index in vcpu->stat.sbi_calls of each extension
 *
 * Statistics (per-vCPU KVM binary stats, sbi.rst "Tracing and statistics"):
 * calls per extension, counter sbi_calls_<name> for each registered
 * extension, found by its descriptor's @name, and sbi_calls_unknown for
 * EIDs no extension serves. The descriptor table in vcpu.c (patch 0022)
 * has one KVM_SBI_STAT_DESC_EXT() per entry, in this order.
 */
enum kvm_sbi_stat_ext {
	KVM_SBI_STAT_unknown,
	KVM_SBI_STAT_v01,
	KVM_SBI_STAT_base,
	KVM_SBI_STAT_time,
	KVM_SBI_STAT_ipi,
	KVM_SBI_STAT_rfence,
	KVM_SBI_STAT_srst,
	KVM_SBI_STAT_hsm,
	KVM_SBI_STAT_pmu,
	KVM_SBI_STAT_sta,
	KVM_SBI_STAT_dbcn,
	KVM_SBI_STAT_susp,
	KVM_SBI_STAT_fwft,
	KVM_SBI_STAT_sse,
	KVM_SBI_STAT_dbtr,
	KVM_SBI_STAT_mpxy,
	KVM_SBI_STAT_experimental,
	KVM_SBI_STAT_vendor,
	KVM_SBI_NR_STAT_EXTS
};

/* The descriptor of counter sbi_calls_<n>, for the vCPU stats table. */
#define KVM_SBI_STAT_DESC_EXT(n)					\
	{								\
		STATS_DESC_COMMON(KVM_STATS_TYPE_CUMULATIVE,		\
				  KVM_STATS_UNIT_NONE,			\
				  KVM_STATS_BASE_POW10, 0, 1, 0),	\
		.offset = offsetof(struct kvm_vcpu_stat,		\
				   sbi_calls[KVM_SBI_STAT_##n]),	\
		.name = "sbi_calls_" #n,				\
	}

/**
 * enum kvm_sbi_call_outcome - what became of an SBI call, for stats and
 *	the kvm_sbi_call tracepoint
 * @KVM_SBI_CALL_RETURNED: answered with a spec error code or success
 * @KVM_SBI_CALL_FORWARDED: exited to userspace (KVM_EXIT_RISCV_SBI)
 * @KVM_SBI_CALL_DENIED: the VM's policy denied it (SBI_ERR_NOT_SUPPORTED)
 * @KVM_SBI_CALL_NOT_SUPPORTED: answered SBI_ERR_NOT_SUPPORTED otherwise
 * @KVM_SBI_CALL_REDIRECTED: a trap was redirected into the guest
 * @KVM_SBI_CALL_SYSTEM_EVENT: exited to userspace with a system event
 * @KVM_SBI_CALL_FAILED: KVM_RUN failed
 */
enum kvm_sbi_call_outcome {
	KVM_SBI_CALL_RETURNED,
	KVM_SBI_CALL_FORWARDED,
	KVM_SBI_CALL_DENIED,
	KVM_SBI_CALL_NOT_SUPPORTED,
	KVM_SBI_CALL_REDIRECTED,
	KVM_SBI_CALL_SYSTEM_EVENT,
	KVM_SBI_CALL_FAILED,
	KVM_SBI_NR_CALL_OUTCOMES
};

/* The descriptor of the counter of outcome KVM_SBI_CALL_<o>, sbi_<n>. */
#define KVM_SBI_STAT_DESC_OUTCOME(o, n)					\
	{								\
		STATS_DESC_COMMON(KVM_STATS_TYPE_CUMULATIVE,		\
				  KVM_STATS_UNIT_NONE,			\
				  KVM_STATS_BASE_POW10, 0, 1, 0),	\
		.offset = offsetof(struct kvm_vcpu_stat,		\
				   sbi_outcomes[KVM_SBI_CALL_##o]),	\
		.name = "sbi_" #n,					\
	}

/* The framework's fields of struct kvm_vcpu_stat (patch 0022). */
#define KVM_RISCV_SBI_VCPU_STATS					\
	u64 sbi_calls[KVM_SBI_NR_STAT_EXTS];				\
	u64 sbi_outcomes[KVM_SBI_NR_CALL_OUTCOMES];			\
	u64 sbi_fast;							\
	u64 guest_mem_faults_resolved;					\
	u64 guest_mem_faults_redirected

/**
 * enum kvm_vcpu_sbi_ext_state - an extension's state on one vCPU
 * @KVM_SBI_EXT_UNAVAILABLE: not registered, or its probe said no
 * @KVM_SBI_EXT_ENABLED: the guest can call it
 * @KVM_SBI_EXT_DISABLED: userspace (or its default) disabled it
 */
enum kvm_vcpu_sbi_ext_state {
	KVM_SBI_EXT_UNAVAILABLE = 0,
	KVM_SBI_EXT_ENABLED,
	KVM_SBI_EXT_DISABLED,
};

/**
 * struct kvm_vcpu_sbi_fwft - FWFT state of a vCPU (vcpu_sbi_fwft.c)
 * @supported: bit per feature (ONE_REG order): this vCPU has it
 * @enabled: bit per feature: the VMM lets the guest use it
 * @locked: bit per feature: the guest locked it until the next reset
 * @misaligned_deleg: MISALIGNED_EXC_DELEG is 1
 *
 * A few bytes, kept here rather than allocated: FWFT is in every vCPU.
 */
struct kvm_vcpu_sbi_fwft {
	u8 supported;
	u8 enabled;
	u8 locked;
	bool misaligned_deleg;
};

/**
 * struct kvm_vcpu_sbi_context - per-vCPU state of the framework
 * @ext_state: enum kvm_vcpu_sbi_ext_state per registered extension
 * @forward_pending: a KVM_EXIT_RISCV_SBI awaits its answer
 * @hsm_suspended: the vCPU is in HSM hart_suspend (read by other vCPUs)
 * @forward_ext: the extension serving the forwarded call, or NULL (for
 *	its forward_done hook)
 * @forward_call: the forwarded call, as the guest made it
 * @forward_pc: the guest's pc at that call (its ecall)
 * @fwft: the FWFT extension's state
 * @sse: the SSE extension's state (vcpu_sbi_sse.c), or NULL
 * @dbtr: the DBTR extension's state (vcpu_sbi_dbtr.c), or NULL
 * @hart_state: an extension has state on the host hart that must follow
 *	the vCPU (DBTR's armed triggers): only then do kvm_arch_vcpu_load()
 *	and kvm_arch_vcpu_put() call kvm_riscv_vcpu_sbi_load() and _put()
 */
struct kvm_vcpu_sbi_context {
	u8 ext_state[KVM_SBI_MAX_EXTS];
	bool forward_pending;
	bool hsm_suspended;
	const struct kvm_vcpu_sbi_extension *forward_ext;
	struct kvm_vcpu_sbi_call forward_call;
	unsigned long forward_pc;
	struct kvm_vcpu_sbi_fwft fwft;
	struct kvm_vcpu_sbi_sse *sse;
	struct kvm_vcpu_sbi_dbtr *dbtr;
	bool hart_state;
};

/* The extensions, one per vcpu_sbi_<name>.c. */
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_v01;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_base;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_time;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_ipi;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_rfence;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_srst;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_hsm;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_pmu;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_sta;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_dbcn;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_susp;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_fwft;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_sse;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_dbtr;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_mpxy;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_experimental;
extern const struct kvm_vcpu_sbi_extension kvm_sbi_ext_vendor;

/* Result helpers for extension functions. */

/**
 * kvm_vcpu_sbi_ret_value() - answer SBI_SUCCESS with a value
 * @ret: the result
 * @value: what a1 gets
 */
static inline void kvm_vcpu_sbi_ret_value(struct kvm_vcpu_sbi_return *ret,
					  unsigned long value)
{
	ret->outcome = KVM_SBI_RETURN;
	ret->err_val = SBI_SUCCESS;
	ret->out_val = value;
}

/**
 * kvm_vcpu_sbi_ret_error() - answer an SBI error
 * @ret: the result
 * @sbi_err: an SBI_ERR_* code
 */
static inline void kvm_vcpu_sbi_ret_error(struct kvm_vcpu_sbi_return *ret,
					  long sbi_err)
{
	ret->outcome = KVM_SBI_RETURN;
	ret->err_val = sbi_err;
	ret->out_val = 0;
}

/**
 * kvm_vcpu_sbi_ret_failed() - make KVM_RUN fail
 * @ret: the result
 * @host_err: a negative errno
 */
static inline void kvm_vcpu_sbi_ret_failed(struct kvm_vcpu_sbi_return *ret,
					   int host_err)
{
	ret->outcome = KVM_SBI_FAILED;
	ret->host_err = host_err;
}

/**
 * kvm_vcpu_sbi_forward() - hand the call to userspace (KVM_EXIT_RISCV_SBI)
 * @ret: the result
 */
static inline void kvm_vcpu_sbi_forward(struct kvm_vcpu_sbi_return *ret)
{
	ret->outcome = KVM_SBI_FORWARD;
}

/**
 * kvm_vcpu_sbi_ret_redirected() - the guest resumes where its registers say
 * @ret: the result
 *
 * For a function that redirected a trap into the guest (a guest-memory read
 * returned KVM_GUEST_MEM_REDIRECTED) or set the guest's pc itself.
 */
static inline void kvm_vcpu_sbi_ret_redirected(struct kvm_vcpu_sbi_return *ret)
{
	ret->outcome = KVM_SBI_REDIRECTED;
}

/**
 * kvm_vcpu_sbi_in_fastpath() - is this fast function running in the fast path?
 *
 * The fast path calls a fast function with interrupts off, inside the world
 * switch; the normal path always calls it with interrupts on (exit
 * handling). A fast function whose work could grow with the guest's
 * arguments uses this to keep the fast path's work bounded, answering
 * kvm_vcpu_sbi_normal_path() there.
 *
 * Return: true in the fast path.
 */
static inline bool kvm_vcpu_sbi_in_fastpath(void)
{
	return irqs_disabled();
}

/**
 * kvm_vcpu_sbi_normal_path() - not in the fast path: take the normal path
 * @ret: the result
 *
 * Only in the fast path (kvm_vcpu_sbi_in_fastpath()), before the function
 * changed anything: the call is then made again on the normal path.
 */
static inline void kvm_vcpu_sbi_normal_path(struct kvm_vcpu_sbi_return *ret)
{
	ret->outcome = KVM_SBI_NORMAL_PATH;
}

/**
 * kvm_vcpu_sbi_arg_u64() - a uint64_t argument
 * @call: the call
 * @idx: index of its (low) register
 *
 * The SBI calling convention passes a uint64_t in one register on RV64 and
 * in the pair (args[idx], args[idx + 1]), low half first, on RV32.
 *
 * Return: the 64-bit value.
 */
static inline u64 kvm_vcpu_sbi_arg_u64(const struct kvm_vcpu_sbi_call *call,
				       unsigned int idx)
{
	if (IS_ENABLED(CONFIG_32BIT))
		return ((u64)call->args[idx + 1] << 32) | (u32)call->args[idx];
	return call->args[idx];
}

/**
 * kvm_vcpu_sbi_arg_pa() - a guest physical address passed as (lo, hi)
 * @call: the call
 * @idx: index of the lo register; hi is the next one
 * @gpa: where to store the address
 *
 * Return: false if the address cannot be a guest physical address: on RV64
 * hi must be 0 (lo holds all of it); on RV32 hi holds bits 63:32.
 */
static inline bool kvm_vcpu_sbi_arg_pa(const struct kvm_vcpu_sbi_call *call,
				       unsigned int idx, gpa_t *gpa)
{
	unsigned long lo = call->args[idx], hi = call->args[idx + 1];

	if (IS_ENABLED(CONFIG_64BIT)) {
		*gpa = lo;
		return !hi;
	}
	*gpa = ((u64)hi << 32) | lo;
	return true;
}

/*
 * Framework services for extensions, documented (kernel-doc) where they
 * are defined (sbi_dispatch.c, sbi_registry.c, sbi_hart.c), or below if
 * inline.
 * An extension may also call another extension's fns[] entry directly (the
 * legacy calls reuse the IPI and RFENCE functions that replaced them); such
 * a call bypasses that extension's enable state.
 */

struct kvm_vcpu *kvm_riscv_vcpu_sbi_hart(struct kvm_vcpu *vcpu,
					 unsigned long hartid);

void kvm_riscv_vcpu_sbi_enter_at(struct kvm_vcpu *vcpu, unsigned long addr,
				 unsigned long opaque);
void kvm_riscv_vcpu_sbi_system_event(struct kvm_vcpu *vcpu,
				     struct kvm_vcpu_sbi_return *ret,
				     u32 type, u64 reason);
const struct kvm_vcpu_sbi_extension *
kvm_riscv_vcpu_sbi_find_ext(struct kvm_vcpu *vcpu, unsigned long eid);

/**
 * kvm_riscv_vcpu_sbi_hart_mask_valid() - does an SBI hart mask name vCPUs only?
 * @vcpu: the calling vCPU
 * @hmask: hart_mask
 * @hbase: hart_mask_base; -1 selects all harts
 *
 * Context: any; does not sleep or take locks (the SBI fast path calls it).
 * Return: true if @hbase is -1 or every hart selected by @hmask is a vCPU.
 */
static inline bool kvm_riscv_vcpu_sbi_hart_mask_valid(struct kvm_vcpu *vcpu,
						      unsigned long hmask,
						      unsigned long hbase)
{
	unsigned long hartid;

	if (hbase == -1UL)
		return true;
	/*
	 * Bit by bit rather than for_each_set_bit(): without Zbb, __ffs() is
	 * a search whose constants the compiler keeps in saved registers,
	 * and guests name few harts, from the bottom of the mask.
	 */
	for (hartid = hbase; hmask; hmask >>= 1, hartid++) {
		if (!(hmask & 1))
			continue;
		/* A hart ID past the top of the address space is no vCPU. */
		if (hartid < hbase || !kvm_riscv_vcpu_sbi_hart(vcpu, hartid))
			return false;
	}
	return true;
}

/* The guest-memory helper, documented (kernel-doc) in vcpu_guest_mem.c. */

/* A fault was redirected into the guest; the caller must not advance sepc. */
#define KVM_GUEST_MEM_REDIRECTED	1

int kvm_riscv_vcpu_read_guest_va(struct kvm_vcpu *vcpu, unsigned long gva,
				 void *buf, unsigned int len);
int kvm_riscv_vcpu_fetch_guest_insn(struct kvm_vcpu *vcpu, unsigned long gva,
				    unsigned long *insn);
int kvm_riscv_vcpu_guest_pa_check(struct kvm_vcpu *vcpu, gpa_t gpa,
				  unsigned long len, unsigned long align,
				  bool write);
int kvm_riscv_vcpu_read_guest_pa(struct kvm_vcpu *vcpu, gpa_t gpa,
				 void *buf, unsigned long len);
int kvm_riscv_vcpu_write_guest_pa(struct kvm_vcpu *vcpu, gpa_t gpa,
				  const void *buf, unsigned long len);

/*
 * Entry points for the rest of KVM: sbi_registry.c (the registry, the
 * per-vCPU hooks), sbi_hart.c (the VM), sbi_dispatch.c (ecall, forwarded
 * answer), sbi_onereg.c (ONE_REG).
 */

int kvm_riscv_sbi_registry_init(void);
void kvm_riscv_vcpu_sbi_init(struct kvm_vcpu *vcpu);
void kvm_riscv_vcpu_sbi_deinit(struct kvm_vcpu *vcpu);
int kvm_riscv_sbi_init_vm(struct kvm *kvm);
void kvm_riscv_vcpu_sbi_postcreate(struct kvm_vcpu *vcpu);
void kvm_riscv_sbi_destroy_vm(struct kvm *kvm);
void kvm_riscv_vcpu_sbi_reset(struct kvm_vcpu *vcpu);
void kvm_riscv_vcpu_sbi_load(struct kvm_vcpu *vcpu, int cpu);
void kvm_riscv_vcpu_sbi_put(struct kvm_vcpu *vcpu);
int kvm_riscv_vcpu_sbi_ecall(struct kvm_vcpu *vcpu, struct kvm_run *run);
int kvm_riscv_vcpu_sbi_return(struct kvm_vcpu *vcpu, struct kvm_run *run);
bool kvm_riscv_vcpu_sbi_ext_available(struct kvm_vcpu *vcpu, int onereg_idx);
bool kvm_riscv_vcpu_sbi_ext_enabled(struct kvm_vcpu *vcpu, int onereg_idx);
int kvm_riscv_vcpu_set_reg_sbi_ext(struct kvm_vcpu *vcpu,
				   const struct kvm_one_reg *reg);
int kvm_riscv_vcpu_get_reg_sbi_ext(struct kvm_vcpu *vcpu,
				   const struct kvm_one_reg *reg);
int kvm_riscv_vcpu_set_reg_sbi(struct kvm_vcpu *vcpu,
			       const struct kvm_one_reg *reg);
int kvm_riscv_vcpu_get_reg_sbi(struct kvm_vcpu *vcpu,
			       const struct kvm_one_reg *reg);
int kvm_riscv_vcpu_sbi_copy_state_reg_indices(struct kvm_vcpu *vcpu,
					      u64 __user *uindices);

/* FWFT (vcpu_sbi_fwft.c), for kvm_riscv_vcpu_setup_config(). */

unsigned long kvm_riscv_vcpu_sbi_fwft_hedeleg(struct kvm_vcpu *vcpu);

/* SSE (vcpu_sbi_sse.c), for the run loop and the VM's lifecycle. */

int kvm_riscv_sbi_sse_init_vm(struct kvm *kvm);
void kvm_riscv_sbi_sse_destroy_vm(struct kvm *kvm);
void kvm_riscv_vcpu_sbi_sse_deliver(struct kvm_vcpu *vcpu);
int kvm_riscv_sbi_sse_vm_inject(struct kvm *kvm, void __user *uaddr);

/* The SBI fast path (sbi_fastpath.c), called from the world switch. */

/**
 * enum kvm_sbi_fastpath - what the fast path did with a guest exit
 * @KVM_SBI_FAST_NONE: nothing; the normal exit path handles it
 * @KVM_SBI_FAST_REENTER: answered; enter the guest again at once
 * @KVM_SBI_FAST_HANDLED: answered, but the vCPU has other work: leave the
 *	switch and go round the run loop without handling the exit again
 */
enum kvm_sbi_fastpath {
	KVM_SBI_FAST_NONE,
	KVM_SBI_FAST_REENTER,
	KVM_SBI_FAST_HANDLED,
};

enum kvm_sbi_fastpath kvm_riscv_vcpu_sbi_fastpath(struct kvm_vcpu *vcpu);

/* The per-VM SBI call policy (sbi_policy.c). */

struct kvm_riscv_sbi_policy_map;

u8 kvm_riscv_sbi_policy_action(struct kvm *kvm, int slot, unsigned long eid,
			       unsigned long fid);
u8 kvm_riscv_sbi_policy_probe(struct kvm *kvm, unsigned long eid);
int kvm_riscv_sbi_policy_vm_ioctl(struct kvm *kvm, unsigned int ioctl,
				  unsigned long arg);
int kvm_riscv_sbi_policy_max_entries(void);
void kvm_riscv_sbi_policy_init_vm(struct kvm *kvm);
void kvm_riscv_vcpu_sbi_policy_freeze(struct kvm_vcpu *vcpu);
void kvm_riscv_sbi_policy_destroy(struct kvm *kvm);

/* The console ring (sbi_console.c). */

struct kvm_riscv_sbi_console;

void kvm_riscv_sbi_console_take(struct kvm_vcpu *vcpu,
				const struct kvm_vcpu_sbi_call *call,
				struct kvm_vcpu_sbi_return *ret);
int kvm_riscv_sbi_console_max_size(void);
void kvm_riscv_sbi_console_destroy_vm(struct kvm *kvm);

#endif /* __RISCV_KVM_VCPU_SBI_H__ */
