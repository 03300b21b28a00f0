/* authcheck.c: one password check through the checkpassword interface
 * (quail-auth(8); any checkpassword program can take its place).  The
 * program gets user NUL password NUL timestamp NUL on fd 3, /dev/null as
 * fds 0 and 1, QUAIL_SERVICE=smtp or submission, and as the program to
 * run on success HOME/bin/quail-authok, which only exits 0.  Its exit
 * code is the verdict: 0 good, 1 bad, anything else temporary.
 * Runs as quaild; the password is wiped as soon as it is written. */
#include "smtpd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "fmt.h"
#include "limits.h"
#include "proc.h"

static _Noreturn void
child(const struct smtpd *s, int credfd, int donefd)
{
	const char *argv[3];
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    proc_move(credfd, 3) < 0 || proc_cloexec(donefd, false) < 0)
		die_sys(111, "unable to set up descriptors for checkpassword");
	if (setenv("QUAIL_SERVICE", s->submission ? "submission" : "smtp", 1) <
	    0)
		die_nomem();
	argv[0] = s->checkpassword;
	argv[1] = s->authok;
	argv[2] = NULL;
	execv(argv[0], (char *const *)(uintptr_t)argv);
	die_sys(111, "unable to run %s", argv[0]);
}

/* Wait for every holder of the done pipe to exit (EOF), at most
 * timeout seconds; then reap.  Returns the exit code, 111 on timeout. */
static int
reap(pid_t pid, int donefd, unsigned timeout)
{
	struct pollfd pfd = {donefd, POLLIN, 0};
	time_t end = time(NULL) + (time_t)timeout;
	char junk[64];
	int st;

	for (;;) {
		time_t left = end - time(NULL);
		int r;
		if (left <= 0) {
			(void)kill(pid, SIGKILL);
			break;
		}
		r = poll(&pfd, 1, (int)left * 1000);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && read(donefd, junk, sizeof junk) <= 0)
			break;
	}
	close(donefd);
	if (proc_wait(pid, &st) < 0)
		return 111;
	return proc_exitcode(st);
}

int
smtpd_authcheck(struct smtpd *s, const char *user, size_t ulen,
    const char *pass, size_t plen)
{
	struct buf cred = BUF_INIT(SMTP_AUTH_DECODED_MAX + 64);
	int cp[2], dp[2], code;
	pid_t pid;

	if (buf_cat(&cred, user, ulen) < 0 || buf_catc(&cred, '\0') < 0 ||
	    buf_cat(&cred, pass, plen) < 0 || buf_catc(&cred, '\0') < 0 ||
	    buf_printf(&cred, "<%ld.%lld@%s>", (long)getpid(),
	        (long long)time(NULL), (const char *)s->me.p) < 0 ||
	    buf_catc(&cred, '\0') < 0) {
		buf_free(&cred);
		return 111;
	}
	cp[0] = cp[1] = dp[0] = dp[1] = -1;
	if (proc_pipe(cp) < 0 || proc_pipe(dp) < 0 || (pid = fork()) < 0) {
		int i, *fds[2] = {cp, dp};
		log_warn("unable to start checkpassword: %s", strerror(errno));
		for (i = 0; i < 4; i++)
			if (fds[i / 2][i % 2] >= 0)
				close(fds[i / 2][i % 2]);
		buf_free(&cred);
		return 111;
	}
	if (pid == 0) {
		close(cp[1]);
		close(dp[0]);
		child(s, cp[0], dp[1]);
	}
	close(cp[0]);
	close(dp[1]);
	/* a few hundred bytes: fits the pipe, never blocks for long */
	(void)io_writeall(cp[1], cred.p, cred.len, 60);
	close(cp[1]);
	buf_free(&cred); /* explicit_bzero */
	code = reap(pid, dp[0], SMTP_AUTH_TIMEOUT);
	return code;
}
