/* search_eval.c: matching one message against a SEARCH key tree
 * (RFC 3501 6.4.4).  Flags, sizes and dates come from the folder view;
 * header keys load the header (cached), BODY and TEXT the whole
 * message.  Strings match decoded, case-folded text (search_text.c);
 * the key's string was folded by cmd_search.c. */
#include <string.h>
#include <time.h>
#include "imapd.h"
#include "mime.h"
#include "search.h"
#include "str.h"

static bool
load(struct mctx *m, bool whole)
{
	if (m->loaded < 0)
		return false;
	if (m->loaded >= (whole ? 2 : 1))
		return true;
	if (msg_load(m->s, m->i, whole) < 0) {
		m->loaded = -1;
		return false;
	}
	m->loaded = whole ? 2 : 1;
	return true;
}

static size_t
hdr_len(struct session *s)
{
	const unsigned char *p = s->mc.data.p;
	size_t i;

	for (i = 0; i + 3 < s->mc.data.len; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' &&
		    p[i + 3] == '\n')
			return i + 4;
	return s->mc.data.len;
}

/* Any field called name whose value contains str. */
static bool
header_has(
    struct session *s, const char *name, size_t nl, const char *str, size_t sl)
{
	const char *h = (char *)s->mc.data.p, *fn, *v;
	size_t pos = 0, fnl, vl, fs, fe, hl = hdr_len(s);

	while (mime_header_next(h, hl, &pos, &fn, &fnl, &v, &vl, &fs, &fe))
		if (str_caseeq(fn, fnl, name, nl) &&
		    search_value(v, vl, str, sl))
			return true;
	return false;
}

static long long
sent_day(struct session *s)
{
	const char *v;
	size_t vl;
	time_t t;

	if (!mime_header_find(
	        (char *)s->mc.data.p, hdr_len(s), "Date", &v, &vl))
		return -1;
	t = rfc822_parse_date(v, vl);
	return t == (time_t)-1 ? -1 : (long long)t / 86400;
}

/* BEFORE/ON/SINCE on the internal date, SENT* on the Date: field, by
 * day (RFC 3501 6.4.4). */
static bool
date_match(const struct snode *n, struct mctx *m)
{
	struct folder *f = m->s->sel;
	long long d;
	bool sent =
	    n->k == K_SENTBEFORE || n->k == K_SENTON || n->k == K_SENTSINCE;

	if (sent) {
		if (!load(m, false) || (d = sent_day(m->s)) < 0)
			return false;
	} else {
		if (folder_msgdate(f, m->i) < 0)
			return false;
		d = (long long)f->m[m->i].idate / 86400;
	}
	if (n->k == K_BEFORE || n->k == K_SENTBEFORE)
		return d < n->day;
	if (n->k == K_ON || n->k == K_SENTON)
		return d == n->day;
	return d >= n->day;
}

bool
search_eval(const struct snode *n, struct mctx *m)
{
	struct folder *f = m->s->sel;
	struct msg *msg = &f->m[m->i];
	const struct snode *c;

	switch (n->k) {
	case K_ALL:
		return true;
	case K_FLAG:
		return (msg->flags & n->bit) != 0;
	case K_UNFLAG:
		return (msg->flags & n->bit) == 0;
	case K_KW:
		return n->kw >= 0 && (msg->kw & (1u << n->kw));
	case K_UNKW:
		return n->kw < 0 || !(msg->kw & (1u << n->kw));
	case K_NEW:
		return (msg->flags & FL_RECENT) && !(msg->flags & FL_SEEN);
	case K_OLD:
		return !(msg->flags & FL_RECENT);
	case K_RECENT:
		return (msg->flags & FL_RECENT) != 0;
	case K_SEQ:
		return seqset_has(n->set, (uint32_t)m->i + 1);
	case K_UID:
		return seqset_has(n->set, msg->uid);
	case K_LARGER:
	case K_SMALLER:
		if (folder_msgsize(f, m->i) < 0)
			return false;
		return n->k == K_LARGER ? msg->size > n->num
		                        : msg->size < n->num;
	case K_BEFORE:
	case K_ON:
	case K_SINCE:
	case K_SENTBEFORE:
	case K_SENTON:
	case K_SENTSINCE:
		return date_match(n, m);
	case K_HEADER:
		return load(m, false) &&
		       header_has(m->s, n->hname, n->hlen, n->str, n->slen);
	case K_BODY:
	case K_TEXT:
		if (!load(m, true))
			return false;
		return search_text((char *)m->s->mc.data.p, m->s->mc.data.len,
		    n->k == K_TEXT, n->str, n->slen);
	case K_NOT:
		return !search_eval(n->a, m);
	case K_OR:
		return search_eval(n->a, m) || search_eval(n->b, m);
	case K_AND:
		for (c = n->a; c; c = c->next)
			if (!search_eval(c, m))
				return false;
		return true;
	}
	return false;
}
