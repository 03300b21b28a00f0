/* qqrun.c: quail-queue's main loop (qq_run in qq.h's terms).
 * Reads the message (fd 0, to EOF) and the envelope (fd 1, to its final
 * NUL) at the same time, so a caller may write them in either order:
 * qmail's callers write the whole message first, others the envelope
 * first.  Message bytes that arrive before the envelope is complete are
 * held in memory (QQ_PEND_MAX), then in an unlinked spill file in tmp/;
 * once the envelope is complete the file tmp/ID is created and written.
 * Trust: both inputs come from any local user; everything is bounded. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "qq.h"
#include "qqrun.h"

#define CHUNK 65536

struct run {
	struct buf env, pend;
	struct qq_env e;
	struct qq_file f;
	bool env_done, msg_eof, filed;
	int spill;
	unsigned long uid, ppid;
	time_t start;
};

/* The spill file: a name made with O_EXCL and unlinked at once. */
static int
spill_open(void)
{
	struct buf name = BUF_INIT(64);
	int fd, i;

	if (buf_printf(&name, "tmp/spill.%lu", (unsigned long)getpid()) < 0 ||
	    buf_cstr(&name) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fd = open((const char *)name.p,
		    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
		(void)unlink((const char *)name.p); /* a crashed run's */
	}
	if (fd >= 0)
		(void)unlink((const char *)name.p);
	buf_free(&name);
	return fd;
}

static int
spill_copy(struct run *r)
{
	unsigned char chunk[CHUNK];
	ssize_t n;
	int code;

	if (lseek(r->spill, 0, SEEK_SET) < 0)
		return QQ_WRITE;
	while ((n = read(r->spill, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return QQ_WRITE;
		}
		if ((code = qq_file_write(&r->f, chunk, (size_t)n)) != 0)
			return code;
	}
	close(r->spill);
	r->spill = -1;
	return 0;
}

static int
put_entry(struct run *r, int letter, unsigned long long v)
{
	char num[FMT_ULONG + 2];
	size_t n;

	num[0] = (char)letter;
	n = 1 + fmt_ulong(num + 1, v);
	num[n++] = 0;
	return qq_file_write(&r->f, num, n);
}

/* Envelope complete: create tmp/ID, write the stored envelope, the
 * Received: line and whatever message bytes are waiting. */
static int
file_start(struct run *r)
{
	struct buf rcvd = BUF_INIT(256);
	const unsigned char *p = r->env.p;
	int code;

	code = qq_file_open(&r->f,
	    r->e.has_id ? (const char *)p + r->e.id_off : NULL, r->e.id_len);
	if (code)
		return code;
	r->filed = true;
	if ((code = qq_file_write(&r->f, "I", 1)) ||
	    (code = qq_file_write(&r->f, r->f.id, strlen(r->f.id) + 1)) ||
	    (code = put_entry(r, 'u', r->uid)) ||
	    (code = put_entry(r, 'p', r->ppid)) ||
	    (code = put_entry(r, 't', (unsigned long long)r->start)) ||
	    (code = qq_file_write(
	         &r->f, p + r->e.from_off - 1, r->e.end - (r->e.from_off - 1))))
		return code;
	if (buf_printf(&rcvd, "Received: (quail %lu invoked by uid %lu); ",
	        (unsigned long)getpid(), r->uid) < 0 ||
	    date822_fmt(&rcvd, r->start, false) < 0 ||
	    buf_catc(&rcvd, '\n') < 0)
		return QQ_NOMEM;
	code = qq_file_write(&r->f, rcvd.p, rcvd.len);
	buf_free(&rcvd);
	if (code == 0 && r->pend.len > 0)
		code = qq_file_write(&r->f, r->pend.p, r->pend.len);
	buf_free(&r->pend);
	if (code == 0 && r->spill >= 0)
		code = spill_copy(r);
	return code;
}

static int
env_read(struct run *r)
{
	ssize_t n;

	if (buf_ready(&r->env, CHUNK) < 0 && buf_ready(&r->env, 1) < 0)
		return errno == EMSGSIZE ? QQ_FORMAT : QQ_NOMEM;
	n = read(1, r->env.p + r->env.len, r->env.cap - r->env.len);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : QQ_READ;
	errno = 0; /* what follows are format problems, not system errors */
	if (n == 0)
		return QQ_READ; /* EOF before the final NUL */
	r->env.len += (size_t)n;
	switch (qq_env_scan(&r->e, r->env.p, r->env.len)) {
	case QQ_ENV_MORE:
		return 0;
	case QQ_ENV_DONE:
		r->env_done = true;
		return file_start(r);
	case QQ_ENV_TOOLONG:
		return QQ_ADDRLONG;
	default:
		return QQ_FORMAT;
	}
}

static int
msg_read(struct run *r)
{
	unsigned char chunk[CHUNK];
	ssize_t n = read(0, chunk, sizeof chunk);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : QQ_READ;
	if (n == 0) {
		r->msg_eof = true;
		return 0;
	}
	if (r->filed)
		return qq_file_write(&r->f, chunk, (size_t)n);
	if (r->spill < 0 && buf_cat(&r->pend, chunk, (size_t)n) == 0)
		return 0;
	if (r->spill < 0) {
		if ((r->spill = spill_open()) < 0)
			return QQ_TMP;
		if (r->pend.len > 0 && write(r->spill, r->pend.p,
		                           r->pend.len) != (ssize_t)r->pend.len)
			return QQ_WRITE;
		buf_free(&r->pend);
	}
	if (write(r->spill, chunk, (size_t)n) != n)
		return QQ_WRITE;
	return 0;
}

int
qq_run(unsigned long uid, unsigned long ppid)
{
	/* static: qq_abort reaches r.f's paths after qq_run has returned */
	static struct run r;
	struct pollfd pfd[2];
	int code = 0;

	r.spill = -1;
	r.uid = uid;
	r.ppid = ppid;
	buf_init(&r.env, QQ_ENV_MAX);
	buf_init(&r.pend, QQ_PEND_MAX);
	r.start = time(NULL);
	while (code == 0 && !(r.env_done && r.msg_eof)) {
		pfd[0].fd = r.msg_eof ? -1 : 0;
		pfd[1].fd = r.env_done ? -1 : 1;
		pfd[0].events = pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return QQ_READ;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
			code = env_read(&r);
		if (code == 0 &&
		    pfd[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
			code = msg_read(&r);
	}
	if (code == 0)
		code = qq_file_commit(&r.f);
	return code;
}
