/* queueadm.c: quail-ctl queue list [--json] | stat | hold ID | release ID
 * | delete ID | retry [ID] | fsck [-n].  Reads the queue as root, per
 * doc/ARCHITECTURE.md ("The queue", "The message file", "quail-send
 * state"); steers quail-send without stopping it through the hold/ and
 * todo/ markers and svc signals of the spawn protocol contract
 * ("Steering the queue from quail-ctl").  Never touches a message file
 * except fsck moving one misplaced into its right split directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "auto.h"
#include "ctl.h"
#include "fmt.h"
#include "qid.h"
#include "scan.h"
#include "str.h"

#define ENV_MAX  (16 * 1024 * 1024)
#define INFO_MAX (16 * 1024 * 1024)
#define MSGS_MAX 10000000

enum rs { RS_NEW, RS_PENDING, RS_DONE, RS_FAILED, RS_BOUNCED };

static const char *const rsname[] = {
    "new", "pending", "done", "failed", "bounced"};

struct rst {
	enum rs s;
	unsigned long long att, next, last;
	char *text;
};

struct qmsg {
	char id[QID_MAX];
	unsigned nn;
	struct buf env;     /* envelope bytes */
	const char *sender; /* into env */
	const char **rcpt;  /* into env */
	size_t nrcpt;
	struct rst *r;
	unsigned long long arrival, size;
	bool info, bad;
	int hold; /* 0 no, 1 held, 2 delete requested */
};

struct q {
	const char *home;
	char **ids;
	size_t n;
	unsigned long long now;
};

/* HOME/queue/dir/NN (name NULL) or HOME/queue/dir/NN/name, NN the
 * split of name (or nn when name is NULL). */
static char *
qpath(const char *home, const char *dir, const char *name, unsigned nn)
{
	struct buf b = BUF_INIT(8192);

	if (name != NULL)
		nn = qid_split(name, strlen(name));
	if (buf_printf(&b, "%s/queue/%s/%u", home, dir, nn) < 0 ||
	    (name != NULL && buf_printf(&b, "/%s", name) < 0) ||
	    buf_cstr(&b) < 0)
		ctl_nomem();
	return (char *)b.p;
}

/* HOME/queue/dir/name in fresh memory. */
static char *
qfile(const char *home, const char *dir, const char *name)
{
	struct buf b = BUF_INIT(8192);

	if (buf_printf(&b, "%s/queue/%s/%s", home, dir, name) < 0 ||
	    buf_cstr(&b) < 0)
		ctl_nomem();
	return (char *)b.p;
}

