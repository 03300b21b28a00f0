/* starttls.c: the child's side of quail-tls's control protocol.
 * Trust: quail-tls is more trusted than we are, but its answers are
 * still bounded (STARTTLS_LINE_MAX), read with a deadline, and checked
 * field by field; a descriptor arriving where none is expected is
 * closed, so a confused peer cannot leak descriptors into us. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "starttls.h"

int
starttls_ctlfd(void)
{
	const char *s = getenv("QUAIL_TLSFD");
	unsigned long u = 0;
	size_t i;

	if (s == NULL || s[0] == '\0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i > 6)
			return -1;
		u = u * 10 + (unsigned long)(s[i] - '0');
	}
	if (u < 3 || fcntl((int)u, F_GETFD) < 0)
		return -1;
	return (int)u;
}

/* Copy field [p, p+n) into dst (size cap), cut to fit. */
static void
field(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* Only what quail-tls's escaping can produce: 0x21..0x7e. */
static bool
printable(const char *p, size_t n, bool space_ok)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c < 0x21 && !(space_ok && c == ' ')) || c >= 0x7f)
			return false;
	}
	return true;
}

int
starttls_parse(const char *line, size_t len, struct starttls_info *info)
{
	const char *f[3];
	size_t flen[3], i, k, start;

	if (len >= 5 && memcmp(line, "FAIL ", 5) == 0 &&
	    printable(line + 5, len - 5, true)) {
		field(info->reason, sizeof info->reason, line + 5, len - 5);
		return 1;
	}
	if (len < 3 || memcmp(line, "OK ", 3) != 0 ||
	    !printable(line + 3, len - 3, true))
		return errno = EPROTO, -1;
	start = 3;
	k = 0;
	for (i = 3; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || k == 3)
			return errno = EPROTO, -1;
		f[k] = line + start;
		flen[k++] = i - start;
		start = i + 1;
	}
	if (k != 3)
		return errno = EPROTO, -1;
	field(info->version, sizeof info->version, f[0], flen[0]);
	field(info->cipher, sizeof info->cipher, f[1], flen[1]);
	field(info->subject, sizeof info->subject, f[2], flen[2]);
	info->reason[0] = '\0';
	info->active = true;
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Take the descriptors of one message: the first into *fd_r (if not yet
 * set), every other one closed. */
static void
take_fds(struct msghdr *m, int *fd_r)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		size_t n, j;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (j = 0; j < n; j++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + j * sizeof fd, sizeof fd);
			if (*fd_r < 0)
				*fd_r = fd;
			else
				close(fd);
		}
	}
}

/* One recvmsg into p[0..cap) within the deadline.  Returns bytes, -1. */
static ssize_t
recv_some(int sock, char *p, size_t cap, long long deadline, int *fd_r)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct iovec iov = {p, cap};
	struct msghdr m;
	struct pollfd pfd = {sock, POLLIN, 0};
	ssize_t r;

	for (;;) {
		long long left = deadline < 0 ? -1 : deadline - now_ms();
		if (deadline >= 0 && left <= 0)
			return errno = ETIMEDOUT, -1;
		r = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		memset(&m, 0, sizeof m);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = u.b;
		m.msg_controllen = sizeof u.b;
		r = recvmsg(sock, &m, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return -1;
		take_fds(&m, fd_r);
		if (r == 0)
			return errno = ECONNRESET, -1;
		return r;
	}
}

/* Read one answer line; *fd_r gets an attached descriptor or -1. */
static int
read_answer(int sock, unsigned timeout, struct starttls_info *info, int *fd_r)
{
	char line[STARTTLS_LINE_MAX];
	size_t len = 0;
	long long deadline = timeout ? now_ms() + 1000LL * timeout : -1;
	char *lf = NULL;
	int r;

	*fd_r = -1;
	while (lf == NULL) {
		ssize_t n;
		if (len == sizeof line) {
			errno = EMSGSIZE;
			goto fail;
		}
		n = recv_some(
		    sock, line + len, sizeof line - len, deadline, fd_r);
		if (n < 0)
			goto fail;
		lf = memchr(line + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	r = starttls_parse(line, (size_t)(lf - line), info);
	if (r < 0)
		goto fail;
	return r;
fail:
	if (*fd_r >= 0) {
		int e = errno;
		close(*fd_r);
		*fd_r = -1;
		errno = e;
	}
	return -1;
}

int
starttls_implicit(int ctlfd, unsigned timeout, struct starttls_info *info)
{
	int fd, r;

	r = read_answer(ctlfd, timeout, info, &fd);
	if (fd >= 0)
		close(fd);
	return r;
}

static int
send_request(int sock, const char *reply, unsigned timeout)
{
	static const char cmd[] = "STARTTLS ";
	char req[1024];
	size_t n = strlen(reply);

	/* One write, as quail-tls(8) asks; the request line ends at the
	 * reply's LF (a reply without CRLF gets one). */
	if (n < 3 || sizeof cmd - 1 + n + 2 > sizeof req ||
	    memchr(reply, '\n', n) != reply + n - 1 ||
	    !printable(reply, n - 2, true) || reply[n - 2] != '\r')
		return errno = EINVAL, -1;
	memcpy(req, cmd, sizeof cmd - 1);
	memcpy(req + sizeof cmd - 1, reply, n);
	return io_writeall(sock, req, sizeof cmd - 1 + n, timeout);
}

int
starttls_request(int ctlfd, const char *reply, unsigned timeout, struct io *in,
    struct starttls_info *info)
{
	int fd, r;

	if (send_request(ctlfd, reply, timeout) < 0)
		return -1;
	r = read_answer(ctlfd, timeout, info, &fd);
	if (r != 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (fd < 0) {
		info->active = false;
		return errno = EPROTO, -1;
	}
	if (in != NULL)
		in->pos = in->len = 0;
	if (fd != 0) {
		if (dup2(fd, 0) < 0) {
			int e = errno;
			close(fd);
			info->active = false;
			return errno = e, -1;
		}
		close(fd);
	}
	return 0;
}
