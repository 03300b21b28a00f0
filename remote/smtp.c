/* smtp.c: one SMTP session on one address (RFC 5321): greeting, EHLO
 * (HELO if refused), STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954),
 * MAIL with SIZE (RFC 1870), BODY=8BITMIME (RFC 6152) and SMTPUTF8
 * (RFC 6531), RCPT per recipient, DATA, all pipelined when the peer
 * offers PIPELINING (RFC 2920).  Every reply of the peer is untrusted
 * and bounded (reply.c); its text is carried into the results.
 * With job.keep a session that ended cleanly stays open (one per
 * process), and smtp_again runs the next transaction on it after RSET. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "base64.h"
#include "fmt.h"
#include "remote.h"

struct sess {
	struct job *j;
	struct conn c;
	struct reply r;
	struct caps caps;
	const char *host;
	char hostbuf[256]; /* host, kept for a reused session */
	char ip[64];
	bool ok[RCPT_MAX]; /* RCPT accepted */
	size_t nok;
	bool utf8;  /* an address needs SMTPUTF8 */
	bool clean; /* every reply of the transaction read, none was 421 */
	bool dead;  /* 421 seen (RFC 5321 3.8): the peer is closing */
	bool live;  /* kept open for the next transaction */
	struct buf *why;
};

static struct sess S;

#define RSET_TIMEOUT 20

bool
has8(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

void
result_all(struct job *j, char st, const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->res[i].st == 0) {
			j->res[i].st = st;
			buf_copy(&j->res[i].text, text, len);
		}
}

static char
status_of(unsigned code)
{
	return code >= 200 && code < 300 ? 'K' : code >= 500 ? 'D' : 'Z';
}

/* "5.1.1 host [ip] said: 550 5.1.1 no such user" into t */
static void
said_text(struct sess *s, struct buf *t)
{
	char st[16];

	buf_reset(t);
	if (reply_enhanced(&s->r, st) > 0)
		buf_printf(t, "%s ", st);
	buf_printf(t, "%s [%s] said: %.*s", s->host, s->ip, (int)s->r.text.len,
	    (const char *)s->r.text.p);
	if (t->len > RESULT_MAX)
		t->len = RESULT_MAX;
}

/* Result of recipient i (or of all undecided ones when i == n) from the
 * current reply. */
static void
said(struct sess *s, size_t i, char st)
{
	struct buf t = BUF_INIT(RESULT_MAX + 64);

	said_text(s, &t);
	if (i < s->j->n) {
		s->j->res[i].st = st;
		buf_copy(&s->j->res[i].text, t.p, t.len);
	} else
		result_all(s->j, st, (const char *)t.p, t.len);
	buf_free(&t);
}

static void
reset_results(struct job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		j->res[i].st = 0;
}

/* Give up on this address: results cleared, the reason in why. */
static enum sres_t
next(struct sess *s, const char *what)
{
	reset_results(s->j);
	buf_reset(s->why);
	if (what)
		buf_printf(s->why, "%s [%s]: %s: %s", s->host, s->ip, what,
		    strerror(errno));
	else
		said_text(s, s->why);
	return SM_NEXT;
}

static void
quit(struct sess *s)
{
	s->c.timeout = 5;
	if (conn_puts(&s->c, "QUIT\r\n") == 0)
		conn_reply(&s->c, &s->r, NULL);
}

static int
cmd(struct sess *s, const char *line, struct caps *caps)
{
	if (conn_puts(&s->c, line) < 0 || conn_puts(&s->c, "\r\n") < 0)
		return -1;
	return conn_reply(&s->c, &s->r, caps);
}

/* "EHLO helohost" or "HELO helohost" */
static int
greet(struct sess *s, const char *verb, struct caps *caps)
{
	struct buf l = BUF_INIT(600);
	int r = -1;

	if (buf_printf(&l, "%s %s", verb, s->j->helo) == 0 && buf_cstr(&l) == 0)
		r = cmd(s, (char *)l.p, caps);
	buf_free(&l);
	return r;
}

static int
ehlo(struct sess *s)
{
	int r;

	memset(&s->caps, 0, sizeof s->caps);
	if ((r = greet(s, "EHLO", &s->caps)) == 0 && s->r.code / 100 != 2) {
		memset(&s->caps, 0, sizeof s->caps);
		r = greet(s, "HELO", NULL);
	}
	return r;
}

