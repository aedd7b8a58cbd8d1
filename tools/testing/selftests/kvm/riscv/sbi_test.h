/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The runner the SBI selftests share. Each check group runs in a child
 * process with its own VM and an alarm, so that a failing, hung or
 * crashing group reports as one TAP result and does not hide the others.
 */
#ifndef SELFTEST_KVM_RISCV_SBI_TEST_H
#define SELFTEST_KVM_RISCV_SBI_TEST_H

#include <signal.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "ucall_common.h"

/* SBI v3.0 extension IDs the library's sbi.h does not define. */
#define SBI_EXT_TIME		0x54494D45
#define SBI_EXT_IPI		0x735049
#define SBI_EXT_RFENCE		0x52464E43
#define SBI_EXT_HSM		0x48534D
#define SBI_EXT_SRST		0x53525354
#define SBI_EXT_DBCN		0x4442434E
#define SBI_EXT_SUSP		0x53555350
#define SBI_EXT_CPPC		0x43505043
#define SBI_EXT_NACL		0x4E41434C
#define SBI_EXT_SSE		0x535345
#define SBI_EXT_FWFT		0x46574654
#define SBI_EXT_DBTR		0x44425452
#define SBI_EXT_MPXY		0x4D505859
#define SBI_EXT_VENDOR_START	0x09000000
#define SBI_EXT_FIRMWARE_START	0x0A000000
#define SBI_EXT_FIRMWARE_END	0x0AFFFFFF

#define SBI_TEST_GROUP_TIMEOUT_S	10

/* Guest: the time CSR. */
static inline unsigned long sbi_test_now(void)
{
	return csr_read(CSR_TIME);
}

/*
 * Guest: spin until cond holds or ms milliseconds passed; the value of
 * cond. Uses the test's timer_freq (the guest timebase, in Hz).
 */
#define sbi_test_wait_until(cond, ms) ({				\
	unsigned long __end = sbi_test_now() + timer_freq * (ms) / 1000;	\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && sbi_test_now() < __end)		\
		asm volatile("nop" ::: "memory");			\
	__ok;								\
})

/*
 * Guest: an ecall with all of a0-a7 in and out, to see what the call
 * changed; returns how many times the instruction after the ecall ran: 1
 * if KVM advanced sepc past the ecall exactly once.
 */
static inline unsigned long sbi_ecall_counted(unsigned long r[8])
{
	register unsigned long a0 asm("a0") = r[0];
	register unsigned long a1 asm("a1") = r[1];
	register unsigned long a2 asm("a2") = r[2];
	register unsigned long a3 asm("a3") = r[3];
	register unsigned long a4 asm("a4") = r[4];
	register unsigned long a5 asm("a5") = r[5];
	register unsigned long a6 asm("a6") = r[6];
	register unsigned long a7 asm("a7") = r[7];
	unsigned long cnt = 0;

	asm volatile(".option push\n"
		     ".option norvc\n"
		     "ecall\n"
		     "addi %[cnt], %[cnt], 1\n"
		     ".option pop\n"
		     : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3),
		       "+r"(a4), "+r"(a5), "+r"(a6), "+r"(a7), [cnt] "+r"(cnt)
		     : : "memory");

	r[0] = a0; r[1] = a1; r[2] = a2; r[3] = a3;
	r[4] = a4; r[5] = a5; r[6] = a6; r[7] = a7;
	return cnt;
}

/* Guest: the same, when the count does not matter. */
static inline void sbi_ecall_regs(unsigned long r[8])
{
	sbi_ecall_counted(r);
}

/* Host: LINUX_VERSION_CODE of the running kernel, from its release. */
static inline unsigned long sbi_test_linux_version_code(void)
{
	unsigned int major = 0, minor = 0, sub = 0;
	struct utsname u;

	TEST_ASSERT(!uname(&u), "uname() failed");
	TEST_ASSERT(sscanf(u.release, "%u.%u.%u", &major, &minor, &sub) >= 2,
		    "cannot parse kernel release '%s'", u.release);
	return (major << 16) + (minor << 8) + (sub > 255 ? 255 : sub);
}

