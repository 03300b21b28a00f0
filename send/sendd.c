/* sendd.c: quail-send's setup, control files, signals and event loop
 * (sendd.h).  The loop never blocks but in poll(): requests to the spawns
 * and quail-clean are buffered and written when the pipe takes them. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "proc.h"
#include "sendd.h"
#include "sig.h"

#define SCAN_EVERY   3600 /* seconds between scans of the whole queue */
#define STOP_TIMEOUT 60   /* seconds to collect results after TERM */

static volatile sig_atomic_t got_term, got_hup, got_alrm;
static int sig_fd = -1;

static void
on_signal(int sig)
{
	int e = errno;

	if (sig == SIGTERM)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGALRM)
		got_alrm = 1;
	if (sig_fd >= 0)
		(void)!write(sig_fd, "", 1);
	errno = e;
}

static unsigned
conc(const char *name, unsigned long def)
{
	unsigned long v;

	if (control_readulong(&v, name, def) < 0) {
		log_warn("bad control/%s, using %lu", name, def);
		v = def;
	}
	if (v < 1)
		v = 1;
	return v > SLOTS_MAX ? SLOTS_MAX : (unsigned)v;
}

/* (Re)reads the control files; on errors the old or default values stay. */
void
sendd_control(struct sendd *s)
{
	unsigned long lt;

	s->ch[CH_LOCAL].conc = conc("concurrencylocal", 10);
	s->ch[CH_REMOTE].conc = conc("concurrencyremote", 20);
	if (control_readulong(&lt, "queuelifetime", 604800) < 0)
		lt = 604800;
	s->lifetime = lt;
	if (control_readline(&s->me, "me", "localhost") < 0 ||
	    buf_cstr(&s->me) < 0)
		die_sys(111, "unable to read control/me");
	if (control_readline(&s->dbto, "doublebounceto", "postmaster") < 0)
		die_sys(111, "unable to read control/doublebounceto");
	if (s->dbto.len &&
	    str_chr(s->dbto.p, s->dbto.len, '@') == s->dbto.len) {
		struct buf h = BUF_INIT(1024);

		if (control_readline(
		        &h, "doublebouncehost", (const char *)s->me.p) < 0 ||
		    buf_catc(&s->dbto, '@') < 0 ||
		    buf_cat(&s->dbto, h.p, h.len) < 0)
			die_sys(111, "unable to read control/doublebouncehost");
		buf_free(&h);
	}
	if (buf_cstr(&s->dbto) < 0)
		die_nomem();
	if (route_refresh(&s->rt, true) < 0)
		log_line("error", "cannot read locals/virtualdomains: %s",
		    strerror(errno));
}

static void
chan_init(struct chan *c, const char *name, int w, int r, unsigned skip)
{
	unsigned i;

	c->name = name;
	c->wfd = w;
	c->rfd = r;
	c->up = fcntl(w, F_GETFD) >= 0 && fcntl(r, F_GETFD) >= 0;
	c->skip = skip;
	c->nfree = SLOTS_MAX;
	for (i = 0; i < SLOTS_MAX; i++)
		c->freeslot[i] = SLOTS_MAX - 1 - i;
	buf_init(&c->out, SIZE_MAX / 2);
	buf_init(&c->in, 65536);
	if (c->up && (proc_nonblock(w, true) < 0 || proc_nonblock(r, true) < 0))
		die_sys(111, "unable to set up the %s spawn pipes", name);
}

void
sendd_init(struct sendd *s)
{
	int p[2];

	s->scan_nn = -1;
	s->cleanw = 6;
	s->cleanr = 7;
	buf_init(&s->me, 1024);
	buf_init(&s->dbto, 1024);
	buf_init(&s->held, 1024 * 1024);
	buf_init(&s->envb, ENV_MAX);
	buf_init(&s->cout, SIZE_MAX / 2);
	buf_init(&s->cin, 4096);
	route_init(&s->rt);
	chan_init(&s->ch[CH_LOCAL], "local", 1, 3, 10);
	chan_init(&s->ch[CH_REMOTE], "remote", 4, 5, 20);
	if (!s->ch[CH_LOCAL].up)
		die(111, "no quail-lspawn on fds 1 and 3");
	if (fcntl(6, F_GETFD) < 0 || fcntl(7, F_GETFD) < 0)
		die(111, "no quail-clean on fds 6 and 7");
	if (proc_nonblock(6, true) < 0 || proc_nonblock(7, true) < 0)
		die_sys(111, "unable to set up the quail-clean pipes");
	s->trigger = open("lock/trigger", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	s->trigger_w = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->trigger < 0 || s->trigger_w < 0)
		die_sys(111, "unable to open lock/trigger");
	if (proc_pipe(p) < 0 || proc_nonblock(p[0], true) < 0 ||
	    proc_nonblock(p[1], true) < 0)
		die_sys(111, "unable to create a pipe");
	s->sigr = p[0];
	s->sigw = sig_fd = p[1];
	if (sig_ignore(SIGPIPE) < 0 ||
	    sig_catch(SIGTERM, on_signal, false) < 0 ||
	    sig_catch(SIGHUP, on_signal, false) < 0 ||
	    sig_catch(SIGALRM, on_signal, false) < 0)
		die_sys(111, "unable to catch signals");
	s->now = (unsigned long long)time(NULL);
	sendd_control(s);
	queue_hold(s);
	queue_scan_start(s);
	s->next_scan = s->now + SCAN_EVERY;
	s->todo_again = true;
}

