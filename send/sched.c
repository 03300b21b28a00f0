/* sched.c: the retry schedule and the retry lane's heap (send.h).  Pure. */
#include <errno.h>
#include <stdlib.h>
#include "send.h"

unsigned long long
sched_next(unsigned long long arrival, unsigned attempts, unsigned skip,
    unsigned long long now)
{
	unsigned long long k = attempts, d;

	if (k > 100000)
		k = 100000;
	d = k * skip;
	d = arrival + d * d;
	return d > now ? d : now + 1;
}

bool
sched_expired(unsigned long long arrival, unsigned long long lifetime,
    unsigned long long now)
{
	return now >= arrival && now - arrival >= lifetime;
}

int
heap_push(struct heap *h, struct job j)
{
	struct job *n, t;
	size_t i, up, cap;

	if (h->n == h->cap) {
		cap = h->cap ? h->cap * 2 : 64;
		n = realloc(h->j, cap * sizeof *n);
		if (n == NULL) {
			errno = ENOMEM;
			return -1;
		}
		h->j = n;
		h->cap = cap;
	}
	i = h->n++;
	h->j[i] = j;
	while (i > 0) {
		up = (i - 1) / 2;
		if (h->j[up].due <= h->j[i].due)
			break;
		t = h->j[up];
		h->j[up] = h->j[i];
		h->j[i] = t;
		i = up;
	}
	return 0;
}

const struct job *
heap_top(const struct heap *h)
{
	return h->n ? &h->j[0] : NULL;
}

void
heap_pop(struct heap *h)
{
	size_t i = 0, l, m;
	struct job t;

	if (h->n == 0)
		return;
	h->j[0] = h->j[--h->n];
	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < h->n && h->j[l].due < h->j[m].due)
			m = l;
		if (l + 1 < h->n && h->j[l + 1].due < h->j[m].due)
			m = l + 1;
		if (m == i)
			break;
		t = h->j[m];
		h->j[m] = h->j[i];
		h->j[i] = t;
		i = m;
	}
}

void
heap_free(struct heap *h)
{
	free(h->j);
	h->j = NULL;
	h->n = h->cap = 0;
}
