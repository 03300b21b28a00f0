/* folder_ops.c: per-message operations on a folder: flags (rename),
 * size and date (lazily), opening a message that another session may
 * have renamed, expunge, STATUS numbers and APPEND delivery. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "auto.h"
#include "maildir.h"
#include "quotamark.h"
#include "scan.h"
#include "str.h"

static void
fpath(struct buf *b, const char *dir, const char *name)
{
	buf_reset(b);
	if (buf_cats(b, dir) < 0 || buf_catc(b, '/') < 0 ||
	    buf_cats(b, name) < 0 || buf_cstr(b) < 0)
		die_nomem();
}

/* Find base's current name in cur/ or new/ after a rename elsewhere. */
static int
refind(struct folder *f, struct msg *m)
{
	static const char *subs[] = {"cur", "new"};
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	size_t bl = m->blen, i;
	struct dirent *d;

	for (i = 0; i < 2; i++) {
		DIR *dh;
		fpath(&p, f->path, subs[i]);
		if ((dh = opendir((char *)p.p)) == NULL)
			continue;
		while ((d = readdir(dh)) != NULL) {
			if (strncmp(d->d_name, MSG_BASE(m), bl) != 0 ||
			    (d->d_name[bl] != 0 && d->d_name[bl] != ':'))
				continue;
			free(m->name);
			m->name = malloc(strlen(d->d_name) + 5);
			if (m->name == NULL)
				die_nomem();
			memcpy(m->name, subs[i], 3);
			m->name[3] = '/';
			memcpy(m->name + 4, d->d_name, strlen(d->d_name) + 1);
			closedir(dh);
			buf_free(&p);
			return 0;
		}
		closedir(dh);
	}
	buf_free(&p);
	errno = ENOENT;
	return -1;
}

int
folder_setflags(struct folder *f, size_t i, uint32_t fl, uint32_t kw)
{
	struct buf from = BUF_INIT(MAILDIR_PATH_MAX),
	           to = BUF_INIT(MAILDIR_PATH_MAX);
	struct msg *m = &f->m[i];
	char info[40], *nn;
	int tries, r = -1;

	flags_info(fl & ~FL_RECENT, kw, info);
	nn = malloc(m->blen + strlen(info) + 8);
	if (nn == NULL)
		die_nomem();
	memcpy(nn, "cur/", 4);
	memcpy(nn + 4, MSG_BASE(m), m->blen);
	memcpy(nn + 4 + m->blen, ":2,", 3);
	memcpy(nn + 7 + m->blen, info, strlen(info) + 1);
	for (tries = 0; tries < 2; tries++) {
		fpath(&from, f->path, m->name);
		fpath(&to, f->path, nn);
		if (strcmp(m->name, nn) == 0 ||
		    rename((char *)from.p, (char *)to.p) == 0) {
			r = 0;
			break;
		}
		if (errno != ENOENT || refind(f, m) < 0)
			break;
	}
	if (r == 0) {
		free(m->name);
		m->name = nn;
		m->flags = fl | (m->flags & FL_RECENT);
		m->kw = kw;
	} else
		free(nn);
	buf_free(&from);
	buf_free(&to);
	return r;
}

int
folder_openmsg(struct folder *f, size_t i)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	int fd;

	fpath(&p, f->path, f->m[i].name);
	fd = open((char *)p.p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && refind(f, &f->m[i]) == 0) {
		fpath(&p, f->path, f->m[i].name);
		fd = open((char *)p.p, O_RDONLY | O_CLOEXEC);
	}
	buf_free(&p);
	return fd;
}

static bool
name_tag(const char *base, const char *tag, uint64_t *v)
{
	const char *t = strstr(base, tag);
	unsigned long long u;

	if (t == NULL)
		return false;
	t += strlen(tag);
	if (scan_ullong(t, strlen(t), &u) == 0)
		return false;
	*v = u;
	return true;
}

int
folder_msgsize(struct folder *f, size_t i)
{
	struct msg *m = &f->m[i];
	unsigned char b[65536];
	uint64_t n = 0, lf = 0;
	unsigned char last = 0;
	ssize_t r;
	int fd;

	if (m->size || name_tag(MSG_BASE(m), ",W=", &m->size))
		return 0;
	/* count LFs without CR before them (reply.c sends CRLF) */
	if ((fd = folder_openmsg(f, i)) < 0)
		return -1;
	while ((r = read(fd, b, sizeof b)) > 0) {
		ssize_t k;
		for (k = 0; k < r; k++) {
			if (b[k] == '\n' && last != '\r')
				lf++;
			last = b[k];
		}
		n += (uint64_t)r;
	}
	close(fd);
	if (r < 0)
		return -1;
	m->size = n + lf;
	return 0;
}

int
folder_msgdate(struct folder *f, size_t i)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	struct stat st;
	int r;

	if (f->m[i].idate)
		return 0;
	fpath(&p, f->path, f->m[i].name);
	r = stat((char *)p.p, &st);
	if (r < 0 && errno == ENOENT && refind(f, &f->m[i]) == 0) {
		fpath(&p, f->path, f->m[i].name);
		r = stat((char *)p.p, &st);
	}
	buf_free(&p);
	if (r < 0)
		return -1;
	f->m[i].idate = st.st_mtime;
	return 0;
}

