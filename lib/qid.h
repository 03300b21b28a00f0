/* qid.h: queue ids and the queue's directory split.
 * A queue id is the name of the message's file in queue/mess/NN/ and is
 * logged by every program that touches the message.  Form: 8 hex digits
 * of seconds, 5 of microseconds, then the hex pid: unique on one host as
 * long as one pid makes at most one id per microsecond (qid_make
 * guarantees it by waiting for the clock to move). */
#ifndef QUAIL_LIB_QID_H
#define QUAIL_LIB_QID_H

#include <stdbool.h>
#include <stddef.h>

#define QID_MAX     32 /* including NUL */
#define QUEUE_SPLIT 64 /* queue/{mess,info}/0..63 */

void qid_make(char id[QID_MAX]);
/* Only [0-9a-zA-Z], 1..QID_MAX-1 bytes: safe as a file name. */
bool qid_valid(const char *id, size_t len);
/* Split directory number 0..QUEUE_SPLIT-1 for id (FNV-1a of the id). */
unsigned qid_split(const char *id, size_t len);

#endif
