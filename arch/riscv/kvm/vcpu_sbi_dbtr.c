// SPDX-License-Identifier: GPL-2.0-only
/*
 * SBI Debug Triggers extension (DBTR) for guests, built on the host
 * firmware's own SBI DBTR.
 *
 * A guest sees up to DBTR_MAX_TRIGGERS logical triggers of Sdtrig type 6
 * (mcontrol6, address match) and programs them as if it ran in S-mode: its
 * S and U bits. KVM keeps them per vCPU and, while the vCPU is loaded on a
 * host hart, installs the armed ones (mapped, S or U set) there through the
 * firmware with the guest's S and U moved to VS and VU: they match only in
 * the guest, and only in this vCPU, since vcpu_put removes them again and
 * vcpu_load installs them on whatever hart the vCPU runs next. The firmware
 * raises a breakpoint exception, which hedeleg sends straight to the guest.
 * What the hart cannot confine to VS/VU (type 2 mcontrol has no VS/VU bits)
 * is not offered: num_triggers answers 0 for it. Without firmware DBTR, or
 * with a firmware that has no type-6 trigger, probe_extension says 0.
 *
 * The firmware's shared memory is this vCPU's own buffer, set for the
 * install call and disabled right after it, so the firmware never keeps a
 * pointer into KVM's memory; 6.12's host does not use SBI DBTR itself.
 */

#include <linux/kvm_host.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <asm/sbi.h>
#include <uapi/asm/kvm_sbi_ext.h>

#define DBTR_NUM_TRIGGERS	0
#define DBTR_SET_SHMEM		1
#define DBTR_READ		2
#define DBTR_INSTALL		3
#define DBTR_UPDATE		4
#define DBTR_UNINSTALL		5
#define DBTR_ENABLE		6
#define DBTR_DISABLE		7

/* Logical triggers a vCPU can have: the ONE_REG layout's room. */
#define DBTR_MAX_TRIGGERS	KVM_RISCV_SBI_DBTR_MAX_TRIGGERS

/* Sdtrig tdata1: type in the top 4 bits, dmode below it. */
#define TDATA1_TYPE_SHIFT	(BITS_PER_LONG - 4)
#define TDATA1_TYPE(t)		((t) >> TDATA1_TYPE_SHIFT)
#define TDATA1_DMODE		BIT(BITS_PER_LONG - 5)
#define TYPE_MCONTROL6		6UL

/* mcontrol6 fields (Sdtrig v1.0, 5.7.17). */
#define MC6_UNCERTAIN		BIT(26)
#define MC6_HIT1		BIT(25)
#define MC6_VS			BIT(24)
#define MC6_VU			BIT(23)
#define MC6_HIT0		BIT(22)
#define MC6_SELECT		BIT(21)
#define MC6_SIZE		GENMASK(19, 16)
#define MC6_ACTION		GENMASK(15, 12)
#define MC6_CHAIN		BIT(11)
#define MC6_MATCH		GENMASK(10, 7)
#define MC6_M			BIT(6)
#define MC6_UNCERTAINEN		BIT(5)
#define MC6_S			BIT(4)
#define MC6_U			BIT(3)
#define MC6_EXECUTE		BIT(2)
#define MC6_STORE		BIT(1)
#define MC6_LOAD		BIT(0)

/* Bits a guest may not set: modes it does not have (or a debugger's). */
#define MC6_FORBIDDEN		(TDATA1_DMODE | MC6_M | MC6_VS | MC6_VU)
/*
 * Bits of features this platform's trigger module does not implement
 * (QEMU's: only address match, action 0, no chain, no data select, no
 * uncertain matches); a guest asking for them gets NOT_SUPPORTED. The hit
 * bits are status, which a guest writes as 0.
 */
#define MC6_UNSUPPORTED		(MC6_UNCERTAIN | MC6_SELECT | MC6_ACTION | \
				 MC6_CHAIN | MC6_MATCH | MC6_UNCERTAINEN)
#define MC6_STATUS		(MC6_HIT0 | MC6_HIT1)
#define MC6_MODES		(MC6_S | MC6_U)

