/* quail-queue: put one message into the queue.
 * Runs as: setuid quailq (bin/quail-queue 04711), for any local caller.
 * fds: 0 the message (read to EOF), 1 the envelope (read, never written:
 *   [I id NUL] F sender NUL {T rcpt NUL} NUL), 2 log lines.
 * Dirs: HOME/queue/{tmp,mess/NN,todo}, writes one byte to lock/trigger.
 * Exits: qmail-queue(8)'s codes (qq.h, quail-queue.8): 0 only after the
 *   message is durably in mess/NN/ID.
 * Trust: the caller is untrusted: the home is compiled in, the environment
 *   is cleared, fds 0-2 are checked before any file is opened, and a
 *   failure removes whatever this run made. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "qq.h"
#include "qqrun.h"
#include "sig.h"

extern char **environ;

static void
on_alarm(int sig)
{
	(void)sig;
	qq_abort(QQ_TIMEDOUT);
}

/* The caller gave up (quail-smtpd on a refused or aborted DATA): remove
 * the unfinished file now rather than leave it for quail-clean. */
static void
on_term(int sig)
{
	(void)sig;
	qq_abort(QQ_TIMEDOUT);
}

static void
on_bug(int sig)
{
	(void)sig;
	qq_abort(QQ_BUG);
}

/* fd 2 closed would make our own file fd 2 and log lines would land in
 * the queue: put /dev/null there.  A closed fd 0 or 1 is unreadable. */
static void
check_fds(void)
{
	int fd;

	if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0) {
		if (fcntl(2, F_GETFD) < 0)
			_exit(QQ_READ);
		die(QQ_READ, "fd 0 or fd 1 is closed");
	}
	if (fcntl(2, F_GETFD) < 0) {
		fd = open("/dev/null", O_RDWR);
		if (fd != 2)
			_exit(QQ_READ);
	}
}

static void
signals(void)
{
	static const int bugs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
	size_t i;

	/* SIGXFSZ: a caller's RLIMIT_FSIZE gives EFBIG (53), not a death */
	if (sig_ignore(SIGPIPE) < 0 || sig_ignore(SIGXFSZ) < 0 ||
	    sig_catch(SIGALRM, on_alarm, false) < 0)
		die_sys(QQ_BUG, "cannot set signal handlers");
	for (i = 0; i < sizeof bugs / sizeof bugs[0]; i++)
		(void)sig_catch(bugs[i], on_bug, false);
	(void)sig_catch(SIGTERM, on_term, false);
	(void)sig_catch(SIGHUP, on_term, false);
	(void)sig_catch(SIGINT, on_term, false);
}

int
main(int argc, char **argv)
{
	static char *empty[] = {NULL};
	int code;

	errno = 0;
	(void)argc;
	(void)argv;
	check_fds();
	environ = empty;
	log_init("quail-queue");
	umask(022);
	signals();
	alarm(QQ_TIMEOUT);
	if (chdir(auto_home) < 0)
		die_sys(QQ_HOME, "unable to chdir to %s", auto_home);
	if (chdir("queue") < 0)
		die_sys(QQ_QDIR, "unable to chdir to %s/queue", auto_home);
	code = qq_run((unsigned long)getuid(), (unsigned long)getppid());
	if (code != 0) {
		int e = errno;
		bool perm;
		log_line("error", "%s (#%d)%s%s", qq_exit_text(code, &perm),
		    code, e ? ": " : "", e ? strerror(e) : "");
		qq_abort(code);
	}
	return 0;
}
