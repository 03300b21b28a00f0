/* sm.h: the sendmail front end's argument parsing (sm_args.c), kept
 * apart from sendmail.c so the unit tests can feed it argument lists. */
#ifndef QUAIL_QUEUE_SM_H
#define QUAIL_QUEUE_SM_H

#include <stdbool.h>
#include "buf.h"

enum sm_mode {
	SM_SEND, /* -bm (default): quail-inject */
	SM_SMTP, /* -bs: quail-smtpd on fds 0 and 1 */
	SM_LIST, /* -bp, or called as mailq: quail-ctl queue list */
	SM_QRUN, /* -q: nothing to do, quail-send runs the queue itself */
};

struct sm_opts {
	enum sm_mode mode;
	bool t;    /* -t: recipients from the header too */
	bool i;    /* -i, -oi: a lone "." does not end the message */
	bool v;    /* -v: accepted, no effect */
	char *f;   /* -f / -r sender, or NULL */
	char *F;   /* -F full name, or NULL */
	int first; /* argv index of the first recipient */
};

/* Parses argv (argv[0] is not looked at).  0, or -1 with a one-line
 * reason in why (the caller prints it with the usage and exits 100). */
int sm_parse(int argc, char **argv, struct sm_opts *o, struct buf *why);

#endif