/* Reads fd into b up to max bytes; stops early when done(b) says so. */
static int
slurp(int fd, struct buf *b, size_t max, bool (*done)(const struct buf *))
{
	ssize_t r;

	for (;;) {
		if (done != NULL && done(b))
			return 0;
		if (b->len >= max) {
			errno = EMSGSIZE;
			return -1;
		}
		if (buf_ready(b, 65536) < 0)
			return -1;
		r = read(fd, b->p + b->len,
		    b->cap - b->len < max - b->len ? b->cap - b->len
		                                   : max - b->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		b->len += (size_t)r;
	}
}

/* true when b holds a complete envelope (an empty entry was seen). */
static bool
env_done(const struct buf *b)
{
	size_t i = 0, z;

	while (i < b->len) {
		if (b->p[i] == '\0')
			return true;
		z = str_chr(b->p + i, b->len - i, '\0');
		if (i + z == b->len)
			return false;
		i += z + 1;
	}
	return false;
}

static void
env_parse(struct qmsg *m)
{
	size_t i = 0, z;
	const char *e;

	while (i < m->env.len && m->env.p[i] != '\0') {
		z = str_chr(m->env.p + i, m->env.len - i, '\0');
		e = (const char *)m->env.p + i;
		if (e[0] == 'F')
			m->sender = e + 1;
		else if (e[0] == 't' &&
		         scan_ullong(e + 1, z - 1, &m->arrival) != z - 1)
			m->arrival = 0;
		else if (e[0] == 'T') {
			m->rcpt =
			    realloc(m->rcpt, (m->nrcpt + 1) * sizeof *m->rcpt);
			if (m->rcpt == NULL)
				ctl_nomem();
			m->rcpt[m->nrcpt++] = e + 1;
		}
		i += z + 1;
	}
	m->bad = !env_done(&m->env) || m->sender == NULL || m->nrcpt == 0;
}

/* One "IDX STATE ATT NEXT LAST TEXT" line of an info file. */
static void
info_line(struct qmsg *m, char *l)
{
	unsigned long long v[4];
	char *sp, *st;
	size_t k, j;

	st = NULL;
	for (j = 0; j < 5; j++) {
		if ((sp = strchr(l, ' ')) == NULL)
			return;
		*sp = '\0';
		if (j == 1)
			st = l;
		else if (scan_ullong(l, strlen(l), &v[j ? j - 1 : 0]) !=
		             strlen(l) ||
		         l[0] == '\0')
			return;
		l = sp + 1;
	}
	if (v[0] >= m->nrcpt)
		return;
	for (k = RS_PENDING; k <= RS_BOUNCED; k++)
		if (strcmp(st, rsname[k]) == 0)
			break;
	if (k > RS_BOUNCED)
		return;
	m->r[v[0]].s = (enum rs)k;
	m->r[v[0]].att = v[1];
	m->r[v[0]].next = v[2];
	m->r[v[0]].last = v[3];
	free(m->r[v[0]].text);
	m->r[v[0]].text = ctl_strdup(l);
}

static void
info_load(struct q *q, struct qmsg *m)
{
	char *p = qpath(q->home, "info", m->id, 0), *l, *nl;
	struct buf b = BUF_INIT(INFO_MAX + 65536);
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	free(p);
	if (fd < 0)
		return;
	if (slurp(fd, &b, INFO_MAX, NULL) == 0 && buf_cstr(&b) == 0 &&
	    b.len > 13 && memcmp(b.p, "quail-info 1 ", 13) == 0) {
		m->info = true;
		l = strchr((char *)b.p, '\n');
		for (l = l ? l + 1 : NULL; l && (nl = strchr(l, '\n'));
		     l = nl + 1) {
			*nl = '\0';
			info_line(m, l);
		}
	}
	close(fd);
	buf_free(&b);
}

static void
hold_load(struct q *q, struct qmsg *m)
{
	char *p = qfile(q->home, "hold", m->id), c[8];
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	free(p);
	if (fd < 0)
		return;
	r = read(fd, c, sizeof c);
	m->hold = r >= 6 && memcmp(c, "delete", 6) == 0 ? 2 : 1;
	close(fd);
}

/* 0 loaded (m->bad if the envelope is broken), -1 gone or unreadable. */
static int
msg_load(struct q *q, const char *id, struct qmsg *m)
{
	struct stat st;
	char *p;
	int fd;

	memset(m, 0, sizeof *m);
	memcpy(m->id, id, strlen(id) + 1);
	m->nn = qid_split(id, strlen(id));
	buf_init(&m->env, ENV_MAX + 65536);
	p = qpath(q->home, "mess", id, 0);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0)
		m->size = (unsigned long long)st.st_size;
	if (slurp(fd, &m->env, ENV_MAX, env_done) < 0)
		m->bad = true;
	close(fd);
	env_parse(m);
	m->r = ctl_alloc((m->nrcpt ? m->nrcpt : 1) * sizeof *m->r);
	memset(m->r, 0, (m->nrcpt ? m->nrcpt : 1) * sizeof *m->r);
	if (m->arrival == 0)
		m->arrival = (unsigned long long)st.st_mtime;
	info_load(q, m);
	hold_load(q, m);
	return 0;
}

static void
msg_free(struct qmsg *m)
{
	size_t i;

	for (i = 0; i < m->nrcpt; i++)
		free(m->r[i].text);
	free(m->r);
	free(m->rcpt);
	buf_free(&m->env);
}

