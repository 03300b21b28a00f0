/* rspawn.c: quail-rspawn's loop.  Requests (one per recipient, the spawn
 * protocol of doc/ARCHITECTURE.md) for the same message, sender and
 * domain that are waiting together become one job: one SMTP transaction,
 * up to RCPT_MAX recipients.  Jobs run on workers: long-lived
 * "quail-remote -s DOMAIN" processes, each holding one SMTP session to
 * the domain's mail host, fed one job at a time over a pipe (framing in
 * serve.c).  A waiting job takes an idle worker of its domain, else a new
 * one when the domain has fewer than perdomain and the whole pool fewer
 * than total (an idle worker of another domain is retired to make room),
 * else it waits here.  A worker is retired after IDLE_SECS without work,
 * after JOBS_PER_WORKER jobs, or when it says its session is gone.
 * quail-send is trusted, but every request is bounded and checked. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "die.h"
#include "exitcode.h"
#include "fmt.h"
#include "netstring.h"
#include "proc.h"
#include "qid.h"
#include "remote.h"
#include "scan.h"
#include "sig.h"
#include "str.h"

#define REQ_MAX         8192 /* request payload */
#define SLOTS           1000 /* slots a spawn must cope with */
#define TEXT_MAX        1000 /* reply text */
#define JOBOUT_MAX      (RCPT_MAX * (RESULT_MAX + 2) + 1)
#define WREQ_MAX        (RCPT_MAX * 1002 + 2048) /* serve.c's SREQ_MAX */
#define WORKERS_MAX     (2 * SLOTS) /* live ones, and retired ones exiting */
#define IDLE_SECS       5
#define JOBS_PER_WORKER 100

struct worker;

struct rjob {
	struct worker *w; /* running on it; NULL while waiting */
	char id[QID_MAX];
	char path[64];
	unsigned long long off;
	char sender[1024];
	char domain[256];
	size_t n;
	unsigned slot[RCPT_MAX];
	char *rcpt[RCPT_MAX];
	int status;     /* the worker's exit status if it died */
	struct buf res; /* results as serve.c writes them, after the flag */
	time_t deadline;
	const char *fail; /* text when quail-remote gave no result */
};

struct worker {
	pid_t pid;
	char domain[256];
	int req, res;       /* pipe ends, -1 once closed */
	struct buf out, in; /* request bytes to send; reply bytes read */
	struct rjob *job;   /* in flight, or NULL when idle */
	unsigned done;      /* jobs answered */
	time_t idle;        /* idle since */
	bool retired;       /* takes no more jobs (request pipe closed) */
	bool exited;
	int status;
};

struct rspawn {
	struct rjob *job[SLOTS]; /* arrival order, waiting and running */
	size_t njob;
	struct worker *wk[WORKERS_MAX];
	size_t nwk;
	bool busy[SLOTS];
	unsigned perdomain, total;
	unsigned long timeout;
	struct buf in, out;
	bool eof, wfail;
	int sigr, sigw;
};

static struct rspawn S;

static void
on_signal(int sig)
{
	unsigned char c = sig == SIGTERM ? 'T' : 'C';
	int e = errno;

	if (write(S.sigw, &c, 1) < 0) {
		/* the pipe is full: a wakeup is pending anyway */
	}
	errno = e;
}

/* One line of text: LF -> '/', other control bytes -> '_', bounded. */
static void
reply(unsigned slot, char st, const char *t, size_t n)
{
	struct buf p = BUF_INIT(TEXT_MAX + 32);
	size_t i;

	if (buf_catu(&p, slot) < 0 || buf_catc(&p, 0) < 0 ||
	    buf_catc(&p, st) < 0)
		die_nomem();
	for (i = 0; i < n && i < TEXT_MAX; i++) {
		unsigned char c = (unsigned char)t[i];

		if (buf_catc(&p, c == '\n'               ? '/'
		                 : c < 0x20 || c == 0x7f ? '_'
		                                         : c) < 0)
			die_nomem();
	}
	if (netstring_put(&S.out, p.p, p.len) < 0)
		die_nomem();
	buf_free(&p);
	S.busy[slot] = false;
}

