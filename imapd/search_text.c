/* search_text.c: the text SEARCH keys look at (RFC 3501 6.4.4): header
 * values with RFC 2047 words decoded, and the leaves of the MIME tree
 * (lib/mime) with their transfer encoding undone and their charset
 * turned into UTF-8.  Text parts in base64 or quoted-printable are
 * decoded (at most SEARCH_PART_MAX bytes of each); other base64 parts
 * (attachments) are not searched; 7bit, 8bit and binary bodies are
 * matched as they are, to their end.  Headers of encapsulated messages
 * count as body text.  Work is linear in the message size. */
#include <string.h>
#include "search.h"
#include "mime.h"
#include "str.h"

static struct buf d1 = BUF_INIT(SEARCH_PART_MAX);
static struct buf d2 = BUF_INIT(SEARCH_PART_MAX);

static const char *
bp(const struct buf *b)
{
	return b->p ? (const char *)b->p : "";
}

bool
search_value(const char *v, size_t vl, const char *nd, size_t nl)
{
	if (!text_find(v, vl, "=?", 2) && !memchr(v, '\n', vl))
		return text_has(v, vl, nd, nl);
	buf_reset(&d1);
	if (dec_header(v, vl, &d1) < 0) /* ENOMEM: what we have */
		return text_has(v, vl, nd, nl);
	return text_has(bp(&d1), d1.len, nd, nl);
}

static bool
header_text(const char *h, size_t hl, const char *nd, size_t nl)
{
	const char *fn, *v;
	size_t pos = 0, fnl, vl, fs, fe;

	while (mime_header_next(h, hl, &pos, &fn, &fnl, &v, &vl, &fs, &fe))
		if (text_has(fn, fnl, nd, nl) || search_value(v, vl, nd, nl))
			return true;
	return text_has(h, hl, nd, nl); /* lines that are not fields */
}

static bool
is_raw_charset(const struct buf *cs)
{
	return cs->len == 0 || str_caseeq(cs->p, cs->len, "utf-8", 5) ||
	       str_caseeq(cs->p, cs->len, "us-ascii", 8) ||
	       str_caseeq(cs->p, cs->len, "utf8", 4);
}

/* One leaf body: transfer decoding, then charset, then the match. */
static bool
leaf_has(const char *msg, const struct mime_part *mp, const char *nd, size_t nl)
{
	struct buf cs = BUF_INIT(128);
	const char *body = msg + mp->body_off, *v, *t;
	size_t vl, tl, e, n = mp->body_len;
	bool text = str_caseeq(mp->type, mp->type_len, "text", 4), b64 = false,
	     qp = false, r;

	if (mime_header_find(msg + mp->off, mp->hdr_len,
	        "Content-Transfer-Encoding", &v, &vl) &&
	    mime_token(v, vl, &t, &tl, &e)) {
		b64 = str_caseeq(t, tl, "base64", 6);
		qp = str_caseeq(t, tl, "quoted-printable", 16);
	}
	if (b64 && !text)
		return false;
	if (text)
		mime_param(mp->params, mp->params_len, "charset", &cs);
	if (b64 || qp) {
		buf_reset(&d1);
		if ((b64 ? dec_base64(body, n, &d1)
		         : dec_qp(body, n, false, &d1)) == 0) {
			body = bp(&d1);
			n = d1.len;
		}
	}
	if (!is_raw_charset(&cs)) {
		buf_reset(&d2);
		if (dec_charset(bp(&cs), cs.len, body, n, &d2) == 0) {
			body = bp(&d2);
			n = d2.len;
		}
	}
	r = text_has(body, n, nd, nl);
	buf_free(&cs);
	return r;
}

bool
search_text(const char *msg, size_t len, bool header, const char *nd, size_t nl)
{
	struct mime m;
	size_t i;
	bool found = false;

	if (mime_parse(&m, msg, len) < 0)
		return text_has(msg, len, nd, nl);
	for (i = 0; i < m.n && !found; i++) {
		const struct mime_part *mp = &m.part[i];
		if (mp->is_message && (i > 0 || header))
			found = header_text(msg + mp->off, mp->hdr_len, nd, nl);
		if (!found && mp->child < 0)
			found = leaf_has(msg, mp, nd, nl);
	}
	mime_free(&m);
	return found;
}
