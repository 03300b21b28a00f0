/* deliver.c: the two lanes per channel, dispatch to the spawns, and the
 * results (sendd.h).  Fairness: first attempts wait in the fresh lane
 * (FIFO), retries in a heap by due time; when both have work, three of
 * every four free slots go to fresh mail, so new mail never waits
 * behind a backlog of retries, and retries still make progress. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "die.h"
#include "fmt.h"
#include "netstring.h"
#include "sendd.h"

#define FAVOUR_FRESH 3

static int
lane_push(struct lane *l, struct job j)
{
	struct job *n;
	size_t i, cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		n = malloc(cap * sizeof *n);
		if (n == NULL)
			return -1;
		for (i = 0; i < l->n; i++)
			n[i] = l->j[(l->head + i) % l->cap];
		free(l->j);
		l->j = n;
		l->cap = cap;
		l->head = 0;
	}
	l->j[(l->head + l->n++) % l->cap] = j;
	return 0;
}

/* Queues recipient i of m; entries of an older generation become stale. */
void
lane_queue(struct sendd *s, struct msg *m, size_t i, bool fresh,
    unsigned long long due)
{
	struct rcpt *r = &m->r[i];
	struct chan *c = &s->ch[r->chan];
	struct job j = {due, m, i, ++r->gen};

	r->where = fresh ? W_FRESH : W_RETRY;
	if ((fresh ? lane_push(&c->fresh, j) : heap_push(&c->retry, j)) < 0)
		die_nomem();
	m->refs++;
}

/* Every pending recipient of m (or of every message) due now: ALRM,
 * quail-ctl queue retry, release from hold. */
void
deliver_requeue_all(struct sendd *s, struct msg *only)
{
	struct msg *m;
	size_t i;

	for (m = only ? only : s->all; m; m = only ? NULL : m->next)
		for (i = 0; i < m->n; i++)
			if (m->r[i].state == R_PENDING && !m->r[i].inflight)
				lane_queue(s, m, i, false, s->now);
}

static bool
valid(struct job *j)
{
	struct msg *m = j->msg;
	struct rcpt *r = &m->r[j->idx];

	return !m->dead && r->gen == j->gen && r->state == R_PENDING &&
	       !r->inflight;
}

/* The next job for channel c, or false. */
static bool
next_job(struct sendd *s, struct chan *c, struct job *out)
{
	const struct job *t;
	bool fresh;

	for (;;) {
		t = heap_top(&c->retry);
		fresh = c->fresh.n > 0 && (t == NULL || t->due > s->now ||
		                              c->favour < FAVOUR_FRESH);
		if (fresh) {
			*out = c->fresh.j[c->fresh.head];
			c->fresh.head = (c->fresh.head + 1) % c->fresh.cap;
			c->fresh.n--;
			c->favour++;
		} else if (t && t->due <= s->now) {
			*out = *t;
			heap_pop(&c->retry);
			c->favour = 0;
		} else {
			return false;
		}
		if (valid(out)) {
			struct msg *m = out->msg;

			m->r[out->idx].where = W_NONE;
			if (!m->held)
				return true;
		}
		msg_unref(s, out->msg);
	}
}

static void
start(struct sendd *s, struct chan *c, struct msg *m, size_t i)
{
	struct rcpt *r = &m->r[i];
	unsigned slot = c->freeslot[--c->nfree];
	struct spawn_req q = {slot, m->id, m->split, m->offset, m->sender,
	    r->addr, r->local ? r->local : ""};

	if (proto_request(&c->out, &q) < 0) {
		c->freeslot[c->nfree++] = slot;
		rcpt_result(s, m, i, 'D', "5.1.3 address too long", 22);
		msg_settle(s, m);
		return;
	}
	c->slots[slot].m = m;
	c->slots[slot].idx = i;
	c->slots[slot].no = ++s->delivery_no;
	c->busy++;
	r->inflight = true;
	m->inflight++;
	m->refs++;
	log_info("%s starting delivery %llu: to %s %s", m->id, s->delivery_no,
	    c->name, r->addr);
}

