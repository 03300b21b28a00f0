/* seqset.c: sequence sets (RFC 3501 section 9, sequence-set).  Pure.
 * "*" stands for star (the largest number in use; 0 in an empty folder,
 * in which case the range matches nothing).  At most IMAP_SEQ_RANGES. */
#include "imapd.h"

static size_t
seqnum(const char *p, size_t len, uint32_t star, uint32_t *r)
{
	size_t i = 0;
	uint64_t v = 0;

	if (len > 0 && p[0] == '*') {
		*r = star;
		return 1;
	}
	while (i < len && p[i] >= '0' && p[i] <= '9') {
		v = v * 10 + (uint64_t)(p[i] - '0');
		if (v > 0xffffffffULL)
			return 0;
		i++;
	}
	if (i == 0 || v == 0)
		return 0;
	*r = (uint32_t)v;
	return i;
}

int
seqset_parse(const char *p, size_t len, uint32_t star, struct seqset *s)
{
	size_t pos = 0, k;
	uint32_t a, b;

	s->n = 0;
	for (;;) {
		k = seqnum(p + pos, len - pos, star, &a);
		if (k == 0)
			return -1;
		pos += k;
		b = a;
		if (pos < len && p[pos] == ':') {
			pos++;
			k = seqnum(p + pos, len - pos, star, &b);
			if (k == 0)
				return -1;
			pos += k;
		}
		if (s->n >= IMAP_SEQ_RANGES)
			return -1;
		s->r[s->n].lo = a < b ? a : b;
		s->r[s->n].hi = a < b ? b : a;
		s->n++;
		if (pos == len)
			return 0;
		if (p[pos] != ',')
			return -1;
		pos++;
	}
}

bool
seqset_has(const struct seqset *s, uint32_t v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (v >= s->r[i].lo && v <= s->r[i].hi && v != 0)
			return true;
	return false;
}
