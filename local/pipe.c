/* pipe.c: "|command" lines.  The command runs under /bin/sh -c in the
 * recipient's home with the message on stdin (positioned at its start,
 * without added lines: preline adds them; a private seekable copy, never
 * the queue file, whose envelope names every recipient, Bcc included,
 * and which a program could read by seeking back), dot-qmail(5)'s environment,
 * and stdout and stderr going into the delivery report.  Exit codes as
 * qmail: 0 success, 99 success and stop, 100 and the sysexits 64 65 70 76
 * 77 78 and 112 permanent, anything else (or a signal) temporary. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"
#include "local.h"
#include "proc.h"

#define ENV_SLOTS 512

extern char **environ;

int
pipe_status(int code)
{
	switch (code) {
	case 0:
		return L_OK;
	case 99:
		return L_STOP;
	case 64:
	case 65:
	case 70:
	case 76:
	case 77:
	case 78:
	case 100:
	case 112:
		return L_PERM;
	default:
		return L_TEMP;
	}
}

/* NUL-separated entries -> NULL-terminated vector of at most n-1. */
static int
vectorize(struct buf *env, char **vec, size_t n)
{
	size_t i = 0, k = 0;

	while (i < env->len) {
		if (k + 1 >= n)
			return -1;
		vec[k++] = (char *)env->p + i;
		i += strlen((char *)env->p + i) + 1;
	}
	vec[k] = NULL;
	return 0;
}

static int
put_fd(void *arg, const void *p, size_t n)
{
	return io_writeall(*(int *)arg, p, n, 0);
}

/* The message from its start in an unlinked file in /tmp, 0600, owned
 * by the recipient (seekable, as qmail programs expect): an fd, or -1
 * with errno. */
static int
private_copy(struct local_ctx *c)
{
	char path[] = "/tmp/quail-local.XXXXXX";
	int fd = mkstemp(path), e;

	if (fd < 0)
		return -1;
	(void)unlink(path);
	if (proc_cloexec(fd, true) < 0 || msg_copy(c, put_fd, &fd) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static _Noreturn void
child(char *cmd, char **envp, int mfd)
{
	static char sh[] = "sh", dashc[] = "-c";
	char *argv[4];
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (dup2(1, 2) < 0 || dup2(mfd, 0) < 0)
		_exit(111);
	argv[0] = sh;
	argv[1] = dashc;
	argv[2] = cmd;
	argv[3] = NULL;
	execve("/bin/sh", argv, envp);
	_exit(111);
}

static int
run(struct local_ctx *c, char *cmd, char **envp)
{
	int status, mfd;
	pid_t pid;

	if (io_flush(c->out) < 0 || (mfd = private_copy(c)) < 0) {
		say(c, "4.3.0 Unable to copy message: %s", strerror(errno));
		return L_TEMP;
	}
	pid = fork();
	if (pid < 0) {
		say(c, "4.3.0 Unable to fork: %s", strerror(errno));
		close(mfd);
		return L_TEMP;
	}
	if (pid == 0)
		child(cmd, envp, mfd);
	close(mfd);
	if (proc_wait(pid, &status) < 0) {
		say(c, "4.3.0 Unable to wait for program: %s", strerror(errno));
		return L_TEMP;
	}
	if (!WIFEXITED(status)) {
		say(c, "4.3.0 Program |%s died on signal %d", cmd,
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return L_TEMP;
	}
	return WEXITSTATUS(status);
}

int
pipe_deliver(struct local_ctx *c, const char *cmd, size_t clen)
{
	struct buf env = BUF_INIT(LOCAL_ENV_MAX),
	           cb = BUF_INIT(LOCAL_QMAIL_MAX);
	static char *vec[ENV_SLOTS];
	int code, r;

	if (buf_cat(&cb, cmd, clen) < 0 || buf_cstr(&cb) < 0 ||
	    env_build(c, getenv("PATH"), &env) < 0 ||
	    env_inherit(&env, (const char *const *)environ) < 0 ||
	    vectorize(&env, vec, ENV_SLOTS) < 0) {
		say(c, "4.3.0 Unable to build program environment");
		r = L_TEMP;
		goto out;
	}
	code = run(c, (char *)cb.p, vec);
	r = pipe_status(code);
	if (code == 99)
		say(c, "program |%s said: stop here (99)", cb.p);
	else if (r == L_OK)
		say(c, "delivered to program |%s", cb.p);
	else
		say(c, "%s program |%s exited %d",
		    r == L_PERM ? "5.3.0" : "4.3.0", cb.p, code);
out:
	buf_free(&env);
	buf_free(&cb);
	return r;
}
