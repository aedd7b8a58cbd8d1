// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the SBI call policy's range map: entry validation, the
 * kernel-owned EIDs, partial extensions, overlaps, limits, lookup (also with
 * 256 entries), the per-slot actions against the search, and what
 * probe_extension learns from it. Included at the end of
 * sbi_policy.c; no VM is created.
 */

#include <kunit/test.h>

#define POL_FWD		KVM_RISCV_SBI_POLICY_FORWARD
#define POL_DENY	KVM_RISCV_SBI_POLICY_DENY
#define POL_HANDLE	KVM_RISCV_SBI_POLICY_HANDLE
/* A firmware-range EID: userspace defines its functions. */
#define POL_FW_EID	0x0A000003

static struct kvm_riscv_sbi_policy_entry pol_entry(u32 eid, u32 neid, u32 fid,
						   u32 nfid, u8 action)
{
	return (struct kvm_riscv_sbi_policy_entry) {
		.eid_base = eid, .eid_count = neid,
		.fid_base = fid, .fid_count = nfid, .action = action,
	};
}

static int pol_check(u32 eid, u32 neid, u32 fid, u32 nfid, u8 action)
{
	struct kvm_riscv_sbi_policy_entry e = pol_entry(eid, neid, fid, nfid,
							action);
	struct kvm_sbi_policy_range r;

	return sbi_policy_entry_to_range(&e, &r);
}

static void pol_test_entry_validation(struct kunit *test)
{
	struct kvm_riscv_sbi_policy_entry e;
	struct kvm_sbi_policy_range r;

	KUNIT_EXPECT_EQ(test, pol_check(0x09000000, 16, 0, 0, POL_FWD), 0);
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_DBCN, 1, 0, 0, POL_FWD), 0);
	KUNIT_EXPECT_EQ(test, pol_check(POL_FW_EID, 1, 1, 2, POL_DENY), 0);
	KUNIT_EXPECT_EQ(test, pol_check(0x0A000000, 0x1000000, 0, 0, POL_FWD),
			0);
	KUNIT_EXPECT_EQ(test, pol_check(U32_MAX, 1, 0, 0, POL_FWD), 0);
	KUNIT_EXPECT_EQ(test, pol_check(0x0AFFFFFF, 1, U32_MAX, 1, POL_FWD), 0);

	KUNIT_EXPECT_EQ(test, pol_check(0x09000000, 0, 0, 0, POL_FWD), -EINVAL);
	KUNIT_EXPECT_EQ(test, pol_check(U32_MAX, 2, 0, 0, POL_FWD), -EINVAL);
	KUNIT_EXPECT_EQ(test, pol_check(0x09000000, 2, 0, 1, POL_FWD), -EINVAL);
	KUNIT_EXPECT_EQ(test, pol_check(0x09000000, 1, U32_MAX, 2, POL_FWD),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_0_1_CONSOLE_PUTCHAR, 1, 0, 1,
					POL_FWD), -EINVAL);
	KUNIT_EXPECT_EQ(test, pol_check(0x09000000, 1, 0, 0, 3), -EINVAL);

	e = pol_entry(0x09000000, 1, 0, 0, POL_FWD);
	e.pad[6] = 1;
	KUNIT_EXPECT_EQ(test, sbi_policy_entry_to_range(&e, &r), -EINVAL);

	/* One EID with every FID is the interval [eid << 32, eid << 32 | ~0]. */
	e = pol_entry(0x09000001, 1, 0, 0, POL_FWD);
	KUNIT_ASSERT_EQ(test, sbi_policy_entry_to_range(&e, &r), 0);
	KUNIT_EXPECT_EQ(test, r.start, 0x0900000100000000ULL);
	KUNIT_EXPECT_EQ(test, r.end, 0x09000001ffffffffULL);
}

/*
 * SBI v3.0 allows no partial extension without discovery: FID-granular
 * DENY or FORWARD only in the userspace-defined ranges, and DENY of the
 * optional functions of PMU, RFENCE, MPXY and NACL. HANDLE is never partial.
 */
