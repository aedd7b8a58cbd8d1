/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SBI calls KVM forwards to userspace (KVM_EXIT_RISCV_SBI) and the
 * table of extensions that answer them.
 *
 * Each emulated extension is one file, sbi_<ext>.c, that ends in a const
 * struct sbi_ext and sbi_ext_register(). The registry keeps the extensions
 * sorted by EID range; an exit finds its extension by binary search, then
 * its function by FID. A call nobody implements is answered
 * SBI_ERR_NOT_SUPPORTED with one log line, and the guest runs on.
 */
#ifndef SBI_VMM_SBI_H
#define SBI_VMM_SBI_H

#include "sbi-spec.h"
#include "vmm.h"

/**
 * struct sbi_call - a forwarded call, as the guest made it
 * @eid:	extension ID (a7)
 * @fid:	function ID (a6; meaningless for legacy calls)
 * @args:	a0-a5
 */
struct sbi_call {
	unsigned long eid;
	unsigned long fid;
	unsigned long args[6];
};

/**
 * struct sbi_ret - the answer
 * @error:	a0: an SBI error code; for a legacy call, the a0 its function
 *		defines (getchar: the character or -1)
 * @value:	a1 (KVM does not write it back for legacy calls)
 *
 * The dispatcher presets @error to SBI_ERR_NOT_SUPPORTED.
 */
struct sbi_ret {
	long error;
	unsigned long value;
};

typedef void (*sbi_fn)(struct vcpu *vcpu, const struct sbi_call *call,
		       struct sbi_ret *ret);

/**
 * struct sbi_ext - an SBI extension the VMM emulates
 * @name:	short name, for messages
 * @eid_start:	first EID of its range
 * @eid_end:	last EID of its range (inclusive)
 * @fns:	its functions, indexed by FID; a hole is not supported
 * @nr_fns:	entries in @fns
 * @handler:	instead of @fns, for extensions whose functions are not
 *		selected by FID (legacy: one function per EID)
 * @vcpu_init:	optional; called for every vCPU before its first KVM_RUN,
 *		to ask KVM to forward the extension. Returns 0 or -1 after
 *		saying why; a failure is a warning, not fatal, since the
 *		guest then just does not see the extension.
 */
struct sbi_ext {
	const char *name;
	unsigned long eid_start;
	unsigned long eid_end;
	const sbi_fn *fns;
	unsigned long nr_fns;
	sbi_fn handler;
	int (*vcpu_init)(struct vcpu *vcpu);
};

void sbi__register(const struct sbi_ext *ext);
void sbi__print_answered(void);

/* Put in an extension's file, after its descriptor. */
#define sbi_ext_register(ext)						\
	static void __attribute__((constructor)) ext##_register(void)	\
	{								\
		sbi__register(&(ext));					\
	}

int sbi__vm_setup(struct vm *vm);
int sbi__vcpu_init(struct vcpu *vcpu);
void sbi__handle_exit(struct vcpu *vcpu);
bool sbi__is_emulated(unsigned long eid);

#endif /* SBI_VMM_SBI_H */
