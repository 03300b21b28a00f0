/* cmd_store.c: STORE and UID STORE (RFC 3501 6.4.6): FLAGS, +FLAGS,
 * -FLAGS, each with .SILENT; the flags as a list or as bare atoms.
 * Every change is a rename of the message file (folder_setflags). */
#include <stdlib.h>
#include <string.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "str.h"

struct change {
	int mode; /* 0 replace, 1 add, -1 remove */
	bool silent;
	uint32_t bits, kw;
};

/* Apply the change to message i and report its flags unless silent. */
static int
store_one(struct imap_cmd *c, size_t i, const struct change *ch)
{
	struct folder *f = c->s->sel;
	struct msg *m = &f->m[i];
	uint32_t nf = m->flags & ~FL_RECENT, nk = m->kw;
	struct buf b = BUF_INIT(65536);

	if (ch->mode == 0) {
		nf = ch->bits;
		nk = ch->kw;
	} else if (ch->mode > 0) {
		nf |= ch->bits;
		nk |= ch->kw;
	} else {
		nf &= ~ch->bits;
		nk &= ~ch->kw;
	}
	if ((nf != (m->flags & ~FL_RECENT) || nk != m->kw) &&
	    folder_setflags(f, i, nf, nk) < 0)
		return -1;
	if (ch->silent)
		return 0;
	if (buf_printf(&b, "* %zu FETCH (FLAGS ", i + 1) < 0)
		die_nomem();
	reply_flags(&b, f, m->flags, m->kw);
	if (c->uid && buf_printf(&b, " UID %lu", (unsigned long)m->uid) < 0)
		die_nomem();
	if (buf_cat(&b, ")\r\n", 3) < 0)
		die_nomem();
	reply_raw(c->s, b.p, b.len);
	buf_free(&b);
	return 0;
}

/* "[+|-]FLAGS[.SILENT]" -> mode and silent; -1 when it is neither. */
static int
store_item(const struct imap_arg *it, struct change *ch)
{
	const char *p = it->p;
	size_t len = it->len;

	if (it->type != ARG_ATOM || len == 0)
		return -1;
	ch->mode = p[0] == '+' ? 1 : p[0] == '-' ? -1 : 0;
	if (ch->mode) {
		p++;
		len--;
	}
	ch->silent = str_caseeq(p, len, "FLAGS.SILENT", 12);
	return ch->silent || str_caseeq(p, len, "FLAGS", 5) ? 0 : -1;
}

enum cmd_res
cmd_store(struct imap_cmd *c)
{
	struct folder *f = c->s->sel;
	const struct imap_arg *fl;
	struct change ch;
	size_t *idx, n, i, nfl, fails = 0;
	int k;

	if (c->n < 3 || store_item(&c->args[1], &ch) < 0)
		return CMD_BAD;
	fl = &c->args[2];
	nfl = c->n - 2;
	if (fl->type == ARG_LIST) {
		if (c->n != 3)
			return CMD_BAD;
		nfl = fl->n;
		fl = fl->list;
	}
	if (f->rdonly) {
		c->resp = "Mailbox is read-only";
		return CMD_NO;
	}
	if ((k = flags_parse(f, fl, nfl, &ch.bits, &ch.kw)) < 0) {
		if (k == -2)
			return limit_keywords(c);
		c->resp = "Invalid flag";
		return CMD_BAD;
	}
	if (cmd_msgset(c, &c->args[0], c->uid, &idx, &n) < 0)
		return CMD_BAD;
	for (i = 0; i < n; i++)
		if (store_one(c, idx[i], &ch) < 0)
			fails++;
	free(idx);
	if (fails) {
		c->resp = "Some flags could not be stored (expunged?)";
		return CMD_NO;
	}
	return CMD_DONE;
}
