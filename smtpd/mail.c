/* mail.c: MAIL FROM and RCPT TO (RFC 5321 4.1.1.2, 4.1.1.3), with the
 * ESMTP parameters SIZE (RFC 1870), BODY (RFC 6152) and SMTPUTF8
 * (RFC 6531).  Syntax here, policy in policy.c. */
#include "smtpd.h"

#include "addr.h"
#include "limits.h"

/* The reply for a path that did not parse. */
static const char *
path_error(enum pres r, const struct smtp_path *p, bool rcpt)
{
	if (r == P_TOOLONG)
		return rcpt ? "501 5.1.3 address too long"
		            : "501 5.1.7 address too long";
	switch (p->err) {
	case MP_E_PREFIX:
		return rcpt ? "501 5.5.4 syntax: RCPT TO:<address>"
		            : "501 5.5.4 syntax: MAIL FROM:<address>";
	case MP_E_PARAM:
		return "555 5.5.4 unsupported parameter";
	case MP_E_PARAMVALUE:
		return "501 5.5.4 bad parameter value";
	default:
		return rcpt ? "501 5.1.3 bad recipient address syntax"
		            : "501 5.1.7 bad sender address syntax";
	}
}

void
smtpd_cmd_mail(struct smtpd *s, struct str arg)
{
	struct smtp_path p = {.addr = &s->addr};
	const char *no;
	enum pres r;

	if (s->submission && s->authuser == NULL) {
		smtpd_reply(s, "530 5.7.0 authentication required");
		return;
	}
	r = smtpd_parse_path((const unsigned char *)arg.p, arg.len, false, &p);
	if (r != P_OK) {
		smtpd_reply(s, path_error(r, &p, false));
		return;
	}
	if ((p.aflags & ADDR_F_UTF8) && !(p.params & MP_UTF8)) {
		smtpd_reply(s, "553 5.6.7 non-ASCII address needs SMTPUTF8");
		return;
	}
	if ((p.params & MP_SIZE) && s->databytes && p.size > s->databytes) {
		smtpd_reply(s, "552 5.3.4 message size exceeds fixed maximum "
		               "message size");
		return;
	}
	no = smtpd_policy_sender(s, &s->addr, p.aflags);
	if (no == NULL && s->submission)
		no = smtpd_policy_submission(s, &s->addr, p.aflags);
	if (no == NULL)
		no = smtpd_policy_space(s, p.size);
	if (no != NULL) {
		s->rejected++;
		smtpd_reply(s, no);
		return;
	}
	if (buf_copy(&s->sender, s->addr.p, s->addr.len) < 0)
		smtpd_close(s, "421 4.3.0 out of memory", "nomem", 111);
	s->utf8 = (p.params & MP_UTF8) != 0;
	s->declared = p.size;
	s->state = ST_MAIL;
	smtpd_reply(s, "250 2.1.0 sender ok");
}

void
smtpd_cmd_rcpt(struct smtpd *s, struct str arg)
{
	struct smtp_path p = {.addr = &s->addr};
	const char *no;
	enum pres r;

	r = smtpd_parse_path((const unsigned char *)arg.p, arg.len, true, &p);
	if (r != P_OK) {
		smtpd_reply(s, path_error(r, &p, true));
		return;
	}
	if (s->nrcpt >= s->maxrcpt) {
		smtpd_reply(s, "452 4.5.3 too many recipients");
		return;
	}
	no = smtpd_policy_rcpt(s, &s->addr, p.aflags);
	if (no != NULL) {
		s->rejected++;
		smtpd_reply(s, no);
		return;
	}
	if (buf_catc(&s->rcpts, 'T') < 0 ||
	    buf_cat(&s->rcpts, s->addr.p, s->addr.len) < 0 ||
	    (s->relayclient && buf_cats(&s->rcpts, s->relayclient) < 0) ||
	    buf_catc(&s->rcpts, '\0') < 0)
		smtpd_close(s, "421 4.3.0 out of memory", "nomem", 111);
	s->nrcpt++;
	s->state = ST_RCPT;
	smtpd_reply(s, "250 2.1.5 recipient ok");
}
