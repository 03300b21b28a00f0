/* cmd_mbox.c: CREATE, DELETE, RENAME (RFC 3501 6.3.3-6.3.5), STATUS
 * (6.3.10), SUBSCRIBE and UNSUBSCRIBE (6.3.6-6.3.7).  Subscriptions
 * are the Maildir's "subscriptions" file, one name a line, replaced
 * atomically.  DELETE first renames the folder to "..quail-deleted-*"
 * (invisible to LIST) so a crash never leaves half a folder visible. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "imapd.h"
#include "atomic.h"
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "maildir.h"
#include "str.h"

static void
cpath(struct buf *b, const char *a, const char *x, const char *y)
{
	buf_reset(b);
	if (buf_cats(b, a) < 0 || buf_cats(b, x) < 0 ||
	    (y && buf_cats(b, y) < 0) || buf_cstr(b) < 0)
		die_nomem();
}

enum cmd_res
cmd_create(struct imap_cmd *c)
{
	struct buf name = BUF_INIT(1024), path = BUF_INIT(MAILDIR_PATH_MAX);
	enum cmd_res r = CMD_NO;
	int fd;

	if (c->n != 1)
		return CMD_BAD;
	if (c->args[0].len > 1 && c->args[0].p[c->args[0].len - 1] == '.')
		c->args[0].len--; /* "a.b." creates a.b (RFC 3501 6.3.3) */
	if (cmd_mbox_arg(c, &c->args[0], &name, &path) < 0)
		goto out;
	if (!mbox_newname_ok((char *)name.p)) {
		memcpy(c->code, "CANNOT", sizeof "CANNOT");
		c->resp = "Invalid mailbox name (modified UTF-7, no * or %)";
		goto out;
	}
	if (strcmp((char *)name.p, "INBOX") == 0 ||
	    access((char *)path.p, F_OK) == 0) {
		memcpy(c->code, "ALREADYEXISTS", sizeof "ALREADYEXISTS");
		c->resp = "Mailbox exists";
		goto out;
	}
	if (maildir_create((char *)path.p, false) < 0) {
		c->resp = "Cannot create mailbox";
		goto out;
	}
	cpath(&name, (char *)path.p, "/maildirfolder", NULL);
	if ((fd = open((char *)name.p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >=
	    0)
		close(fd);
	r = CMD_DONE;
out:
	buf_free(&name);
	buf_free(&path);
	return r;
}

static int
rmtree(const char *dir, int depth)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	struct dirent *d;
	DIR *dh;

	if (depth > 2 || (dh = opendir(dir)) == NULL)
		return -1;
	while ((d = readdir(dh)) != NULL) {
		struct stat st;
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		cpath(&p, dir, "/", d->d_name);
		if (lstat((char *)p.p, &st) == 0 && S_ISDIR(st.st_mode))
			rmtree((char *)p.p, depth + 1);
		else
			unlink((char *)p.p);
	}
	closedir(dh);
	buf_free(&p);
	return rmdir(dir);
}

enum cmd_res
cmd_delete(struct imap_cmd *c)
{
	struct buf name = BUF_INIT(1024), path = BUF_INIT(MAILDIR_PATH_MAX);
	struct buf gone = BUF_INIT(MAILDIR_PATH_MAX);
	enum cmd_res r = CMD_NO;

	if (c->n != 1)
		return CMD_BAD;
	if (cmd_mbox_arg(c, &c->args[0], &name, &path) < 0)
		goto out;
	if (strcmp((char *)name.p, "INBOX") == 0) {
		c->resp = "INBOX cannot be deleted";
		goto out;
	}
	if (!maildir_exists((char *)path.p)) {
		memcpy(c->code, "NONEXISTENT", sizeof "NONEXISTENT");
		c->resp = "No such mailbox";
		goto out;
	}
	if (c->s->sel && strcmp(c->s->sel->path, (char *)path.p) == 0) {
		folder_close(c->s->sel);
		c->s->sel = NULL;
		c->s->state = S_AUTH;
	}
	cpath(&gone, c->s->root, "/..quail-deleted-", NULL);
	if (buf_catu(&gone, (unsigned long long)getpid()) < 0 ||
	    buf_cstr(&gone) < 0)
		die_nomem();
	if (rename((char *)path.p, (char *)gone.p) < 0) {
		c->resp = "Cannot delete mailbox";
		goto out;
	}
	rmtree((char *)gone.p, 0);
	r = CMD_DONE;
out:
	buf_free(&name);
	buf_free(&path);
	buf_free(&gone);
	return r;
}

