// SPDX-License-Identifier: GPL-2.0-only
/*
 * sbi_base_test - SBI v3.0 BASE extension and generic call handling.
 *
 * BASE: spec version 3.0, implementation ID 3 (KVM), implementation version
 * LINUX_VERSION_CODE of the running kernel, probe_extension against the
 * vCPU's KVM_REG_RISCV_SBI_EXT enable state, and the machine IDs against the
 * vCPU's KVM_REG_RISCV_CONFIG registers. Also: unknown EIDs and FIDs answer
 * SBI_ERR_NOT_SUPPORTED and preserve a2-a7, reserved legacy EIDs preserve a1,
 * and an extension disabled through ONE_REG is invisible to the guest.
 *
 * Each check group runs in its own process with its own VM, so one failing
 * group (or a hung vCPU) does not hide the result of the others.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "sbi_test.h"
#include "sbi.h"
#include "test_util.h"
#include "ucall_common.h"

#define SBI_BASE_GET_MVENDORID		4
#define SBI_BASE_GET_MARCHID		5
#define SBI_BASE_GET_MIMPID		6

#define SBI_SPEC_VERSION_3_0		0x03000000UL
#define SBI_IMPL_ID_KVM			3

#define LEGACY_SET_TIMER		0x00
#define LEGACY_CLEAR_IPI		0x03
#define LEGACY_SHUTDOWN			0x08

/* Register patterns the SBI implementation must leave alone. */
#define A1_MAGIC			0x5a5a1234c0ffee11UL
#define ARG_PATTERN(n)			(0xa5a50000f00d0000UL | (n) * 0x101UL)

/* Values the host part computes and hands to the guest. */
static unsigned long expected_impl_version;
static unsigned long expected_ids[3];	/* mvendorid, marchid, mimpid */

struct std_ext {
	const char *name;
	uint64_t idx;			/* KVM_RISCV_SBI_EXT_* */
	unsigned long eid_first;
	unsigned long eid_last;
};

/* Every extension KVM implements itself, with the EIDs it answers. */
static const struct std_ext std_exts[] = {
	{ "v01",	KVM_RISCV_SBI_EXT_V01,		0x00,		0x08 },
	{ "time",	KVM_RISCV_SBI_EXT_TIME,		SBI_EXT_TIME,	SBI_EXT_TIME },
	{ "ipi",	KVM_RISCV_SBI_EXT_IPI,		SBI_EXT_IPI,	SBI_EXT_IPI },
	{ "rfence",	KVM_RISCV_SBI_EXT_RFENCE,	SBI_EXT_RFENCE,	SBI_EXT_RFENCE },
	{ "srst",	KVM_RISCV_SBI_EXT_SRST,		SBI_EXT_SRST,	SBI_EXT_SRST },
	{ "hsm",	KVM_RISCV_SBI_EXT_HSM,		SBI_EXT_HSM,	SBI_EXT_HSM },
	{ "pmu",	KVM_RISCV_SBI_EXT_PMU,		SBI_EXT_PMU,	SBI_EXT_PMU },
	{ "dbcn",	KVM_RISCV_SBI_EXT_DBCN,		SBI_EXT_DBCN,	SBI_EXT_DBCN },
	{ "sta",	KVM_RISCV_SBI_EXT_STA,		SBI_EXT_STA,	SBI_EXT_STA },
	{ "susp",	KVM_RISCV_SBI_EXT_SUSP,		SBI_EXT_SUSP,	SBI_EXT_SUSP },
	{ "fwft",	KVM_RISCV_SBI_EXT_FWFT,		SBI_EXT_FWFT,	SBI_EXT_FWFT },
	{ "mpxy",	KVM_RISCV_SBI_EXT_MPXY,		SBI_EXT_MPXY,	SBI_EXT_MPXY },
};

static bool ext_enabled[ARRAY_SIZE(std_exts)];

/* EIDs no extension of KVM answers: probe_extension must say 0. */
static const unsigned long unknown_eids[] = {
	0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x11,
	SBI_EXT_CPPC, SBI_EXT_NACL,
	0x0a000003, 0x0abcdef0, 0x7fffffff, -1UL,
};

struct call_id {
	unsigned long eid;
	unsigned long fid;
};

/* Calls no extension of KVM implements: SBI_ERR_NOT_SUPPORTED. */
static const struct call_id unknown_calls[] = {
	{ 0x0abcdef0, 0 }, { 0x0abcdef0, 5 }, { 0x7fffffff, 0 }, { 0x11, 0 },
	{ SBI_EXT_BASE, 7 }, { SBI_EXT_BASE, 100 }, { SBI_EXT_BASE, -1UL },
	{ SBI_EXT_TIME, 1 }, { SBI_EXT_IPI, 1 }, { SBI_EXT_RFENCE, 7 },
	{ SBI_EXT_HSM, 4 }, { SBI_EXT_SRST, 1 }, { SBI_EXT_STA, 1 },
	{ SBI_EXT_SUSP, 0 }, { SBI_EXT_FWFT, 2 }, { SBI_EXT_SSE, 10 },
	{ SBI_EXT_MPXY, 0 }, { SBI_EXT_DBTR, 8 },
};

