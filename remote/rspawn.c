/* rspawn.c: quail-rspawn's loop.  Requests (one per recipient, the spawn
 * protocol of doc/ARCHITECTURE.md) for the same message, sender and
 * domain that are waiting together become one job: one quail-remote,
 * one SMTP transaction, up to RCPT_MAX recipients.  At most perdomain
 * jobs per domain run at once; the others wait here.  Each job's
 * results come back on a pipe, one per recipient, and each slot gets
 * its own reply.  quail-send is trusted, but every request is bounded
 * and checked. */
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
#include "proc.h"
#include "qid.h"
#include "remote.h"
#include "scan.h"
#include "sig.h"
#include "str.h"

#define REQ_MAX    8192 /* request payload */
#define SLOTS      1000 /* slots a spawn must cope with */
#define TEXT_MAX   1000 /* reply text */
#define JOBOUT_MAX (RCPT_MAX * (RESULT_MAX + 2))

struct rjob {
	bool running, exited;
	char id[QID_MAX];
	char path[64];
	unsigned long long off;
	char sender[1024];
	char domain[256];
	size_t n;
	unsigned slot[RCPT_MAX];
	char *rcpt[RCPT_MAX];
	pid_t pid;
	int out, status;
	struct buf res;
	time_t deadline;
	const char *fail; /* text when quail-remote gave no result */
};

struct rspawn {
	struct rjob *job[SLOTS]; /* arrival order, waiting and running */
	size_t njob;
	bool busy[SLOTS];
	unsigned perdomain;
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
	if (buf_catu(&S.out, p.len) < 0 || buf_catc(&S.out, ':') < 0 ||
	    buf_cat(&S.out, p.p, p.len) < 0 || buf_catc(&S.out, ',') < 0)
		die_nomem();
	buf_free(&p);
	S.busy[slot] = false;
}

int
rs_netstring(const unsigned char *p, size_t len, size_t max, size_t *off_r,
    size_t *plen_r, size_t *used_r)
{
	size_t i = 0, n = 0;

	while (i < len && p[i] >= '0' && p[i] <= '9') {
		if (i >= 5 || (i == 1 && p[0] == '0'))
			return -1;
		n = n * 10 + (size_t)(p[i] - '0');
		i++;
	}
	if (i == len)
		return i > 5 ? -1 : 0;
	if (i == 0 || p[i] != ':' || n > max)
		return -1;
	if (len - i - 1 < n + 1)
		return 0;
	if (p[i + 1 + n] != ',')
		return -1;
	*off_r = i + 1;
	*plen_r = n;
	*used_r = i + 2 + n;
	return 1;
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
		if (!j->running && j->n < RCPT_MAX && strcmp(j->id, id) == 0 &&
		    strcmp(j->sender, sender) == 0 &&
		    strcmp(j->domain, dom) == 0)
			return j;
	}
	if (S.njob >= SLOTS || (j = calloc(1, sizeof *j)) == NULL)
		die_nomem();
	j->out = -1;
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

static unsigned
running_for(const char *dom)
{
	unsigned c = 0;
	size_t i;

	for (i = 0; i < S.njob; i++)
		c += S.job[i]->running && strcmp(S.job[i]->domain, dom) == 0;
	return c;
}

/* In the child: the message on fd 0, results on fd 1, exec. */
static _Noreturn void
child(struct rjob *j, int w)
{
	static char *argv[RCPT_MAX + 4];
	struct buf path = BUF_INIT(128);
	int fd;
	size_t i;

	if (buf_cats(&path, "queue/") < 0 || buf_cats(&path, j->path) < 0 ||
	    buf_cstr(&path) < 0)
		die_nomem();
	if ((fd = open((char *)path.p, O_RDONLY | O_CLOEXEC)) < 0)
		die_sys(EXIT_TEMP, "%s: unable to open %s", j->id, j->path);
	if (lseek(fd, (off_t)j->off, SEEK_SET) < 0 || proc_move(fd, 0) < 0 ||
	    proc_move(w, 1) < 0)
		die_sys(EXIT_TEMP, "%s: unable to set up quail-remote", j->id);
	sig_default(SIGPIPE);
	argv[0] = "quail-remote";
	argv[1] = j->domain;
	argv[2] = j->sender;
	for (i = 0; i < j->n; i++)
		argv[3 + i] = j->rcpt[i];
	argv[3 + j->n] = NULL;
	execv("bin/quail-remote", argv);
	die_sys(EXIT_TEMP, "unable to run bin/quail-remote");
}

static void
start(struct rjob *j)
{
	int pi[2];

	if (proc_pipe(pi) < 0) {
		log_warn("%s: unable to make a pipe", j->id);
		return; /* try again on the next turn */
	}
	j->pid = fork();
	if (j->pid < 0) {
		close(pi[0]);
		close(pi[1]);
		log_warn("%s: unable to fork", j->id);
		return;
	}
	if (j->pid == 0) {
		close(pi[0]);
		close(S.sigr);
		close(S.sigw);
		child(j, pi[1]);
	}
	close(pi[1]);
	proc_nonblock(pi[0], true);
	j->out = pi[0];
	j->running = true;
	j->deadline = time(NULL) + (time_t)S.timeout;
}

