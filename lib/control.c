/* control.c: the home's control files, qmail-control(5) rules.
 * Trust: control files are written by the admin (root); they are still
 * read with a size bound so a mistaken huge file cannot exhaust memory.
 * Only ENOENT counts as "missing"; every other failure is an error, so a
 * file that exists but cannot be read never silently takes its default. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "buf.h"
#include "control.h"
#include "scan.h"

#define CONTROL_PATHMAX 4096
#define CONTROL_LINEMAX 65536 /* control_readulong: first line bound */

int
control_path(struct buf *b, const char *name)
{
	buf_reset(b);
	if (name[0] != '/') {
		if (buf_cats(b, auto_home) < 0 || buf_cats(b, "/control/") < 0)
			return -1;
	}
	if (buf_cats(b, name) < 0)
		return -1;
	return buf_cstr(b);
}

/* Opens name read-only: fd, or -1 (errno; ENOENT when missing).  Refuses
 * anything but a regular file (a FIFO would block the reader). */
static int
control_open(const char *name)
{
	struct buf path = BUF_INIT(CONTROL_PATHMAX);
	struct stat st;
	int fd, e;

	if (control_path(&path, name) < 0) {
		e = errno;
		buf_free(&path);
		errno = e;
		return -1;
	}
	fd = open(
	    (const char *)path.p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	e = errno;
	buf_free(&path);
	if (fd < 0) {
		errno = e;
		return -1;
	}
	errno = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		e = errno;
		if (e == 0 || e == ENOENT)
			e = EINVAL;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Reads the whole file into b (replacing it), at most max bytes.
 * 1 read, 0 missing (b empty), -1 error (EMSGSIZE if larger than max). */
static int
control_slurp(struct buf *b, const char *name, size_t max)
{
	char chunk[4096];
	ssize_t r;
	int fd, e;

	buf_reset(b);
	fd = control_open(name);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if ((size_t)r > max - b->len) {
			errno = EMSGSIZE;
			r = -1;
			break;
		}
		if (buf_cat(b, chunk, (size_t)r) < 0) {
			r = -1;
			break;
		}
	}
	e = errno;
	close(fd);
	if (r < 0) {
		buf_reset(b);
		errno = e;
		return -1;
	}
	return 1;
}

static bool
is_trail(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int
control_readfile(struct buf *b, const char *name, size_t max)
{
	return control_slurp(b, name, max);
}

int
control_readline(struct buf *b, const char *name, const char *def)
{
	struct buf raw = BUF_INIT(CONTROL_LIST_MAX);
	const unsigned char *nl;
	size_t n;
	int r, e;

	buf_reset(b);
	r = control_slurp(&raw, name, CONTROL_LIST_MAX);
	n = raw.len;
	if (r > 0 && n && (nl = memchr(raw.p, '\n', n)) != NULL)
		n = (size_t)(nl - raw.p);
	while (n && is_trail(raw.p[n - 1]))
		n--;
	if (r > 0 && n && memchr(raw.p, 0, n)) {
		errno = EINVAL;
		r = -1;
	}
	if (r > 0 && n == 0)
		r = 0; /* present, first line empty: the default (qmail) */
	if (r > 0 && buf_cat(b, raw.p, n) < 0)
		r = -1;
	if (r == 0 && def && buf_cats(b, def) < 0)
		r = -1;
	if (r >= 0 && buf_cstr(b) < 0)
		r = -1;
	e = errno;
	buf_free(&raw);
	if (r < 0)
		buf_reset(b);
	errno = e;
	return r;
}

int
control_readulong(unsigned long *r, const char *name, unsigned long def)
{
	struct buf b = BUF_INIT(CONTROL_LINEMAX);
	int res;

	res = control_readline(&b, name, NULL);
	if (res > 0 && scan_ulong_all((const char *)b.p, b.len, r) < 0) {
		errno = EINVAL;
		res = -1;
	}
	if (res == 0)
		*r = def;
	buf_free(&b);
	return res;
}

/* Keeps the lines of raw that are not blank or comments, trailing white
 * space removed, each ended by NUL, in out (appended). */
static int
control_lines(struct buf *out, const unsigned char *raw, size_t len)
{
	size_t i = 0, e, n;

	while (i < len) {
		e = i;
		while (e < len && raw[e] != '\n')
			e++;
		n = e - i;
		while (n && is_trail(raw[i + n - 1]))
			n--;
		if (n && raw[i] != '#') {
			if (memchr(raw + i, 0, n)) {
				errno = EINVAL;
				return -1;
			}
			if (buf_cat(out, raw + i, n) < 0 ||
			    buf_catc(out, 0) < 0)
				return -1;
		}
		i = e + 1;
	}
	return 0;
}

int
control_readlist(struct buf *b, const char *name)
{
	struct buf raw = BUF_INIT(CONTROL_LIST_MAX);
	int r, e;

	buf_reset(b);
	r = control_slurp(&raw, name, CONTROL_LIST_MAX);
	if (r > 0 && control_lines(b, raw.p, raw.len) < 0) {
		buf_reset(b);
		r = -1;
	}
	e = errno;
	buf_free(&raw);
	errno = e;
	return r;
}
