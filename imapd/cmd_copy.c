/* cmd_copy.c: COPY, UID COPY (RFC 3501 6.4.7), MOVE and UID MOVE
 * (RFC 6851), with COPYUID (RFC 4315).  A copy is a hard link of the
 * message file under a new unique name in the target's cur/ (the
 * ",S=" and ",W=" tags and the flags kept); where linking fails
 * (another filesystem) the bytes are copied through folder_append.
 * The target's UIDs come from a sync of the target afterwards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "maildir.h"
#include "str.h"

static unsigned long copy_count;

/* New name in target/cur for message m; base into nb. */
static int
link_one(struct folder *f, size_t i, const char *target, char *nb, size_t nbl)
{
	struct msg *m = &f->m[i];
	struct buf from = BUF_INIT(MAILDIR_PATH_MAX),
	           to = BUF_INIT(MAILDIR_PATH_MAX);
	char host[256], uniq[MAILDIR_NAME_MAX + 1], info[40];
	char base[MAILDIR_NAME_MAX + 1];
	const char *tags;
	struct timeval tv;
	int r;

	if (m->blen >= sizeof base)
		return -1;
	memcpy(base, MSG_BASE(m), m->blen);
	base[m->blen] = 0;
	tags = strstr(base, ",S=");

	gettimeofday(&tv, NULL);
	if (gethostname(host, sizeof host) < 0)
		memcpy(host, "localhost", 10);
	host[sizeof host - 1] = 0;
	if (maildir_uniq(uniq, sizeof uniq, (unsigned long long)tv.tv_sec,
	        (unsigned long)tv.tv_usec, (unsigned long)getpid(),
	        ++copy_count, host) < 0)
		return -1;
	flags_info(m->flags & ~FL_RECENT, m->kw, info);
	if (buf_cats(&from, f->path) < 0 || buf_catc(&from, '/') < 0 ||
	    buf_cats(&from, m->name) < 0 || buf_cstr(&from) < 0 ||
	    buf_printf(&to, "%s/cur/%s%s", target, uniq, tags ? tags : "") < 0)
		die_nomem();
	if (to.len - strlen(target) - 5 >= nbl)
		return -1;
	memcpy(nb, to.p + strlen(target) + 5, to.len - strlen(target) - 5);
	nb[to.len - strlen(target) - 5] = 0;
	if (buf_printf(&to, ":2,%s", info) < 0 || buf_cstr(&to) < 0)
		die_nomem();
	r = link((char *)from.p, (char *)to.p);
	if (r < 0 && errno == ENOENT && folder_openmsg(f, i) >= 0) {
		/* renamed meanwhile: folder_openmsg found the new name */
		buf_reset(&from);
		if (buf_printf(&from, "%s/%s", f->path, m->name) < 0 ||
		    buf_cstr(&from) < 0)
			die_nomem();
		r = link((char *)from.p, (char *)to.p);
	}
	buf_free(&from);
	buf_free(&to);
	return r;
}

static int
copy_one(struct session *s, size_t i, const char *target, char *nb, size_t nbl)
{
	struct folder *f = s->sel;

	if (link_one(f, i, target, nb, nbl) == 0)
		return 0;
	if (errno != EXDEV && errno != EPERM && errno != EMLINK)
		return -1;
	if (msg_load(s, i, true) < 0 || folder_msgdate(f, i) < 0)
		return -1;
	return folder_append(target, s->mc.data.p, s->mc.data.len,
	    f->m[i].flags, 0, f->m[i].idate, nb, nbl);
}

/* "1:3,7" from a list of ascending or unordered uids. */
static void
uidset(struct buf *b, const uint32_t *u, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		j = i;
		while (j + 1 < n && u[j + 1] == u[j] + 1)
			j++;
		if (buf_printf(b, i ? ",%lu" : "%lu", (unsigned long)u[i]) <
		        0 ||
		    (j > i && buf_printf(b, ":%lu", (unsigned long)u[j]) < 0))
			die_nomem();
		i = j + 1;
	}
}

