/* auth.c: AUTH (RFC 4954) with the mechanisms PLAIN (RFC 4616) and LOGIN
 * (draft-murchison-sasl-login), initial responses (SASL-IR) accepted.
 * Offered only under TLS unless control/smtpauthplaintext allows it.
 * The password is checked by the checkpassword program (authcheck.c);
 * success makes the session relay (policy.c) and names the user in the
 * Received: header and the log.  Every buffer that held a password is
 * wiped before the reply is sent. */
#include "smtpd.h"

#include <errno.h>
#include <string.h>

#include "base64.h"
#include "die.h"
#include "limits.h"
#include "sasl.h"

bool
smtpd_auth_offered(const struct smtpd *s)
{
	return s->tls != NULL || s->authplain;
}

static void
wipe_line(struct smtpd *s)
{
	if (s->line.p != NULL)
		explicit_bzero(s->line.p, s->line.cap);
}

/* Send a 334 challenge, read the client's answer into dec.  Returns 0,
 * or -1 after a reply has been queued (cancel, bad base64). */
static int
challenge(struct smtpd *s, const char *c, unsigned char *dec, size_t cap,
    size_t *len_r)
{
	struct str t;
	int r;

	smtpd_replyf(s, "334 %s", c);
	r = io_getline(&s->in, &s->line, SMTP_LINE_MAX);
	if (r < 0 && errno == EMSGSIZE)
		smtpd_close(
		    s, "500 5.5.2 line too long, closing", "toolong", 100);
	if (r < 0)
		smtpd_close(s, NULL, "readerror", 111);
	if (r == 0 || s->line.p[s->line.len - 1] != '\n')
		smtpd_close(s, NULL, "eof", 0);
	t = str_trim((struct str){(const char *)s->line.p, s->line.len});
	if (t.len == 1 && t.p[0] == '*') {
		smtpd_reply(s, "501 5.0.0 authentication cancelled");
		return -1;
	}
	return smtpd_auth_decode(s, t, dec, cap, len_r);
}

int
smtpd_auth_decode(struct smtpd *s, struct str t, unsigned char *dec, size_t cap,
    size_t *len_r)
{
	if (t.len == 1 && t.p[0] == '=') {
		*len_r = 0; /* RFC 4954 4: "=" is an empty initial response */
		return 0;
	}
	if (base64_decode(t.p, t.len, dec, cap, len_r) < 0) {
		smtpd_reply(s, "501 5.5.2 cannot decode response");
		return -1;
	}
	return 0;
}

/* PLAIN: fills user (into s->authname) and pass; 0 or -1 (replied). */
static int
mech_plain(struct smtpd *s, const struct str *ir, unsigned char *dec,
    size_t *len_r, struct str *pass)
{
	struct str authz, user;
	size_t n;

	if (ir != NULL
	        ? smtpd_auth_decode(s, *ir, dec, SMTP_AUTH_DECODED_MAX, &n) < 0
	        : challenge(s, "", dec, SMTP_AUTH_DECODED_MAX, &n) < 0)
		return -1;
	*len_r = n;
	if (sasl_plain(dec, n, &authz, &user, pass) < 0) {
		smtpd_reply(s, "501 5.5.2 bad PLAIN response");
		return -1;
	}
	if (authz.len != 0 &&
	    !str_caseeq(authz.p, authz.len, user.p, user.len)) {
		smtpd_reply(s, "535 5.7.8 authorization identity refused");
		return -1;
	}
	return buf_copy(&s->authname, user.p, user.len) < 0 ? -1 : 0;
}