static bool
path_ok(const char *p)
{
	size_t i = 5, d = 0;

	if (strncmp(p, "mess/", 5) != 0)
		return false;
	while (p[i] >= '0' && p[i] <= '9' && d < 3) {
		i++;
		d++;
	}
	return d > 0 && p[i] == '/' &&
	       qid_valid(p + i + 1, strlen(p + i + 1)) && strlen(p) < 64;
}

/* Field i of a request payload (fields ended by NUL), or NULL. */
static char *
field(char *p, size_t len, int want)
{
	size_t i = 0, e;
	int k;

	for (k = 0; i < len; k++) {
		e = i + str_chr(p + i, len - i, 0);
		if (e == len)
			return NULL;
		if (k == want)
			return p + i;
		i = e + 1;
	}
	return NULL;
}

static struct rjob *
job_for(const char *id, const char *sender, const char *dom)
{
	struct rjob *j;
	size_t i;

	for (i = 0; i < S.njob; i++) {
		j = S.job[i];
		if (j->w == NULL && j->n < RCPT_MAX && strcmp(j->id, id) == 0 &&
		    strcmp(j->sender, sender) == 0 &&
		    strcmp(j->domain, dom) == 0)
			return j;
	}
	if (S.njob >= SLOTS || (j = calloc(1, sizeof *j)) == NULL)
		return NULL;
	buf_init(&j->res, JOBOUT_MAX);
	S.job[S.njob++] = j;
	return j;
}

/* One request: queued in a job, or answered at once when unusable. */
static void
request(char *p, size_t len)
{
	char *f[6];
	unsigned long slot;
	unsigned long long off;
	struct rjob *j;
	size_t at, i;

	for (i = 0; i < 6; i++)
		if ((f[i] = field(p, len, (int)i)) == NULL)
			die(EXIT_TEMP, "malformed request from quail-send");
	if (scan_ulong_all(f[0], strlen(f[0]), &slot) < 0 || slot >= SLOTS ||
	    S.busy[slot])
		die(EXIT_TEMP, "bad or busy slot in a request");
	S.busy[slot] = true;
	at = addr_at(f[5], strlen(f[5]));
	if (!qid_valid(f[1], strlen(f[1])) || !path_ok(f[2]) ||
	    scan_ullong(f[3], strlen(f[3]), &off) != strlen(f[3]) ||
	    strlen(f[4]) >= sizeof j->sender || f[5][at] != '@' ||
	    strlen(f[5] + at + 1) >= sizeof j->domain || f[5][at + 1] == '\0' ||
	    strlen(f[5]) > 1000) {
		reply((unsigned)slot, 'D', "5.1.3 malformed delivery request",
		    32);
		log_warn("%s slot %lu: malformed request", f[1], slot);
		return;
	}
	str_lower(f[5] + at + 1, strlen(f[5] + at + 1));
	j = job_for(f[1], f[4], f[5] + at + 1);
	if (j == NULL) {
		reply((unsigned)slot, 'Z', "4.3.0 out of memory", 19);
		return;
	}
	if (j->n == 0) {
		memcpy(j->id, f[1], strlen(f[1]) + 1);
		memcpy(j->path, f[2], strlen(f[2]) + 1);
		j->off = off;
		memcpy(j->sender, f[4], strlen(f[4]) + 1);
		memcpy(j->domain, f[5] + at + 1, strlen(f[5] + at + 1) + 1);
	}
	if ((j->rcpt[j->n] = strdup(f[5])) == NULL)
		die_nomem();
	j->slot[j->n++] = (unsigned)slot;
}

