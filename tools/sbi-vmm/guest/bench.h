/* SPDX-License-Identifier: GPL-2.0 */
/* The guest's workloads for make bench (bench.c). */
#ifndef GUEST_BENCH_H
#define GUEST_BENCH_H

void bench_run(const char *list, unsigned long boot_ticks);

#endif /* GUEST_BENCH_H */
