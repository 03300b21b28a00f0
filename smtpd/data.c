/* data.c: the DATA byte state machine (see data.h).  Input is untrusted
 * network bytes; output never exceeds the input by more than the one CR
 * held back across calls. */
#include "data.h"

#include <string.h>

#include "limits.h"

enum {
	S_BOL,   /* at the start of a line */
	S_TEXT,  /* inside a line */
	S_CR,    /* CR seen inside a line */
	S_DOT,   /* '.' at the start of a line */
	S_DOTCR, /* ".\r" at the start of a line */
};

void
smtpd_data_init(struct data_sm *d, unsigned long long max)
{
	d->state = S_BOL;
	d->flags = 0;
	d->hops = 0;
	d->inhdr = 1;
	d->col = 0;
	d->size = 0;
	d->max = max;
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Header bookkeeping for one output byte: hop count (RFC 5321 6.3). */
static void
header_byte(struct data_sm *d, unsigned char c)
{
	if (c == '\n') {
		if (d->col == 0)
			d->inhdr = 0; /* the empty line ends the header */
		d->col = 0;
		return;
	}
	if (d->col < sizeof d->hbuf)
		d->hbuf[d->col] = lower(c);
	d->col++;
	if ((d->col == 9 && memcmp(d->hbuf, "received:", 9) == 0) ||
	    (d->col == 13 && memcmp(d->hbuf, "delivered-to:", 13) == 0)) {
		if (++d->hops > SMTP_MAX_HOPS)
			d->flags |= DATA_F_HOPS;
	}
}

static void
emit(struct data_sm *d, unsigned char c, unsigned char *out, size_t *o)
{
	if (c == '\0')
		d->flags |= DATA_F_NUL;
	if (d->inhdr)
		header_byte(d, c);
	d->size++;
	if (d->max && d->size > d->max)
		d->flags |= DATA_F_TOOBIG;
	out[(*o)++] = c;
}

/* One input byte.  Returns 1 at the end of DATA, -1 on bare LF. */
static int
step(struct data_sm *d, unsigned char c, unsigned char *out, size_t *o)
{
	switch (d->state) {
	case S_CR:
	case S_DOTCR:
		if (c == '\n') {
			if (d->state == S_DOTCR)
				return 1;
			emit(d, '\n', out, o);
			d->state = S_BOL;
			return 0;
		}
		d->flags |= DATA_F_BARECR;
		emit(d, '\r', out, o);
		d->state = S_TEXT;
		return step(d, c, out, o);
	case S_BOL:
		if (c == '.') {
			d->state = S_DOT;
			return 0;
		}
		break;
	case S_DOT:
		if (c == '\r') {
			d->state = S_DOTCR;
			return 0;
		}
		break; /* ".x" is "x", ".." is "." (RFC 5321 4.5.2) */
	default:
		break;
	}
	if (c == '\n')
		return -1;
	if (c == '\r') {
		d->state = S_CR;
		return 0;
	}
	emit(d, c, out, o);
	d->state = S_TEXT;
	return 0;
}

enum data_res
smtpd_data_feed(struct data_sm *d, const unsigned char *in, size_t n,
    unsigned char *out, size_t *outlen_r, size_t *used_r)
{
	size_t i, o = 0;
	int r;

	for (i = 0; i < n; i++) {
		r = step(d, in[i], out, &o);
		if (r != 0) {
			*outlen_r = o;
			*used_r = i + 1;
			return r > 0 ? DATA_END : DATA_BARELF;
		}
	}
	*outlen_r = o;
	*used_r = n;
	return DATA_MORE;
}