/* The text of result k in the job's output, or a fallback. */
static void
job_result(struct rjob *j, size_t k, char *st_r, const char **t_r, size_t *n_r)
{
	static char why[128];
	struct buf w = BUF_INIT(sizeof why);
	const char *p = (const char *)j->res.p;
	size_t i = 0, e, idx = 0;

	while (i < j->res.len) {
		e = i + str_chr(p + i, j->res.len - i, 0);
		if (e == j->res.len)
			break;
		if (idx++ == k && e > i &&
		    (p[i] == 'K' || p[i] == 'Z' || p[i] == 'D')) {
			*st_r = p[i];
			*t_r = p + i + 1;
			*n_r = e - i - 1;
			buf_free(&w);
			return;
		}
		i = e + 1;
	}
	*st_r = 'Z';
	*t_r = why;
	if (j->fail)
		buf_printf(&w, "%s", j->fail);
	else
		buf_printf(&w, "4.3.0 quail-remote failed (exit %d)",
		    WIFEXITED(j->status) ? WEXITSTATUS(j->status) : -1);
	memcpy(why, w.p, w.len);
	*n_r = w.len;
	buf_free(&w);
}

/* Replies for every slot of job j, then forget it. */
static void
finish(struct rjob *j)
{
	const char *t;
	size_t i, k, n;
	char st;

	for (k = 0; k < j->n; k++) {
		job_result(j, k, &st, &t, &n);
		reply(j->slot[k], st, t, n);
		log_info("%s slot %u %s: %c %.*s", j->id, j->slot[k],
		    j->rcpt[k], st, (int)(n > TEXT_MAX ? TEXT_MAX : n), t);
		free(j->rcpt[k]);
	}
	for (i = 0; i < S.njob && S.job[i] != j; i++)
		;
	memmove(&S.job[i], &S.job[i + 1], (S.njob - i - 1) * sizeof S.job[0]);
	S.njob--;
	if (j->w)
		j->w->job = NULL;
	buf_free(&j->res);
	free(j);
}

/* ---- workers ---- */

/* No more jobs for w: closing its request pipe ends quail-remote -s,
 * which QUITs its session and exits. */
static void
retire(struct worker *w)
{
	w->retired = true;
	if (w->req >= 0)
		close(w->req);
	w->req = -1;
	buf_free(&w->out);
}

/* In the child: requests on fd 0, replies on fd 1, exec. */
static _Noreturn void
w_child(struct worker *w, int rq, int rs)
{
	static char a0[] = "quail-remote", a1[] = "-s";
	char *argv[4] = {a0, a1, w->domain, NULL};

	if (proc_move(rq, 0) < 0 || proc_move(rs, 1) < 0)
		die_sys(EXIT_TEMP, "unable to set up quail-remote");
	sig_default(SIGPIPE);
	execv("bin/quail-remote", argv);
	die_sys(EXIT_TEMP, "unable to run bin/quail-remote");
}

static struct worker *
w_spawn(const char *dom)
{
	struct worker *w;
	int rq[2], rs[2];

	if (S.nwk >= WORKERS_MAX || (w = calloc(1, sizeof *w)) == NULL)
		return NULL;
	if (proc_pipe(rq) < 0) {
		free(w);
		return NULL;
	}
	if (proc_pipe(rs) < 0) {
		close(rq[0]);
		close(rq[1]);
		free(w);
		return NULL;
	}
	memcpy(w->domain, dom, strlen(dom) + 1);
	if ((w->pid = fork()) == 0)
		w_child(w, rq[0], rs[1]);
	close(rq[0]);
	close(rs[1]);
	if (w->pid < 0) {
		close(rq[1]);
		close(rs[0]);
		free(w);
		log_warn("unable to fork: %s", strerror(errno));
		return NULL;
	}
	w->req = rq[1];
	w->res = rs[0];
	proc_nonblock(w->req, true);
	proc_nonblock(w->res, true);
	buf_init(&w->out, WREQ_MAX + 16);
	buf_init(&w->in, JOBOUT_MAX + 8192);
	S.wk[S.nwk++] = w;
	return w;
}

