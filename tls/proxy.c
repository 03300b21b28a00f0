/* proxy.c: quail-tls's relay between the client (fd 0 in, fd 1 out: the
 * tcpserver socket) and the protocol program (a pipe to its fd 0, a pipe
 * from its fd 1, a socketpair for its control descriptor).
 * Runs as quailt.  Trust: both peers are untrusted; quail-tls never
 * interprets relayed bytes.  Bounds: TLS_RELAY_BUF per direction,
 * TLS_CTL_MAX per control line; a deadline on every wait (handshake
 * timeout, idle timeout).  Plaintext injection (CVE-2011-0411 class):
 * at STARTTLS the pipe to the child is replaced, so nothing read from
 * the client before the handshake can reach the child after it. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>

#include "buf.h"
#include "die.h"
#include "io.h"
#include "proc.h"
#include "tls.h"

struct tls_sess {
	const struct tls_conf *c;
	struct tls_certs *certs; /* PEM bytes read as root, parsed on demand */
	SSL_CTX *ctx;            /* NULL until the first handshake */
	SSL *ssl;
	int to_child, from_child, ctl;
	pid_t child;
	bool tls, net_eof, child_eof, dead;
	short rwant, wwant; /* poll events SSL_read / SSL_write wait for */
	unsigned char c2p[TLS_RELAY_BUF];
	size_t c2p_off, c2p_len;
	unsigned char p2c[TLS_RELAY_BUF];
	size_t p2c_off, p2c_len;
	unsigned char cbuf[TLS_CTL_MAX];
	size_t clen;
	unsigned long long in, out, discarded;
	const char *why; /* why the session ended, for the log */
	struct buf err, line;
};

/* Client -> c2p.  true if anything happened. */
static bool
net_read(struct tls_sess *s)
{
	ssize_t r;
	int e;

	if (s->net_eof || s->c2p_len > 0)
		return false;
	if (!s->tls) {
		r = read(0, s->c2p, sizeof s->c2p);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
	} else {
		ERR_clear_error();
		r = SSL_read(s->ssl, s->c2p, (int)sizeof s->c2p);
		if (r <= 0) {
			e = SSL_get_error(s->ssl, (int)r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE) {
				s->rwant =
				    e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
				return false;
			}
			r = e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
		}
		s->rwant = POLLIN;
	}
	if (r <= 0) {
		s->net_eof = true;
		if (r < 0 && s->why == NULL)
			s->why = "client read error";
		return true;
	}
	s->c2p_off = 0;
	s->c2p_len = (size_t)r;
	s->in += (unsigned long long)r;
	return true;
}

