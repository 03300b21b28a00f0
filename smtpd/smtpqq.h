/* smtpqq.h: running quail-queue (or $QUAILQUEUE) for one message, with the
 * qmail-queue(8) protocol: message on the child's fd 0, envelope on its
 * fd 1, a custom reason on its fd 6 after exit 82.  The envelope is fed
 * while the message streams (poll on both pipes), so a child may read
 * them in either order without a deadlock.  Nothing is buffered beyond
 * one envelope. */
#ifndef QUAIL_SMTPD_SMTPQQ_H
#define QUAIL_SMTPD_SMTPQQ_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

struct smtpd_qq {
	pid_t pid;
	int msgfd, envfd, errfd; /* our ends; -1 when closed */
	const unsigned char *env;
	size_t envlen, envpos;
	unsigned timeout;
	bool broken; /* a write failed: the child exited or hung */
};

/* Starts prog (argv[0] = prog) in its own process group.  env/envlen is
 * the whole envelope, kept by the caller until smtpd_qq_finish/smtpd_qq_abort.
 * 0, or -1 with errno. */
int smtpd_qq_start(struct smtpd_qq *q, const char *prog,
    const unsigned char *env, size_t envlen, unsigned timeout);
/* Message bytes.  On a failed write the rest is dropped silently and
 * smtpd_qq_finish reports the child's verdict. */
void smtpd_qq_put(struct smtpd_qq *q, const void *p, size_t n);
/* Ends the message and the envelope, waits.  Returns the child's exit
 * code (111 when it crashed or hung); reason gets its fd 6 text. */
int smtpd_qq_finish(struct smtpd_qq *q, struct buf *reason);
/* Kills the child's process group before it can see the end of the
 * message, so nothing is queued; waits for it. */
void smtpd_qq_abort(struct smtpd_qq *q);

/* The SMTP reply line (no CRLF) for a nonzero exit code into out
 * (qmail-queue(8)); reason: fd-6 text for 82, "D..." permanent, "Z..."
 * temporary.  *perm_r tells a 5xx. */
void smtpd_qq_reply(
    int code, const struct buf *reason, struct buf *out, bool *perm_r);

#endif
