/* fmt.h: formatting without stdio.
 * fmt_ulong writes the decimal digits of u to s (if s is not NULL) and
 * returns their count (at most FMT_ULONG - 1).
 * buf_printf/buf_vprintf append to a buf.  Formats understood:
 *   %s %.*s (int, const char *)  %c  %d %ld %lld  %u %lu %llu %zu
 *   %x %lx %llx  %%   and a width with 0 padding for numbers (%05lx).
 * They return 0, or -1 with errno as buf_cat. */
#ifndef QUAIL_LIB_FMT_H
#define QUAIL_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include "buf.h"

#define FMT_ULONG 41 /* enough for a 128-bit number and a NUL */

size_t fmt_ulong(char *s, unsigned long long u);
size_t fmt_xlong(char *s, unsigned long long u);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
