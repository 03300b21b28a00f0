/* session.c: the command loop (RFC 3501 sections 2.2, 3, 5.4).
 * Reads one command with its literals into s->cmd under the bounds of
 * limits.h, parses it, checks the state, runs the handler, reports
 * what changed in the selected folder and sends the tagged result.
 * Overlong lines: BAD, then resynchronise at the next LF. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"
#include "exitcode.h"
#include "fmt.h"
#include "str.h"

enum rd {
	RD_OK,
	RD_RETRY,
};

void
session_init(struct session *s, int infd, int outfd)
{
	memset(s, 0, sizeof *s);
	io_init(&s->out, outfd, s->outmem, sizeof s->outmem, IMAP_DATA_TIMEOUT);
	io_init(&s->in, infd, s->inmem, sizeof s->inmem, IMAP_IDLE_TIMEOUT);
	s->in.flush = &s->out;
	buf_init(&s->scratch, (size_t)1 << 30);
	s->maxmsg = IMAP_MSG_MAX_DEFAULT;
	s->mc.idx = SIZE_MAX;
	buf_init(&s->mc.data, (size_t)1 << 31);
	s->ctlfd = -1;
	s->tlsfd = -1;
}

const char *
capability_string(const struct session *s)
{
	if (s->state != S_NOTAUTH)
		return "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE "
		       "UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE QUOTA";
	if (s->requiretls && !s->tls)
		return s->tlsfd >= 0
		           ? "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE "
		             "STARTTLS LOGINDISABLED"
		           : "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE "
		             "LOGINDISABLED";
	if (s->tlsfd >= 0 && !s->tls)
		return "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE STARTTLS "
		       "AUTH=PLAIN";
	return "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE AUTH=PLAIN";
}

static void
input_error(struct session *s, int err)
{
	if (err == ETIMEDOUT)
		reply_bye(s, "Autologout; idle for too long");
	if (err == 0)
		_exit(EXIT_DONE); /* EOF */
	_exit(EXIT_TEMP);
}

int
session_readline(struct session *s, struct buf *line)
{
	int r = io_getline(&s->in, line, IMAP_LINE_MAX);

	if (r == 1)
		return 0;
	if (r < 0 && errno == EMSGSIZE) {
		if (io_skipline(&s->in) != 1)
			input_error(s, 0);
		errno = EMSGSIZE;
		return -1;
	}
	input_error(s, r == 0 ? 0 : errno);
	return -1;
}

/* The literal limit depends on the command: APPEND takes messages. */
static unsigned long long
literal_limit(const struct session *s)
{
	const unsigned char *p = s->cmd.p;
	size_t sp = str_chr(p, s->cmd.len, ' ');

	/* before login nothing takes a message: 64 KiB for everyone */
	if (s->state != S_NOTAUTH && sp < s->cmd.len &&
	    str_casestarts(p + sp + 1, s->cmd.len - sp - 1, "APPEND "))
		return s->maxmsg;
	return IMAP_LITERAL_MAX;
}

static void
tag_of(const struct session *s, const char **t, size_t *tl)
{
	size_t sp = str_chr(s->cmd.p, s->cmd.len, ' ');

	*t = (const char *)s->cmd.p;
	*tl = sp < s->cmd.len && sp <= IMAP_TAG_MAX ? sp : 1;
	if (*tl == 1 && sp >= s->cmd.len)
		*t = "*";
}

static int
read_literal(struct session *s, size_t n)
{
	s->in.timeout = IMAP_DATA_TIMEOUT;
	if (buf_ready(&s->cmd, n) < 0)
		die_nomem();
	while (n > 0) {
		ssize_t r = io_read(&s->in, s->cmd.p + s->cmd.len, n);
		if (r <= 0)
			input_error(s, r == 0 ? 0 : errno);
		s->cmd.len += (size_t)r;
		n -= (size_t)r;
	}
	s->in.timeout = IMAP_DATA_TIMEOUT;
	return 0;
}

static enum rd
read_command(struct session *s, struct buf *line)
{
	unsigned long long n, lits = 0;
	size_t text = 0;
	const char *t;
	size_t tl;
	bool plus;

	buf_reset(&s->cmd);
	s->cmd.max = (size_t)s->maxmsg + 2 * IMAP_LINE_MAX;
	s->in.timeout = IMAP_IDLE_TIMEOUT;
	for (;;) {
		if (session_readline(s, line) < 0) {
			reply(s, "* BAD Command line too long");
			return RD_RETRY;
		}
		text += line->len;
		if (text > IMAP_LINE_MAX) {
			reply(s, "* BAD Command too long");
			return RD_RETRY;
		}
		if (buf_cat(&s->cmd, line->p, line->len) < 0)
			die_nomem();
		if (!parse_literal_tail(line->p, line->len, &n, &plus))
			return RD_OK;
		lits += n;
		if (lits > literal_limit(s)) {
			tag_of(s, &t, &tl);
			if (plus)
				reply_bye(s, "Literal too big");
			reply(
			    s, "%.*s NO [TOOBIG] Literal too big", (int)tl, t);
			return RD_RETRY;
		}
		if (!plus) {
			reply(s, "+ OK");
			reply_flush(s);
		}
		read_literal(s, (size_t)n);
	}
}

