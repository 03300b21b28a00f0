/* admin.h: the issue-4 commands of quail-ctl (runs as root, may use
 * stdio).  Man page: quail-ctl-admin(8).
 * srcedit.c  line-preserving edits of control/ text sources, the admin
 *            lock, commit = atomic rewrite + compile (sources restored
 *            when the compile fails)
 * admin.c    domain, user, alias
 * passwd.c   reading a password (tty without echo, or stdin) and hashing
 *            it with libcrypt's yescrypt; virtual Maildir creation
 * queueadm.c queue list|stat|hold|release|delete|retry
 * qfsck.c    queue fsck
 * explain.c  explain ADDRESS
 * up.c       up and down (svscan on HOME/boot) */
#ifndef QUAIL_CTL_ADMIN_H
#define QUAIL_CTL_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

/* ---- srcedit.c ---- */
struct srcf {
	const char *rel; /* "control/mailboxes" */
	char *path;      /* HOME/rel */
	char **line;     /* without LF */
	size_t n, cap;
	char *orig; /* the file as read, for restoring */
	size_t olen;
	bool exists, changed;
	mode_t mode;
};

/* Loads HOME/rel (missing: empty).  0, or -1 (message printed). */
int srcf_load(struct srcf *s, const char *home, const char *rel, mode_t mode);
void srcf_free(struct srcf *s);
/* The key of line i: the text before the first ':' (the whole line when
 * colon is false), trimmed and lowercased, into k; false for comments
 * and blank lines. */
bool srcf_key(const struct srcf *s, size_t i, bool colon, struct buf *k);
/* Index of the first line whose key is key, or -1. */
long srcf_find(const struct srcf *s, const char *key, bool colon);
void srcf_set(struct srcf *s, size_t i, const char *line);
void srcf_del(struct srcf *s, size_t i);
void srcf_add(struct srcf *s, const char *line);
/* Takes the admin lock (HOME/control/.quail-ctl.lock), bounded wait.
 * Returns the lock fd or -1 (printed). */
int admin_lock(const char *home);
/* Writes every changed file atomically, then compiles; on a failed
 * compile every written file gets its old contents back.  Returns the
 * exit code: 0, 100 (invalid) or 111. */
int admin_commit(const char *home, struct srcf *f, size_t n);
/* Domain part of key (after the last '@'), or "" */
const char *admin_domain(const char *key);

/* ---- passwd.c ---- */
/* Reads a password (twice on a terminal, echo off; one line from a
 * non-tty stdin) and hashes it into hash_r ($y$).  0 or -1 (printed). */
int passwd_read_hash(struct buf *hash_r);
/* Creates HOME/mail/DOM/USER/Maildir/{tmp,new,cur} owned by quailv
 * (dom and user lowercase, already validated).  0 or -1 (printed). */
int admin_maildir(const char *home, const char *dom, const char *user);

/* ---- the commands: each returns an exit code ---- */
int cmd_domain(const char *home, int argc, char **argv);
int cmd_user(const char *home, int argc, char **argv);
int cmd_alias(const char *home, int argc, char **argv);
int cmd_queue(const char *home, int argc, char **argv);
/* qfsck.c: dry = report only.  Returns the exit code. */
int queue_fsck(const char *home, bool dry);
int cmd_explain(const char *home, int argc, char **argv);
int cmd_up(const char *home, int argc, char **argv);
int cmd_down(const char *home, int argc, char **argv);

/* ---- small shared helpers (up.c) ---- */
/* Runs argv (PATH search) with stdout to out_r (if not NULL, bounded
 * 64 KiB) and waits; returns the exit code (111 for a crash), -1 when
 * it could not be started. */
int admin_run(char *const argv[], struct buf *out_r);

#endif
