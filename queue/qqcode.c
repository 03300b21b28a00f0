/* qqcode.c: qmail-queue(8)'s exit codes as text (qq.h).  Used by
 * quail-inject to explain a failure; the same table is in quail-queue.8. */
#include <stdbool.h>

#include "qq.h"

struct qq_code {
	int code;
	const char *text;
};

static const struct qq_code qq_codes[] = {
    {QQ_OK, "success"},
    {QQ_ADDRLONG, "envelope address too long"},
    {QQ_PERMREFUSE, "mail server permanently refuses the message"},
    {QQ_NOMEM, "out of memory"},
    {QQ_TIMEDOUT, "timeout"},
    {QQ_WRITE, "write error (disk full?)"},
    {QQ_READ, "unable to read the message or envelope"},
    {QQ_CONFIG, "unable to read a configuration file"},
    {QQ_NETWORK, "problem making a network connection"},
    {QQ_HOME, "trouble in the home directory"},
    {QQ_QDIR, "trouble with the queue directory"},
    {QQ_TMP, "trouble creating files in the queue"},
    {QQ_MESS, "trouble committing the message to the queue"},
    {65, "trouble creating files in the queue"},
    {QQ_TODO, "trouble creating files in the queue"},
    {QQ_TEMPREFUSE, "mail server temporarily refuses the message"},
    {72, "connection to mail server timed out"},
    {73, "connection to mail server rejected"},
    {74, "communication with mail server failed"},
    {QQ_BUG, "internal bug"},
    {QQ_CUSTOM, "message refused by the queue filter"},
    {QQ_FORMAT, "envelope format error"},
    {120, "unable to run quail-queue"},
};

const char *
qq_exit_text(int code, bool *perm_r)
{
	size_t i;

	*perm_r = code >= 11 && code <= 40;
	for (i = 0; i < sizeof qq_codes / sizeof qq_codes[0]; i++)
		if (qq_codes[i].code == code)
			return qq_codes[i].text;
	return *perm_r ? "permanent queue problem" : "temporary queue problem";
}
