// SPDX-License-Identifier: GPL-2.0
/*
 * The SBI registry and the dispatcher for KVM_EXIT_RISCV_SBI.
 *
 * Extensions register themselves (sbi_ext_register(), run as a constructor
 * before main) into a table kept sorted by EID range; registration refuses
 * empty and overlapping ranges and descriptors without a handler. An exit
 * finds its extension by binary search and its function by FID, so the
 * cost does not depend on how many extensions there are.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sbi.h"

#define MAX_SBI_EXTS		16
#define MAX_UNSUPPORTED_LOGS	32

static const struct sbi_ext *exts[MAX_SBI_EXTS];
static unsigned int nr_exts;
static const char *registry_error;
static unsigned int unsupported_logged;

static bool ext_is_valid(const struct sbi_ext *ext)
{
	return ext->eid_start <= ext->eid_end &&
	       (!ext->fns != !ext->handler) &&
	       (!ext->fns || ext->nr_fns);
}

static bool ranges_overlap(const struct sbi_ext *a, const struct sbi_ext *b)
{
	return a->eid_start <= b->eid_end && b->eid_start <= a->eid_end;
}

/**
 * sbi__register() - add an extension to the table
 * @ext:	its descriptor, which must stay valid (a static const)
 *
 * Context: constructors, before main(). A bad descriptor is a bug in the
 * VMM: it is remembered and sbi__vm_setup() fails with it.
 */
void sbi__register(const struct sbi_ext *ext)
{
	unsigned int i;

	if (nr_exts == MAX_SBI_EXTS || !ext_is_valid(ext)) {
		registry_error = ext->name;
		return;
	}
	for (i = nr_exts; i > 0 && exts[i - 1]->eid_start > ext->eid_start; i--)
		exts[i] = exts[i - 1];
	exts[i] = ext;
	nr_exts++;
	if ((i > 0 && ranges_overlap(exts[i - 1], ext)) ||
	    (i + 1 < nr_exts && ranges_overlap(exts[i + 1], ext)))
		registry_error = ext->name;
}

/* Forwarded calls answered, per extension (by registry slot); the last: none. */
static uint64_t answered[MAX_SBI_EXTS + 1];

/* The extension whose range holds @eid, or NULL. */
static const struct sbi_ext *find_ext(unsigned long eid)
{
	unsigned int lo = 0, hi = nr_exts, mid;

	/* The last extension starting at or below @eid is the candidate. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (exts[mid]->eid_start <= eid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || exts[lo - 1]->eid_end < eid)
		return NULL;
	return exts[lo - 1];
}

static sbi_fn find_fn(const struct sbi_ext *ext, unsigned long fid)
{
	if (ext->handler)
		return ext->handler;
	return fid < ext->nr_fns ? ext->fns[fid] : NULL;
}

/**
 * sbi__is_emulated() - does the VMM implement this extension?
 * @eid:	an extension ID
 *
 * Return: true if an extension registered here covers @eid.
 */
bool sbi__is_emulated(unsigned long eid)
{
	return !!find_ext(eid);
}

/**
 * sbi__vm_setup() - per-VM SBI setup, before any vCPU exists
 * @vm:		the VM
 *
 * Installs the --sbi-policy entries: the kernel refuses policy changes
 * after the first KVM_RUN.
 *
 * Return: 0, or -1 after saying why.
 */
int sbi__vm_setup(struct vm *vm)
{
	if (registry_error) {
		pr_err("SBI extension '%s' has a bad descriptor or overlaps another",
		       registry_error);
		return -1;
	}
	return policy__install(vm);
}

/**
 * sbi__vcpu_init() - let every extension prepare a new vCPU
 * @vcpu:	a vCPU that has not run yet
 *
 * Return: 0. An extension that cannot be enabled is reported and left out;
 * the guest then does not see it.
 */
int sbi__vcpu_init(struct vcpu *vcpu)
{
	unsigned int i;

	for (i = 0; i < nr_exts; i++) {
		if (exts[i]->vcpu_init)
			exts[i]->vcpu_init(vcpu);
	}
	return 0;
}

static void log_unsupported(struct vcpu *vcpu, const struct sbi_call *call)
{
	unsigned int n = __atomic_fetch_add(&unsupported_logged, 1,
					    __ATOMIC_RELAXED);

	if (n < MAX_UNSUPPORTED_LOGS)
		pr_info("vCPU %u: SBI call EID %#lx FID %#lx not supported, answered SBI_ERR_NOT_SUPPORTED",
			vcpu->id, call->eid, call->fid);
	else if (n == MAX_UNSUPPORTED_LOGS)
		pr_info("further unsupported SBI calls are answered but not logged");
}

/**
 * sbi__handle_exit() - answer a KVM_EXIT_RISCV_SBI
 * @vcpu:	the vCPU that exited
 *
 * KVM writes ret[0] to a0 and, for a non-legacy call, ret[1] to a1 on the
 * next KVM_RUN, and steps over the ecall. A call nobody implements gets
 * SBI_ERR_NOT_SUPPORTED (which KVM presets too) and one log line.
 */
void sbi__handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct sbi_call call = {
		.eid	= run->riscv_sbi.extension_id,
		.fid	= run->riscv_sbi.function_id,
	};
	struct sbi_ret ret = { .error = SBI_ERR_NOT_SUPPORTED };
	const struct sbi_ext *ext = find_ext(call.eid);
	sbi_fn fn = ext ? find_fn(ext, call.fid) : NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(call.args); i++)
		call.args[i] = run->riscv_sbi.args[i];
	for (i = 0; ext && exts[i] != ext; i++)
		;
	__atomic_fetch_add(&answered[ext ? i : MAX_SBI_EXTS], 1,
			   __ATOMIC_RELAXED);
	if (fn)
		fn(vcpu, &call, &ret);
	else
		log_unsupported(vcpu, &call);
	run->riscv_sbi.ret[0] = ret.error;
	run->riscv_sbi.ret[1] = ret.value;
}

/**
 * sbi__print_answered() - print the forwarded calls this VMM answered
 *
 * By extension, from the VMM's own counts: unlike KVM's stats, on any
 * kernel. For --stats.
 */
void sbi__print_answered(void)
{
	uint64_t n, total = 0;
	unsigned int i;
	char name[32];

	pr_info("SBI calls KVM forwarded to this VMM, by extension:");
	for (i = 0; i <= nr_exts; i++) {
		n = __atomic_load_n(&answered[i == nr_exts ? MAX_SBI_EXTS : i],
				    __ATOMIC_RELAXED);
		total += n;
		snprintf(name, sizeof(name), "vmm/%s",
			 i == nr_exts ? "unknown" : exts[i]->name);
		if (n)
			pr_info("  %-18s %12llu", name, (unsigned long long)n);
	}
	pr_info("  %-18s %12llu", "vmm/total", (unsigned long long)total);
}
