/* quota.c: Maildir++ quota at delivery.  The quota is the first line of
 * the Maildir's maildirsize, or for virtual mailboxes the -q value from
 * control/mailboxes (which wins: a changed quota rewrites the file).
 * Over quota is a permanent failure with a clear bounce text.  For
 * virtual mailboxes the result is also left in HOME/quota for
 * quail-smtpd (lib/quotamark.h). */
#include <errno.h>
#include <string.h>

#include "auto.h"
#include "die.h"
#include "local.h"
#include "maildir.h"
#include "quotamark.h"

/* Rewrites maildirsize with quota q: L_OK or L_TEMP. */
static int
recalc(struct local_ctx *c, const char *dir, const struct maildir_quota *q,
    struct maildir_usage *u)
{
	if (maildir_size_recalc(dir, q, u) == 0)
		return L_OK;
	say(c, "4.3.0 Unable to recalculate %s/maildirsize: %s", dir,
	    strerror(errno));
	return L_TEMP;
}

/* Reads the quota state; *fresh_r when it was just recalculated.
 * L_OK with *active_r false: no quota in use. */
static int
load(struct local_ctx *c, const char *dir, struct maildir_quota *q,
    struct maildir_usage *u, bool *active_r, bool *fresh_r)
{
	int r = maildir_size_read(dir, q, u);

	*active_r = *fresh_r = false;
	if (r < 0 && errno != EINVAL) {
		say(c, "4.3.0 Unable to read %s/maildirsize: %s", dir,
		    strerror(errno));
		return L_TEMP;
	}
	if (c->have_quota) {
		if (r == 0 && c->quota == 0)
			return L_OK;
		if (r == 1 && q->bytes == c->quota) {
			*active_r = true;
			return L_OK;
		}
		q->bytes = c->quota;
		if (r < 0)
			q->count = 0;
	} else {
		if (r <= 0)
			return L_OK; /* no maildirsize or no valid quota line */
		*active_r = true;
		if (r == 1)
			return L_OK;
	}
	*active_r = *fresh_r = true;
	return recalc(c, dir, q, u);
}

int
quota_check(struct local_ctx *c, const char *dir, uint64_t size, bool *active_r)
{
	struct maildir_quota q;
	struct maildir_usage u;
	bool fresh;
	int r;

	r = load(c, dir, &q, &u, active_r, &fresh);
	if (r != L_OK || !*active_r)
		return r;
	if (!maildir_over_quota(&q, &u, size))
		return L_OK;
	if (!fresh) { /* the sums may be stale: count again once */
		r = recalc(c, dir, &q, &u);
		if (r != L_OK)
			return r;
		if (!maildir_over_quota(&q, &u, size))
			return L_OK;
	}
	say(c, "5.2.2 The users mailbox is over the allowed quota (#5.2.2)");
	return L_PERM;
}

void
quota_mark(struct local_ctx *c, bool over)
{
	const char *r = (const char *)c->recipient.p;
	int res;

	if (c->dryrun || r == NULL || strcmp(c->user, auto_user_v) != 0)
		return;
	if (over)
		res = quotamark_set(auto_home, r, c->recipient.len);
	else
		res = quotamark_clear(auto_home, r, c->recipient.len);
	if (res < 0)
		log_warn("unable to %s %s/%s/%s: %s",
		    over ? "create" : "remove", auto_home, QUOTAMARK_DIR, r,
		    strerror(errno));
}
