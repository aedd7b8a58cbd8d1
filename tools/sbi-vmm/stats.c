// SPDX-License-Identifier: GPL-2.0
/*
 * --stats: what the guest asked of SBI, from KVM's per-vCPU binary stats
 * (KVM_GET_STATS_FD). Each vCPU's stats file is opened when the vCPU is
 * created; when the guest has stopped, the SBI counters of all vCPUs are
 * summed and printed as one table: calls per extension (the sbi_calls_*
 * stats) and calls per outcome, with the guest-memory faults KVM handled
 * while reading guest memory for them. A kernel without these stats gets
 * a one-line note instead.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "sbi.h"
#include "vmm.h"

#define CALLS_PREFIX	"sbi_calls_"
#define MAX_EXTS	32
#define NAME_SIZE	48	/* KVM_STATS_NAME_SIZE, not in the uapi */

/* The outcome counters, in the order the table shows them. */
static const struct {
	const char *stat;
	const char *label;
} outcomes[] = {
	{ "sbi_fast",			"answered in the fast path" },
	{ "sbi_returned",		"answered on the normal path" },
	{ "sbi_forwarded",		"forwarded to the VMM" },
	{ "sbi_denied",			"denied by the SBI policy" },
	{ "sbi_not_supported",		"not supported by KVM" },
	{ "sbi_redirected",		"trap redirected to the guest" },
	{ "sbi_system_event",		"system event (reset, shutdown)" },
	{ "sbi_failed",			"failed KVM_RUN" },
	{ "guest_mem_faults_resolved",	"guest-memory faults resolved" },
	{ "guest_mem_faults_redirected", "guest-memory faults redirected" },
};

#define NR_OUTCOMES	ARRAY_SIZE(outcomes)

struct sbi_totals {
	char ext[MAX_EXTS][NAME_SIZE];
	uint64_t calls[MAX_EXTS];
	unsigned int nr_exts;
	uint64_t outcome[NR_OUTCOMES];
	bool found;
};

/**
 * stats__open() - open a vCPU's binary stats, for --stats
 * @vcpu:	the vCPU, just created
 *
 * Return: 0, or -1 after saying why (the VMM then stops: --stats was
 * asked for and cannot be given).
 */
int stats__open(struct vcpu *vcpu)
{
	vcpu->stats_fd = ioctl(vcpu->fd, KVM_GET_STATS_FD, NULL);
	if (vcpu->stats_fd < 0)
		return pr_errno("--stats: KVM_GET_STATS_FD of vCPU %u", vcpu->id);
	return 0;
}

static void add_ext(struct sbi_totals *t, const char *name, uint64_t val)
{
	unsigned int i;

	for (i = 0; i < t->nr_exts; i++) {
		if (!strcmp(t->ext[i], name)) {
			t->calls[i] += val;
			return;
		}
	}
	if (t->nr_exts == MAX_EXTS)
		return;
	snprintf(t->ext[t->nr_exts], sizeof(t->ext[0]), "%s", name);
	t->calls[t->nr_exts++] = val;
}

/* Add one vCPU's SBI counters to @t; -1 if its stats cannot be read. */
static int add_vcpu(struct sbi_totals *t, int fd)
{
	struct kvm_stats_header h;
	size_t desc_size;
	char *descs;
	uint32_t i;
	unsigned int k;

	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		return -1;
	desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, desc_size);
	if (!descs)
		return -1;
	if (pread(fd, descs, h.num_desc * desc_size, h.desc_offset) !=
	    (ssize_t)(h.num_desc * desc_size)) {
		free(descs);
		return -1;
	}
	for (i = 0; i < h.num_desc; i++) {
		const struct kvm_stats_desc *d =
			(const void *)(descs + i * desc_size);
		uint64_t val;

		if (d->size != 1 ||
		    pread(fd, &val, sizeof(val), h.data_offset + d->offset) !=
		    sizeof(val))
			continue;
		if (!strncmp(d->name, CALLS_PREFIX, strlen(CALLS_PREFIX))) {
			add_ext(t, d->name + strlen(CALLS_PREFIX), val);
			t->found = true;
			continue;
		}
		for (k = 0; k < NR_OUTCOMES; k++)
			if (!strcmp(d->name, outcomes[k].stat))
				t->outcome[k] += val;
	}
	free(descs);
	return 0;
}

/**
 * stats__print() - print the guest's SBI calls, summed over its vCPUs
 * @vm:		the VM, whose guest has stopped
 *
 * To standard error, as the VMM's other messages: one line per extension
 * the guest called, the total, then one line per outcome.
 */
void stats__print(const struct vm *vm)
{
	struct sbi_totals t = { .found = false };
	uint64_t total = 0, ring_calls, ring_full, ring_reads;
	unsigned int i;

	sbi__print_answered();
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (add_vcpu(&t, vm->vcpus[i].stats_fd)) {
			pr_err("--stats: cannot read vCPU %u's stats: %s", i,
			       strerror(errno));
			return;
		}
	}
	if (!t.found) {
		pr_info("--stats: this kernel has no SBI call stats (sbi_calls_*)");
		return;
	}
	pr_info("SBI calls of the guest (%u vCPU%s), by extension:",
		vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s");
	for (i = 0; i < t.nr_exts; i++) {
		total += t.calls[i];
		if (t.calls[i])
			pr_info("  %-14s %12llu", t.ext[i],
				(unsigned long long)t.calls[i]);
	}
	pr_info("  %-14s %12llu", "total", (unsigned long long)total);
	pr_info("by outcome:");
	for (i = 0; i < NR_OUTCOMES; i++)
		pr_info("  %-32s %12llu", outcomes[i].label,
			(unsigned long long)t.outcome[i]);
	if (console_ring__stats(&ring_calls, &ring_full, &ring_reads)) {
		pr_info("console ring:");
		pr_info("  %-32s %12llu", "writes answered from the ring",
			(unsigned long long)ring_calls);
		pr_info("  %-32s %12llu", "forwarded: the ring was full",
			(unsigned long long)ring_full);
		pr_info("  %-32s %12llu", "reads answered: no input",
			(unsigned long long)ring_reads);
	}
}