/* Fill a0-a7 for a call: distinct patterns in every argument register. */
static void ecall_setup(unsigned long r[8], unsigned long eid, unsigned long fid)
{
	int i;

	for (i = 0; i < 6; i++)
		r[i] = ARG_PATTERN(i);
	r[6] = fid;
	r[7] = eid;
}

/*
 * A legacy call: a1 holds A1_MAGIC and a6 a FID the legacy convention
 * ignores. Checks that only a0 changed and returns it.
 */
static long legacy_call(unsigned long eid, unsigned long arg0)
{
	unsigned long r[8];
	int i;

	ecall_setup(r, eid, 0x1234);
	r[0] = arg0;
	r[1] = A1_MAGIC;
	sbi_ecall_regs(r);

	__GUEST_ASSERT(r[1] == A1_MAGIC,
		       "legacy EID %#lx wrote a1: %#lx", eid, r[1]);
	for (i = 2; i < 6; i++)
		__GUEST_ASSERT(r[i] == ARG_PATTERN(i),
			       "legacy EID %#lx wrote a%d", eid, i);
	__GUEST_ASSERT(r[6] == 0x1234 && r[7] == eid,
		       "legacy EID %#lx wrote a6/a7", eid);
	return r[0];
}

static long probe(unsigned long eid)
{
	struct sbiret ret;

	ret = sbi_ecall(SBI_EXT_BASE, SBI_EXT_BASE_PROBE_EXT, eid, 0, 0, 0, 0, 0);
	__GUEST_ASSERT(ret.error == SBI_SUCCESS,
		       "probe_extension(%#lx) error %ld", eid, ret.error);
	return ret.value;
}

static struct sbiret base_call(unsigned long fid)
{
	return sbi_ecall(SBI_EXT_BASE, fid, 0, 0, 0, 0, 0, 0);
}

/* ---- guest code ---- */

static void (*guest_fn)(void);

static void guest_main(void)
{
	guest_fn();
	GUEST_DONE();
}

static void guest_spec_version(void)
{
	struct sbiret ret = base_call(SBI_EXT_BASE_GET_SPEC_VERSION);

	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
	GUEST_ASSERT_EQ(ret.value, SBI_SPEC_VERSION_3_0);
}

static void guest_impl_id(void)
{
	struct sbiret ret = base_call(SBI_EXT_BASE_GET_IMP_ID);

	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
	GUEST_ASSERT_EQ(ret.value, SBI_IMPL_ID_KVM);
}

static void guest_impl_version(void)
{
	struct sbiret ret = base_call(SBI_EXT_BASE_GET_IMP_VERSION);

	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
	GUEST_ASSERT_EQ(ret.value, expected_impl_version);
}

static void guest_machine_ids(void)
{
	static const unsigned long fids[] = {
		SBI_BASE_GET_MVENDORID, SBI_BASE_GET_MARCHID, SBI_BASE_GET_MIMPID,
	};
	struct sbiret ret;
	int i;

	for (i = 0; i < ARRAY_SIZE(fids); i++) {
		ret = base_call(fids[i]);
		GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);
		__GUEST_ASSERT(ret.value == expected_ids[i],
			       "BASE FID %lu: %#lx, vCPU config says %#lx",
			       fids[i], ret.value, expected_ids[i]);
	}
}

static void guest_probe(void)
{
	unsigned long eid;
	long val;
	int i;

	for (i = 0; i < ARRAY_SIZE(std_exts); i++) {
		for (eid = std_exts[i].eid_first; eid <= std_exts[i].eid_last; eid++) {
			val = probe(eid);
			__GUEST_ASSERT(!!val == ext_enabled[i],
				       "probe_extension(%#lx) [%s] = %ld but ONE_REG says %s",
				       eid, std_exts[i].name, val,
				       ext_enabled[i] ? "enabled" : "disabled");
		}
	}

	for (i = 0; i < ARRAY_SIZE(unknown_eids); i++) {
		val = probe(unknown_eids[i]);
		__GUEST_ASSERT(!val, "probe_extension(%#lx) of an unknown EID = %ld",
			       unknown_eids[i], val);
	}
}

