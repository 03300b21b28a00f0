/* session.c: the session around the commands: configuration from the
 * environment (tcpserver) and control/, the reply writer with its error
 * count, the read loop with its line limit and timeout, and the one log
 * line per connection. */
#include "smtpd.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "auto.h"
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "limits.h"

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

static _Noreturn void
die_control(struct smtpd *s, const char *name)
{
	log_warn("unable to read control/%s: %s", name, strerror(errno));
	smtpd_close(
	    s, "421 4.3.0 unable to read controls, closing", "control", 111);
}

static void
init_numbers(struct smtpd *s)
{
	unsigned long bytes = 0;

	if (control_readulong(&s->databytes, "databytes", DEF_DATABYTES) < 0)
		die_control(s, "databytes");
	if (control_readulong(&s->timeout, "timeoutsmtpd", DEF_TIMEOUT) < 0)
		die_control(s, "timeoutsmtpd");
	if (control_readulong(&s->maxrcpt, "maxrcpt", DEF_MAXRCPT) < 0)
		die_control(s, "maxrcpt");
	if (s->maxrcpt == 0 || s->maxrcpt > SMTP_MAXRCPT_CAP)
		s->maxrcpt = SMTP_MAXRCPT_CAP;
	if (s->timeout == 0 || s->timeout > 86400)
		s->timeout = DEF_TIMEOUT;
	s->freespace = DEF_FREESPACE;
	switch (control_readulong(&bytes, "queuefreespace", 0)) {
	case 1:
		s->freespace = (unsigned long long)bytes;
		break;
	case 0:
		break;
	default:
		die_control(s, "queuefreespace");
	}
}

static void
init_bufs(struct smtpd *s)
{
	buf_init(&s->line, SMTP_LINE_MAX);
	buf_init(&s->me, 1024);
	buf_init(&s->greeting, 1024);
	buf_init(&s->queuedir, 4096);
	buf_init(&s->helo, SMTP_HELO_MAX + 1);
	buf_init(&s->sender, SMTP_ADDR_MAX + 1);
	buf_init(&s->rcpts, (SMTP_ADDR_MAX + 1024) * (SMTP_MAXRCPT_CAP + 1));
	buf_init(&s->addr, SMTP_ADDR_MAX + 1024);
	buf_init(&s->tmp, 4096);
	buf_init(&s->reply, 2048);
	buf_init(&s->authname, SMTP_AUTH_DECODED_MAX + 1);
}

/* A yes/no control file's first line: yes, 1 or true (any case). */
static bool
control_yes(struct smtpd *s, const char *name)
{
	if (control_readline(&s->tmp, name, NULL) < 0)
		die_control(s, name);
	return str_caseeq(s->tmp.p, s->tmp.len, "yes", 3) ||
	       str_caseeq(s->tmp.p, s->tmp.len, "1", 1) ||
	       str_caseeq(s->tmp.p, s->tmp.len, "true", 4);
}

static const char *
home_prog(struct smtpd *s, const char *name)
{
	char *p;

	buf_reset(&s->tmp);
	if (buf_printf(&s->tmp, "%s/bin/%s", auto_home, name) < 0)
		die_nomem();
	p = strndup((const char *)s->tmp.p, s->tmp.len);
	if (p == NULL)
		die_nomem();
	return p;
}

/* AUTH and submission settings (auth.c, policy.c). */
static void
init_auth(struct smtpd *s)
{
	const char *v = getenv("QUAIL_SUBMISSION");

	s->authuser = NULL;
	s->submission = v != NULL && *v != '\0' && strcmp(v, "0") != 0;
	s->authplain = control_yes(s, "smtpauthplaintext");
	s->checkpassword = getenv("QUAIL_CHECKPASSWORD");
	if (s->checkpassword == NULL || s->checkpassword[0] != '/')
		s->checkpassword = home_prog(s, "quail-auth");
	s->authok = home_prog(s, "quail-authok");
}

