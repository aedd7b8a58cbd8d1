// SPDX-License-Identifier: GPL-2.0
/*
 * RFENCE (spec chapter 8): every function with the own hart, all harts and
 * a hart that does not exist, whole-space and one-page ranges, ASIDs; the
 * HFENCE functions as the harts' H extension says; and that a remote fence
 * really takes effect on another hart: a translation it cached (Sv39) is
 * replaced, and code rewritten under it runs new after remote_fence_i.
 */
#include "conform.h"

#define PTE_V		BIT(0)
#define PTE_R		BIT(1)
#define PTE_W		BIT(2)
#define PTE_X		BIT(3)
#define PTE_A		BIT(6)
#define PTE_D		BIT(7)
#define PTE_LEAF	(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define SATP_SV39	(8UL << 60)
#define TEST_VA		0x40000000UL	/* root[1] -> l1[0] -> l0[0] */
#define TEST_ASID	5UL
#define MAGIC_A		0xaaaa0000aaaa0001UL
#define MAGIC_B		0xbbbb0000bbbb0002UL

static unsigned long root[512] __aligned(4096);
static unsigned long l1[512] __aligned(4096);
static unsigned long l0[512] __aligned(4096);
static volatile unsigned long page_a[512] __aligned(4096);
static volatile unsigned long page_b[512] __aligned(4096);
/* li a0, 1 / li a0, 2; ret */
static volatile unsigned int code[4] __aligned(64);
#define INSN_LI_A0(v)	(0x00000513U | ((unsigned int)(v) << 20))
#define INSN_RET	0x00008067U

static unsigned long pte_table(const void *t)
{
	return ((unsigned long)t >> 12) << 10 | PTE_V;
}

static unsigned long pte_leaf(const volatile void *p, unsigned long perm)
{
	return ((unsigned long)p >> 12) << 10 | perm;
}

static void map_init(void)
{
	unsigned long ram_giga = env.ram_start >> 30;

	memset(root, 0, sizeof(root));
	memset(l1, 0, sizeof(l1));
	memset(l0, 0, sizeof(l0));
	/* RAM identity mapped by gigapages, so the code runs on. */
	for (unsigned long g = ram_giga; g < ram_giga + 4 && g < 512; g++)
		root[g] = (g << 28) | PTE_LEAF | PTE_X;
	root[TEST_VA >> 30] = pte_table(l1);
	l1[0] = pte_table(l0);
	l0[0] = pte_leaf(page_a, PTE_LEAF);
	page_a[0] = MAGIC_A;
	page_b[0] = MAGIC_B;
	asm volatile("fence rw, rw" ::: "memory");
}

enum fence_kind { SFENCE_VMA, SFENCE_VMA_ASID, LEGACY_SFENCE_VMA, FENCE_I };

struct fence_job {
	struct hart_job job;
	enum fence_kind kind;
	unsigned long first, stale, last;
};

static unsigned long run_code(void)
{
	unsigned long (*fn)(void) = (unsigned long (*)(void))code;

	return fn();
}

static unsigned long probe(enum fence_kind kind)
{
	if (kind == FENCE_I)
		return run_code();
	return *(volatile unsigned long *)TEST_VA;
}

static void fence_target(struct hart_job *job)
{
	struct fence_job *fj = (struct fence_job *)job;
	unsigned long asid = fj->kind == SFENCE_VMA_ASID ? TEST_ASID : 0;

	if (fj->kind != FENCE_I) {
		csr_write(satp, SATP_SV39 | asid << 44 |
			  (unsigned long)root >> 12);
		asm volatile("sfence.vma" ::: "memory");
	} else {
		asm volatile("fence.i" ::: "memory");
	}
	fj->first = probe(fj->kind);
	job->step = 1;
	while (job->step != 2)
		;
	fj->stale = probe(fj->kind);
	job->step = 3;
	while (job->step != 4)
		;
	fj->last = probe(fj->kind);
	csr_write(satp, 0);
	asm volatile("sfence.vma" ::: "memory");
}

static const char *const kind_name[] = {
	"remote_sfence_vma", "remote_sfence_vma_asid",
	"legacy remote_sfence_vma", "remote_fence_i",
};

