/* io.c: buffered I/O on file descriptors with a deadline on every call.
 * Trust: moves untrusted bytes; never interprets them beyond finding LF.
 * Bounds: input never holds more than the caller's cap bytes, and
 * io_getline never hands out more than max bytes of one line.
 * Deadlines: timeout seconds per read or write system call (a write that
 * makes progress starts a new deadline); EINTR retries keep the deadline.
 * SIGPIPE: sockets are written with send(MSG_NOSIGNAL); other descriptors
 * with SIGPIPE blocked around the write and a SIGPIPE raised by our own
 * write consumed, so a closed peer is reported as EPIPE, not a death. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fmt.h"
#include "io.h"

/* A descriptor last seen not to be a socket: it goes straight to the
 * masked write path.  A stale entry only costs the (always correct)
 * masked path, so reuse of the number is harmless. */
static int io_nonsock_fd = -1;

static long long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Deadline in ms on the monotonic clock, or -1 for none. */
static long long
deadline_from(unsigned timeout)
{
	if (timeout == 0)
		return -1;
	return now_ms() + (long long)timeout * 1000;
}

/* Wait until fd is ready for events or the deadline passes.
 * 0 ready (or hung up / in error: the next call reports it),
 * -1 with errno ETIMEDOUT or poll's error. */
static int
io_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int r, ms;

	for (;;) {
		if (deadline < 0) {
			ms = -1;
		} else {
			left = deadline - now_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			ms = left > INT_MAX ? INT_MAX : (int)left;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, ms);
		if (r > 0) {
			if (pfd.revents & POLLNVAL) {
				errno = EBADF;
				return -1;
			}
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -1;
		/* r == 0 with ms < left (clamped), or EINTR: look again. */
	}
}

