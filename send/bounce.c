/* bounce.c: what happens once recipients are finished (sendd.h).
 * Failed recipients are bounced as soon as no delivery of the message
 * is running; a message whose recipients are all done or bounced is
 * removed: quail-clean (as quailq) unlinks mess/NN/ID and todo/ID, then
 * we unlink info/NN/ID.  A bounce is injected through HOME/bin/quail-queue
 * (message on its fd 0, envelope on its fd 1), with sender <>; the bounce
 * of a <> message goes to doublebounceto with sender #@[] (qmail), and a
 * failure of that is only logged. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "auto.h"
#include "die.h"
#include "fmt.h"
#include "io.h"
#include "proc.h"
#include "sendd.h"

#define HEADERS_MAX    (64 * 1024)
#define RETRY_SETTLE   300 /* seconds before a failed bounce/clean is retried */
#define INJECT_TIMEOUT 120

static void
later(struct sendd *s, struct msg *m)
{
	struct job j = {s->now + RETRY_SETTLE, m, 0, 0};

	if (heap_push(&s->later, j) < 0)
		die_nomem();
	m->refs++;
}

/* Runs quail-queue with the message in msg and the envelope in env. */
static int
inject(const struct buf *msg, const struct buf *env)
{
	struct buf prog = BUF_INIT(4096);
	int pm[2], pe[2], st;
	pid_t pid;
	bool ok;

	if (buf_printf(&prog, "%s/bin/quail-queue", auto_home) < 0 ||
	    buf_cstr(&prog) < 0 || proc_pipe(pm) < 0)
		die_nomem();
	if (proc_pipe(pe) < 0)
		die_nomem();
	pid = fork();
	if (pid < 0) {
		close(pm[0]), close(pm[1]), close(pe[0]), close(pe[1]);
		buf_free(&prog);
		return -1;
	}
	if (pid == 0) {
		char *argv[] = {(char *)prog.p, NULL};

		close(pm[1]);
		close(pe[1]);
		if (proc_move(pm[0], 0) < 0 || proc_move(pe[0], 1) < 0)
			_exit(111);
		execv((const char *)prog.p, argv);
		_exit(111);
	}
	close(pm[0]);
	close(pe[0]);
	ok = io_writeall(pm[1], msg->p, msg->len, INJECT_TIMEOUT) == 0;
	close(pm[1]);
	ok = ok && io_writeall(pe[1], env->p, env->len, INJECT_TIMEOUT) == 0;
	close(pe[1]);
	buf_free(&prog);
	if (proc_wait(pid, &st) < 0)
		return -1;
	return ok && proc_exitcode(st) == 0 ? 0 : -1;
}

static size_t
read_headers(struct msg *m, unsigned char *h)
{
	struct buf p = BUF_INIT(128);
	ssize_t r = 0;
	int fd;

	if (buf_printf(&p, "mess/%u/%s", m->split, m->id) < 0 ||
	    buf_cstr(&p) < 0)
		die_nomem();
	fd = open((const char *)p.p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = pread(fd, h, HEADERS_MAX, (off_t)m->offset);
		close(fd);
	}
	buf_free(&p);
	return r > 0 ? dsn_headers(h, (size_t)r, HEADERS_MAX) : 0;
}

/* Builds and injects the DSN for the failed recipients of m. */
static int
bounce(struct sendd *s, struct msg *m, const char *to, const char *from)
{
	struct buf msg = BUF_INIT(1024 * 1024 * 16), env = BUF_INIT(4096);
	struct buf bnd = BUF_INIT(128);
	struct dsn_rcpt *dr = calloc(m->n, sizeof *dr);
	unsigned char *h = malloc(HEADERS_MAX);
	struct dsn d = {0};
	size_t i;
	int rc;

	if (dr == NULL || h == NULL)
		die_nomem();
	for (i = 0; i < m->n; i++)
		if (m->r[i].state == R_FAILED) {
			dr[d.nr].addr = m->r[i].addr;
			dr[d.nr].text = m->r[i].text ? m->r[i].text : "";
			dr[d.nr++].last = m->r[i].last;
		}
	if (buf_printf(&bnd, "quail-%s-%llu-bounce", m->id, s->now) < 0 ||
	    buf_cstr(&bnd) < 0)
		die_nomem();
	d.me = (const char *)s->me.p;
	d.to = to;
	d.id = m->id;
	d.boundary = (const char *)bnd.p;
	d.arrival = m->arrival;
	d.now = s->now;
	d.r = dr;
	d.headers = h;
	d.hlen = read_headers(m, h);
	if (dsn_build(&msg, &d) < 0 || buf_printf(&env, "F%s", from) < 0 ||
	    buf_catc(&env, 0) < 0 || buf_printf(&env, "T%s", to) < 0 ||
	    buf_catc(&env, 0) < 0 || buf_catc(&env, 0) < 0)
		die_nomem();
	rc = inject(&msg, &env);
	buf_free(&msg);
	buf_free(&env);
	buf_free(&bnd);
	free(dr);
	free(h);
	return rc;
}

