/* message.c: reading the message on fd 0 (a seekable file: the queue's
 * message file, positioned by quail-lspawn at the message's start).
 * Delivered-To loop detection reads only the header, line by line, each
 * line bounded by LOCAL_HEADER_LINE (longer lines are skipped). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"
#include "local.h"
#include "str.h"

int
msg_rewind(struct local_ctx *c)
{
	if (lseek(c->msgfd, c->base, SEEK_SET) < 0)
		return -1;
	return 0;
}

/* true if line is "Delivered-To:" with value equal to the recipient. */
static bool
is_my_dt(const struct local_ctx *c, const unsigned char *p, size_t len)
{
	static const char dt[] = "delivered-to:";
	struct str v;

	if (len < sizeof dt - 1 || !str_casestarts(p, len, dt))
		return false;
	v.p = (const char *)p + sizeof dt - 1;
	v.len = len - (sizeof dt - 1);
	v = str_trim(v);
	return str_caseeq(v.p, v.len, c->recipient.p, c->recipient.len);
}

int
msg_looping(struct local_ctx *c)
{
	unsigned char mem[IO_BUFSIZE];
	struct buf line = BUF_INIT(LOCAL_HEADER_LINE);
	struct io in;
	int r, found = 0;

	if (msg_rewind(c) < 0)
		return -1;
	io_init(&in, c->msgfd, mem, sizeof mem, 0);
	for (;;) {
		r = io_getline(&in, &line, LOCAL_HEADER_LINE);
		if (r < 0 && errno == EMSGSIZE) {
			if (io_skipline(&in) < 0)
				break;
			continue;
		}
		if (r <= 0)
			break;
		if (line.len == 1 || (line.len == 2 && line.p[0] == '\r'))
			break; /* end of header */
		if (is_my_dt(c, line.p, line.len)) {
			found = 1;
			break;
		}
	}
	buf_free(&line);
	return r < 0 ? -1 : found;
}

int
msg_copy(
    struct local_ctx *c, int (*fn)(void *, const void *, size_t), void *arg)
{
	unsigned char mem[65536];
	ssize_t r;

	if (msg_rewind(c) < 0)
		return -1;
	for (;;) {
		r = read(c->msgfd, mem, sizeof mem);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		if (fn(arg, mem, (size_t)r) < 0)
			return -1;
	}
}