static void pol_test_partial(struct kunit *test)
{
	static const struct { u32 eid, fid, nfid; u8 action; int rc; } cases[] = {
		{ 0x08000000, 0, 1, POL_FWD, 0 },
		{ 0x09000010, 5, 100, POL_DENY, 0 },
		{ 0x0AFFFFFF, U32_MAX, 1, POL_FWD, 0 },
		{ SBI_EXT_PMU, 7, 2, POL_DENY, 0 },
		{ SBI_EXT_PMU, 8, 1, POL_DENY, 0 },
		{ SBI_EXT_RFENCE, 3, 4, POL_DENY, 0 },
		{ KVM_SBI_EXT_MPXY, 5, 3, POL_DENY, 0 },
		{ KVM_SBI_EXT_NACL, 2, 3, POL_DENY, 0 },
		{ SBI_EXT_DBCN, 1, 1, POL_HANDLE, 0 },
		{ SBI_EXT_SRST, 0, 1, POL_HANDLE, 0 },
		{ SBI_EXT_DBCN, 2, 1, POL_DENY, -EINVAL },
		{ SBI_EXT_DBCN, 0, 1, POL_FWD, -EINVAL },
		{ SBI_EXT_SRST, 0, 1, POL_DENY, -EINVAL },
		{ SBI_EXT_SUSP, 0, 1, POL_FWD, -EINVAL },
		{ SBI_EXT_HSM, 3, 1, POL_DENY, -EINVAL },
		{ SBI_EXT_PMU, 0, 1, POL_DENY, -EINVAL },
		{ SBI_EXT_PMU, 6, 2, POL_DENY, -EINVAL },
		{ SBI_EXT_PMU, 7, 3, POL_DENY, -EINVAL },
		{ SBI_EXT_RFENCE, 2, 2, POL_DENY, -EINVAL },
		{ KVM_SBI_EXT_MPXY, 5, 3, POL_FWD, -EINVAL },
		{ KVM_SBI_EXT_MPXY, 0, 1, POL_DENY, -EINVAL },
		{ 0x43505043, 1, 1, POL_FWD, -EINVAL },		/* CPPC */
		{ 0x0B000000, 0, 1, POL_FWD, -EINVAL },		/* reserved */
		{ 0x07FFFFFF, 0, 1, POL_DENY, -EINVAL },
		/* Kernel-owned first: forwarding part of PMU or DBTR. */
		{ SBI_EXT_PMU, 7, 1, POL_FWD, -EPERM },
		{ KVM_SBI_EXT_DBTR, 0, 1, POL_FWD, -EPERM },
		{ SBI_EXT_BASE, 3, 1, POL_DENY, -EPERM },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, pol_check(cases[i].eid, 1, cases[i].fid,
						    cases[i].nfid,
						    cases[i].action),
				    cases[i].rc, "case %u: EID %#x FIDs %u+%u",
				    i, cases[i].eid, cases[i].fid, cases[i].nfid);
	/* Whole extensions stay as they were. */
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_DBCN, 1, 0, 0, POL_DENY), 0);
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_SRST, 1, 0, 0, POL_FWD), 0);
	KUNIT_EXPECT_EQ(test, pol_check(KVM_SBI_EXT_MPXY, 1, 0, 0, POL_FWD), 0);
}

static void pol_test_kernel_owned(struct kunit *test)
{
	static const u32 owned[] = {
		SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE,
		SBI_EXT_HSM, SBI_EXT_PMU, SBI_EXT_STA, KVM_SBI_EXT_SSE,
		KVM_SBI_EXT_FWFT, KVM_SBI_EXT_NACL, KVM_SBI_EXT_DBTR,
		SBI_EXT_0_1_SET_TIMER, SBI_EXT_0_1_SEND_IPI,
		SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(owned); i++)
		KUNIT_EXPECT_EQ_MSG(test, pol_check(owned[i], 1, 0, 0, POL_FWD),
				    -EPERM, "EID %#x", owned[i]);
	/* A wide range or one FID that touches a kernel EID is refused too. */
	KUNIT_EXPECT_EQ(test, pol_check(0, 0x100, 0, 0, POL_FWD), -EPERM);
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_HSM, 1, 2, 1, POL_FWD), -EPERM);
	/* Denying is allowed, except BASE; forwarding the console is fine. */
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_PMU, 1, 0, 0, POL_DENY), 0);
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_BASE, 1, 0, 0, POL_DENY),
			-EPERM);
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_0_1_CONSOLE_PUTCHAR, 2, 0, 0,
					POL_FWD), 0);
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_SUSP, 1, 0, 0, POL_FWD), 0);
	KUNIT_EXPECT_EQ(test, pol_check(SBI_EXT_BASE, 1, 0, 0, POL_HANDLE), 0);
}