/* STARTTLS when offered: 0 go on, 1 SM_NEXT, 2 SM_PLAIN (why set). */
static int
starttls(struct sess *s, bool tls_ok)
{
	bool need = s->j->tls == TLS_REQUIRE || s->j->tls == TLS_VERIFY;

	if (!tls_ok || s->j->tls == TLS_NONE || !s->caps.starttls) {
		if (!need)
			return 0;
		errno = EPROTO;
		next(s, "TLS required but not offered (4.7.1)");
		return 1;
	}
	if (cmd(s, "STARTTLS", NULL) < 0) {
		next(s, "connection lost at STARTTLS");
		return 1;
	}
	if (s->r.code != 220) {
		if (!need)
			return 0;
		next(s, NULL);
		return 1;
	}
	buf_reset(s->why);
	buf_printf(s->why, "%s [%s]: ", s->host, s->ip);
	if (tls_start(&s->c, s->host, s->j->tls == TLS_VERIFY, s->why) < 0) {
		reset_results(s->j);
		return need ? 1 : 2;
	}
	if (ehlo(s) < 0 || s->r.code / 100 != 2) {
		next(s, "EHLO after STARTTLS failed");
		return 1;
	}
	return 0;
}

/* AUTH PLAIN, else LOGIN; credentials only over TLS.  0 ok, -1 fail. */
static int
auth(struct sess *s)
{
	struct job *j = s->j;
	struct buf a = BUF_INIT(4096), l = BUF_INIT(8192);
	int r = -1;

	if (s->caps.auth_plain) {
		if (buf_catc(&a, 0) == 0 &&
		    buf_cat(&a, j->user.p, j->user.len) == 0 &&
		    buf_catc(&a, 0) == 0 &&
		    buf_cat(&a, j->pass.p, j->pass.len) == 0 &&
		    buf_cats(&l, "AUTH PLAIN ") == 0 &&
		    base64_encode(&l, a.p, a.len) == 0 && buf_cstr(&l) == 0)
			r = cmd(s, (char *)l.p, NULL);
	} else if (cmd(s, "AUTH LOGIN", NULL) == 0 && s->r.code == 334 &&
	           base64_encode(&l, j->user.p, j->user.len) == 0 &&
	           buf_cstr(&l) == 0 && cmd(s, (char *)l.p, NULL) == 0 &&
	           s->r.code == 334) {
		buf_reset(&l);
		if (base64_encode(&l, j->pass.p, j->pass.len) == 0 &&
		    buf_cstr(&l) == 0)
			r = cmd(s, (char *)l.p, NULL);
	}
	buf_free(&a);
	buf_free(&l);
	if (r == 0 && s->r.code == 235)
		return 0;
	return -1;
}

/* Local refusals that need the peer's capabilities: 1 when decided. */
static int
refuse(struct sess *s)
{
	struct job *j = s->j;
	struct buf t = BUF_INIT(RESULT_MAX);
	bool utf8 = has8(j->sender), no;
	size_t i;

	for (i = 0; i < j->n; i++)
		utf8 = utf8 || has8(j->rcpt[i]);
	s->utf8 = utf8;
	if (s->caps.size && s->caps.sizemax > 0 &&
	    j->msg.wire > s->caps.sizemax)
		buf_printf(&t,
		    "5.3.4 message is %llu bytes; %s [%s] takes at "
		    "most %llu (SIZE)",
		    j->msg.wire, s->host, s->ip, s->caps.sizemax);
	else if (utf8 && !s->caps.smtputf8)
		buf_printf(&t,
		    "5.6.7 %s [%s] does not support SMTPUTF8, "
		    "which the addresses need",
		    s->host, s->ip);
	no = t.len > 0;
	if (no)
		result_all(j, 'D', (const char *)t.p, t.len);
	buf_free(&t);
	return no;
}

