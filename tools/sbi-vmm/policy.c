// SPDX-License-Identifier: GPL-2.0
/*
 * --sbi-policy: which SBI calls KVM forwards to this VMM, denies, or
 * handles, installed on the VM with one KVM_SET_DEVICE_ATTR before any
 * vCPU runs (Documentation/virt/kvm/riscv/sbi.rst, "The SBI call policy").
 *
 *   --sbi-policy ACTION:EIDS[/FIDS]
 *
 * ACTION is forward, deny or handle; EIDS a name below, a number or a
 * range FIRST-LAST (numbers in C notation: 0x09000000); FIDS the same,
 * for one EID only. Examples: forward:vendor, forward:dbcn, deny:pmu,
 * forward:susp, deny:0x09000001/2-3.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "sbi.h"

static const struct {
	const char *name;
	uint32_t first, last;
} policy_names[] = {
	{ "legacy-console",	0x01,		0x02 },
	{ "legacy-shutdown",	0x08,		0x08 },
	{ "base",		0x10,		0x10 },
	{ "time",		0x54494d45,	0x54494d45 },
	{ "ipi",		0x735049,	0x735049 },
	{ "rfence",		0x52464e43,	0x52464e43 },
	{ "hsm",		0x48534d,	0x48534d },
	{ "srst",		0x53525354,	0x53525354 },
	{ "pmu",		0x504d55,	0x504d55 },
	{ "dbcn",		0x4442434e,	0x4442434e },
	{ "susp",		0x53555350,	0x53555350 },
	{ "cppc",		0x43505043,	0x43505043 },
	{ "sta",		0x535441,	0x535441 },
	{ "mpxy",		0x4d505859,	0x4d505859 },
	{ "experimental",	0x08000000,	0x08ffffff },
	{ "vendor",		0x09000000,	0x09ffffff },
	{ "firmware",		0x0a000000,	0x0affffff },
};

static const char *const policy_actions[] = {
	[KVM_RISCV_SBI_POLICY_HANDLE]	= "handle",
	[KVM_RISCV_SBI_POLICY_FORWARD]	= "forward",
	[KVM_RISCV_SBI_POLICY_DENY]	= "deny",
};

/* "N" or "FIRST-LAST", 32-bit numbers; returns 0 or -1. */
static int parse_range(const char *s, uint32_t *first, uint32_t *last)
{
	unsigned long long a, b;
	char *end;

	errno = 0;
	a = strtoull(s, &end, 0);
	if (end == s || errno || a > UINT32_MAX)
		return -1;
	b = a;
	if (*end == '-') {
		s = end + 1;
		b = strtoull(s, &end, 0);
		if (end == s || errno || b > UINT32_MAX || b < a)
			return -1;
	}
	*first = a;
	*last = b;
	return *end ? -1 : 0;
}

static int parse_eids(const char *s, uint32_t *first, uint32_t *last)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(policy_names); i++) {
		if (!strcmp(s, policy_names[i].name)) {
			*first = policy_names[i].first;
			*last = policy_names[i].last;
			return 0;
		}
	}
	return parse_range(s, first, last);
}

/**
 * policy__parse() - add one --sbi-policy entry to the configuration
 * @arg:	ACTION:EIDS[/FIDS]
 * @cfg:	the configuration
 *
 * Return: 0, or -1 after saying what is wrong with @arg.
 */
int policy__parse(const char *arg, struct vmm_config *cfg)
{
	struct kvm_riscv_sbi_policy_entry e = { 0 };
	char buf[128], *eids, *fids;
	uint32_t first, last;
	size_t i;

	if (cfg->nr_policy == MAX_POLICY_ENTRIES) {
		pr_err("--sbi-policy: at most %d entries", MAX_POLICY_ENTRIES);
		return -1;
	}
	if (strlen(arg) >= sizeof(buf) || !strchr(arg, ':'))
		goto bad;
	memcpy(buf, arg, strlen(arg) + 1);	/* fits: checked above */
	eids = strchr(buf, ':');
	*eids++ = '\0';
	fids = strchr(eids, '/');
	if (fids)
		*fids++ = '\0';

	for (i = 0; i < ARRAY_SIZE(policy_actions); i++)
		if (!strcmp(buf, policy_actions[i]))
			break;
	if (i == ARRAY_SIZE(policy_actions) || parse_eids(eids, &first, &last))
		goto bad;
	e.action = i;
	e.eid_base = first;
	e.eid_count = last - first + 1;
	if (fids) {
		if (first != last || parse_range(fids, &first, &last))
			goto bad;
		e.fid_base = first;
		e.fid_count = last - first + 1;
	}
	if (!e.eid_count || (fids && !e.fid_count))
		goto bad;	/* 0-0xffffffff does not fit a count */
	cfg->policy[cfg->nr_policy++] = e;
	return 0;
bad:
	pr_err("--sbi-policy '%s': want forward|deny|handle:EIDS[/FIDS], EIDS a name (dbcn, pmu, susp, vendor, ...), N or FIRST-LAST; FIDS for one EID only",
	       arg);
	return -1;
}

/**
 * policy__install() - give KVM the VM's SBI policy
 * @vm:		the VM, before any vCPU has run
 *
 * Return: 0 (also with no entries), or -1 after naming the ioctl and errno.
 */
int policy__install(struct vm *vm)
{
	const struct vmm_config *cfg = vm->cfg;
	struct kvm_riscv_sbi_policy policy = {
		.nr_entries = cfg->nr_policy,
		.entries = (uintptr_t)cfg->policy,
	};
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_POLICY,
		.attr = KVM_RISCV_VM_SBI_POLICY_ADD,
		.addr = (uintptr_t)&policy,
	};

	if (!cfg->nr_policy)
		return 0;
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_RISCV_SBI_POLICY) <= 0) {
		pr_err("--sbi-policy: this kernel has no SBI call policy (KVM_CAP_RISCV_SBI_POLICY)");
		return -1;
	}
	if (ioctl(vm->fd, KVM_SET_DEVICE_ATTR, &attr))
		return pr_errno("KVM_SET_DEVICE_ATTR (SBI policy, %u entries)",
				cfg->nr_policy);
	pr_info("SBI policy: %u entries installed", cfg->nr_policy);
	return 0;
}
