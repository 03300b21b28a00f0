/* preauth.c: privilege separation before login.
 *
 * preauth_split forks.  The child drops to quaild (when started as
 * root) and speaks IMAP until a login; the parent keeps its rights,
 * reads nothing from the network, and waits on a SOCK_SEQPACKET pair
 * for "tag NUL user NUL pass NUL tls NUL" records (tls "1" after
 * STARTTLS), each carrying two descriptors (SCM_RIGHTS): the client's
 * input (after STARTTLS a new pipe from quail-tls that the parent does
 * not have) and the read end of a "pending" pipe.  For each it runs the
 * checkpassword program: fd 3 = a pipe holding "user\0pass\0<time>\0",
 * fd 0/1 = the client, fd 4 = a status pipe, fd 5 = the pending pipe;
 * the rest of its argv is "HOME/bin/quail-imapd -s 4 TAG -p 5 [-t]".
 * The session writes 'K' on fd 4 once it has taken over; the parent then
 * tells the child 'K', the child writes the input it had read past the
 * LOGIN line (pipelined commands) into the pending pipe and exits
 * without another byte to the client; the session reads that pipe to
 * its end before reading fd 0.  Plaintext pipelined after STARTTLS never
 * gets here: starttls_request discarded it.  No 'K' and exit 1: 'N'
 * (bad password); anything else: 'T'. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "imapd.h"
#include "auto.h"
#include "die.h"
#include "exitcode.h"
#include "fmt.h"
#include "proc.h"

#define REQ_MAX      2048
#define AUTH_TIMEOUT 120

int preauth_login(struct session *s, const char *tag, const char *user,
    size_t ulen, const char *pass, size_t plen);
void preauth_split(struct session *s, char **checkpw);

/* Sends one record with nfds (<= 2) descriptors. */
static ssize_t
send_fds(int sock, const void *p, size_t n, const int *fds, size_t nfds)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(2 * sizeof(int))];
	} u;
	struct iovec iov = {(void *)(uintptr_t)p, n};
	struct msghdr mh;
	struct cmsghdr *c;

	memset(&mh, 0, sizeof mh);
	memset(&u, 0, sizeof u);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.b;
	mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	return sendmsg(sock, &mh, MSG_NOSIGNAL);
}

/* Receives one record; fd_r[0..1] get the descriptors sent, -1 for
 * those missing.  Any surplus descriptor is closed. */
static ssize_t
recv_fds(int sock, void *p, size_t n, int fd_r[2])
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct iovec iov = {p, n};
	struct msghdr mh;
	struct cmsghdr *c;
	size_t k, got = 0;
	int fd;
	ssize_t r;

	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.b;
	mh.msg_controllen = sizeof u.b;
	fd_r[0] = fd_r[1] = -1;
	r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	for (c = CMSG_FIRSTHDR(&mh); r >= 0 && c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (k = 0; CMSG_LEN((k + 1) * sizeof(int)) <= c->cmsg_len;
		     k++) {
			memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
			if (got < 2)
				fd_r[got++] = fd;
			else
				close(fd);
		}
	}
	return r;
}

/* After a login the session took over: hand it what this process had
 * read past the LOGIN line, then leave. */
static _Noreturn void
handover(struct session *s, int pend)
{
	size_t n = io_buffered(&s->in);

	if (n > 0 &&
	    io_writeall(pend, s->in.p + s->in.pos, n, IMAP_DATA_TIMEOUT) < 0)
		_exit(EXIT_TEMP);
	close(pend);
	_exit(EXIT_DONE);
}

