/* env.c: the envelope at the head of a message file (send.h).
 * Trust: the file was written by quail-queue, but its contents come from
 * the SMTP client, so every field is bounded and checked here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "send.h"

static int
addrcpt(struct envelope *e, size_t *cap, struct str s)
{
	struct str *n;
	size_t want;

	if (e->nrcpt == *cap) {
		want = *cap ? *cap * 2 : 8;
		n = realloc(e->rcpt, want * sizeof *n);
		if (n == NULL)
			return -1;
		e->rcpt = n;
		*cap = want;
	}
	e->rcpt[e->nrcpt++] = s;
	return 0;
}

static void
entry(struct envelope *e, struct str s)
{
	unsigned long long t = 0;
	size_t i;

	switch (s.p[0]) {
	case 'I':
		e->id.p = s.p + 1;
		e->id.len = s.len - 1;
		break;
	case 't':
		for (i = 1; i < s.len && s.p[i] >= '0' && s.p[i] <= '9' &&
		            t < 100000000000ULL;
		     i++)
			t = t * 10 + (unsigned long long)(s.p[i] - '0');
		e->arrival = t;
		break;
	default:
		break;
	}
}

enum sres
env_parse(const unsigned char *p, size_t len, struct envelope *e)
{
	size_t i = 0, j, cap = 0;
	bool have_f = false;
	struct str s;

	memset(e, 0, sizeof *e);
	for (;;) {
		for (j = i; j < len && p[j] != '\0'; j++)
			;
		if (j == len) {
			env_free(e);
			return S_MORE;
		}
		if (j == i)
			break;
		s.p = (const char *)p + i;
		s.len = j - i;
		if (s.p[0] == 'F') {
			e->sender.p = s.p + 1;
			e->sender.len = s.len - 1;
			have_f = true;
		} else if (s.p[0] == 'T') {
			s.p++;
			s.len--;
			if (s.len == 0)
				goto bad;
			if (addrcpt(e, &cap, s) < 0) {
				env_free(e);
				return S_TOOLONG;
			}
		} else {
			entry(e, s);
		}
		i = j + 1;
	}
	if (!have_f || e->nrcpt == 0)
		goto bad;
	e->offset = i + 1;
	return S_OK;
bad:
	env_free(e);
	return S_SYNTAX;
}

void
env_free(struct envelope *e)
{
	free(e->rcpt);
	e->rcpt = NULL;
	e->nrcpt = 0;
}

/* true if the envelope's end may lie in p[from..len): an empty entry is
 * a NUL at the start or a NUL right after another. */
static bool
maybe_end(const unsigned char *p, size_t from, size_t len)
{
	size_t i;

	if (from == 0 && len > 0 && p[0] == '\0')
		return true;
	for (i = from ? from : 1; i < len; i++)
		if (p[i] == '\0' && p[i - 1] == '\0')
			return true;
	return false;
}

int
env_read(int fd, struct buf *b, struct envelope *e)
{
	ssize_t r;
	size_t old;
	enum sres res;

	buf_reset(b);
	for (;;) {
		if (buf_ready(b, 4096) < 0)
			return -1;
		old = b->len;
		r = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		b->len += (size_t)r;
		if (r > 0 && !maybe_end(b->p, old, b->len))
			continue;
		res = r == 0 ? S_SYNTAX : env_parse(b->p, b->len, e);
		if (res == S_OK)
			return 0;
		if (res == S_TOOLONG) {
			errno = ENOMEM;
			return -1;
		}
		if (res == S_SYNTAX) {
			errno = EPROTO;
			return -1;
		}
	}
}
