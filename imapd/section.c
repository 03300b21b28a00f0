/* section.c: BODY[section] (RFC 3501 6.4.5): part numbers, HEADER,
 * HEADER.FIELDS[.NOT] (names), TEXT, MIME, resolved on a lib/mime tree.
 * With m == NULL only the syntax is checked.  Names in a field list are
 * bounded (64 names of at most 128 bytes). */
#include <string.h>
#include "imapd.h"
#include "die.h"
#include "mime.h"
#include "str.h"

#define SEC_PARTS_MAX 32
#define SEC_NAMES_MAX 64

int fetch_section(const char *msg, size_t len, const struct mime *m,
    const char *sec, size_t slen, struct buf *out, const char **p_r,
    size_t *n_r);

enum stext {
	ST_NONE,
	ST_HEADER,
	ST_FIELDS,
	ST_FIELDS_NOT,
	ST_TEXT,
	ST_MIME,
};

struct secspec {
	unsigned long num[SEC_PARTS_MAX];
	size_t nnum;
	enum stext text;
	struct str names[SEC_NAMES_MAX];
	size_t nnames;
};

static int
parse_names(const char *p, size_t len, struct secspec *ss)
{
	size_t i = 0;

	if (len < 2 || p[0] != '(' || p[len - 1] != ')')
		return -1;
	p++;
	len -= 2;
	while (i < len) {
		size_t s = i;
		while (i < len && p[i] != ' ')
			i++;
		if (i == s || ss->nnames >= SEC_NAMES_MAX || i - s > 128)
			return -1;
		ss->names[ss->nnames].p = p + s;
		ss->names[ss->nnames].len = i - s;
		if (i - s >= 2 && p[s] == '"' && p[i - 1] == '"') {
			ss->names[ss->nnames].p++;
			ss->names[ss->nnames].len -= 2;
		}
		ss->nnames++;
		if (i < len)
			i++;
	}
	return ss->nnames ? 0 : -1;
}

static int
parse_spec(const char *p, size_t len, struct secspec *ss)
{
	size_t i = 0;

	memset(ss, 0, sizeof *ss);
	while (i < len && p[i] >= '0' && p[i] <= '9') {
		unsigned long v = 0;
		while (i < len && p[i] >= '0' && p[i] <= '9' && v < 100000000)
			v = v * 10 + (unsigned long)(p[i++] - '0');
		if (v == 0 || ss->nnum >= SEC_PARTS_MAX)
			return -1;
		ss->num[ss->nnum++] = v;
		if (i == len)
			return 0;
		if (p[i++] != '.')
			return -1;
	}
	p += i;
	len -= i;
	if (len == 0)
		return ss->nnum ? -1 : 0; /* "1." */
	if (str_caseeq(p, len, "HEADER", 6))
		ss->text = ST_HEADER;
	else if (str_caseeq(p, len, "TEXT", 4))
		ss->text = ST_TEXT;
	else if (str_caseeq(p, len, "MIME", 4) && ss->nnum)
		ss->text = ST_MIME;
	else if (str_casestarts(p, len, "HEADER.FIELDS.NOT ")) {
		ss->text = ST_FIELDS_NOT;
		return parse_names(p + 18, len - 18, ss);
	} else if (str_casestarts(p, len, "HEADER.FIELDS ")) {
		ss->text = ST_FIELDS;
		return parse_names(p + 14, len - 14, ss);
	} else
		return -1;
	return 0;
}

static bool
is_type(const struct mime_part *p, const char *t, const char *st)
{
	return str_caseeq(p->type, p->type_len, t, strlen(t)) &&
	       (st == NULL ||
	           str_caseeq(p->subtype, p->subtype_len, st, strlen(st)));
}

/* Part num of part cur, or -1.  *leaf_r: the result is the body of a
 * non-multipart message (its part 1), which has no parts of its own. */
static int
step(const struct mime *m, int cur, unsigned long num, bool *leaf_r)
{
	const struct mime_part *p = &m->part[cur];
	int c;

	if (!p->is_message && is_type(p, "message", "rfc822") &&
	    p->child >= 0) {
		cur = p->child;
		p = &m->part[cur];
	}
	if (is_type(p, "multipart", NULL) && p->child >= 0) {
		for (c = p->child; c >= 0 && num > 1; c = m->part[c].next)
			num--;
		return c;
	}
	if (num == 1 && p->is_message) {
		*leaf_r = true;
		return cur;
	}
	return -1;
}

static void
fields(const char *hdr, size_t hl, const struct secspec *ss, struct buf *out)
{
	size_t pos = 0, nl, vl, fs, fe, k;
	const char *n, *v;

	buf_reset(out);
	while (mime_header_next(hdr, hl, &pos, &n, &nl, &v, &vl, &fs, &fe)) {
		bool in = false;
		for (k = 0; k < ss->nnames && !in; k++)
			in =
			    str_caseeq(n, nl, ss->names[k].p, ss->names[k].len);
		if (in == (ss->text == ST_FIELDS) &&
		    buf_cat(out, hdr + fs, fe - fs) < 0)
			die_nomem();
	}
	if (buf_cat(out, "\r\n", 2) < 0)
		die_nomem();
}

int
fetch_section(const char *msg, size_t len, const struct mime *m,
    const char *sec, size_t slen, struct buf *out, const char **p_r,
    size_t *n_r)
{
	struct secspec ss;
	const struct mime_part *t;
	int cur = 0;
	bool leaf = false;
	size_t i;

	if (parse_spec(sec, slen, &ss) < 0)
		return -1;
	if (m == NULL)
		return 0;
	if (m->n == 0) {
		*p_r = msg;
		*n_r = ss.text == ST_NONE ? len : 0;
		return 0;
	}
	for (i = 0; i < ss.nnum && cur >= 0; i++)
		cur = leaf ? -1 : step(m, cur, ss.num[i], &leaf);
	if (cur < 0) { /* RFC 3501: a missing part is empty, not an error */
		*p_r = "";
		*n_r = 0;
		return 0;
	}
	t = &m->part[cur];
	if (ss.text == ST_NONE || ss.text == ST_MIME) {
		*p_r = msg + (ss.text == ST_MIME ? t->off : t->body_off);
		*n_r = ss.text == ST_MIME ? t->hdr_len : t->body_len;
		if (ss.nnum == 0) { /* BODY[] is the whole message */
			*p_r = msg;
			*n_r = len;
		}
		return 0;
	}
	if (ss.nnum > 0) {
		if (is_type(t, "message", "rfc822") && !t->is_message &&
		    t->child >= 0)
			t = &m->part[t->child];
		else if (!t->is_message) {
			*p_r = "";
			*n_r = 0;
			return 0;
		}
	}
	if (ss.text == ST_TEXT) {
		*p_r = msg + t->body_off;
		*n_r = t->body_len;
	} else if (ss.text == ST_HEADER) {
		*p_r = msg + t->off;
		*n_r = t->hdr_len;
	} else {
		fields(msg + t->off, t->hdr_len, &ss, out);
		*p_r = (char *)out->p;
		*n_r = out->len;
	}
	return 0;
}