/* trig_state (SBI v3.0, 19): mapped, and the saved U and S bits. */
#define TS_MAPPED		BIT(0)
#define TS_U			BIT(1)
#define TS_S			BIT(2)
#define TS_GUEST_BITS		(TS_MAPPED | TS_U | TS_S)

/* One shared-memory entry: four XLEN words, little-endian. */
struct dbtr_entry {
	unsigned long word[4];	/* state or index, tdata1, tdata2, tdata3 */
};

#define DBTR_HW_NONE		U8_MAX

/**
 * struct dbtr_trigger - one of the guest's logical triggers
 * @tdata1: as the guest sees it (type 6, its S/U bits as now applied)
 * @tdata2: the address it matches
 * @tdata3: 0 (textra is not offered)
 * @state: TS_* bits
 * @hw: host firmware index it is installed at, or DBTR_HW_NONE
 */
struct dbtr_trigger {
	unsigned long tdata1;
	unsigned long tdata2;
	unsigned long tdata3;
	u8 state;
	u8 hw;
};

/**
 * struct kvm_vcpu_sbi_dbtr - DBTR state of a vCPU
 * @shmem: the guest's shared memory, or INVALID_GPA
 * @nr: logical triggers offered (fixed at vCPU creation)
 * @trig: the logical triggers
 * @fw: the firmware's shared memory (physically contiguous: kzalloc)
 */
struct kvm_vcpu_sbi_dbtr {
	gpa_t shmem;
	unsigned int nr;
	struct dbtr_trigger trig[DBTR_MAX_TRIGGERS];
	struct dbtr_entry fw[DBTR_MAX_TRIGGERS];
};

/* Type-6 triggers the firmware offers, capped; -1 until first asked. */
static int dbtr_host_nr = -1;

static unsigned int dbtr_host_triggers(void)
{
	int nr = READ_ONCE(dbtr_host_nr);
	struct sbiret r;

	if (nr >= 0)
		return nr;
	nr = 0;
	if (sbi_spec_version >= sbi_mk_version(2, 0) &&
	    sbi_probe_extension(KVM_SBI_EXT_DBTR) > 0) {
		/* What a VS/VU-only execute trigger of type 6 can use. */
		r = sbi_ecall(KVM_SBI_EXT_DBTR, DBTR_NUM_TRIGGERS,
			      TYPE_MCONTROL6 << TDATA1_TYPE_SHIFT | MC6_VS |
			      MC6_VU | MC6_EXECUTE, 0, 0, 0, 0, 0);
		if (!r.error)
			nr = min_t(unsigned long, r.value, DBTR_MAX_TRIGGERS);
	}
	WRITE_ONCE(dbtr_host_nr, nr);	/* the same on every hart */
	return nr;
}

static struct kvm_vcpu_sbi_dbtr *dbtr_of(struct kvm_vcpu *vcpu)
{
	return vcpu->arch.sbi_context.dbtr;
}

static bool dbtr_armed(const struct dbtr_trigger *t)
{
	return (t->state & TS_MAPPED) && (t->tdata1 & MC6_MODES);
}

/* The guest's tdata1 as the host hart is given it: S/U become VS/VU. */
static unsigned long dbtr_host_tdata1(unsigned long tdata1)
{
	unsigned long host = tdata1 & ~(MC6_MODES | MC6_STATUS);

	if (tdata1 & MC6_S)
		host |= MC6_VS;
	if (tdata1 & MC6_U)
		host |= MC6_VU;
	return host;
}

/* Remove this vCPU's triggers from the hart. Preemption off, loaded here. */
static void dbtr_hw_remove(struct kvm_vcpu_sbi_dbtr *d)
{
	unsigned int i;

	for (i = 0; i < d->nr; i++) {
		struct dbtr_trigger *t = &d->trig[i];

		if (t->hw == DBTR_HW_NONE)
			continue;
		sbi_ecall(KVM_SBI_EXT_DBTR, DBTR_UNINSTALL, t->hw, 1,
			  0, 0, 0, 0);
		t->hw = DBTR_HW_NONE;
	}
}

/* The firmware's view of the vCPU's buffer: (lo, hi) of its address. */
static struct sbiret dbtr_fw_set_shmem(struct kvm_vcpu_sbi_dbtr *d)
{
	u64 pa = virt_to_phys(d->fw);

