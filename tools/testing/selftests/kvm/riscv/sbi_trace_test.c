// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_trace_test - the SBI framework's tracepoints and binary stats.
 *
 * With kvm:kvm_sbi_call and kvm:kvm_sbi_forward_done enabled in tracefs,
 * a guest makes one call of each outcome: a fast one (BASE
 * get_spec_version, with kvm.sbi_fastpath=Y), one on the normal path
 * (BASE probe_extension of an unknown EID is fast too, so SRST with a bad
 * type: INVALID_PARAM), one nobody serves (NOT_SUPPORTED), one the VM's
 * policy denies (PMU num_counters), one forwarded to the VMM (a vendor
 * EID, answered 0/0x1234) and one whose answer the VMM drops. The records
 * name the vCPU, EID, FID, action, outcome, error, value and path of each
 * call and the answer applied to each forwarded one, and the vCPU's stats
 * count each call under its extension and outcome.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi.h"
#include "sbi_test.h"
#include "ucall_common.h"

#include <asm/kvm_sbi_policy.h>

#define TRACE_DIR		"/sys/kernel/tracing/"
#define PARAM_FAST		"/sys/module/kvm/parameters/sbi_fastpath"
#define UNKNOWN_EID		0x0abcdef0UL
#define SRST_RESET		0
#define PMU_NUM_COUNTERS	0

/* A step for each outcome, in the order the guest makes them. */
static const struct call {
	unsigned long eid, fid, arg0;
	long err;
	const char *record;	/* what its kvm_sbi_call record says */
} calls[] = {
	{ SBI_EXT_BASE, SBI_EXT_BASE_GET_SPEC_VERSION, 0, 0,
	  "eid 0x10 fid 0 action handle outcome returned err 0 value 0x3000000 fast 1" },
	{ SBI_EXT_SRST, SRST_RESET, 0x1234, SBI_ERR_INVALID_PARAM,
	  "eid 0x53525354 fid 0 action handle outcome returned err -3 value 0x0 fast 0" },
	{ UNKNOWN_EID, 7, 0, SBI_ERR_NOT_SUPPORTED,
	  "eid 0xabcdef0 fid 7 action handle outcome not_supported err -2 value 0x0 fast 0" },
	{ SBI_EXT_PMU, PMU_NUM_COUNTERS, 0, SBI_ERR_NOT_SUPPORTED,
	  "eid 0x504d55 fid 0 action deny outcome denied err -2 value 0x0 fast 0" },
	{ SBI_EXT_VENDOR_START + 1, 2, 0, 0,
	  "eid 0x9000001 fid 2 action handle outcome forwarded err 0 value 0x0 fast 0" },
	{ SBI_EXT_VENDOR_START + 1, 3, 0, 0,
	  "eid 0x9000001 fid 3 action handle outcome forwarded err 0 value 0x0 fast 0" },
};

#define NR_CALLS		ARRAY_SIZE(calls)
#define FORWARDED_ANSWERED	4	/* answered 0/0x1234 */
#define FORWARDED_DROPPED	5	/* dropped: the guest makes it again */

static void guest_main(void)
{
	struct sbiret r;
	unsigned int i;

	for (i = 0; i < NR_CALLS; i++) {
		r = sbi_ecall(calls[i].eid, calls[i].fid, calls[i].arg0, 0, 0, 0, 0, 0);
		__GUEST_ASSERT(r.error == calls[i].err, "call %u: error %ld, want %ld",
			       i, r.error, calls[i].err);
		if (i == FORWARDED_ANSWERED)
			__GUEST_ASSERT(r.value == 0x1234, "forwarded value %#lx", r.value);
	}
	GUEST_DONE();
}

static void write_file(const char *file, const char *val)
{
	int fd = open(file, O_WRONLY | O_TRUNC);

	TEST_ASSERT(fd >= 0, "open %s: %s", file, strerror(errno));
	TEST_ASSERT(write(fd, val, strlen(val)) == (ssize_t)strlen(val) || !*val,
		    "write %s: %s", file, strerror(errno));
	close(fd);
}

static void trace_events(const char *on)
{
	write_file(TRACE_DIR "events/kvm/kvm_sbi_call/enable", on);
	write_file(TRACE_DIR "events/kvm/kvm_sbi_forward_done/enable", on);
}

static bool fastpath_on(void)
{
	char c = 'N';
	int fd = open(PARAM_FAST, O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 'N';
		close(fd);
	}
	return c == 'Y';
}

/* Does the trace hold @what in a record of @event by vCPU 0? */
static bool trace_has(const char *event, const char *what)
{
	char line[512], want[256];
	bool found = false;
	FILE *f = fopen(TRACE_DIR "trace", "r");

	TEST_ASSERT(f, "open " TRACE_DIR "trace");
	snprintf(want, sizeof(want), "%s: vcpu 0 %s", event, what);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want);
	fclose(f);
	return found;
}

