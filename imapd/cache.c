/* cache.c: the per-folder disposable cache "quail-cache".  Maildir
 * message files never change, so what parsing a message gives can be
 * kept by UID:
 *     quail-cache 2 <uidvalidity>\n
 *     <K> <uid> <len>\n<len bytes>\n     (one record per message and K)
 * K is H (the header block in its CRLF form, as FETCH and SEARCH use
 * it), E (the ENVELOPE list) or B (the BODYSTRUCTURE list).  Records
 * are appended with one write(2) each (O_APPEND), so concurrent sessions
 * at worst add a duplicate (the later one wins).  The file is never the
 * source of truth: another version or UIDVALIDITY, a bad record or a
 * missing file only means messages are read again; a malformed tail is
 * cut off.  Bounds: CACHE_MAX bytes read (so record offsets fit in 32
 * bits), CACHE_REC_MAX per record. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "scan.h"
#include "str.h"

#define CACHE_NAME    "quail-cache"
#define CACHE_MAX     ((size_t)256 << 20)
#define CACHE_REC_MAX (64 * 1024)
#define CACHE_VERSION "2"

static const char kinds[CACHE_KINDS] = {'H', 'E', 'B'};

static int
kind_of(char c)
{
	int k;

	for (k = 0; k < CACHE_KINDS; k++)
		if (kinds[k] == c)
			return k;
	return -1;
}

static void
cpath(struct buf *b, const struct folder *f)
{
	buf_reset(b);
	if (buf_cats(b, f->path) < 0 || buf_cats(b, "/" CACHE_NAME) < 0 ||
	    buf_cstr(b) < 0)
		die_nomem();
}

static struct msg *
by_uid(struct folder *f, uint32_t uid)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->m[mid].uid == uid)
			return &f->m[mid];
		if (f->m[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Parses the records; returns the length of the good prefix. */
static size_t
parse(struct folder *f)
{
	const char *p = (char *)f->cache.p, *e = p + f->cache.len, *nl;
	unsigned long uid, len;
	size_t k;
	struct msg *m;
	int kind;

	nl = memchr(p, '\n', f->cache.len);
	if (nl == NULL || nl - p < 14)
		return 0;
	if (scan_ulong(p + 14, nl - p - 14, &uid) == 0 ||
	    memcmp(p, CACHE_NAME " " CACHE_VERSION " ", 14) != 0 ||
	    uid != f->uidvalidity)
		return 0;
	for (p = nl + 1; p < e; p = nl + 1 + len + 1) {
		if ((nl = memchr(p, '\n', e - p)) == NULL ||
		    (kind = kind_of(p[0])) < 0 || p[1] != ' ')
			break;
		k = scan_ulong(p + 2, nl - p - 2, &uid);
		if (k == 0 || p[2 + k] != ' ' ||
		    scan_ulong(p + 3 + k, nl - p - 3 - k, &len) == 0 ||
		    len > CACHE_REC_MAX || (size_t)(e - nl - 1) < len + 1 ||
		    nl[1 + len] != '\n')
			break;
		if ((m = by_uid(f, (uint32_t)uid)) != NULL)
			m->crec[kind] = (uint32_t)(p - (char *)f->cache.p);
	}
	return (size_t)(p - (char *)f->cache.p);
}

void
cache_open(struct folder *f)
{
	struct buf path = BUF_INIT(4096);
	struct stat st;
	size_t good;
	ssize_t r;

	buf_init(&f->cache, CACHE_MAX);
	f->cachefd = -1;
	f->cacheopen = true;
	cpath(&path, f);
	f->cachefd =
	    open((char *)path.p, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	buf_free(&path);
	if (f->cachefd < 0 || fstat(f->cachefd, &st) < 0 ||
	    (size_t)st.st_size > CACHE_MAX ||
	    buf_ready(&f->cache, (size_t)st.st_size) < 0)
		goto fresh;
	while (f->cache.len < (size_t)st.st_size) {
		r = pread(f->cachefd, f->cache.p + f->cache.len,
		    (size_t)st.st_size - f->cache.len, (off_t)f->cache.len);
		if (r <= 0)
			break;
		f->cache.len += (size_t)r;
	}
	good = parse(f);
	if (good == f->cache.len && good > 0)
		return;
	if (good > 0) { /* keep the good prefix */
		if (ftruncate(f->cachefd, (off_t)good) == 0) {
			f->cache.len = good;
			return;
		}
	}
fresh:
	if (f->cachefd >= 0 && ftruncate(f->cachefd, 0) == 0) {
		struct buf h = BUF_INIT(64);
		if (buf_printf(&h, CACHE_NAME " " CACHE_VERSION " %lu\n",
		        (unsigned long)f->uidvalidity) == 0 &&
		    write(f->cachefd, h.p, h.len) == (ssize_t)h.len) {
			buf_reset(&f->cache);
			if (buf_cat(&f->cache, h.p, h.len) == 0) {
				buf_free(&h);
				return;
			}
		}
		buf_free(&h);
	}
	if (f->cachefd >= 0)
		close(f->cachefd);
	f->cachefd = -1; /* no cache: everything is read from the files */
}

void
cache_close(struct folder *f)
{
	if (!f->cacheopen)
		return;
	f->cacheopen = false;
	if (f->cachefd >= 0)
		close(f->cachefd);
	f->cachefd = -1;
	buf_free(&f->cache);
}

bool
cache_get(const struct folder *f, size_t i, int kind, const char **p, size_t *n)
{
	const char *r, *nl;
	size_t off = f->m[i].crec[kind], k;
	unsigned long len;

	if (!f->cacheopen || f->cachefd < 0 || off == 0 || off >= f->cache.len)
		return false;
	r = (char *)f->cache.p + off; /* "K uid len\n": checked by parse */
	nl = memchr(r, '\n', f->cache.len - off);
	k = str_chr(r + 2, (size_t)(nl - r - 2), ' ');
	if (scan_ulong(r + 3 + k, (size_t)(nl - r - 3 - k), &len) == 0)
		return false;
	*p = nl + 1;
	*n = len;
	return true;
}

void
cache_put(struct folder *f, size_t i, int kind, const void *data, size_t n)
{
	struct buf rec = BUF_INIT(CACHE_REC_MAX + 64);
	struct msg *m = &f->m[i];
	size_t at;

	if (!f->cacheopen || f->cachefd < 0 || m->crec[kind] != 0 ||
	    n > CACHE_REC_MAX || f->cache.len + n + 64 > CACHE_MAX)
		return;
	if (buf_printf(&rec, "%c %lu %zu\n", kinds[kind], (unsigned long)m->uid,
	        n) < 0 ||
	    buf_cat(&rec, data, n) < 0 || buf_catc(&rec, '\n') < 0)
		return;
	at = f->cache.len;
	if (write(f->cachefd, rec.p, rec.len) == (ssize_t)rec.len &&
	    buf_cat(&f->cache, rec.p, rec.len) == 0)
		m->crec[kind] = (uint32_t)at;
	buf_free(&rec);
}

bool
cache_header(const struct folder *f, size_t i, const char **p, size_t *n)
{
	return cache_get(f, i, CACHE_HDR, p, n);
}

void
cache_add(struct folder *f, size_t i, const void *hdr, size_t n)
{
	cache_put(f, i, CACHE_HDR, hdr, n);
}