/* COPYUID (RFC 4315): the target is synced to learn the new UIDs. */
static void
copyuid(struct imap_cmd *c, const char *path, const char *name,
    char (*bases)[MAILDIR_NAME_MAX + 1], const uint32_t *su, size_t n)
{
	struct buf code = BUF_INIT(sizeof c->code);
	uint32_t *du = calloc(n + 1, sizeof *du);
	struct folder t;
	size_t i;

	if (du == NULL)
		die_nomem();
	memset(&t, 0, sizeof t);
	if (n > 0 && folder_open(&t, path, name, true) == 0) {
		for (i = 0; i < n; i++)
			du[i] = folder_uid_of(&t, bases[i]);
		if (buf_printf(&code, "COPYUID %lu ",
		        (unsigned long)t.uidvalidity) < 0)
			die_nomem();
		uidset(&code, su, n);
		if (buf_catc(&code, ' ') < 0)
			die_nomem();
		uidset(&code, du, n);
		if (code.len < sizeof c->code) {
			memcpy(c->code, code.p, code.len);
			c->code[code.len] = 0;
		}
	}
	folder_close(&t);
	free(du);
	buf_free(&code);
}

/* MOVE: the COPYUID goes out untagged, then the moved messages (not
 * others marked \Deleted) are expunged, in rounds of at most
 * IMAP_SEQ_RANGES ranges (RFC 6851 section 4.3). */
static void
move_expunge(
    struct imap_cmd *c, const size_t *idx, const uint32_t *su, size_t n)
{
	struct session *s = c->s;
	struct seqset set;
	struct sync_report rep;
	size_t i;

	if (c->code[0])
		reply(s, "* OK [%s] Moved", c->code);
	c->code[0] = 0;
	for (i = 0; i < n; i++)
		folder_setflags(s->sel, idx[i],
		    s->sel->m[idx[i]].flags | FL_DELETED, s->sel->m[idx[i]].kw);
	for (i = 0; i < n;) {
		set.n = 0;
		while (i < n && set.n < IMAP_SEQ_RANGES) {
			set.r[set.n].lo = set.r[set.n].hi = su[i++];
			while (i < n && su[i] == set.r[set.n].hi + 1)
				set.r[set.n].hi = su[i++];
			set.n++;
		}
		memset(&rep, 0, sizeof rep);
		folder_expunge(s->sel, &set, &rep);
		s->mc.idx = SIZE_MAX;
		session_report(s, &rep);
	}
}

static enum cmd_res
copy(struct imap_cmd *c, bool move)
{
	struct session *s = c->s;
	struct buf name = BUF_INIT(1024), path = BUF_INIT(MAILDIR_PATH_MAX);
	size_t *idx = NULL, n = 0, i, fails = 0;
	char(*bases)[MAILDIR_NAME_MAX + 1] = NULL;
	uint32_t *su = NULL;
	enum cmd_res r = CMD_NO;

	if (c->n != 2)
		return CMD_BAD;
	if (cmd_msgset(c, &c->args[0], c->uid, &idx, &n) < 0)
		return CMD_BAD;
	if (cmd_mbox_arg(c, &c->args[1], &name, &path) < 0)
		goto out;
	if (!maildir_exists((char *)path.p)) {
		memcpy(c->code, "TRYCREATE", sizeof "TRYCREATE");
		c->resp = "No such mailbox";
		goto out;
	}
	if (move && s->sel->rdonly) {
		c->resp = "Mailbox is read-only";
		goto out;
	}
	bases = calloc(n + 1, sizeof *bases);
	su = calloc(n + 1, sizeof *su);
	if (bases == NULL || su == NULL)
		die_nomem();
	for (i = 0; i < n; i++) {
		su[i] = s->sel->m[idx[i]].uid;
		if (copy_one(s, idx[i], (char *)path.p, bases[i],
		        sizeof bases[i]) < 0)
			fails++;
	}
	if (fails) {
		c->resp = "Some messages could not be copied";
		goto out;
	}
	copyuid(c, (char *)path.p, (char *)name.p, bases, su, n);
	if (move)
		move_expunge(c, idx, su, n);
	r = CMD_DONE;
out:
	free(idx);
	free(bases);
	free(su);
	buf_free(&name);
	buf_free(&path);
	return r;
}

enum cmd_res
cmd_copy(struct imap_cmd *c)
{
	return copy(c, false);
}

enum cmd_res
cmd_move(struct imap_cmd *c)
{
	return copy(c, true);
}
