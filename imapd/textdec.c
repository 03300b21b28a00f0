/* textdec.c: the text SEARCH compares (RFC 3501 6.4.4): content
 * transfer encodings (RFC 2045 6.7 quoted-printable, 6.8 base64, both
 * lenient as readers must be), RFC 2047 encoded-words in header values,
 * charsets utf-8, us-ascii, iso-8859-1, iso-8859-15 and windows-1252 to
 * UTF-8 (others: the decoded bytes unconverted), and a length-keeping
 * simple case fold (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic).
 * Pure: no I/O.  Decoders append to a struct buf and stop silently at
 * its max (bounded work); they return -1 only with errno ENOMEM. */
#include <errno.h>
#include <string.h>
#include "base64.h"
#include "search.h"
#include "str.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Room for n more bytes, or as many as max allows: the count. */
static size_t
room(struct buf *out, size_t n)
{
	size_t r = out->max - out->len;

	if (n > r)
		n = r;
	if (n > 0 && buf_ready(out, n) < 0)
		return 0;
	return n;
}

int
dec_qp(const char *p, size_t n, bool q, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)p, *e = s + n;
	size_t r = room(out, n), i = 0;
	unsigned char *o = out->p + out->len;
	int h, l;

	if (r == 0)
		return n > 0 && out->len < out->max ? -1 : 0;
	while (s < e && i < r) {
		if (*s == '=' && e - s >= 3 && (h = hexval(s[1])) >= 0 &&
		    (l = hexval(s[2])) >= 0) {
			o[i++] = (unsigned char)(h << 4 | l);
			s += 3;
		} else if (*s == '=' && !q) { /* soft line break? */
			const unsigned char *t = s + 1;
			while (t < e && (*t == ' ' || *t == '\t'))
				t++;
			if (t < e && *t == '\r')
				t++;
			if (t == e || *t == '\n') {
				s = t < e ? t + 1 : t;
				continue;
			}
			o[i++] = *s++;
		} else {
			o[i++] = q && *s == '_' ? ' ' : *s;
			s++;
		}
	}
	out->len += i;
	return 0;
}

int
dec_base64(const char *p, size_t n, struct buf *out)
{
	size_t r = room(out, n / 4 * 3 + 3), i = 0, k;
	unsigned char *o = out->p + out->len;
	unsigned long acc = 0;
	int bits = 0, v;

	if (r == 0)
		return n > 0 && out->len < out->max ? -1 : 0;
	for (k = 0; k < n && i < r; k++) {
		if (p[k] == '=')
			break;
		if ((v = base64_value((unsigned char)p[k])) < 0)
			continue; /* line breaks and garbage */
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[i++] = (unsigned char)(acc >> bits);
		}
	}
	out->len += i;
	return 0;
}

/* windows-1252 0x80..0x9f (0: undefined, kept as U+0080 + x). */
static const unsigned short cp1252[32] = {0x20ac, 0, 0x201a, 0x0192, 0x201e,
    0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d,
    0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc,
    0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178};

static unsigned
latin9(unsigned c)
{
	static const unsigned short from[8] = {
	    0xa4, 0xa6, 0xa8, 0xb4, 0xb8, 0xbc, 0xbd, 0xbe};
	static const unsigned short to[8] = {
	    0x20ac, 0x160, 0x161, 0x17d, 0x17e, 0x152, 0x153, 0x178};
	size_t i;

	for (i = 0; i < 8; i++)
		if (from[i] == c)
			return to[i];
	return c;
}

enum cset {
	CS_RAW,
	CS_LATIN1,
	CS_LATIN9,
	CS_CP1252,
};

static const struct {
	const char *name;
	enum cset k;
} csets[] = {
    {"iso-8859-1", CS_LATIN1},
    {"iso8859-1", CS_LATIN1},
    {"iso_8859-1", CS_LATIN1},
    {"latin1", CS_LATIN1},
    {"l1", CS_LATIN1},
    {"iso-8859-15", CS_LATIN9},
    {"iso8859-15", CS_LATIN9},
    {"latin-9", CS_LATIN9},
    {"windows-1252", CS_CP1252},
    {"cp1252", CS_CP1252},
};

