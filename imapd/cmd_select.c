/* cmd_select.c: SELECT and EXAMINE (RFC 3501 6.3.1-6.3.2), CLOSE,
 * UNSELECT (RFC 3691), CHECK, EXPUNGE and UID EXPUNGE (RFC 4315), and
 * the helpers that turn sequence sets and flag lists into messages and
 * bits. */
#include <stdlib.h>
#include <string.h>
#include "imapd.h"
#include "die.h"
#include "maildir.h"
#include "str.h"

static void
unselect(struct session *s)
{
	if (s->sel) {
		folder_close(s->sel);
		s->sel = NULL;
	}
	s->mc.idx = SIZE_MAX;
	s->state = S_AUTH;
}

enum cmd_res
cmd_select(struct imap_cmd *c)
{
	struct session *s = c->s;
	struct buf name = BUF_INIT(1024), path = BUF_INIT(MAILDIR_PATH_MAX);
	struct buf fl = BUF_INIT(4096);
	bool ro = str_caseeq(c->name, strlen(c->name), "EXAMINE", 7);
	uint32_t unseen = 0;
	size_t i;

	if (c->n < 1 || c->n > 2)
		return CMD_BAD;
	if (s->sel)
		reply(s, "* OK [CLOSED] Previous mailbox closed");
	unselect(s);
	if (cmd_mbox_arg(c, &c->args[0], &name, &path) < 0)
		return CMD_NO;
	if (folder_open(&s->selmem, (char *)path.p, (char *)name.p, ro) < 0) {
		folder_close(&s->selmem);
		memcpy(c->code, "NONEXISTENT", sizeof "NONEXISTENT");
		c->resp = "No such mailbox";
		buf_free(&name);
		buf_free(&path);
		return CMD_NO;
	}
	s->sel = &s->selmem;
	s->state = S_SELECTED;
	reply_flags(&fl, s->sel,
	    FL_ANSWERED | FL_FLAGGED | FL_DELETED | FL_SEEN | FL_DRAFT |
	        FL_FORWARDED,
	    (1u << KW_MAX) - 1);
	if (buf_cstr(&fl) < 0)
		die_nomem();
	reply(s, "* FLAGS %s", (char *)fl.p);
	fl.len--;
	reply(s, "* OK [PERMANENTFLAGS %.*s \\*)] Flags permitted", (int)fl.len,
	    (char *)fl.p);
	reply(s, "* %zu EXISTS", s->sel->n);
	reply(s, "* %lu RECENT", (unsigned long)s->sel->recent);
	for (i = 0; i < s->sel->n; i++)
		if (!(s->sel->m[i].flags & FL_SEEN)) {
			unseen = (uint32_t)i + 1;
			break;
		}
	if (unseen)
		reply(
		    s, "* OK [UNSEEN %lu] First unseen", (unsigned long)unseen);
	reply(s, "* OK [UIDVALIDITY %lu] UIDs valid",
	    (unsigned long)s->sel->uidvalidity);
	reply(s, "* OK [UIDNEXT %lu] Predicted next UID",
	    (unsigned long)s->sel->uidnext);
	memcpy(c->code, ro ? "READ-ONLY" : "READ-WRITE", ro ? 10 : 11);
	buf_free(&name);
	buf_free(&path);
	buf_free(&fl);
	return CMD_DONE;
}

enum cmd_res
cmd_close(struct imap_cmd *c)
{
	if (c->n)
		return CMD_BAD;
	if (!c->s->sel->rdonly)
		folder_expunge(c->s->sel, NULL, NULL); /* silently */
	unselect(c->s);
	return CMD_DONE;
}

enum cmd_res
cmd_unselect(struct imap_cmd *c)
{
	if (c->n)
		return CMD_BAD;
	unselect(c->s);
	return CMD_DONE;
}

enum cmd_res
cmd_check(struct imap_cmd *c)
{
	return c->n ? CMD_BAD : CMD_DONE;
}

