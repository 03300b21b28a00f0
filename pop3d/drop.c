/* drop.c: the maildrop, a Maildir read once (RFC 1939 section 8 leaves
 * the store to the server).  cur/ then new/ are read with readdir only
 * (sizes from ",W="/",S=" tags; stat only for names without them), the
 * names sorted once: O(n log n) for any number of messages.  Deletions
 * and new/ -> cur/ moves happen only in pop3_drop_update (UPDATE state).
 * A lock file, DIR/quail-pop3d.lock, created with O_EXCL, keeps a second
 * POP3 session out (RFC 1939 section 8 allows it); a lock whose pid is
 * gone, or older than POP3_LOCK_STALE, is stale and taken over.
 * Runs as the mailbox owner. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "limits.h"
#include "pop3d.h"
#include "scan.h"

static bool
tag_size(const char *name, size_t len, const char *tag, uint64_t *r)
{
	size_t i;
	unsigned long long v;

	for (i = 0; i + 3 < len && name[i] != ':'; i++)
		if (name[i] == ',' && memcmp(name + i + 1, tag, 2) == 0 &&
		    scan_ullong(name + i + 3, len - i - 3, &v) > 0) {
			*r = v;
			return true;
		}
	return false;
}

bool
pop3_name_size(const char *name, size_t len, uint64_t *size_r)
{
	return tag_size(name, len, "W=", size_r) ||
	       tag_size(name, len, "S=", size_r);
}

static bool
lock_stale(const char *path)
{
	char b[64];
	unsigned long pid = 0;
	struct stat st;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT;
	r = read(fd, b, sizeof b);
	if (fstat(fd, &st) < 0)
		st.st_mtime = time(NULL);
	close(fd);
	if (time(NULL) - st.st_mtime > POP3_LOCK_STALE)
		return true;
	if (r <= 0 || scan_ulong(b, (size_t)r, &pid) == 0 || pid == 0)
		return time(NULL) - st.st_mtime > 60; /* being written */
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int
pop3_lock(const char *path)
{
	char b[FMT_ULONG + 1];
	size_t n;
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			n = fmt_ulong(b, (unsigned long)getpid());
			b[n++] = '\n';
			if (write(fd, b, n) != (ssize_t)n) {
				close(fd);
				unlink(path);
				return -1;
			}
			return close(fd);
		}
		if (errno != EEXIST)
			return -1;
		if (!lock_stale(path)) {
			errno = EBUSY;
			return -1;
		}
		if (unlink(path) < 0 && errno != ENOENT)
			return -1;
	}
	errno = EBUSY;
	return -1;
}

static int
add_msg(struct pop3_drop *d, int dfd, const char *name, bool isnew)
{
	size_t len = strlen(name), cap;
	struct pop3_msg *m;
	struct stat st;

	if (d->n >= POP3_MSG_MAX || len > 255)
		return 0; /* beyond the bound: not offered this session */
	if (d->n % 1024 == 0) {
		cap = d->n + 1024;
		m = realloc(d->m, cap * sizeof *m);
		if (m == NULL)
			return -1;
		d->m = m;
	}
	m = &d->m[d->n];
	m->name = d->names.len;
	m->len = (uint32_t)len;
	m->base = (uint32_t)str_chr(name, len, ':');
	m->flags = isnew ? M_NEW : 0;
	if (!pop3_name_size(name, len, &m->size)) {
		if (fstatat(dfd, name, &st, 0) < 0)
			return errno == ENOENT ? 0 : -1;
		if (!S_ISREG(st.st_mode))
			return 0;
		m->size = (uint64_t)st.st_size;
	}
	if (buf_cat(&d->names, name, len + 1) < 0)
		return -1;
	d->total += m->size;
	d->n++;
	return 0;
}

static int
scan(struct pop3_drop *d, int dfd, bool isnew)
{
	struct dirent *e;
	DIR *dir;
	int fd = dup(dfd), r = 0;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (r == 0 && (errno = 0, e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type == DT_DIR)
			continue;
		r = add_msg(d, dfd, e->d_name, isnew);
	}
	if (r == 0 && errno != 0)
		r = -1;
	closedir(dir);
	return r;
}

/* qsort has no context argument: the arena of the sort in progress. */
static const char *sort_names;

static int
cmp_msg(const void *a, const void *b)
{
	const struct pop3_msg *x = a, *y = b;

	return strcmp(sort_names + x->name, sort_names + y->name);
}

