/* proc.c: pipes, descriptor moves, waiting for children, privilege drops.
 * Trust: proc_become and proc_setids run as root in quail-start and
 * quail-lspawn; they refuse to leave the process as uid 0 and check that
 * the drop took (saved uid included) before returning 0. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitcode.h"
#include "proc.h"

int
proc_cloexec(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -1;
	fl = on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC;
	return fcntl(fd, F_SETFD, fl) < 0 ? -1 : 0;
}

int
proc_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) < 0 ? -1 : 0;
}

int
proc_pipe(int fd[2])
{
	int e;

	if (pipe(fd) < 0)
		return -1;
	if (proc_cloexec(fd[0], true) < 0 || proc_cloexec(fd[1], true) < 0) {
		e = errno;
		close(fd[0]);
		close(fd[1]);
		errno = e;
		return -1;
	}
	return 0;
}

int
proc_move(int fd, int want)
{
	int r;

	if (fd == want)
		return proc_cloexec(want, false);
	do
		r = dup2(fd, want);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	close(fd);
	return 0; /* dup2 leaves close-on-exec clear on want */
}

pid_t
proc_wait(pid_t pid, int *status_r)
{
	pid_t r;

	do
		r = waitpid(pid, status_r, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

int
proc_exitcode(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return EXIT_TEMP;
}

/* After setuid: the real, effective and saved ids must all be uid, and
 * getting root back must be impossible. */
static int
check_dropped(uid_t uid, gid_t gid)
{
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid) {
		errno = EPERM;
		return -1;
	}
	if (setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
proc_setids(uid_t uid, gid_t gid)
{
	if (uid == 0) {
		errno = EPERM;
		return -1;
	}
	if (setgroups(1, &gid) < 0)
		return -1;
	if (setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return check_dropped(uid, gid);
}

int
proc_become(const char *user)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		errno = EPERM;
		return -1;
	}
	if (initgroups(user, gid) < 0)
		return -1;
	if (setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return check_dropped(uid, gid);
}
