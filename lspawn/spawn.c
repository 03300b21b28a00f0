/* spawn.c: quail-lspawn's event loop.  Reads netstring requests on fd 0,
 * forks one child per delivery (child.c), collects each child's report
 * from its pipe, and when the child exits writes the reply on fd 1.
 * Never blocks on a delivery: poll() over the request pipe, a self-pipe
 * woken by SIGCHLD and SIGTERM, and every report pipe; waitpid(WNOHANG).
 * A delivery running longer than the timeout is killed (its whole
 * process group) and answered with a temporary failure. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "die.h"
#include "io.h"
#include "netstring.h"
#include "proc.h"
#include "spawn.h"

static int wake_fd = -1;
static volatile sig_atomic_t got_term;

static void
on_signal(int sig)
{
	int e = errno;

	if (sig == SIGTERM)
		got_term = 1;
	if (write(wake_fd, "", 1) < 0)
		errno = e; /* the pipe is full: a wakeup is pending anyway */
	errno = e;
}

int
spawn_init(struct spawn *sp, const char *home, unsigned timeout)
{
	int p[2];

	memset(sp, 0, sizeof *sp);
	sp->home = home;
	sp->timeout = timeout;
	sp->slots = calloc(SLOTS_MAX, sizeof *sp->slots);
	if (sp->slots == NULL || proc_pipe(p) < 0 ||
	    proc_nonblock(p[0], true) < 0 || proc_nonblock(p[1], true) < 0)
		return -1;
	sp->wake = p[0];
	wake_fd = p[1];
	if (sig_catch_all(on_signal) < 0 || proc_nonblock(0, true) < 0)
		return -1;
	return 0;
}

static void
start(struct spawn *sp, char *payload, size_t len)
{
	struct request rq;
	struct slot *s;
	int p[2];
	pid_t pid;

	if (req_parse(payload, len, &rq) < 0 || sp->slots[rq.slot].busy) {
		log_line(
		    "error", "protocol error: bad request from quail-send");
		sp->eof = sp->bad = true;
		return;
	}
	s = &sp->slots[rq.slot];
	memset(s, 0, sizeof *s);
	s->out = -1;
	slot_note(s, rq.id, rq.rcpt);
	if (proc_pipe(p) < 0 || (pid = fork()) < 0) {
		slot_text(s, "4.3.0 Unable to fork or make a pipe: ");
		slot_text(s, strerror(errno));
		s->busy = true;
		s->forced = 111;
		sp->nbusy++;
		slot_reply(sp, rq.slot);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		child_run(sp->home, &rq, p[1]);
	}
	close(p[1]);
	proc_nonblock(p[0], true);
	s->busy = true;
	s->pid = pid;
	s->out = p[0];
	s->deadline = time(NULL) + (time_t)sp->timeout;
	sp->nbusy++;
}

/* Reads requests; complete netstrings start deliveries. */
static void
read_requests(struct spawn *sp)
{
	size_t off, plen, used;
	ssize_t r;

	r = read(0, sp->in + sp->inlen, sizeof sp->in - sp->inlen);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		sp->eof = true;
		if (sp->inlen > 0) {
			log_line("error", "protocol error: partial request");
			sp->bad = true;
		}
		return;
	}
	sp->inlen += (size_t)r;
	while (!sp->eof) {
		switch (netstring_parse(
		    sp->in, sp->inlen, NS_REQ_MAX, &off, &plen, &used)) {
		case NETSTRING_MORE:
			return;
		case NETSTRING_SYNTAX:
		case NETSTRING_TOOLONG:
			log_line("error", "protocol error: bad netstring");
			sp->eof = sp->bad = true;
			return;
		case NETSTRING_OK:
			start(sp, (char *)sp->in + off, plen);
			memmove(sp->in, sp->in + used, sp->inlen - used);
			sp->inlen -= used;
			break;
		}
	}
}

static void
reap(struct spawn *sp)
{
	int status;
	pid_t pid;
	size_t i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < SLOTS_MAX; i++) {
			if (sp->slots[i].busy && sp->slots[i].pid == pid)
				break;
		}
		if (i == SLOTS_MAX)
			continue;
		sp->slots[i].status = status;
		slot_drain(&sp->slots[i], true);
		slot_reply(sp, i);
	}
}

static void
check_deadlines(struct spawn *sp)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < SLOTS_MAX; i++) {
		struct slot *s = &sp->slots[i];
		if (!s->busy || s->pid <= 0 || s->killed || now < s->deadline)
			continue;
		kill(-s->pid, SIGKILL);
		kill(s->pid, SIGKILL);
		s->killed = true;
	}
}

/* One poll round. */
static void
round_(struct spawn *sp)
{
	static struct pollfd pfd[SLOTS_MAX + 2];
	static size_t who[SLOTS_MAX + 2];
	unsigned char junk[64];
	size_t n = 0, i;

	pfd[n].fd = sp->wake;
	pfd[n++].events = POLLIN;
	if (!sp->eof) {
		pfd[n].fd = 0;
		pfd[n++].events = POLLIN;
	}
	for (i = 0; i < SLOTS_MAX; i++) {
		if (!sp->slots[i].busy || sp->slots[i].out < 0)
			continue;
		who[n] = i;
		pfd[n].fd = sp->slots[i].out;
		pfd[n++].events = POLLIN;
	}
	if (poll(pfd, n, 1000) < 0 && errno != EINTR)
		die_sys(111, "poll failed");
	while (read(sp->wake, junk, sizeof junk) > 0)
		;
	for (i = 1; i < n; i++) {
		if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (pfd[i].fd == 0)
			read_requests(sp);
		else
			slot_drain(&sp->slots[who[i]], false);
	}
	reap(sp);
	check_deadlines(sp);
	if (got_term)
		sp->eof = true;
}

int
spawn_loop(struct spawn *sp)
{
	while (!sp->eof || sp->nbusy > 0)
		round_(sp);
	return sp->bad || sp->wfail ? 111 : 0;
}
