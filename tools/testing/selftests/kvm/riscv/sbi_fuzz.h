/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the SBI fuzzers (sbi_fuzz, sbi_abi_fuzz) share: a seeded random
 * number generator whose streams are derived from (seed, stream) so that
 * every VM and every thread replays the same sequence for the same seed,
 * the clock, and counters printed in the progress and summary lines.
 */
#ifndef SELFTEST_KVM_RISCV_SBI_FUZZ_H
#define SELFTEST_KVM_RISCV_SBI_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct fuzz_rng {
	uint64_t s;
};

/* splitmix64: good enough to derive streams and to draw values. */
static inline uint64_t fuzz_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline void fuzz_rng_init(struct fuzz_rng *r, uint64_t seed,
				 uint64_t stream, uint64_t sub)
{
	r->s = fuzz_mix(fuzz_mix(fuzz_mix(seed) ^ stream) ^ sub);
}

static inline uint64_t fuzz_next(struct fuzz_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return fuzz_mix(r->s);
}

/* A value in [0, n), n > 0. */
static inline uint64_t fuzz_below(struct fuzz_rng *r, uint64_t n)
{
	return fuzz_next(r) % n;
}

/* True with probability 1/n. */
static inline int fuzz_one_in(struct fuzz_rng *r, uint64_t n)
{
	return fuzz_below(r, n) == 0;
}

static inline double fuzz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A seed when none is given: printed first, so that any run can be replayed. */
static inline uint64_t fuzz_default_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return fuzz_mix((uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec +
			((uint64_t)getpid() << 32));
}

static inline uint64_t fuzz_add(uint64_t *counter, uint64_t n)
{
	return __atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static inline uint64_t fuzz_get(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

#endif /* SELFTEST_KVM_RISCV_SBI_FUZZ_H */
