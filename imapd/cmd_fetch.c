/* cmd_fetch.c: FETCH and UID FETCH (RFC 3501 6.4.5, 7.4.2).  Messages
 * are stored with LF line ends and served with CRLF: msg_load converts
 * into s->mc (one message cached, the header alone when the items need
 * no more).  ENVELOPE and BODYSTRUCTURE come from the folder's cache
 * (cache.c) when it has them and go into it otherwise, so a second
 * FETCH of them reads no message file.  Fetching a body section without
 * .PEEK sets \Seen. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "mime.h"
#include "str.h"

void imap_envelope(struct buf *b, const char *hdr, size_t hl);
void imap_bodystructure(
    struct buf *b, const char *msg, const struct mime *m, int idx, bool ext);
int fetch_section(const char *msg, size_t len, const struct mime *m,
    const char *sec, size_t slen, struct buf *out, const char **p_r,
    size_t *n_r);

enum fkind {
	F_FLAGS,
	F_UID,
	F_SIZE,
	F_IDATE,
	F_ENVELOPE,
	F_BODYSTRUCTURE,
	F_BODY,
	F_SECTION, /* BODY[...] and BODY.PEEK[...] */
	F_RFC822,
	F_RFC822_HEADER,
	F_RFC822_TEXT,
};

struct fitem {
	enum fkind kind;
	const char *sec; /* between the brackets */
	size_t slen;
	bool peek, partial;
	unsigned long long off, cnt;
};

#define FITEMS_MAX 64

static bool
header_only_section(const char *sec, size_t slen)
{
	return str_casestarts(sec, slen, "HEADER");
}

static int
parse_partial(struct fitem *it, const char *p, size_t len)
{
	size_t i = 1;
	unsigned long long a = 0, b = 0;

	if (len < 5 || p[0] != '<' || p[len - 1] != '>')
		return -1;
	while (i < len && p[i] >= '0' && p[i] <= '9' && a < 1ULL << 40)
		a = a * 10 + (unsigned)(p[i++] - '0');
	if (i == 1 || p[i++] != '.')
		return -1;
	while (i < len - 1 && p[i] >= '0' && p[i] <= '9' && b < 1ULL << 40)
		b = b * 10 + (unsigned)(p[i++] - '0');
	if (i != len - 1 || b == 0)
		return -1;
	it->partial = true;
	it->off = a;
	it->cnt = b;
	return 0;
}

struct fname {
	const char *name;
	enum fkind k;
};

static const struct fname simple[] = {{"FLAGS", F_FLAGS}, {"UID", F_UID},
    {"RFC822.SIZE", F_SIZE}, {"INTERNALDATE", F_IDATE},
    {"ENVELOPE", F_ENVELOPE}, {"BODYSTRUCTURE", F_BODYSTRUCTURE},
    {"BODY", F_BODY}, {"RFC822", F_RFC822}, {"RFC822.HEADER", F_RFC822_HEADER},
    {"RFC822.TEXT", F_RFC822_TEXT}};

static int
parse_item(const struct imap_arg *a, struct fitem *it)
{
	size_t i, pre, rb;

	memset(it, 0, sizeof *it);
	if (a->type != ARG_ATOM)
		return -1;
	for (i = 0; i < sizeof simple / sizeof simple[0]; i++)
		if (arg_eq(a, simple[i].name)) {
			it->kind = simple[i].k;
			return 0;
		}
	if (str_casestarts(a->p, a->len, "BODY["))
		pre = 5;
	else if (str_casestarts(a->p, a->len, "BODY.PEEK[")) {
		pre = 10;
		it->peek = true;
	} else
		return -1;
	rb = str_chr(a->p, a->len, ']');
	if (rb >= a->len)
		return -1;
	it->kind = F_SECTION;
	it->sec = a->p + pre;
	it->slen = rb - pre;
	if (rb + 1 < a->len &&
	    parse_partial(it, a->p + rb + 1, a->len - rb - 1) < 0)
		return -1;
	return 0;
}

static int
parse_items(
    struct imap_cmd *c, const struct imap_arg *a, struct fitem *it, size_t *n_r)
{
	static const char *const fast[] = {
	    "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"};
	struct imap_arg tmp;
	size_t n = 0, i, k = 0;

	if (a->type == ARG_ATOM &&
	    (arg_eq(a, "ALL") || arg_eq(a, "FAST") || arg_eq(a, "FULL"))) {
		k = arg_eq(a, "FAST") ? 3 : arg_eq(a, "ALL") ? 4 : 5;
		for (i = 0; i < k; i++) {
			tmp = (struct imap_arg){
			    ARG_ATOM, fast[i], strlen(fast[i]), NULL, 0};
			parse_item(&tmp, &it[n++]);
		}
	} else if (a->type == ARG_LIST) {
		if (a->n == 0 || a->n > FITEMS_MAX - 1)
			return -1;
		for (i = 0; i < a->n; i++)
			if (parse_item(&a->list[i], &it[n++]) < 0)
				return -1;
	} else if (parse_item(a, &it[n++]) < 0)
		return -1;
	if (c->uid) {
		for (i = 0; i < n && it[i].kind != F_UID; i++)
			;
		if (i == n) {
			memset(&it[n], 0, sizeof it[n]);
			it[n++].kind = F_UID;
		}
	}
	*n_r = n;
	return 0;
}