static void fence_effect(enum fence_kind kind)
{
	static struct fence_job fj = { .job.fn = fence_target };
	unsigned long other = env.hartid[1], mask = 1, want;
	struct sbiret r = { 0, 0 };
	bool ok;

	map_init();
	code[0] = INSN_LI_A0(1);
	code[1] = INSN_RET;
	asm volatile("fence.i" ::: "memory");
	fj.kind = kind;
	fj.first = 0;
	fj.stale = 0;
	fj.last = 0;
	if (hart_run(1, &fj.job)) {
		check(false, "rfence: %s takes effect on another hart # hart_start failed",
		      kind_name[kind]);
		return;
	}
	ok = wait_us(fj.job.step == 1, 2000000);
	if (kind == FENCE_I) {
		code[0] = INSN_LI_A0(2);
		want = 2;
	} else {
		l0[0] = pte_leaf(page_b, PTE_LEAF);
		want = MAGIC_B;
	}
	asm volatile("fence rw, rw" ::: "memory");
	fj.job.step = 2;
	ok = ok && wait_us(fj.job.step == 3, 2000000);
	switch (kind) {
	case SFENCE_VMA:
		r = sbi_call4(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, mask, other,
			      TEST_VA, PAGE_SIZE);
		break;
	case SFENCE_VMA_ASID:
		r = sbi_call5(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, mask,
			      other, TEST_VA, PAGE_SIZE, TEST_ASID);
		break;
	case LEGACY_SFENCE_VMA:
		mask = BIT(other);
		r.error = sbi_legacy(SBI_EXT_LEGACY_SFENCE_VMA,
				     (unsigned long)&mask, TEST_VA, PAGE_SIZE, 0);
		break;
	case FENCE_I:
		r = sbi_call2(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, mask, other);
		break;
	}
	fj.job.step = 4;
	ok = ok && wait_us(fj.job.done, 2000000);
	check(ok && !r.error && fj.first == (kind == FENCE_I ? 1 : MAGIC_A) &&
	      fj.last == want,
	      "rfence: %s takes effect on another hart # error %ld, before %lx, after %lx",
	      kind_name[kind], r.error, fj.first, fj.last);
	diag("%s: the other hart read %s before the fence", kind_name[kind],
	     fj.stale == want ? "the new value already" : "the stale value");
	hart_wait_stopped(1);
}

static void fence_calls(void)
{
	static const char *const names[] = {
		"remote_fence_i", "remote_sfence_vma", "remote_sfence_vma_asid",
	};
	unsigned long self = this_hartid();
	struct sbiret r;

	for (unsigned long fid = 0; fid < 3; fid++) {
		const char *n = names[fid];

		r = sbi_ecall(1, self, 0, 0, 1, 0, fid, SBI_EXT_RFENCE);
		check_err(r, SBI_SUCCESS, "rfence: %s(own hart, whole space)", n);
		r = sbi_ecall(0, -1UL, 0, 0, 0, 0, fid, SBI_EXT_RFENCE);
		check_err(r, SBI_SUCCESS, "rfence: %s(all harts)", n);
		r = sbi_ecall(1, 10000, 0, 0, 0, 0, fid, SBI_EXT_RFENCE);
		check_err(r, SBI_ERR_INVALID_PARAM,
			  "rfence: %s(a hart that does not exist)", n);
		r = sbi_ecall(0, 10000, 0, 0, 0, 0, fid, SBI_EXT_RFENCE);
		check_err(r, SBI_SUCCESS, "rfence: %s(empty mask, base no hart)", n);
		if (!fid)
			continue;
		r = sbi_ecall(1, self, env.ram_start, PAGE_SIZE, 1, 0, fid,
			      SBI_EXT_RFENCE);
		check_err(r, SBI_SUCCESS, "rfence: %s(own hart, one page)", n);
		r = sbi_ecall(1, self, 0, -1UL, 1, 0, fid, SBI_EXT_RFENCE);
		check_err(r, SBI_SUCCESS, "rfence: %s(own hart, size -1)", n);
	}
	/* HFENCE: only for harts with the H extension. */
	for (unsigned long fid = SBI_RFENCE_HFENCE_GVMA_VMID;
	     fid <= SBI_RFENCE_HFENCE_VVMA; fid++) {
		r = sbi_ecall(1, self, 0, 0, 0, 0, fid, SBI_EXT_RFENCE);
		if (env.isa_h)
			check_err(r, SBI_SUCCESS, "rfence: HFENCE FID %lu (H: yes)",
				  fid);
		else
			check_err(r, SBI_ERR_NOT_SUPPORTED,
				  "rfence: HFENCE FID %lu (H: no)", fid);
	}
	r = sbi_call2(SBI_EXT_RFENCE, 7, 1, self);
	check_err(r, SBI_ERR_NOT_SUPPORTED, "rfence: unknown FID 7");
}

void t_rfence(void)
{
	if (!sbi_probe(SBI_EXT_RFENCE)) {
		skip("not probed", "rfence: all functions");
		return;
	}
	fence_calls();
	if (env.nr_harts < 2) {
		skip("one hart", "rfence: remote fences take effect");
		return;
	}
	fence_effect(SFENCE_VMA);
	fence_effect(SFENCE_VMA_ASID);
	fence_effect(FENCE_I);
	if (sbi_probe(SBI_EXT_LEGACY_SFENCE_VMA))
		fence_effect(LEGACY_SFENCE_VMA);
	else
		skip("not probed", "rfence: legacy remote_sfence_vma takes effect");
}
