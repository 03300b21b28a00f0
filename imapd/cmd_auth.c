/* cmd_auth.c: CAPABILITY, NOOP, LOGOUT, ID, ENABLE, NAMESPACE, STARTTLS,
 * LOGIN and AUTHENTICATE PLAIN (RFC 3501 6.1-6.2, 4959 SASL-IR, 2971
 * ID, 5161 ENABLE, 2342 NAMESPACE).  Logins are handed to the
 * privileged parent (preauth.c), which runs the checkpassword program;
 * passwords are wiped as soon as they are sent. */
#include <string.h>
#include "imapd.h"
#include "base64.h"
#include "die.h"
#include "exitcode.h"
#include "starttls.h"
#include <unistd.h>
#include "str.h"

int preauth_login(struct session *s, const char *tag, const char *user,
    size_t ulen, const char *pass, size_t plen);

enum cmd_res
cmd_capability(struct imap_cmd *c)
{
	if (c->n)
		return CMD_BAD;
	reply(c->s, "* CAPABILITY %s", capability_string(c->s));
	return CMD_DONE;
}

enum cmd_res
cmd_noop(struct imap_cmd *c)
{
	return c->n ? CMD_BAD : CMD_DONE;
}

enum cmd_res
cmd_logout(struct imap_cmd *c)
{
	if (c->n)
		return CMD_BAD;
	reply(c->s, "* BYE Logging out");
	reply(c->s, "%s OK LOGOUT completed", c->tag);
	return CMD_QUIT;
}

enum cmd_res
cmd_id(struct imap_cmd *c)
{
	if (c->n != 1 ||
	    (c->args[0].type != ARG_LIST && c->args[0].type != ARG_NIL))
		return CMD_BAD;
	reply(c->s, "* ID (\"name\" \"quail\")");
	return CMD_DONE;
}

enum cmd_res
cmd_enable(struct imap_cmd *c)
{
	size_t i;

	if (c->n == 0)
		return CMD_BAD;
	for (i = 0; i < c->n; i++)
		if (c->args[i].type != ARG_ATOM)
			return CMD_BAD;
	/* none of the ENABLE-able extensions is implemented yet */
	reply(c->s, "* ENABLED");
	return CMD_DONE;
}

enum cmd_res
cmd_namespace(struct imap_cmd *c)
{
	if (c->n)
		return CMD_BAD;
	reply(c->s, "* NAMESPACE ((\"\" \".\")) NIL NIL");
	return CMD_DONE;
}

/* RFC 3501 6.2.1 through quail-tls (lib/starttls.h): quail-tls sends
 * our tagged OK itself, then the handshake; plaintext the client
 * pipelined after STARTTLS is discarded. */
enum cmd_res
cmd_starttls(struct imap_cmd *c)
{
	struct session *s = c->s;
	struct starttls_info info;
	struct buf r = BUF_INIT(IMAP_TAG_MAX + 64);
	int res;

	if (c->n)
		return CMD_BAD;
	if (s->tls || s->tlsfd < 0) {
		c->resp = s->tls ? "TLS is already active"
		                 : "STARTTLS is not available";
		return CMD_BAD;
	}
	reply_flush(s);
	if (buf_cats(&r, c->tag) < 0 ||
	    buf_cats(&r, " OK Begin TLS negotiation now\r\n") < 0 ||
	    buf_cstr(&r) < 0)
		die_nomem();
	res = starttls_request(s->tlsfd, (char *)r.p, 120, &s->in, &info);
	buf_free(&r);
	if (res != 0) {
		log_info(
		    "STARTTLS failed: %s", res > 0 ? info.reason : "error");
		_exit(EXIT_TEMP); /* quail-tls has closed the connection */
	}
	s->tls = true;
	return CMD_NONE;
}

static bool
login_allowed(struct imap_cmd *c)
{
	if (c->s->requiretls && !c->s->tls) {
		memcpy(c->code, "PRIVACYREQUIRED", sizeof "PRIVACYREQUIRED");
		c->resp = "Login only after STARTTLS";
		return false;
	}
	if (c->s->ctlfd < 0) {
		c->resp = "Login not possible here";
		return false;
	}
	return true;
}