/* RENAME INBOX x: move INBOX's messages into a new folder x. */
static int
rename_inbox(struct session *s, const char *to)
{
	static const char *subs[] = {"/cur", "/new"};
	struct buf a = BUF_INIT(MAILDIR_PATH_MAX),
	           b = BUF_INIT(MAILDIR_PATH_MAX);
	struct dirent *d;
	size_t i;
	DIR *dh;
	int r = 0;

	if (maildir_create(to, false) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		cpath(&a, s->root, subs[i], NULL);
		if ((dh = opendir((char *)a.p)) == NULL)
			return -1;
		while ((d = readdir(dh)) != NULL) {
			if (d->d_name[0] == '.')
				continue;
			cpath(&a, s->root, subs[i], "/");
			cpath(&b, to, subs[i], "/");
			if (buf_cats(&a, d->d_name) < 0 || buf_cstr(&a) < 0 ||
			    buf_cats(&b, d->d_name) < 0 || buf_cstr(&b) < 0)
				die_nomem();
			if (rename((char *)a.p, (char *)b.p) < 0)
				r = -1;
		}
		closedir(dh);
	}
	buf_free(&a);
	buf_free(&b);
	return r;
}

/* Renames ".from" and every ".from.x" to ".to" and ".to.x". */
static int
rename_tree(const char *root, const char *from, const char *to)
{
	struct buf a = BUF_INIT(MAILDIR_PATH_MAX),
	           b = BUF_INIT(MAILDIR_PATH_MAX);
	size_t fl = strlen(from);
	struct dirent *d;
	DIR *dh;
	int r = 0;

	if ((dh = opendir(root)) == NULL)
		return -1;
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] != '.' ||
		    strncmp(d->d_name + 1, from, fl) != 0 ||
		    (d->d_name[1 + fl] != 0 && d->d_name[1 + fl] != '.'))
			continue;
		cpath(&a, root, "/", d->d_name);
		cpath(&b, root, "/.", to);
		if (buf_cats(&b, d->d_name + 1 + fl) < 0 || buf_cstr(&b) < 0)
			die_nomem();
		if (rename((char *)a.p, (char *)b.p) < 0)
			r = -1;
	}
	closedir(dh);
	buf_free(&a);
	buf_free(&b);
	return r;
}

enum cmd_res
cmd_rename(struct imap_cmd *c)
{
	struct buf fn = BUF_INIT(1024), fp = BUF_INIT(MAILDIR_PATH_MAX);
	struct buf tn = BUF_INIT(1024), tp = BUF_INIT(MAILDIR_PATH_MAX);
	enum cmd_res r = CMD_NO;

	if (c->n != 2)
		return CMD_BAD;
	if (cmd_mbox_arg(c, &c->args[0], &fn, &fp) < 0 ||
	    cmd_mbox_arg(c, &c->args[1], &tn, &tp) < 0)
		goto out;
	if (strcmp((char *)tn.p, "INBOX") != 0 &&
	    !mbox_newname_ok((char *)tn.p)) {
		memcpy(c->code, "CANNOT", sizeof "CANNOT");
		c->resp = "Invalid mailbox name (modified UTF-7, no * or %)";
	} else if (!maildir_exists((char *)fp.p)) {
		memcpy(c->code, "NONEXISTENT", sizeof "NONEXISTENT");
		c->resp = "No such mailbox";
	} else if (strcmp((char *)tn.p, "INBOX") == 0 ||
	           access((char *)tp.p, F_OK) == 0) {
		memcpy(c->code, "ALREADYEXISTS", sizeof "ALREADYEXISTS");
		c->resp = "Target mailbox exists";
	} else if (strcmp((char *)fn.p, "INBOX") == 0) {
		if (rename_inbox(c->s, (char *)tp.p) == 0)
			r = CMD_DONE;
	} else if (strncmp((char *)tn.p, (char *)fn.p, fn.len) == 0 &&
	           tn.p[fn.len] == '.') {
		memcpy(c->code, "CANNOT", sizeof "CANNOT");
		c->resp = "Cannot move a mailbox into itself";
	} else if (rename_tree(c->s->root, (char *)fn.p, (char *)tn.p) == 0)
		r = CMD_DONE;
	else
		c->resp = "Cannot rename mailbox";
out:
	buf_free(&fn);
	buf_free(&fp);
	buf_free(&tn);
	buf_free(&tp);
	return r;
}

