/* quail-start: starts the delivery side of quail and wires it together.
 * Runs as root under supervise (HOME/boot/send/run), cwd HOME.  Starts
 * quail-send (quails), quail-lspawn (root), quail-rspawn (quailr; only if
 * HOME/bin/quail-rspawn exists) and quail-clean (quailq), connected by
 * pipes as doc/ARCHITECTURE.md "The spawn protocol" says; all log to its
 * fd 2.  Signals: TERM is passed to quail-send, which stops and closes
 * the pipes so the others finish and exit; HUP and ALRM are passed to
 * quail-send.  When any child exits on its own, the rest are stopped and
 * it exits 111 (supervise starts the set again).  Exits 0 after TERM. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "die.h"
#include "proc.h"
#include "sig.h"
#include "start.h"

#define STOP_WAIT 300 /* seconds for running deliveries to finish */

enum { P_SEND, P_LSPAWN, P_RSPAWN, P_CLEAN, NPROC };

static volatile sig_atomic_t got_term, got_hup, got_alrm, got_chld;

static void
on_sig(int s)
{
	if (s == SIGTERM)
		got_term = 1;
	else if (s == SIGHUP)
		got_hup = 1;
	else if (s == SIGALRM)
		got_alrm = 1;
	else
		got_chld = 1;
}

static void
wire(struct proc *p, int src, int dst)
{
	p->src[p->n] = src;
	p->dst[p->n++] = dst;
}

/* Makes the pipes and the wiring table of the children. */
static void
plan(struct proc *ps, bool remote)
{
	int l[2][2], r[2][2], c[2][2], null, i;

	for (i = 0; i < 2; i++)
		if (proc_pipe(l[i]) < 0 || proc_pipe(c[i]) < 0 ||
		    (remote && proc_pipe(r[i]) < 0))
			die_sys(111, "unable to create pipes");
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0)
		die_sys(111, "unable to open /dev/null");
	/* [0] carries requests (send -> peer), [1] replies (peer -> send) */
	wire(&ps[P_SEND], null, 0);
	wire(&ps[P_SEND], l[0][1], 1);
	wire(&ps[P_SEND], l[1][0], 3);
	wire(&ps[P_SEND], c[0][1], 6);
	wire(&ps[P_SEND], c[1][0], 7);
	wire(&ps[P_LSPAWN], l[0][0], 0);
	wire(&ps[P_LSPAWN], l[1][1], 1);
	wire(&ps[P_CLEAN], c[0][0], 0);
	wire(&ps[P_CLEAN], c[1][1], 1);
	if (remote) {
		wire(&ps[P_SEND], r[0][1], 4);
		wire(&ps[P_SEND], r[1][0], 5);
		wire(&ps[P_RSPAWN], r[0][0], 0);
		wire(&ps[P_RSPAWN], r[1][1], 1);
	}
}

/* Closes every pipe end the parent holds (the children have theirs). */
static void
close_all(struct proc *ps)
{
	int i, k;

	for (i = 0; i < NPROC; i++)
		for (k = 0; k < ps[i].n; k++)
			if (ps[i].src[k] > 2)
				close(ps[i].src[k]);
}

static int
reap(struct proc *ps, bool quiet)
{
	int st, i, gone = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (i = 0; i < NPROC; i++)
			if (ps[i].pid == pid) {
				if (!quiet || proc_exitcode(st) != 0)
					log_info("%s exited, status %d",
					    ps[i].prog, proc_exitcode(st));
				ps[i].pid = 0;
				gone++;
			}
	return gone;
}

static bool
alive(struct proc *ps)
{
	int i;

	for (i = 0; i < NPROC; i++)
		if (ps[i].pid > 0)
			return true;
	return false;
}

int
main(void)
{
	struct proc ps[NPROC] = {{"quail-send", auto_user_s, {0}, {0}, 0, 0},
	    {"quail-lspawn", NULL, {0}, {0}, 0, 0},
	    {"quail-rspawn", auto_user_r, {0}, {0}, 0, 0},
	    {"quail-clean", auto_user_q, {0}, {0}, 0, 0}};
	sigset_t none;
	time_t until = 0;
	bool remote;
	int i;

	log_init("quail-start");
	if (geteuid() != 0)
		die(111, "must be started as root");
	if (chdir(auto_home) < 0)
		die_sys(111, "unable to chdir to %s", auto_home);
	remote = access("bin/quail-rspawn", X_OK) == 0;
	if (!remote)
		log_warn("no bin/quail-rspawn: remote mail stays queued");
	sigemptyset(&none);
	if (sig_block(SIGCHLD) < 0 || sig_block(SIGTERM) < 0 ||
	    sig_block(SIGHUP) < 0 || sig_block(SIGALRM) < 0 ||
	    sig_catch(SIGCHLD, on_sig, false) < 0 ||
	    sig_catch(SIGTERM, on_sig, false) < 0 ||
	    sig_catch(SIGHUP, on_sig, false) < 0 ||
	    sig_catch(SIGALRM, on_sig, false) < 0 || sig_ignore(SIGPIPE) < 0)
		die_sys(111, "unable to catch signals");
	plan(ps, remote);
	for (i = 0; i < NPROC; i++)
		if ((i != P_RSPAWN || remote) && start_proc(&ps[i]) < 0) {
			start_kill(ps, NPROC, SIGTERM);
			die_sys(111, "unable to fork");
		}
	close_all(ps);
	while (alive(ps)) {
		if (until == 0) {
			sigsuspend(&none);
		} else {
			sig_unblock(SIGCHLD);
			sleep(1);
			sig_block(SIGCHLD);
			if (time(NULL) >= until) {
				log_warn(
				    "children still running; killing them");
				start_kill(ps, NPROC, SIGKILL);
				until = time(NULL) + STOP_WAIT;
			}
		}
		if (got_hup || got_alrm) {
			if (ps[P_SEND].pid > 0)
				(void)kill(
				    ps[P_SEND].pid, got_hup ? SIGHUP : SIGALRM);
			if (got_hup && got_alrm)
				(void)kill(ps[P_SEND].pid, SIGALRM);
			got_hup = got_alrm = 0;
		}
		got_chld = 0;
		if ((reap(ps, got_term) > 0 || got_term) && until == 0) {
			if (got_term)
				log_info("TERM: stopping");
			if (ps[P_SEND].pid > 0)
				(void)kill(ps[P_SEND].pid, SIGTERM);
			until = time(NULL) + STOP_WAIT;
		}
	}
	return got_term ? 0 : 111;
}