/* The job's request to w (framing in serve.c). */
static void
w_send(struct worker *w, struct rjob *j)
{
	struct buf p = BUF_INIT(WREQ_MAX);
	size_t i;

	if (buf_cats(&p, j->id) < 0 || buf_catc(&p, 0) < 0 ||
	    buf_cats(&p, j->path) < 0 || buf_catc(&p, 0) < 0 ||
	    buf_catu(&p, j->off) < 0 || buf_catc(&p, 0) < 0 ||
	    buf_cats(&p, j->sender) < 0 || buf_catc(&p, 0) < 0)
		die_nomem();
	for (i = 0; i < j->n; i++)
		if (buf_cats(&p, j->rcpt[i]) < 0 || buf_catc(&p, 0) < 0)
			die_nomem();
	if (netstring_put(&w->out, p.p, p.len) < 0)
		die_nomem();
	buf_free(&p);
	w->job = j;
	j->w = w;
	j->deadline = time(NULL) + (time_t)S.timeout;
}

/* A worker that went wrong: kill it; its job fails with why. */
static void
w_kill(struct worker *w, const char *why)
{
	if (w->job && !w->job->fail)
		w->job->fail = why;
	if (!w->exited)
		kill(w->pid, SIGKILL);
	retire(w);
}

/* A whole reply from w: the job is answered, w is idle or retired. */
static void
w_reply(struct worker *w, const unsigned char *p, size_t n)
{
	struct rjob *j = w->job;

	if (j == NULL || n == 0 || (p[0] != '+' && p[0] != '-')) {
		log_warn("unexpected output from quail-remote %d", (int)w->pid);
		w_kill(w, "4.3.0 quail-remote: protocol error");
		return;
	}
	if (buf_copy(&j->res, p + 1, n - 1) < 0)
		buf_reset(&j->res); /* over the bound: fallback text */
	finish(j);
	w->done++;
	w->idle = time(NULL);
	if (p[0] == '-' || w->done >= JOBS_PER_WORKER || S.eof)
		retire(w);
}

static void
w_read(struct worker *w)
{
	size_t off, plen, used;
	ssize_t r;
	enum netstring_res k;

	if (buf_ready(&w->in, 4096) < 0) {
		w_kill(w, "4.3.0 quail-remote: reply too long");
		return;
	}
	r = read(w->res, w->in.p + w->in.len, w->in.cap - w->in.len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		close(w->res);
		w->res = -1;
		retire(w);
		return;
	}
	w->in.len += (size_t)r;
	k = netstring_parse(w->in.p, w->in.len, JOBOUT_MAX, &off, &plen, &used);
	if (k == NETSTRING_SYNTAX || k == NETSTRING_TOOLONG ||
	    (k == NETSTRING_OK && used != w->in.len)) {
		log_warn("malformed reply from quail-remote %d", (int)w->pid);
		w_kill(w, "4.3.0 quail-remote: protocol error");
	} else if (k == NETSTRING_OK) {
		w_reply(w, w->in.p + off, plen);
		buf_reset(&w->in);
	}
}

static void
w_write(struct worker *w)
{
	ssize_t r = write(w->req, w->out.p, w->out.len);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r < 0) { /* it died: its end of output tells the rest */
		retire(w);
		return;
	}
	memmove(w->out.p, w->out.p + r, w->out.len - (size_t)r);
	w->out.len -= (size_t)r;
}

/* Forget workers that exited and whose output is closed; a job still
 * on one gets the fallback result. */
static void
w_collect(void)
{
	size_t i;

	for (i = S.nwk; i-- > 0;) {
		struct worker *w = S.wk[i];

		if (!w->exited || w->res >= 0)
			continue;
		if (w->job) {
			w->job->status = w->status;
			w->job->w = NULL;
			finish(w->job);
		}
		retire(w);
		buf_free(&w->in);
		free(w);
		memmove(
		    &S.wk[i], &S.wk[i + 1], (S.nwk - i - 1) * sizeof S.wk[0]);
		S.nwk--;
	}
}

