/* qfsck.c: quail-ctl queue fsck [-n]: checks the queue after a crash and
 * repairs what is safe to repair (doc/ARCHITECTURE.md "The queue"):
 *   info/NN/ID without mess/NN/ID   orphan state: removed
 *   todo/ID, hold/ID without a message: removed
 *   tmp/ files older than 36 hours (quail-queue died mid-write): removed
 *   mess/ file in the wrong split directory: moved to the right one
 *   owners and modes of queue files and split directories: reset
 * A message file without info/ is new, not an orphan, and is left alone;
 * no message file is ever removed.  -n reports without changing anything.
 * Best run with quail-send stopped (quail-ctl down): a message finishing
 * during the scan may be reported as an orphan of its own cleanup. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "auto.h"
#include "ctl.h"
#include "fmt.h"
#include "qid.h"

#define TMP_AGE (36 * 3600)

struct fsck {
	const char *home;
	bool dry;
	unsigned long problems, fixed, errors;
	uid_t uq, us;
	gid_t gq;
	time_t now;
	struct buf p, p2;
};

static const char *
path(struct fsck *f, struct buf *b, const char *a, const char *c, const char *d)
{
	buf_reset(b);
	if (buf_printf(b, "%s/queue/%s", f->home, a) < 0 ||
	    (c && buf_printf(b, "/%s", c) < 0) ||
	    (d && buf_printf(b, "/%s", d) < 0) || buf_cstr(b) < 0)
		ctl_nomem();
	return (char *)b->p;
}

static void
report(struct fsck *f, bool ok, const char *what, const char *p)
{
	f->problems++;
	if (f->dry) {
		printf("fsck: %s: %s\n", p, what);
		return;
	}
	if (ok) {
		f->fixed++;
		printf("fsck: %s: %s: repaired\n", p, what);
	} else {
		f->errors++;
		printf("fsck: %s: %s: repair failed: %s\n", p, what,
		    strerror(errno));
	}
}

/* Owner and mode of p (not following symlinks) must be u:g mode. */
static void
own(struct fsck *f, const char *p, uid_t u, gid_t g, mode_t mode, bool dir)
{
	struct stat st;
	bool ok = true;

	if (lstat(p, &st) < 0)
		return;
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		f->problems++;
		printf("fsck: %s: not a %s (left alone)\n", p,
		    dir ? "directory" : "regular file");
		return;
	}
	/* a message file needs only to be unwritable by others and
	 * readable by group quail (quail-queue makes it 0644 or 0640) */
	if (st.st_uid == u && st.st_gid == g &&
	    ((st.st_mode & 07777) == mode ||
	        (mode == 0640 && (st.st_mode & 07133) == 0 &&
	            (st.st_mode & 0440) == 0440)))
		return;
	if (!f->dry)
		ok = lchown(p, u, g) == 0 && chmod(p, mode) == 0;
	report(f, ok, "wrong owner or mode", p);
}

static bool
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static bool
has_mess(struct fsck *f, const char *id)
{
	char nn[16];

	if (!qid_valid(id, strlen(id)))
		return false;
	snprintf(nn, sizeof nn, "%u", qid_split(id, strlen(id)));
	return exists(path(f, &f->p2, "mess", nn, id));
}

static void
remove_one(struct fsck *f, const char *p, const char *what)
{
	report(f, f->dry || unlink(p) == 0 || errno == ENOENT, what, p);
}

/* mess/NN/x: misplaced files moved, owners and modes fixed. */
static void
check_mess(struct fsck *f, unsigned nn, const char *name)
{
	char dir[16], want[16];
	unsigned s;

	snprintf(dir, sizeof dir, "%u", nn);
	path(f, &f->p, "mess", dir, name);
	if (!qid_valid(name, strlen(name))) {
		f->problems++;
		printf(
		    "fsck: %s: not a queue id (left alone)\n", (char *)f->p.p);
		return;
	}
	s = qid_split(name, strlen(name));
	if (s != nn) {
		snprintf(want, sizeof want, "%u", s);
		path(f, &f->p2, "mess", want, name);
		if (exists((char *)f->p2.p)) {
			f->problems++;
			printf("fsck: %s: misplaced, and %s exists (left "
			       "alone)\n",
			    (char *)f->p.p, (char *)f->p2.p);
			return;
		}
		report(f,
		    f->dry || rename((char *)f->p.p, (char *)f->p2.p) == 0,
		    "in the wrong split directory", (char *)f->p.p);
		if (f->dry)
			return;
		path(f, &f->p, "mess", want, name);
	}
	own(f, (char *)f->p.p, f->uq, f->gq, 0640, false);
}

