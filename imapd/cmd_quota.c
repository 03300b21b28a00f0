/* cmd_quota.c: GETQUOTA and GETQUOTAROOT (RFC 2087) from the Maildir++
 * maildirsize file: one root "" per user, STORAGE in KiB and MESSAGE.
 * No maildirsize, or no limit in it: no resources (an empty list). */
#include <string.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "maildir.h"

static void
quota_line(struct session *s)
{
	struct maildir_quota q;
	struct maildir_usage u;
	struct buf b = BUF_INIT(256);
	int r = maildir_size_read(s->root, &q, &u);

	if (r == 2 && maildir_size_recalc(s->root, &q, &u) < 0)
		r = 0;
	if (buf_cats(&b, "* QUOTA \"\" (") < 0)
		die_nomem();
	if (r > 0 && q.bytes &&
	    buf_printf(&b, "STORAGE %llu %llu",
	        (unsigned long long)(u.bytes > 0 ? u.bytes / 1024 : 0),
	        (unsigned long long)(q.bytes / 1024)) < 0)
		die_nomem();
	if (r > 0 && q.count &&
	    buf_printf(&b, "%sMESSAGE %llu %llu", q.bytes ? " " : "",
	        (unsigned long long)(u.count > 0 ? u.count : 0),
	        (unsigned long long)q.count) < 0)
		die_nomem();
	if (buf_catc(&b, ')') < 0 || buf_cstr(&b) < 0)
		die_nomem();
	reply(s, "%s", (char *)b.p);
	buf_free(&b);
}

enum cmd_res
cmd_getquota(struct imap_cmd *c)
{
	if (c->n != 1 || !arg_is_astring(&c->args[0]))
		return CMD_BAD;
	if (c->args[0].len != 0) {
		c->resp = "No such quota root";
		return CMD_NO;
	}
	quota_line(c->s);
	return CMD_DONE;
}

enum cmd_res
cmd_getquotaroot(struct imap_cmd *c)
{
	struct buf name = BUF_INIT(1024), path = BUF_INIT(4096);

	if (c->n != 1)
		return CMD_BAD;
	if (cmd_mbox_arg(c, &c->args[0], &name, &path) < 0)
		return CMD_NO;
	if (buf_cstr(&name) < 0)
		die_nomem();
	buf_reset(&path);
	buf_string(&path, name.p, name.len);
	if (buf_cstr(&path) < 0)
		die_nomem();
	reply(c->s, "* QUOTAROOT %s \"\"", (char *)path.p);
	quota_line(c->s);
	buf_free(&name);
	buf_free(&path);
	return CMD_DONE;
}