int
preauth_login(struct session *s, const char *tag, const char *user, size_t ulen,
    const char *pass, size_t plen)
{
	unsigned char req[REQ_MAX];
	size_t tl = strlen(tag), n;
	char res = 'T';
	int pp[2], fds[2];
	ssize_t r;

	if (tl + ulen + plen + 5 > sizeof req || s->ctlfd < 0)
		return 'N';
	if (proc_pipe(pp) < 0)
		return 'T';
	memcpy(req, tag, tl + 1);
	memcpy(req + tl + 1, user, ulen);
	req[tl + 1 + ulen] = 0;
	memcpy(req + tl + 2 + ulen, pass, plen);
	req[tl + 2 + ulen + plen] = 0;
	req[tl + 3 + ulen + plen] = s->tls ? '1' : '0';
	req[tl + 4 + ulen + plen] = 0;
	n = tl + ulen + plen + 5;
	reply_flush(s);
	fds[0] = s->in.fd;
	fds[1] = pp[0];
	r = send_fds(s->ctlfd, req, n, fds, 2);
	explicit_bzero(req, sizeof req);
	close(pp[0]);
	if (r != (ssize_t)n) {
		close(pp[1]);
		return 'T';
	}
	do
		r = read(s->ctlfd, &res, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		_exit(EXIT_TEMP);
	if (res == 'K')
		handover(s, pp[1]);
	close(pp[1]);
	return res;
}

/* Moves the descriptors into place: fd[0] (client input, -1: keep fd
 * 0) to 0, credentials to 3, status to 4, pending input (-1: none) to
 * 5.  Every source is first copied above the targets, so that no move
 * overwrites a descriptor still to be moved. */
static int
place_fds(const int fd[4])
{
	static const int want[4] = {0, 3, 4, 5};
	int hi[4], i;

	for (i = 0; i < 4; i++)
		if (fd[i] >= 0 &&
		    (hi[i] = fcntl(fd[i], F_DUPFD_CLOEXEC, 10)) < 0)
			return -1;
	for (i = 0; i < 4; i++)
		if (fd[i] >= 0 && proc_move(hi[i], want[i]) < 0)
			return -1;
	return 0;
}

/* fd: as place_fds. */
static _Noreturn void
exec_auth(char **checkpw, const char *tag, bool tls, const int fd[4])
{
	char **argv;
	size_t n = 0, i;
	struct buf self = BUF_INIT(4096);

	while (checkpw[n])
		n++;
	argv = calloc(n + 8, sizeof *argv);
	if (argv == NULL || buf_cats(&self, auto_home) < 0 ||
	    buf_cats(&self, "/bin/quail-imapd") < 0 || buf_cstr(&self) < 0)
		_exit(EXIT_TEMP);
	for (i = 0; i < n; i++)
		argv[i] = checkpw[i];
	argv[n++] = (char *)self.p;
	argv[n++] = (char *)"-s";
	argv[n++] = (char *)"4";
	argv[n++] = (char *)(uintptr_t)tag;
	if (fd[3] >= 0) {
		argv[n++] = (char *)"-p";
		argv[n++] = (char *)"5";
	}
	if (tls)
		argv[n++] = (char *)"-t";
	argv[n] = NULL;
	if (place_fds(fd) < 0 || setenv("QUAIL_SERVICE", "imap", 1) < 0)
		_exit(EXIT_TEMP);
	execv(argv[0], argv);
	log_warn("unable to run %s", argv[0]);
	_exit(EXIT_TEMP);
}

/* Runs one login; returns 'K', 'N' or 'T'; on 'K' *pid_r is the
 * session. */
static char
run_login(char **checkpw, unsigned char *req, const int io[2], pid_t *pid_r)
{
	const char *tag = (char *)req, *user = tag + strlen(tag) + 1;
	const char *pass = user + strlen(user) + 1;
	bool tls = pass[strlen(pass) + 1] == '1';
	struct buf cred = BUF_INIT(REQ_MAX + FMT_ULONG);
	int cp[2], sp[2], st;
	struct pollfd pf;
	char k = 0;
	pid_t pid;

	if (buf_cats(&cred, user) < 0 || buf_catc(&cred, 0) < 0 ||
	    buf_cats(&cred, pass) < 0 || buf_catc(&cred, 0) < 0 ||
	    buf_catu(&cred, (unsigned long long)time(NULL)) < 0 ||
	    buf_catc(&cred, 0) < 0)
		return 'T';
	if (proc_pipe(cp) < 0)
		return buf_free(&cred), 'T';
	/* the whole record fits in the pipe buffer: no deadlock */
	if (write(cp[1], cred.p, cred.len) != (ssize_t)cred.len ||
	    proc_pipe(sp) < 0) {
		buf_free(&cred);
		close(cp[0]);
		close(cp[1]);
		return 'T';
	}
	buf_free(&cred);
	close(cp[1]);
	if ((pid = fork()) < 0) {
		close(cp[0]);
		close(sp[0]);
		close(sp[1]);
		return 'T';
	}
	if (pid == 0) {
		const int fd[4] = {io[0], cp[0], sp[1], io[1]};
		close(sp[0]);
		exec_auth(checkpw, tag, tls, fd);
	}
	close(cp[0]);
	close(sp[1]);
	pf.fd = sp[0];
	pf.events = POLLIN;
	if (poll(&pf, 1, AUTH_TIMEOUT * 1000) == 1 && read(sp[0], &k, 1) == 1 &&
	    k == 'K') {
		close(sp[0]);
		*pid_r = pid;
		return 'K';
	}
	close(sp[0]);
	kill(pid, SIGTERM);
	if (proc_wait(pid, &st) < 0)
		return 'T';
	return WIFEXITED(st) && WEXITSTATUS(st) == 1 ? 'N' : 'T';
}

static _Noreturn void
parent(int ctl, pid_t child, char **checkpw)
{
	unsigned char req[REQ_MAX + 1];
	size_t k, nul;
	pid_t sess = -1;
	ssize_t r;
	int st, io[2];
	char res;

	for (;;) {
		r = recv_fds(ctl, req, REQ_MAX, io);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		req[r] = 0;
		for (k = 0, nul = 0; k < (size_t)r; k++)
			nul += req[k] == 0;
		res = nul == 4 && req[r - 1] == 0
		          ? run_login(checkpw, req, io, &sess)
		          : 'T';
		explicit_bzero(req, sizeof req);
		for (k = 0; k < 2; k++)
			if (io[k] >= 0)
				close(io[k]);
		if (write(ctl, &res, 1) != 1)
			break;
		if (res == 'K') {
			close(ctl);
			proc_wait(child, &st);
			proc_wait(sess, &st);
			_exit(proc_exitcode(st));
		}
	}
	proc_wait(child, &st);
	_exit(proc_exitcode(st));
}

void
preauth_split(struct session *s, char **checkpw)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		die_sys(EXIT_TEMP, "socketpair");
	if ((pid = fork()) < 0)
		die_sys(EXIT_TEMP, "fork");
	if (pid > 0) {
		close(sv[1]);
		parent(sv[0], pid, checkpw);
	}
	close(sv[0]);
	s->ctlfd = sv[1];
	if (geteuid() == 0 && proc_become(auto_user_d) < 0)
		die_sys(EXIT_TEMP, "unable to become %s", auto_user_d);
}
