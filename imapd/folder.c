/* folder.c: the session's view of a folder (sequence numbers) kept in
 * step with the disk by folder_sync (store.c scans and assigns UIDs),
 * flag changes by rename, expunge by unlink, APPEND through
 * lib/maildir.  Keywords: "dovecot-keywords" ("<index> <name>" a line,
 * index 0..25 = the letters a..z in the file names), shared with
 * Dovecot's Maildir format. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "imapd.h"
#include "atomic.h"
#include "die.h"
#include "fmt.h"
#include "maildir.h"
#include "scan.h"
#include "str.h"

#define KEYWORDS "dovecot-keywords"

static void
fpath(struct buf *b, const struct folder *f, const char *name)
{
	buf_reset(b);
	if (buf_cats(b, f->path) < 0 || buf_catc(b, '/') < 0 ||
	    buf_cats(b, name) < 0 || buf_cstr(b) < 0)
		die_nomem();
}

static void
keywords_read(struct folder *f)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX), d = BUF_INIT(65536);
	size_t i = 0, k;
	unsigned long idx;
	char tmp[4096];
	ssize_t r;
	int fd;

	fpath(&p, f, KEYWORDS);
	fd = open((char *)p.p, O_RDONLY | O_CLOEXEC);
	buf_free(&p);
	if (fd < 0)
		return;
	while ((r = read(fd, tmp, sizeof tmp)) > 0)
		if (buf_cat(&d, tmp, (size_t)r) < 0)
			break;
	close(fd);
	while (i < d.len) {
		size_t e = i + str_chr(d.p + i, d.len - i, '\n');
		k = scan_ulong((char *)d.p + i, e - i, &idx);
		if (k > 0 && idx < KW_MAX && i + k < e && d.p[i + k] == ' ' &&
		    e - i - k - 1 > 0 && f->kwname[idx] == NULL) {
			f->kwname[idx] =
			    strndup((char *)d.p + i + k + 1, e - i - k - 1);
			if (f->kwname[idx] == NULL)
				die_nomem();
			if (idx + 1 > f->nkw)
				f->nkw = idx + 1;
		}
		i = e + 1;
	}
	buf_free(&d);
}

static int
keywords_write(struct folder *f)
{
	struct buf b = BUF_INIT(65536), p = BUF_INIT(MAILDIR_PATH_MAX);
	size_t i;
	int r;

	for (i = 0; i < f->nkw; i++)
		if (f->kwname[i] &&
		    buf_printf(&b, "%zu %s\n", i, f->kwname[i]) < 0)
			die_nomem();
	fpath(&p, f, KEYWORDS);
	r = atomic_write(
	    (char *)p.p, b.p ? (void *)b.p : (void *)"", b.len, 0600);
	buf_free(&b);
	buf_free(&p);
	return r;
}

int
folder_keyword(struct folder *f, const char *name, size_t len, bool add)
{
	size_t i;

	for (i = 0; i < f->nkw; i++)
		if (f->kwname[i] &&
		    str_caseeq(f->kwname[i], strlen(f->kwname[i]), name, len))
			return (int)i;
	if (!add)
		return -1;
	/* another session may have added keywords meanwhile */
	keywords_read(f);
	for (i = 0; i < f->nkw; i++)
		if (f->kwname[i] &&
		    str_caseeq(f->kwname[i], strlen(f->kwname[i]), name, len))
			return (int)i;
	for (i = 0; i < KW_MAX && f->kwname[i]; i++)
		;
	if (i == KW_MAX)
		return -1;
	f->kwname[i] = strndup(name, len);
	if (f->kwname[i] == NULL)
		die_nomem();
	if (i + 1 > f->nkw)
		f->nkw = i + 1;
	if (keywords_write(f) < 0)
		return -1;
	return (int)i;
}

int
folder_open(struct folder *f, const char *path, const char *iname, bool rdonly)
{
	memset(f, 0, sizeof *f);
	f->path = strdup(path);
	f->iname = strdup(iname);
	if (f->path == NULL || f->iname == NULL)
		die_nomem();
	f->rdonly = rdonly;
	if (!maildir_exists(path)) {
		errno = ENOENT;
		return -1;
	}
	keywords_read(f);
	if (folder_sync(f, !rdonly, NULL) < 0)
		return -1;
	cache_open(f);
	return 0;
}

void
folder_close(struct folder *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->m[i].name);
	for (i = 0; i < KW_MAX; i++)
		free(f->kwname[i]);
	cache_close(f);
	free(f->m);
	free(f->path);
	free(f->iname);
	memset(f, 0, sizeof *f);
}