static int
cmpid(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* All ids in mess/NN/ (valid names only), sorted (= by arrival). */
static void
scan_ids(struct q *q)
{
	struct dirent *de;
	unsigned nn;
	char *p;
	DIR *d;

	for (nn = 0; nn < QUEUE_SPLIT; nn++) {
		p = qpath(q->home, "mess", NULL, nn);
		d = opendir(p);
		free(p);
		while (
		    d != NULL && (de = readdir(d)) != NULL && q->n < MSGS_MAX) {
			if (!qid_valid(de->d_name, strlen(de->d_name)))
				continue;
			q->ids = realloc(q->ids, (q->n + 1) * sizeof *q->ids);
			if (q->ids == NULL)
				ctl_nomem();
			q->ids[q->n++] = ctl_strdup(de->d_name);
		}
		if (d != NULL)
			closedir(d);
	}
	if (q->n > 0)
		qsort(q->ids, q->n, sizeof *q->ids, cmpid);
}

/* "3d4h", "5m12s": compact duration. */
static const char *
dur(unsigned long long s, char out[32])
{
	if (s >= 86400)
		snprintf(out, 32, "%llud%lluh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, 32, "%lluh%llum", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, 32, "%llum%llus", s / 60, s % 60);
	else
		snprintf(out, 32, "%llus", s);
	return out;
}

static void
json_str(const char *s)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");

	putchar('"');
	for (; *c; c++)
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	putchar('"');
}

/* Printable form for text output: control bytes as '?'. */
static void
text_str(const char *s)
{
	for (; s && *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void
list_text(struct q *q, const struct qmsg *m)
{
	char a[32], b[32];
	size_t i;

	printf("%s  age %s  size %llu  from <", m->id,
	    dur(q->now > m->arrival ? q->now - m->arrival : 0, a), m->size);
	text_str(m->sender);
	printf(">%s%s%s\n", m->hold == 1 ? "  HELD" : "",
	    m->hold == 2 ? "  DELETE-REQUESTED" : "",
	    m->bad ? "  BROKEN-ENVELOPE" : "");
	for (i = 0; i < m->nrcpt; i++) {
		const struct rst *r = &m->r[i];

		printf("  ");
		text_str(m->rcpt[i]);
		printf("  %s", m->info ? rsname[r->s] : "new");
		if (r->att)
			printf("  attempts %llu", r->att);
		if (r->s == RS_PENDING && r->next)
			printf("  next %s", r->next <= q->now
			                        ? "now"
			                        : dur(r->next - q->now, b));
		if (r->text && r->text[0]) {
			printf("  last: ");
			text_str(r->text);
		}
		putchar('\n');
	}
}

static void
list_json(struct q *q, const struct qmsg *m, bool first)
{
	size_t i;

	printf("%s{\"id\":\"%s\",\"sender\":", first ? "" : ",\n", m->id);
	json_str(m->sender);
	printf(",\"arrival\":%llu,\"age\":%llu,\"size\":%llu,\"held\":%s,"
	       "\"delete_requested\":%s,\"seen\":%s,\"broken\":%s,"
	       "\"recipients\":[",
	    m->arrival, q->now > m->arrival ? q->now - m->arrival : 0, m->size,
	    m->hold == 1 ? "true" : "false", m->hold == 2 ? "true" : "false",
	    m->info ? "true" : "false", m->bad ? "true" : "false");
	for (i = 0; i < m->nrcpt; i++) {
		const struct rst *r = &m->r[i];

		printf("%s{\"address\":", i ? "," : "");
		json_str(m->rcpt[i]);
		printf(
		    ",\"state\":\"%s\",\"attempts\":%llu,\"next_retry\":%llu,"
		    "\"last_attempt\":%llu,\"last_error\":",
		    m->info ? rsname[r->s] : "new", r->att,
		    r->s == RS_PENDING ? r->next : 0, r->last);
		json_str(r->text);
		putchar('}');
	}
	printf("]}");
}

static int
queue_list(struct q *q, bool json)
{
	struct qmsg m;
	size_t i, shown = 0;

	if (json)
		printf("[");
	for (i = 0; i < q->n; i++) {
		if (msg_load(q, q->ids[i], &m) < 0)
			continue; /* delivered meanwhile */
		if (json)
			list_json(q, &m, shown == 0);
		else
			list_text(q, &m);
		shown++;
		msg_free(&m);
	}
	if (json)
		printf("%s]\n", shown ? "\n" : "");
	else if (shown == 0)
		printf("queue is empty\n");
	return 0;
}

static size_t
count_dir(const char *home, const char *dir)
{
	char *p = qfile(home, dir, "");
	struct dirent *de;
	DIR *d = opendir(p);
	size_t n = 0;

	free(p);
	while (d != NULL && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static int
queue_stat(struct q *q)
{
	unsigned long long c[5] = {0, 0, 0, 0, 0}, held = 0, unseen = 0;
	struct qmsg m;
	size_t i, k, msgs = 0;

	for (i = 0; i < q->n; i++) {
		if (msg_load(q, q->ids[i], &m) < 0)
			continue;
		msgs++;
		held += m.hold != 0;
		unseen += !m.info;
		for (k = 0; k < m.nrcpt; k++)
			c[m.info ? m.r[k].s : RS_NEW]++;
		msg_free(&m);
	}
	printf("messages in queue: %zu\n", msgs);
	printf("messages in queue but not yet preprocessed: %llu\n", unseen);
	printf("todo markers: %zu\n", count_dir(q->home, "todo"));
	printf("held: %llu\n", held);
	printf("recipients: new %llu, pending %llu, done %llu, failed %llu, "
	       "bounced %llu\n",
	    c[RS_NEW], c[RS_PENDING], c[RS_DONE], c[RS_FAILED], c[RS_BOUNCED]);
	return 0;
}

/* svc FLAG HOME/boot/send; a stopped quail-send is not an error: it
 * reads hold/ and todo/ at start. */
static void
poke(const char *home, const char *flag)
{
	char *dir = ctl_path(home, "boot/send");
	char f[4] = {'-', flag[1], '\0', '\0'};
	char *argv[] = {"svc", f, dir, NULL};
	char *ok = ctl_path(home, "boot/send/supervise/ok");
	int fd = open(ok, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		if (admin_run(argv, NULL) != 0)
			fprintf(
			    stderr, "quail-ctl: svc %s %s failed\n", flag, dir);
	} else
		printf("quail-ctl: quail-send is not running; it will act on "
		       "this at its start\n");
	free(dir);
	free(ok);
}

/* Creates HOME/queue/hold (root:quail 0750, as setup does) if missing. */
static int
hold_dir(const char *home)
{
	char *p = qfile(home, "hold", "");
	struct group *g = getgrnam(auto_group_q);
	int r = 0;

	if (mkdir(p, 0750) == 0) {
		if (g == NULL || chown(p, 0, g->gr_gid) < 0 ||
		    chmod(p, 0750) < 0)
			r = -1;
	} else if (errno != EEXIST)
		r = -1;
	if (r < 0)
		fprintf(stderr, "quail-ctl: unable to create %s: %s\n", p,
		    strerror(errno));
	free(p);
	return r;
}

static int
write_file(const char *p, const char *s, int flags)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	size_t n = strlen(s);

	if (fd < 0)
		return -1;
	if (n > 0 && write(fd, s, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Wakes quail-send through the trigger FIFO (no reader: fine). */
static void
trigger(const char *home)
{
	char *p = qfile(home, "lock", "trigger");
	int fd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "", 1) < 0 && errno != EAGAIN)
			fprintf(stderr, "quail-ctl: trigger: %s\n",
			    strerror(errno));
		close(fd);
	}
	free(p);
}

static int
queue_act(struct q *q, const char *verb, const char *id)
{
	char *mess, *p = NULL;
	struct stat st;
	int r = 0;

	if (!qid_valid(id, strlen(id))) {
		fprintf(stderr, "quail-ctl: not a queue id: %s\n", id);
		return 100;
	}
	mess = qpath(q->home, "mess", id, 0);
	if (stat(mess, &st) < 0) {
		fprintf(stderr, "quail-ctl: no message %s in the queue\n", id);
		free(mess);
		return 100;
	}
	free(mess);
	if (strcmp(verb, "retry") == 0) {
		p = qfile(q->home, "todo", id);
		r = write_file(p, "", 0);
	} else if (strcmp(verb, "release") == 0) {
		p = qfile(q->home, "hold", id);
		r = unlink(p) < 0 && errno != ENOENT ? -1 : 0;
	} else if (hold_dir(q->home) < 0) {
		return 111;
	} else {
		p = qfile(q->home, "hold", id);
		r = write_file(
		    p, strcmp(verb, "delete") == 0 ? "delete\n" : "", O_TRUNC);
	}
	if (r < 0) {
		fprintf(stderr, "quail-ctl: unable to %s %s: %s\n", verb, p,
		    strerror(errno));
		free(p);
		return 111;
	}
	free(p);
	if (strcmp(verb, "retry") == 0)
		trigger(q->home);
	else
		poke(q->home, "-h");
	printf("quail-ctl: %s %s\n", verb, id);
	return 0;
}

int
cmd_queue(const char *home, int argc, char **argv)
{
	struct q q;
	int code = 100;
	size_t i;

	memset(&q, 0, sizeof q);
	q.home = home;
	q.now = (unsigned long long)time(NULL);
	if (argc >= 2 && strcmp(argv[1], "fsck") == 0 &&
	    (argc == 2 || (argc == 3 && strcmp(argv[2], "-n") == 0)))
		return queue_fsck(home, argc == 3);
	if (argc == 2 && strcmp(argv[1], "retry") == 0) {
		poke(home, "-a");
		return 0;
	}
	if (argc == 3 &&
	    (strcmp(argv[1], "hold") == 0 || strcmp(argv[1], "release") == 0 ||
	        strcmp(argv[1], "delete") == 0 ||
	        strcmp(argv[1], "retry") == 0))
		return queue_act(&q, argv[1], argv[2]);
	if (argc >= 2 && strcmp(argv[1], "list") == 0 &&
	    (argc == 2 || (argc == 3 && strcmp(argv[2], "--json") == 0))) {
		scan_ids(&q);
		code = queue_list(&q, argc == 3);
	} else if (argc == 2 && strcmp(argv[1], "stat") == 0) {
		scan_ids(&q);
		code = queue_stat(&q);
	} else
		fputs("usage: quail-ctl queue list [--json] | stat | hold ID | "
		      "release ID | delete ID | retry [ID] | fsck [-n]\n",
		    stderr);
	for (i = 0; i < q.n; i++)
		free(q.ids[i]);
	free(q.ids);
	return code;
}
