/* qqreply.c: quail-queue exit codes to SMTP replies, the table of
 * qmail-queue(8) (11-40 permanent, the rest temporary) as qmail-smtpd
 * maps them, with RFC 3463 enhanced codes.  Pure. */
#include "smtpqq.h"

#include <stdbool.h>

#include "limits.h"

static const struct {
	int code;
	const char *reply;
} table[] = {
    {11, "554 5.1.3 envelope address too long"},
    {31, "554 5.3.0 mail server permanently rejected message"},
    {51, "451 4.3.0 queue: out of memory"},
    {52, "451 4.3.0 queue: timeout"},
    {53, "451 4.3.1 queue: write error, disk full?"},
    {54, "451 4.3.0 queue: unable to read message or envelope"},
    {55, "451 4.3.5 queue: unable to read a configuration file"},
    {56, "451 4.4.0 queue: network problem"},
    {61, "451 4.3.0 queue: problem with home directory"},
    {62, "451 4.3.0 queue: problem with queue directory"},
    {63, "451 4.3.0 queue: problem with queue/tmp"},
    {64, "451 4.3.0 queue: problem with queue/mess"},
    {65, "451 4.3.0 queue: problem with queue/todo"},
    {71, "451 4.3.0 mail server temporarily rejected message"},
    {72, "451 4.4.1 connection to mail server timed out"},
    {73, "451 4.4.1 connection to mail server rejected"},
    {74, "451 4.4.2 communication with mail server failed"},
    {81, "451 4.3.0 queue: internal bug"},
    {91, "451 4.3.0 queue: envelope format error"},
};

/* The fd-6 text of exit 82: "D" permanent or "Z" temporary, then the
 * text, which is cut at the first control byte and must not be empty. */
static bool
custom(const struct buf *reason, struct buf *out, bool *perm_r)
{
	size_t i, n;

	if (reason == NULL || reason->len < 2 ||
	    (reason->p[0] != 'D' && reason->p[0] != 'Z'))
		return false;
	for (n = 1; n < reason->len; n++)
		if (reason->p[n] < 0x20 || reason->p[n] >= 0x7f)
			break;
	if (n == 1)
		return false;
	*perm_r = reason->p[0] == 'D';
	if (buf_cats(out, *perm_r ? "554 5.3.0 " : "451 4.3.0 ") < 0)
		return false;
	for (i = 1; i < n; i++)
		if (buf_catc(out, reason->p[i]) < 0)
			return false;
	return true;
}

void
smtpd_qq_reply(
    int code, const struct buf *reason, struct buf *out, bool *perm_r)
{
	size_t i;

	buf_reset(out);
	if (code == 82 && custom(reason, out, perm_r))
		return;
	buf_reset(out);
	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].code == code) {
			*perm_r = table[i].reply[0] == '5';
			(void)buf_cats(out, table[i].reply);
			return;
		}
	*perm_r = code >= 11 && code <= 40;
	(void)buf_cats(out, *perm_r ? "554 5.3.0 queue: permanent failure"
	                            : "451 4.3.0 queue: temporary failure");
}
