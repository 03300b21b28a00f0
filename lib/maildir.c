/* maildir.c: Maildir delivery (tmp, write out, link into new/ or cur/,
 * one fsync, or two where durable.h says so) and
 * Maildir++ maildirsize quotas.  See maildir.h for the contracts.
 * Trust: runs as the mailbox owner; names come only from our own unique
 * name generator, never from message data.  Every path is bounded by
 * MAILDIR_PATH_MAX and every read of maildirsize by MAILDIR_SIZE_MAX. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "buf.h"
#include "durable.h"
#include "fmt.h"
#include "maildir.h"
#include "scan.h"

/* Declared only by <stdio.h>, which daemons never include. */
int rename(const char *from, const char *to);

static unsigned long maildir_count;

/* Appends s to out at *pos, bounded; -1/ENAMETOOLONG when full. */
static int
put(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
	if (n >= outlen - *pos) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

static int
putnum(char *out, size_t outlen, size_t *pos, unsigned long long u)
{
	char d[FMT_ULONG];

	return put(out, outlen, pos, d, fmt_ulong(d, u));
}

int
maildir_uniq(char *out, size_t outlen, unsigned long long sec,
    unsigned long usec, unsigned long pid, unsigned long count,
    const char *host)
{
	size_t pos = 0;
	int r = 0;

	if (outlen == 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	out[0] = '\0';
	r |= putnum(out, outlen, &pos, sec);
	r |= put(out, outlen, &pos, ".M", 2);
	r |= putnum(out, outlen, &pos, usec);
	r |= put(out, outlen, &pos, "P", 1);
	r |= putnum(out, outlen, &pos, pid);
	r |= put(out, outlen, &pos, "Q", 1);
	r |= putnum(out, outlen, &pos, count);
	r |= put(out, outlen, &pos, ".", 1);
	for (; r == 0 && *host; host++) {
		if (*host == '/')
			r |= put(out, outlen, &pos, "\\057", 4);
		else if (*host == ':')
			r |= put(out, outlen, &pos, "\\072", 4);
		else
			r |= put(out, outlen, &pos, host, 1);
	}
	return r ? -1 : 0;
}

int
maildir_sizename(
    struct buf *out, const char *base, uint64_t size, uint64_t vsize)
{
	if (buf_cats(out, base) < 0 || buf_cats(out, ",S=") < 0 ||
	    buf_catu(out, size) < 0 || buf_cats(out, ",W=") < 0 ||
	    buf_catu(out, vsize) < 0)
		return -1;
	return 0;
}

bool
maildir_name_size(const char *name, size_t len, uint64_t *size_r)
{
	unsigned long long u;
	size_t i, n;

	for (i = 0; i + 3 <= len; i++) {
		if (name[i] != ',' || name[i + 1] != 'S' || name[i + 2] != '=')
			continue;
		n = scan_ullong(name + i + 3, len - i - 3, &u);
		if (n == 0)
			return false;
		*size_r = u;
		return true;
	}
	return false;
}

/* dir + "/" + sub into out (bounded). */
static int
subpath(char *out, const char *dir, const char *sub)
{
	size_t pos = 0;

	out[0] = '\0';
	if (put(out, MAILDIR_PATH_MAX, &pos, dir, strlen(dir)) < 0)
		return -1;
	if (*sub == '\0')
		return 0;
	if (put(out, MAILDIR_PATH_MAX, &pos, "/", 1) < 0 ||
	    put(out, MAILDIR_PATH_MAX, &pos, sub, strlen(sub)) < 0)
		return -1;
	return 0;
}

static int
mkdir_ok(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* mkdir -p of every parent of path (path itself excluded). */
static int
mkparents(const char *path)
{
	char p[MAILDIR_PATH_MAX];
	size_t i, n = strlen(path);

	if (n >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(p, path, n + 1);
	for (i = 1; i < n; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir_ok(p) < 0)
			return -1;
		p[i] = '/';
	}
	return 0;
}

int
maildir_create(const char *dir, bool parents)
{
	static const char *const subs[] = {"", "tmp", "new", "cur"};
	char p[MAILDIR_PATH_MAX];
	size_t i;

	if (parents && mkparents(dir) < 0)
		return -1;
	for (i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (subpath(p, dir, subs[i]) < 0 || mkdir_ok(p) < 0)
			return -1;
	}
	return 0;
}

bool
maildir_exists(const char *dir)
{
	static const char *const subs[] = {"tmp", "new", "cur"};
	char p[MAILDIR_PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (subpath(p, dir, subs[i]) < 0 || stat(p, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			return false;
	}
	return true;
}

static const char *
hostname(void)
{
	static char host[256];

	if (host[0] == '\0') {
		if (gethostname(host, sizeof host - 1) < 0 || host[0] == '\0')
			memcpy(host, "localhost", 10);
		host[sizeof host - 1] = '\0';
	}
	return host;
}

int
maildir_open_tmp(struct maildir_tmp *t, const char *dir)
{
	char path[MAILDIR_PATH_MAX], rel[MAILDIR_NAME_MAX + 5];
	struct timespec ts;
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n >= sizeof t->dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(t->dir, dir, n);
	t->dir[n] = '\0';
	t->size = t->vsize = 0;
	t->wlen = 0;
	t->fd = -1;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	if (maildir_uniq(t->base, sizeof t->base, (unsigned long long)ts.tv_sec,
	        (unsigned long)(ts.tv_nsec / 1000), (unsigned long)getpid(),
	        ++maildir_count, hostname()) < 0)
		return -1;
	memcpy(rel, "tmp/", 5);
	n = strlen(t->base);
	memcpy(rel + 4, t->base, n + 1);
	if (subpath(path, t->dir, rel) < 0)
		return -1;
	t->fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return t->fd < 0 ? -1 : 0;
}

static int
flush_tmp(struct maildir_tmp *t)
{
	size_t off = 0;
	ssize_t w;

	while (off < t->wlen) {
		w = write(t->fd, t->wbuf + off, t->wlen - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	t->wlen = 0;
	return 0;
}

int
maildir_write(struct maildir_tmp *t, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i, k;

	for (i = 0; i < n; i++)
		if (s[i] == '\n')
			t->vsize++;
	t->size += n;
	t->vsize += n;
	while (n > 0) {
		if (t->wlen == sizeof t->wbuf && flush_tmp(t) < 0)
			return -1;
		k = sizeof t->wbuf - t->wlen;
		if (k > n)
			k = n;
		memcpy(t->wbuf + t->wlen, s, k);
		t->wlen += k;
		s += k;
		n -= k;
	}
	return 0;
}

void
maildir_abort(struct maildir_tmp *t)
{
	char path[MAILDIR_PATH_MAX], rel[MAILDIR_NAME_MAX + 5];
	int e = errno;

	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	memcpy(rel, "tmp/", 5);
	memcpy(rel + 4, t->base, strlen(t->base) + 1);
	if (subpath(path, t->dir, rel) == 0)
		unlink(path);
	errno = e;
}

/* link tmp/base to sub/name (rename where the filesystem has no hard
 * links), then make the new entry durable: fsync of sub/, or of the file
 * whose journal commit holds the link (durable.h). */
static int
publish(struct maildir_tmp *t, const char *sub, const char *name, bool strict)
{
	char from[MAILDIR_PATH_MAX], to[MAILDIR_PATH_MAX];
	char rel[MAILDIR_NAME_MAX * 2 + 8];
	size_t pos = 0;

	if (put(rel, sizeof rel, &pos, "tmp/", 4) < 0 ||
	    put(rel, sizeof rel, &pos, t->base, strlen(t->base)) < 0 ||
	    subpath(from, t->dir, rel) < 0)
		return -1;
	pos = 0;
	if (put(rel, sizeof rel, &pos, sub, strlen(sub)) < 0 ||
	    put(rel, sizeof rel, &pos, "/", 1) < 0 ||
	    put(rel, sizeof rel, &pos, name, strlen(name)) < 0 ||
	    subpath(to, t->dir, rel) < 0)
		return -1;
	if (link(from, to) == 0) {
		unlink(from);
	} else if (errno == EPERM || errno == ENOSYS || errno == EOPNOTSUPP) {
		if (rename(from, to) < 0)
			return -1;
	} else {
		return -1;
	}
	if (durable_finish(t->fd, to, strict) < 0) {
		unlink(to);
		return -1;
	}
	return 0;
}

int
maildir_commit(struct maildir_tmp *t, const char *sub, const char *info,
    struct buf *name_r)
{
	struct buf name = BUF_INIT(MAILDIR_NAME_MAX);
	bool strict;

	if (flush_tmp(t) < 0)
		goto fail;
	strict = durable_strict(t->fd);
	if (durable_prepare(t->fd, strict) < 0)
		goto fail;
	if (maildir_sizename(&name, t->base, t->size, t->vsize) < 0 ||
	    (info && buf_cats(&name, info) < 0) || buf_cstr(&name) < 0)
		goto fail;
	if (publish(t, sub, (const char *)name.p, strict) < 0)
		goto fail;
	/* delivered and durable: a close error can no longer undo that */
	(void)close(t->fd);
	t->fd = -1;
	if (name_r && buf_copy(name_r, name.p, name.len) < 0) {
		buf_free(&name);
		return -1; /* delivered; only the name could not be returned */
	}
	buf_free(&name);
	return 0;
fail:
	buf_free(&name);
	maildir_abort(t);
	return -1;
}

/* ---- Maildir++ quota ---- */

int
maildir_quota_parse(const char *p, size_t len, struct maildir_quota *q)
{
	unsigned long long u;
	size_t i = 0, n;

	q->bytes = q->count = 0;
	while (i < len) {
		n = scan_ullong(p + i, len - i, &u);
		if (n == 0 || i + n >= len)
			goto bad;
		i += n;
		if (p[i] == 'S')
			q->bytes = u;
		else if (p[i] == 'C')
			q->count = u;
		else
			goto bad;
		i++;
		if (i < len && p[i] == ',' && i + 1 < len)
			i++;
		else if (i < len)
			goto bad;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
maildir_quota_fmt(struct buf *out, const struct maildir_quota *q)
{
	if (buf_catu(out, q->bytes) < 0 || buf_catc(out, 'S') < 0)
		return -1;
	if (q->count == 0)
		return 0;
	if (buf_catc(out, ',') < 0 || buf_catu(out, q->count) < 0 ||
	    buf_catc(out, 'C') < 0)
		return -1;
	return 0;
}

/* Optionally signed decimal; bytes consumed or 0. */
static size_t
scan_signed(const char *p, size_t len, int64_t *r)
{
	unsigned long long u;
	size_t n, neg = 0;

	if (len > 0 && p[0] == '-')
		neg = 1;
	n = scan_ullong(p + neg, len - neg, &u);
	if (n == 0 || u > (unsigned long long)INT64_MAX)
		return 0;
	*r = neg ? -(int64_t)u : (int64_t)u;
	return n + neg;
}

/* One usage line "<bytes> <count>" (spaces around allowed). */
static int
usage_line(const char *p, size_t len, struct maildir_usage *u)
{
	int64_t b, c = 0;
	size_t i = 0, n;

	while (i < len && p[i] == ' ')
		i++;
	if (i == len)
		return 0; /* blank line */
	n = scan_signed(p + i, len - i, &b);
	if (n == 0)
		return -1;
	i += n;
	while (i < len && p[i] == ' ')
		i++;
	if (i < len) {
		n = scan_signed(p + i, len - i, &c);
		if (n == 0)
			return -1;
		i += n;
	}
	while (i < len && p[i] == ' ')
		i++;
	if (i != len || __builtin_add_overflow(u->bytes, b, &u->bytes) ||
	    __builtin_add_overflow(u->count, c, &u->count))
		return -1;
	u->lines++;
	return 0;
}

int
maildir_size_parse(
    const char *p, size_t len, struct maildir_quota *q, struct maildir_usage *u)
{
	size_t i, e;

	u->bytes = u->count = 0;
	u->lines = 0;
	e = 0;
	while (e < len && p[e] != '\n')
		e++;
	if (maildir_quota_parse(p, e, q) < 0)
		return -1;
	for (i = e + 1; i < len; i = e + 1) {
		e = i;
		while (e < len && p[e] != '\n')
			e++;
		if (usage_line(p + i, e - i, u) < 0) {
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

int
maildir_size_read(
    const char *dir, struct maildir_quota *q, struct maildir_usage *u)
{
	char path[MAILDIR_PATH_MAX], data[MAILDIR_SIZE_MAX + 1];
	size_t len = 0;
	ssize_t r;
	int fd, e;

	if (subpath(path, dir, "maildirsize") < 0)
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	for (;;) {
		r = read(fd, data + len, sizeof data - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof data)
			break;
	}
	e = errno;
	close(fd);
	if (r < 0) {
		errno = e;
		return -1;
	}
	if (len <= MAILDIR_SIZE_MAX && maildir_size_parse(data, len, q, u) == 0)
		return 1;
	/* Too big or a bad usage line: the quota line still counts. */
	for (r = 0; r < (ssize_t)len && data[r] != '\n'; r++)
		;
	if (maildir_quota_parse(data, (size_t)r, q) < 0)
		return -1;
	u->bytes = u->count = 0;
	u->lines = 0;
	return 2;
}

/* Adds the messages of dir/sub to u. */
static int
scan_sub(const char *dir, const char *sub, struct maildir_usage *u)
{
	char path[MAILDIR_PATH_MAX], file[MAILDIR_PATH_MAX];
	struct dirent *d;
	struct stat st;
	uint64_t sz;
	DIR *dh;

	if (subpath(path, dir, sub) < 0)
		return -1;
	dh = opendir(path);
	if (dh == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (!maildir_name_size(d->d_name, strlen(d->d_name), &sz)) {
			if (subpath(file, path, d->d_name) < 0 ||
			    stat(file, &st) < 0)
				continue; /* gone meanwhile */
			sz = (uint64_t)st.st_size;
		}
		u->bytes += (int64_t)sz;
		u->count++;
	}
	closedir(dh);
	return 0;
}

/* Adds dir's new/ and cur/. */
static int
scan_folder(const char *dir, struct maildir_usage *u)
{
	if (scan_sub(dir, "new", u) < 0 || scan_sub(dir, "cur", u) < 0)
		return -1;
	return 0;
}

static int
scan_all(const char *dir, struct maildir_usage *u)
{
	char path[MAILDIR_PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dh;
	int r = 0;

	if (scan_folder(dir, u) < 0)
		return -1;
	dh = opendir(dir);
	if (dh == NULL)
		return -1;
	while (r == 0 && (d = readdir(dh)) != NULL) {
		if (d->d_name[0] != '.' || strcmp(d->d_name, ".") == 0 ||
		    strcmp(d->d_name, "..") == 0)
			continue;
		if (subpath(path, dir, d->d_name) < 0 || lstat(path, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		r = scan_folder(path, u);
	}
	closedir(dh);
	return r;
}

int
maildir_size_recalc(
    const char *dir, const struct maildir_quota *q, struct maildir_usage *u)
{
	struct buf b = BUF_INIT(MAILDIR_SIZE_MAX);
	char path[MAILDIR_PATH_MAX];
	int r = -1;

	u->bytes = u->count = 0;
	u->lines = 1;
	if (scan_all(dir, u) < 0 || subpath(path, dir, "maildirsize") < 0)
		return -1;
	if (maildir_quota_fmt(&b, q) < 0 || buf_catc(&b, '\n') < 0 ||
	    buf_printf(&b, "%lld %lld\n", (long long)u->bytes,
	        (long long)u->count) < 0)
		goto out;
	r = atomic_write(path, b.p, b.len, 0600);
out:
	buf_free(&b);
	return r;
}

int
maildir_size_add(const char *dir, int64_t bytes, int64_t count)
{
	struct buf b = BUF_INIT(128);
	char path[MAILDIR_PATH_MAX];
	ssize_t w;
	size_t len;
	int fd, e;

	if (subpath(path, dir, "maildirsize") < 0)
		return -1;
	if (buf_printf(&b, "%lld %lld\n", (long long)bytes, (long long)count) <
	    0)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		buf_free(&b);
		return -1;
	}
	len = b.len;
	do
		w = write(fd, b.p, len);
	while (w < 0 && errno == EINTR);
	e = errno;
	close(fd);
	buf_free(&b);
	if (w != (ssize_t)len) {
		errno = w < 0 ? e : EIO;
		return -1;
	}
	return 0;
}

bool
maildir_over_quota(const struct maildir_quota *q, const struct maildir_usage *u,
    uint64_t bytes)
{
	if (q->bytes &&
	    (u->bytes < 0 ? 0 : (uint64_t)u->bytes) + bytes > q->bytes)
		return true;
	if (q->count && (u->count < 0 ? 0 : (uint64_t)u->count) + 1 > q->count)
		return true;
	return false;
}
