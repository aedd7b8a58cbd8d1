/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of the RISC-V KVM SBI framework: one per SBI call a guest
 * makes, on the normal path and in the fast path alike, and one when
 * userspace's answer to a forwarded call is applied. Created in
 * sbi_dispatch.c. See Documentation/virt/kvm/riscv/sbi.rst, "Tracing and
 * statistics".
 */
#if !defined(_TRACE_KVM_SBI_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KVM_SBI_H

#include <linux/tracepoint.h>
#include <asm/kvm_sbi_policy.h>
#include <asm/kvm_vcpu_sbi.h>

#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvm

TRACE_EVENT(kvm_sbi_call,
	    TP_PROTO(struct kvm_vcpu *vcpu,
		     const struct kvm_vcpu_sbi_call *call, u8 action,
		     u8 outcome, long err, unsigned long value, bool fast),
	    TP_ARGS(vcpu, call, action, outcome, err, value, fast),
	    TP_STRUCT__entry(__field(unsigned int, vcpu_id)
			     __field(unsigned long, eid)
			     __field(unsigned long, fid)
			     __field(u8, action)
			     __field(u8, outcome)
			     __field(bool, fast)
			     __field(long, err)
			     __field(unsigned long, value)),
	    TP_fast_assign(__entry->vcpu_id = vcpu->vcpu_id;
			   __entry->eid = call->eid;
			   __entry->fid = call->fid;
			   __entry->action = action;
			   __entry->outcome = outcome;
			   __entry->fast = fast;
			   __entry->err = err;
			   __entry->value = value;),
	    TP_printk("vcpu %u eid 0x%lx fid %lu action %s outcome %s err %ld value 0x%lx fast %d",
		      __entry->vcpu_id, __entry->eid, __entry->fid,
		      __print_symbolic(__entry->action,
				       { KVM_RISCV_SBI_POLICY_HANDLE, "handle" },
				       { KVM_RISCV_SBI_POLICY_FORWARD, "forward" },
				       { KVM_RISCV_SBI_POLICY_DENY, "deny" }),
		      __print_symbolic(__entry->outcome,
				       { KVM_SBI_CALL_RETURNED, "returned" },
				       { KVM_SBI_CALL_FORWARDED, "forwarded" },
				       { KVM_SBI_CALL_DENIED, "denied" },
				       { KVM_SBI_CALL_NOT_SUPPORTED, "not_supported" },
				       { KVM_SBI_CALL_REDIRECTED, "redirected" },
				       { KVM_SBI_CALL_SYSTEM_EVENT, "system_event" },
				       { KVM_SBI_CALL_FAILED, "failed" }),
		      __entry->err, __entry->value, __entry->fast)
);

TRACE_EVENT(kvm_sbi_forward_done,
	    TP_PROTO(struct kvm_vcpu *vcpu,
		     const struct kvm_vcpu_sbi_call *call, long err,
		     unsigned long value, bool applied),
	    TP_ARGS(vcpu, call, err, value, applied),
	    TP_STRUCT__entry(__field(unsigned int, vcpu_id)
			     __field(unsigned long, eid)
			     __field(unsigned long, fid)
			     __field(long, err)
			     __field(unsigned long, value)
			     __field(bool, applied)),
	    TP_fast_assign(__entry->vcpu_id = vcpu->vcpu_id;
			   __entry->eid = call->eid;
			   __entry->fid = call->fid;
			   __entry->err = err;
			   __entry->value = value;
			   __entry->applied = applied;),
	    TP_printk("vcpu %u eid 0x%lx fid %lu err %ld value 0x%lx applied %d",
		      __entry->vcpu_id, __entry->eid, __entry->fid,
		      __entry->err, __entry->value, __entry->applied)
);

#endif /* _TRACE_KVM_SBI_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace_sbi

/* This part must be outside protection */
#include <trace/define_trace.h>
