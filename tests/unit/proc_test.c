/* proc_test.c: lib/proc.c — exit code mapping (exits, signals), pipes
 * with close-on-exec, fd moves across exec, flags, privilege drops (when
 * run as root; skipped otherwise). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exitcode.h"
#include "proc.h"
#include "tap.h"

enum how { EXIT, KILL_SELF, ABORT };

static const struct {
	enum how how;
	int arg, want;
	const char *name;
} exits[] = {
    {EXIT, 0, 0, "exit 0 -> 0"},
    {EXIT, 99, 99, "exit 99 -> 99"},
    {EXIT, 100, 100, "exit 100 -> 100"},
    {EXIT, 111, 111, "exit 111 -> 111"},
    {EXIT, 255, 255, "exit 255 -> 255"},
    {KILL_SELF, SIGKILL, EXIT_TEMP, "killed by SIGKILL -> 111"},
    {KILL_SELF, SIGTERM, EXIT_TEMP, "killed by SIGTERM -> 111"},
    {KILL_SELF, SIGSEGV, EXIT_TEMP, "SIGSEGV -> 111"},
    {ABORT, 0, EXIT_TEMP, "abort() -> 111"},
};

static void
test_exitcodes(void)
{
	size_t i;
	pid_t pid;
	int st;

	for (i = 0; i < sizeof exits / sizeof exits[0]; i++) {
		pid = fork();
		if (pid < 0)
			exit(2);
		if (pid == 0) {
			signal(SIGABRT, SIG_DFL);
			if (exits[i].how == EXIT)
				_exit(exits[i].arg);
			if (exits[i].how == KILL_SELF) {
				signal(exits[i].arg, SIG_DFL);
				kill(getpid(), exits[i].arg);
			} else {
				abort();
			}
			_exit(0); /* not reached: the test sees 0 */
		}
		st = -1;
		is_int(proc_wait(pid, &st), pid, "proc_wait returns the pid");
		is_int(proc_exitcode(st), exits[i].want, exits[i].name);
	}
	errno = 0;
	is_int(proc_wait(-1, &st), -1, "no children left");
	is_int(errno, ECHILD, "ECHILD");
}

static bool
is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

/* Run sh -c script in a child (fds inherited) and return its code. */
static int
run_sh(const char *script)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	if (proc_wait(pid, &st) < 0)
		return -1;
	return proc_exitcode(st);
}

static void
test_pipe_move(void)
{
	int fd[2], fl;
	char script[128], got[16];
	ssize_t n;

	is_int(proc_pipe(fd), 0, "proc_pipe");
	ok(is_cloexec(fd[0]) && is_cloexec(fd[1]), "both ends close-on-exec");
	snprintf(script, sizeof script, "exec 2>/dev/null; echo x >&%d", fd[1]);
	ok(run_sh(script) != 0, "exec'd child does not inherit the pipe");

	is_int(proc_move(fd[1], 7), 0, "move write end to fd 7");
	ok(!is_cloexec(7), "fd 7 inherits across exec");
	errno = 0;
	ok(fcntl(fd[1], F_GETFD) < 0 && errno == EBADF, "old fd closed");
	is_int(run_sh("echo moved >&7"), 0, "exec'd child writes to fd 7");
	close(7);
	n = read(fd[0], got, sizeof got);
	is_mem(got, n > 0 ? (size_t)n : 0, "moved\n", 6, "bytes arrive");
	is_int(read(fd[0], got, sizeof got), 0, "then EOF: no copy left");

	is_int(proc_move(fd[0], fd[0]), 0, "move onto itself");
	ok(!is_cloexec(fd[0]), "clears close-on-exec");
	is_int(proc_cloexec(fd[0], true), 0, "cloexec on");
	ok(is_cloexec(fd[0]), "set");
	close(fd[0]);
	if (proc_pipe(fd) < 0)
		exit(2);
	is_int(proc_nonblock(fd[0], true), 0, "nonblock on");
	fl = fcntl(fd[0], F_GETFL);
	ok(fl >= 0 && (fl & O_NONBLOCK), "O_NONBLOCK set");
	errno = 0;
	ok(read(fd[0], got, 1) < 0 && errno == EAGAIN, "read gives EAGAIN");
	is_int(proc_nonblock(fd[0], false), 0, "nonblock off");
	fl = fcntl(fd[0], F_GETFL);
	ok(fl >= 0 && !(fl & O_NONBLOCK), "O_NONBLOCK clear");
	close(fd[0]);
	close(fd[1]);
	errno = 0;
	is_int(proc_cloexec(fd[0], true), -1, "closed fd: -1");
	is_int(errno, EBADF, "EBADF");
	errno = 0;
	is_int(proc_move(fd[0], 9), -1, "move of a closed fd fails");
}

/* In a child, call f and report: 0 ok, 1 failed with want_errno, 2 other.
 * The privilege tests must not change the test process's own ids. */
static int
in_child(int (*f)(const void *), const void *arg)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0)
		_exit(f(arg));
	if (proc_wait(pid, &st) < 0)
		return -1;
	return proc_exitcode(st);
}

static int
become_errno(const void *user)
{
	if (proc_become(user) == 0)
		return 0;
	return errno == EPERM ? 10 : errno == ENOENT ? 11 : 12;
}

static int
become_nobody(const void *user)
{
	struct passwd *pw = getpwnam(user);
	gid_t groups[64];
	int n, i;

	if (pw == NULL)
		return 20;
	if (proc_become(user) < 0)
		return 21;
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    getgid() != pw->pw_gid || getegid() != pw->pw_gid)
		return 22;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 23;
	n = getgroups(64, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == 0)
			return 24; /* root's supplementary groups dropped */
	return 0;
}

static int
setids_of(const void *ids)
{
	const unsigned *u = ids;
	gid_t groups[64];
	int n;

	if (proc_setids(u[0], u[1]) < 0)
		return errno == EPERM ? 10 : 12;
	if (getuid() != u[0] || geteuid() != u[0] || getgid() != u[1])
		return 22;
	n = getgroups(64, groups);
	if (n != 1 || groups[0] != u[1])
		return 25;
	return setuid(0) == 0 ? 23 : 0;
}

static void
test_privs(void)
{
	static const unsigned root_ids[2] = {0, 0};
	static const unsigned nobody_ids[2] = {65534, 65534};

	if (geteuid() != 0) {
		ok(1, "# skip privilege drops need root");
		return;
	}
	setgroups(1, (const gid_t[]){0}); /* root with group 0 to drop */
	is_int(in_child(become_errno, "root"), 10, "become root: EPERM");
	is_int(in_child(become_errno, "no-such-user-quail"), 11,
	    "unknown user: ENOENT");
	is_int(in_child(become_nobody, "nobody"), 0,
	    "become nobody: uid, gid, groups, no way back");
	is_int(in_child(setids_of, root_ids), 10, "setids 0: EPERM");
	is_int(in_child(setids_of, nobody_ids), 0, "setids 65534");
	ok(getuid() == 0, "the test process kept its ids");
}

int
main(void)
{
	alarm(60); /* a hung test dies instead of waiting forever */
	test_exitcodes();
	test_pipe_move();
	test_privs();
	done_testing();
}