static int
open_dirs(struct pop3_drop *d)
{
	struct buf p = BUF_INIT(8192);
	int r = -1;

	if (buf_printf(&p, "%s/cur", d->dir) < 0 || buf_cstr(&p) < 0)
		goto out;
	d->curfd = open((char *)p.p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	buf_reset(&p);
	if (d->curfd < 0 || buf_printf(&p, "%s/new", d->dir) < 0 ||
	    buf_cstr(&p) < 0)
		goto out;
	d->newfd = open((char *)p.p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->newfd < 0)
		goto out;
	buf_reset(&p);
	if (buf_printf(&p, "%s/quail-pop3d.lock", d->dir) < 0 ||
	    buf_cstr(&p) < 0)
		goto out;
	if (pop3_lock((char *)p.p) < 0)
		goto out;
	d->lock = (char *)p.p; /* owned by d now */
	return 0;
out:
	buf_free(&p);
	return r;
}

int
pop3_drop_open(struct pop3_drop *d, const char *dir)
{
	size_t len = strlen(dir);

	memset(d, 0, sizeof *d);
	d->newfd = d->curfd = -1;
	buf_init(&d->names, (size_t)POP3_MSG_MAX * 256);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if ((d->dir = strndup(dir, len)) == NULL)
		return -1;
	if (open_dirs(d) < 0)
		return -1;
	if (scan(d, d->curfd, false) < 0 || scan(d, d->newfd, true) < 0)
		return -1;
	if (d->n > 1 && d->names.p != NULL) {
		sort_names = (const char *)d->names.p;
		qsort(d->m, d->n, sizeof *d->m, cmp_msg);
		sort_names = NULL;
	}
	return 0;
}

const char *
pop3_drop_name(const struct pop3_drop *d, size_t i)
{
	return (const char *)d->names.p + d->m[i].name;
}

int
pop3_drop_openmsg(const struct pop3_drop *d, size_t i)
{
	return openat(d->m[i].flags & M_NEW ? d->newfd : d->curfd,
	    pop3_drop_name(d, i), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

/* The cur/ name of message i: base ":2," flags, with S added if seen
 * (flags kept sorted, as the maildir spec asks). */
static int
cur_name(const struct pop3_drop *d, size_t i, struct buf *b)
{
	const struct pop3_msg *m = &d->m[i];
	const char *name = pop3_drop_name(d, i), *fl = "";
	size_t fl_len = 0, k;
	bool s = (m->flags & M_SEEN) != 0;

	buf_reset(b);
	if (m->base + 3 <= m->len && memcmp(name + m->base, ":2,", 3) == 0) {
		fl = name + m->base + 3;
		fl_len = m->len - m->base - 3;
	} else if (m->base < m->len) {
		return buf_cat(b, name, m->len); /* other info: keep */
	}
	if (buf_cat(b, name, m->base) < 0 || buf_cats(b, ":2,") < 0)
		return -1;
	for (k = 0; k < fl_len; k++) {
		if (s && fl[k] > 'S') {
			if (buf_catc(b, 'S') < 0)
				return -1;
			s = false;
		}
		if (fl[k] == 'S')
			s = false;
		if (buf_catc(b, fl[k]) < 0)
			return -1;
	}
	if (s && buf_catc(b, 'S') < 0)
		return -1;
	return buf_cstr(b);
}

int
pop3_drop_update(struct pop3_drop *d)
{
	struct buf nn = BUF_INIT(1024);
	const char *name;
	size_t i;
	int r = 0;

	for (i = 0; i < d->n; i++) {
		const struct pop3_msg *m = &d->m[i];
		int dfd = m->flags & M_NEW ? d->newfd : d->curfd;

		name = pop3_drop_name(d, i);
		if (m->flags & M_DELE) {
			if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
				r = -1;
			continue;
		}
		if (!(m->flags & (M_NEW | M_SEEN)))
			continue;
		if (cur_name(d, i, &nn) < 0) {
			r = -1;
			continue;
		}
		if (!(m->flags & M_NEW) && strcmp((char *)nn.p, name) == 0)
			continue;
		if (renameat(dfd, name, d->curfd, (char *)nn.p) < 0 &&
		    errno != ENOENT)
			r = -1;
	}
	buf_free(&nn);
	if (fsync(d->curfd) < 0 || fsync(d->newfd) < 0)
		r = -1;
	return r;
}

void
pop3_drop_close(struct pop3_drop *d)
{
	if (d->lock != NULL) {
		unlink(d->lock);
		free(d->lock);
	}
	if (d->newfd >= 0)
		close(d->newfd);
	if (d->curfd >= 0)
		close(d->curfd);
	free(d->m);
	free(d->dir);
	buf_free(&d->names);
	memset(d, 0, sizeof *d);
	d->newfd = d->curfd = -1;
}