/* MAIL FROM and RCPT TO lines into the output buffer. */
static int
envelope(struct sess *s, struct buf *l, size_t i)
{
	struct job *j = s->j;
	const char *a = i < j->n ? j->rcpt[i] : j->sender;

	buf_reset(l);
	if (buf_cats(l, i < j->n ? "RCPT TO:<" : "MAIL FROM:<") < 0 ||
	    (a[0] && addr_quote(l, a, strlen(a)) < 0) || buf_catc(l, '>') < 0)
		return -1;
	if (i == j->n) {
		if (s->caps.size &&
		    buf_printf(l, " SIZE=%llu", j->msg.wire) < 0)
			return -1;
		if (j->msg.eightbit && s->caps.eightbit &&
		    buf_cats(l, " BODY=8BITMIME") < 0)
			return -1;
		if (s->caps.smtputf8 && s->utf8 && buf_cats(l, " SMTPUTF8") < 0)
			return -1;
	}
	return buf_cats(l, "\r\n") < 0 ? -1 : conn_put(&s->c, l->p, l->len);
}

/* One reply within a transaction; a 421 marks the session dead. */
static int
rd(struct sess *s)
{
	if (conn_reply(&s->c, &s->r, NULL) < 0)
		return -1;
	if (s->r.code == 421)
		s->dead = true;
	return 0;
}

/* 0 accepted, 1 the reply decided every recipient, -1 I/O trouble */
static int
mail_reply(struct sess *s)
{
	if (rd(s) < 0)
		return -1;
	if (s->r.code / 100 == 2)
		return 0;
	said(s, s->j->n, status_of(s->r.code));
	return 1;
}

static int
rcpt_reply(struct sess *s, size_t i)
{
	if (rd(s) < 0)
		return -1;
	if (s->r.code / 100 == 2) {
		s->ok[i] = true;
		s->nok++;
	} else
		said(s, i, status_of(s->r.code));
	return 0;
}

/* The accepted recipients get st with text from the reply, or, when
 * what is set, a local text about a lost connection. */
static void
accepted(struct sess *s, char st, const char *what)
{
	struct buf t = BUF_INIT(RESULT_MAX + 64);
	size_t i;

	if (what)
		buf_printf(&t, "4.4.2 %s [%s]: %s: %s", s->host, s->ip, what,
		    strerror(errno));
	else
		said_text(s, &t);
	for (i = 0; i < s->j->n; i++)
		if (s->ok[i]) {
			s->j->res[i].st = st;
			buf_copy(&s->j->res[i].text, t.p, t.len);
		}
	buf_free(&t);
}

/* After "354": the message, then the final reply.  Returns 1. */
static int
blast(struct sess *s)
{
	static unsigned char in[65536];
	struct buf out = BUF_INIT(2 * sizeof in + 8);
	off_t off = s->j->msg.start;
	int state = 0, r = -1;
	ssize_t n;

	for (;;) {
		n = pread(s->j->msg.fd, in, sizeof in, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -2;
			break;
		}
		buf_reset(&out);
		if (n == 0 ? msg_encode_end(&out, state) < 0
		           : msg_encode(&out, in, (size_t)n, &state) < 0)
			break;
		if (conn_put(&s->c, out.p, out.len) < 0)
			break;
		if (n == 0) {
			r = rd(s);
			break;
		}
		off += n;
	}
	buf_free(&out);
	s->clean = r == 0;
	if (r == 0)
		accepted(s, status_of(s->r.code), NULL);
	else
		accepted(s, 'Z',
		    r == -2 ? "unable to read the message"
		            : "connection lost during DATA");
	return 1;
}

static int
data(struct sess *s)
{
	if (s->r.code == 354 && s->nok > 0)
		return blast(s);
	s->clean = s->r.code != 354;
	if (s->r.code == 354) { /* RFC 2920 3.1: nobody accepted */
		if (conn_puts(&s->c, ".\r\n") == 0 && rd(s) == 0)
			s->clean = true;
	} else if (s->nok > 0)
		accepted(s,
		    status_of(s->r.code) == 'K' ? 'Z' : status_of(s->r.code),
		    NULL);
	return 1;
}

/* -1: trouble before DATA (try the next address), else done. */
static int
transaction(struct sess *s)
{
	struct job *j = s->j;
	struct buf l = BUF_INIT(2 * ADDR_MAX + 100);
	bool pipe = s->caps.pipelining;
	size_t i;
	int r = -1;

	s->clean = false;
	if (envelope(s, &l, j->n) < 0 || (!pipe && (r = mail_reply(s)) != 0)) {
		s->clean = r == 1; /* nothing else was sent */
		goto out;
	}
	for (r = -1, i = 0; i < j->n; i++)
		if (envelope(s, &l, i) < 0 || (!pipe && rcpt_reply(s, i) < 0))
			goto out;
	if (!pipe && s->nok == 0) {
		r = 1;
		s->clean = true;
		goto out;
	}
	if (conn_puts(&s->c, "DATA\r\n") < 0)
		goto out;
	if (pipe && (r = mail_reply(s)) != 0)
		goto out;
	for (r = -1, i = 0; pipe && i < j->n; i++)
		if (rcpt_reply(s, i) < 0)
			goto out;
	if (rd(s) < 0)
		goto out;
	r = data(s);
out:
	buf_free(&l);
	return r;
}