void
smtpd_session_init(struct smtpd *s)
{
	init_bufs(s);
	io_init(&s->out, 1, s->outmem, sizeof s->outmem, DEF_TIMEOUT);
	io_init(&s->in, 0, s->inmem, sizeof s->inmem, DEF_TIMEOUT);
	s->in.flush = &s->out;
	s->state = ST_GREET;
	s->remoteip = env_or("TCPREMOTEIP", "unknown");
	s->remotehost = env_or("TCPREMOTEHOST", "unknown");
	s->localip = env_or("TCPLOCALIP", "unknown");
	s->relayclient = getenv("RELAYCLIENT");
	s->tlsfd = -1;
	s->tls = NULL;
	s->authuser = NULL;
	if (control_readline(&s->me, "me", NULL) < 0)
		die_control(s, "me");
	if (s->me.len == 0 &&
	    buf_cats(&s->me, env_or("TCPLOCALHOST", "localhost")) < 0)
		die_nomem();
	if (buf_cstr(&s->me) < 0)
		die_nomem();
	s->localhost = env_or("TCPLOCALHOST", (const char *)s->me.p);
	if (control_readline(
	        &s->greeting, "smtpgreeting", (const char *)s->me.p) < 0 ||
	    buf_cstr(&s->greeting) < 0)
		die_control(s, "smtpgreeting");
	init_numbers(s);
	s->in.timeout = s->out.timeout = (unsigned)s->timeout;
	init_auth(s);
	smtpd_tls_init(s);
	if (buf_printf(&s->queuedir, "%s/queue", auto_home) < 0 ||
	    buf_cstr(&s->queuedir) < 0 || buf_cstr(&s->helo) < 0)
		die_nomem();
	s->queueprog = getenv("QUAILQUEUE");
	if (s->queueprog == NULL || *s->queueprog == '\0') {
		buf_reset(&s->tmp); /* still holds init_auth's path */
		if (buf_printf(&s->tmp, "%s/bin/quail-queue", auto_home) < 0)
			die_nomem();
		s->queueprog = strndup((const char *)s->tmp.p, s->tmp.len);
		if (s->queueprog == NULL)
			die_nomem();
	}
}

void
smtpd_session_reset(struct smtpd *s)
{
	buf_reset(&s->sender);
	buf_reset(&s->rcpts);
	s->nrcpt = 0;
	s->utf8 = false;
	s->declared = 0;
	if (s->state & (ST_MAIL | ST_RCPT))
		s->state = ST_HELO;
}

void
smtpd_reply(struct smtpd *s, const char *line)
{
	if ((line[0] == '4' || line[0] == '5') && s->errors < 1000000)
		s->errors++;
	(void)io_puts(&s->out, line);
	(void)io_write(&s->out, "\r\n", 2);
}

void
smtpd_replyf(struct smtpd *s, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&s->reply);
	va_start(ap, fmt);
	if (buf_vprintf(&s->reply, fmt, ap) < 0 || buf_cstr(&s->reply) < 0) {
		va_end(ap);
		smtpd_close(s, "421 4.3.0 out of memory", "nomem", 111);
	}
	va_end(ap);
	smtpd_reply(s, (const char *)s->reply.p);
}

/* After a reply that closes the session with input still unread: end our
 * side, then discard a bounded amount of input for a bounded time, so the
 * kernel does not answer the unread bytes with a RST that could destroy
 * the reply before the client reads it. */
static void
linger(void)
{
	unsigned char junk[4096];
	struct pollfd pfd;
	size_t total = 0;
	ssize_t r;

	if (shutdown(1, SHUT_WR) < 0)
		return; /* not a socket (a pipe in tests): nothing to do */
	while (total < 65536) {
		pfd.fd = 0;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 1000) <= 0)
			return;
		r = read(0, junk, sizeof junk);
		if (r <= 0)
			return;
		total += (size_t)r;
	}
}

void
smtpd_close(struct smtpd *s, const char *reply, const char *why, int code)
{
	if (reply != NULL) {
		(void)io_puts(&s->out, reply);
		(void)io_write(&s->out, "\r\n", 2);
	}
	(void)io_flush(&s->out);
	if (code != 0)
		linger();
	log_info("end ip=%s host=%s helo=%.*s messages=%lu rejected=%lu "
	         "errors=%u end=%s",
	    s->remoteip, s->remotehost, (int)s->helo.len,
	    s->helo.p ? (const char *)s->helo.p : "", s->messages, s->rejected,
	    s->errors, why);
	_exit(code);
}

static _Noreturn void
read_failed(struct smtpd *s)
{
	if (errno == EMSGSIZE)
		smtpd_close(
		    s, "500 5.5.2 line too long, closing", "toolong", 100);
	if (errno == ETIMEDOUT) {
		smtpd_replyf(
		    s, "421 4.4.2 %s timeout, closing", (const char *)s->me.p);
		smtpd_close(s, NULL, "timeout", 111);
	}
	smtpd_close(s, NULL, "readerror", 111);
}

void
smtpd_session_run(struct smtpd *s)
{
	int r;

	smtpd_replyf(s, "220 %s ESMTP", (const char *)s->greeting.p);
	for (;;) {
		r = io_getline(&s->in, &s->line, SMTP_LINE_MAX);
		if (r < 0)
			read_failed(s);
		if (r == 0 || s->line.p[s->line.len - 1] != '\n')
			smtpd_close(s, NULL, "eof", 0);
		smtpd_dispatch(s, s->line.p, s->line.len);
		if (s->quit)
			smtpd_close(s, NULL, "quit", 0);
		if (s->errors >= SMTP_MAX_ERRORS)
			smtpd_close(s, "421 4.7.0 too many errors, closing",
			    "errors", 100);
	}
}