static void guest_unknown_calls(void)
{
	unsigned long r[8];
	int i, j;

	for (i = 0; i < ARRAY_SIZE(unknown_calls); i++) {
		ecall_setup(r, unknown_calls[i].eid, unknown_calls[i].fid);
		sbi_ecall_regs(r);
		__GUEST_ASSERT((long)r[0] == SBI_ERR_NOT_SUPPORTED,
			       "EID %#lx FID %#lx: error %ld",
			       unknown_calls[i].eid, unknown_calls[i].fid, (long)r[0]);
		for (j = 2; j < 6; j++)
			__GUEST_ASSERT(r[j] == ARG_PATTERN(j),
				       "EID %#lx FID %#lx wrote a%d",
				       unknown_calls[i].eid, unknown_calls[i].fid, j);
		__GUEST_ASSERT(r[6] == unknown_calls[i].fid &&
			       r[7] == unknown_calls[i].eid,
			       "EID %#lx FID %#lx wrote a6/a7",
			       unknown_calls[i].eid, unknown_calls[i].fid);
	}
}

static void guest_legacy_reserved(void)
{
	unsigned long eid;
	long a0;

	/* 0x09-0x0F: legacy space without a function. */
	for (eid = 0x09; eid <= 0x0f; eid++) {
		a0 = legacy_call(eid, ARG_PATTERN(0));
		__GUEST_ASSERT(a0 == SBI_ERR_NOT_SUPPORTED,
			       "legacy EID %#lx: a0 = %ld", eid, a0);
	}

	/* Implemented legacy functions write a0 only, too. */
	GUEST_ASSERT_EQ(legacy_call(LEGACY_CLEAR_IPI, 0), 0);
	GUEST_ASSERT_EQ(legacy_call(LEGACY_SET_TIMER, -1UL), 0);
}

static void guest_disabled(void)
{
	struct sbiret ret;
	unsigned long eid;

	GUEST_ASSERT_EQ(probe(SBI_EXT_SRST), 0);
	GUEST_ASSERT_EQ(probe(SBI_EXT_IPI), 0);
	for (eid = 0; eid <= 0x08; eid++)
		__GUEST_ASSERT(!probe(eid), "probe_extension(%#lx) with V01 disabled", eid);

	/* Would be a system event exit if SRST still answered. */
	ret = sbi_ecall(SBI_EXT_SRST, 0, 0, 0, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(ret.error, SBI_ERR_NOT_SUPPORTED);
	ret = sbi_ecall(SBI_EXT_IPI, 0, 1, 0, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(ret.error, SBI_ERR_NOT_SUPPORTED);

	/* The extensions left enabled still answer. */
	GUEST_ASSERT(probe(SBI_EXT_TIME));
	ret = sbi_ecall(SBI_EXT_TIME, 0, -1UL, 0, 0, 0, 0, 0);
	GUEST_ASSERT_EQ(ret.error, SBI_SUCCESS);

	/* Legacy EIDs of a disabled V01 are unknown legacy calls. */
	GUEST_ASSERT_EQ(legacy_call(LEGACY_CLEAR_IPI, 0), SBI_ERR_NOT_SUPPORTED);
	GUEST_ASSERT_EQ(legacy_call(LEGACY_SHUTDOWN, 0), SBI_ERR_NOT_SUPPORTED);
}

/* ---- host side ---- */

static struct kvm_vm *vm_with_guest(void (*fn)(void), struct kvm_vcpu **vcpu)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_main);

	guest_fn = fn;
	sync_global_to_guest(vm, guest_fn);
	return vm;
}

static void run_to_done(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_DONE:
			return;
		case UCALL_SYNC:
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		default:
			TEST_FAIL("unexpected exit %s (SBI EID %#llx FID %#llx)",
				  exit_reason_str(run->exit_reason),
				  (unsigned long long)run->riscv_sbi.extension_id,
				  (unsigned long long)run->riscv_sbi.function_id);
		}
	}
}

static void run_guest(void (*fn)(void))
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(fn, &vcpu);

	run_to_done(vcpu);
	kvm_vm_free(vm);
}

static void test_spec_version(void)
{
	run_guest(guest_spec_version);
}

static void test_impl_id(void)
{
	run_guest(guest_impl_id);
}

static void test_impl_version(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_impl_version, &vcpu);

	expected_impl_version = sbi_test_linux_version_code();
	sync_global_to_guest(vm, expected_impl_version);
	run_to_done(vcpu);
	kvm_vm_free(vm);
}

static void machine_ids_vm(const unsigned long *set)
{
	const uint64_t id_regs[3] = {
		RISCV_CONFIG_REG(mvendorid),
		RISCV_CONFIG_REG(marchid),
		RISCV_CONFIG_REG(mimpid),
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_machine_ids, &vcpu);
	int i;

	for (i = 0; i < 3; i++) {
		if (set)
			vcpu_set_reg(vcpu, id_regs[i], set[i]);
		vcpu_get_reg(vcpu, id_regs[i], &expected_ids[i]);
		if (set)
			TEST_ASSERT(expected_ids[i] == set[i],
				    "config reg %d reads %#lx after writing %#lx",
				    i, expected_ids[i], set[i]);
	}
	sync_global_to_guest(vm, expected_ids);
	run_to_done(vcpu);
	kvm_vm_free(vm);
}