/* One read() with the deadline: bytes, 0 at EOF, -1 with errno. */
static ssize_t
read_deadline(int fd, void *p, size_t n, unsigned timeout)
{
	long long deadline = deadline_from(timeout);
	ssize_t r;

	for (;;) {
		if (deadline >= 0 && io_wait(fd, POLLIN, deadline) < 0)
			return -1;
		r = read(fd, p, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		/* Non-blocking fd, no data: wait (forever if no timeout). */
		if (io_wait(fd, POLLIN, deadline) < 0)
			return -1;
	}
}

/* Write all of s: sockets with send(MSG_NOSIGNAL | MSG_DONTWAIT), which
 * never blocks whatever the file status flags say, so the deadline holds
 * without a poll before each call; other descriptors with write() after
 * poll, at most PIPE_BUF bytes a call when there is a deadline (a blocking
 * pipe write of more could block past it; POLLOUT promises PIPE_BUF).
 * 0, or -1 with errno (ENOTSOCK from the first send if not a socket). */
static int
write_loop(
    int fd, const unsigned char *s, size_t n, unsigned timeout, bool sock)
{
	long long deadline = deadline_from(timeout);
	size_t k;
	ssize_t r;

	while (n > 0) {
		k = n;
		if (!sock && deadline >= 0) {
			if (io_wait(fd, POLLOUT, deadline) < 0)
				return -1;
			if (k > PIPE_BUF)
				k = PIPE_BUF;
		}
		if (sock)
			r = send(fd, s, k, MSG_NOSIGNAL | MSG_DONTWAIT);
		else
			r = write(fd, s, k);
		if (r > 0) {
			s += r;
			n -= (size_t)r;
			deadline = deadline_from(timeout);
			continue;
		}
		if (r == 0) {
			errno = EIO; /* no progress and no error */
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (io_wait(fd, POLLOUT, deadline) < 0)
			return -1;
	}
	return 0;
}

/* write_loop on a non-socket with SIGPIPE blocked; a SIGPIPE our writes
 * raised is consumed before the old mask comes back.  If the caller had
 * SIGPIPE blocked already, a pending one is left alone: it may be older
 * than us, and the caller chose to handle it. */
static int
write_masked(int fd, const unsigned char *s, size_t n, unsigned timeout)
{
	sigset_t pipe_set, old;
	struct timespec zero = {0, 0};
	int r, e;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &pipe_set, &old) < 0)
		return -1;
	r = write_loop(fd, s, n, timeout, false);
	e = errno;
	/* SIGPIPE was unblocked until now, so nothing else can have left
	 * it pending: a pending SIGPIPE now is ours. */
	if (r < 0 && e == EPIPE && !sigismember(&old, SIGPIPE))
		while (
		    sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			continue;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}

int
io_writeall(int fd, const void *p, size_t n, unsigned timeout)
{
	if (n == 0)
		return 0;
	if (fd != io_nonsock_fd) {
		if (write_loop(fd, p, n, timeout, true) == 0)
			return 0;
		/* ENOTSOCK comes from the first send, before any byte. */
		if (errno != ENOTSOCK)
			return -1;
		io_nonsock_fd = fd;
	}
	return write_masked(fd, p, n, timeout);
}

void
io_init(struct io *io, int fd, unsigned char *mem, size_t cap, unsigned timeout)
{
	io->fd = fd;
	io->timeout = timeout;
	io->p = mem;
	io->cap = cap;
	io->pos = 0;
	io->len = 0;
	io->flush = NULL;
	io->err = 0;
}

/* Before every read system call on in, send what in->flush holds
 * (qmail's saferead).  Lines already buffered are served without it, so
 * replies to a pipelined batch go out together. */
static int
flush_before_read(struct io *in)
{
	if (in->flush == NULL || in->flush->len == 0)
		return 0;
	return io_flush(in->flush);
}

ssize_t
io_fill(struct io *in)
{
	ssize_t r;

	if (in->pos == in->len) {
		in->pos = 0;
		in->len = 0;
	} else if (in->len == in->cap && in->pos > 0) {
		memmove(in->p, in->p + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->len >= in->cap) {
		errno = ENOBUFS; /* caller must consume before filling */
		return -1;
	}
	if (flush_before_read(in) < 0)
		return -1;
	r = read_deadline(
	    in->fd, in->p + in->len, in->cap - in->len, in->timeout);
	if (r > 0)
		in->len += (size_t)r;
	return r;
}

size_t
io_buffered(const struct io *in)
{
	return in->len - in->pos;
}

ssize_t
io_read(struct io *in, void *p, size_t n)
{
	size_t have;
	ssize_t r;

	if (n == 0)
		return 0;
	if (in->pos == in->len) {
		if (n >= in->cap) {
			/* Big read, empty buffer: straight to the caller. */
			if (flush_before_read(in) < 0)
				return -1;
			return read_deadline(in->fd, p, n, in->timeout);
		}
		r = io_fill(in);
		if (r <= 0)
			return r;
	}
	have = in->len - in->pos;
	if (have > n)
		have = n;
	memcpy(p, in->p + in->pos, have);
	in->pos += have;
	return (ssize_t)have;
}

int
io_getline(struct io *in, struct buf *line, size_t max)
{
	const unsigned char *s, *lf;
	size_t have, room;
	ssize_t r;

	buf_reset(line);
	for (;;) {
		s = in->p + in->pos;
		have = in->len - in->pos;
		room = max - line->len; /* line->len <= max always */
		lf = memchr(s, '\n', have < room ? have : room);
		if (lf != NULL) {
			have = (size_t)(lf - s) + 1;
			if (buf_cat(line, s, have) < 0)
				return -1;
			in->pos += have;
			return 1;
		}
		if (have >= room) {
			/* max bytes and no LF: take exactly max, leave the
			 * rest of the line for io_skipline. */
			if (buf_cat(line, s, room) < 0)
				return -1;
			in->pos += room;
			errno = EMSGSIZE;
			return -1;
		}
		if (have > 0 && buf_cat(line, s, have) < 0)
			return -1;
		in->pos = in->len;
		r = io_fill(in);
		if (r < 0)
			return -1;
		if (r == 0)
			return line->len > 0 ? 1 : 0;
	}
}

int
io_skipline(struct io *in)
{
	const unsigned char *lf;
	ssize_t r;

	for (;;) {
		lf = memchr(in->p + in->pos, '\n', in->len - in->pos);
		if (lf != NULL) {
			in->pos = (size_t)(lf - in->p) + 1;
			return 1;
		}
		in->pos = in->len;
		r = io_fill(in);
		if (r <= 0)
			return (int)r;
	}
}

int
io_flush(struct io *out)
{
	if (out->err) {
		errno = out->err;
		return -1;
	}
	if (out->len == 0)
		return 0;
	if (io_writeall(out->fd, out->p, out->len, out->timeout) < 0) {
		out->err = errno;
		return -1;
	}
	out->len = 0;
	return 0;
}

int
io_write(struct io *out, const void *p, size_t n)
{
	if (out->err) {
		errno = out->err;
		return -1;
	}
	if (n > out->cap - out->len) {
		if (io_flush(out) < 0)
			return -1;
		if (n >= out->cap) {
			if (io_writeall(out->fd, p, n, out->timeout) < 0) {
				out->err = errno;
				return -1;
			}
			return 0;
		}
	}
	if (n > 0)
		memcpy(out->p + out->len, p, n);
	out->len += n;
	return 0;
}

int
io_puts(struct io *out, const char *s)
{
	return io_write(out, s, strlen(s));
}

int
io_printf(struct io *out, const char *fmt, ...)
{
	struct buf b = BUF_INIT(IO_PRINTF_MAX);
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r == 0)
		r = io_write(out, b.p, b.len);
	buf_free(&b);
	return r;
}
