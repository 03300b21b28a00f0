/* hs.c: the TLS handshake with a deadline, the connection summary for
 * the control answer, the close_notify, and passing a descriptor over
 * the control socket (SCM_RIGHTS).  Runs as quailt. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "buf.h"
#include "tls.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to become ready for ev before the deadline: 0, or -1. */
static int
wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p;
	long long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		p.fd = fd;
		p.events = ev;
		p.revents = 0;
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static void
hs_err(struct buf *err, const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[256];

	buf_reset(err);
	(void)buf_cats(err, what);
	if (e) {
		ERR_error_string_n(e, msg, sizeof msg);
		(void)buf_cats(err, ": ");
		(void)buf_cats(err, msg);
	}
	(void)buf_cstr(err);
	ERR_clear_error();
}

int
tls_handshake(SSL *ssl, int rfd, int wfd, unsigned timeout, struct buf *err)
{
	long long deadline = now_ms() + (long long)timeout * 1000;
	int r, e;

	for (;;) {
		ERR_clear_error();
		r = SSL_accept(ssl);
		if (r == 1)
			return 0;
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ)
			r = wait_fd(rfd, POLLIN, deadline);
		else if (e == SSL_ERROR_WANT_WRITE)
			r = wait_fd(wfd, POLLOUT, deadline);
		else {
			hs_err(
			    err, e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0
			             ? "handshake: connection closed"
			             : "handshake failed");
			return -1;
		}
		if (r < 0) {
			hs_err(err, errno == ETIMEDOUT ? "handshake timed out"
			                               : "handshake: poll");
			return -1;
		}
	}
}

void
tls_close_notify(SSL *ssl, int wfd)
{
	long long deadline = now_ms() + 1000;
	int r;

	for (;;) {
		ERR_clear_error();
		r = SSL_shutdown(ssl);
		if (r >= 0)
			return; /* sent; the peer's close_notify is not awaited
			         */
		if (SSL_get_error(ssl, r) != SSL_ERROR_WANT_WRITE ||
		    wait_fd(wfd, POLLOUT, deadline) < 0)
			return;
	}
}

/* The verified client certificate's subject (RFC 2253), or "". */
static void
peer_subject(SSL *ssl, char *out, size_t max)
{
	X509 *x = SSL_get0_peer_certificate(ssl);
	BIO *bio;
	int n;

	out[0] = '\0';
	if (x == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
		return;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(
	        bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(bio, out, (int)max - 1)) > 0)
		out[n] = '\0';
	BIO_free(bio);
}

int
tls_answer_ok(SSL *ssl, struct buf *out)
{
	char subj[1024];

	peer_subject(ssl, subj, sizeof subj);
	return tls_ctl_ok(out, SSL_get_version(ssl),
	    SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)), subj);
}

/* One sendmsg of p[0..n) with fd attached (fd < 0: none).  The control
 * line is short, so a partial send is an error. */
int
tls_send_ctl(int sock, const void *p, size_t n, int fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {(void *)(uintptr_t)p, n};
	struct msghdr m;
	ssize_t r;

	memset(&m, 0, sizeof m);
	memset(&u, 0, sizeof u);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (fd >= 0) {
		m.msg_control = u.b;
		m.msg_controllen = sizeof u.b;
		u.h.cmsg_level = SOL_SOCKET;
		u.h.cmsg_type = SCM_RIGHTS;
		u.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&u.h), &fd, sizeof fd);
	}
	do
		r = sendmsg(sock, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if ((size_t)r != n) {
		errno = EIO;
		return -1;
	}
	return 0;
}