int main(void)
{
	struct kvm_riscv_sbi_policy_entry deny = {
		.eid_base = SBI_EXT_PMU, .eid_count = 1, .action = KVM_RISCV_SBI_POLICY_DENY,
	};
	struct kvm_riscv_sbi_policy policy = {
		.nr_entries = 1, .entries = (uintptr_t)&deny,
	};
	struct kvm_device_attr attr = {
		.group = KVM_RISCV_VM_ATTR_SBI_POLICY,
		.attr = KVM_RISCV_VM_SBI_POLICY_ADD,
		.addr = (uintptr_t)&policy,
	};
	static const struct { const char *name; uint64_t want; } stats[] = {
		{ "sbi_calls_base", 1 }, { "sbi_calls_srst", 1 },
		{ "sbi_calls_unknown", 1 }, { "sbi_calls_pmu", 1 },
		{ "sbi_calls_vendor", 3 }, { "sbi_fast", 1 }, { "sbi_denied", 1 },
		{ "sbi_returned", 1 },
		{ "sbi_not_supported", 1 }, { "sbi_redirected", 0 },
		{ "sbi_system_event", 0 }, { "sbi_failed", 0 },
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned int i, forwards = 0;
	int fd, bad = 0;

	ksft_print_header();
	ksft_set_plan(3);
	if (access(TRACE_DIR "events/kvm/kvm_sbi_call/enable", W_OK))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (access(TRACE_DIR "events/kvm/kvm_sbi_call/enable", W_OK))
		ksft_exit_skip("no kvm_sbi_call trace event at " TRACE_DIR "\n");
	if (!fastpath_on())
		ksft_exit_skip("kvm.sbi_fastpath is not Y\n");

	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	TEST_ASSERT(!ioctl(vm->fd, KVM_SET_DEVICE_ATTR, &attr), "policy: %s",
		    strerror(errno));
	write_file(TRACE_DIR "tracing_on", "0");
	write_file(TRACE_DIR "trace", "");
	trace_events("1");
	write_file(TRACE_DIR "tracing_on", "1");

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == KVM_EXIT_RISCV_SBI &&
		    vcpu->run->riscv_sbi.extension_id == SBI_EXT_VENDOR_START + 1) {
			/* The first try of the second call: dropped, made again. */
			if (vcpu->run->riscv_sbi.function_id == 3 && !forwards++)
				vcpu->run->exit_reason = KVM_EXIT_UNKNOWN;
			vcpu->run->riscv_sbi.ret[0] = 0;
			vcpu->run->riscv_sbi.ret[1] = 0x1234;
			continue;
		}
		if (get_ucall(vcpu, &uc) == UCALL_DONE)
			break;
		sbi_test_report_exit(vcpu);
	}
	write_file(TRACE_DIR "tracing_on", "0");
	trace_events("0");

	for (i = 0; i < NR_CALLS; i++) {
		if (trace_has("kvm_sbi_call", calls[i].record))
			continue;
		ksft_print_msg("no record: kvm_sbi_call: vcpu 0 %s\n", calls[i].record);
		bad++;
	}
	ksft_test_result(!bad, "kvm_sbi_call: one record per call, with its outcome\n");

	bad = !trace_has("kvm_sbi_forward_done",
			 "eid 0x9000001 fid 2 err 0 value 0x1234 applied 1") ||
	      !trace_has("kvm_sbi_forward_done",
			 "eid 0x9000001 fid 3 err 0 value 0x1234 applied 0") ||
	      !trace_has("kvm_sbi_forward_done",
			 "eid 0x9000001 fid 3 err 0 value 0x1234 applied 1");
	ksft_test_result(!bad, "kvm_sbi_forward_done: the answer applied, or dropped\n");

	fd = vcpu_get_stats_fd(vcpu);
	bad = 0;
	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		uint64_t v = sbi_test_stat(fd, stats[i].name);

		if (v != stats[i].want) {
			ksft_print_msg("%s = %lu, want %lu\n", stats[i].name, v, stats[i].want);
			bad++;
		}
	}
	/* The forwarded: three vendor tries and the ucall (experimental). */
	if (sbi_test_stat(fd, "sbi_forwarded") !=
	    3 + sbi_test_stat(fd, "sbi_calls_experimental")) {
		ksft_print_msg("sbi_forwarded = %lu\n", sbi_test_stat(fd, "sbi_forwarded"));
		bad++;
	}
	close(fd);
	ksft_test_result(!bad, "stats: calls by extension and outcome\n");
	kvm_vm_free(vm);
	ksft_finished();
}
