// SPDX-License-Identifier: GPL-2.0
/*
 * SBI Debug Console (DBCN, SBI 2.0): console_write and console_read of a
 * buffer in guest physical memory, and console_write_byte.
 *
 * KVM starts with DBCN disabled (as Linux 6.12 does); enabling it here
 * makes KVM offer it to the guest and forward its calls. The whole buffer
 * must lie in guest RAM, else SBI_ERR_INVALID_PARAM (the spec's answer for
 * DBCN, not INVALID_ADDRESS). A write or read moves at most DBCN_MAX_BYTES
 * per call and says how many it moved; the guest calls again for the rest.
 * A read never waits: with no input pending it moves 0 bytes.
 */
#include "sbi.h"

#define DBCN_MAX_BYTES	4096

#define DBCN_ENABLE_REG	RISCV_REG(KVM_REG_RISCV_SBI_EXT, \
				  KVM_REG_RISCV_SBI_SINGLE, \
				  KVM_RISCV_SBI_EXT_DBCN)

/*
 * The guest's buffer, if all of it is RAM, with the answer preset to
 * success; otherwise NULL, with the answer SBI_ERR_INVALID_PARAM.
 */
static void *dbcn_buffer(struct vcpu *vcpu, const struct sbi_call *call,
			 struct sbi_ret *ret)
{
	unsigned long num_bytes = call->args[0];
	unsigned long base_lo = call->args[1], base_hi = call->args[2];
	void *buf = NULL;

	/* On RV64 the address is base_lo: a high half must be zero. */
	if (!base_hi)
		buf = vm__guest_ptr(vcpu->vm, base_lo, num_bytes);
	ret->error = buf ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM;
	return buf;
}

/* How many bytes one call moves. */
static unsigned long dbcn_chunk(const struct sbi_call *call)
{
	return call->args[0] < DBCN_MAX_BYTES ? call->args[0] : DBCN_MAX_BYTES;
}

static void dbcn_write(struct vcpu *vcpu, const struct sbi_call *call,
		       struct sbi_ret *ret)
{
	void *buf = dbcn_buffer(vcpu, call, ret);

	if (!buf)
		return;
	console__write(buf, dbcn_chunk(call));
	ret->value = dbcn_chunk(call);
}

static void dbcn_read(struct vcpu *vcpu, const struct sbi_call *call,
		      struct sbi_ret *ret)
{
	void *buf = dbcn_buffer(vcpu, call, ret);

	if (buf) {
		ret->value = console__read(buf, dbcn_chunk(call));
		console_ring__input_taken();
	}
}

static void dbcn_write_byte(struct vcpu *vcpu, const struct sbi_call *call,
			    struct sbi_ret *ret)
{
	unsigned char c = call->args[0];

	(void)vcpu;
	console__write(&c, 1);
	ret->error = SBI_SUCCESS;
}

static int dbcn_enable(struct vcpu *vcpu)
{
	if (vcpu__set_reg(vcpu, DBCN_ENABLE_REG, 1))
		return pr_errno("vCPU %u: KVM_SET_ONE_REG(SBI_EXT DBCN = 1); legacy console only",
				vcpu->id);
	return 0;
}

static const sbi_fn dbcn_fns[] = {
	[SBI_DBCN_CONSOLE_WRITE]	= dbcn_write,
	[SBI_DBCN_CONSOLE_READ]		= dbcn_read,
	[SBI_DBCN_CONSOLE_WRITE_BYTE]	= dbcn_write_byte,
};

static const struct sbi_ext sbi_dbcn = {
	.name		= "dbcn",
	.eid_start	= SBI_EXT_DBCN,
	.eid_end	= SBI_EXT_DBCN,
	.fns		= dbcn_fns,
	.nr_fns		= ARRAY_SIZE(dbcn_fns),
	.vcpu_init	= dbcn_enable,
};

sbi_ext_register(sbi_dbcn);
