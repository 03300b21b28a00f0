/* start.c: forking quail-start's children (start.h).  Runs as root; each
 * child drops to its user (proc_become, never uid 0 for those) before
 * exec, with a fixed environment. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include "auto.h"
#include "die.h"
#include "fmt.h"
#include "proc.h"
#include "sig.h"
#include "start.h"

#define HIGH_FD 64

int
start_wire(const int *src, const int *dst, int n)
{
	int tmp[NWIRE], i, fd;

	for (i = 0; i < n; i++) {
		tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, HIGH_FD);
		if (tmp[i] < 0)
			return -1;
	}
	for (fd = 3; fd < HIGH_FD; fd++)
		close(fd);
	for (i = 0; i < n; i++)
		if (proc_move(tmp[i], dst[i]) < 0)
			return -1;
	return 0;
}

static void
child(struct proc *p)
{
	struct buf path = BUF_INIT(4096);
	static char pathenv[] = "PATH=/usr/local/bin:/usr/bin:/bin";
	char *argv[2], *envp[] = {pathenv, NULL};

	(void)sig_default(SIGTERM);
	(void)sig_default(SIGHUP);
	(void)sig_default(SIGALRM);
	(void)sig_default(SIGCHLD);
	(void)sig_default(SIGPIPE);
	(void)sig_unblock(SIGTERM);
	(void)sig_unblock(SIGHUP);
	(void)sig_unblock(SIGALRM);
	(void)sig_unblock(SIGCHLD);
	if (buf_printf(&path, "%s/bin/%s", auto_home, p->prog) < 0 ||
	    buf_cstr(&path) < 0)
		die_nomem();
	if (start_wire(p->src, p->dst, p->n) < 0)
		die_sys(111, "%s: unable to set up descriptors", p->prog);
	if (p->user && proc_become(p->user) < 0)
		die_sys(111, "%s: unable to become %s", p->prog, p->user);
	argv[0] = (char *)path.p;
	argv[1] = NULL;
	execve((const char *)path.p, argv, envp);
	die_sys(111, "unable to run %s", (const char *)path.p);
}

int
start_proc(struct proc *p)
{
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0)
		child(p);
	log_info("started %s, pid %ld", p->prog, (long)p->pid);
	return 0;
}

void
start_kill(struct proc *ps, int n, int sig)
{
	int i;

	for (i = 0; i < n; i++)
		if (ps[i].pid > 0)
			(void)kill(ps[i].pid, sig);
}
