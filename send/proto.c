/* proto.c: netstring records of the spawn protocol (send.h).  Pure. */
#include <errno.h>
#include <string.h>
#include "fmt.h"
#include "send.h"

int
proto_put(struct buf *out, const void *p, size_t n)
{
	if (buf_catu(out, n) < 0 || buf_catc(out, ':') < 0 ||
	    buf_cat(out, p, n) < 0 || buf_catc(out, ',') < 0)
		return -1;
	return 0;
}

enum sres
proto_get(const unsigned char *p, size_t len, size_t max, struct str *pl_r,
    size_t *used_r)
{
	size_t i, n = 0;

	for (i = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (i > 0 && n == 0)
			return S_SYNTAX; /* leading zero */
		n = n * 10 + (size_t)(p[i] - '0');
		if (n > max || i >= 5)
			return S_TOOLONG;
	}
	if (i == len)
		return S_MORE;
	if (i == 0 || p[i] != ':')
		return S_SYNTAX;
	i++;
	if (len - i < n + 1)
		return S_MORE;
	if (p[i + n] != ',')
		return S_SYNTAX;
	pl_r->p = (const char *)p + i;
	pl_r->len = n;
	*used_r = i + n + 1;
	return S_OK;
}

static int
cat0(struct buf *b, const char *s)
{
	if (buf_cats(b, s) < 0 || buf_catc(b, 0) < 0)
		return -1;
	return 0;
}

int
proto_request(struct buf *out, const struct spawn_req *r)
{
	struct buf pl = BUF_INIT(PROTO_REQ_MAX);
	int rc = -1;

	if (buf_catu(&pl, r->slot) < 0 || buf_catc(&pl, 0) < 0 ||
	    cat0(&pl, r->id) < 0 ||
	    buf_printf(&pl, "mess/%u/%s", r->split, r->id) < 0 ||
	    buf_catc(&pl, 0) < 0 || buf_catu(&pl, r->offset) < 0 ||
	    buf_catc(&pl, 0) < 0 || cat0(&pl, r->sender) < 0 ||
	    cat0(&pl, r->rcpt) < 0 || cat0(&pl, r->local) < 0)
		goto out;
	rc = proto_put(out, pl.p, pl.len);
out:
	buf_free(&pl);
	return rc;
}

int
proto_reply(struct str pl, unsigned *slot_r, char *status_r, struct str *text_r)
{
	size_t i;
	unsigned long slot = 0;

	for (i = 0; i < pl.len && pl.p[i] >= '0' && pl.p[i] <= '9'; i++) {
		slot = slot * 10 + (unsigned long)(pl.p[i] - '0');
		if (slot >= SLOTS_MAX)
			return -1;
	}
	if (i == 0 || i + 2 > pl.len || pl.p[i] != '\0')
		return -1;
	i++;
	if (pl.p[i] != 'K' && pl.p[i] != 'Z' && pl.p[i] != 'D')
		return -1;
	*slot_r = (unsigned)slot;
	*status_r = pl.p[i];
	text_r->p = pl.p + i + 1;
	text_r->len = pl.len - i - 1;
	if (text_r->len > PROTO_TEXT_MAX)
		text_r->len = PROTO_TEXT_MAX;
	return 0;
}