/* Writes what the pipe takes; -1 when the reader is gone. */
static int
flush(int fd, struct buf *b)
{
	ssize_t r;

	while (b->len > 0) {
		r = write(fd, b->p, b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? 0 : -1;
		memmove(b->p, b->p + r, b->len - (size_t)r);
		b->len -= (size_t)r;
	}
	return 0;
}

static void
drain(int fd)
{
	char junk[256];

	while (read(fd, junk, sizeof junk) > 0)
		;
}

static void
signals(struct sendd *s)
{
	drain(s->sigr);
	if (got_hup) {
		got_hup = 0;
		log_info("HUP: rereading control and hold");
		sendd_control(s);
		queue_hold(s);
	}
	if (got_alrm) {
		got_alrm = 0;
		log_info("ALRM: everything due now");
		deliver_requeue_all(s, NULL);
	}
	if (got_term)
		s->stopping = s->term = true;
}

/* One round of work, then the poll set; returns the poll timeout (ms). */
static int
work(struct sendd *s, struct pollfd *pf, int *np)
{
	long to;
	int n = 0, k;

	s->now = (unsigned long long)time(NULL);
	if (s->todo_again)
		queue_todo(s);
	queue_scan_step(s);
	if (s->scan_nn < 0 && s->now >= s->next_scan) {
		s->next_scan = s->now + SCAN_EVERY;
		queue_scan_start(s);
	}
	later_run(s);
	deliver_dispatch(s);
	for (k = 0; k < NCHAN; k++) {
		struct chan *c = &s->ch[k];

		if (!c->up)
			continue;
		if (flush(c->wfd, &c->out) < 0) {
			log_line(
			    "error", "cannot write to the %s spawn", c->name);
			deliver_lost(s, k);
			s->stopping = true;
			continue;
		}
		pf[n].fd = c->rfd;
		pf[n++].events = POLLIN;
		if (c->out.len) {
			pf[n].fd = c->wfd;
			pf[n++].events = POLLOUT;
		}
	}
	if (s->cleanw >= 0 && flush(s->cleanw, &s->cout) < 0) {
		log_line("error", "cannot write to quail-clean");
		s->stopping = true;
	}
	if (s->cleanr >= 0) {
		pf[n].fd = s->cleanr;
		pf[n++].events = POLLIN;
	}
	if (s->cout.len && s->cleanw >= 0) {
		pf[n].fd = s->cleanw;
		pf[n++].events = POLLOUT;
	}
	pf[n].fd = s->trigger;
	pf[n++].events = POLLIN;
	pf[n].fd = s->sigr;
	pf[n++].events = POLLIN;
	*np = n;
	to = s->todo_again || s->scan_nn >= 0 ? 0 : deliver_timeout(s);
	if (to < 0 || to > 60000)
		to = 60000;
	if (s->scan_nn < 0 && s->next_scan > s->now &&
	    (long)(s->next_scan - s->now) * 1000 < to)
		to = (long)(s->next_scan - s->now) * 1000;
	return (int)to;
}

static void
events(struct sendd *s, struct pollfd *pf, int n)
{
	int i, k;

	for (i = 0; i < n; i++) {
		if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (pf[i].fd == s->trigger) {
			drain(s->trigger);
			s->todo_again = true;
		} else if (pf[i].fd == s->sigr) {
			signals(s);
		} else if (pf[i].fd == s->cleanr) {
			clean_replies(s);
		}
		for (k = 0; k < NCHAN; k++)
			if (s->ch[k].up && pf[i].fd == s->ch[k].rfd &&
			    deliver_replies(s, k) < 0) {
				deliver_lost(s, k);
				s->stopping = true;
			}
	}
}

/* Main loop; returns when TERM arrived or a peer died. */
void
sendd_run(struct sendd *s)
{
	struct pollfd pf[16];
	int n, to;

	while (!s->stopping) {
		to = work(s, pf, &n);
		if (poll(pf, (nfds_t)n, to) < 0 && errno != EINTR)
			die_sys(111, "poll failed");
		events(s, pf, n);
		if (got_term || got_hup || got_alrm)
			signals(s);
	}
}

/* After TERM or a dead peer: hand over what is buffered, close the
 * request pipes (the spawns finish and exit), and record the results of
 * deliveries still running, for at most STOP_TIMEOUT seconds. */
void
sendd_stop(struct sendd *s)
{
	struct pollfd pf[NCHAN];
	unsigned long long until =
	    (unsigned long long)time(NULL) + STOP_TIMEOUT;
	int k, n;

	s->stopping = true;
	for (k = 0; k < NCHAN; k++)
		if (s->ch[k].up) {
			(void)proc_nonblock(s->ch[k].wfd, false);
			(void)flush(s->ch[k].wfd, &s->ch[k].out);
			close(s->ch[k].wfd);
		}
	if (s->cleanw >= 0)
		close(s->cleanw);
	for (;;) {
		s->now = (unsigned long long)time(NULL);
		for (n = 0, k = 0; k < NCHAN; k++)
			if (s->ch[k].up && s->ch[k].busy > 0) {
				pf[n].fd = s->ch[k].rfd;
				pf[n++].events = POLLIN;
			}
		if (n == 0 || s->now >= until)
			break;
		if (poll(pf, (nfds_t)n, 1000) < 0 && errno != EINTR)
			break;
		for (k = 0; k < NCHAN; k++)
			if (s->ch[k].up && s->ch[k].busy > 0 &&
			    deliver_replies(s, k) < 0)
				s->ch[k].up = false;
	}
	log_info("stopped; %zu messages in the queue", s->nmsg);
}