static void test_machine_ids(void)
{
	static const unsigned long custom[3] = {
		0x5a5, 0x8000000000000042UL, 0x20250716,
	};

	/* As KVM created the vCPU, then with values userspace chose. */
	machine_ids_vm(NULL);
	machine_ids_vm(custom);
}

static void probe_vm(bool invert)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_probe, &vcpu);
	char list[256] = "";
	unsigned long val;
	int i;

	for (i = 0; i < ARRAY_SIZE(std_exts); i++) {
		uint64_t reg = RISCV_SBI_EXT_REG(std_exts[i].idx);

		if (invert && !__vcpu_get_reg(vcpu, reg, &val))
			vcpu_set_reg(vcpu, reg, !val);
		ext_enabled[i] = __vcpu_has_sbi_ext(vcpu, reg);
		if (ext_enabled[i]) {
			strcat(list, " ");
			strcat(list, std_exts[i].name);
		}
	}
	ksft_print_msg("%s enable state:%s\n", invert ? "inverted" : "default", list);
	sync_global_to_guest(vm, ext_enabled);
	run_to_done(vcpu);
	kvm_vm_free(vm);
}

static void test_probe(void)
{
	/* The default state, then every available extension flipped. */
	probe_vm(false);
	probe_vm(true);
}

static void test_unknown_calls(void)
{
	run_guest(guest_unknown_calls);
}

static void test_legacy_reserved(void)
{
	run_guest(guest_legacy_reserved);
}

static void test_disabled(void)
{
	static const uint64_t off[] = {
		KVM_RISCV_SBI_EXT_SRST, KVM_RISCV_SBI_EXT_IPI, KVM_RISCV_SBI_EXT_V01,
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_disabled, &vcpu);
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(off); i++)
		vcpu_set_reg(vcpu, RISCV_SBI_EXT_REG(off[i]), 0);
	run_to_done(vcpu);

	/* The enable state is frozen once the vCPU has run. */
	ret = __vcpu_set_reg(vcpu, RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_SRST), 1);
	TEST_ASSERT(ret == -1 && errno == EBUSY,
		    "enabling SRST after the first run: ret %d errno %d", ret, errno);
	kvm_vm_free(vm);
}

static void test_onereg_abi(void)
{
	uint64_t srst = RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_SRST);
	uint64_t bad = RISCV_SBI_EXT_REG(KVM_RISCV_SBI_EXT_MAX + 3);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_with_guest(guest_spec_version, &vcpu);
	unsigned long val;
	int ret;

	ret = __vcpu_set_reg(vcpu, srst, 2);
	TEST_ASSERT(ret == -1 && errno == EINVAL,
		    "SRST enable value 2: ret %d errno %d", ret, errno);
	ret = __vcpu_set_reg(vcpu, bad, 1);
	TEST_ASSERT(ret == -1 && errno == ENOENT,
		    "unknown SBI_EXT index (set): ret %d errno %d", ret, errno);
	ret = __vcpu_get_reg(vcpu, bad, &val);
	TEST_ASSERT(ret == -1 && errno == ENOENT,
		    "unknown SBI_EXT index (get): ret %d errno %d", ret, errno);

	vcpu_set_reg(vcpu, srst, 0);
	vcpu_get_reg(vcpu, srst, &val);
	TEST_ASSERT_EQ(val, 0);
	vcpu_set_reg(vcpu, srst, 1);
	vcpu_get_reg(vcpu, srst, &val);
	TEST_ASSERT_EQ(val, 1);
	kvm_vm_free(vm);
}

/* ---- groups ---- */

static const struct sbi_test_group groups[] = {
	{ "base: get_spec_version is 3.0",			test_spec_version },
	{ "base: get_impl_id is KVM (3)",			test_impl_id },
	{ "base: get_impl_version is LINUX_VERSION_CODE",	test_impl_version },
	{ "base: mvendorid/marchid/mimpid are the vCPU's",	test_machine_ids },
	{ "base: probe_extension matches ONE_REG enable state",	test_probe },
	{ "unknown EID/FID: NOT_SUPPORTED, a2-a7 preserved",	test_unknown_calls },
	{ "legacy: reserved EIDs NOT_SUPPORTED, a1 preserved",	test_legacy_reserved },
	{ "one_reg: disabled extensions are invisible",		test_disabled },
	{ "one_reg: SBI_EXT register errors",			test_onereg_abi },
};

int main(void)
{
	ksft_print_header();
	close(open_kvm_dev_path_or_exit());
	sbi_test_run(groups, ARRAY_SIZE(groups));
}
