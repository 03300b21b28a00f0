/* cmd_append.c: APPEND (RFC 3501 6.3.11) with flags, date-time and a
 * synchronising or non-synchronising literal (RFC 7888), APPENDUID
 * (RFC 4315), and the Maildir++ quota (RFC 2087 OVERQUOTA, counted in
 * the Maildir's maildirsize when it exists).  The literal is bounded by
 * the message limit before it is read (session.c). */
#include <string.h>
#include <time.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "maildir.h"

static bool
over_quota(struct session *s, size_t len)
{
	struct maildir_quota q;
	struct maildir_usage u;
	int r = maildir_size_read(s->root, &q, &u);

	if (r == 2 && maildir_size_recalc(s->root, &q, &u) < 0)
		return false;
	if (r <= 0)
		return false;
	return maildir_over_quota(&q, &u, len);
}

/* The optional flag list and date-time before the message. */
static int
append_opts(struct imap_cmd *c, struct folder *tf, uint32_t *fl, uint32_t *kw,
    time_t *date)
{
	const struct imap_arg *a = c->args;
	size_t i = 1;

	*fl = *kw = 0;
	*date = 0;
	if (i < c->n - 1 && a[i].type == ARG_LIST) {
		int k = flags_parse(tf, a[i].list, a[i].n, fl, kw);
		if (k < 0)
			return k;
		i++;
	}
	if (i < c->n - 1) {
		if (a[i].type != ARG_STRING ||
		    (*date = imap_parse_date(a[i].p, a[i].len, true)) ==
		        (time_t)-1)
			return -1;
		i++;
	}
	return i == c->n - 1 ? 0 : -1;
}

/* maildirsize counts the stored (LF) size. */
static void
append_account(struct session *s, const struct imap_arg *msg)
{
	struct maildir_quota q;
	struct maildir_usage u;
	size_t k, lf = msg->len;

	for (k = 0; k + 1 < msg->len; k++)
		if (msg->p[k] == '\r' && msg->p[k + 1] == '\n')
			lf--;
	if (maildir_size_read(s->root, &q, &u) == 1)
		maildir_size_add(s->root, (int64_t)lf, 1);
}

/* APPENDUID: the target is synced so that the new file has its UID. */
static void
append_uid(struct imap_cmd *c, struct folder *tf, bool own, const char *base)
{
	struct buf code = BUF_INIT(200);
	uint32_t uid;

	if (own) {
		memset(&tf->newm, 0, sizeof tf->newm);
		folder_sync(tf, false, NULL);
	} else
		session_sync(c->s, true);
	uid = folder_uid_of(tf, base);
	if (uid &&
	    buf_printf(&code, "APPENDUID %lu %lu",
	        (unsigned long)tf->uidvalidity, (unsigned long)uid) == 0) {
		memcpy(c->code, code.p, code.len);
		c->code[code.len] = 0;
	}
	buf_free(&code);
}

enum cmd_res
cmd_append(struct imap_cmd *c)
{
	struct session *s = c->s;
	struct buf name = BUF_INIT(1024), path = BUF_INIT(MAILDIR_PATH_MAX);
	const struct imap_arg *msg;
	char base[MAILDIR_NAME_MAX + 1];
	uint32_t fl, kw;
	time_t date;
	struct folder t, *tf = &t;
	bool own = false;
	enum cmd_res r = CMD_NO;
	int k;

	if (c->n < 2 || c->n > 4)
		return CMD_BAD;
	msg = &c->args[c->n - 1];
	if (msg->type != ARG_LITERAL && msg->type != ARG_STRING)
		return CMD_BAD;
	if (cmd_mbox_arg(c, &c->args[0], &name, &path) < 0)
		goto out;
	if (!maildir_exists((char *)path.p)) {
		memcpy(c->code, "TRYCREATE", sizeof "TRYCREATE");
		c->resp = "No such mailbox";
		goto out;
	}
	if (s->sel && strcmp(s->sel->path, (char *)path.p) == 0)
		tf = s->sel;
	else if (!(own = folder_open(
	                     &t, (char *)path.p, (char *)name.p, true) == 0)) {
		folder_close(&t);
		c->resp = "Cannot open mailbox";
		goto out;
	}
	if ((k = append_opts(c, tf, &fl, &kw, &date)) < 0)
		r = k == -2 ? limit_keywords(c) : CMD_BAD;
	else if (over_quota(s, msg->len)) {
		memcpy(c->code, "OVERQUOTA", sizeof "OVERQUOTA");
		c->resp = "Quota exceeded";
	} else if (folder_append((char *)path.p, (const unsigned char *)msg->p,
	               msg->len, fl, kw, date, base, sizeof base) < 0)
		c->resp = "Cannot append message";
	else {
		append_account(s, msg);
		append_uid(c, tf, own, base);
		r = CMD_DONE;
	}
out:
	if (own)
		folder_close(&t);
	buf_free(&name);
	buf_free(&path);
	return r;
}
