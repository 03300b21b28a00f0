/* reply.c: SMTP reply lines (RFC 5321 4.2) and EHLO keywords.
 * Pure parsers over the peer's bytes: untrusted input, bounded. */
#include <string.h>

#include "remote.h"
#include "scan.h"
#include "str.h"

void
reply_init(struct reply *r)
{
	r->code = 0;
	r->lines = 0;
	if (r->text.max == 0)
		buf_init(&r->text, REPLY_TEXT_MAX);
	buf_reset(&r->text);
}

static bool
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* Appends p[0..n) to the text, control bytes as '_', silently cut at
 * the buffer's maximum less one byte, kept for a NUL. */
static void
text_add(struct buf *t, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && t->len + 1 < t->max; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c == 0x7f)
			c = '_';
		if (buf_catc(t, c) < 0)
			return;
	}
}

enum rres
reply_line(struct reply *r, const char *p, size_t n)
{
	unsigned code;

	if (n < 3 || p[0] < '2' || p[0] > '5' || !isdig(p[1]) || !isdig(p[2]))
		return RP_SYNTAX;
	if (n > 3 && p[3] != ' ' && p[3] != '-')
		return RP_SYNTAX;
	code = (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 +
	       (unsigned)(p[2] - '0');
	if (r->lines > 0 && code != r->code)
		return RP_SYNTAX;
	if (r->lines >= REPLY_LINES_MAX)
		return RP_TOOLONG;
	r->code = code;
	r->lines++;
	if (r->text.len > 0)
		text_add(&r->text, "/", 1);
	text_add(&r->text, p, 3);
	if (n > 4) {
		text_add(&r->text, " ", 1);
		text_add(&r->text, p + 4, n - 4);
	}
	(void)buf_cstr(&r->text); /* room was kept: cannot fail but ENOMEM */
	return n > 3 && p[3] == '-' ? RP_MORE : RP_OK;
}

size_t
reply_enhanced(const struct reply *r, char st[16])
{
	const char *p = (const char *)r->text.p;
	size_t n = r->text.len, i = 4, d;
	int part;

	if (n < 4 || p[3] != ' ' || p[4] != p[0])
		return 0;
	for (part = 0; part < 3; part++) {
		d = 0;
		while (i < n && isdig(p[i]) && d < 3) {
			i++;
			d++;
		}
		if (d == 0 || (part == 0 && d != 1))
			return 0;
		if (part < 2) {
			if (i >= n || p[i] != '.')
				return 0;
			i++;
		}
	}
	if (i < n && p[i] != ' ' && p[i] != '/')
		return 0;
	memcpy(st, p + 4, i - 4);
	st[i - 4] = '\0';
	return i - 4;
}

static bool
word_is(const char *p, size_t n, const char *w)
{
	return str_caseeq(p, n, w, strlen(w));
}

/* "AUTH PLAIN LOGIN" or the old "AUTH=LOGIN" */
static void
auth_words(struct caps *c, const char *p, size_t n)
{
	size_t i = 0, s;

	while (i < n) {
		while (i < n && (p[i] == ' ' || p[i] == '='))
			i++;
		s = i;
		while (i < n && p[i] != ' ')
			i++;
		if (word_is(p + s, i - s, "PLAIN"))
			c->auth_plain = true;
		else if (word_is(p + s, i - s, "LOGIN"))
			c->auth_login = true;
	}
}

void
ehlo_line(struct caps *c, const char *p, size_t n)
{
	size_t k, e;
	unsigned long long v;

	if (n < 5)
		return;
	p += 4;
	n -= 4;
	k = 0;
	while (k < n && p[k] != ' ' && p[k] != '=')
		k++;
	e = k < n ? k + 1 : n;
	if (word_is(p, k, "PIPELINING"))
		c->pipelining = true;
	else if (word_is(p, k, "8BITMIME"))
		c->eightbit = true;
	else if (word_is(p, k, "SMTPUTF8"))
		c->smtputf8 = true;
	else if (word_is(p, k, "STARTTLS"))
		c->starttls = true;
	else if (word_is(p, k, "AUTH"))
		auth_words(c, p + k, n - k);
	else if (word_is(p, k, "SIZE")) {
		c->size = true;
		c->sizemax = 0;
		if (e < n && scan_ullong(p + e, n - e, &v) > 0)
			c->sizemax = v;
	}
}
