/* quail-preline: prepends the delivery lines to a message for a program
 * that wants an mbox-style message (preline(1) of qmail).
 * Runs as: the recipient, from a .qmail line "|quail-preline prog args".
 * fd 0: the message.  Reads UFLINE, RPLINE, DTLINE from the environment
 * (set by quail-local) and feeds "From_ line, Return-Path, Delivered-To,
 * message" to prog's stdin through a pipe.
 * Options: -f no From_ line, -r no Return-Path, -d no Delivered-To.
 * Exit: prog's exit code (so 0/99/100/111 pass through); 111 if prog
 * could not run, died on a signal, or the message could not be fed. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "die.h"
#include "exitcode.h"
#include "io.h"
#include "proc.h"
#include "sig.h"

/* Writes the lines and the message into fd; 0, or -1 (EPIPE: the
 * program stopped reading, which is its own business). */
static int
feed(int fd, bool f, bool r, bool d)
{
	static const char *const names[] = {"UFLINE", "RPLINE", "DTLINE"};
	const bool want[] = {f, r, d};
	unsigned char mem[65536];
	const char *v;
	ssize_t n;
	int i;

	for (i = 0; i < 3; i++) {
		v = want[i] ? getenv(names[i]) : NULL;
		if (v && io_writeall(fd, v, strlen(v), 0) < 0)
			return -1;
	}
	for (;;) {
		n = read(0, mem, sizeof mem);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		if (io_writeall(fd, mem, (size_t)n, 0) < 0)
			return -1;
	}
}

int
main(int argc, char **argv)
{
	bool f = true, r = true, d = true;
	int p[2], status, i = 1, fe;
	pid_t pid;

	log_init("quail-preline");
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0 && ++i)
			break;
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'f')
				f = false;
			else if (*o == 'r')
				r = false;
			else if (*o == 'd')
				d = false;
			else
				die(EXIT_PERM, "usage: quail-preline [-frd] "
				               "program [arg ...]");
		}
	}
	if (i >= argc)
		die(EXIT_PERM, "usage: quail-preline [-frd] program [arg ...]");
	if (sig_ignore(SIGPIPE) < 0 || proc_pipe(p) < 0)
		die_sys(EXIT_TEMP, "unable to make a pipe");
	pid = fork();
	if (pid < 0)
		die_sys(EXIT_TEMP, "unable to fork");
	if (pid == 0) {
		sig_default(SIGPIPE);
		if (proc_move(p[0], 0) < 0)
			die_sys(EXIT_TEMP, "unable to set up descriptor 0");
		execvp(argv[i], argv + i);
		die_sys(EXIT_TEMP, "unable to run %s", argv[i]);
	}
	close(p[0]);
	fe = feed(p[1], f, r, d) < 0 ? errno : 0;
	close(p[1]);
	if (proc_wait(pid, &status) < 0)
		die_sys(EXIT_TEMP, "unable to wait for %s", argv[i]);
	if (fe && fe != EPIPE) {
		errno = fe;
		die_sys(EXIT_TEMP, "unable to feed the message to %s", argv[i]);
	}
	_exit(proc_exitcode(status));
}