void
deliver_dispatch(struct sendd *s)
{
	struct job j;
	int k;

	for (k = 0; k < NCHAN; k++) {
		struct chan *c = &s->ch[k];

		while (!s->stopping && c->busy < c->conc && c->nfree > 0 &&
		       next_job(s, c, &j)) {
			struct msg *m = j.msg;

			if (c->up) {
				start(s, c, m, j.idx);
			} else {
				log_info("%s delivery to %s: deferral: no "
				         "remote delivery program",
				    m->id, m->r[j.idx].addr);
				rcpt_result(s, m, j.idx, 'Z',
				    "4.3.0 no remote delivery program", 32);
				msg_settle(s, m);
			}
			msg_unref(s, m);
		}
	}
}

/* The state lines of m's recipients [from, to) (all states, or only
 * those in state only unless it is 0xff) into b. */
static void
info_lines(
    struct msg *m, size_t from, size_t to, unsigned char only, struct buf *b)
{
	struct rinfo ri;
	size_t i;

	for (i = from; i < to; i++) {
		struct rcpt *r = &m->r[i];

		if (only != 0xff && r->state != only)
			continue;
		ri.state = r->state;
		ri.attempts = r->attempts;
		ri.next = r->next;
		ri.last = r->last;
		ri.text = r->text ? r->text : "";
		ri.tlen = strlen(ri.text);
		if (info_line(b, i, &ri) < 0)
			die_nomem();
	}
}

/* The info file only grows (a line per attempt per recipient); once it
 * is over INFO_COMPACT and twice its size after the last rewrite, it is
 * rewritten with one line per recipient (ID.new, then rename: a crash
 * leaves the old file or the new one), so it stays far below what a
 * load reads (queue.c INFO_MAX). */
#define INFO_COMPACT (4 * 1024 * 1024)

static void
info_compact(struct sendd *s, struct msg *m, const char *path)
{
	struct buf b = BUF_INIT(64 * 1024 * 1024), tmp = BUF_INIT(160);
	int fd;

	if (info_header(&b, s->now) < 0)
		die_nomem();
	info_lines(m, 0, m->n, 0xff, &b);
	if (buf_printf(&tmp, "%s.new", path) < 0 || buf_cstr(&tmp) < 0)
		die_nomem();
	fd = open((const char *)tmp.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len ||
	    close(fd) < 0 || rename((const char *)tmp.p, path) < 0) {
		log_line("error", "%s: cannot rewrite %s: %s", m->id, path,
		    strerror(errno));
		(void)unlink((const char *)tmp.p);
	} else {
		m->info_len = m->info_base = b.len;
	}
	buf_free(&b);
	buf_free(&tmp);
}

void
info_append(
    struct sendd *s, struct msg *m, size_t from, size_t to, unsigned char only)
{
	struct buf b = BUF_INIT(64 * 1024 * 1024), path = BUF_INIT(128);
	int fd;

	info_lines(m, from, to, only, &b);
	if (buf_printf(&path, "info/%u/%s", m->split, m->id) < 0 ||
	    buf_cstr(&path) < 0)
		die_nomem();
	fd = open((const char *)path.p, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write(fd, b.p, b.len) != (ssize_t)b.len)
		log_line("error", "%s: cannot append to %s: %s", m->id,
		    (const char *)path.p, strerror(errno));
	else
		m->info_len += b.len;
	if (fd >= 0)
		close(fd);
	if (m->info_len > INFO_COMPACT && m->info_len / 2 > m->info_base)
		info_compact(s, m, (const char *)path.p);
	buf_free(&b);
	buf_free(&path);
}