	return sbi_ecall(KVM_SBI_EXT_DBTR, DBTR_SET_SHMEM, (unsigned long)pa,
			 IS_ENABLED(CONFIG_32BIT) ? upper_32_bits(pa) : 0,
			 0, 0, 0, 0);
}

static void dbtr_fw_clear_shmem(void)
{
	sbi_ecall(KVM_SBI_EXT_DBTR, DBTR_SET_SHMEM, SBI_SHMEM_DISABLE,
		  SBI_SHMEM_DISABLE, 0, 0, 0, 0);
}

/* Install the armed triggers on the hart. Preemption off, loaded here. */
static void dbtr_hw_install(struct kvm_vcpu_sbi_dbtr *d)
{
	u8 order[DBTR_MAX_TRIGGERS];
	unsigned int i, n = 0;
	struct sbiret r;

	for (i = 0; i < d->nr; i++) {
		const struct dbtr_trigger *t = &d->trig[i];

		if (!dbtr_armed(t))
			continue;
		d->fw[n] = (struct dbtr_entry) {
			.word = { 0, dbtr_host_tdata1(t->tdata1), t->tdata2,
				  t->tdata3 },
		};
		order[n++] = i;
	}
	if (!n)
		return;

	r = dbtr_fw_set_shmem(d);
	if (r.error == SBI_ERR_ALREADY_AVAILABLE) {
		/* Left set by an earlier user of this hart: take it over. */
		dbtr_fw_clear_shmem();
		r = dbtr_fw_set_shmem(d);
	}
	if (!r.error)
		r = sbi_ecall(KVM_SBI_EXT_DBTR, DBTR_INSTALL, n, 0, 0, 0, 0, 0);
	dbtr_fw_clear_shmem();
	if (r.error) {
		/* Its triggers taken by someone else: unarmed on this hart. */
		pr_warn_ratelimited("kvm: SBI DBTR: firmware refused %u guest triggers: %ld\n",
				    n, r.error);
		return;
	}
	for (i = 0; i < n; i++)
		d->trig[order[i]].hw = d->fw[i].word[0];
}

/*
 * Make the hart's triggers match the logical ones, if loaded here; and
 * have vcpu_load and vcpu_put call DBTR's hooks while any is armed.
 */
static void dbtr_sync(struct kvm_vcpu *vcpu, struct kvm_vcpu_sbi_dbtr *d)
{
	bool armed = false;
	unsigned int i;

	for (i = 0; i < d->nr; i++)
		armed |= dbtr_armed(&d->trig[i]);
	preempt_disable();
	/* Set before installing, cleared after removing: put sees them. */
	if (armed)
		WRITE_ONCE(vcpu->arch.sbi_context.hart_state, true);
	if (vcpu->cpu == smp_processor_id()) {
		dbtr_hw_remove(d);
		dbtr_hw_install(d);
	}
	if (!armed)
		WRITE_ONCE(vcpu->arch.sbi_context.hart_state, false);
	preempt_enable();
}

/* Called only while a trigger is armed (sbi_context.hart_state). */
static void dbtr_load(struct kvm_vcpu *vcpu, int cpu)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_of(vcpu);

	if (d)
		dbtr_hw_install(d);
}

static void dbtr_put(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_of(vcpu);

	if (d)
		dbtr_hw_remove(d);
}

/*
 * Check a guest tdata1 and tdata3 for install or update: 0, or the SBI
 * error (FAILURE: no trigger of that type; INVALID_PARAM: a mode the guest
 * does not have; NOT_SUPPORTED: a feature the triggers do not have).
 */
static long dbtr_check_tdata(unsigned long tdata1, unsigned long tdata3)
{
	if (TDATA1_TYPE(tdata1) != TYPE_MCONTROL6)
		return SBI_ERR_FAILURE;		/* no trigger takes it */
	if (tdata1 & MC6_FORBIDDEN)
		return SBI_ERR_INVALID_PARAM;
	if ((tdata1 & MC6_UNSUPPORTED) || tdata3)
		return SBI_ERR_NOT_SUPPORTED;
	return SBI_SUCCESS;
}

