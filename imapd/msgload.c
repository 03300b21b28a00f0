/* msgload.c: a message of the selected folder in its IMAP form (CRLF
 * line ends) in s->mc, whole or its header only; headers come from the
 * folder's cache (cache.c) when it has them, and go into it otherwise.
 * One message is kept, so FETCH items and SEARCH keys of one message
 * read it once.  Bounded by the buffer maxima (2 GiB). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"

/* Append the CRLF form of p[0..n) to out: one allocation, memchr. */
static void
crlf(struct buf *out, const unsigned char *p, size_t n)
{
	const unsigned char *e = p + n, *nl;
	size_t lfs = 0;
	unsigned char *o;

	for (nl = p; nl < e && (nl = memchr(nl, '\n', (size_t)(e - nl))); nl++)
		lfs++;
	if (buf_ready(out, n + lfs) < 0)
		die_nomem();
	o = out->p + out->len;
	while (p < e) {
		size_t k;
		nl = memchr(p, '\n', (size_t)(e - p));
		k = nl ? (size_t)(nl - p) : (size_t)(e - p);
		memcpy(o, p, k);
		o += k;
		p += k;
		if (nl == NULL)
			break;
		if (k == 0 ? (o == out->p + out->len || o[-1] != '\r')
		           : o[-1] != '\r')
			*o++ = '\r';
		*o++ = '\n';
		p++;
	}
	out->len = (size_t)(o - out->p);
}

static unsigned char *
find(const unsigned char *p, size_t len, const char *pat, size_t pl)
{
	size_t i;

	for (i = 0; i + pl <= len; i++)
		if (p[i] == (unsigned char)pat[0] &&
		    memcmp(p + i, pat, pl) == 0)
			return (unsigned char *)(uintptr_t)(p + i);
	return NULL;
}

int
msg_load(struct session *s, size_t i, bool whole)
{
	static struct buf raw = BUF_INIT((size_t)1 << 31);
	char tmp[65536];
	struct msgcache *mc = &s->mc;
	const char *ch;
	size_t chl;
	unsigned char *e;
	ssize_t r;
	int fd;

	if (mc->idx == i && mc->uid == s->sel->m[i].uid &&
	    (mc->whole || !whole))
		return 0;
	mc->idx = SIZE_MAX;
	if (!whole && cache_header(s->sel, i, &ch, &chl)) {
		if (buf_copy(&mc->data, ch, chl) < 0)
			die_nomem();
		mc->whole = false;
		mc->idx = i;
		mc->uid = s->sel->m[i].uid;
		return 0;
	}
	if ((fd = folder_openmsg(s->sel, i)) < 0)
		return -1;
	buf_reset(&raw);
	for (;;) {
		if (buf_ready(&raw, sizeof tmp) < 0)
			die_nomem();
		r = read(
		    fd, raw.p + raw.len, whole ? raw.cap - raw.len - 1 : 16384);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		raw.len += (size_t)r;
		if (!whole && raw.len > 2 &&
		    (find(raw.p, raw.len, "\n\n", 2) ||
		        find(raw.p, raw.len, "\n\r\n", 3)))
			break;
	}
	close(fd);
	if (r < 0)
		return -1;
	buf_reset(&mc->data);
	crlf(&mc->data, raw.p, raw.len);
	e = find(mc->data.p, mc->data.len, "\r\n\r\n", 4);
	if (e != NULL)
		cache_add(s->sel, i, mc->data.p, (size_t)(e - mc->data.p) + 4);
	else if (whole || r == 0)
		cache_add(s->sel, i, mc->data.p, mc->data.len);
	if (!whole) { /* keep the header and its empty line only */
		if (e)
			mc->data.len = (size_t)(e - mc->data.p) + 4;
		else
			whole = r == 0;
	}
	mc->whole = whole;
	mc->idx = i;
	mc->uid = s->sel->m[i].uid;
	return 0;
}
