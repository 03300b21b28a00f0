/* queue.c: quail-send's view of HOME/queue (sendd.h): the message table,
 * loading a message (envelope + info file), todo/ pickup, the
 * incremental scan of mess/ and info/, and hold/ markers.
 * Paths are relative to HOME/queue (quail-send's cwd). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "addr.h"
#include "die.h"
#include "fmt.h"
#include "sendd.h"

#define INFO_MAX   (64 * 1024 * 1024)
#define TODO_BATCH 500
#define SCAN_BATCH 200

static unsigned
hash_id(const char *id)
{
	unsigned h = 2166136261u;

	while (*id)
		h = (h ^ (unsigned char)*id++) * 16777619u;
	return h % HASH_SIZE;
}

struct msg *
msg_find(struct sendd *s, const char *id)
{
	struct msg *m;

	for (m = s->hash[hash_id(id)]; m; m = m->hnext)
		if (strcmp(m->id, id) == 0)
			return m;
	return NULL;
}

static void
msg_insert(struct sendd *s, struct msg *m)
{
	unsigned h = hash_id(m->id);

	m->hnext = s->hash[h];
	s->hash[h] = m;
	m->prev = NULL;
	m->next = s->all;
	if (s->all)
		s->all->prev = m;
	s->all = m;
	s->nmsg++;
}

static void
msg_destroy(struct msg *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->r[i].addr);
		free(m->r[i].local);
		free(m->r[i].text);
	}
	free(m->r);
	free(m->sender);
	free(m);
}

/* Takes m out of the table; its memory goes once no entry refers to it. */
void
msg_free(struct sendd *s, struct msg *m)
{
	struct msg **pp = &s->hash[hash_id(m->id)];

	while (*pp && *pp != m)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = m->hnext;
	if (m->prev)
		m->prev->next = m->next;
	else
		s->all = m->next;
	if (m->next)
		m->next->prev = m->prev;
	s->nmsg--;
	m->dead = true;
	if (m->refs == 0)
		msg_destroy(m);
}

void
msg_unref(struct sendd *s, struct msg *m)
{
	(void)s;
	if (--m->refs == 0 && m->dead)
		msg_destroy(m);
}