static void dbtr_set(struct dbtr_trigger *t, const struct dbtr_entry *e)
{
	t->tdata1 = e->word[1] & ~MC6_STATUS;
	t->tdata2 = e->word[2];
	t->tdata3 = e->word[3];
	t->state = TS_MAPPED | (t->tdata1 & MC6_S ? TS_S : 0) |
		   (t->tdata1 & MC6_U ? TS_U : 0);
}

/*
 * Bytes of @count shared-memory entries, which go to and from the guest
 * through the guest-memory helper as they are: the shared memory is
 * little-endian, as every RISC-V hart Linux runs on.
 */
#define DBTR_ENTRIES(count)	((count) * sizeof(struct dbtr_entry))

/* install and update fail with the index of the entry at fault. */
static void dbtr_ret_error_at(struct kvm_vcpu_sbi_return *ret, long err,
			      unsigned long idx)
{
	kvm_vcpu_sbi_ret_error(ret, err);
	ret->out_val = idx;
}

/* Common checks of the calls that need the vCPU's state and shmem. */
static struct kvm_vcpu_sbi_dbtr *dbtr_ready(struct kvm_vcpu *vcpu,
					    struct kvm_vcpu_sbi_return *ret,
					    bool shmem)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_of(vcpu);

	if (!d) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_FAILURE);
		return NULL;
	}
	if (shmem && d->shmem == INVALID_GPA) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_NO_SHMEM);
		return NULL;
	}
	return d;
}

static void dbtr_num_triggers(struct kvm_vcpu *vcpu,
			      const struct kvm_vcpu_sbi_call *call,
			      struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_ready(vcpu, ret, false);
	unsigned long tdata1 = call->args[0];

	if (!d)
		return;
	if (!tdata1 || dbtr_check_tdata(tdata1, 0) == SBI_SUCCESS)
		kvm_vcpu_sbi_ret_value(ret, d->nr);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
}

static void dbtr_set_shmem(struct kvm_vcpu *vcpu,
			   const struct kvm_vcpu_sbi_call *call,
			   struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_ready(vcpu, ret, false);
	unsigned long lo = call->args[0], hi = call->args[1];
	gpa_t gpa;
	int rc;

	if (!d)
		return;
	if (call->args[2]) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}
	if (lo == SBI_SHMEM_DISABLE && hi == SBI_SHMEM_DISABLE) {
		d->shmem = INVALID_GPA;
		kvm_vcpu_sbi_ret_value(ret, 0);
		return;
	}
	if (!kvm_vcpu_sbi_arg_pa(call, 0, &gpa)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_ADDRESS);
		return;
	}
	rc = kvm_riscv_vcpu_guest_pa_check(vcpu, gpa, DBTR_ENTRIES(d->nr),
					   sizeof(unsigned long), true);
	if (rc) {
		kvm_vcpu_sbi_ret_error(ret, rc == -EINVAL ?
				       SBI_ERR_INVALID_PARAM :
				       SBI_ERR_INVALID_ADDRESS);
		return;
	}
	d->shmem = gpa;
	kvm_vcpu_sbi_ret_value(ret, 0);
}

/*
 * A range of @count triggers from @base. The spec's "base + count >=
 * trig_max" would refuse the last trigger; this is the range that fits.
 */
static bool dbtr_range_ok(const struct kvm_vcpu_sbi_dbtr *d,
			  unsigned long base, unsigned long count)
{
	return base < d->nr && count <= d->nr - base;
}

static void dbtr_read(struct kvm_vcpu *vcpu,
		      const struct kvm_vcpu_sbi_call *call,
		      struct kvm_vcpu_sbi_return *ret)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_ready(vcpu, ret, true);
	unsigned long base = call->args[0], count = call->args[1];
	struct dbtr_entry buf[DBTR_MAX_TRIGGERS];
	unsigned int i;

	if (!d)
		return;
	if (!dbtr_range_ok(d, base, count)) {
		kvm_vcpu_sbi_ret_error(ret, KVM_SBI_ERR_BAD_RANGE);
		return;
	}
	for (i = 0; i < count; i++) {
		const struct dbtr_trigger *t = &d->trig[base + i];

		buf[i] = (struct dbtr_entry) {
			.word = { t->state, t->tdata1, t->tdata2, t->tdata3 },
		};
	}
	if (count && kvm_riscv_vcpu_write_guest_pa(vcpu, d->shmem, buf,
						   DBTR_ENTRIES(count)))
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_FAILURE);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
}