/* Name of a section item as the reply shows it (origin only). */
static void
section_name(struct buf *b, const struct fitem *it)
{
	if (buf_cats(b, "BODY[") < 0 || buf_cat(b, it->sec, it->slen) < 0 ||
	    buf_catc(b, ']') < 0)
		die_nomem();
	if (it->partial && buf_printf(b, "<%llu>", it->off) < 0)
		die_nomem();
}

static void
emit_data(struct session *s, struct buf *b, const struct fitem *it,
    const char *p, size_t n)
{
	if (it->partial) {
		if (it->off >= n)
			n = 0;
		else {
			p += it->off;
			n -= (size_t)it->off;
			if (n > it->cnt)
				n = (size_t)it->cnt;
		}
	}
	if (buf_printf(b, "{%zu}\r\n", n) < 0)
		die_nomem();
	if (n > 8192) { /* large: no copy, straight to the output */
		reply_raw(s, b->p, b->len);
		buf_reset(b);
		reply_raw(s, p, n);
	} else if (buf_cat(b, p, n) < 0)
		die_nomem();
}

/* ENVELOPE and BODYSTRUCTURE of message i already in the cache? */
static bool
in_cache(const struct folder *f, size_t i, const struct fitem *it)
{
	const char *p;
	size_t n;

	if (it->kind == F_ENVELOPE)
		return cache_get(f, i, CACHE_ENV, &p, &n);
	if (it->kind == F_BODYSTRUCTURE)
		return cache_get(f, i, CACHE_BS, &p, &n);
	return false;
}

static bool
needs_whole(const struct folder *f, size_t m, const struct fitem *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((it[i].kind == F_BODYSTRUCTURE &&
		        !in_cache(f, m, &it[i])) ||
		    it[i].kind == F_BODY || it[i].kind == F_RFC822 ||
		    it[i].kind == F_RFC822_TEXT ||
		    (it[i].kind == F_SECTION &&
		        !header_only_section(it[i].sec, it[i].slen)))
			return true;
	return false;
}

static bool
needs_data(const struct folder *f, size_t m, const struct fitem *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (it[i].kind >= F_ENVELOPE && !in_cache(f, m, &it[i]))
			return true;
	return false;
}

static bool
sets_seen(const struct fitem *it, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((it[i].kind == F_SECTION && !it[i].peek) ||
		    it[i].kind == F_RFC822 || it[i].kind == F_RFC822_TEXT)
			return true;
	return false;
}

/* ENVELOPE or BODYSTRUCTURE from the folder's cache: true if there. */
static bool
item_cached(struct session *s, size_t i, const struct fitem *it, struct buf *b)
{
	const char *p;
	size_t n;

	if (!in_cache(s->sel, i, it))
		return false;
	cache_get(
	    s->sel, i, it->kind == F_ENVELOPE ? CACHE_ENV : CACHE_BS, &p, &n);
	if (buf_cats(b,
	        it->kind == F_ENVELOPE ? "ENVELOPE " : "BODYSTRUCTURE ") < 0 ||
	    buf_cat(b, p, n) < 0)
		die_nomem();
	return true;
}

/* Items that need the parsed message. */
static int
item_data(struct session *s, size_t i, const struct fitem *it, struct buf *b,
    struct mime *mm)
{
	struct msgcache *mc = &s->mc;
	const char *msg = (char *)mc->data.p, *p;
	struct buf sec = BUF_INIT((size_t)1 << 31);
	size_t len = mc->data.len, n, at;

	if (item_cached(s, i, it, b))
		return 0;
	/* the MIME tree only when an item needs it (not for BODY[]) */
	if (mm->n == 0 && it->kind != F_RFC822 &&
	    !(it->kind == F_SECTION && it->slen == 0) &&
	    mime_parse(mm, msg, len) < 0)
		die_nomem();