/* Rewrites the subscriptions file with name added or removed. */
static int
subs_change(struct session *s, const char *name, bool add)
{
	struct buf path = BUF_INIT(MAILDIR_PATH_MAX), old = BUF_INIT(1 << 20);
	struct buf out = BUF_INIT(1 << 20);
	size_t i = 0, nl = strlen(name);
	int r;

	cpath(&path, s->root, "/subscriptions", NULL);
	if (control_readfile(&old, (char *)path.p, 1 << 20) < 0 &&
	    errno != ENOENT)
		return -1;
	while (i < old.len) {
		size_t e = i + str_chr(old.p + i, old.len - i, '\n');
		if (e > i && !(e - i == nl && memcmp(old.p + i, name, nl) == 0))
			if (buf_cat(&out, old.p + i, e - i) < 0 ||
			    buf_catc(&out, '\n') < 0)
				return -1;
		i = e + 1;
	}
	if (add && (buf_cats(&out, name) < 0 || buf_catc(&out, '\n') < 0))
		return -1;
	r = atomic_write(
	    (char *)path.p, out.p ? (void *)out.p : (void *)"", out.len, 0600);
	buf_free(&path);
	buf_free(&old);
	buf_free(&out);
	return r;
}

static enum cmd_res
subscribe(struct imap_cmd *c, bool add)
{
	struct buf name = BUF_INIT(1024), path = BUF_INIT(MAILDIR_PATH_MAX);
	enum cmd_res r = CMD_NO;

	if (c->n != 1)
		return CMD_BAD;
	if (cmd_mbox_arg(c, &c->args[0], &name, &path) == 0) {
		if (add && !maildir_exists((char *)path.p)) {
			memcpy(c->code, "NONEXISTENT", sizeof "NONEXISTENT");
			c->resp = "No such mailbox";
		} else if (subs_change(c->s, (char *)name.p, add) == 0)
			r = CMD_DONE;
	}
	buf_free(&name);
	buf_free(&path);
	return r;
}

enum cmd_res
cmd_subscribe(struct imap_cmd *c)
{
	return subscribe(c, true);
}

enum cmd_res
cmd_unsubscribe(struct imap_cmd *c)
{
	return subscribe(c, false);
}

enum cmd_res
cmd_status(struct imap_cmd *c)
{
	struct buf name = BUF_INIT(1024), path = BUF_INIT(MAILDIR_PATH_MAX);
	struct buf out = BUF_INIT(4096);
	uint32_t v[5];
	const struct imap_arg *l;
	static const char *const items[] = {
	    "MESSAGES", "RECENT", "UNSEEN", "UIDNEXT", "UIDVALIDITY"};
	size_t i, k;
	enum cmd_res r = CMD_NO;

	if (c->n != 2 || c->args[1].type != ARG_LIST || c->args[1].n == 0)
		return CMD_BAD;
	l = &c->args[1];
	for (i = 0; i < l->n; i++) {
		for (k = 0; k < 5 && !arg_eq(&l->list[i], items[k]); k++)
			;
		if (k == 5)
			return CMD_BAD;
	}
	if (cmd_mbox_arg(c, &c->args[0], &name, &path) < 0)
		goto done;
	if (folder_status((char *)path.p, &v[0], &v[1], &v[2], &v[3], &v[4]) <
	    0) {
		memcpy(c->code, "NONEXISTENT", sizeof "NONEXISTENT");
		c->resp = "No such mailbox";
		goto done;
	}
	buf_string(&out, name.p, name.len);
	if (buf_cats(&out, " (") < 0)
		die_nomem();
	for (i = 0; i < l->n; i++) {
		for (k = 0; !arg_eq(&l->list[i], items[k]); k++)
			;
		if (buf_printf(&out, "%s%s %lu", i ? " " : "", items[k],
		        (unsigned long)v[k]) < 0)
			die_nomem();
	}
	if (buf_catc(&out, ')') < 0 || buf_cstr(&out) < 0)
		die_nomem();
	reply(c->s, "* STATUS %s", (char *)out.p);
	r = CMD_DONE;
done:
	buf_free(&name);
	buf_free(&path);
	buf_free(&out);
	return r;
}