static char *
dupstr(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		die_nomem();
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* Reads info/NN/ID into ri[0..n) or creates it.  0, or -1 (logged). */
static int
load_info(struct sendd *s, struct msg *m, struct buf *raw, struct rinfo *ri)
{
	struct buf path = BUF_INIT(128), h = BUF_INIT(64);
	int fd, rc = -1;
	ssize_t r;

	if (buf_printf(&path, "info/%u/%s", m->split, m->id) < 0 ||
	    buf_cstr(&path) < 0)
		die_nomem();
	fd = open((const char *)path.p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		while ((r = read(fd, raw->p + raw->len,
		            raw->cap - raw->len - 1)) > 0) {
			raw->len += (size_t)r;
			if (buf_ready(raw, 65536) < 0)
				break;
		}
		close(fd);
		if (r != 0) {
			log_line("error", "%s: cannot read %s: %s", m->id,
			    (const char *)path.p, strerror(errno));
			goto out;
		}
		if (info_replay(raw->p, raw->len, ri, m->n) == 0) {
			m->info_len = raw->len;
			rc = 0;
			goto out;
		}
		log_warn("%s: %s has no header, starting it afresh", m->id,
		    (const char *)path.p);
	} else if (errno != ENOENT) {
		log_line("error", "%s: cannot open %s: %s", m->id,
		    (const char *)path.p, strerror(errno));
		goto out;
	}
	fd = open((const char *)path.p,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || info_header(&h, s->now) < 0 ||
	    write(fd, h.p, h.len) != (ssize_t)h.len)
		log_line("error", "%s: cannot write %s: %s", m->id,
		    (const char *)path.p, strerror(errno));
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
out:
	buf_free(&path);
	buf_free(&h);
	return rc;
}

/* Fills m->r from the envelope; -1 when routing failed (temporary). */
static int
build_rcpts(struct sendd *s, struct msg *m, const struct envelope *e,
    const struct rinfo *ri)
{
	struct buf l = BUF_INIT(2 * ADDR_MAX + 2);
	size_t i;
	int r;

	for (i = 0; i < m->n; i++) {
		struct rcpt *rc = &m->r[i];

		rc->addr = dupstr(e->rcpt[i].p, e->rcpt[i].len);
		r = route_rcpt(&s->rt, e->rcpt[i].p, e->rcpt[i].len, &l);
		if (r < 0) {
			buf_free(&l);
			return -1;
		}
		rc->chan = r ? CH_LOCAL : CH_REMOTE;
		if (r)
			rc->local = dupstr((const char *)l.p, l.len);
		rc->state = (unsigned char)ri[i].state;
		rc->attempts = ri[i].attempts;
		rc->next = ri[i].next;
		rc->last = ri[i].last;
		if (ri[i].tlen)
			rc->text = dupstr(ri[i].text, ri[i].tlen);
	}
	buf_free(&l);
	return 0;
}

static void
unlink_todo(const char *id)
{
	struct buf p = BUF_INIT(64);

	if (buf_printf(&p, "todo/%s", id) < 0 || buf_cstr(&p) < 0)
		die_nomem();
	if (unlink((const char *)p.p) < 0 && errno != ENOENT)
		log_warn(
		    "cannot remove %s: %s", (const char *)p.p, strerror(errno));
	buf_free(&p);
}

static struct msg *
msg_new(struct sendd *s, const char *id, const struct envelope *e, int fd)
{
	struct msg *m = calloc(1, sizeof *m);
	struct stat st;

	if (m == NULL)
		die_nomem();
	memcpy(m->id, id, strlen(id) + 1);
	m->split = qid_split(id, strlen(id));
	m->sender = dupstr(e->sender.p, e->sender.len);
	m->arrival = e->arrival;
	if (m->arrival == 0)
		m->arrival = fstat(fd, &st) == 0
		                 ? (unsigned long long)st.st_mtime
		                 : s->now;
	m->offset = e->offset;
	m->n = e->nrcpt;
	m->r = calloc(m->n, sizeof *m->r);
	if (m->r == NULL)
		die_nomem();
	return m;
}

static bool is_delete(const char *id);
static void msg_delete(struct sendd *s, struct msg *m);

/* The recipients' lanes after loading: untried ones fresh, others by
 * their next-try time.  A delete marker written before the load (while
 * quail-send was down, or before the message was seen) is honoured
 * here: queue_hold only sees messages already loaded. */
static void
msg_start(struct sendd *s, struct msg *m)
{
	size_t i;

	m->held = queue_is_held(s, m->id);
	if (m->held && is_delete(m->id)) {
		msg_delete(s, m);
		return;
	}
	for (i = 0; i < m->n; i++)
		if (m->r[i].state == R_PENDING)
			lane_queue(
			    s, m, i, m->r[i].attempts == 0, m->r[i].next);
	msg_settle(s, m);
}

static void
load_file(struct sendd *s, const char *id, int fd)
{
	struct envelope e;
	struct rinfo *ri;
	struct buf raw = BUF_INIT(INFO_MAX);
	struct msg *m;
	size_t i;

	if (env_read(fd, &s->envb, &e) < 0) {
		log_line("error", "%s: cannot read the envelope: %s", id,
		    strerror(errno));
		return;
	}
	m = msg_new(s, id, &e, fd);
	ri = calloc(m->n, sizeof *ri);
	if (ri == NULL || buf_ready(&raw, 65536) < 0)
		die_nomem();
	for (i = 0; i < m->n; i++)
		ri[i].state = R_PENDING;
	if (load_info(s, m, &raw, ri) < 0 || build_rcpts(s, m, &e, ri) < 0) {
		log_line("error", "%s: cannot load it now, will retry", id);
		msg_destroy(m);
	} else {
		msg_insert(s, m);
		log_info("%s: new msg from <%s> with %zu recipients", id,
		    m->sender, m->n);
		unlink_todo(id);
		msg_start(s, m);
	}
	free(ri);
	buf_free(&raw);
	env_free(&e);
}

void
msg_load(struct sendd *s, const char *id, bool from_todo)
{
	struct buf path = BUF_INIT(128);
	struct msg *m = msg_find(s, id);
	int fd;

	if (m) {
		if (from_todo) {
			unlink_todo(id);
			deliver_requeue_all(s, m);
		}
		return;
	}
	if (buf_printf(&path, "mess/%u/%s", qid_split(id, strlen(id)), id) <
	        0 ||
	    buf_cstr(&path) < 0)
		die_nomem();
	fd = open((const char *)path.p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && from_todo)
			unlink_todo(id); /* already delivered and cleaned */
		else
			log_line("error", "%s: cannot open %s: %s", id,
			    (const char *)path.p, strerror(errno));
	} else {
		load_file(s, id, fd);
		close(fd);
	}
	buf_free(&path);
}

void
queue_todo(struct sendd *s)
{
	DIR *d = opendir("todo");
	struct dirent *de;
	unsigned n = 0;

	s->todo_again = false;
	if (d == NULL) {
		log_line("error", "cannot open todo: %s", strerror(errno));
		return;
	}
	(void)route_refresh(&s->rt, false);
	while ((de = readdir(d)) != NULL) {
		if (!qid_valid(de->d_name, strlen(de->d_name)))
			continue;
		msg_load(s, de->d_name, true);
		if (++n >= TODO_BATCH) {
			s->todo_again = true;
			break;
		}
	}
	closedir(d);
}

