/* table.c: key/value tables for quail-ctl: insertion order kept, keys
 * unique (FNV-1a open-addressing index), sorted before writing so that
 * the same sources always give byte-identical CDBs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static size_t
hash(const char *k, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

void
table_init(struct table *t)
{
	memset(t, 0, sizeof *t);
}

void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->e[i].k);
		free(t->e[i].v);
		free(t->e[i].src);
	}
	free(t->e);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

static size_t *
find_slot(const struct table *t, const char *k, size_t klen)
{
	size_t i = hash(k, klen) & (t->nslot - 1), j;
	const struct ent *e;

	for (;;) {
		if (t->slot[i] == 0)
			return &t->slot[i];
		e = &t->e[t->slot[i] - 1];
		if (e->klen == klen && memcmp(e->k, k, klen) == 0)
			return &t->slot[i];
		j = i + 1;
		i = j & (t->nslot - 1);
	}
}

static void
rehash(struct table *t)
{
	size_t i, n = t->nslot ? t->nslot * 2 : 64;

	if (n > SIZE_MAX / sizeof *t->slot)
		ctl_nomem();
	free(t->slot);
	t->slot = calloc(n, sizeof *t->slot);
	if (t->slot == NULL)
		ctl_nomem();
	t->nslot = n;
	for (i = 0; i < t->n; i++)
		*find_slot(t, t->e[i].k, t->e[i].klen) = i + 1;
}

static char *
dupmem(const char *p, size_t n)
{
	char *s = ctl_alloc(n + 1);

	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

const struct ent *
table_get(const struct table *t, const char *k, size_t klen)
{
	size_t *s;

	if (t->nslot == 0)
		return NULL;
	s = find_slot(t, k, klen);
	return *s ? &t->e[*s - 1] : NULL;
}

const struct ent *
table_put(struct table *t, const char *k, size_t klen, const char *v,
    size_t vlen, const char *src)
{
	struct ent *e;
	size_t *s;

	if (t->nslot == 0 || (t->n + 1) * 2 > t->nslot)
		rehash(t);
	s = find_slot(t, k, klen);
	if (*s)
		return &t->e[*s - 1];
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct ent *ne;

		if (nc > SIZE_MAX / sizeof *ne)
			ctl_nomem();
		ne = realloc(t->e, nc * sizeof *ne);
		if (ne == NULL)
			ctl_nomem();
		t->e = ne;
		t->cap = nc;
	}
	e = &t->e[t->n];
	e->k = dupmem(k, klen);
	e->klen = klen;
	e->v = dupmem(v, vlen);
	e->vlen = vlen;
	e->src = ctl_strdup(src ? src : "");
	*s = ++t->n;
	return NULL;
}

static int
cmp_ent(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->k, y->k, n);

	if (c != 0)
		return c;
	return x->klen < y->klen ? -1 : x->klen > y->klen;
}

void
table_sort(struct table *t)
{
	size_t i;

	if (t->n > 1)
		qsort(t->e, t->n, sizeof *t->e, cmp_ent);
	if (t->nslot == 0)
		return;
	memset(t->slot, 0, t->nslot * sizeof *t->slot);
	for (i = 0; i < t->n; i++)
		*find_slot(t, t->e[i].k, t->e[i].klen) = i + 1;
}
