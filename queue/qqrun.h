/* qqrun.h: quail-queue's work after setup: read fd 0 and fd 1, write the
 * file, commit.  The current directory must be HOME/queue.  Returns 0
 * (committed) or a qmail-queue exit code; the caller then calls
 * qq_abort(code) to remove what was made. */
#ifndef QUAIL_QUEUE_QQRUN_H
#define QUAIL_QUEUE_QQRUN_H

int qq_run(unsigned long uid, unsigned long ppid);

#endif