static struct kvm_riscv_sbi_policy_map *
pol_build(struct kunit *test, const struct kvm_riscv_sbi_policy_entry *e,
	  unsigned int n, const struct kvm_riscv_sbi_policy_map *old)
{
	struct kvm_sbi_policy_range *r = kunit_kcalloc(test, n, sizeof(*r),
						   GFP_KERNEL);
	struct kvm_riscv_sbi_policy_map *map;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, sbi_policy_entry_to_range(&e[i], &r[i]), 0);
	map = sbi_policy_merge(old, r, n);
	if (!IS_ERR(map))
		kunit_add_action(test, (kunit_action_t *)kvfree, map);
	return map;
}

static void pol_test_overlap(struct kunit *test)
{
	const struct kvm_riscv_sbi_policy_entry base[] = {
		pol_entry(0x09000000, 0x100, 0, 0, POL_FWD),
		pol_entry(POL_FW_EID, 1, 0, 1, POL_FWD),
		pol_entry(POL_FW_EID, 1, 2, 1, POL_DENY),
	};
	const struct kvm_riscv_sbi_policy_entry clash[][1] = {
		{ pol_entry(0x090000ff, 2, 0, 0, POL_DENY) },
		{ pol_entry(0x09000010, 1, 5, 1, POL_DENY) },
		{ pol_entry(POL_FW_EID, 1, 0, 0, POL_DENY) },
		{ pol_entry(POL_FW_EID, 1, 0, 3, POL_DENY) },
	};
	const struct kvm_riscv_sbi_policy_entry fits =
		pol_entry(POL_FW_EID, 1, 1, 1, POL_HANDLE);
	struct kvm_riscv_sbi_policy_map *map, *map2;
	unsigned int i;

	map = pol_build(test, base, ARRAY_SIZE(base), NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	KUNIT_EXPECT_EQ(test, map->nr, 3U);
	for (i = 0; i < ARRAY_SIZE(clash); i++)
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(pol_build(test, clash[i], 1,
							    map)),
				    -EEXIST, "case %u", i);
	/* Overlap within one batch is refused too: nothing is half added. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(pol_build(test, base, 2, map)), -EEXIST);

	map2 = pol_build(test, &fits, 1, map);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map2));
	KUNIT_EXPECT_EQ(test, map2->nr, 4U);
	KUNIT_EXPECT_EQ(test, map->nr, 3U);	/* the old map is untouched */
}

static u8 pol_lookup(const struct kvm_riscv_sbi_policy_map *map, u32 eid,
		     u32 fid)
{
	return sbi_policy_map_lookup(map, sbi_policy_key(eid, fid));
}

static void pol_test_lookup_and_probe(struct kunit *test)
{
	const struct kvm_riscv_sbi_policy_entry e[] = {
		pol_entry(0x09000000, 0x10, 0, 0, POL_FWD),
		pol_entry(POL_FW_EID, 1, 0, 1, POL_FWD),
		pol_entry(POL_FW_EID, 1, 2, 1, POL_DENY),
		pol_entry(SBI_EXT_PMU, 1, 0, 0, POL_DENY),
		pol_entry(SBI_EXT_RFENCE, 1, 3, 4, POL_DENY),
	};
	struct kvm_riscv_sbi_policy_map *map;

	map = pol_build(test, e, ARRAY_SIZE(e), NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));

	KUNIT_EXPECT_EQ(test, pol_lookup(map, 0x09000000, 7), POL_FWD);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, 0x0900000f, U32_MAX), POL_FWD);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, 0x09000010, 0), POL_HANDLE);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, POL_FW_EID, 0), POL_FWD);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, POL_FW_EID, 1), POL_HANDLE);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, POL_FW_EID, 2), POL_DENY);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, SBI_EXT_RFENCE, 2), POL_HANDLE);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, SBI_EXT_RFENCE, 6), POL_DENY);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, SBI_EXT_PMU, 5), POL_DENY);
	KUNIT_EXPECT_EQ(test, pol_lookup(map, SBI_EXT_TIME, 0), POL_HANDLE);

	/* Probe: any forwarded FID makes the EID exist; a full deny hides it. */
	KUNIT_EXPECT_EQ(test, sbi_policy_map_probe(map, 0x09000003), POL_FWD);
	KUNIT_EXPECT_EQ(test, sbi_policy_map_probe(map, POL_FW_EID), POL_FWD);
	KUNIT_EXPECT_EQ(test, sbi_policy_map_probe(map, SBI_EXT_PMU), POL_DENY);
	KUNIT_EXPECT_EQ(test, sbi_policy_map_probe(map, SBI_EXT_RFENCE),
			POL_HANDLE);
	KUNIT_EXPECT_EQ(test, sbi_policy_map_probe(map, SBI_EXT_TIME),
			POL_HANDLE);
	KUNIT_EXPECT_EQ(test, sbi_policy_map_probe(map, 0x09000010),
			POL_HANDLE);
}

