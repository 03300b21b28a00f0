/* proto.c: the records of the spawn protocol (send.h), framed by
 * lib/netstring.  Pure. */
#include "fmt.h"
#include "netstring.h"
#include "send.h"

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
	rc = netstring_put(out, pl.p, pl.len);
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