/* Live workers of dom (all domains when dom is NULL). */
static unsigned
w_count(const char *dom)
{
	unsigned c = 0;
	size_t i;

	for (i = 0; i < S.nwk; i++)
		c += !S.wk[i]->retired &&
		     (dom == NULL || strcmp(S.wk[i]->domain, dom) == 0);
	return c;
}

static struct worker *
w_idle(const char *dom)
{
	size_t i;

	for (i = 0; i < S.nwk; i++)
		if (!S.wk[i]->retired && S.wk[i]->job == NULL &&
		    (dom == NULL || strcmp(S.wk[i]->domain, dom) == 0))
			return S.wk[i];
	return NULL;
}

/* A worker for a waiting job, or NULL: the job waits. */
static struct worker *
w_for(const char *dom)
{
	struct worker *w = w_idle(dom);

	if (w != NULL)
		return w;
	if (w_count(dom) >= S.perdomain)
		return NULL;
	if (w_count(NULL) >= S.total) {
		if ((w = w_idle(NULL)) == NULL)
			return NULL;
		retire(w); /* an idle session elsewhere makes room */
	}
	return w_spawn(dom);
}

static void
start_ready(void)
{
	struct worker *w;
	size_t i;

	for (i = 0; i < S.njob; i++)
		if (S.job[i]->w == NULL &&
		    (w = w_for(S.job[i]->domain)) != NULL)
			w_send(w, S.job[i]);
}

/* EOF or TERM: waiting jobs are answered "try later", idle workers
 * retired. */
static void
stop_waiting(void)
{
	size_t i;

	S.eof = true;
	for (i = S.njob; i-- > 0;)
		if (S.job[i]->w == NULL) {
			S.job[i]->fail = "4.3.0 quail-rspawn is stopping";
			finish(S.job[i]);
		}
	for (i = 0; i < S.nwk; i++)
		if (S.wk[i]->job == NULL)
			retire(S.wk[i]);
}

static void
reap(void)
{
	pid_t pid;
	int st;
	size_t i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (i = 0; i < S.nwk; i++)
			if (S.wk[i]->pid == pid) {
				S.wk[i]->exited = true;
				S.wk[i]->status = st;
			}
}

static void
read_requests(void)
{
	size_t off, plen, used, done = 0;
	ssize_t r;
	enum netstring_res k;

	if (buf_ready(&S.in, 8192) < 0)
		die_nomem();
	r = read(0, S.in.p + S.in.len, S.in.cap - S.in.len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		if (r < 0)
			log_warn("reading requests: %s", strerror(errno));
		stop_waiting();
		return;
	}
	S.in.len += (size_t)r;
	while ((k = netstring_parse(S.in.p + done, S.in.len - done, REQ_MAX,
	            &off, &plen, &used)) == NETSTRING_OK) {
		request((char *)S.in.p + done + off, plen);
		done += used;
	}
	if (k != NETSTRING_MORE)
		die(EXIT_TEMP, "malformed netstring from quail-send");
	memmove(S.in.p, S.in.p + done, S.in.len - done);
	S.in.len -= done;
}

static void
write_replies(void)
{
	ssize_t r = write(1, S.out.p, S.out.len);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r < 0) {
		log_warn("writing replies: %s", strerror(errno));
		S.wfail = true;
		buf_reset(&S.out);
		return;
	}
	memmove(S.out.p, S.out.p + r, S.out.len - (size_t)r);
	S.out.len -= (size_t)r;
}

static void
signals(void)
{
	unsigned char b[64];
	ssize_t r, i;

	while ((r = read(S.sigr, b, sizeof b)) > 0)
		for (i = 0; i < r; i++)
			if (b[i] == 'T' && !S.eof)
				stop_waiting();
	reap();
}

