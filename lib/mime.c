/* mime.c: MIME structure parser (mime.h).  Pure and bounded: depth,
 * part count and boundary length are capped; every scan stays inside
 * the caller's bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mime.h"
#include "str.h"

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Offset just past the line starting at i (past its LF, or len). */
static size_t
line_end(const char *p, size_t len, size_t i)
{
	const char *nl = memchr(p + i, '\n', len - i);

	return nl ? (size_t)(nl - p) + 1 : len;
}

static size_t
header_len(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (p[i] == '\n')
			return i + 1;
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			return i + 2;
		i = line_end(p, len, i);
	}
	return len;
}

bool
mime_header_next(const char *hdr, size_t len, size_t *pos, const char **name,
    size_t *nlen, const char **val, size_t *vlen, size_t *fstart, size_t *fend)
{
	size_t i = *pos, colon, e;

	for (;;) {
		if (i >= len || hdr[i] == '\n' ||
		    (hdr[i] == '\r' && i + 1 < len && hdr[i + 1] == '\n'))
			return false;
		e = line_end(hdr, len, i);
		while (e < len && is_wsp(hdr[e]))
			e = line_end(hdr, len, e);
		colon = i;
		while (colon < e && hdr[colon] != ':' && hdr[colon] != '\n')
			colon++;
		if (colon < e && hdr[colon] == ':' && colon > i)
			break;
		i = e; /* not a field (garbage line): skip it */
	}
	*fstart = i;
	*fend = e;
	*name = hdr + i;
	*nlen = colon - i;
	while (*nlen > 0 && is_wsp(hdr[i + *nlen - 1]))
		(*nlen)--;
	*val = hdr + colon + 1;
	*vlen = e - colon - 1;
	if (*vlen > 0 && (*val)[*vlen - 1] == '\n')
		(*vlen)--;
	if (*vlen > 0 && (*val)[*vlen - 1] == '\r')
		(*vlen)--;
	*pos = e;
	return true;
}

bool
mime_header_find(const char *hdr, size_t len, const char *name,
    const char **val, size_t *vlen)
{
	size_t pos = 0, nl, fs, fe, want = strlen(name);
	const char *n;

	while (mime_header_next(hdr, len, &pos, &n, &nl, val, vlen, &fs, &fe))
		if (str_caseeq(n, nl, name, want))
			return true;
	return false;
}

/* Skip white space, folding and (nested) comments. */
static size_t
skip_cfws(const char *p, size_t len, size_t i)
{
	int depth = 0;

	while (i < len) {
		char c = p[i];
		if (depth > 0 && c == '\\' && i + 1 < len) {
			i += 2;
			continue;
		}
		if (c == '(') {
			if (depth < 64)
				depth++;
		} else if (c == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !is_wsp(c) && c != '\r' && c != '\n')
			break;
		i++;
	}
	return i;
}

static bool
is_tspecial(char c)
{
	return strchr("()<>@,;:\\\"/[]?=", c) != NULL ||
	       (unsigned char)c <= ' ' || c == 0x7f;
}

bool
mime_token(const char *p, size_t len, const char **t, size_t *tlen, size_t *end)
{
	size_t i = skip_cfws(p, len, 0), s = i;

	while (i < len && !is_tspecial(p[i]))
		i++;
	*t = p + s;
	*tlen = i - s;
	*end = i;
	return i > s;
}

static size_t
get_value(const char *p, size_t len, size_t i, struct buf *v)
{
	buf_reset(v);
	if (i < len && p[i] == '"') {
		for (i++; i < len && p[i] != '"'; i++) {
			if (p[i] == '\\' && i + 1 < len)
				i++;
			if (p[i] == '\r' || p[i] == '\n')
				continue;
			if (buf_catc(v, p[i]) < 0)
				return len;
		}
		return i < len ? i + 1 : len;
	}
	while (i < len && !is_tspecial(p[i])) {
		if (buf_catc(v, p[i]) < 0)
			return len;
		i++;
	}
	return i;
}

bool
mime_param_next(const char *p, size_t len, size_t *pos, const char **attr,
    size_t *alen, struct buf *v)
{
	size_t i = *pos, s;

	for (;;) {
		i = skip_cfws(p, len, i);
		if (i >= len)
			return false;
		if (p[i] != ';') { /* junk: skip to the next ';' */
			while (i < len && p[i] != ';')
				i++;
			continue;
		}
		i = skip_cfws(p, len, i + 1);
		s = i;
		while (i < len && !is_tspecial(p[i]))
			i++;
		*attr = p + s;
		*alen = i - s;
		i = skip_cfws(p, len, i);
		if (*alen == 0 || i >= len || p[i] != '=') {
			*pos = i;
			continue;
		}
		i = skip_cfws(p, len, i + 1);
		i = get_value(p, len, i, v);
		*pos = i;
		return true;
	}
}

bool
mime_param(const char *p, size_t len, const char *name, struct buf *v)
{
	size_t pos = 0, alen;
	const char *a;

	while (mime_param_next(p, len, &pos, &a, &alen, v))
		if (str_caseeq(a, alen, name, strlen(name)))
			return true;
	return false;
}

int
mime_unfold(const char *p, size_t len, struct buf *out)
{
	size_t i = 0;

	buf_reset(out);
	while (i < len && is_wsp(p[i]))
		i++;
	for (; i < len; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			continue;
		if (buf_catc(out, p[i]) < 0)
			return -1;
	}
	return 0;
}