/* Failed recipients: bounce them (or drop the report), mark them bounced.
 * -1 if the bounce could not be queued (retried later). */
static int
report(struct sendd *s, struct msg *m)
{
	const char *to = m->sender, *from = "";
	size_t i;

	if (*to == '\0') {
		to = (const char *)s->dbto.p;
		from = "#@[]";
	}
	if (strcmp(m->sender, "#@[]") == 0 || *to == '\0') {
		log_info("%s: triple bounce: discarding the report", m->id);
	} else if (bounce(s, m, to, from) < 0) {
		log_line("error",
		    "%s: cannot queue the bounce to <%s>, will "
		    "retry",
		    m->id, to);
		return -1;
	} else {
		log_info("%s: bounce to <%s> queued", m->id, to);
	}
	for (i = 0; i < m->n; i++)
		if (m->r[i].state == R_FAILED)
			m->r[i].state = R_BOUNCED;
	info_append(s, m, 0, m->n, R_BOUNCED);
	return 0;
}

void
msg_settle(struct sendd *s, struct msg *m)
{
	size_t i;
	bool failed = false, open = false;

	if (m->inflight > 0 || m->cleaning || m->dead || s->stopping)
		return;
	for (i = 0; i < m->n; i++) {
		failed |= m->r[i].state == R_FAILED;
		open |= m->r[i].state == R_PENDING;
	}
	if (failed && report(s, m) < 0) {
		later(s, m);
		return;
	}
	if (open)
		return;
	if (s->cleanw < 0 || buf_cats(&s->cout, m->id) < 0 ||
	    buf_catc(&s->cout, '\n') < 0) {
		log_line("error", "%s: cannot ask quail-clean", m->id);
		later(s, m);
		return;
	}
	m->cleaning = true;
}

void
later_run(struct sendd *s)
{
	const struct job *t;
	struct msg *m;

	while ((t = heap_top(&s->later)) != NULL && t->due <= s->now) {
		m = t->msg;
		heap_pop(&s->later);
		msg_settle(s, m);
		msg_unref(s, m);
	}
}

static void
cleaned(struct sendd *s, const char *line, size_t n)
{
	struct buf p = BUF_INIT(128);
	char id[QID_MAX];
	size_t k = str_chr(line + 1, n - 1, ' ');
	struct msg *m;

	if (k == 0 || k >= QID_MAX)
		return;
	memcpy(id, line + 1, k);
	id[k] = '\0';
	m = msg_find(s, id);
	if (m == NULL || !m->cleaning)
		return;
	m->cleaning = false;
	if (line[0] != '+') {
		log_line("error", "%s: quail-clean: %.*s", id, (int)(n - 1),
		    line + 1);
		later(s, m);
		return;
	}
	if (buf_printf(&p, "info/%u/%s", m->split, m->id) < 0 ||
	    buf_cstr(&p) < 0)
		die_nomem();
	if (unlink((const char *)p.p) < 0 && errno != ENOENT)
		log_line("error", "%s: cannot remove %s: %s", id,
		    (const char *)p.p, strerror(errno));
	log_info("%s: end msg", id);
	buf_free(&p);
	msg_free(s, m);
}

/* Replies from quail-clean: "+ID" or "-ID reason", one a line. */
void
clean_replies(struct sendd *s)
{
	size_t off = 0, k;
	ssize_t r;

	if (buf_ready(&s->cin, 4096) < 0) {
		s->cin.len = 0;
		return;
	}
	r = read(s->cleanr, s->cin.p + s->cin.len, s->cin.cap - s->cin.len - 1);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		log_line("error", "quail-clean is gone");
		close(s->cleanr);
		s->cleanr = -1;
		return;
	}
	if (r > 0)
		s->cin.len += (size_t)r;
	while ((k = str_chr(s->cin.p + off, s->cin.len - off, '\n')) <
	       s->cin.len - off) {
		if (k > 1)
			cleaned(s, (const char *)s->cin.p + off, k);
		off += k + 1;
	}
	memmove(s->cin.p, s->cin.p + off, s->cin.len - off);
	s->cin.len -= off;
}