/*
 * install and update: the state, the shared memory, a count of 1 to
 * trig_max, and the entries read into @buf; NULL once @ret is answered.
 */
static struct kvm_vcpu_sbi_dbtr *dbtr_batch(struct kvm_vcpu *vcpu,
					    unsigned long count,
					    struct kvm_vcpu_sbi_return *ret,
					    struct dbtr_entry *buf)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_ready(vcpu, ret, true);

	if (!d)
		return NULL;
	if (!count || count > d->nr) {
		kvm_vcpu_sbi_ret_error(ret, KVM_SBI_ERR_BAD_RANGE);
		return NULL;
	}
	if (kvm_riscv_vcpu_read_guest_pa(vcpu, d->shmem, buf,
					 DBTR_ENTRIES(count))) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_FAILURE);
		return NULL;
	}
	return d;
}

static void dbtr_install(struct kvm_vcpu *vcpu,
			 const struct kvm_vcpu_sbi_call *call,
			 struct kvm_vcpu_sbi_return *ret)
{
	unsigned long count = call->args[0];
	struct dbtr_entry buf[DBTR_MAX_TRIGGERS];
	struct kvm_vcpu_sbi_dbtr *d = dbtr_batch(vcpu, count, ret, buf);
	unsigned int i, slot, free;
	long err;

	if (!d)
		return;
	/* All or nothing: check every entry, and the room, first. */
	for (i = 0; i < count; i++) {
		err = dbtr_check_tdata(buf[i].word[1], buf[i].word[3]);
		if (err) {
			dbtr_ret_error_at(ret, err, i);
			return;
		}
	}
	for (slot = 0, free = 0; slot < d->nr; slot++)
		free += !(d->trig[slot].state & TS_MAPPED);
	if (free < count) {
		dbtr_ret_error_at(ret, SBI_ERR_FAILURE, free);
		return;
	}
	for (i = 0, slot = 0; i < count; i++, slot++) {
		while (d->trig[slot].state & TS_MAPPED)
			slot++;
		dbtr_set(&d->trig[slot], &buf[i]);
		buf[i].word[0] = slot;
	}
	dbtr_sync(vcpu, d);
	/* The indexes go back in word 0 of each entry. */
	if (kvm_riscv_vcpu_write_guest_pa(vcpu, d->shmem, buf,
					  DBTR_ENTRIES(count)))
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_FAILURE);
	else
		kvm_vcpu_sbi_ret_value(ret, 0);
}

static void dbtr_update(struct kvm_vcpu *vcpu,
			const struct kvm_vcpu_sbi_call *call,
			struct kvm_vcpu_sbi_return *ret)
{
	unsigned long count = call->args[0];
	struct dbtr_entry buf[DBTR_MAX_TRIGGERS];
	struct kvm_vcpu_sbi_dbtr *d = dbtr_batch(vcpu, count, ret, buf);
	unsigned int i;
	long err;

	if (!d)
		return;
	for (i = 0; i < count; i++) {
		unsigned long idx = buf[i].word[0];

		if (idx >= d->nr)
			err = SBI_ERR_INVALID_PARAM;
		else if (!(d->trig[idx].state & TS_MAPPED))
			err = SBI_ERR_FAILURE;
		else
			err = dbtr_check_tdata(buf[i].word[1], buf[i].word[3]);
		if (err) {
			dbtr_ret_error_at(ret, err, i);
			return;
		}
	}
	for (i = 0; i < count; i++)
		dbtr_set(&d->trig[buf[i].word[0]], &buf[i]);
	dbtr_sync(vcpu, d);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

/*
 * The triggers base + i for the bits i of @mask; false (INVALID_PARAM) if
 * one of them is past the last trigger or not installed.
 */
static bool dbtr_mask_ok(const struct kvm_vcpu_sbi_dbtr *d,
			 unsigned long base, unsigned long mask)
{
	unsigned long i;

	for (i = 0; mask; i++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		if (base >= d->nr || i >= d->nr - base ||
		    !(d->trig[base + i].state & TS_MAPPED))
			return false;
	}
	return true;
}

/* uninstall, enable and disable: @op on each selected trigger. */
static void dbtr_masked(struct kvm_vcpu *vcpu,
			const struct kvm_vcpu_sbi_call *call,
			struct kvm_vcpu_sbi_return *ret,
			void (*op)(struct dbtr_trigger *t))
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_ready(vcpu, ret, false);
	unsigned long base = call->args[0], mask = call->args[1], i;

