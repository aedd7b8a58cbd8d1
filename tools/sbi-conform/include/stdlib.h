/* SPDX-License-Identifier: GPL-2.0 */
/* libfdt includes <stdlib.h>; the parts it uses need nothing from it. */
#ifndef SBI_CONFORM_STDLIB_H
#define SBI_CONFORM_STDLIB_H

#include <stddef.h>

#endif /* SBI_CONFORM_STDLIB_H */