static void
start_ready(void)
{
	size_t i;

	for (i = 0; i < S.njob; i++)
		if (!S.job[i]->running &&
		    running_for(S.job[i]->domain) < S.perdomain)
			start(S.job[i]);
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

/* Replies for every slot of job i, then forget it. */
static void
finish(size_t i)
{
	struct rjob *j = S.job[i];
	const char *t;
	size_t k, n;
	char st;

	for (k = 0; k < j->n; k++) {
		job_result(j, k, &st, &t, &n);
		reply(j->slot[k], st, t, n);
		log_info("%s slot %u %s: %c %.*s", j->id, j->slot[k],
		    j->rcpt[k], st, (int)(n > TEXT_MAX ? TEXT_MAX : n), t);
		free(j->rcpt[k]);
	}
	buf_free(&j->res);
	free(j);
	memmove(&S.job[i], &S.job[i + 1], (S.njob - i - 1) * sizeof S.job[0]);
	S.njob--;
}

/* EOF or TERM: waiting jobs are answered "try later". */
static void
stop_waiting(void)
{
	size_t i;

	S.eof = true;
	for (i = S.njob; i-- > 0;)
		if (!S.job[i]->running) {
			S.job[i]->fail = "4.3.0 quail-rspawn is stopping";
			finish(i);
		}
}

static void
reap(void)
{
	pid_t pid;
	int st;
	size_t i;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (i = 0; i < S.njob; i++)
			if (S.job[i]->running && S.job[i]->pid == pid) {
				S.job[i]->exited = true;
				S.job[i]->status = st;
			}
}

static void
read_job(struct rjob *j)
{
	char b[4096];
	ssize_t r;

	while ((r = read(j->out, b, sizeof b)) > 0)
		if (buf_cat(&j->res, b, (size_t)r) < 0)
			break; /* over the bound: the rest is dropped */
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR) || r > 0) {
		close(j->out);
		j->out = -1;
	}
}

static void
read_requests(void)
{
	size_t off, plen, used, done = 0;
	ssize_t r;
	int k;

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
	while ((k = rs_netstring(S.in.p + done, S.in.len - done, REQ_MAX, &off,
	            &plen, &used)) == 1) {
		request((char *)S.in.p + done + off, plen);
		done += used;
	}
	if (k < 0)
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

/* Poll set: [0] signals, [1] requests, [2] replies, then job pipes. */
static int
poll_once(void)
{
	static struct pollfd pf[SLOTS + 3];
	static struct rjob *who[SLOTS + 3];
	time_t now = time(NULL), first = now + 3600;
	size_t i, n = 3;

	pf[0] = (struct pollfd){S.sigr, POLLIN, 0};
	pf[1] = (struct pollfd){S.eof ? -1 : 0, POLLIN, 0};
	pf[2] = (struct pollfd){S.out.len && !S.wfail ? 1 : -1, POLLOUT, 0};
	for (i = 0; i < S.njob; i++) {
		struct rjob *j = S.job[i];

		if (j->running && j->deadline < first)
			first = j->deadline;
		if (j->out >= 0) {
			who[n] = j;
			pf[n++] = (struct pollfd){j->out, POLLIN, 0};
		}
	}
	if (poll(pf, (nfds_t)n, first > now ? (int)(first - now) * 1000 : 0) <
	        0 &&
	    errno != EINTR)
		return -1;
	if (pf[0].revents)
		signals();
	for (i = 3; i < n; i++)
		if (pf[i].revents)
			read_job(who[i]);
	if (pf[1].revents && !S.eof)
		read_requests();
	if (pf[2].revents)
		write_replies();
	return 0;
}

static void
timeouts(void)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < S.njob; i++) {
		struct rjob *j = S.job[i];

		if (j->running && !j->exited && !j->fail &&
		    j->deadline <= now) {
			j->fail = "4.4.2 quail-remote timed out; killed";
			kill(j->pid, SIGKILL);
		}
	}
}

int
rspawn_main(unsigned perdomain, unsigned long timeout)
{
	int sp[2];
	size_t i;

	S.perdomain = perdomain;
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
	while (!S.eof || S.njob > 0 || (S.out.len > 0 && !S.wfail)) {
		if (poll_once() < 0)
			die_sys(EXIT_TEMP, "poll");
		reap();
		timeouts();
		for (i = S.njob; i-- > 0;)
			if (S.job[i]->exited && S.job[i]->out < 0)
				finish(i);
		if (!S.eof)
			start_ready();
	}
	return S.wfail ? EXIT_TEMP : 0;
}
