/* srcedit.c: editing the admin's text sources (control/mailboxes,
 * control/aliases, control/rcpthosts) line by line, keeping comments,
 * order and unrelated lines as the admin wrote them.  A commit rewrites
 * each changed file atomically (lib/atomic.h), runs the compile, and puts
 * the old text back when the compile refuses it, so a failed command
 * leaves sources and CDBs as they were.  Concurrent quail-ctl runs are
 * serialised by flock on HOME/control/.quail-ctl.lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "atomic.h"
#include "ctl.h"
#include "str.h"

#define SRC_MAX (64 * 1024 * 1024) /* largest source file we edit */

static void
push(struct srcf *s, char *l)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->line = realloc(s->line, s->cap * sizeof *s->line);
		if (s->line == NULL)
			ctl_nomem();
	}
	s->line[s->n++] = l;
}

static char *
dupn(const char *p, size_t n)
{
	char *d = ctl_alloc(n + 1);

	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

static int
read_all(struct srcf *s)
{
	struct stat st;
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	size_t got = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > SRC_MAX) {
		if (errno == 0)
			errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		close(fd);
		return -1;
	}
	s->orig = ctl_alloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	       (r = read(fd, s->orig + got, (size_t)st.st_size - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	s->olen = got;
	s->exists = true;
	s->mode = st.st_mode & 07777;
	return 0;
}

int
srcf_load(struct srcf *s, const char *home, const char *rel, mode_t mode)
{
	size_t i, j;

	memset(s, 0, sizeof *s);
	s->rel = rel;
	s->mode = mode;
	s->path = ctl_path(home, rel);
	errno = 0;
	if (read_all(s) < 0) {
		fprintf(stderr, "quail-ctl: unable to read %s: %s\n", rel,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < s->olen; i = j + 1) {
		j = i + str_chr(s->orig + i, s->olen - i, '\n');
		push(s, dupn(s->orig + i, j - i));
	}
	return 0;
}

void
srcf_free(struct srcf *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->line[i]);
	free(s->line);
	free(s->path);
	free(s->orig);
	memset(s, 0, sizeof *s);
}

bool
srcf_key(const struct srcf *s, size_t i, bool colon, struct buf *k)
{
	struct str l = str_trim(str_from_cstr(s->line[i]));

	if (l.len == 0 || l.p[0] == '#')
		return false;
	if (colon)
		l.len = str_chr(l.p, l.len, ':');
	l = str_trim(l);
	buf_reset(k);
	if (buf_cat(k, l.p, l.len) < 0 || buf_cstr(k) < 0)
		ctl_nomem();
	str_lower(k->p, k->len);
	return true;
}

long
srcf_find(const struct srcf *s, const char *key, bool colon)
{
	struct buf k = BUF_INIT(CTL_LINE_MAX * 2);
	size_t i;
	long r = -1;

	for (i = 0; i < s->n && r < 0; i++)
		if (srcf_key(s, i, colon, &k) && strcmp((char *)k.p, key) == 0)
			r = (long)i;
	buf_free(&k);
	return r;
}

void
srcf_set(struct srcf *s, size_t i, const char *line)
{
	free(s->line[i]);
	s->line[i] = ctl_strdup(line);
	s->changed = true;
}

void
srcf_del(struct srcf *s, size_t i)
{
	free(s->line[i]);
	memmove(s->line + i, s->line + i + 1, (s->n - i - 1) * sizeof *s->line);
	s->n--;
	s->changed = true;
}

void
srcf_add(struct srcf *s, const char *line)
{
	push(s, ctl_strdup(line));
	s->changed = true;
}

const char *
admin_domain(const char *key)
{
	const char *at = strrchr(key, '@');

	return at ? at + 1 : "";
}

int
admin_lock(const char *home)
{
	char *p = ctl_path(home, "control/.quail-ctl.lock");
	struct timespec ts = {0, 100 * 1000 * 1000};
	int fd, i;

	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(p);
	if (fd < 0) {
		fprintf(stderr,
		    "quail-ctl: unable to open control/"
		    ".quail-ctl.lock: %s\n",
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < 300; i++) { /* 30 s */
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr,
	    "quail-ctl: unable to lock control/.quail-ctl.lock: %s\n",
	    strerror(errno));
	close(fd);
	return -1;
}

static int
write_lines(const struct srcf *s)
{
	struct buf b = BUF_INIT(SRC_MAX + CTL_LINE_MAX);
	size_t i;
	int r;

	for (i = 0; i < s->n; i++)
		if (buf_cats(&b, s->line[i]) < 0 || buf_catc(&b, '\n') < 0)
			ctl_nomem();
	r = atomic_write(s->path, b.p ? (char *)b.p : "", b.len, s->mode);
	buf_free(&b);
	return r;
}

/* Puts the files [0, upto) that were written back as they were. */
static void
restore(struct srcf *f, size_t upto)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		if (!f[i].changed)
			continue;
		if (!f[i].exists ? unlink(f[i].path) < 0
		                 : atomic_write(f[i].path, f[i].orig, f[i].olen,
		                       f[i].mode) < 0)
			fprintf(stderr, "quail-ctl: unable to restore %s: %s\n",
			    f[i].rel, strerror(errno));
		else
			fprintf(stderr, "quail-ctl: %s restored\n", f[i].rel);
	}
}

int
admin_commit(const char *home, struct srcf *f, size_t n)
{
	char *argv[] = {"compile", NULL};
	size_t i;
	int code;

	for (i = 0; i < n; i++) {
		if (!f[i].changed)
			continue;
		if (write_lines(&f[i]) < 0) {
			fprintf(stderr, "quail-ctl: unable to write %s: %s\n",
			    f[i].rel, strerror(errno));
			restore(f, i);
			return 111;
		}
	}
	fflush(stdout);
	code = cmd_compile(home, 1, argv);
	fflush(stdout);
	if (code != 0)
		restore(f, n);
	return code;
}
