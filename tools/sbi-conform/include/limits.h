/* SPDX-License-Identifier: GPL-2.0 */
/* The limits libfdt uses, from the compiler's predefined macros. */
#ifndef SBI_CONFORM_LIMITS_H
#define SBI_CONFORM_LIMITS_H

#define INT_MAX		__INT_MAX__
#define INT_MIN		(-INT_MAX - 1)
#define UINT_MAX	(INT_MAX * 2U + 1U)

#endif /* SBI_CONFORM_LIMITS_H */
