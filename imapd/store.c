/* store.c: one Maildir++ folder as IMAP sees it (quail-imapd(8), STORE).
 * Messages are files in new/ and cur/; flags are the ":2," suffix;
 * UIDs and UIDVALIDITY live in the folder's "quail-uidlist":
 *     quail-uidlist 1 <uidvalidity> <uidnext>
 *     <uid> <base name>            (one a line, ascending uid)
 * rewritten atomically (tmp + fsync + rename) under an flock on
 * "quail-uidlist.lock", which every session and folder_append take, so
 * two sessions never give one file two UIDs or one UID two files.
 * Sizes come from ",W=" (",S=" and LF counting as fallbacks), internal
 * dates from the file's mtime, both fetched lazily. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "imapd.h"
#include "maildir.h"
#include "atomic.h"
#include "die.h"
#include "fmt.h"
#include "scan.h"
#include "str.h"

#define UIDLIST "quail-uidlist"
#define UIDLOCK "quail-uidlist.lock"

struct uid_ent {
	uint32_t uid;
	const char *base;
};

struct uidlist {
	struct buf raw;
	uint32_t validity, next;
	struct uid_ent *e;
	size_t n;
	/* hash: index+1 into e, 0 empty */
	size_t *h, hcap;
};

static void
pathcat(struct buf *b, const char *dir, const char *a, const char *c)
{
	buf_reset(b);
	if (buf_cats(b, dir) < 0 || buf_catc(b, '/') < 0 ||
	    buf_cats(b, a) < 0 || (c && buf_cats(b, c) < 0) || buf_cstr(b) < 0)
		die_nomem();
}