static void
check_info(struct fsck *f, unsigned nn, const char *name)
{
	char dir[16];
	char *p;

	snprintf(dir, sizeof dir, "%u", nn);
	if (!has_mess(f, name)) {
		p = ctl_strdup(path(f, &f->p, "info", dir, name));
		remove_one(f, p, "state without a message (orphan)");
		free(p);
		return;
	}
	own(f, path(f, &f->p, "info", dir, name), f->us, f->gq, 0600, false);
}

/* Calls fn for each entry (no dot files) of queue/dir[/nn]. */
static void
each(struct fsck *f, const char *dir, int nn,
    void (*fn)(struct fsck *, unsigned, const char *))
{
	char sub[16], *p;
	struct dirent *de;
	DIR *d;

	snprintf(sub, sizeof sub, "%d", nn);
	p = ctl_strdup(path(f, &f->p, dir, nn < 0 ? NULL : sub, NULL));
	d = opendir(p);
	if (d == NULL) {
		f->problems++;
		printf("fsck: %s: %s\n", p, strerror(errno));
		free(p);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			fn(f, (unsigned)nn, de->d_name);
	closedir(d);
	free(p);
}

static void
check_tmp(struct fsck *f, unsigned nn, const char *name)
{
	struct stat st;
	char *p = ctl_strdup(path(f, &f->p, "tmp", name, NULL));

	(void)nn;
	if (lstat(p, &st) == 0 && st.st_mtime + TMP_AGE < f->now)
		remove_one(f, p, "unfinished message older than 36 hours");
	free(p);
}

static void
check_marker(struct fsck *f, const char *dir, const char *name)
{
	char *p;

	if (has_mess(f, name))
		return;
	p = ctl_strdup(path(f, &f->p, dir, name, NULL));
	remove_one(f, p, "marker without a message");
	free(p);
}

static void
check_todo(struct fsck *f, unsigned nn, const char *name)
{
	(void)nn;
	check_marker(f, "todo", name);
}

static void
check_hold(struct fsck *f, unsigned nn, const char *name)
{
	(void)nn;
	check_marker(f, "hold", name);
}

static int
ids(struct fsck *f)
{
	struct passwd *pw;
	struct group *gr;

	if ((pw = getpwnam(auto_user_q)) == NULL)
		return -1;
	f->uq = pw->pw_uid;
	if ((pw = getpwnam(auto_user_s)) == NULL)
		return -1;
	f->us = pw->pw_uid;
	if ((gr = getgrnam(auto_group_q)) == NULL)
		return -1;
	f->gq = gr->gr_gid;
	return 0;
}

int
queue_fsck(const char *home, bool dry)
{
	struct fsck f;
	char sub[16];
	int nn;

	memset(&f, 0, sizeof f);
	f.home = home;
	f.dry = dry;
	f.now = time(NULL);
	buf_init(&f.p, 8192);
	buf_init(&f.p2, 8192);
	if (ids(&f) < 0) {
		fputs("quail-ctl: the quail users are missing (conf-users)\n",
		    stderr);
		return 111;
	}
	own(&f, path(&f, &f.p, "mess", NULL, NULL), f.uq, f.gq, 0750, true);
	own(&f, path(&f, &f.p, "info", NULL, NULL), f.us, f.gq, 0700, true);
	for (nn = 0; nn < QUEUE_SPLIT; nn++) {
		snprintf(sub, sizeof sub, "%d", nn);
		own(&f, path(&f, &f.p, "mess", sub, NULL), f.uq, f.gq, 0750,
		    true);
		own(&f, path(&f, &f.p, "info", sub, NULL), f.us, f.gq, 0700,
		    true);
		each(&f, "mess", nn, check_mess);
		each(&f, "info", nn, check_info);
	}
	each(&f, "tmp", -1, check_tmp);
	each(&f, "todo", -1, check_todo);
	if (exists(path(&f, &f.p, "hold", NULL, NULL)))
		each(&f, "hold", -1, check_hold);
	printf("fsck: %lu problem%s, %lu repaired%s\n", f.problems,
	    f.problems == 1 ? "" : "s", f.fixed,
	    dry ? " (-n: nothing changed)" : "");
	buf_free(&f.p);
	buf_free(&f.p2);
	return f.errors ? 111 : 0;
}
