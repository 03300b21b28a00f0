/* starttls_test.c: lib/starttls against a fake quail-tls on a
 * socketpair: parsing, the request line, the descriptor landing on fd 0,
 * pipelined input discarded, FAIL, timeouts, hostile answers. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io.h"
#include "starttls.h"
#include "tap.h"

static int
send_fd(int sock, const char *s, int fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = {(void *)(uintptr_t)s, strlen(s)};
	struct msghdr m;

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
	return sendmsg(sock, &m, 0) < 0 ? -1 : 0;
}

static void
test_parse(void)
{
	static const struct {
		const char *line;
		int want;
	} t[] = {
	    {"OK TLSv1.3 TLS_AES_256_GCM_SHA384 -", 0},
	    {"OK TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 CN=x,O=y\\x20z", 0},
	    {"FAIL handshake timeout", 1},
	    {"FAIL TLS already active", 1},
	    {"OK TLSv1.3 X", -1},
	    {"OK TLSv1.3 X - extra", -1},
	    {"OK  X -", -1},
	    {"OK a\tb c d", -1},
	    {"HELLO", -1},
	    {"", -1},
	    {"OK a b c\r", -1},
	};
	struct starttls_info info;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&info, 0, sizeof info);
		is_int(starttls_parse(t[i].line, strlen(t[i].line), &info),
		    t[i].want, t[i].line);
	}
	memset(&info, 0, sizeof info);
	starttls_parse("OK TLSv1.3 TLS_AES_128_GCM_SHA256 -", 35, &info);
	is_str(info.version, "TLSv1.3", "version");
	is_str(info.cipher, "TLS_AES_128_GCM_SHA256", "cipher");
	is_str(info.subject, "-", "subject");
	ok(info.active, "active");
	starttls_parse("FAIL TLS already active", 23, &info);
	is_str(info.reason, "TLS already active", "reason");
}

static void
test_implicit(void)
{
	struct starttls_info info;
	int sv[2];
	char big[STARTTLS_LINE_MAX + 10];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send_fd(sv[1], "OK TLSv1.3 TLS_AES_256_GCM_SHA384 -\n", -1);
	memset(&info, 0, sizeof info);
	is_int(starttls_implicit(sv[0], 5, &info), 0, "implicit OK");
	is_str(info.cipher, "TLS_AES_256_GCM_SHA384", "implicit cipher");
	/* nothing sent: timeout */
	errno = 0;
	is_int(starttls_implicit(sv[0], 1, &info), -1, "implicit timeout");
	is_int(errno, ETIMEDOUT, "ETIMEDOUT");
	/* answer split into pieces */
	send_fd(sv[1], "OK TLSv1.2 ", -1);
	send_fd(sv[1], "C -\n", -1);
	is_int(starttls_implicit(sv[0], 5, &info), 0, "split answer");
	is_str(info.version, "TLSv1.2", "split version");
	/* over-long line without LF */
	memset(big, 'A', sizeof big);
	big[sizeof big - 1] = '\0';
	send_fd(sv[1], big, -1);
	errno = 0;
	is_int(starttls_implicit(sv[0], 5, &info), -1, "too long");
	is_int(errno, EMSGSIZE, "EMSGSIZE");
	close(sv[0]);
	close(sv[1]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	is_int(starttls_implicit(sv[0], 5, &info), -1, "EOF");
	close(sv[0]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send_fd(sv[1], "FAIL handshake failed\n", -1);
	is_int(starttls_implicit(sv[0], 5, &info), 1, "implicit FAIL");
	is_str(info.reason, "handshake failed", "implicit FAIL reason");
	close(sv[0]);
	close(sv[1]);
}

/* The fake quail-tls: checks the request, answers with the new pipe. */
static void
test_request(void)
{
	struct starttls_info info;
	unsigned char mem[256];
	struct io in;
	char req[128];
	int sv[2], oldp[2], newp[2], save0;
	ssize_t n;
	char c = 0;

	save0 = dup(0);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if (pipe(oldp) < 0 || pipe(newp) < 0)
		abort();
	dup2(oldp[0], 0);
	close(oldp[0]);
	io_init(&in, 0, mem, sizeof mem, 5);
	ok(write(oldp[1], "STARTTLS\r\nMAIL FROM:<evil>\r\n", 28) == 28,
	    "write plaintext");
	n = io_fill(&in);
	ok(n == 28 && io_buffered(&in) == 28, "plaintext buffered");
	/* consume the STARTTLS line; the rest is pipelined */
	in.pos = 10;
	ok(write(newp[1], "X", 1) == 1, "write new pipe");
	send_fd(sv[1], "OK TLSv1.3 TLS_AES_256_GCM_SHA384 -\n", newp[0]);
	close(newp[0]);
	is_int(starttls_request(sv[0], "220 2.0.0 go\r\n", 5, &in, &info), 0,
	    "request OK");
	n = read(sv[1], req, sizeof req - 1);
	req[n > 0 ? n : 0] = '\0';
	is_str(req, "STARTTLS 220 2.0.0 go\r\n", "request line");
	is_int(io_buffered(&in), 0, "pipelined input discarded");
	is_int(read(0, &c, 1), 1, "fd 0 is the new pipe");
	is_int(c, 'X', "new pipe byte");
	ok(info.active, "active after OK");
	/* OK without a descriptor is a protocol error */
	send_fd(sv[1], "OK TLSv1.3 C -\n", -1);
	errno = 0;
	is_int(starttls_request(sv[0], "220 go\r\n", 5, NULL, &info), -1,
	    "OK without fd");
	is_int(errno, EPROTO, "EPROTO");
	ok(read(sv[1], req, sizeof req) > 0, "request sent");
	/* FAIL keeps fd 0 */
	send_fd(sv[1], "FAIL TLS already active\n", -1);
	is_int(
	    starttls_request(sv[0], "220 go\r\n", 5, NULL, &info), 1, "FAIL");
	is_str(info.reason, "TLS already active", "FAIL reason");
	ok(read(sv[1], req, sizeof req) > 0, "request sent");
	/* FAIL carrying a descriptor: it is closed, not leaked */
	if (pipe(newp) < 0)
		abort();
	send_fd(sv[1], "FAIL x\n", newp[0]);
	close(newp[0]);
	is_int(starttls_request(sv[0], "220 go\r\n", 5, NULL, &info), 1,
	    "FAIL with fd");
	ok(write(newp[1], "y", 1) < 0 && errno == EPIPE, "stray fd closed");
	close(newp[1]);
	/* bad replies are refused before anything is written */
	errno = 0;
	is_int(starttls_request(sv[0], "220 go\n", 5, NULL, &info), -1,
	    "reply without CR");
	is_int(errno, EINVAL, "EINVAL");
	is_int(starttls_request(sv[0], "220 a\r\nb\r\n", 5, NULL, &info), -1,
	    "two lines");
	close(sv[0]);
	close(sv[1]);
	close(oldp[1]);
	close(newp[1]);
	dup2(save0, 0);
	close(save0);
}

static void
test_ctlfd(void)
{
	int sv[2];
	char s[16];

	unsetenv("QUAIL_TLSFD");
	is_int(starttls_ctlfd(), -1, "unset");
	setenv("QUAIL_TLSFD", "1", 1);
	is_int(starttls_ctlfd(), -1, "fd < 3 refused");
	setenv("QUAIL_TLSFD", "3x", 1);
	is_int(starttls_ctlfd(), -1, "junk refused");
	setenv("QUAIL_TLSFD", "99999999999", 1);
	is_int(starttls_ctlfd(), -1, "huge refused");
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	s[0] = '\0';
	snprintf(s, sizeof s, "%d", sv[0]);
	setenv("QUAIL_TLSFD", s, 1);
	is_int(starttls_ctlfd(), sv[0], "open fd");
	close(sv[0]);
	is_int(starttls_ctlfd(), -1, "closed fd refused");
	close(sv[1]);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_parse();
	test_implicit();
	test_request();
	test_ctlfd();
	done_testing();
}