/* When poll must return at the latest: a job's deadline or the end of
 * a worker's idle time. */
static int
wait_ms(void)
{
	time_t now = time(NULL), first = now + 3600, t;
	size_t i;

	for (i = 0; i < S.nwk; i++) {
		struct worker *w = S.wk[i];

		if (w->job)
			t = w->job->fail ? first : w->job->deadline;
		else
			t = w->retired ? first : w->idle + IDLE_SECS;
		if (t < first)
			first = t;
	}
	return first > now ? (int)(first - now) * 1000 : 0;
}

/* Poll set: [0] signals, [1] requests, [2] replies, then per worker
 * its output and, with a request pending, its input. */
static int
poll_once(void)
{
	static struct pollfd pf[2 * WORKERS_MAX + 3];
	static struct worker *who[2 * WORKERS_MAX + 3];
	size_t i, n = 3;

	pf[0] = (struct pollfd){S.sigr, POLLIN, 0};
	pf[1] = (struct pollfd){S.eof ? -1 : 0, POLLIN, 0};
	pf[2] = (struct pollfd){S.out.len && !S.wfail ? 1 : -1, POLLOUT, 0};
	for (i = 0; i < S.nwk; i++) {
		struct worker *w = S.wk[i];

		if (w->res >= 0) {
			who[n] = w;
			pf[n++] = (struct pollfd){w->res, POLLIN, 0};
		}
		if (w->req >= 0 && w->out.len > 0) {
			who[n] = w;
			pf[n++] = (struct pollfd){w->req, POLLOUT, 0};
		}
	}
	if (poll(pf, (nfds_t)n, wait_ms()) < 0 && errno != EINTR)
		return -1;
	if (pf[0].revents)
		signals();
	for (i = 3; i < n; i++) {
		if (!pf[i].revents)
			continue;
		if (pf[i].events == POLLIN && who[i]->res == pf[i].fd)
			w_read(who[i]);
		else if (pf[i].events == POLLOUT && who[i]->req == pf[i].fd)
			w_write(who[i]);
	}
	if (pf[1].revents && !S.eof)
		read_requests();
	if (pf[2].revents)
		write_replies();
	return 0;
}

/* Jobs past their deadline; workers idle too long. */
static void
timeouts(void)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < S.nwk; i++) {
		struct worker *w = S.wk[i];

		if (w->job && w->job->deadline <= now && !w->job->fail)
			w_kill(w, "4.4.2 quail-remote timed out; killed");
		else if (!w->job && !w->retired && w->idle + IDLE_SECS <= now)
			retire(w);
	}
}

int
rspawn_main(unsigned perdomain, unsigned total, unsigned long timeout)
{
	int sp[2];

	S.perdomain = perdomain;
	S.total = total;
	S.timeout = timeout;
	buf_init(&S.in, REQ_MAX * 16);
	buf_init(&S.out, (size_t)SLOTS * 4200);
	if (proc_pipe(sp) < 0 || proc_nonblock(sp[0], true) < 0 ||
	    proc_nonblock(sp[1], true) < 0 || proc_nonblock(0, true) < 0 ||
	    proc_nonblock(1, true) < 0)
		die_sys(EXIT_TEMP, "unable to set up descriptors");
	S.sigr = sp[0];
	S.sigw = sp[1];
	sig_ignore(SIGPIPE);
	sig_catch(SIGCHLD, on_signal, true);
	sig_catch(SIGTERM, on_signal, true);
	while (
	    !S.eof || S.njob > 0 || S.nwk > 0 || (S.out.len > 0 && !S.wfail)) {
		if (poll_once() < 0)
			die_sys(EXIT_TEMP, "poll");
		reap();
		timeouts();
		w_collect();
		if (!S.eof)
			start_ready();
	}
	return S.wfail ? EXIT_TEMP : 0;
}