static enum cset
charset_kind(const char *cs, size_t n)
{
	size_t i;

	n = str_chr(cs, n, '*'); /* RFC 2231 language suffix */
	for (i = 0; i < sizeof csets / sizeof csets[0]; i++)
		if (str_caseeq(cs, n, csets[i].name, strlen(csets[i].name)))
			return csets[i].k;
	return CS_RAW; /* utf-8, us-ascii and the unknown */
}

static void
put_utf8(unsigned char *o, size_t *i, unsigned c)
{
	if (c < 0x80)
		o[(*i)++] = (unsigned char)c;
	else if (c < 0x800) {
		o[(*i)++] = (unsigned char)(0xc0 | c >> 6);
		o[(*i)++] = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		o[(*i)++] = (unsigned char)(0xe0 | c >> 12);
		o[(*i)++] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		o[(*i)++] = (unsigned char)(0x80 | (c & 0x3f));
	}
}

int
dec_charset(
    const char *cs, size_t csl, const char *p, size_t n, struct buf *out)
{
	enum cset k = charset_kind(cs, csl);
	size_t r, i = 0, j;
	unsigned char *o;
	unsigned c;

	if (k == CS_RAW) {
		r = room(out, n);
		if (r > 0)
			memcpy(out->p + out->len, p, r);
		out->len += r;
		return r == 0 && n > 0 && out->len < out->max ? -1 : 0;
	}
	r = room(out, n * 3);
	o = out->p + out->len;
	for (j = 0; j < n && i + 3 <= r; j++) {
		c = (unsigned char)p[j];
		if (k == CS_LATIN9)
			c = latin9(c);
		else if (k == CS_CP1252 && c >= 0x80 && c < 0xa0 &&
		         cp1252[c - 0x80])
			c = cp1252[c - 0x80];
		put_utf8(o, &i, c);
	}
	out->len += i;
	return r == 0 && n > 0 && out->len < out->max ? -1 : 0;
}

/* An encoded-word "=?charset?B|Q?text?=" at p[0..n) (RFC 2047 2):
 * its parts, and its length; 0 if there is none. */