/* c2p -> child's fd 0. */
static bool
child_write(struct tls_sess *s)
{
	ssize_t r;

	if (s->c2p_len == 0 || s->to_child < 0)
		return false;
	r = write(s->to_child, s->c2p + s->c2p_off, s->c2p_len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (r < 0) { /* the child closed its input: drop the rest */
		close(s->to_child);
		s->to_child = -1;
		s->c2p_len = 0;
		return true;
	}
	s->c2p_off += (size_t)r;
	s->c2p_len -= (size_t)r;
	return true;
}

/* child's fd 1 -> p2c. */
static bool
child_read(struct tls_sess *s)
{
	ssize_t r;

	if (s->child_eof || s->p2c_len > 0)
		return false;
	r = read(s->from_child, s->p2c, sizeof s->p2c);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (r <= 0) {
		s->child_eof = true;
		return true;
	}
	s->p2c_off = 0;
	s->p2c_len = (size_t)r;
	return true;
}

/* p2c -> client. */
static bool
net_write(struct tls_sess *s)
{
	ssize_t r;
	int e;

	if (s->p2c_len == 0 || s->dead)
		return false;
	if (!s->tls) {
		r = send(1, s->p2c + s->p2c_off, s->p2c_len, MSG_NOSIGNAL);
		if (r < 0 && errno == ENOTSOCK)
			r = write(1, s->p2c + s->p2c_off, s->p2c_len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
	} else {
		ERR_clear_error();
		r = SSL_write(s->ssl, s->p2c + s->p2c_off, (int)s->p2c_len);
		if (r <= 0) {
			e = SSL_get_error(s->ssl, (int)r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE) {
				s->wwant =
				    e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
				return false;
			}
			r = -1;
		}
		s->wwant = POLLOUT;
	}
	if (r <= 0) {
		s->dead = true;
		s->why = "client write error";
		return true;
	}
	s->p2c_off += (size_t)r;
	s->p2c_len -= (size_t)r;
	s->out += (unsigned long long)r;
	return true;
}

static void
ctl_send(struct tls_sess *s, int fd)
{
	if (s->ctl >= 0 && tls_send_ctl(s->ctl, s->line.p, s->line.len, fd) < 0)
		log_warn("unable to write to the control descriptor: %s",
		    strerror(errno));
}

static void
ctl_fail(struct tls_sess *s, const char *reason)
{
	if (tls_ctl_fail(&s->line, reason) < 0)
		die_nomem();
	ctl_send(s, -1);
}

/* Blocking (with the handshake deadline) plaintext write to the client. */
static int
plain_out(struct tls_sess *s, const void *p, size_t n)
{
	if (io_writeall(1, p, n, s->c->hs_timeout) < 0)
		return -1;
	s->out += n;
	return 0;
}

/* STARTTLS, step 1: everything the child wrote to fd 1 before its
 * request goes out first, in order; then the child's reply.  The pipe
 * holds all of it already: the child wrote it before the control line. */
static int
starttls_flush(struct tls_sess *s, const unsigned char *rep, size_t n)
{
	ssize_t r;

	for (;;) {
		if (s->p2c_len > 0 &&
		    plain_out(s, s->p2c + s->p2c_off, s->p2c_len) < 0)
			return -1;
		s->p2c_len = 0;
		if (s->child_eof)
			break;
		r = read(s->from_child, s->p2c, sizeof s->p2c);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0) {
			s->child_eof = true;
			break;
		}
		s->p2c_off = 0;
		s->p2c_len = (size_t)r;
	}
	return n ? plain_out(s, rep, n) : 0;
}

/* The server context, made at the first handshake: a STARTTLS session
 * that never asks for TLS costs no OpenSSL initialisation and no
 * certificate parsing (doc/ARCHITECTURE.md, "quail-tls").  NULL (the
 * reason logged and in s->err) when the certificate is unusable. */
static SSL_CTX *
ctx_get(struct tls_sess *s)
{
	if (s->ctx)
		return s->ctx;
	buf_reset(&s->err);
	s->ctx = tls_ctx_new(s->certs, &s->certs->def, &s->err);
	if (s->ctx == NULL) {
		if (buf_cstr(&s->err) < 0)
			die_nomem();
		log_line(
		    "error", "default certificate: %s", (const char *)s->err.p);
		return NULL;
	}
	tls_ctx_sni(s->ctx, s->certs);
	return s->ctx;
}

/* STARTTLS, step 2: forget every plaintext byte the client sent after
 * the request (those in c2p, and those in the old pipe, which the child
 * drops by replacing its fd 0), handshake, answer on the control
 * descriptor with the new pipe's read end. */
static void
starttls(struct tls_sess *s, const unsigned char *rep, size_t n)
{
	int np[2];

	if (s->tls) {
		ctl_fail(s, "TLS already active");
		return;
	}
	if (starttls_flush(s, rep, n) < 0) {
		s->why = "client write error before STARTTLS";
		s->dead = true;
		return;
	}
	s->discarded += s->c2p_len;
	s->c2p_len = 0;
	if (s->to_child >= 0)
		close(s->to_child);
	s->to_child = -1;
	if (proc_pipe(np) < 0 || proc_nonblock(np[1], true) < 0)
		die_sys(111, "unable to make a pipe");
	s->to_child = np[1];
	if (ctx_get(s) == NULL) {
		ctl_fail(s, (const char *)s->err.p);
		s->why = "no usable certificate";
		s->dead = true;
		close(np[0]);
		return;
	}
	s->ssl = SSL_new(s->ctx);
	if (s->ssl == NULL || !SSL_set_rfd(s->ssl, 0) ||
	    !SSL_set_wfd(s->ssl, 1) ||
	    tls_handshake(s->ssl, 0, 1, s->c->hs_timeout, &s->err) < 0) {
		ctl_fail(s, s->err.len ? (const char *)s->err.p : "SSL_new");
		s->why = s->err.len ? (const char *)s->err.p : "SSL_new";
		s->dead = true;
		close(np[0]);
		return;
	}
	s->tls = true;
	if (tls_answer_ok(s->ssl, &s->line) < 0)
		die_nomem();
	ctl_send(s, np[0]);
	close(np[0]);
}

/* Control descriptor -> requests. */
static bool
ctl_read(struct tls_sess *s)
{
	size_t used, off, n;
	ssize_t r;

	if (s->ctl < 0)
		return false;
	r = recv(
	    s->ctl, s->cbuf + s->clen, sizeof s->cbuf - s->clen, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (r <= 0) { /* the child closed it: it wants no TLS */
		close(s->ctl);
		s->ctl = -1;
		return true;
	}
	s->clen += (size_t)r;
	for (;;) {
		switch (tls_ctl_parse(s->cbuf, s->clen, &used, &off, &n)) {
		case TLS_CTL_MORE:
			return true;
		case TLS_CTL_TOOLONG:
			ctl_fail(s, "control line too long");
			s->why = "control line too long";
			s->dead = true;
			return true;
		case TLS_CTL_UNKNOWN:
			ctl_fail(s, "unknown request");
			break;
		case TLS_CTL_STARTTLS:
			starttls(s, s->cbuf + off, n);
			break;
		}
		memmove(s->cbuf, s->cbuf + used, s->clen - used);
		s->clen -= used;
		if (s->dead)
			return true;
	}
}

/* Moves what can be moved without blocking; true if anything moved. */
static bool
pump(struct tls_sess *s)
{
	bool any = false, moved;
	int rounds = 0;

	do {
		moved = ctl_read(s);
		if (s->dead)
			return true;
		moved |= net_read(s);
		moved |= child_write(s);
		moved |= child_read(s);
		moved |= net_write(s);
		if (s->net_eof && s->c2p_len == 0 && s->to_child >= 0) {
			close(s->to_child); /* the child sees EOF */
			s->to_child = -1;
			moved = true;
		}
		any |= moved;
	} while (moved && !s->dead && ++rounds < 64);
	return any;
}

static short
in_events(const struct tls_sess *s)
{
	short ev = 0;

	if (!s->net_eof && s->c2p_len == 0 && (!s->tls || s->rwant == POLLIN))
		ev |= POLLIN;
	if (s->tls && s->p2c_len > 0 && s->wwant == POLLIN)
		ev |= POLLIN;
	return ev;
}

static short
out_events(const struct tls_sess *s)
{
	short ev = 0;

	if (s->p2c_len > 0 && !s->dead && (!s->tls || s->wwant == POLLOUT))
		ev |= POLLOUT;
	if (s->tls && !s->net_eof && s->c2p_len == 0 && s->rwant == POLLOUT)
		ev |= POLLOUT;
	return ev;
}

static void
add(struct pollfd *p, nfds_t *n, int fd, short ev)
{
	if (fd < 0 || ev == 0)
		return; /* never poll for nothing: POLLHUP would spin */
	p[*n].fd = fd;
	p[*n].events = ev;
	p[*n].revents = 0;
	(*n)++;
}

/* Waits until something can move, or the idle timeout ends it. */
static void
wait_io(struct tls_sess *s)
{
	struct pollfd p[5];
	nfds_t n = 0;
	int r;

	add(p, &n, 0, in_events(s));
	add(p, &n, 1, out_events(s));
	add(p, &n, s->from_child,
	    !s->child_eof && s->p2c_len == 0 ? POLLIN : 0);
	add(p, &n, s->to_child, s->c2p_len > 0 ? POLLOUT : 0);
	add(p, &n, s->ctl, POLLIN);
	if (n == 0) {
		s->why = "nothing left to wait for";
		s->dead = true;
		return;
	}
	r = poll(p, n, (int)s->c->idle_timeout * 1000);
	if (r == 0) {
		s->why = "idle timeout";
		s->dead = true;
	} else if (r < 0 && errno != EINTR) {
		die_sys(111, "poll");
	}
}

static bool
finished(const struct tls_sess *s)
{
	return s->dead || (s->child_eof && s->p2c_len == 0);
}

/* Reaps the child within about five seconds (it has lost every
 * descriptor to us, so it is ending); its exit code becomes ours.  The
 * wait starts at 0.1 ms and doubles up to 20 ms: the child is usually
 * gone within a millisecond, and until we exit tcpserver counts the
 * connection (a fixed 20 ms sleep cost every connection 20 ms). */
static int
reap(pid_t child)
{
	struct timespec ts = {0, 0};
	long ns = 100 * 1000, slept = 0;
	int status;

	while (slept < 5000L * 1000 * 1000) {
		pid_t r = waitpid(child, &status, WNOHANG);
		if (r == child)
			return proc_exitcode(status);
		if (r < 0 && errno != EINTR)
			return 0;
		ts.tv_nsec = ns;
		nanosleep(&ts, NULL);
		slept += ns;
		if (ns < 20L * 1000 * 1000)
			ns *= 2;
	}
	return 0;
}

static int
finish(struct tls_sess *s)
{
	const char *sni =
	    s->ssl ? SSL_get_servername(s->ssl, TLSEXT_NAMETYPE_host_name)
	           : NULL;
	const char *ip = getenv("TCPREMOTEIP");

	if (s->tls && !s->dead)
		tls_close_notify(s->ssl, 1);
	if (s->to_child >= 0)
		close(s->to_child);
	close(s->from_child);
	if (s->ctl >= 0)
		close(s->ctl);
	log_info("%s %s %s %s sni=%s in=%llu out=%llu discarded=%llu end=%s",
	    ip ? ip : "-", s->c->mode == TLS_IMPLICIT ? "implicit" : "starttls",
	    s->tls ? SSL_get_version(s->ssl) : "plain",
	    s->tls ? SSL_CIPHER_get_name(SSL_get_current_cipher(s->ssl)) : "-",
	    sni ? sni : "-", s->in, s->out, s->discarded,
	    s->why ? s->why : "ok");
	if (s->ssl)
		SSL_free(s->ssl);
	return reap(s->child);
}

static void
implicit(struct tls_sess *s)
{
	s->ssl = ctx_get(s) ? SSL_new(s->ctx) : NULL;
	if (s->ssl == NULL || !SSL_set_rfd(s->ssl, 0) ||
	    !SSL_set_wfd(s->ssl, 1) ||
	    tls_handshake(s->ssl, 0, 1, s->c->hs_timeout, &s->err) < 0) {
		s->why = s->err.len ? (const char *)s->err.p : "SSL_new";
		ctl_fail(s, s->why);
		s->dead = true;
		return;
	}
	s->tls = true;
	/* before any client byte reaches the child's fd 0 */
	if (tls_answer_ok(s->ssl, &s->line) < 0)
		die_nomem();
	ctl_send(s, -1);
}

int
tls_proxy(const struct tls_conf *c, struct tls_certs *certs, SSL_CTX *ctx,
    int to_child, int from_child, int ctl, pid_t child)
{
	struct tls_sess *s = calloc(1, sizeof *s);

	if (s == NULL)
		die_nomem();
	s->c = c;
	s->certs = certs;
	s->ctx = ctx;
	s->to_child = to_child;
	s->from_child = from_child;
	s->ctl = ctl;
	s->child = child;
	s->rwant = POLLIN;
	s->wwant = POLLOUT;
	buf_init(&s->err, 1024);
	buf_init(&s->line, TLS_CTL_MAX * 8);
	if (proc_nonblock(0, true) < 0 || proc_nonblock(1, true) < 0 ||
	    proc_nonblock(to_child, true) < 0 ||
	    proc_nonblock(from_child, true) < 0)
		die_sys(111, "unable to set non-blocking mode");
	if (c->mode == TLS_IMPLICIT)
		implicit(s);
	while (!finished(s))
		if (!pump(s))
			wait_io(s);
	return finish(s);
}