static void pol_test_256_entries(struct kunit *test)
{
	struct kvm_riscv_sbi_policy_entry *e;
	struct kvm_riscv_sbi_policy_map *map;
	unsigned int i;

	e = kunit_kcalloc(test, 256, sizeof(*e), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e);
	/* Installed in reverse order; every other vendor EID, alternating. */
	for (i = 0; i < 256; i++)
		e[i] = pol_entry(0x09000000 + 2 * (255 - i), 1, 0, 0,
				 i % 2 ? POL_DENY : POL_FWD);
	map = pol_build(test, e, 256, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	for (i = 0; i < 256; i++) {
		u32 eid = 0x09000000 + 2 * (255 - i);
		u8 want = i % 2 ? POL_DENY : POL_FWD;

		KUNIT_EXPECT_EQ(test, pol_lookup(map, eid, i), want);
		KUNIT_EXPECT_EQ(test, pol_lookup(map, eid + 1, i), POL_HANDLE);
	}
}

static int pol_slot(unsigned long eid)
{
	return kvm_sbi_find(&kvm_riscv_sbi_registry, eid);
}

/* The map's action for the slot of @eid's extension, which must exist. */
static u8 pol_slot_action(struct kunit *test,
			  const struct kvm_riscv_sbi_policy_map *map,
			  unsigned long eid)
{
	int slot = pol_slot(eid);

	KUNIT_ASSERT_GE_MSG(test, slot, 0, "EID %#lx", eid);
	return map->slot_action[slot];
}

/*
 * The per-slot actions answer what the search answers, for every call of
 * every registered extension the probes reach: one action where the
 * policy treats an extension's calls alike, the search where it does not.
 */
static void pol_check_slots_agree(struct kunit *test,
				  struct kvm_riscv_sbi_policy_map *map)
{
	static const u32 fids[] = { 0, 1, 2, 3, 6, 7, 8, 0x8000, U32_MAX };
	const struct kvm_sbi_registry *reg = &kvm_riscv_sbi_registry;
	struct kvm *kvm = kunit_kzalloc(test, sizeof(*kvm), GFP_KERNEL);
	unsigned int i, j, k;

	KUNIT_ASSERT_NOT_NULL(test, kvm);
	kvm->arch.sbi_policy = map;
	for (i = 0; i < reg->nr; i++) {
		const struct kvm_vcpu_sbi_extension *ext = reg->exts[i];
		const u32 eids[] = { ext->eid_start, ext->eid_end,
				     ext->eid_start + (ext->eid_end - ext->eid_start) / 2,
				     ext->eid_end - (ext->eid_end > ext->eid_start) };

		for (j = 0; j < ARRAY_SIZE(eids); j++) {
			for (k = 0; k < ARRAY_SIZE(fids); k++) {
				u32 fid = eids[j] <= KVM_SBI_LEGACY_EID_LAST ?
					  0 : fids[k];
				u8 got = kvm_riscv_sbi_policy_action(kvm, i,
								     eids[j],
								     fids[k]);

				KUNIT_EXPECT_EQ_MSG(test, got,
						    pol_lookup(map, eids[j], fid),
						    "%s EID %#x FID %#x",
						    ext->name, eids[j], fids[k]);
			}
		}
	}
}

static void pol_test_slot_actions(struct kunit *test)
{
	const struct kvm_riscv_sbi_policy_entry e[] = {
		pol_entry(SBI_EXT_DBCN, 1, 0, 0, POL_FWD),
		pol_entry(SBI_EXT_0_1_CONSOLE_PUTCHAR, 1, 0, 0, POL_FWD),
		/* Experimental: two halves, both forwarded: alike. */
		pol_entry(0x08000000, 0x800000, 0, 0, POL_FWD),
		pol_entry(0x08800000, 0x800000, 0, 0, POL_FWD),
		pol_entry(SBI_EXT_PMU, 1, 0, 0, POL_DENY),
		pol_entry(SBI_EXT_RFENCE, 1, 3, 4, POL_DENY),
		pol_entry(0x09000000, 0x10, 0, 0, POL_FWD),
		/* SRST handled explicitly: the same as no entry. */
		pol_entry(SBI_EXT_SRST, 1, 0, 0, POL_HANDLE),
	};
	const struct kvm_riscv_sbi_policy_entry more[] = {
		pol_entry(SBI_EXT_SUSP, 1, 0, 0, POL_FWD),
		pol_entry(0x0A000000, 1, 0, 1, POL_FWD),
		pol_entry(0x0A000000, 1, 1, 1, POL_FWD),
	};
	struct kvm_riscv_sbi_policy_map *map;

	if (!kvm_riscv_sbi_registry.nr)
		kunit_skip(test, "the SBI registry is not built: KVM is not active");
	map = pol_build(test, e, ARRAY_SIZE(e), NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, SBI_EXT_PMU), POL_DENY);
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, SBI_EXT_DBCN), POL_FWD);
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, SBI_EXT_TIME),
			POL_HANDLE);
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, SBI_EXT_SRST),
			POL_HANDLE);
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, SBI_EXT_BASE),
			POL_HANDLE);
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, 0x08000000), POL_FWD);
	/* Some FIDs, some EIDs or some legacy calls only: by the search. */
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, SBI_EXT_RFENCE),
			SBI_POLICY_BY_RANGE);
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, 0x09000000),
			SBI_POLICY_BY_RANGE);
	if (IS_ENABLED(CONFIG_RISCV_SBI_V01))
		KUNIT_EXPECT_EQ(test, pol_slot_action(test, map,
						      SBI_EXT_0_1_CONSOLE_PUTCHAR),
				SBI_POLICY_BY_RANGE);
	pol_check_slots_agree(test, map);

	/* Added to an installed map: the new map's actions are its own. */
	map = pol_build(test, more, ARRAY_SIZE(more), map);
	KUNIT_ASSERT_FALSE(test, IS_ERR(map));
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, SBI_EXT_SUSP), POL_FWD);
	KUNIT_EXPECT_EQ(test, pol_slot_action(test, map, SBI_EXT_PMU), POL_DENY);
	pol_check_slots_agree(test, map);
	/* An unregistered EID is decided by the search alone. */
	KUNIT_EXPECT_EQ(test, pol_slot(0x0A000000), -1);
}