	switch (it->kind) {
	case F_ENVELOPE:
		if (buf_cats(b, "ENVELOPE ") < 0)
			die_nomem();
		at = b->len;
		imap_envelope(b, msg, mm->n ? mm->part[0].hdr_len : len);
		cache_put(s->sel, i, CACHE_ENV, b->p + at, b->len - at);
		break;
	case F_BODYSTRUCTURE:
	case F_BODY:
		if (buf_cats(
		        b, it->kind == F_BODY ? "BODY " : "BODYSTRUCTURE ") < 0)
			die_nomem();
		at = b->len;
		imap_bodystructure(b, msg, mm, 0, it->kind == F_BODYSTRUCTURE);
		if (it->kind == F_BODYSTRUCTURE)
			cache_put(s->sel, i, CACHE_BS, b->p + at, b->len - at);
		break;
	case F_RFC822:
		if (buf_cats(b, "RFC822 ") < 0)
			die_nomem();
		emit_data(s, b, it, msg, len);
		break;
	case F_RFC822_HEADER:
	case F_RFC822_TEXT:
		if (buf_cats(b, it->kind == F_RFC822_TEXT
		                    ? "RFC822.TEXT "
		                    : "RFC822.HEADER ") < 0)
			die_nomem();
		n = mm->part[0].hdr_len;
		if (it->kind == F_RFC822_HEADER)
			emit_data(s, b, it, msg, n);
		else
			emit_data(s, b, it, msg + n, len - n);
		break;
	default:
		section_name(b, it);
		if (fetch_section(
		        msg, len, mm, it->sec, it->slen, &sec, &p, &n) < 0) {
			buf_free(&sec);
			return -1;
		}
		if (buf_catc(b, ' ') < 0)
			die_nomem();
		emit_data(s, b, it, p, n);
		buf_free(&sec);
	}
	return 0;
}

static int
item_meta(struct session *s, size_t i, const struct fitem *it, struct buf *b)
{
	struct folder *f = s->sel;
	struct msg *m = &f->m[i];

	switch (it->kind) {
	case F_FLAGS:
		if (buf_cats(b, "FLAGS ") < 0)
			die_nomem();
		reply_flags(b, f, m->flags, m->kw);
		return 0;
	case F_UID:
		return buf_printf(b, "UID %lu", (unsigned long)m->uid) < 0 ? -1
		                                                           : 0;
	case F_SIZE:
		if (folder_msgsize(f, i) < 0)
			return -1;
		return buf_printf(b, "RFC822.SIZE %llu",
		           (unsigned long long)m->size) < 0
		           ? -1
		           : 0;
	case F_IDATE:
		if (folder_msgdate(f, i) < 0)
			return -1;
		if (buf_cats(b, "INTERNALDATE \"") < 0)
			die_nomem();
		imap_fmt_date(b, m->idate);
		return buf_catc(b, '"');
	default:
		return 1;
	}
}

static int
fetch_one(
    struct session *s, size_t i, const struct fitem *it, size_t n, bool seen)
{
	static struct buf b = BUF_INIT((size_t)1 << 31);
	struct folder *f = s->sel;
	struct mime mm;
	size_t k;
	int r = 0;

	memset(&mm, 0, sizeof mm);
	buf_reset(&b);
	seen = seen && !(f->m[i].flags & FL_SEEN);
	if (seen &&
	    folder_setflags(f, i, f->m[i].flags | FL_SEEN, f->m[i].kw) < 0)
		return -1;
	if (needs_data(f, i, it, n)) {
		if (msg_load(s, i, needs_whole(f, i, it, n)) < 0)
			return -1;
	}
	if (buf_printf(&b, "* %zu FETCH (", i + 1) < 0)
		die_nomem();
	for (k = 0; k < n && r == 0; k++) {
		if (k > 0 && buf_catc(&b, ' ') < 0)
			die_nomem();
		r = item_meta(s, i, &it[k], &b);
		if (r == 1)
			r = item_data(s, i, &it[k], &b, &mm);
	}
	if (seen) {
		for (k = 0; k < n && it[k].kind != F_FLAGS; k++)
			;
		if (k == n) {
			if (buf_cats(&b, " FLAGS ") < 0)
				die_nomem();
			reply_flags(&b, f, f->m[i].flags, f->m[i].kw);
		}
	}
	mime_free(&mm);
	if (r < 0)
		return -1;
	if (buf_cat(&b, ")\r\n", 3) < 0)
		die_nomem();
	reply_raw(s, b.p, b.len);
	return 0;
}

enum cmd_res
cmd_fetch(struct imap_cmd *c)
{
	struct fitem it[FITEMS_MAX];
	size_t *idx, nidx, nit, i, bad = 0;
	bool seen;

	if (c->n != 2 || parse_items(c, &c->args[1], it, &nit) < 0)
		return CMD_BAD;
	for (i = 0; i < nit; i++)
		if (it[i].kind == F_SECTION &&
		    fetch_section("", 0, NULL, it[i].sec, it[i].slen, NULL,
		        NULL, NULL) < 0) {
			c->resp = "Invalid section";
			return CMD_BAD;
		}
	if (cmd_msgset(c, &c->args[0], c->uid, &idx, &nidx) < 0)
		return CMD_BAD;
	seen = sets_seen(it, nit) && !c->s->sel->rdonly;
	for (i = 0; i < nidx; i++)
		if (fetch_one(c->s, idx[i], it, nit, seen) < 0)
			bad++;
	free(idx);
	if (bad) {
		c->resp = "Some messages could not be fetched (expunged?)";
		return CMD_NO;
	}
	return CMD_DONE;
}
