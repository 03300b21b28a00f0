/* mdir.c: "./Maildir/" and "/path/Maildir/" lines: the Return-Path and
 * Delivered-To lines and the message into tmp/, fsync, Maildir++ quota
 * check, link into new/ (lib/maildir.c), then the maildirsize update,
 * the over-quota marker (quota.c) and the tmp/ cleanup (tmpclean.c). */
#include <errno.h>
#include <string.h>

#include "die.h"
#include "local.h"
#include "maildir.h"

static int
put(void *arg, const void *p, size_t n)
{
	return maildir_write(arg, p, n);
}

/* dir without trailing '/' into path. */
static int
dirpath(char *path, const char *dir, size_t dlen)
{
	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	if (dlen >= MAILDIR_PATH_MAX || memchr(dir, '\0', dlen)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, dlen);
	path[dlen] = '\0';
	return 0;
}

static int
fill(struct local_ctx *c, struct maildir_tmp *t)
{
	if (maildir_write(t, c->rpline.p, c->rpline.len) < 0 ||
	    maildir_write(t, c->dtline.p, c->dtline.len) < 0 ||
	    msg_copy(c, put, t) < 0)
		return -1;
	return 0;
}

/* The tmp/ cleanup after a delivery; logged on fd 2, never fatal. */
static void
cleanup(const char *path, time_t now)
{
	size_t n = 0;

	if (tmp_clean(path, now, &n) < 0)
		log_warn("unable to clean %s/tmp: %s", path, strerror(errno));
	else if (n > 0)
		log_info("removed %zu stale file%s from %s/tmp", n,
		    n == 1 ? "" : "s", path);
}

int
mdir_deliver(struct local_ctx *c, const char *dir, size_t dlen)
{
	static struct maildir_tmp t; /* 12 KB: not on the stack */
	char path[MAILDIR_PATH_MAX];
	bool active = false;
	int r;

	if (dirpath(path, dir, dlen) < 0) {
		say(c, "4.3.0 Maildir name too long");
		return L_TEMP;
	}
	if (c->create && !maildir_exists(path) &&
	    maildir_create(path, true) < 0) {
		say(c, "4.2.0 Unable to create Maildir %s: %s", path,
		    strerror(errno));
		return L_TEMP;
	}
	if (maildir_open_tmp(&t, path) < 0) {
		say(c, "4.2.0 Unable to open Maildir %s/tmp: %s", path,
		    strerror(errno));
		return L_TEMP;
	}
	if (fill(c, &t) < 0) {
		say(c, "4.3.0 Unable to write Maildir %s: %s", path,
		    strerror(errno));
		maildir_abort(&t);
		return L_TEMP;
	}
	r = quota_check(c, path, t.size, &active);
	if (r != L_OK) {
		maildir_abort(&t);
		if (r == L_PERM)
			quota_mark(c, true);
		return r;
	}
	if (maildir_commit(&t, "new", NULL, NULL) < 0) {
		say(c, "4.3.0 Unable to deliver to Maildir %s: %s", path,
		    strerror(errno));
		return L_TEMP;
	}
	if (active && maildir_size_add(path, (int64_t)t.size, 1) < 0)
		say(c, "warning: unable to update %s/maildirsize: %s", path,
		    strerror(errno));
	say(c, "delivered to Maildir %s", path);
	quota_mark(c, false);
	cleanup(path, c->now);
	return L_OK;
}
