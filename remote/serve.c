/* serve.c: quail-remote -s DOMAIN, a long-lived client for one
 * destination, driven by quail-rspawn over a pipe.  Each request is one
 * message to up to RCPT_MAX recipients of the domain; the SMTP session
 * of the last one stays open when it ended cleanly, and the next message
 * goes over it after RSET (smtp_again), else over a fresh connection
 * (deliver).  The framing (netstrings, lib/netstring):
 *   request  id NUL path NUL offset NUL sender NUL rcpt NUL [rcpt NUL]...
 *            (path relative to HOME/queue, "mess/NN/ID"; offset: where
 *            the message starts after the envelope)
 *   reply    '+' (the session is kept: send more) or '-' (no session:
 *            this process exits), then per recipient, in order,
 *            <K|Z|D> text NUL
 * quail-rspawn is trusted (same uid), but requests are still bounded
 * and checked.  End of input: QUIT, exit 0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "die.h"
#include "exitcode.h"
#include "io.h"
#include "netstring.h"
#include "remote.h"
#include "scan.h"
#include "str.h"

#define SREQ_MAX  (RCPT_MAX * 1002 + 2048)
#define SREP_MAX  (RCPT_MAX * (RESULT_MAX + 2) + 1)
#define SWAIT_MAX 86400 /* no request for a day: quail-rspawn is gone */

struct serve {
	struct job *j;
	struct buf in; /* unparsed request bytes */
	char *f[RCPT_MAX + 4];
	size_t nf;
};

/* 1 with a request parsed into s->f, 0 at EOF, -1 on error. */
static int
next_request(struct serve *s, size_t *used_r)
{
	size_t off, plen, i, e;
	enum netstring_res k;
	ssize_t r;
	struct pollfd p = {0, POLLIN, 0};

	while ((k = netstring_parse(s->in.p, s->in.len, SREQ_MAX, &off, &plen,
	            used_r)) == NETSTRING_MORE) {
		if (buf_ready(&s->in, 65536) < 0)
			return -1;
		if (poll(&p, 1, SWAIT_MAX * 1000) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		r = read(0, s->in.p + s->in.len, s->in.cap - s->in.len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 && s->in.len == 0 ? 0 : -1;
		s->in.len += (size_t)r;
	}
	if (k != NETSTRING_OK) {
		errno = EPROTO;
		return -1;
	}
	for (s->nf = 0, i = off; i < off + plen && s->nf < RCPT_MAX + 4;) {
		e = i + str_chr(s->in.p + i, off + plen - i, 0);
		if (e == off + plen)
			break;
		s->f[s->nf++] = (char *)s->in.p + i;
		i = e + 1;
	}
	if (s->nf < 5 || i != off + plen) {
		errno = EPROTO;
		return -1;
	}
	return 1;
}

/* The message file: "queue/" path at offset; -1 with errno. */
static int
open_msg(const char *path, const char *offs)
{
	struct buf p = BUF_INIT(128);
	unsigned long long off;
	int fd = -1;

	if (strncmp(path, "mess/", 5) != 0 || strstr(path, "..") != NULL ||
	    scan_ullong(offs, strlen(offs), &off) != strlen(offs) ||
	    off > (unsigned long long)INT64_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (buf_cats(&p, "queue/") == 0 && buf_cats(&p, path) == 0 &&
	    buf_cstr(&p) == 0)
		fd = open((char *)p.p, O_RDONLY | O_CLOEXEC);
	buf_free(&p);
	if (fd >= 0 && lseek(fd, (off_t)off, SEEK_SET) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* One request: every result set afterwards. */
static void
run(struct serve *s)
{
	struct job *j = s->j;
	size_t i;
	int fd;

	j->sender = s->f[3];
	j->rcpt = s->f + 4;
	j->n = s->nf - 4;
	for (i = 0; i < j->n; i++) {
		j->res[i].st = 0;
		buf_reset(&j->res[i].text);
	}
	if ((fd = open_msg(s->f[1], s->f[2])) < 0 ||
	    msg_scan(&j->msg, fd) < 0) {
		log_warn("%s: unable to read the message %s: %s", s->f[0],
		    s->f[1], strerror(errno));
		result_all(j, 'Z', "4.3.0 unable to read the message",
		    strlen("4.3.0 unable to read the message"));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (smtp_again(j) < 0) {
		buf_init(&j->user, 1024);
		buf_init(&j->pass, 1024);
		deliver(j);
		buf_free(&j->user);
	}
	close(fd);
}

static void
answer(struct job *j)
{
	static struct buf o = BUF_INIT(SREP_MAX + 16);
	struct buf p = BUF_INIT(SREP_MAX);
	size_t i;

	buf_reset(&o);
	if (buf_catc(&p, smtp_live() ? '+' : '-') < 0)
		die_nomem();
	for (i = 0; i < j->n; i++)
		if (buf_catc(&p, j->res[i].st ? j->res[i].st : 'Z') < 0 ||
		    buf_cat(&p, j->res[i].text.p, j->res[i].text.len) < 0 ||
		    buf_catc(&p, 0) < 0)
			die_nomem();
	if (netstring_put(&o, p.p, p.len) < 0)
		die_nomem();
	buf_free(&p);
	if (io_writeall(1, o.p, o.len, 60) < 0)
		die_sys(EXIT_TEMP, "unable to write the results");
}

int
serve(struct job *j)
{
	struct serve s = {j, BUF_INIT(SREQ_MAX + 64), {NULL}, 0};
	size_t used;
	int r;

	j->keep = true;
	while ((r = next_request(&s, &used)) == 1) {
		run(&s);
		answer(j);
		if (!smtp_live())
			break;
		memmove(s.in.p, s.in.p + used, s.in.len - used);
		s.in.len -= used;
	}
	if (r < 0)
		log_warn(
		    "reading requests from quail-rspawn: %s", strerror(errno));
	smtp_close();
	buf_free(&s.in);
	return r < 0 ? EXIT_TEMP : EXIT_DONE;
}
