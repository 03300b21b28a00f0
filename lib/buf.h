/* buf.h: growable byte buffers with a fixed maximum (STYLE.md).
 * Every function returns 0, or -1 with errno ENOMEM or EMSGSIZE (the
 * buffer would grow past max).  A failed call leaves the buffer as it was.
 * p is NULL until the first byte is added; buf_free returns to that state. */
#ifndef QUAIL_LIB_BUF_H
#define QUAIL_LIB_BUF_H

#include <stddef.h>

struct buf {
	unsigned char *p;
	size_t len, cap, max;
};

#define BUF_INIT(m)                                                            \
	{                                                                      \
		NULL, 0, 0, (m)                                                \
	}

void buf_init(struct buf *b, size_t max);
int buf_ready(struct buf *b, size_t extra);
int buf_cat(struct buf *b, const void *s, size_t n);
int buf_cats(struct buf *b, const char *s);
int buf_catc(struct buf *b, int c);
int buf_catu(struct buf *b, unsigned long long u);
int buf_copy(struct buf *b, const void *s, size_t n);
int buf_cstr(struct buf *b); /* NUL after len, not counted */
void buf_reset(struct buf *b);
void buf_free(struct buf *b); /* also explicit_bzero of the contents */

#endif