static int
new_part(struct mime *m)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct mime_part *g = realloc(m->part, cap * sizeof *g);
		if (g == NULL)
			return -1;
		m->part = g;
		m->cap = cap;
	}
	memset(&m->part[m->n], 0, sizeof m->part[m->n]);
	m->part[m->n].parent = m->part[m->n].child = m->part[m->n].next = -1;
	return (int)m->n++;
}

static void
content_type(struct mime_part *mp, const char *base, bool digest)
{
	const char *v, *t;
	size_t vl, tl, e;

	mp->type = digest ? "message" : "text";
	mp->subtype = digest ? "rfc822" : "plain";
	mp->type_len = digest ? 7 : 4;
	mp->subtype_len = digest ? 6 : 5;
	mp->params = "";
	mp->params_len = 0;
	if (!mime_header_find(
	        base + mp->off, mp->hdr_len, "Content-Type", &v, &vl) ||
	    !mime_token(v, vl, &t, &tl, &e))
		return;
	e = skip_cfws(v, vl, e);
	if (e >= vl || v[e] != '/')
		return;
	mp->type = t;
	mp->type_len = tl;
	if (!mime_token(v + e + 1, vl - e - 1, &t, &tl, &e)) {
		mp->subtype = "";
		mp->subtype_len = 0;
	} else {
		mp->subtype = t;
		mp->subtype_len = tl;
	}
	mp->params = t + tl;
	mp->params_len = (size_t)(v + vl - mp->params);
}

static size_t
count_lines(const char *p, size_t len)
{
	size_t n = 0;
	const char *e = p + len;

	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

static int parse_part(struct mime *m, const char *base, size_t off, size_t len,
    int parent, int depth, bool digest, bool message);

/* Is the line at i a delimiter "--boundary" (or close "--boundary--")? */
static int
delimiter(const char *p, size_t len, size_t i, const char *b, size_t bl)
{
	if (len - i < bl + 2 || p[i] != '-' || p[i + 1] != '-' ||
	    memcmp(p + i + 2, b, bl) != 0)
		return 0;
	i += bl + 2;
	if (len - i >= 2 && p[i] == '-' && p[i + 1] == '-')
		return 2;
	return 1;
}

static int
parse_multipart(
    struct mime *m, const char *base, int idx, const char *b, size_t bl)
{
	struct mime_part *mp = &m->part[idx];
	const char *p = base + mp->body_off;
	size_t len = mp->body_len, i = 0, start = 0, end;
	bool in = false,
	     digest = str_caseeq(mp->subtype, mp->subtype_len, "digest", 6);
	int depth = mp->depth, d;

	while (i < len) {
		size_t next = line_end(p, len, i);
		d = delimiter(p, len, i, b, bl);
		if (d) {
			/* the CRLF before a delimiter belongs to it */
			end = i;
			if (end > start && p[end - 1] == '\n')
				end--;
			if (end > start && p[end - 1] == '\r')
				end--;
			if (in &&
			    parse_part(m, base, mp->body_off + start,
			        end - start, idx, depth + 1, digest, false) < 0)
				return -1;
			mp = &m->part[idx];
			if (d == 2)
				return 0;
			in = true;
			start = next;
		}
		i = next;
	}
	if (in && start <= len &&
	    parse_part(m, base, mp->body_off + start, len - start, idx,
	        depth + 1, digest, false) < 0)
		return -1;
	return 0;
}

static void
link_child(struct mime *m, int parent, int idx)
{
	int c;

	if (parent < 0)
		return;
	if (m->part[parent].child < 0) {
		m->part[parent].child = idx;
		return;
	}
	for (c = m->part[parent].child; m->part[c].next >= 0;
	     c = m->part[c].next)
		;
	m->part[c].next = idx;
}

static int
parse_part(struct mime *m, const char *base, size_t off, size_t len, int parent,
    int depth, bool digest, bool message)
{
	struct mime_part *mp;
	struct buf bnd = BUF_INIT(1024); /* lenient: RFC says 70 */
	int idx;

	if (m->n >= MIME_PARTS_MAX)
		return 0;
	if ((idx = new_part(m)) < 0)
		return -1;
	mp = &m->part[idx];
	mp->off = off;
	mp->len = len;
	mp->parent = parent;
	mp->depth = depth;
	mp->is_message = message;
	mp->hdr_len = header_len(base + off, len);
	mp->body_off = off + mp->hdr_len;
	mp->body_len = len - mp->hdr_len;
	mp->lines = count_lines(base + mp->body_off, mp->body_len);
	content_type(mp, base, digest);
	link_child(m, parent, idx);
	if (depth >= MIME_DEPTH_MAX)
		return 0;
	if (str_caseeq(mp->type, mp->type_len, "multipart", 9)) {
		int r = 0;
		if (mime_param(mp->params, mp->params_len, "boundary", &bnd) &&
		    bnd.len > 0)
			r = parse_multipart(
			    m, base, idx, (char *)bnd.p, bnd.len);
		buf_free(&bnd);
		return r;
	}
	if (str_caseeq(mp->type, mp->type_len, "message", 7) &&
	    str_caseeq(mp->subtype, mp->subtype_len, "rfc822", 6))
		return parse_part(m, base, mp->body_off, mp->body_len, idx,
		    depth + 1, false, true);
	return 0;
}

int
mime_parse(struct mime *m, const char *msg, size_t len)
{
	memset(m, 0, sizeof *m);
	if (parse_part(m, msg, 0, len, -1, 0, false, true) < 0) {
		mime_free(m);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
mime_free(struct mime *m)
{
	free(m->part);
	memset(m, 0, sizeof *m);
}
