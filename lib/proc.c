/* proc.c: pipes, descriptor moves, waiting for children.  The privilege
 * drops of proc.h are in procdrop.c. */
#include <errno.h>
#include <fcntl.h>
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
