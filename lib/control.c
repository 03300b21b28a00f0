/* control.c: the home's control files, qmail-control(5) rules.
 * Trust: control files are written by the admin (root); they are still
 * read with a size bound so a mistaken huge file cannot exhaust memory.
 * Only ENOENT counts as "missing"; every other failure is an error, so a
 * file that exists but cannot be read never silently takes its default. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "auto.h"
#include "buf.h"
#include "control.h"
#include "file.h"
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

/* Reads the whole file into b (replacing it), at most max bytes.
 * 1 read, 0 missing (b empty), -1 error (EMSGSIZE if larger than max;
 * EINVAL if not a regular file: a FIFO would block the reader). */
static int
control_slurp(struct buf *b, const char *name, size_t max)
{
	struct buf path = BUF_INIT(CONTROL_PATHMAX);
	int r, e;

	if (control_path(&path, name) < 0) {
		buf_reset(b);
		r = -1;
	} else {
		r = file_read(b, (const char *)path.p, max);
	}
	e = errno;
	buf_free(&path);
	errno = e;
	return r;
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