enum cmd_res
cmd_expunge(struct imap_cmd *c)
{
	struct sync_report r;
	struct seqset *set = NULL;
	enum cmd_res res = CMD_DONE;

	if (c->n != (c->uid ? 1u : 0u))
		return CMD_BAD;
	if (c->s->sel->rdonly) {
		c->resp = "Mailbox is read-only";
		return CMD_NO;
	}
	if (c->uid) {
		set = malloc(sizeof *set);
		if (set == NULL)
			die_nomem();
		if (c->args[0].type != ARG_ATOM ||
		    seqset_parse(c->args[0].p, c->args[0].len,
		        c->s->sel->uidnext ? c->s->sel->uidnext - 1 : 0,
		        set) < 0) {
			free(set);
			return CMD_BAD;
		}
	}
	memset(&r, 0, sizeof r);
	if (folder_expunge(c->s->sel, set, &r) < 0) {
		c->resp = "Some messages could not be expunged";
		res = CMD_NO;
	}
	c->s->mc.idx = SIZE_MAX;
	session_report(c->s, &r);
	free(set);
	return res;
}

int
cmd_msgset(struct imap_cmd *c, const struct imap_arg *a, bool uid,
    size_t **idx_r, size_t *n_r)
{
	struct folder *f = c->s->sel;
	struct seqset *set;
	size_t i, n = 0, *v;
	uint32_t star;

	if (a->type != ARG_ATOM)
		return -1;
	set = malloc(sizeof *set);
	v = malloc((f->n + 1) * sizeof *v);
	if (set == NULL || v == NULL)
		die_nomem();
	star = uid ? (f->n ? f->m[f->n - 1].uid : 0) : (uint32_t)f->n;
	if (seqset_parse(a->p, a->len, star, set) < 0) {
		free(set);
		free(v);
		c->resp = "Invalid message set";
		return -1;
	}
	if (!uid) /* sequence numbers beyond EXISTS are an error */
		for (i = 0; i < set->n; i++)
			if (set->r[i].hi > f->n) {
				free(set);
				free(v);
				c->resp = "Invalid message set";
				return -1;
			}
	for (i = 0; i < f->n; i++)
		if (seqset_has(set, uid ? f->m[i].uid : (uint32_t)(i + 1)))
			v[n++] = i;
	free(set);
	*idx_r = v;
	*n_r = n;
	return 0;
}

static bool
has_any(const char *p, size_t len, const char *set)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strchr(set, p[i]) != NULL || (unsigned char)p[i] >= 0x7f)
			return true;
	return false;
}

struct sysflag {
	const char *name;
	uint32_t bit;
};

static const struct sysflag sys[] = {{"\\Seen", FL_SEEN},
    {"\\Answered", FL_ANSWERED}, {"\\Flagged", FL_FLAGGED},
    {"\\Deleted", FL_DELETED}, {"\\Draft", FL_DRAFT},
    {"$Forwarded", FL_FORWARDED}};

enum cmd_res
limit_keywords(struct imap_cmd *c)
{
	memcpy(c->code, "LIMIT", sizeof "LIMIT");
	c->resp = "Too many keywords in this mailbox";
	return CMD_NO;
}

int
flags_parse(struct folder *f, const struct imap_arg *a, size_t n,
    uint32_t *fl_r, uint32_t *kw_r)
{
	size_t i, k;
	int kw;

	*fl_r = *kw_r = 0;
	for (i = 0; i < n; i++) {
		if (a[i].type != ARG_ATOM || a[i].len == 0)
			return -1;
		for (k = 0; k < sizeof sys / sizeof sys[0]; k++)
			if (str_caseeq(a[i].p, a[i].len, sys[k].name,
			        strlen(sys[k].name)))
				break;
		if (k < sizeof sys / sizeof sys[0]) {
			*fl_r |= sys[k].bit;
			continue;
		}
		if (a[i].p[0] == '\\')
			return -1; /* \Recent and unknown system flags */
		if (has_any(a[i].p, a[i].len, "*%]\\(){\""))
			return -1;
		if (f == NULL)
			continue;
		if ((kw = folder_keyword(f, a[i].p, a[i].len, true)) < 0)
			return -2; /* table full: never drop a keyword */
		*kw_r |= 1u << kw;
	}
	return 0;
}