uint32_t
folder_uid_of(const struct folder *f, const char *base)
{
	size_t i;

	for (i = f->n; i > 0; i--)
		if (f->m[i - 1].blen == strlen(base) &&
		    memcmp(MSG_BASE(&f->m[i - 1]), base, f->m[i - 1].blen) == 0)
			return f->m[i - 1].uid;
	return 0;
}

/* Maildir++: the quota usage in the Maildir's maildirsize goes down by
 * what was expunged, and an over-quota marker (lib/quotamark.h) of a
 * virtual user is removed so that mail is accepted again at once. */
static void
quota_release(const struct folder *f, int64_t bytes, int64_t count)
{
	struct buf root = BUF_INIT(MAILDIR_PATH_MAX);
	struct maildir_quota q;
	struct maildir_usage u;
	const char *user = getenv("USER");
	size_t sl = str_rchr(f->path, strlen(f->path), '/');

	if (count == 0)
		return;
	if (buf_cats(&root, f->path) < 0)
		die_nomem();
	if (sl < root.len && root.p[sl + 1] == '.')
		root.len = sl; /* a ".Folder": the Maildir is its parent */
	if (buf_cstr(&root) < 0)
		die_nomem();
	if (maildir_size_read((char *)root.p, &q, &u) == 1)
		maildir_size_add((char *)root.p, -bytes, -count);
	if (user != NULL && strchr(user, '@') != NULL)
		quotamark_clear(auto_home, user, strlen(user));
	buf_free(&root);
}

int
folder_expunge(
    struct folder *f, const struct seqset *uidset, struct sync_report *r)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	int64_t bytes = 0, count = 0;
	uint64_t sz;
	size_t i;
	int ret = 0;

	for (i = 0; i < f->n; i++) {
		if (!(f->m[i].flags & FL_DELETED))
			continue;
		if (uidset && !seqset_has(uidset, f->m[i].uid))
			continue;
		fpath(&p, f->path, f->m[i].name);
		if (unlink((char *)p.p) < 0 && errno != ENOENT) {
			if (refind(f, &f->m[i]) != 0)
				goto fail;
			fpath(&p, f->path, f->m[i].name);
			if (unlink((char *)p.p) < 0)
				goto fail;
		}
		count++;
		if (maildir_name_size(MSG_BASE(&f->m[i]), f->m[i].blen, &sz))
			bytes += (int64_t)sz;
		continue;
	fail:
		ret = -1;
	}
	buf_free(&p);
	quota_release(f, bytes, count);
	/* the sync reports what is gone, also what others removed */
	memset(&f->newm, 0, sizeof f->newm);
	if (folder_sync(f, true, r) < 0)
		return -1;
	return ret;
}

int
folder_status(const char *path, uint32_t *msgs, uint32_t *recent,
    uint32_t *unseen, uint32_t *uidnext, uint32_t *uidvalidity)
{
	struct folder f;
	size_t i;

	memset(&f, 0, sizeof f);
	f.path = (char *)(uintptr_t)path;
	f.rdonly = true;
	{
		struct scan sc;
		if (!maildir_exists(path)) {
			errno = ENOENT;
			return -1;
		}
		if (folder_scan_assign(&f, false, &sc) < 0)
			return -1;
		*msgs = (uint32_t)sc.n;
		*recent = *unseen = 0;
		for (i = 0; i < sc.n; i++) {
			if (sc.e[i].isnew)
				(*recent)++;
			if (!(sc.e[i].flags & FL_SEEN))
				(*unseen)++;
			free(sc.e[i].name);
		}
		scan_free(&sc);
	}
	*uidnext = f.uidnext;
	*uidvalidity = f.uidvalidity;
	return 0;
}

/* Write p (CRLF or LF lines) as LF lines into a new cur/ file. */
int
folder_append(const char *path, const unsigned char *p, size_t len, uint32_t fl,
    uint32_t kw, time_t idate, char *base_r, size_t baselen)
{
	struct maildir_tmp t;
	struct buf name = BUF_INIT(MAILDIR_NAME_MAX + 1);
	struct buf full = BUF_INIT(MAILDIR_PATH_MAX);
	char info[40];
	size_t i, start = 0;
	int lk;

	info[0] = ':';
	info[1] = '2';
	info[2] = ',';
	flags_info(fl & ~FL_RECENT, kw, info + 3);
	if (maildir_open_tmp(&t, path) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
			if (maildir_write(&t, p + start, i - start) < 0)
				goto fail;
			start = i + 1;
		}
	}
	if (maildir_write(&t, p + start, len - start) < 0)
		goto fail;
	/* the lock keeps a concurrent sync from numbering half-made state */
	if ((lk = folder_lock(path)) < 0)
		goto fail;
	if (maildir_commit(&t, "cur", info, &name) < 0) {
		close(lk);
		buf_free(&name);
		return -1;
	}
	close(lk);
	if (buf_cstr(&name) < 0)
		die_nomem();
	fpath(&full, path, "cur/");
	if (buf_cats(&full, (char *)name.p) < 0 || buf_cstr(&full) < 0)
		die_nomem();
	if (idate > 0) {
		struct timespec ts[2] = {{idate, 0}, {idate, 0}};
		utimensat(AT_FDCWD, (char *)full.p, ts, 0);
	}
	i = str_chr(name.p, name.len, ':');
	if (i >= baselen)
		i = baselen - 1;
	memcpy(base_r, name.p, i);
	base_r[i] = 0;
	buf_free(&name);
	buf_free(&full);
	return 0;
fail:
	maildir_abort(&t);
	return -1;
}
