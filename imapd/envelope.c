/* envelope.c: ENVELOPE and BODY/BODYSTRUCTURE (RFC 3501 7.4.2) from a
 * message parsed by lib/mime.  Header values are sent unfolded and
 * otherwise as found (RFC 2047 words stay encoded, as the RFC says).
 * Addresses are parsed with a small RFC 5322 scanner that knows quoted
 * strings, comments, angle addresses, source routes and groups. */
#include <string.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "mime.h"
#include "str.h"

#define ADDR_MAX 1000 /* addresses per field */

static void
cat(struct buf *b, const char *s)
{
	if (buf_cats(b, s) < 0)
		die_nomem();
}

static void
field(struct buf *b, const char *hdr, size_t hl, const char *name)
{
	struct buf v = BUF_INIT(1 << 20);
	const char *p;
	size_t n;

	if (!mime_header_find(hdr, hl, name, &p, &n) ||
	    mime_unfold(p, n, &v) < 0) {
		cat(b, "NIL");
		return;
	}
	while (v.len > 0 && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
		v.len--;
	buf_string(b, v.p ? (char *)v.p : "", v.len);
	buf_free(&v);
}

/* One token of an address list. */
struct atok {
	char kind; /* 'w' word, 'q' quoted, or the special itself */
	const char *p;
	size_t len;
};

static size_t
tokenize(const char *p, size_t len, struct atok *t, size_t max)
{
	size_t i = 0, n = 0;
	int depth;

	while (i < len && n < max) {
		char c = p[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
		} else if (c == '(') {
			for (depth = 0; i < len; i++) {
				if (p[i] == '\\' && i + 1 < len)
					i++;
				else if (p[i] == '(')
					depth++;
				else if (p[i] == ')' && --depth == 0)
					break;
			}
			i++;
		} else if (c == '"') {
			size_t s = ++i;
			while (i < len && p[i] != '"')
				i += p[i] == '\\' && i + 1 < len ? 2 : 1;
			t[n++] =
			    (struct atok){'q', p + s, (i < len ? i : len) - s};
			i++;
		} else if (strchr("<>,:;@", c)) {
			t[n++] = (struct atok){c, p + i, 1};
			i++;
		} else {
			size_t s = i;
			while (i < len && !strchr(" \t\r\n()\"<>,:;@", p[i]))
				i++;
			t[n++] = (struct atok){'w', p + s, i - s};
		}
	}
	return n;
}

/* Text of tokens [a, b) joined: words with single spaces, '.' kept. */
static void
join(struct buf *out, const struct atok *t, size_t a, size_t b, bool spaces)
{
	size_t i;

	buf_reset(out);
	for (i = a; i < b; i++) {
		if (spaces && out->len > 0 && t[i].kind != '@' &&
		    !(i > a && t[i - 1].kind == '@') && buf_catc(out, ' ') < 0)
			die_nomem();
		if (t[i].kind == 'q') {
			size_t k;
			for (k = 0; k < t[i].len; k++) {
				if (t[i].p[k] == '\\' && k + 1 < t[i].len)
					k++;
				if (buf_catc(out, t[i].p[k]) < 0)
					die_nomem();
			}
		} else if (buf_cat(out, t[i].p, t[i].len) < 0)
			die_nomem();
	}
}

static void
nstr(struct buf *b, struct buf *v)
{
	if (v->len == 0)
		cat(b, "NIL");
	else
		buf_string(b, v->p, v->len);
}

/* addr-spec in tokens [a, b): local "@" domain */
static void
one_addr(struct buf *b, const struct atok *t, size_t a, size_t e,
    struct buf *name, struct buf *adl)
{
	struct buf lp = BUF_INIT(4096), dom = BUF_INIT(4096);
	size_t at = e, i;

	for (i = a; i < e; i++)
		if (t[i].kind == '@')
			at = i;
	join(&lp, t, a, at, false);
	if (at < e)
		join(&dom, t, at + 1, e, false);
	cat(b, "(");
	nstr(b, name);
	cat(b, " ");
	nstr(b, adl);
	cat(b, " ");
	nstr(b, &lp);
	cat(b, " ");
	if (dom.len == 0 && lp.len > 0)
		cat(b, "\"MISSING_DOMAIN\"");
	else
		nstr(b, &dom);
	cat(b, ")");
	buf_free(&lp);
	buf_free(&dom);
}

/* One mailbox in [a, e): "phrase <route:addr>" or "addr". */
static void
mailbox(struct buf *b, const struct atok *t, size_t a, size_t e)
{
	struct buf name = BUF_INIT(4096), adl = BUF_INIT(4096);
	size_t lt = e, gt, i, colon;

	for (i = a; i < e; i++)
		if (t[i].kind == '<') {
			lt = i;
			break;
		}
	if (lt == e) {
		one_addr(b, t, a, e, &name, &adl);
		return;
	}
	join(&name, t, a, lt, true);
	for (gt = lt + 1; gt < e && t[gt].kind != '>'; gt++)
		;
	colon = lt;
	for (i = lt + 1; i < gt; i++)
		if (t[i].kind == ':')
			colon = i;
	if (colon != lt)
		join(&adl, t, lt + 1, colon, false);
	one_addr(b, t, colon + 1, gt, &name, &adl);
	buf_free(&name);
	buf_free(&adl);
}

static void
addresses(struct buf *b, const char *hdr, size_t hl, const char *fname)
{
	static struct atok t[4 * ADDR_MAX];
	struct buf g = BUF_INIT(4096);
	const char *p;
	size_t n, i, start, plen, any = 0;
	bool ingroup = false, angle = false;

	if (!mime_header_find(hdr, hl, fname, &p, &plen)) {
		cat(b, "NIL");
		return;
	}
	n = tokenize(p, plen, t, sizeof t / sizeof t[0]);
	cat(b, "(");
	for (i = start = 0; i <= n; i++) {
		char k = i < n ? t[i].kind : ',';
		if (k == '<')
			angle = true;
		if (k == '>')
			angle = false;
		if (angle && i < n)
			continue;
		if (k == ':' && !ingroup) {
			join(&g, t, start, i, true);
			cat(b, "(NIL NIL ");
			nstr(b, &g);
			cat(b, " NIL)");
			ingroup = true;
			start = i + 1;
			any++;
		} else if (k == ',' || k == ';') {
			if (i > start) {
				mailbox(b, t, start, i);
				any++;
			}
			if (k == ';' && ingroup) {
				cat(b, "(NIL NIL NIL NIL)");
				ingroup = false;
			}
			start = i + 1;
		}
	}
	if (ingroup)
		cat(b, "(NIL NIL NIL NIL)");
	if (any == 0) {
		b->len--;
		cat(b, "NIL");
	} else
		cat(b, ")");
	buf_free(&g);
}

void imap_envelope(struct buf *b, const char *hdr, size_t hl);

void
imap_envelope(struct buf *b, const char *hdr, size_t hl)
{
	const char *v;
	size_t vl;

	cat(b, "(");
	field(b, hdr, hl, "Date");
	cat(b, " ");
	field(b, hdr, hl, "Subject");
	cat(b, " ");
	addresses(b, hdr, hl, "From");
	cat(b, " ");
	addresses(b, hdr, hl,
	    mime_header_find(hdr, hl, "Sender", &v, &vl) ? "Sender" : "From");
	cat(b, " ");
	addresses(b, hdr, hl,
	    mime_header_find(hdr, hl, "Reply-To", &v, &vl) ? "Reply-To"
	                                                   : "From");
	cat(b, " ");
	addresses(b, hdr, hl, "To");
	cat(b, " ");
	addresses(b, hdr, hl, "Cc");
	cat(b, " ");
	addresses(b, hdr, hl, "Bcc");
	cat(b, " ");
	field(b, hdr, hl, "In-Reply-To");
	cat(b, " ");
	field(b, hdr, hl, "Message-ID");
	cat(b, ")");
}

static void
params(struct buf *b, const char *p, size_t len, bool text_default)
{
	struct buf v = BUF_INIT(1 << 16);
	size_t pos = 0, al, n = 0;
	const char *a;

	while (mime_param_next(p, len, &pos, &a, &al, &v)) {
		cat(b, n++ ? " " : "(");
		buf_string(b, a, al);
		cat(b, " ");
		buf_string(b, v.p ? (char *)v.p : "", v.len);
	}
	if (n)
		cat(b, ")");
	else
		cat(b, text_default ? "(\"charset\" \"us-ascii\")" : "NIL");
	buf_free(&v);
}

static void
disposition(struct buf *b, const char *hdr, size_t hl)
{
	const char *v, *t;
	size_t vl, tl, e;

	if (!mime_header_find(hdr, hl, "Content-Disposition", &v, &vl) ||
	    !mime_token(v, vl, &t, &tl, &e)) {
		cat(b, "NIL");
		return;
	}
	cat(b, "(");
	buf_string(b, t, tl);
	cat(b, " ");
	params(b, v + e, vl - e, false);
	cat(b, ")");
}

static void
body_ext(struct buf *b, const char *hdr, size_t hl, bool multi,
    const struct mime_part *mp)
{
	cat(b, " ");
	if (multi)
		params(b, mp->params, mp->params_len, false);
	else
		field(b, hdr, hl, "Content-MD5");
	cat(b, " ");
	disposition(b, hdr, hl);
	cat(b, " ");
	field(b, hdr, hl, "Content-Language");
	cat(b, " ");
	field(b, hdr, hl, "Content-Location");
}

void imap_bodystructure(
    struct buf *b, const char *msg, const struct mime *m, int idx, bool ext);

void
imap_bodystructure(
    struct buf *b, const char *msg, const struct mime *m, int idx, bool ext)
{
	const struct mime_part *mp = &m->part[idx];
	const char *hdr = msg + mp->off, *v, *t;
	size_t hl = mp->hdr_len, vl, tl, e;
	bool text = str_caseeq(mp->type, mp->type_len, "text", 4);
	int c;

	cat(b, "(");
	if (str_caseeq(mp->type, mp->type_len, "multipart", 9) &&
	    mp->child >= 0) {
		for (c = mp->child; c >= 0; c = m->part[c].next)
			imap_bodystructure(b, msg, m, c, ext);
		cat(b, " ");
		buf_string(b, mp->subtype, mp->subtype_len);
		if (ext)
			body_ext(b, hdr, hl, true, mp);
		cat(b, ")");
		return;
	}
	buf_string(b, mp->type, mp->type_len);
	cat(b, " ");
	buf_string(b, mp->subtype, mp->subtype_len);
	cat(b, " ");
	params(b, mp->params, mp->params_len, text && mp->params_len == 0);
	cat(b, " ");
	field(b, hdr, hl, "Content-ID");
	cat(b, " ");
	field(b, hdr, hl, "Content-Description");
	cat(b, " ");
	if (mime_header_find(hdr, hl, "Content-Transfer-Encoding", &v, &vl) &&
	    mime_token(v, vl, &t, &tl, &e))
		buf_string(b, t, tl);
	else
		cat(b, "\"7BIT\"");
	if (buf_printf(b, " %zu", mp->body_len) < 0)
		die_nomem();
	if (mp->child >= 0 &&
	    str_caseeq(mp->type, mp->type_len, "message", 7)) {
		const struct mime_part *inner = &m->part[mp->child];
		cat(b, " ");
		imap_envelope(b, msg + inner->off, inner->hdr_len);
		cat(b, " ");
		imap_bodystructure(b, msg, m, mp->child, ext);
		if (buf_printf(b, " %zu", mp->lines) < 0)
			die_nomem();
	} else if (text && buf_printf(b, " %zu", mp->lines) < 0)
		die_nomem();
	if (ext)
		body_ext(b, hdr, hl, false, mp);
	cat(b, ")");
}