static void pol_test_limit(struct kunit *test)
{
	const struct kvm_sbi_policy_range one = {
		.start = sbi_policy_key(0x0B000000, 0),
		.end = sbi_policy_key(0x0B000000, 0),
	};
	struct kvm_riscv_sbi_policy_map *full;
	struct kvm_sbi_policy_range *many;
	unsigned int i;

	many = kunit_kcalloc(test, SBI_POLICY_MAX_ENTRIES, sizeof(*many),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, many);
	for (i = 0; i < SBI_POLICY_MAX_ENTRIES; i++) {
		many[i].start = sbi_policy_key(0x0A000000 + i, 0);
		many[i].end = many[i].start;
	}
	full = sbi_policy_merge(NULL, many, SBI_POLICY_MAX_ENTRIES);
	KUNIT_ASSERT_FALSE(test, IS_ERR(full));
	kunit_add_action(test, (kunit_action_t *)kvfree, full);
	KUNIT_EXPECT_EQ(test, full->nr, SBI_POLICY_MAX_ENTRIES);
	/* One more, counting what is already installed, is too many. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(sbi_policy_merge(full, &one, 1)), -E2BIG);
	KUNIT_EXPECT_EQ(test, kvm_riscv_sbi_policy_max_entries(),
			SBI_POLICY_MAX_ENTRIES);
}

static struct kunit_case pol_test_cases[] = {
	KUNIT_CASE(pol_test_entry_validation),
	KUNIT_CASE(pol_test_kernel_owned),
	KUNIT_CASE(pol_test_partial),
	KUNIT_CASE(pol_test_overlap),
	KUNIT_CASE(pol_test_lookup_and_probe),
	KUNIT_CASE(pol_test_256_entries),
	KUNIT_CASE(pol_test_slot_actions),
	KUNIT_CASE(pol_test_limit),
	{}
};

static struct kunit_suite pol_test_suite = {
	.name = "kvm_riscv_sbi_policy",
	.test_cases = pol_test_cases,
};

kunit_test_suite(pol_test_suite);