static size_t
hashstr(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void
uidlist_index(struct uidlist *u)
{
	size_t i, j;

	u->hcap = 16;
	while (u->hcap < u->n * 2 + 1)
		u->hcap *= 2;
	u->h = calloc(u->hcap, sizeof *u->h);
	if (u->h == NULL)
		die_nomem();
	for (i = 0; i < u->n; i++) {
		j = hashstr(u->e[i].base) & (u->hcap - 1);
		while (u->h[j])
			j = (j + 1) & (u->hcap - 1);
		u->h[j] = i + 1;
	}
}

static struct uid_ent *
uidlist_find(const struct uidlist *u, const char *base)
{
	size_t j = hashstr(base) & (u->hcap - 1);

	while (u->h[j]) {
		struct uid_ent *e = &u->e[u->h[j] - 1];
		if (strcmp(e->base, base) == 0)
			return e;
		j = (j + 1) & (u->hcap - 1);
	}
	return NULL;
}

static int
read_all(const char *dir, const char *name, struct buf *raw)
{
	struct buf path = BUF_INIT(MAILDIR_PATH_MAX);
	ssize_t r;
	int fd;

	pathcat(&path, dir, name, NULL);
	fd = open((char *)path.p, O_RDONLY | O_CLOEXEC);
	buf_free(&path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	buf_reset(raw);
	for (;;) {
		if (buf_ready(raw, 65536) < 0)
			die_nomem();
		r = read(fd, raw->p + raw->len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		raw->len += (size_t)r;
	}
	close(fd);
	if (r < 0 || buf_cstr(raw) < 0)
		return -1;
	return 1;
}

enum ulfmt {
	UL_QUAIL,   /* quail-uidlist 1 V N / uid base */
	UL_V1,      /* Dovecot v1 and Courier: 1 V N / uid base */
	UL_DOVECOT, /* Dovecot v3: 3 V<v> N<n> ... / uid [k<v>...] :base */
};

/* Header numbers: quail and v1 "V N"; v3 keyed "V<v>" and "N<n>". */
static int
parse_header(const char *p, const char *nl, enum ulfmt f, struct uidlist *u)
{
	unsigned long v;
	size_t k;

	if (f != UL_DOVECOT) {
		if ((k = scan_ulong(p, nl - p, &v)) == 0 || v > 0xffffffffUL)
			return -1;
		u->validity = (uint32_t)v;
		p += k;
		if (*p++ != ' ' || (k = scan_ulong(p, nl - p, &v)) == 0 ||
		    v > 0xffffffffUL)
			return -1;
		u->next = (uint32_t)v;
		return 0;
	}
	for (; p < nl; p++) {
		if ((p[0] == 'V' || p[0] == 'N') && (p[-1] == ' ') &&
		    (k = scan_ulong(p + 1, nl - p - 1, &v)) > 0 &&
		    v <= 0xffffffffUL) {
			if (p[0] == 'V')
				u->validity = (uint32_t)v;
			else
				u->next = (uint32_t)v;
		}
	}
	return u->validity && u->next ? 0 : -1;
}

static int
parse_entries(char *p, char *end, enum ulfmt f, struct uidlist *u)
{
	size_t k, cap = 0;
	unsigned long v;
	char *nl, *b;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			break;
		*nl = 0;
		k = scan_ulong(p, nl - p, &v);
		if (k == 0 || p[k] != ' ' || v == 0 || v >= u->next)
			return -1;
		b = p + k + 1;
		if (f == UL_DOVECOT && (b = strstr(p + k, " :")) != NULL)
			b += 2;
		if (b == NULL || *b == 0)
			return -1;
		if (f != UL_QUAIL && strchr(b, ':'))
			*strchr(b, ':') = 0;
		if (u->n == cap) {
			cap = cap ? cap * 2 : 256;
			u->e = realloc(u->e, cap * sizeof *u->e);
			if (u->e == NULL)
				die_nomem();
		}
		if (u->n > 0 && u->e[u->n - 1].uid >= v)
			return -1;
		u->e[u->n].uid = (uint32_t)v;
		u->e[u->n].base = b;
		u->n++;
	}
	return 0;
}

struct ulsrc {
	const char *name, *head;
	enum ulfmt f;
};

static const struct ulsrc src[] = {{UIDLIST, UIDLIST " 1 ", UL_QUAIL},
    {"dovecot-uidlist", "3 ", UL_DOVECOT}, {"dovecot-uidlist", "1 ", UL_V1},
    {"courierimapuiddb", "1 ", UL_V1}};

/* Reads our list; when there is none, adopts Dovecot's dovecot-uidlist
 * or Courier's courierimapuiddb, so clients keep their caches after a
 * migration.  A malformed file is treated as absent (new UIDVALIDITY),
 * which is what a client can recover from.  1: read (adopted: 2), 0:
 * none, -1: error. */
static int
uidlist_read(const char *dir, struct uidlist *u)
{
	size_t i;
	char *p, *nl;
	int r;

	memset(u, 0, sizeof *u);
	buf_init(&u->raw, (size_t)1 << 30);
	for (i = 0; i < sizeof src / sizeof src[0]; i++) {
		if (i == 0 || strcmp(src[i].name, src[i - 1].name) != 0)
			if ((r = read_all(dir, src[i].name, &u->raw)) <= 0) {
				if (r < 0)
					return -1;
				if (i == 0)
					continue;
				u->raw.len = 0;
				continue;
			}
		p = (char *)u->raw.p;
		if (u->raw.len == 0 ||
		    (nl = memchr(p, '\n', u->raw.len)) == NULL ||
		    !str_casestarts(p, nl - p, src[i].head))
			continue;
		if (parse_header(p + strlen(src[i].head) -
		                     (src[i].f == UL_DOVECOT ? 1 : 0),
		        nl, src[i].f, u) < 0 ||
		    parse_entries(nl + 1, p + u->raw.len, src[i].f, u) < 0) {
			log_warn("%s/%s: malformed, starting a new UIDVALIDITY",
			    dir, src[i].name);
			free(u->e);
			u->e = NULL;
			u->n = 0;
			u->validity = 0;
			return 0;
		}
		if (i > 0)
			log_info("%s: adopted UIDs from %s", dir, src[i].name);
		return i == 0 ? 1 : 2;
	}
	return 0;
}

static void
uidlist_free(struct uidlist *u)
{
	buf_free(&u->raw);
	free(u->e);
	free(u->h);
}

int
folder_lock(const char *path)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	int fd;

	pathcat(&p, path, UIDLOCK, NULL);
	fd = open((char *)p.p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	buf_free(&p);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static uint32_t
info_flags(const char *info, uint32_t *kw_r)
{
	uint32_t fl = 0, kw = 0;

	for (; *info; info++) {
		switch (*info) {
		case 'D':
			fl |= FL_DRAFT;
			break;
		case 'F':
			fl |= FL_FLAGGED;
			break;
		case 'P':
			fl |= FL_FORWARDED;
			break;
		case 'R':
			fl |= FL_ANSWERED;
			break;
		case 'S':
			fl |= FL_SEEN;
			break;
		case 'T':
			fl |= FL_DELETED;
			break;
		default:
			if (*info >= 'a' && *info <= 'z')
				kw |= 1u << (*info - 'a');
		}
	}
	*kw_r = kw;
	return fl;
}

void
flags_info(uint32_t fl, uint32_t kw, char *out)
{
	int i;

	if (fl & FL_DRAFT)
		*out++ = 'D';
	if (fl & FL_FLAGGED)
		*out++ = 'F';
	if (fl & FL_FORWARDED)
		*out++ = 'P';
	if (fl & FL_ANSWERED)
		*out++ = 'R';
	if (fl & FL_SEEN)
		*out++ = 'S';
	if (fl & FL_DELETED)
		*out++ = 'T';
	for (i = 0; i < KW_MAX; i++)
		if (kw & (1u << i))
			*out++ = (char)('a' + i);
	*out = 0;
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct disk_ent *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return strcmp(x->base, y->base);
}

#define ARENA_BLK ((size_t)1 << 20)

/* A copy of s[0..n) in the scan's arena: no allocation per name; the
 * blocks are mapped, not malloc'd, so that unmapping them after the
 * merge leaves no holes between the names the view keeps. */
static char *
arena_dup(struct scan *sc, const char *s, size_t n)
{
	char *p, **nb;

	if (sc->nblk == 0 || sc->used + n + 1 > ARENA_BLK) {
		nb = realloc(sc->blk, (sc->nblk + 1) * sizeof *nb);
		if (nb == NULL)
			die_nomem();
		sc->blk = nb;
		nb[sc->nblk] = mmap(NULL, ARENA_BLK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (nb[sc->nblk] == MAP_FAILED)
			die_nomem();
		sc->nblk++;
		sc->used = 0;
	}
	p = sc->blk[sc->nblk - 1] + sc->used;
	memcpy(p, s, n);
	p[n] = 0;
	sc->used += n + 1;
	return p;
}

void
scan_free(struct scan *sc)
{
	while (sc->nblk > 0)
		munmap(sc->blk[--sc->nblk], ARENA_BLK);
	free(sc->blk);
	free(sc->e);
	memset(sc, 0, sizeof *sc);
}

static int
scan_sub(const char *dir, const char *sub, struct scan *sc)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	struct dirent *d;
	DIR *dh;

	pathcat(&p, dir, sub, NULL);
	dh = opendir((char *)p.p);
	buf_free(&p);
	if (dh == NULL)
		return -1;
	while ((d = readdir(dh)) != NULL) {
		struct disk_ent *e;
		const char *colon;
		size_t blen, nlen = strlen(d->d_name);
		if (d->d_name[0] == '.')
			continue;
		if (sc->n == sc->cap) {
			sc->cap = sc->cap ? sc->cap * 2 : 256;
			sc->e = realloc(sc->e, sc->cap * sizeof *sc->e);
			if (sc->e == NULL)
				die_nomem();
		}
		e = &sc->e[sc->n++];
		colon = strchr(d->d_name, ':');
		blen = colon ? (size_t)(colon - d->d_name) : nlen;
		e->base = arena_dup(sc, d->d_name, blen);
		e->name = malloc(nlen + 5);
		if (e->name == NULL)
			die_nomem();
		memcpy(e->name, sub, 3);
		e->name[3] = '/';
		memcpy(e->name + 4, d->d_name, nlen + 1);
		e->isnew = sub[0] == 'n';
		e->uid = 0;
		e->kw = 0;
		e->flags = colon && colon[1] == '2' && colon[2] == ','
		               ? info_flags(colon + 3, &e->kw)
		               : 0;
	}
	closedir(dh);
	return 0;
}

static int
uidlist_write(const char *dir, struct uidlist *u, const struct scan *sc)
{
	struct buf b = BUF_INIT((size_t)1 << 30);
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	size_t i;
	int r;

	if (buf_printf(&b, UIDLIST " 1 %lu %lu\n", (unsigned long)u->validity,
	        (unsigned long)u->next) < 0)
		die_nomem();
	for (i = 0; i < sc->n; i++)
		if (buf_printf(&b, "%lu %s\n", (unsigned long)sc->e[i].uid,
		        sc->e[i].base) < 0)
			die_nomem();
	pathcat(&p, dir, UIDLIST, NULL);
	r = atomic_write((char *)p.p, b.p, b.len, 0600);
	buf_free(&p);
	buf_free(&b);
	return r;
}

/* new/X -> cur/X:2, ; the message becomes \Recent for this session. */
static void
take_new(const char *dir, struct disk_ent *e)
{
	struct buf from = BUF_INIT(MAILDIR_PATH_MAX),
	           to = BUF_INIT(MAILDIR_PATH_MAX);
	char *nn;
	size_t bl = strlen(e->base);

	pathcat(&from, dir, e->name, NULL);
	nn = malloc(bl + 8);
	if (nn == NULL)
		die_nomem();
	memcpy(nn, "cur/", 4);
	memcpy(nn + 4, e->base, bl);
	memcpy(nn + 4 + bl, ":2,", 4);
	pathcat(&to, dir, nn, NULL);
	if (rename((char *)from.p, (char *)to.p) == 0) {
		free(e->name);
		e->name = nn;
		e->isnew = false;
		e->flags |= FL_RECENT;
	} else
		free(nn);
	buf_free(&from);
	buf_free(&to);
}

/* Scan the directories and give every file a UID, under the lock. */
int
folder_scan_assign(struct folder *f, bool takenew, struct scan *sc)
{
	struct uidlist u;
	size_t i, nold;
	bool dirty = false;
	int lk, r, ur;

	memset(sc, 0, sizeof *sc);
	if ((lk = folder_lock(f->path)) < 0)
		return -1;
	if ((ur = uidlist_read(f->path, &u)) < 0 ||
	    scan_sub(f->path, "cur", sc) < 0 ||
	    scan_sub(f->path, "new", sc) < 0) {
		close(lk);
		return -1;
	}
	if (u.validity == 0) {
		u.validity = (uint32_t)time(NULL);
		u.next = 1;
		dirty = true;
	}
	if (ur == 2)
		dirty = true; /* adopted: write our own list */
	uidlist_index(&u);
	nold = 0;
	for (i = 0; i < sc->n; i++) {
		struct uid_ent *ue = uidlist_find(&u, sc->e[i].base);
		if (ue && ue->uid) {
			sc->e[i].uid = ue->uid;
			ue->uid = 0; /* a base seen twice (new/ and cur/) */
			nold++;
		}
	}
	if (nold != u.n)
		dirty = true; /* files went away */
	if (sc->n > 0)
		qsort(sc->e, sc->n, sizeof *sc->e, ent_cmp);
	for (i = 0; i < sc->n && sc->e[i].uid == 0; i++) {
		sc->e[i].uid = u.next++;
		dirty = true;
	}
	if (sc->n > 0)
		qsort(sc->e, sc->n, sizeof *sc->e, ent_cmp);
	r = 0;
	if (dirty && uidlist_write(f->path, &u, sc) < 0)
		r = -1;
	f->uidvalidity = u.validity;
	f->uidnext = u.next;
	if (takenew && !f->rdonly)
		for (i = 0; i < sc->n; i++)
			if (sc->e[i].isnew)
				take_new(f->path, &sc->e[i]);
	uidlist_free(&u);
	close(lk);
	return r;
}
