/* SPDX-License-Identifier: GPL-2.0 */
/* The string functions runtime.c provides, for libfdt and the suite. */
#ifndef SBI_CONFORM_STRING_H
#define SBI_CONFORM_STRING_H

#include <stddef.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strrchr(const char *s, int c);

#endif /* SBI_CONFORM_STRING_H */
