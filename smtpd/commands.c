/* commands.c: the command table {verb, states, handler} and the simple
 * commands (RFC 5321 4.1.1).  State is checked here, before a handler
 * runs (OpenSMTPD's check/proceed split); MAIL, RCPT and DATA live in
 * mail.c and datacmd.c. */
#include "smtpd.h"

#include "limits.h"

struct command {
	const char *verb;
	unsigned states;      /* ST_* where it is allowed */
	const char *badstate; /* reply elsewhere (after ST_GREET's) */
	void (*fn)(struct smtpd *s, struct str arg);
};

static void
cmd_quit(struct smtpd *s, struct str arg)
{
	(void)arg;
	smtpd_replyf(s, "221 2.0.0 %s closing", (const char *)s->me.p);
	s->quit = true;
}

static void
cmd_noop(struct smtpd *s, struct str arg)
{
	(void)arg;
	smtpd_reply(s, "250 2.0.0 ok");
}

static void
cmd_rset(struct smtpd *s, struct str arg)
{
	(void)arg;
	smtpd_session_reset(s);
	smtpd_reply(s, "250 2.0.0 ok");
}

static void
cmd_vrfy(struct smtpd *s, struct str arg)
{
	(void)arg; /* RFC 5321 3.5.3: 252, verification is not offered */
	smtpd_reply(s, "252 2.5.0 cannot VRFY user, but will accept message");
}

static void
cmd_expn(struct smtpd *s, struct str arg)
{
	(void)arg;
	smtpd_reply(s, "502 5.5.1 EXPN not available");
}

static void
cmd_help(struct smtpd *s, struct str arg)
{
	(void)arg;
	smtpd_reply(s, "214-2.0.0 quail-smtpd: HELO EHLO MAIL RCPT DATA RSET");
	smtpd_reply(s, "214 2.0.0 NOOP QUIT VRFY HELP; see RFC 5321");
}

/* HELO and EHLO: a new session state (RFC 5321 4.1.4: resets any
 * transaction). */
static bool
greet(struct smtpd *s, struct str arg, bool esmtp)
{
	struct str h;
	enum pres r;

	r = smtpd_parse_helo((const unsigned char *)arg.p, arg.len, &h);
	if (r != P_OK) {
		smtpd_replyf(s, "501 5.5.4 syntax: %s hostname",
		    esmtp ? "EHLO" : "HELO");
		return false;
	}
	if (buf_copy(&s->helo, h.p, h.len) < 0 || buf_cstr(&s->helo) < 0)
		smtpd_close(s, "421 4.3.0 out of memory", "nomem", 111);
	smtpd_session_reset(s);
	s->state = ST_HELO;
	s->esmtp = esmtp;
	return true;
}

static void
cmd_helo(struct smtpd *s, struct str arg)
{
	if (greet(s, arg, false))
		smtpd_replyf(s, "250 %s", (const char *)s->me.p);
}

static void
ehlo_size(struct smtpd *s)
{
	smtpd_replyf(s, "250-SIZE %lu", s->databytes);
}

/* EHLO keywords, in order; an entry with a `when` test is listed only
 * when it holds (STARTTLS before TLS, AUTH under TLS or when allowed). */
static const struct {
	const char *line;
	void (*put)(struct smtpd *s);
	bool (*when)(const struct smtpd *s);
} ehlo_kw[] = {
    {"250-PIPELINING", NULL, NULL},
    {NULL, ehlo_size, NULL},
    {"250-8BITMIME", NULL, NULL},
    {"250-ENHANCEDSTATUSCODES", NULL, NULL},
    {"250-SMTPUTF8", NULL, NULL},
    {"250-STARTTLS", NULL, smtpd_tls_offered},
    {"250-AUTH PLAIN LOGIN", NULL, smtpd_auth_offered},
};

static void
cmd_ehlo(struct smtpd *s, struct str arg)
{
	size_t i;

	if (!greet(s, arg, true))
		return;
	smtpd_replyf(s, "250-%s", (const char *)s->me.p);
	for (i = 0; i < sizeof ehlo_kw / sizeof ehlo_kw[0]; i++) {
		if (ehlo_kw[i].when != NULL && !ehlo_kw[i].when(s))
			continue;
		if (ehlo_kw[i].put != NULL)
			ehlo_kw[i].put(s);
		else
			smtpd_reply(s, ehlo_kw[i].line);
	}
	smtpd_reply(s, "250 HELP");
}

static const struct command commands[] = {
    {"HELO", ST_ANY, NULL, cmd_helo},
    {"EHLO", ST_ANY, NULL, cmd_ehlo},
    {"MAIL", ST_HELO, "503 5.5.1 nested MAIL command", smtpd_cmd_mail},
    {"RCPT", ST_MAIL | ST_RCPT, "503 5.5.1 MAIL first", smtpd_cmd_rcpt},
    {"DATA", ST_RCPT, NULL, smtpd_cmd_data},
    {"RSET", ST_ANY, NULL, cmd_rset},
    {"NOOP", ST_ANY, NULL, cmd_noop},
    {"QUIT", ST_ANY, NULL, cmd_quit},
    {"VRFY", ST_ANY, NULL, cmd_vrfy},
    {"EXPN", ST_ANY, NULL, cmd_expn},
    {"HELP", ST_ANY, NULL, cmd_help},
    {"STARTTLS", ST_HELO, "503 5.5.1 STARTTLS not allowed in a transaction",
        smtpd_cmd_starttls},
    {"AUTH", ST_HELO, "503 5.5.1 AUTH not allowed in a transaction",
        smtpd_cmd_auth},
};

static void
bad_state(struct smtpd *s, const struct command *c)
{
	if (s->state == ST_GREET)
		smtpd_reply(s, "503 5.5.1 send EHLO or HELO first");
	else if (c->badstate != NULL)
		smtpd_reply(s, c->badstate);
	else if (s->state == ST_MAIL)
		smtpd_reply(s, "503 5.5.1 no valid recipients");
	else
		smtpd_reply(s, "503 5.5.1 MAIL first");
}

void
smtpd_dispatch(struct smtpd *s, const unsigned char *p, size_t len)
{
	struct smtp_cmd cmd;
	size_t i;

	switch (smtpd_parse_cmd(p, len, &cmd)) {
	case P_OK:
		break;
	case P_TOOLONG:
		smtpd_close(
		    s, "500 5.5.2 line too long, closing", "toolong", 100);
	default:
		smtpd_reply(s, "500 5.5.2 syntax error");
		return;
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (!str_caseeq(cmd.verb.p, cmd.verb.len, commands[i].verb,
		        strlen(commands[i].verb)))
			continue;
		if (!(commands[i].states & s->state))
			bad_state(s, &commands[i]);
		else
			commands[i].fn(s, cmd.arg);
		return;
	}
	smtpd_reply(s, "500 5.5.1 command not recognized");
}