	if (!d)
		return;
	if (!dbtr_mask_ok(d, base, mask)) {
		kvm_vcpu_sbi_ret_error(ret, SBI_ERR_INVALID_PARAM);
		return;
	}
	for (i = 0; mask; i++, mask >>= 1)
		if (mask & 1)
			op(&d->trig[base + i]);
	dbtr_sync(vcpu, d);
	kvm_vcpu_sbi_ret_value(ret, 0);
}

static void dbtr_op_uninstall(struct dbtr_trigger *t)
{
	t->tdata1 = 0;
	t->tdata2 = 0;
	t->tdata3 = 0;
	t->state = 0;
}

/* enable gives back the S and U bits the trigger was installed with. */
static void dbtr_op_enable(struct dbtr_trigger *t)
{
	t->tdata1 &= ~MC6_MODES;
	if (t->state & TS_S)
		t->tdata1 |= MC6_S;
	if (t->state & TS_U)
		t->tdata1 |= MC6_U;
}

static void dbtr_op_disable(struct dbtr_trigger *t)
{
	t->tdata1 &= ~MC6_MODES;
}

static void dbtr_uninstall(struct kvm_vcpu *vcpu,
			   const struct kvm_vcpu_sbi_call *call,
			   struct kvm_vcpu_sbi_return *ret)
{
	dbtr_masked(vcpu, call, ret, dbtr_op_uninstall);
}

static void dbtr_enable(struct kvm_vcpu *vcpu,
			const struct kvm_vcpu_sbi_call *call,
			struct kvm_vcpu_sbi_return *ret)
{
	dbtr_masked(vcpu, call, ret, dbtr_op_enable);
}

static void dbtr_disable(struct kvm_vcpu *vcpu,
			 const struct kvm_vcpu_sbi_call *call,
			 struct kvm_vcpu_sbi_return *ret)
{
	dbtr_masked(vcpu, call, ret, dbtr_op_disable);
}

static unsigned long dbtr_probe(struct kvm_vcpu *vcpu)
{
	return dbtr_host_triggers() ? 1 : 0;
}

static void dbtr_clear(struct kvm_vcpu_sbi_dbtr *d)
{
	unsigned int i;

	d->shmem = INVALID_GPA;
	for (i = 0; i < DBTR_MAX_TRIGGERS; i++)
		d->trig[i] = (struct dbtr_trigger) { .hw = DBTR_HW_NONE };
}

static void dbtr_init(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_dbtr *d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);

	if (!d)
		return;		/* every call then answers SBI_ERR_FAILURE */
	d->nr = dbtr_host_triggers();
	dbtr_clear(d);
	vcpu->arch.sbi_context.dbtr = d;
}

static void dbtr_deinit(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_of(vcpu);
	unsigned int i;

	if (!d)
		return;
	for (i = 0; i < d->nr; i++)	/* vcpu_put removed them */
		WARN_ON_ONCE(d->trig[i].hw != DBTR_HW_NONE);
	vcpu->arch.sbi_context.dbtr = NULL;
	kfree(d);
}

/* At a vCPU reset the guest's triggers go, from the hart too. */
static void dbtr_reset(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_of(vcpu);

	if (!d)
		return;
	dbtr_clear(d);
	dbtr_sync(vcpu, d);
}

/*
 * State registers (KVM_REG_RISCV_SBI_DBTR): 0 and 1 are shmem_lo and
 * shmem_hi (as STA's); 2 + 4 * i + w is word w (state, tdata1, tdata2,
 * tdata3) of trigger i, as debug_read_triggers gives it. Listed for the
 * triggers this vCPU has. A write is checked alone (a state with only the
 * mapped, S and U bits; a tdata1 the guest could install; tdata2 any;
 * tdata3 0), and takes effect on the hart at once if the vCPU is loaded.
 */
