/* mbox.c: "./mbox" and "/path/file" lines: mbox delivery with the From_
 * line, Return-Path and Delivered-To, ">From " quoting of every line
 * matching ^>*From , an fcntl lock held for the write, fsync, and on any
 * error truncation back to the size the file had, so a failed delivery
 * never leaves half a message behind. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "io.h"
#include "local.h"
#include "proc.h"

static const char from_[] = "From ";

void
mbox_quote_init(struct mbox_quote *q)
{
	q->state = 0;
	q->gt = 0;
	q->matched = 0;
	q->last_lf = true;
}

/* Emits the '>'s and "From " prefix held back at a line start. */
static int
release(struct mbox_quote *q, struct io *out, bool quote)
{
	if (quote && io_write(out, ">", 1) < 0)
		return -1;
	for (; q->gt > 0; q->gt--)
		if (io_write(out, ">", 1) < 0)
			return -1;
	if (q->matched && io_write(out, from_, q->matched) < 0)
		return -1;
	if (quote || q->matched)
		q->last_lf = false;
	q->matched = 0;
	q->state = 2;
	return 0;
}

static int
plain(struct mbox_quote *q, char ch, struct io *out)
{
	if (io_write(out, &ch, 1) < 0)
		return -1;
	q->last_lf = ch == '\n';
	q->state = ch == '\n' ? 0 : 2;
	return 0;
}

static int
feed1(struct mbox_quote *q, char ch, struct io *out)
{
	if (q->state == 2)
		return plain(q, ch, out);
	if (q->matched == 0 && ch == '>') {
		q->gt++;
		q->state = 1;
		q->last_lf = false;
		return 0;
	}
	if (ch == from_[q->matched]) {
		q->state = 1;
		if (++q->matched == sizeof from_ - 1)
			return release(q, out, true);
		return 0;
	}
	if (q->state == 1 && release(q, out, false) < 0)
		return -1;
	return plain(q, ch, out);
}

int
mbox_quote_feed(struct mbox_quote *q, const char *p, size_t n, struct io *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (feed1(q, p[i], out) < 0)
			return -1;
	return 0;
}

int
mbox_quote_end(struct mbox_quote *q, struct io *out)
{
	if (q->state == 1 && release(q, out, false) < 0)
		return -1;
	if (!q->last_lf && io_write(out, "\n", 1) < 0)
		return -1;
	q->last_lf = true;
	q->state = 0;
	return 0;
}

struct mbox_out {
	struct mbox_quote q;
	struct io *io;
};

static int
put(void *arg, const void *p, size_t n)
{
	struct mbox_out *m = arg;

	return mbox_quote_feed(&m->q, p, n, m->io);
}

static int
write_all(struct local_ctx *c, int fd)
{
	unsigned char mem[IO_BUFSIZE];
	struct mbox_out m;
	struct io out;

	io_init(&out, fd, mem, sizeof mem, 0);
	mbox_quote_init(&m.q);
	m.io = &out;
	if (io_write(&out, c->ufline.p, c->ufline.len) < 0 ||
	    io_write(&out, c->rpline.p, c->rpline.len) < 0 ||
	    io_write(&out, c->dtline.p, c->dtline.len) < 0 ||
	    msg_copy(c, put, &m) < 0 || mbox_quote_end(&m.q, &out) < 0 ||
	    io_write(&out, "\n", 1) < 0 || io_flush(&out) < 0)
		return -1;
	return fsync(fd);
}

static int
lock(int fd)
{
	struct flock fl;
	int r;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	do
		r = fcntl(fd, F_SETLKW, &fl);
	while (r < 0 && errno == EINTR);
	return r;
}

int
mbox_deliver(struct local_ctx *c, const char *file, size_t flen)
{
	char path[4096];
	off_t pos;
	int fd, e;

	if (flen >= sizeof path || memchr(file, '\0', flen)) {
		say(c, "4.3.0 mbox name too long");
		return L_TEMP;
	}
	memcpy(path, file, flen);
	path[flen] = '\0';
	fd = open(
	    path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0 || proc_nonblock(fd, false) < 0 || lock(fd) < 0 ||
	    (pos = lseek(fd, 0, SEEK_END)) < 0) {
		say(c, "4.2.0 Unable to open and lock mbox %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return L_TEMP;
	}
	if (write_all(c, fd) < 0) {
		e = errno;
		if (ftruncate(fd, pos) < 0)
			log_warn("unable to truncate %s back to %lld bytes: %s",
			    path, (long long)pos, strerror(errno));
		close(fd);
		say(c, "4.3.0 Unable to write mbox %s: %s", path, strerror(e));
		return L_TEMP;
	}
	if (close(fd) < 0) {
		say(c, "4.3.0 Unable to close mbox %s: %s", path,
		    strerror(errno));
		return L_TEMP;
	}
	say(c, "delivered to mbox %s", path);
	return L_OK;
}