static void
finish(struct imap_cmd *c, enum cmd_res r)
{
	struct session *s = c->s;
	const char *what = r == CMD_DONE ? "OK" : r == CMD_NO ? "NO" : "BAD";
	const char *text = c->resp;

	if (text == NULL)
		text = r == CMD_DONE ? "completed"
		       : r == CMD_NO ? "failed"
		                     : "Error in IMAP command";
	if (c->code[0])
		reply(s, "%s %s [%s] %s%s%s", c->tag, what, c->code,
		    r == CMD_DONE ? c->name : "", r == CMD_DONE ? " " : "",
		    text);
	else
		reply(s, "%s %s %s%s%s", c->tag, what,
		    r == CMD_DONE ? c->name : "", r == CMD_DONE ? " " : "",
		    text);
}

static void
dispatch(struct session *s, struct imap_arg *tag, struct imap_arg *name,
    struct imap_arg *args, size_t n)
{
	char tagbuf[IMAP_TAG_MAX + 1], namebuf[32];
	struct imap_cmd c;
	const struct cmd_def *d;
	enum cmd_res r;

	memset(&c, 0, sizeof c);
	c.s = s;
	if (tag->len > IMAP_TAG_MAX) {
		reply(s, "* BAD Tag too long");
		return;
	}
	memcpy(tagbuf, tag->p, tag->len);
	tagbuf[tag->len] = 0;
	c.tag = tagbuf;
	if (arg_eq(name, "UID") && n > 0 && args[0].type == ARG_ATOM) {
		c.uid = true;
		name = &args[0];
		args++;
		n--;
	}
	d = cmd_find(name->p, name->len, c.uid);
	if (d == NULL || name->len >= sizeof namebuf) {
		reply(s, "%s BAD Unknown command", c.tag);
		return;
	}
	memcpy(namebuf, name->p, name->len);
	namebuf[name->len] = 0;
	str_lower(namebuf, name->len);
	{
		/* "UID FETCH", upper case, for the OK text */
		size_t i;
		for (i = 0; namebuf[i]; i++)
			if (namebuf[i] >= 'a' && namebuf[i] <= 'z')
				namebuf[i] = (char)(namebuf[i] - 32);
	}
	c.name = namebuf;
	c.args = args;
	c.n = n;
	if ((s->state == S_NOTAUTH && !(d->flags & REQ_NOTAUTH)) ||
	    (s->state == S_AUTH && !(d->flags & REQ_AUTH)) ||
	    (s->state == S_SELECTED && !(d->flags & REQ_SELECTED))) {
		reply(s, "%s BAD Command not allowed in this state", c.tag);
		return;
	}
	r = d->fn(&c);
	if (r == CMD_NONE)
		return;
	if (r == CMD_QUIT) {
		reply_flush(s);
		_exit(EXIT_DONE);
	}
	if (s->state == S_SELECTED && !(d->flags & BREAKS_SEQ))
		session_sync(s, true);
	finish(&c, r);
}

void
session_report(struct session *s, struct sync_report *r)
{
	struct folder *f = s->sel;
	size_t i;

	for (i = 0; i < r->nexp; i++)
		reply(s, "* %lu EXPUNGE", (unsigned long)r->expunged[i]);
	if (r->exists_changed || r->nexp) {
		reply(s, "* %zu EXISTS", f->n);
		reply(s, "* %lu RECENT", (unsigned long)f->recent);
	}
	for (i = 0; i < r->nchg; i++) {
		struct msg *m = &f->m[r->changed[i]];
		struct buf b = BUF_INIT(65536);
		if (buf_printf(&b, "* %lu FETCH (UID %lu FLAGS ",
		        (unsigned long)r->changed[i] + 1,
		        (unsigned long)m->uid) < 0)
			die_nomem();
		reply_flags(&b, f, m->flags, m->kw);
		if (buf_cat(&b, ")\r\n", 3) < 0)
			die_nomem();
		reply_raw(s, b.p, b.len);
		buf_free(&b);
	}
	sync_report_free(r);
}

void
session_sync(struct session *s, bool expunge_ok)
{
	struct sync_report r;

	(void)expunge_ok;
	if (s->sel == NULL)
		return;
	memset(&r, 0, sizeof r);
	if (folder_sync(s->sel, true, &r) < 0) {
		log_warn("sync %s failed", s->sel->path);
		sync_report_free(&r);
		return;
	}
	if (r.nexp)
		s->mc.idx = SIZE_MAX;
	session_report(s, &r);
}

void
session_loop(struct session *s)
{
	struct buf line = BUF_INIT(IMAP_LINE_MAX);
	struct imap_arg *tag, *name, *args;
	size_t n;
	enum pres pr;

	for (;;) {
		reply_flush(s);
		if (read_command(s, &line) == RD_RETRY)
			continue;
		pr = parse_command(
		    s->cmd.p, s->cmd.len, &s->arena, &tag, &name, &args, &n);
		if (pr != P_OK) {
			const char *t;
			size_t tl;
			tag_of(s, &t, &tl);
			reply(s, "%.*s BAD %s", (int)tl, t,
			    pr == P_TOOLONG ? "Command too complex"
			                    : "Syntax error");
			continue;
		}
		dispatch(s, tag, name, args, n);
	}
}