/* Greeting, EHLO, STARTTLS, AUTH: 0 go on, else the attempt's end. */
static int
opening(struct sess *s, bool tls_ok, enum sres_t *res_r)
{
	int t;

	*res_r = SM_NEXT;
	if (conn_reply(&s->c, &s->r, NULL) < 0)
		return next(s, "no greeting"), -1;
	if (s->r.code / 100 != 2)
		return next(s, NULL), -1;
	if (ehlo(s) < 0)
		return next(s, "connection lost at EHLO"), -1;
	if (s->r.code / 100 != 2)
		return next(s, NULL), -1;
	if ((t = starttls(s, tls_ok)) != 0) {
		*res_r = t == 2 ? SM_PLAIN : SM_NEXT;
		return -1;
	}
	if (s->j->auth && s->c.ssl &&
	    (s->caps.auth_plain || s->caps.auth_login) && auth(s) < 0) {
		errno = EACCES;
		return next(s, s->r.lines ? NULL : "authentication failed"), -1;
	}
	return 0;
}

static void
begin(struct sess *s, struct job *j)
{
	memset(s->ok, 0, sizeof s->ok);
	s->nok = 0;
	s->j = j;
	s->clean = s->dead = s->live = false;
	reset_results(j);
}

/* After a decided transaction: keep the session or say goodbye. */
static void
end(struct sess *s, bool decided)
{
	if (decided && s->j->keep && s->clean && !s->dead) {
		s->live = true;
		return;
	}
	if (decided && !s->dead)
		quit(s);
	conn_close(&s->c);
}

enum sres_t
smtp_try(struct job *j, const char *host, const struct sockaddr_storage *sa,
    bool tls_ok, struct buf *why)
{
	struct sess *s = &S;
	enum sres_t res;

	smtp_close();
	begin(s, j);
	s->clean = true; /* until a transaction starts */
	s->host = s->hostbuf;
	if (strlen(host) >= sizeof s->hostbuf)
		s->host = host;
	else
		memcpy(s->hostbuf, host, strlen(host) + 1);
	s->why = why;
	conn_ip(sa, s->ip, sizeof s->ip);
	if (conn_open(&s->c, sa, j->tconnect, j->timeout) < 0) {
		next(s, "unable to connect");
		return SM_NEXT;
	}
	if (opening(s, tls_ok, &res) < 0) {
		conn_close(&s->c);
		return res;
	}
	if (refuse(s) || transaction(s) >= 0) {
		end(s, true);
		return SM_DONE;
	}
	res = next(s, "connection lost");
	conn_close(&s->c);
	return res;
}

int
smtp_again(struct job *j)
{
	struct sess *s = &S;
	struct buf why = BUF_INIT(RESULT_MAX);

	if (!s->live)
		return -1;
	begin(s, j);
	s->clean = true;
	s->why = &why;
	/* a short wait for RSET, as Postfix's smtp_rset_timeout: a peer
	 * that vanished while the session was idle costs 20 s, not
	 * timeoutremote */
	s->c.timeout = j->timeout < RSET_TIMEOUT ? j->timeout : RSET_TIMEOUT;
	if (refuse(s)) { /* nothing sent: the session stays as it was */
		s->live = true;
		return 0;
	}
	/* RSET (RFC 5321 4.1.1.5) also proves the connection still works
	 * before a message is committed to it */
	if (cmd(s, "RSET", NULL) < 0 || s->r.code != 250 ||
	    (s->c.timeout = j->timeout, transaction(s)) < 0) {
		reset_results(j);
		conn_close(&s->c);
		buf_free(&why);
		return -1;
	}
	end(s, true);
	buf_free(&why);
	return 0;
}

bool
smtp_live(void)
{
	return S.live;
}

void
smtp_close(void)
{
	if (!S.live)
		return;
	S.live = false;
	quit(&S);
	conn_close(&S.c);
}