static size_t
eword(const char *p, size_t n, const char **cs, size_t *csl, char *enc,
    const char **t, size_t *tl)
{
	size_t i = 2, e;

	if (n < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	while (i < n && p[i] != '?' && p[i] != ' ' && p[i] != '\t' &&
	       p[i] != '\r' && p[i] != '\n')
		i++;
	if (i == 2 || i + 3 >= n || p[i] != '?' || p[i + 2] != '?')
		return 0;
	*cs = p + 2;
	*csl = i - 2;
	*enc = (char)(p[i + 1] | 0x20);
	if (*enc != 'b' && *enc != 'q')
		return 0;
	for (e = i + 3; e + 1 < n; e++) {
		if (p[e] == ' ' || p[e] == '\t' || p[e] == '\r' || p[e] == '\n')
			return 0;
		if (p[e] == '?' && p[e + 1] == '=')
			break;
	}
	if (e + 1 >= n)
		return 0;
	*t = p + i + 3;
	*tl = e - i - 3;
	return e + 2;
}

static int
eword_decode(const char *cs, size_t csl, char enc, const char *t, size_t tl,
    struct buf *tmp, struct buf *out)
{
	buf_reset(tmp);
	if ((enc == 'b' ? dec_base64(t, tl, tmp) : dec_qp(t, tl, true, tmp)) <
	    0)
		return -1;
	return dec_charset(
	    cs, csl, tmp->p ? (char *)tmp->p : "", tmp->len, out);
}

/* Appends bytes unless out is full; -1 only for ENOMEM. */
static int
put(struct buf *out, const char *p, size_t n)
{
	size_t r = room(out, n);

	if (r > 0)
		memcpy(out->p + out->len, p, r);
	out->len += r;
	return r < n && out->len < out->max ? -1 : 0;
}

int
dec_header(const char *p, size_t n, struct buf *out)
{
	struct buf tmp = BUF_INIT(n + 4);
	const char *cs, *t;
	size_t i = 0, k, csl, tl, ws = 0, wsat = 0;
	bool after_word = false;
	char enc;
	int r = 0;

	while (i < n && r == 0 && out->len < out->max) {
		if (p[i] == '\r' || p[i] == '\n') { /* unfold */
			i++;
			continue;
		}
		if (p[i] == ' ' || p[i] == '\t') {
			if (ws++ == 0)
				wsat = i;
			i++;
			continue;
		}
		k = eword(p + i, n - i, &cs, &csl, &enc, &t, &tl);
		if (ws > 0 && !(k > 0 && after_word)) /* 2047 6.2 */
			r = put(out, p + wsat, 1);
		ws = 0;
		if (r < 0)
			break;
		if (k > 0) {
			r = eword_decode(cs, csl, enc, t, tl, &tmp, out);
			i += k;
			after_word = true;
			continue;
		}
		for (k = i;
		     k < n && p[k] != ' ' && p[k] != '\t' && p[k] != '\r' &&
		     p[k] != '\n' && !(k > i && p[k] == '=');
		     k++)
			;
		r = put(out, p + i, k - i);
		i = k;
		after_word = false;
	}
	buf_free(&tmp);
	return r;
}

/* Simple case fold of a code point below U+0800 whose folded form is
 * also two bytes of UTF-8 (the fold keeps lengths). */
static unsigned
fold_cp(unsigned c)
{
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7) ||
	    (c >= 0x391 && c <= 0x3a9 && c != 0x3a2) ||
	    (c >= 0x410 && c <= 0x42f))
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	if (c == 0x178)
		return 0xff;
	if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) ||
	    (c >= 0x14a && c <= 0x177))
		return c | 1;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return (c & 1) ? c + 1 : c;
	return c;
}

void
text_fold(char *p, size_t n)
{
	unsigned char *s = (unsigned char *)p;
	size_t i;
	unsigned c;

	for (i = 0; i < n; i++) {
		if (s[i] < 0x80) {
			if (s[i] >= 'A' && s[i] <= 'Z')
				s[i] += 32;
			continue;
		}
		if (s[i] < 0xc2 || s[i] > 0xdf || i + 1 >= n ||
		    (s[i + 1] & 0xc0) != 0x80)
			continue;
		c = fold_cp((unsigned)(s[i] & 0x1f) << 6 | (s[i + 1] & 0x3f));
		s[i] = (unsigned char)(0xc0 | c >> 6);
		s[i + 1] = (unsigned char)(0x80 | (c & 0x3f));
		i++;
	}
}

#define WIN_CHUNK (64 * 1024)

bool
text_find(const char *h, size_t hl, const char *nd, size_t nl)
{
	const char *p = h, *e = h + hl;

	if (nl == 0)
		return true;
	while (nl <= (size_t)(e - p) &&
	       (p = memchr(p, nd[0], (size_t)(e - p) - nl + 1)) != NULL) {
		if (memcmp(p + 1, nd + 1, nl - 1) == 0)
			return true;
		p++;
	}
	return false;
}

bool
text_has(const char *p, size_t n, const char *nd, size_t nl)
{
	static char win[WIN_CHUNK + SEARCH_STR_MAX];
	size_t keep = 0, take, total;
	unsigned char last;

	if (nl == 0)
		return true;
	if (nl > SEARCH_STR_MAX)
		return false;
	while (n > 0) {
		take = n > WIN_CHUNK ? WIN_CHUNK : n;
		last = (unsigned char)p[take - 1];
		if (take < n && last >= 0xc2 && last <= 0xdf)
			take--; /* keep a 2-byte sequence whole */
		memcpy(win + keep, p, take);
		text_fold(win + keep, take);
		total = keep + take;
		if (text_find(win, total, nd, nl))
			return true;
		p += take;
		n -= take;
		keep = total < nl - 1 ? total : nl - 1;
		memmove(win, win + total - keep, keep);
	}
	return false;
}
