/* scan.h: number parsing without atoi (banned).  Each returns the number
 * of bytes consumed (0 if no digit, or on overflow) and never reads past
 * len. */
#ifndef QUAIL_LIB_SCAN_H
#define QUAIL_LIB_SCAN_H

#include <stddef.h>

size_t scan_ulong(const char *s, size_t len, unsigned long *r);
size_t scan_ullong(const char *s, size_t len, unsigned long long *r);
size_t scan_xlong(const char *s, size_t len, unsigned long *r); /* hex */
/* Whole string must be a decimal number: returns 0 on success, -1 if not. */
int scan_ulong_all(const char *s, size_t len, unsigned long *r);

#endif
