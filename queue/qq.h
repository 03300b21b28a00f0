/* qq.h: quail-queue's parts, in libqueue.a so the unit tests reach them.
 *
 * qqenv.c: the envelope a caller hands quail-queue on fd 1 (qmail-queue's
 * format, plus an optional leading I entry):
 *     [ "I" id NUL ] "F" sender NUL { "T" recipient NUL } NUL
 * qqcode.c: qmail-queue's exit codes and their meaning.
 * qqwrite.c: writing, committing and (on failure) removing the file.
 * date822.c: RFC 5322 section 3.3 dates, for Received: and Date:. */
#ifndef QUAIL_QUEUE_QQ_H
#define QUAIL_QUEUE_QQ_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "buf.h"
#include "qid.h"

/* Bounds on what a caller may hand quail-queue (quail-queue.8). */
#define QQ_ENV_MAX  (10 * 1024 * 1024) /* envelope bytes */
#define QQ_RCPT_MAX 100000             /* recipients per message */
#define QQ_TIMEOUT  86400              /* seconds for the whole run */
#define QQ_PEND_MAX                                                            \
	(1024 * 1024) /* message bytes held in memory while                    \
	               * the envelope is still incomplete */

/* qmail-queue(8)'s exit codes.  11..40 are permanent, the rest temporary. */
#define QQ_OK         0
#define QQ_ADDRLONG   11 /* address too long */
#define QQ_PERMREFUSE 31 /* (filters) mail server permanently refuses */
#define QQ_NOMEM      51 /* out of memory */
#define QQ_TIMEDOUT   52 /* timeout */
#define QQ_WRITE      53 /* write error, e.g. disk full */
#define QQ_READ       54 /* unable to read the message or envelope */
#define QQ_CONFIG     55 /* (filters) unable to read a configuration file */
#define QQ_NETWORK    56 /* (filters) problem making a network connection */
#define QQ_HOME       61 /* trouble in the home directory */
#define QQ_QDIR       62 /* trouble with the queue directory */
#define QQ_TMP        63 /* trouble creating the file in queue/tmp */
#define QQ_MESS       64 /* trouble committing into queue/mess */
#define QQ_TODO       66 /* trouble creating queue/todo/ID */
#define QQ_TEMPREFUSE 71 /* (filters) mail server temporarily refuses */
#define QQ_BUG        81 /* internal bug, e.g. a crash */
#define QQ_CUSTOM     82 /* (filters) refusal text on fd 6; quail-smtpd */
#define QQ_FORMAT     91 /* envelope format error */

/* Text for an exit code of quail-queue (or of a QUAILQUEUE program);
 * *perm_r is set true when the code is permanent (11..40). */
const char *qq_exit_text(int code, bool *perm_r);

enum qq_env_res {
	QQ_ENV_MORE,    /* well formed so far, not complete */
	QQ_ENV_DONE,    /* complete: e->end bytes form the envelope */
	QQ_ENV_FORMAT,  /* not the format above (exit 91) */
	QQ_ENV_TOOLONG, /* an entry longer than ADDR_MAX (exit 11) */
	QQ_ENV_TOOMANY, /* more than QQ_RCPT_MAX recipients (exit 91) */
};

/* Scan state; zero it before the first call. */
struct qq_env {
	size_t pos;            /* next unexamined entry starts here */
	size_t id_off, id_len; /* the I entry's text, if has_id */
	size_t from_off, from_len;
	size_t rcpts;
	size_t end; /* with DONE: envelope length including the final NUL */
	bool has_id, has_from;
};

/* Examines p[0..len), the envelope bytes received so far (p grows between
 * calls; earlier bytes never change).  Pure: no I/O, no allocation.
 * Refuses an over-long entry as soon as it is seen, before its NUL. */
enum qq_env_res qq_env_scan(
    struct qq_env *e, const unsigned char *p, size_t len);
/* Appends an RFC 5322 date-time for t: "Sun, 22 Nov 2026 02:44:44 +0000".
 * local: local time with its numeric offset; otherwise UTC. */
int date822_fmt(struct buf *b, time_t t, bool local);

/* The file quail-queue writes (qqwrite.c).  The paths are relative to
 * HOME/queue.  The signal handlers call qq_abort, which only uses
 * async-signal-safe calls. */
struct qq_file {
	char id[QID_MAX];
	char tmp[64], mess[64], dir[32], todo[64];
	int fd;
	struct buf out; /* write buffer for fd */
};

/* Picks the final id (want, if valid and free; else a new one) and
 * creates tmp/ID with O_EXCL: 0 or an exit code (63). */
int qq_file_open(struct qq_file *f, const char *want, size_t wlen);
/* Buffered write: 0 or QQ_WRITE (errno kept) / QQ_NOMEM. */
int qq_file_write(struct qq_file *f, const void *p, size_t n);
/* Steps 3..6 of quail-queue.8: flush, fsync, link into mess/NN, fsync
 * mess/NN, todo/ID, trigger.  0 (committed) or an exit code. */
int qq_file_commit(struct qq_file *f);
/* Removes whatever of the file this run made visible, then _exit(code).
 * Safe in a signal handler. */
_Noreturn void qq_abort(int code);

#endif
