/* scan.c: decimal and hex numbers, with overflow checks. */
#include <limits.h>
#include "scan.h"

size_t
scan_ullong(const char *s, size_t len, unsigned long long *r)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (unsigned)(s[i] - '0'), &v))
			return 0;
	}
	if (i)
		*r = v;
	return i;
}

size_t
scan_ulong(const char *s, size_t len, unsigned long *r)
{
	unsigned long long v;
	size_t n = scan_ullong(s, len, &v);

	if (n == 0 || v > ULONG_MAX)
		return 0;
	*r = (unsigned long)v;
	return n;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
scan_xlong(const char *s, size_t len, unsigned long *r)
{
	unsigned long v = 0;
	size_t i;
	int d;

	for (i = 0; i < len && (d = hexval(s[i])) >= 0; i++) {
		if (__builtin_mul_overflow(v, 16, &v) ||
		    __builtin_add_overflow(v, (unsigned)d, &v))
			return 0;
	}
	if (i)
		*r = v;
	return i;
}

int
scan_ulong_all(const char *s, size_t len, unsigned long *r)
{
	if (len == 0 || scan_ulong(s, len, r) != len)
		return -1;
	return 0;
}
