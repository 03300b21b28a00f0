/* tls.c: STARTTLS (RFC 3207) and implicit TLS through quail-tls's
 * control descriptor (lib/starttls.h, quail-tls(8)).
 * RFC 3207 4.2: after the handshake the session starts over (no HELO,
 * no transaction, no authentication), and nothing the client sent before
 * the handshake is read: quail-tls hands us a new descriptor 0 and
 * starttls_request discards what we had buffered. */
#include "smtpd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "die.h"
#include "starttls.h"

bool
smtpd_tls_offered(const struct smtpd *s)
{
	return s->tlsfd >= 0 && s->tls == NULL;
}

static void
tls_up(struct smtpd *s)
{
	s->tls = s->tlsinfo.version;
	log_info("tls ip=%s %s %s subject=%s", s->remoteip, s->tlsinfo.version,
	    s->tlsinfo.cipher, s->tlsinfo.subject);
}

/* At start: under quail-tls -i the handshake is already done. */
void
smtpd_tls_init(struct smtpd *s)
{
	const char *mode = getenv("QUAIL_TLS");
	int r;

	s->tls = NULL;
	s->tlsfd = starttls_ctlfd();
	if (s->tlsfd < 0 || mode == NULL || strcmp(mode, "implicit") != 0)
		return;
	r = starttls_implicit(s->tlsfd, (unsigned)s->timeout, &s->tlsinfo);
	if (r == 1) {
		log_info(
		    "tls ip=%s failed: %s", s->remoteip, s->tlsinfo.reason);
		smtpd_close(s, NULL, "tlsfail", 111);
	}
	if (r < 0) {
		log_warn("tls control: %s", strerror(errno));
		smtpd_close(s, NULL, "tlsfail", 111);
	}
	tls_up(s);
}

void
smtpd_cmd_starttls(struct smtpd *s, struct str arg)
{
	int r;

	if (arg.len != 0) {
		smtpd_reply(s, "501 5.5.4 syntax: STARTTLS");
		return;
	}
	if (s->tlsfd < 0) {
		smtpd_reply(s, "502 5.5.1 STARTTLS not available");
		return;
	}
	if (s->tls != NULL) {
		smtpd_reply(s, "503 5.5.1 TLS already active");
		return;
	}
	if (io_flush(&s->out) < 0)
		smtpd_close(s, NULL, "writeerror", 111);
	r = starttls_request(s->tlsfd, "220 2.0.0 ready to start TLS\r\n",
	    (unsigned)s->timeout, &s->in, &s->tlsinfo);
	if (r == 1 && strcmp(s->tlsinfo.reason, "TLS already active") == 0) {
		smtpd_reply(s, "454 4.7.0 TLS not available");
		return;
	}
	if (r != 0) {
		if (r < 0)
			log_warn("tls control: %s", strerror(errno));
		else
			log_info("tls ip=%s failed: %s", s->remoteip,
			    s->tlsinfo.reason);
		smtpd_close(s, NULL, "tlsfail", 111);
	}
	tls_up(s);
	smtpd_session_reset(s);
	buf_reset(&s->helo);
	(void)buf_cstr(&s->helo);
	s->state = ST_GREET;
	s->esmtp = false;
	s->authuser = NULL;
	buf_reset(&s->authname);
}
