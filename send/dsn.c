/* dsn.c: bounce messages as RFC 3464 delivery status notifications in an
 * RFC 6522 multipart/report (send.h).  Pure: builds bytes, no I/O.
 * Line ends are LF as everywhere in the queue; quail-remote converts. */
#include <string.h>
#include <time.h>
#include "fmt.h"
#include "send.h"

#define FIELD_MAX 900 /* keeps every DSN line under RFC 5322's 998 */
/* Each of the two per-recipient parts stops listing at this size, so a
 * bounce for thousands of long addresses stays far below quail-send's
 * 16 MiB bounce buffer (over it, the bounce could never be built). */
#define LIST_MAX (4 * 1024 * 1024)

void
dsn_date(unsigned long long t, char s[40])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(s, 40, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		memcpy(s, "Thu, 01 Jan 1970 00:00:00 +0000", 32);
}

static bool
isdig(char c)
{
	return c >= '0' && c <= '9';
}

void
dsn_status(const char *t, char st[16])
{
	size_t i = 2, d;

	if ((t[0] == '4' || t[0] == '5') && t[1] == '.') {
		for (d = 0; d < 3 && isdig(t[i]); d++)
			i++;
		if (d > 0 && t[i] == '.') {
			i++;
			for (d = 0; d < 3 && isdig(t[i]); d++)
				i++;
			if (d > 0 && (t[i] == ' ' || t[i] == '\0')) {
				memcpy(st, t, i);
				st[i] = '\0';
				if (st[0] == '4')
					st[0] = '5'; /* it failed for good */
				return;
			}
		}
	}
	memcpy(st, "5.0.0", 6);
}

size_t
dsn_headers(const unsigned char *p, size_t len, size_t max)
{
	size_t i, cut = 0;

	for (i = 0; i < len && i < max; i++) {
		if (p[i] != '\n')
			continue;
		cut = i + 1;
		if (i + 1 < len && p[i + 1] == '\n')
			return cut; /* end of the header block */
	}
	return len <= max ? len : cut;
}

/* Appends s with control characters replaced, at most FIELD_MAX bytes. */
static int
safe(struct buf *o, const char *s)
{
	size_t i;
	unsigned char c;

	for (i = 0; s[i] && i < FIELD_MAX; i++) {
		c = (unsigned char)s[i];
		if (buf_catc(o, c < 0x20 || c == 0x7f ? '_' : c) < 0)
			return -1;
	}
	return 0;
}

static int
head(struct buf *o, const struct dsn *d)
{
	char date[40];

	dsn_date(d->now, date);
	if (buf_printf(o, "From: MAILER-DAEMON@%s\nTo: ", d->me) < 0 ||
	    safe(o, d->to) < 0 ||
	    buf_printf(o,
	        "\nSubject: Undelivered Mail Returned to Sender\n"
	        "Date: %s\nMessage-ID: <%llu.%s.bounce@%s>\n"
	        "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
	        "Content-Type: multipart/report; "
	        "report-type=delivery-status;\n\tboundary=\"%s\"\n\n"
	        "This is a MIME-encapsulated delivery status "
	        "notification.\n\n--%s\n"
	        "Content-Type: text/plain; charset=us-ascii\n"
	        "Content-Description: Notification\n\n"
	        "Hi. This is quail-send on %s.\n"
	        "I could not deliver your message (queue id %s) to the "
	        "following\naddresses. This is a permanent error; I have "
	        "given up.\n",
	        date, d->now, d->id, d->me, d->boundary, d->boundary, d->me,
	        d->id) < 0)
		return -1;
	return 0;
}

static int
diag(struct buf *o, const char *text)
{
	const char *s = strstr(text, "said: ");

	if (s && isdig(s[6]) && isdig(s[7]) && isdig(s[8]))
		return buf_cats(o, "Diagnostic-Code: smtp; ") < 0 ||
		               safe(o, s + 6) < 0 || buf_catc(o, '\n') < 0
		           ? -1
		           : 0;
	return buf_cats(o, "Diagnostic-Code: X-quail; ") < 0 ||
	               safe(o, text) < 0 || buf_catc(o, '\n') < 0
	           ? -1
	           : 0;
}

static int
rcpt(struct buf *o, const struct dsn_rcpt *r)
{
	char st[16], date[40];

	dsn_status(r->text, st);
	dsn_date(r->last, date);
	if (buf_cats(o, "\nFinal-Recipient: rfc822; ") < 0 ||
	    safe(o, r->addr) < 0 ||
	    buf_printf(o, "\nAction: failed\nStatus: %s\n", st) < 0 ||
	    diag(o, r->text) < 0 ||
	    buf_printf(o, "Last-Attempt-Date: %s\n", date) < 0)
		return -1;
	return 0;
}

int
dsn_build(struct buf *o, const struct dsn *d)
{
	char date[40];
	size_t i, start;

	if (head(o, d) < 0)
		return -1;
	for (i = 0, start = o->len; i < d->nr && o->len - start < LIST_MAX; i++)
		if (buf_catc(o, '\n') < 0 || buf_catc(o, '<') < 0 ||
		    safe(o, d->r[i].addr) < 0 || buf_cats(o, ">:\n") < 0 ||
		    safe(o, d->r[i].text) < 0 || buf_catc(o, '\n') < 0)
			return -1;
	if (i < d->nr && buf_printf(o,
	                     "\n(and %zu more recipients not "
	                     "listed)\n",
	                     d->nr - i) < 0)
		return -1;
	dsn_date(d->arrival, date);
	if (buf_printf(o,
	        "\n--%s\nContent-Type: message/delivery-status\n\n"
	        "Reporting-MTA: dns; %s\nX-Quail-Queue-ID: %s\n"
	        "Arrival-Date: %s\n",
	        d->boundary, d->me, d->id, date) < 0)
		return -1;
	for (i = 0, start = o->len; i < d->nr && o->len - start < LIST_MAX; i++)
		if (rcpt(o, &d->r[i]) < 0)
			return -1;
	if (buf_printf(o,
	        "\n--%s\nContent-Type: text/rfc822-headers\n"
	        "Content-Description: Headers of the undelivered message\n\n",
	        d->boundary) < 0 ||
	    buf_cat(o, d->headers, d->hlen) < 0)
		return -1;
	if (d->hlen > 0 && d->headers[d->hlen - 1] != '\n' &&
	    buf_catc(o, '\n') < 0)
		return -1;
	return buf_printf(o, "\n--%s--\n", d->boundary);
}