/* One step of the scan: up to SCAN_BATCH entries of mess/NN (unknown
 * messages are loaded), then of info/NN (info files whose message is
 * gone are removed: a crash between quail-clean and our unlink). */
static void
scan_entry(struct sendd *s, const char *name)
{
	struct buf p = BUF_INIT(128);
	struct stat st;

	if (!qid_valid(name, strlen(name)) || msg_find(s, name))
		return;
	if (s->scan_phase == 0) {
		msg_load(s, name, false);
		return;
	}
	if (buf_printf(&p, "mess/%d/%s", s->scan_nn, name) < 0 ||
	    buf_cstr(&p) < 0)
		die_nomem();
	if (stat((const char *)p.p, &st) < 0 && errno == ENOENT) {
		buf_reset(&p);
		if (buf_printf(&p, "info/%d/%s", s->scan_nn, name) < 0 ||
		    buf_cstr(&p) < 0)
			die_nomem();
		if (unlink((const char *)p.p) == 0)
			log_info("%s: removed stale info file", name);
	}
	buf_free(&p);
}

void
queue_scan_start(struct sendd *s)
{
	if (s->scan_nn >= 0)
		return;
	s->scan_nn = 0;
	s->scan_phase = 0;
	s->scan_dir = NULL;
	(void)route_refresh(&s->rt, false);
}

void
queue_scan_step(struct sendd *s)
{
	struct buf p = BUF_INIT(64);
	struct dirent *de;
	unsigned n;

	if (s->scan_nn < 0)
		return;
	if (s->scan_dir == NULL) {
		if (buf_printf(&p, "%s/%d", s->scan_phase ? "info" : "mess",
		        s->scan_nn) < 0 ||
		    buf_cstr(&p) < 0)
			die_nomem();
		s->scan_dir = opendir((const char *)p.p);
		if (s->scan_dir == NULL)
			log_line("error", "cannot open %s: %s",
			    (const char *)p.p, strerror(errno));
		buf_free(&p);
	}
	for (n = 0; s->scan_dir && n < SCAN_BATCH; n++) {
		de = readdir(s->scan_dir);
		if (de == NULL) {
			closedir(s->scan_dir);
			s->scan_dir = NULL;
			break;
		}
		scan_entry(s, de->d_name);
	}
	if (s->scan_dir)
		return;
	if (s->scan_phase == 0) {
		s->scan_phase = 1;
	} else {
		s->scan_phase = 0;
		if (++s->scan_nn >= QUEUE_SPLIT)
			s->scan_nn = -1;
	}
}

bool
queue_is_held(struct sendd *s, const char *id)
{
	size_t i, n;

	for (i = 0; i < s->held.len; i += n + 1) {
		n = strlen((const char *)s->held.p + i);
		if (strcmp((const char *)s->held.p + i, id) == 0)
			return true;
	}
	return false;
}

static bool
is_delete(const char *id)
{
	struct buf p = BUF_INIT(64);
	char c[6];
	int fd;
	bool del = false;

	if (buf_printf(&p, "hold/%s", id) < 0 || buf_cstr(&p) < 0)
		die_nomem();
	fd = open((const char *)p.p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		del = read(fd, c, 6) == 6 && memcmp(c, "delete", 6) == 0;
		close(fd);
	}
	buf_free(&p);
	return del;
}

/* Ends every pending recipient of m without a bounce ("delete" marker);
 * in-flight deliveries finish first. */
static void
msg_delete(struct sendd *s, struct msg *m)
{
	size_t i;

	m->deleted = true;
	log_info("%s: deleted by admin", m->id);
	for (i = 0; i < m->n; i++)
		if (m->r[i].state == R_PENDING && !m->r[i].inflight)
			rcpt_result(s, m, i, 'X', "deleted by admin", 16);
	msg_settle(s, m);
}

/* Rereads hold/ (at start and on HUP): held messages start nothing new,
 * released ones are due now, "delete" markers end a message unbounced. */
void
queue_hold(struct sendd *s)
{
	DIR *d = opendir("hold");
	struct dirent *de;
	struct msg *m, *nx;

	buf_reset(&s->held);
	while (d && (de = readdir(d)) != NULL)
		if (qid_valid(de->d_name, strlen(de->d_name)) &&
		    (buf_cats(&s->held, de->d_name) < 0 ||
		        buf_catc(&s->held, 0) < 0))
			die_nomem();
	if (d)
		closedir(d);
	for (m = s->all; m; m = nx) {
		bool h = queue_is_held(s, m->id);

		nx = m->next;
		if (h && !m->deleted && is_delete(m->id)) {
			msg_delete(s, m);
		} else if (m->held && !h) {
			m->held = false;
			deliver_requeue_all(s, m);
		} else {
			m->held = h;
		}
	}
}