static void
push_u32(uint32_t **v, size_t *n, uint32_t x)
{
	uint32_t *g = realloc(*v, (*n + 1) * sizeof **v);

	if (g == NULL)
		die_nomem();
	g[(*n)++] = x;
	*v = g;
}

void
sync_report_free(struct sync_report *r)
{
	free(r->expunged);
	free(r->changed);
	memset(r, 0, sizeof *r);
}

static bool
dir_unchanged(const struct folder *f)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	struct stat a, b;
	time_t now = time(NULL);
	bool same;

	fpath(&p, f, "new");
	if (stat((char *)p.p, &a) < 0) {
		buf_free(&p);
		return false;
	}
	fpath(&p, f, "cur");
	if (stat((char *)p.p, &b) < 0) {
		buf_free(&p);
		return false;
	}
	buf_free(&p);
	/* a change in the same clock tick as our scan could be missed:
	 * trust mtimes only when they are 2 s old */
	same = a.st_mtim.tv_sec == f->newm.tv_sec &&
	       a.st_mtim.tv_nsec == f->newm.tv_nsec &&
	       b.st_mtim.tv_sec == f->curm.tv_sec &&
	       b.st_mtim.tv_nsec == f->curm.tv_nsec &&
	       now - a.st_mtim.tv_sec > 1 && now - b.st_mtim.tv_sec > 1;
	return same;
}

static void
remember_mtimes(struct folder *f)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	struct stat st;

	fpath(&p, f, "new");
	if (stat((char *)p.p, &st) == 0)
		f->newm = st.st_mtim;
	fpath(&p, f, "cur");
	if (stat((char *)p.p, &st) == 0)
		f->curm = st.st_mtim;
	buf_free(&p);
}

/* Expunges are reported highest first, so the numbers stay valid. */
static void
reverse(uint32_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		uint32_t t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
}

/* Merge the scan (ascending uid) into the view (ascending uid). */
static void
merge(struct folder *f, struct scan *sc, struct sync_report *r)
{
	struct msg *m = NULL;
	size_t i = 0, j = 0, n = 0, cap = f->n + sc->n + 1;

	m = malloc(cap * sizeof *m);
	if (m == NULL)
		die_nomem();
	while (i < f->n || j < sc->n) {
		struct msg *o = i < f->n ? &f->m[i] : NULL;
		struct disk_ent *d = j < sc->n ? &sc->e[j] : NULL;
		if (o && (!d || o->uid < d->uid)) { /* gone */
			if (r)
				push_u32(
				    &r->expunged, &r->nexp, (uint32_t)(i + 1));
			free(o->name);
			i++;
			continue;
		}
		if (d && (!o || d->uid < o->uid)) {
			if (f->n > 0 && d->uid < f->m[f->n - 1].uid) {
				free(d->name); /* cannot insert mid-view */
				j++;
				continue;
			}
			memset(&m[n], 0, sizeof m[n]);
			m[n].uid = d->uid;
			m[n].name = d->name;
			m[n].blen = (uint16_t)strlen(d->base);
			m[n].flags = d->flags;
			m[n].kw = d->kw;
			if (d->flags & FL_RECENT)
				f->recent++;
			n++;
			j++;
			if (r)
				r->exists_changed = true;
			continue;
		}
		/* same uid */
		m[n] = *o;
		free(o->name);
		m[n].name = d->name;
		if ((o->flags & ~FL_RECENT) != (d->flags & ~FL_RECENT) ||
		    o->kw != d->kw) {
			m[n].flags = d->flags | (o->flags & FL_RECENT);
			m[n].kw = d->kw;
			if (r)
				push_u32(&r->changed, &r->nchg, (uint32_t)n);
		}
		n++;
		i++;
		j++;
	}
	if (r)
		reverse(r->expunged, r->nexp);
	free(f->m);
	f->m = m;
	f->n = n;
	f->cap = cap;
}

int
folder_sync(struct folder *f, bool takenew, struct sync_report *r)
{
	struct scan sc;

	if (f->m != NULL && dir_unchanged(f))
		return 0;
	remember_mtimes(f);
	if (folder_scan_assign(f, takenew && !f->rdonly, &sc) < 0)
		return -1;
	merge(f, &sc, r);
	scan_free(&sc);
	if (f->m == NULL) {
		f->m = malloc(sizeof *f->m);
		if (f->m == NULL)
			die_nomem();
	}
	return 0;
}
