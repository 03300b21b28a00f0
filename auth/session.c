/* session.c: after a good password: a clean environment, the user's
 * ids, HOME, and exec of the rest of the command line.
 * The environment is rebuilt from nothing (quail-auth may be setuid
 * root, so the caller's environment is untrusted): PATH, USER, HOME,
 * SHELL, MAILDIR, MAILDIRQUOTA (when the mailbox has a quota), and the
 * whitelisted connection variables below if the caller set them to
 * short printable values. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "die.h"
#include "maildir.h"
#include "proc.h"

static const char *const keep[] = {"TCPREMOTEIP", "TCPREMOTEPORT",
    "TCPREMOTEHOST", "TCPREMOTEINFO", "TCPLOCALIP", "TCPLOCALPORT",
    "TCPLOCALHOST", "PROTO", "QUAIL_TLS", "QUAIL_TLSFD", "QUAIL_SERVICE", NULL};

static bool
printable(const char *v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if (i >= 256 || (unsigned char)v[i] < 0x20 ||
		    (unsigned char)v[i] >= 0x7f)
			return false;
	return true;
}

/* Copies the whitelisted variables as "NAME=value\0" into saved. */
static void
env_save(struct buf *saved)
{
	const char *v;
	size_t i;

	for (i = 0; keep[i]; i++) {
		if ((v = getenv(keep[i])) == NULL || !printable(v))
			continue;
		if (buf_cats(saved, keep[i]) < 0 || buf_catc(saved, '=') < 0 ||
		    buf_cats(saved, v) < 0 || buf_catc(saved, '\0') < 0)
			die_nomem();
	}
}

static void
env_set(const char *name, const char *value)
{
	if (setenv(name, value, 1) < 0)
		die_nomem();
}

static void
env_build(const struct auth_user *u)
{
	struct buf saved = BUF_INIT(8192);
	size_t i, eq;

	env_save(&saved);
	if (clearenv() != 0)
		die_nomem();
	for (i = 0; i < saved.len; i += strlen((char *)saved.p + i) + 1) {
		char *kv = (char *)saved.p + i;
		eq = strcspn(kv, "=");
		kv[eq] = '\0';
		env_set(kv, kv + eq + 1);
	}
	buf_free(&saved);
	env_set("PATH", "/usr/local/bin:/usr/bin:/bin");
	env_set("USER", (const char *)u->name.p);
	env_set("HOME", (const char *)u->home.p);
	env_set("SHELL", (const char *)u->shell.p);
	env_set("MAILDIR", (const char *)u->maildir.p);
	if (u->quota.len > 0 && strcmp((const char *)u->quota.p, "0") != 0) {
		struct buf q = BUF_INIT(64);
		if (buf_cats(&q, (const char *)u->quota.p) < 0 ||
		    buf_catc(&q, 'S') < 0 || buf_cstr(&q) < 0)
			die_nomem();
		env_set("MAILDIRQUOTA", (const char *)q.p);
		buf_free(&q);
	}
}

void
auth_exec(const struct auth_user *u, char **argv)
{
	env_build(u);
	if (u->virtual_) {
		if (proc_setids(u->uid, u->gid) < 0)
			die_sys(111, "unable to switch to uid %lu",
			    (unsigned long)u->uid);
		/* first login before any delivery: make the Maildir */
		if (!maildir_exists((const char *)u->maildir.p) &&
		    maildir_create((const char *)u->maildir.p, true) < 0 &&
		    errno != EEXIST)
			die_sys(111, "unable to create %s",
			    (const char *)u->maildir.p);
	} else if (proc_become((const char *)u->name.p) < 0) {
		die_sys(111, "unable to switch to %s", (const char *)u->name.p);
	}
	if (chdir((const char *)u->home.p) < 0)
		die_sys(111, "unable to chdir to %s", (const char *)u->home.p);
	execvp(argv[0], argv);
	die_sys(111, "unable to run %s", argv[0]);
}
