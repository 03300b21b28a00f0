/* str.c: byte slices. */
#include <string.h>
#include "str.h"

struct str
str_from_cstr(const char *s)
{
	struct str r = {s, strlen(s)};

	return r;
}

bool
str_eq(struct str a, struct str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool
str_eq_cstr(struct str a, const char *s)
{
	return str_eq(a, str_from_cstr(s));
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

bool
str_caseeq(const void *a, size_t alen, const void *b, size_t blen)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (lower(x[i]) != lower(y[i]))
			return false;
	return true;
}

bool
str_casestarts(const void *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && str_caseeq(s, n, prefix, n);
}

size_t
str_chr(const void *s, size_t len, int c)
{
	const unsigned char *p;

	if (len == 0) /* memchr(NULL, c, 0) is undefined */
		return 0;
	p = memchr(s, c, len);
	return p ? (size_t)(p - (const unsigned char *)s) : len;
}

size_t
str_rchr(const void *s, size_t len, int c)
{
	const unsigned char *p = s;
	size_t i = len;

	while (i > 0)
		if (p[--i] == (unsigned char)c)
			return i;
	return len;
}

void
str_lower(void *s, size_t len)
{
	unsigned char *p = s;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)lower(p[i]);
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct str
str_trim(struct str s)
{
	while (s.len && is_ws(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_ws(s.p[s.len - 1]))
		s.len--;
	return s;
}