#define DBTR_REG_TRIG0		KVM_REG_RISCV_SBI_DBTR_TRIG(0, 0)

static bool dbtr_state_reg_valid(struct kvm_vcpu *vcpu, unsigned int num)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_of(vcpu);

	return d && num < DBTR_REG_TRIG0 + 4 * d->nr;
}

static unsigned long dbtr_get_state_reg(struct kvm_vcpu *vcpu,
					unsigned int num)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_of(vcpu);
	const struct dbtr_trigger *t;

	if (num == 0)
		return (unsigned long)d->shmem;
	if (num == 1)
		return IS_ENABLED(CONFIG_32BIT) ?
		       upper_32_bits(d->shmem) : 0;
	t = &d->trig[(num - DBTR_REG_TRIG0) / 4];
	switch ((num - DBTR_REG_TRIG0) % 4) {
	case 0:
		return t->state;
	case 1:
		return t->tdata1;
	case 2:
		return t->tdata2;
	default:
		return t->tdata3;
	}
}

static int dbtr_set_state_reg(struct kvm_vcpu *vcpu, unsigned int num,
			      unsigned long val)
{
	struct kvm_vcpu_sbi_dbtr *d = dbtr_of(vcpu);
	struct dbtr_trigger *t;

	if (num <= 1) {
		if (IS_ENABLED(CONFIG_64BIT)) {
			if (num == 1)
				return val ? -EINVAL : 0;
			d->shmem = val;
		} else if (num == 1) {
			d->shmem = (u64)val << 32 | lower_32_bits(d->shmem);
		} else {
			d->shmem = (u64)upper_32_bits(d->shmem) << 32 | val;
		}
		return 0;
	}
	t = &d->trig[(num - DBTR_REG_TRIG0) / 4];
	switch ((num - DBTR_REG_TRIG0) % 4) {
	case 0:
		if (val & ~TS_GUEST_BITS)
			return -EINVAL;
		t->state = val;
		break;
	case 1:
		if (val && (dbtr_check_tdata(val, 0) || (val & MC6_STATUS)))
			return -EINVAL;
		t->tdata1 = val;
		break;
	case 2:
		t->tdata2 = val;
		break;
	default:
		if (val)
			return -EINVAL;
		break;
	}
	dbtr_sync(vcpu, d);
	return 0;
}

static const kvm_vcpu_sbi_fn dbtr_fns[] = {
	[DBTR_NUM_TRIGGERS]	= dbtr_num_triggers,
	[DBTR_SET_SHMEM]	= dbtr_set_shmem,
	[DBTR_READ]		= dbtr_read,
	[DBTR_INSTALL]		= dbtr_install,
	[DBTR_UPDATE]		= dbtr_update,
	[DBTR_UNINSTALL]	= dbtr_uninstall,
	[DBTR_ENABLE]		= dbtr_enable,
	[DBTR_DISABLE]		= dbtr_disable,
};

const struct kvm_vcpu_sbi_extension kvm_sbi_ext_dbtr = {
	.name		= "dbtr",
	.eid_start	= KVM_SBI_EXT_DBTR,
	.eid_end	= KVM_SBI_EXT_DBTR,
	.onereg_idx	= KVM_SBI_ALWAYS_ENABLED,
	.fns		= dbtr_fns,
	.nr_fns		= ARRAY_SIZE(dbtr_fns),
	.probe		= dbtr_probe,
	.init		= dbtr_init,
	.deinit		= dbtr_deinit,
	.reset		= dbtr_reset,
	.load		= dbtr_load,
	.put		= dbtr_put,
	.state_subtype	= KVM_REG_RISCV_SBI_DBTR,
	.nr_state_regs	= DBTR_REG_TRIG0 + 4 * DBTR_MAX_TRIGGERS,
	.state_reg_valid = dbtr_state_reg_valid,
	.get_state_reg	= dbtr_get_state_reg,
	.set_state_reg	= dbtr_set_state_reg,
};
