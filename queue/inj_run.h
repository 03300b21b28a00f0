/* inj_run.h: quail-inject's options and its run (inj_run.c). */
#ifndef QUAIL_QUEUE_INJ_RUN_H
#define QUAIL_QUEUE_INJ_RUN_H

#include <stdbool.h>
#include "inject.h"

enum inj_rcpt_mode {
	INJ_RCPT_AUTO, /* arguments if any, else the header (qmail) */
	INJ_RCPT_ARGS, /* -a: arguments only */
	INJ_RCPT_HDRS, /* -h: the header only */
	INJ_RCPT_BOTH, /* -t: the header and the arguments */
};

struct inj_opts {
	const char *sender; /* -f: NULL for the default, "" for <> */
	const char *name;   /* -F: NULL for the environment's */
	enum inj_rcpt_mode mode;
	bool dot;   /* -d: a line "." ends the message (sendmail) */
	bool print; /* -n: write the message to fd 1, queue nothing */
};

/* Runs quail-inject with recipient arguments args (NULL-ended); exits
 * with 0, 100 or 111 (the return is for -n). */
int inj_run(const struct inj_opts *o, char **args);

#endif