/* LOGIN: "Username:" then "Password:" (base64 in the challenges). */
static int
mech_login(struct smtpd *s, const struct str *ir, unsigned char *dec,
    size_t *len_r, struct str *pass)
{
	size_t n;

	if (ir != NULL
	        ? smtpd_auth_decode(s, *ir, dec, SMTP_AUTH_DECODED_MAX, &n) < 0
	        : challenge(s, "VXNlcm5hbWU6", dec, SMTP_AUTH_DECODED_MAX, &n) <
	              0)
		return -1;
	if (n == 0 || memchr(dec, '\0', n) != NULL ||
	    buf_copy(&s->authname, dec, n) < 0) {
		smtpd_reply(s, "501 5.5.2 bad user name");
		return -1;
	}
	if (challenge(s, "UGFzc3dvcmQ6", dec, SMTP_AUTH_DECODED_MAX, &n) < 0)
		return -1;
	*len_r = n;
	if (n == 0 || memchr(dec, '\0', n) != NULL) {
		smtpd_reply(s, "535 5.7.8 authentication credentials invalid");
		return -1;
	}
	pass->p = (const char *)dec;
	pass->len = n;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct smtpd *s, const struct str *ir, unsigned char *dec,
	    size_t *len_r, struct str *pass);
} mechs[] = {
    {"PLAIN", mech_plain},
    {"LOGIN", mech_login},
};

/* Run the check and answer (RFC 4954 6: 235, 535 5.7.8, 454 4.7.0). */
static void
verify(struct smtpd *s, struct str pass)
{
	const char *user = (const char *)s->authname.p;
	int code;

	if (s->authname.len > SMTP_AUTH_USER_MAX ||
	    s->authname.len + pass.len > SMTP_AUTH_CRED_MAX ||
	    memchr(s->authname.p, '\0', s->authname.len) != NULL)
		code = 1;
	else
		code =
		    smtpd_authcheck(s, user, s->authname.len, pass.p, pass.len);
	if (code == 0) {
		str_lower(s->authname.p, s->authname.len);
		s->authuser = (const char *)s->authname.p;
		log_info("auth ok ip=%s user=%s", s->remoteip, s->authuser);
		smtpd_reply(s, "235 2.7.0 authentication successful");
		return;
	}
	log_info("auth failed ip=%s user=%.*s code=%d", s->remoteip,
	    (int)(s->authname.len > 255 ? 255 : s->authname.len), user, code);
	if (code != 1) {
		smtpd_reply(s, "454 4.7.0 temporary authentication failure");
		return;
	}
	smtpd_reply(s, "535 5.7.8 authentication credentials invalid");
	if (++s->authfailed >= SMTP_AUTH_MAX_FAILS)
		smtpd_close(s, "421 4.7.0 too many authentication failures",
		    "authfail", 100);
}

/* One AUTH command: check state, pick the mechanism, run it. */
static void
auth_run(struct smtpd *s, struct str mech, const struct str *ir)
{
	unsigned char dec[SMTP_AUTH_DECODED_MAX];
	struct str pass;
	size_t i, n = 0;

	for (i = 0; i < sizeof mechs / sizeof mechs[0]; i++)
		if (str_caseeq(
		        mech.p, mech.len, mechs[i].name, strlen(mechs[i].name)))
			break;
	if (i == sizeof mechs / sizeof mechs[0]) {
		smtpd_reply(s, "504 5.5.4 unrecognized authentication type");
		return;
	}
	buf_reset(&s->authname);
	if (mechs[i].fn(s, ir, dec, &n, &pass) == 0 &&
	    buf_cstr(&s->authname) == 0)
		verify(s, pass);
	explicit_bzero(dec, sizeof dec);
	wipe_line(s);
	if (s->authuser == NULL)
		buf_reset(&s->authname);
}

void
smtpd_cmd_auth(struct smtpd *s, struct str arg)
{
	struct str mech, ir;
	size_t sp;

	if (s->authuser != NULL) {
		smtpd_reply(s, "503 5.5.1 already authenticated");
		return;
	}
	if (!s->esmtp) {
		smtpd_reply(s, "503 5.5.1 send EHLO first");
		return;
	}
	if (!smtpd_auth_offered(s)) {
		wipe_line(s);
		smtpd_reply(s, s->tlsfd >= 0 ? "538 5.7.11 encryption required "
		                               "for requested authentication "
		                               "mechanism, use STARTTLS"
		                             : "502 5.5.1 AUTH not available");
		return;
	}
	sp = str_chr(arg.p, arg.len, ' ');
	mech = (struct str){arg.p, sp};
	ir = str_trim((struct str){arg.p + sp, arg.len - sp});
	if (mech.len == 0) {
		smtpd_reply(s, "501 5.5.4 syntax: AUTH mechanism");
		return;
	}
	auth_run(s, mech, sp < arg.len ? &ir : NULL);
}
