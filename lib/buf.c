/* buf.c: growable byte buffers with a hard maximum. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "fmt.h"

void
buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* Room for extra more bytes plus a NUL that buf_cstr may add. */
int
buf_ready(struct buf *b, size_t extra)
{
	size_t need, ncap, limit;
	unsigned char *np;

	if (__builtin_add_overflow(b->len, extra, &need) || need > b->max) {
		errno = EMSGSIZE;
		return -1;
	}
	if (need == SIZE_MAX) {
		errno = ENOMEM;
		return -1;
	}
	need++; /* the NUL of buf_cstr */
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		if (__builtin_mul_overflow(ncap, 2, &ncap)) {
			ncap = need;
			break;
		}
	limit = b->max == SIZE_MAX ? SIZE_MAX : b->max + 1;
	if (ncap > limit)
		ncap = limit;
	np = realloc(b->p, ncap);
	if (!np) {
		errno = ENOMEM;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

int
buf_cat(struct buf *b, const void *s, size_t n)
{
	if (buf_ready(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

int
buf_cats(struct buf *b, const char *s)
{
	return buf_cat(b, s, strlen(s));
}

int
buf_catc(struct buf *b, int c)
{
	unsigned char ch = (unsigned char)c;

	return buf_cat(b, &ch, 1);
}

int
buf_catu(struct buf *b, unsigned long long u)
{
	char tmp[FMT_ULONG];

	return buf_cat(b, tmp, fmt_ulong(tmp, u));
}

int
buf_copy(struct buf *b, const void *s, size_t n)
{
	size_t old = b->len;

	b->len = 0;
	if (buf_cat(b, s, n) < 0) {
		b->len = old;
		return -1;
	}
	return 0;
}

int
buf_cstr(struct buf *b)
{
	if (buf_ready(b, 0) < 0)
		return -1;
	b->p[b->len] = 0;
	return 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
}

void
buf_free(struct buf *b)
{
	if (b->p)
		explicit_bzero(b->p, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}
