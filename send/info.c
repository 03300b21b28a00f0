/* info.c: the text format of HOME/queue/info/NN/ID (send.h; documented in
 * doc/ARCHITECTURE.md "quail-send state").  Pure: formatting and replay.
 *
 *   quail-info 1 CREATED
 *   IDX STATE ATTEMPTS NEXT LAST TEXT
 *
 * The file is only ever appended to, one write per event; the last line
 * for an index wins. */
#include <string.h>
#include "fmt.h"
#include "send.h"

static const char *const names[] = {
    [R_PENDING] = "pending",
    [R_DONE] = "done",
    [R_FAILED] = "failed",
    [R_BOUNCED] = "bounced",
};

const char *
info_statename(enum rstate s)
{
	return names[s];
}

int
info_header(struct buf *out, unsigned long long created)
{
	return buf_printf(out, "quail-info 1 %llu\n", created);
}

int
info_line(struct buf *out, size_t idx, const struct rinfo *r)
{
	size_t i, n = r->tlen;
	unsigned char c;

	if (n > PROTO_TEXT_MAX)
		n = PROTO_TEXT_MAX;
	if (buf_printf(out, "%zu %s %u %llu %llu ", idx, names[r->state],
	        r->attempts, r->next, r->last) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)r->text[i];
		if (buf_catc(out, c < 0x20 || c == 0x7f ? '_' : c) < 0)
			return -1;
	}
	return buf_catc(out, '\n');
}

/* Reads a decimal field ended by a space; advances *i past the space. */
static int
field(const char *p, size_t len, size_t *i, unsigned long long *v)
{
	size_t start = *i;

	*v = 0;
	while (*i < len && p[*i] >= '0' && p[*i] <= '9') {
		if (*v > 1000000000000000ULL)
			return -1;
		*v = *v * 10 + (unsigned long long)(p[*i] - '0');
		(*i)++;
	}
	if (*i == start || *i >= len || p[*i] != ' ')
		return -1;
	(*i)++;
	return 0;
}

static int
state(const char *p, size_t len, size_t *i, enum rstate *s)
{
	size_t k, n;

	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		n = strlen(names[k]);
		if (len - *i > n && memcmp(p + *i, names[k], n) == 0 &&
		    p[*i + n] == ' ') {
			*s = (enum rstate)k;
			*i += n + 1;
			return 0;
		}
	}
	return -1;
}

static void
line(const char *p, size_t len, struct rinfo *r, size_t n)
{
	unsigned long long idx, att, next, last;
	enum rstate s;
	size_t i = 0, tl;

	if (field(p, len, &i, &idx) < 0 || state(p, len, &i, &s) < 0 ||
	    field(p, len, &i, &att) < 0 || field(p, len, &i, &next) < 0 ||
	    field(p, len, &i, &last) < 0 || idx >= n || att > 1000000)
		return;
	r[idx].state = s;
	r[idx].attempts = (unsigned)att;
	r[idx].next = next;
	r[idx].last = last;
	tl = len - i;
	if (tl > PROTO_TEXT_MAX)
		tl = PROTO_TEXT_MAX;
	r[idx].text = p + i;
	r[idx].tlen = tl;
}

int
info_replay(const unsigned char *p, size_t len, struct rinfo *r, size_t n)
{
	const char *s = (const char *)p;
	size_t i, j;

	if (len < 13 || memcmp(s, "quail-info 1 ", 13) != 0)
		return -1;
	for (i = 0; i < len && s[i] != '\n'; i++)
		;
	if (i == len)
		return -1;
	for (i++; i < len; i = j + 1) {
		for (j = i; j < len && s[j] != '\n'; j++)
			;
		if (j == len)
			break; /* torn final line: ignored */
		line(s + i, j - i, r, n);
	}
	return 0;
}