/* Host: the end of the VM's memslot holding @gpa, or 0 if it is not RAM. */
static inline vm_paddr_t sbi_test_ram_end(struct kvm_vm *vm, vm_paddr_t gpa)
{
	struct userspace_mem_region *region;
	int bkt;

	hash_for_each(vm->regions.slot_hash, bkt, region, slot_node) {
		if (gpa >= region->region.guest_phys_addr &&
		    gpa - region->region.guest_phys_addr < region->region.memory_size)
			return region->region.guest_phys_addr +
			       region->region.memory_size;
	}
	return 0;
}

/* Host: is @gpa inside one of the VM's memslots? */
static inline bool sbi_test_gpa_is_ram(struct kvm_vm *vm, vm_paddr_t gpa)
{
	return sbi_test_ram_end(vm, gpa) != 0;
}

/*
 * Host: fail the test for an exit the caller did not expect, saying what
 * it was: the guest's failed assertion, a system event, or any other exit
 * (with the SBI call, for a KVM_EXIT_RISCV_SBI).
 */
static inline void __noreturn
sbi_test_report_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
		TEST_FAIL("unexpected SYSTEM_EVENT exit, type %u data[0] %#llx",
			  run->system_event.type,
			  (unsigned long long)run->system_event.data[0]);
	TEST_FAIL("unexpected exit %s (SBI EID %#llx FID %#llx a0 %#llx)",
		  exit_reason_str(run->exit_reason),
		  (unsigned long long)run->riscv_sbi.extension_id,
		  (unsigned long long)run->riscv_sbi.function_id,
		  (unsigned long long)run->riscv_sbi.args[0]);
}

/*
 * Host: binary stat @name (its first element) from stats fd @fd, e.g. of
 * vcpu_get_stats_fd(): read while the vCPU runs, since reading the fd
 * needs no vCPU ioctl (which would wait for KVM_RUN to return).
 */
static inline uint64_t sbi_test_stat(int fd, const char *name)
{
	struct kvm_stats_header header;
	struct kvm_stats_desc *descs, *d;
	uint64_t val = 0;
	bool found = false;
	int i;

	read_stats_header(fd, &header);
	descs = read_stats_descriptors(fd, &header);
	for (i = 0; i < header.num_desc && !found; i++) {
		d = get_stats_descriptor(descs, i, &header);
		if (!strcmp(d->name, name)) {
			read_stat_data(fd, &header, d, &val, 1);
			found = true;
		}
	}
	free(descs);
	TEST_ASSERT(found, "stat %s not found", name);
	return val;
}

struct sbi_test_group {
	const char *name;
	void (*fn)(void);
};

static inline void sbi_test_run_group(const struct sbi_test_group *g)
{
	const int polls = (SBI_TEST_GROUP_TIMEOUT_S + 10) * 100;
	int status = 0, i;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork() failed");
	if (!pid) {
		alarm(SBI_TEST_GROUP_TIMEOUT_S);
		g->fn();
		exit(KSFT_PASS);
	}

	/* A child stuck in the kernel must not stop the other groups. */
	for (i = 0; i < polls; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(10000);
	}
	if (i == polls) {
		kill(pid, SIGKILL);
		ksft_print_msg("%s: group process did not exit\n", g->name);
		ksft_test_result_fail("%s\n", g->name);
		return;
	}
	if (WIFSIGNALED(status))
		ksft_print_msg("%s: killed by signal %d%s\n", g->name,
			       WTERMSIG(status),
			       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
	if (WIFEXITED(status) && WEXITSTATUS(status) == KSFT_SKIP)
		ksft_test_result_skip("%s\n", g->name);
	else
		ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status),
				 "%s\n", g->name);
}

/* Run every group, one TAP result each, and exit with the verdict. */
static inline void sbi_test_run(const struct sbi_test_group *groups,
				unsigned int nr)
{
	unsigned int i;

	ksft_set_plan(nr);
	for (i = 0; i < nr; i++)
		sbi_test_run_group(&groups[i]);
	ksft_finished();
}

#endif /* SELFTEST_KVM_RISCV_SBI_TEST_H */
