/* cdbio.c: CDB files for quail-ctl: write a table with tinycdb's
 * cdb_make, load one back, compare, install with a kept previous
 * generation (NAME.cdb.prev) and roll back.  Runs as root; every
 * replacement is rename(2) of an fsynced file plus an fsync of the
 * directory (DESIGN.md invariant 5).  The current file is never absent:
 * the previous generation is made with link(2), not rename. */
#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "ctl.h"

_Noreturn void
ctl_nomem(void)
{
	fputs("quail-ctl: fatal: out of memory\n", stderr);
	exit(111);
}

void *
ctl_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		ctl_nomem();
	return p;
}

char *
ctl_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(ctl_alloc(n), s, n);
}

char *
ctl_path(const char *home, const char *rel)
{
	size_t a = strlen(home), b = strlen(rel);
	char *p = ctl_alloc(a + b + 2);

	memcpy(p, home, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

int
cdb_write_table(const char *path, struct table *t, unsigned mode)
{
	struct cdb_make m;
	size_t i;
	int fd, e;

	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	table_sort(t);
	if (cdb_make_start(&m, fd) < 0)
		goto fail;
	for (i = 0; i < t->n; i++)
		if (t->e[i].klen > 0xffffffffU || t->e[i].vlen > 0xffffffffU ||
		    cdb_make_add(&m, t->e[i].k, (unsigned)t->e[i].klen,
		        t->e[i].v, (unsigned)t->e[i].vlen) < 0)
			goto fail;
	if (cdb_make_finish(&m) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto fail;
	return close(fd);
fail:
	e = errno ? errno : EIO;
	close(fd);
	unlink(path);
	errno = e;
	return -1;
}

int
cdb_load_table(const char *path, struct table *t)
{
	struct cdb c;
	unsigned pos;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (cdb_init(&c, fd) < 0) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	cdb_seqinit(&pos, &c);
	while ((r = cdb_seqnext(&pos, &c)) > 0)
		table_put(t, cdb_getkey(&c), cdb_keylen(&c), cdb_getdata(&c),
		    cdb_datalen(&c), NULL);
	cdb_free(&c);
	close(fd);
	if (r < 0) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

static void
print_key(FILE *out, const char *label, int sign, const struct ent *e)
{
	size_t i;

	fprintf(out, "%s: %c", label, sign);
	for (i = 0; i < e->klen; i++) {
		unsigned char c = (unsigned char)e->k[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			putc(c, out);
	}
	if (e->src[0] != '\0')
		fprintf(out, "  (%s)", e->src);
	putc('\n', out);
}

void
cdb_diff(const struct table *old, const struct table *new, struct diffcount *d,
    FILE *out, const char *label)
{
	const struct ent *o;
	size_t i;

	memset(d, 0, sizeof *d);
	for (i = 0; i < new->n; i++) {
		o = table_get(old, new->e[i].k, new->e[i].klen);
		if (o == NULL) {
			d->added++;
			if (out)
				print_key(out, label, '+', &new->e[i]);
		} else if (o->vlen != new->e[i].vlen ||
		           memcmp(o->v, new->e[i].v, o->vlen) != 0) {
			d->changed++;
			if (out)
				print_key(out, label, '~', &new->e[i]);
		}
	}
	for (i = 0; i < old->n; i++)
		if (table_get(new, old->e[i].k, old->e[i].klen) == NULL) {
			d->removed++;
			if (out)
				print_key(out, label, '-', &old->e[i]);
		}
}

int
file_same(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int same = fa != NULL && fb != NULL, ca, cb;

	while (same) {
		ca = getc(fa);
		cb = getc(fb);
		if (ca != cb)
			same = 0;
		else if (ca == EOF)
			break;
	}
	if (same && (ferror(fa) || ferror(fb)))
		same = 0;
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static char *
suffixed(const char *path, const char *suf)
{
	size_t a = strlen(path), b = strlen(suf);
	char *p = ctl_alloc(a + b + 1);

	memcpy(p, path, a);
	memcpy(p + a, suf, b + 1);
	return p;
}

/* Makes cur (if present) the previous generation, by a hard link so that
 * cur never disappears, then renames tmp over cur and syncs the dir. */
int
cdb_install(const char *cur, const char *tmp)
{
	char *prev = suffixed(cur, ".prev"), *ptmp = suffixed(cur, ".prev.tmp");
	int r = -1;

	if (unlink(ptmp) < 0 && errno != ENOENT)
		goto out;
	if (link(cur, ptmp) == 0) {
		if (rename(ptmp, prev) < 0)
			goto out;
	} else if (errno != ENOENT || (unlink(prev) < 0 && errno != ENOENT))
		goto out;
	if (rename(tmp, cur) < 0)
		goto out;
	r = atomic_syncdir(cur);
out:
	free(prev);
	free(ptmp);
	return r;
}

/* cur was not changed by this compile: forget its older generation so
 * that rollback undoes exactly the last compile. */
int
cdb_drop_prev(const char *cur)
{
	char *prev = suffixed(cur, ".prev");
	int r = unlink(prev) < 0 && errno != ENOENT ? -1 : 0;

	free(prev);
	return r;
}

/* Swaps cur and cur.prev.  1 swapped, 0 nothing to restore, -1 error. */
static int
swap_prev(const char *cur)
{
	char *prev = suffixed(cur, ".prev"), *rb = suffixed(cur, ".rb.tmp");
	struct stat st;
	int r = -1;

	if (lstat(prev, &st) < 0) {
		r = errno == ENOENT ? 0 : -1;
		goto out;
	}
	if (unlink(rb) < 0 && errno != ENOENT)
		goto out;
	if (link(cur, rb) < 0) {
		if (errno != ENOENT || rename(prev, cur) < 0)
			goto out;
	} else if (rename(prev, cur) < 0 || rename(rb, prev) < 0)
		goto out;
	r = atomic_syncdir(cur) < 0 ? -1 : 1;
out:
	free(prev);
	free(rb);
	return r;
}

static int
rollback_one(const char *home, const char *name)
{
	char *cur = ctl_path(home, name), *prev = suffixed(cur, ".prev");
	struct table before, after;
	struct diffcount d;
	int r;

	table_init(&before);
	table_init(&after);
	if (cdb_load_table(cur, &before) < 0 ||
	    cdb_load_table(prev, &after) < 0)
		r = -1;
	else
		r = swap_prev(cur);
	if (r < 0)
		fprintf(stderr, "quail-ctl: unable to restore %s: %s\n", name,
		    strerror(errno));
	else if (r > 0) {
		cdb_diff(&before, &after, &d, NULL, NULL);
		printf("%s: restored previous generation: %zu added, %zu "
		       "removed, %zu changed\n",
		    name, d.added, d.removed, d.changed);
	}
	table_free(&before);
	table_free(&after);
	free(prev);
	free(cur);
	return r;
}

int
cmd_rollback(const char *home, int argc, char **argv)
{
	int i, r, n = 0, err = 0;

	(void)argv;
	if (argc > 1) {
		fputs("usage: quail-ctl rollback\n", stderr);
		return 100;
	}
	for (i = 0; i < C_NCDB; i++) {
		r = rollback_one(home, ctl_cdbs[i].name);
		if (r < 0)
			err++;
		else
			n += r;
	}
	if (err)
		return 111;
	if (n == 0) {
		fputs("quail-ctl: nothing to roll back (no .prev files)\n",
		    stderr);
		return 100;
	}
	return 0;
}