static enum cmd_res
do_login(struct imap_cmd *c, const char *u, size_t ul, const char *p, size_t pl)
{
	int r;

	if (ul == 0 || memchr(u, 0, ul) || memchr(p, 0, pl)) {
		c->resp = "Invalid user name or password";
		memcpy(c->code, "AUTHENTICATIONFAILED",
		    sizeof "AUTHENTICATIONFAILED");
		return CMD_NO;
	}
	r = preauth_login(c->s, c->tag, u, ul, p, pl);
	if (r == 'K')
		return CMD_QUIT; /* the session took over the connection */
	if (r == 'N') {
		memcpy(c->code, "AUTHENTICATIONFAILED",
		    sizeof "AUTHENTICATIONFAILED");
		c->resp = "Authentication failed";
	} else {
		memcpy(c->code, "UNAVAILABLE", sizeof "UNAVAILABLE");
		c->resp = "Temporary authentication failure";
	}
	if (++c->s->logins >= IMAP_LOGIN_TRIES) {
		reply(c->s, "%s NO [%s] %s", c->tag, c->code, c->resp);
		reply_bye(c->s, "Too many login failures");
	}
	return CMD_NO;
}

enum cmd_res
cmd_login(struct imap_cmd *c)
{
	enum cmd_res r;

	if (c->n != 2 || !arg_is_astring(&c->args[0]) ||
	    !arg_is_astring(&c->args[1]))
		return CMD_BAD;
	if (!login_allowed(c))
		return CMD_NO;
	r = do_login(
	    c, c->args[0].p, c->args[0].len, c->args[1].p, c->args[1].len);
	explicit_bzero((void *)(uintptr_t)c->args[1].p, c->args[1].len);
	return r;
}

enum cmd_res
cmd_authenticate(struct imap_cmd *c)
{
	struct buf line = BUF_INIT(IMAP_LINE_MAX);
	unsigned char *p;
	size_t len, dlen, a, b;
	long n;
	enum cmd_res r;

	if (c->n < 1 || c->n > 2 || c->args[0].type != ARG_ATOM)
		return CMD_BAD;
	if (!arg_eq(&c->args[0], "PLAIN")) {
		c->resp = "Unsupported authentication mechanism";
		return CMD_NO;
	}
	if (!login_allowed(c))
		return CMD_NO;
	if (c->n == 2) {
		if (!arg_is_astring(&c->args[1]))
			return CMD_BAD;
		p = (unsigned char *)(uintptr_t)c->args[1].p;
		len = c->args[1].len;
		if (len == 1 && p[0] == '=')
			len = 0;
	} else {
		reply(c->s, "+ ");
		reply_flush(c->s);
		if (session_readline(c->s, &line) < 0)
			return CMD_BAD;
		p = line.p;
		len = line.len;
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		if (len == 1 && p[0] == '*') {
			buf_free(&line);
			c->resp = "Authentication cancelled";
			return CMD_BAD;
		}
	}
	/* in place: the decoded bytes replace the base64 */
	n = base64_decode(p, len, p, len, &dlen) == 0 ? (long)dlen : -1;
	r = CMD_BAD;
	if (n >= 0) {
		/* authzid NUL authcid NUL passwd (RFC 4616) */
		a = str_chr(p, (size_t)n, 0);
		b = a < (size_t)n
		        ? a + 1 + str_chr(p + a + 1, (size_t)n - a - 1, 0)
		        : (size_t)n;
		if (b < (size_t)n &&
		    (a == 0 || str_eq((struct str){(char *)p, a},
		                   (struct str){(char *)p + a + 1, b - a - 1})))
			r = do_login(c, (char *)p + a + 1, b - a - 1,
			    (char *)p + b + 1, (size_t)n - b - 1);
		else {
			c->resp = "Invalid SASL PLAIN response";
			r = CMD_NO;
		}
	}
	explicit_bzero(p, len);
	buf_free(&line);
	return r;
}