static char *
dupn(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		die_nomem();
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* Records a result for recipient i: 'K' done, 'D' failed, 'Z' deferred
 * (failed once past queuelifetime), 'X' ended by the admin (no bounce).
 * Appends the info line; the caller calls msg_settle. */
void
rcpt_result(struct sendd *s, struct msg *m, size_t i, char st, const char *text,
    size_t tlen)
{
	struct rcpt *r = &m->r[i];
	struct buf t = BUF_INIT(PROTO_TEXT_MAX + 100);

	free(r->text);
	r->last = s->now;
	if (st != 'X')
		r->attempts++;
	if (st == 'Z' && sched_expired(m->arrival, s->lifetime, s->now)) {
		if (buf_cats(&t,
		        "4.4.7 message expired in queue; last error: ") < 0 ||
		    buf_cat(&t, text, tlen) < 0 || buf_cstr(&t) < 0)
			die_nomem();
		text = (const char *)t.p;
		tlen = t.len;
		st = 'D';
	}
	r->text = dupn(text, tlen);
	r->state = st == 'K'   ? R_DONE
	           : st == 'D' ? R_FAILED
	           : st == 'X' ? R_BOUNCED
	                       : R_PENDING;
	if (st == 'Z') {
		r->next = sched_next(
		    m->arrival, r->attempts, s->ch[r->chan].skip, s->now);
		lane_queue(s, m, i, false, r->next);
	} else {
		r->next = 0;
	}
	info_append(s, m, i, i + 1, 0xff);
	buf_free(&t);
}

static void
reply(struct sendd *s, struct chan *c, unsigned slot, char st, struct str t)
{
	struct slot *sl = &c->slots[slot];
	struct msg *m = sl->m;
	struct rcpt *r = &m->r[sl->idx];

	log_info("%s delivery %llu to %s: %s: %.*s", m->id, sl->no, r->addr,
	    st == 'K'   ? "success"
	    : st == 'D' ? "failure"
	                : "deferral",
	    (int)t.len, t.p);
	r->inflight = false;
	m->inflight--;
	c->busy--;
	sl->m = NULL;
	c->freeslot[c->nfree++] = slot;
	rcpt_result(s, m, sl->idx, st, t.p, t.len);
	msg_settle(s, m);
	msg_unref(s, m);
}

int
deliver_replies(struct sendd *s, int k)
{
	struct chan *c = &s->ch[k];
	struct str pl, text;
	size_t used, poff, plen, off = 0;
	unsigned slot;
	char st;
	ssize_t r;
	enum netstring_res res;

	if (buf_ready(&c->in, 8192) < 0) {
		log_line("error", "reply buffer: %s", strerror(errno));
		return -1;
	}
	r = read(c->rfd, c->in.p + c->in.len, c->in.cap - c->in.len - 1);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0) {
		log_line("error", "quail-%cspawn %s", c->name[0],
		    r ? "read error" : "exited");
		return -1;
	}
	c->in.len += (size_t)r;
	while ((res = netstring_parse(c->in.p + off, c->in.len - off,
	            PROTO_REP_MAX, &poff, &plen, &used)) == NETSTRING_OK) {
		pl.p = (const char *)c->in.p + off + poff;
		pl.len = plen;
		off += used;
		if (proto_reply(pl, &slot, &st, &text) < 0 ||
		    c->slots[slot].m == NULL) {
			log_line("error", "bad reply from quail-%cspawn",
			    c->name[0]);
			return -1;
		}
		reply(s, c, slot, st, text);
	}
	memmove(c->in.p, c->in.p + off, c->in.len - off);
	c->in.len -= off;
	if (res != NETSTRING_MORE) {
		log_line("error", "bad record from quail-%cspawn", c->name[0]);
		return -1;
	}
	return 0;
}

/* The spawn is gone: what it was doing is deferred, to be done again. */
void
deliver_lost(struct sendd *s, int k)
{
	struct chan *c = &s->ch[k];
	struct str t = {"4.3.0 delivery program exited", 29};
	unsigned i;

	for (i = 0; i < SLOTS_MAX; i++)
		if (c->slots[i].m)
			reply(s, c, i, 'Z', t);
	c->up = false;
}

/* Milliseconds until the next retry or timer is due; -1: none. */
long
deliver_timeout(struct sendd *s)
{
	unsigned long long due = 0;
	const struct job *t;
	int k;

	for (k = 0; k < NCHAN; k++) {
		t = heap_top(&s->ch[k].retry);
		if (s->ch[k].busy < s->ch[k].conc && t &&
		    (!due || t->due < due))
			due = t->due;
		if (s->ch[k].fresh.n && s->ch[k].busy < s->ch[k].conc)
			return 0;
	}
	t = heap_top(&s->later);
	if (t && (!due || t->due < due))
		due = t->due;
	if (!due)
		return -1;
	return due <= s->now ? 0 : (long)(due - s->now) * 1000;
}
