/* conn.c: one outgoing TCP connection, plain or TLS (OpenSSL), with a
 * deadline on every read and write (timeoutremote) and on connect
 * (timeoutconnect).  The peer is untrusted: lines are bounded. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "remote.h"

#define OUT_MAX (256 * 1024)

static int
wait_fd(int fd, short ev, unsigned timeout)
{
	struct pollfd p = {fd, ev, 0};
	int r;

	do
		r = poll(&p, 1, timeout ? (int)(timeout * 1000) : -1);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

void
conn_ip(const struct sockaddr_storage *sa, char *s, size_t n)
{
	const void *a =
	    sa->ss_family == AF_INET6
	        ? (const void *)&((const struct sockaddr_in6 *)(const void *)sa)
	              ->sin6_addr
	        : (const void *)&((const struct sockaddr_in *)(const void *)sa)
	              ->sin_addr;

	if (inet_ntop(sa->ss_family, a, s, (socklen_t)n) == NULL && n > 0)
		s[0] = '\0';
}

int
conn_open(struct conn *c, const struct sockaddr_storage *sa, unsigned tconnect,
    unsigned timeout)
{
	socklen_t len = sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	                                          : sizeof(struct sockaddr_in);
	int e = 0;
	socklen_t el = sizeof e;

	c->ssl = NULL;
	c->ipos = c->ilen = 0;
	c->timeout = timeout;
	buf_init(&c->out, OUT_MAX);
	c->fd = socket(
	    sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (const struct sockaddr *)sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		goto fail;
	if (wait_fd(c->fd, POLLOUT, tconnect) < 0)
		goto fail;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		goto fail;
	if (e == 0)
		return 0;
	errno = e;
fail:
	e = errno;
	close(c->fd);
	c->fd = -1;
	errno = e;
	return -1;
}

/* SSL_ERROR_WANT_* -> poll; else -1 (EPIPE for a clean close). */
static int
ssl_wait(struct conn *c, int ret)
{
	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		return wait_fd(c->fd, POLLIN, c->timeout);
	case SSL_ERROR_WANT_WRITE:
		return wait_fd(c->fd, POLLOUT, c->timeout);
	case SSL_ERROR_ZERO_RETURN:
		errno = EPIPE;
		return -1;
	default:
		if (errno == 0 || errno == EAGAIN)
			errno = ECONNRESET;
		return -1;
	}
}

static ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	ssize_t r;

	for (;;) {
		if (c->ssl) {
			errno = 0;
			r = SSL_read(c->ssl, p, (int)n);
			if (r > 0)
				return r;
			if (ssl_wait(c, (int)r) < 0)
				return -1;
			continue;
		}
		r = read(c->fd, p, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || wait_fd(c->fd, POLLIN, c->timeout) < 0)
			return -1;
	}
}

int
conn_flush(struct conn *c)
{
	size_t off = 0;
	ssize_t r;

	while (off < c->out.len) {
		if (c->ssl) {
			errno = 0;
			r = SSL_write(
			    c->ssl, c->out.p + off, (int)(c->out.len - off));
			if (r <= 0 && ssl_wait(c, (int)r) < 0)
				return -1;
		} else {
			r = write(c->fd, c->out.p + off, c->out.len - off);
			if (r < 0 && errno != EINTR &&
			    (errno != EAGAIN ||
			        wait_fd(c->fd, POLLOUT, c->timeout) < 0))
				return -1;
		}
		if (r > 0)
			off += (size_t)r;
	}
	buf_reset(&c->out);
	return 0;
}

int
conn_put(struct conn *c, const void *p, size_t n)
{
	if (c->out.len + n > c->out.max / 2 && conn_flush(c) < 0)
		return -1;
	return buf_cat(&c->out, p, n);
}

int
conn_puts(struct conn *c, const char *s)
{
	return conn_put(c, s, strlen(s));
}

int
conn_getline(struct conn *c, struct buf *line, size_t max)
{
	ssize_t r;

	if (c->out.len > 0 && conn_flush(c) < 0)
		return -1;
	buf_reset(line);
	for (;;) {
		while (c->ipos < c->ilen) {
			unsigned char ch = c->in[c->ipos++];

			if (ch == '\n') {
				if (line->len > 0 &&
				    line->p[line->len - 1] == '\r')
					line->len--;
				return buf_cstr(line);
			}
			if (line->len >= max) {
				errno = EMSGSIZE;
				return -1;
			}
			if (buf_catc(line, ch) < 0)
				return -1;
		}
		c->ipos = c->ilen = 0;
		if ((r = conn_read(c, c->in, sizeof c->in)) < 0)
			return -1;
		if (r == 0) {
			errno = EPIPE;
			return -1;
		}
		c->ilen = (size_t)r;
	}
}

int
conn_reply(struct conn *c, struct reply *r, struct caps *ehlo)
{
	struct buf line = BUF_INIT(REPLY_LINE_MAX + 1);
	enum rres res;

	reply_init(r);
	do {
		if (conn_getline(c, &line, REPLY_LINE_MAX) < 0) {
			buf_free(&line);
			return -1;
		}
		res = reply_line(r, (const char *)line.p, line.len);
		if (ehlo && r->lines > 1 && res != RP_SYNTAX)
			ehlo_line(ehlo, (const char *)line.p, line.len);
	} while (res == RP_MORE);
	buf_free(&line);
	if (res != RP_OK) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

void
conn_close(struct conn *c)
{
	tls_end(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_free(&c->out);
}
