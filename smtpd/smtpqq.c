/* qq.c: the pipe to quail-queue (see smtpqq.h).  The child is trusted no more
 * than any program: its exit code and fd-6 text are bounded and mapped,
 * a child that stops reading is timed out and killed. */
#include "smtpqq.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "limits.h"
#include "proc.h"
#include "sig.h"

static void
closefd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child: fds 0, 1 and 6 from the pipes, own process group, exec.
 * 71 ("temporarily rejected") when that fails. */
static _Noreturn void
child(const char *prog, int msg[2], int env[2], int err[2])
{
	char *argv[2];

	setpgid(0, 0);
	close(msg[1]);
	close(env[1]);
	close(err[0]);
	if (proc_move(msg[0], 0) < 0 || proc_move(env[0], 1) < 0 ||
	    proc_move(err[1], 6) < 0)
		_exit(71);
	sig_default(SIGPIPE);
	argv[0] = (char *)(uintptr_t)prog; /* execv's historical prototype */
	argv[1] = NULL;
	execv(prog, argv);
	_exit(71);
}

int
smtpd_qq_start(struct smtpd_qq *q, const char *prog, const unsigned char *env,
    size_t envlen, unsigned timeout)
{
	int msg[2], envp[2], err[2];

	q->pid = -1;
	q->msgfd = q->envfd = q->errfd = -1;
	q->env = env;
	q->envlen = envlen;
	q->envpos = 0;
	q->timeout = timeout;
	q->broken = false;
	if (proc_pipe(msg) < 0)
		return -1;
	if (proc_pipe(envp) < 0) {
		close(msg[0]);
		close(msg[1]);
		return -1;
	}
	if (proc_pipe(err) < 0) {
		close(msg[0]);
		close(msg[1]);
		close(envp[0]);
		close(envp[1]);
		return -1;
	}
	q->pid = fork();
	if (q->pid == 0)
		child(prog, msg, envp, err);
	close(msg[0]);
	close(envp[0]);
	close(err[1]);
	q->msgfd = msg[1];
	q->envfd = envp[1];
	q->errfd = err[0];
	if (q->pid < 0) {
		closefd(&q->msgfd);
		closefd(&q->envfd);
		closefd(&q->errfd);
		return -1;
	}
	(void)setpgid(q->pid, q->pid); /* both sides, so abort can't race */
	if (proc_nonblock(q->msgfd, true) < 0 ||
	    proc_nonblock(q->envfd, true) < 0)
		q->broken = true;
	return 0;
}

/* Some envelope bytes; closes the pipe once all are written. */
static void
env_step(struct smtpd_qq *q)
{
	ssize_t w;

	w = write(q->envfd, q->env + q->envpos, q->envlen - q->envpos);
	if (w < 0) {
		if (errno != EAGAIN && errno != EINTR)
			q->broken = true;
		return;
	}
	q->envpos += (size_t)w;
	if (q->envpos == q->envlen)
		closefd(&q->envfd);
}

/* Waits until fd (or the envelope pipe) can take bytes; 0, -1 broken.
 * The envelope is written only after the message pipe is closed, in
 * qmail-queue's order: if quail-smtpd dies in mid-DATA, quail-queue sees
 * an incomplete envelope and queues nothing, never a truncated message. */
static int
wait_out(struct smtpd_qq *q, int fd, short *rev_r)
{
	struct pollfd pfd[2];
	nfds_t n = 0;
	bool env = q->envfd >= 0 && q->msgfd < 0;
	int r;

	if (fd >= 0) {
		pfd[n].fd = fd;
		pfd[n++].events = POLLOUT;
	}
	if (env) {
		pfd[n].fd = q->envfd;
		pfd[n++].events = POLLOUT;
	}
	if (n == 0)
		return 0;
	pfd[0].revents = pfd[n - 1].revents = 0;
	do
		r = poll(pfd, n, q->timeout ? (int)q->timeout * 1000 : -1);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		q->broken = true;
		return -1;
	}
	if (env && pfd[n - 1].revents)
		env_step(q);
	*rev_r = fd >= 0 ? pfd[0].revents : 0;
	return 0;
}

void
smtpd_qq_put(struct smtpd_qq *q, const void *p, size_t n)
{
	const unsigned char *s = p;
	short rev;
	ssize_t w;

	while (n > 0 && !q->broken) {
		if (wait_out(q, q->msgfd, &rev) < 0 || rev == 0)
			continue;
		w = write(q->msgfd, s, n);
		if (w < 0) {
			if (errno != EAGAIN && errno != EINTR)
				q->broken = true;
			continue;
		}
		s += w;
		n -= (size_t)w;
	}
}

/* Reads the child's fd 6 to EOF (its exit), keeping the first
 * SMTP_QQ_REASON_MAX bytes.  -1 on timeout. */
static int
read_reason(struct smtpd_qq *q, struct buf *reason)
{
	unsigned char tmp[512];
	struct pollfd pfd;
	ssize_t r;
	int pr;

	buf_reset(reason);
	for (;;) {
		pfd.fd = q->errfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		pr = poll(&pfd, 1, q->timeout ? (int)q->timeout * 1000 : -1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			return -1;
		r = read(q->errfd, tmp, sizeof tmp);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return 0;
		if (reason->len < SMTP_QQ_REASON_MAX)
			(void)buf_cat(reason, tmp,
			    (size_t)r < SMTP_QQ_REASON_MAX - reason->len
			        ? (size_t)r
			        : SMTP_QQ_REASON_MAX - reason->len);
	}
}

/* Waits for the child's exit, at most q->timeout seconds: a child may
 * close its fd 6 long before it exits.  The child usually becomes a
 * zombie a moment after its fd 6 closes, so the first naps are short.
 * 0, or -1 (timeout, error). */
static int
wait_child(struct smtpd_qq *q, int *status)
{
	unsigned long long waited = 0, step = 20; /* microseconds */
	struct timespec ts;
	pid_t r;

	for (;;) {
		r = waitpid(q->pid, status, q->timeout ? WNOHANG : 0);
		if (r == q->pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (r == 0 && waited >= q->timeout * 1000000ULL)
			return -1;
		if (r == 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)step * 1000;
			(void)nanosleep(&ts, NULL);
			waited += step;
			step = step < 100000 ? step * 2 : 100000;
		}
	}
}

int
smtpd_qq_finish(struct smtpd_qq *q, struct buf *reason)
{
	short rev;
	int status;

	closefd(&q->msgfd);
	while (!q->broken && q->envfd >= 0)
		(void)wait_out(q, -1, &rev);
	closefd(&q->envfd);
	if (read_reason(q, reason) < 0 || wait_child(q, &status) < 0) {
		smtpd_qq_abort(q);
		return 111;
	}
	closefd(&q->errfd);
	q->pid = -1;
	return proc_exitcode(status);
}

void
smtpd_qq_abort(struct smtpd_qq *q)
{
	int status;

	if (q->pid > 0) {
		(void)kill(-q->pid, SIGKILL);
		(void)kill(q->pid, SIGKILL);
	}
	closefd(&q->msgfd);
	closefd(&q->envfd);
	closefd(&q->errfd);
	if (q->pid > 0)
		(void)proc_wait(q->pid, &status);
	q->pid = -1;
}
