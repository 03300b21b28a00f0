/* received.c: the Received: trace header (RFC 5321 4.4) that quail-smtpd
 * puts on top of each message, with LF line ends (the queue's form).
 * Names from the peer (HELO, reverse DNS) are reduced to safe bytes so
 * they cannot break the header or forge a comment. */
#include "smtpd.h"

#include <time.h>

#include "fmt.h"

static int
safe(struct buf *out, const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n && i < 255; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' ||
		    c == '\\' || c == ';' || c == '"')
			c = '?';
		if (buf_catc(out, c) < 0)
			return -1;
	}
	return 0;
}

static int
safez(struct buf *out, const char *s)
{
	return safe(out, s, strlen(s));
}

/* RFC 5322 3.3 date-time, in UTC. */
static int
date(struct buf *out, long long now)
{
	static const char *const day[] = {
	    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = (time_t)now;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	return buf_printf(out, "%s, %d %s %d %02d:%02d:%02d +0000",
	    day[tm.tm_wday % 7], tm.tm_mday, mon[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* RFC 3848 / RFC 6531 "with" protocol names. */
static const char *
protocol(const struct smtpd *s)
{
	static const char *const names[2][2][2][2] = {
	    {{{"SMTP", "SMTP"}, {"SMTP", "SMTP"}},
	        {{"ESMTP", "ESMTPA"}, {"ESMTPS", "ESMTPSA"}}},
	    {{{"UTF8SMTP", "UTF8SMTPA"}, {"UTF8SMTPS", "UTF8SMTPSA"}},
	        {{"UTF8SMTP", "UTF8SMTPA"}, {"UTF8SMTPS", "UTF8SMTPSA"}}},
	};

	return names[s->utf8][s->esmtp][s->tls != NULL][s->authuser != NULL];
}

int
smtpd_received(const struct smtpd *s, struct buf *out, long long now)
{
	buf_reset(out);
	if (buf_cats(out, "Received: from ") < 0 ||
	    safe(out, (const char *)s->helo.p, s->helo.len) < 0 ||
	    buf_cats(out, " (") < 0 || safez(out, s->remotehost) < 0 ||
	    buf_cats(out, " [") < 0 || safez(out, s->remoteip) < 0 ||
	    buf_cats(out, "])\n\tby ") < 0 || safez(out, s->localhost) < 0 ||
	    buf_printf(
	        out, " (quail-smtpd) with %s id %s", protocol(s), s->qid) < 0)
		return -1;
	if (s->tls != NULL &&
	    (buf_cats(out, "\n\t(using ") < 0 || safez(out, s->tls) < 0 ||
	        buf_cats(out, " with cipher ") < 0 ||
	        safez(out, s->tlsinfo.cipher) < 0 || buf_catc(out, ')') < 0))
		return -1;
	if (s->authuser != NULL &&
	    (buf_cats(out, "\n\t(authenticated user ") < 0 ||
	        safez(out, s->authuser) < 0 || buf_catc(out, ')') < 0))
		return -1;
	if (buf_cats(out, ";\n\t") < 0 || date(out, now) < 0 ||
	    buf_catc(out, '\n') < 0)
		return -1;
	return 0;
}
