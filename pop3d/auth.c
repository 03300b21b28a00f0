/* auth.c: one login attempt, the qmail-popup way: fork the checkpassword
 * program (quail-auth(8), setuid root; any checkpassword program works)
 * with the credentials on fd 3.  On success it execs the mailbox session
 * as the owner, which writes one byte on POP3_OK_FD and reads the input
 * this process had read ahead from POP3_PENDING_FD; this process then
 * only waits for it.  Runs as quaild.  Never logs the password. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "fmt.h"
#include "limits.h"
#include "pop3d.h"
#include "proc.h"

/* Every source is first copied above the targets, so that no move can
 * overwrite a descriptor still to be moved (quail-tls's control socket
 * holds fd 3, so the pipes' numbers vary). */
static _Noreturn void
child(char **argv, int in, int out, const int fds[3])
{
	const int src[5] = {in, out, fds[0], fds[1], fds[2]};
	const int want[5] = {0, 1, 3, POP3_OK_FD, POP3_PENDING_FD};
	int hi[5], i;

	for (i = 0; i < 5; i++)
		if ((hi[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10)) < 0)
			die_sys(111, "unable to move descriptors");
	for (i = 0; i < 5; i++)
		if (proc_move(hi[i], want[i]) < 0)
			die_sys(111, "unable to move descriptors");
	if (setenv("QUAIL_SERVICE", "pop3", 1) < 0)
		die_nomem();
	execvp(argv[0], argv);
	die_sys(111, "unable to run %s", argv[0]);
}

static int
credentials(
    struct buf *b, const char *user, size_t ulen, const char *pass, size_t plen)
{
	return buf_cat(b, user, ulen) < 0 || buf_catc(b, '\0') < 0 ||
	               buf_cat(b, pass, plen) < 0 || buf_catc(b, '\0') < 0 ||
	               buf_printf(b, "<%ld.%lld@quail>", (long)getpid(),
	                   (long long)time(NULL)) < 0 ||
	               buf_catc(b, '\0') < 0
	           ? -1
	           : 0;
}

int
pop3_auth(char **argv, int in, int out, const char *user, size_t ulen,
    const char *pass, size_t plen, const unsigned char *pend, size_t pendlen,
    int *code_r)
{
	struct buf cred = BUF_INIT(POP3_USER_MAX + POP3_PASS_MAX + 64);
	int cp[2], okp[2], pp[2], fds[3], st;
	pid_t pid;
	ssize_t r;
	char c;

	if (credentials(&cred, user, ulen, pass, plen) < 0 || proc_pipe(cp) < 0)
		return buf_free(&cred), 'T';
	if (proc_pipe(okp) < 0 || proc_pipe(pp) < 0 || (pid = fork()) < 0)
		return buf_free(&cred), 'T';
	if (pid == 0) {
		fds[0] = cp[0];
		fds[1] = okp[1];
		fds[2] = pp[0];
		child(argv, in, out, fds);
	}
	close(cp[0]);
	close(okp[1]);
	close(pp[0]);
	/* both fit a pipe buffer (PIPE_BUF >= 4096 on Linux, 64 KiB) */
	(void)io_writeall(cp[1], cred.p, cred.len, 60);
	close(cp[1]);
	buf_free(&cred); /* explicit_bzero of the password */
	(void)io_writeall(pp[1], pend, pendlen, 60);
	close(pp[1]);
	do
		r = read(okp[0], &c, 1);
	while (r < 0 && errno == EINTR);
	close(okp[0]);
	if (proc_wait(pid, &st) < 0)
		return 'T';
	if (r == 1) {
		*code_r = proc_exitcode(st);
		return 'K';
	}
	/* checkpassword: 1 bad login, 2 misuse, 111 temporary */
	return proc_exitcode(st) == 1 ? 'F' : 'T';
}
