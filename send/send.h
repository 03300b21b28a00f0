/* send.h: the pure parts of quail-send, shared by its files and the unit
 * tests: the spawn protocol's netstrings, the message file's envelope, the
 * info file (per-recipient state), the retry schedule and the DSN builder.
 * Nothing here does I/O except env_read; nothing keeps global state. */
#ifndef QUAIL_SEND_SEND_H
#define QUAIL_SEND_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "buf.h"
#include "str.h"

enum sres {
	S_OK,
	S_MORE,
	S_SYNTAX,
	S_TOOLONG,
};

/* ---- spawn protocol (doc/ARCHITECTURE.md "The spawn protocol") ---- */

#define PROTO_REQ_MAX  8192 /* request payload */
#define PROTO_REP_MAX  4096 /* reply payload */
#define PROTO_TEXT_MAX 1000 /* reply text */
#define SLOTS_MAX      1000 /* concurrency cap per spawn */

/* Records are netstrings: lib/netstring.h. */

struct spawn_req {
	unsigned slot;
	const char *id;
	unsigned split;
	unsigned long long offset;
	const char *sender, *rcpt, *local;
};

/* Appends one request record; -1/EMSGSIZE if over PROTO_REQ_MAX. */
int proto_request(struct buf *out, const struct spawn_req *r);
/* Parses a reply payload: 0, or -1 when malformed.  *status_r is 'K',
 * 'Z' or 'D'; text_r borrows from p. */
int proto_reply(
    struct str pl, unsigned *slot_r, char *status_r, struct str *text_r);

/* ---- envelope (doc/ARCHITECTURE.md "The message file") ---- */

#define ENV_MAX (16 * 1024 * 1024)

struct envelope {
	struct str id, sender;
	unsigned long long arrival; /* 't', 0 if absent */
	size_t nrcpt;
	struct str *rcpt; /* nrcpt slices into the parsed bytes (malloc'd) */
	size_t offset;    /* where the message starts */
};

/* Parses p[0..len).  S_OK fills e (e->rcpt is malloc'd: env_free);
 * S_MORE: the terminating empty entry is not in p yet; S_SYNTAX: no
 * sender, no recipient, or an entry without a letter.  -1/ENOMEM is
 * reported as S_TOOLONG. */
enum sres env_parse(const unsigned char *p, size_t len, struct envelope *e);
void env_free(struct envelope *e);
/* Reads the envelope of the message file on fd into b (bounded by
 * ENV_MAX) and parses it.  0, or -1 with errno (EPROTO: malformed). */
int env_read(int fd, struct buf *b, struct envelope *e);

/* ---- info file (doc/ARCHITECTURE.md "quail-send state") ---- */

enum rstate {
	R_PENDING,
	R_DONE,
	R_FAILED,  /* permanent failure, bounce not yet injected */
	R_BOUNCED, /* failure reported (or dropped for <>) */
};

struct rinfo {
	enum rstate state;
	unsigned attempts;
	unsigned long long next, last; /* next try, last try (time_t) */
	const char *text;              /* last result text (not NUL-ended) */
	size_t tlen; /* info_replay: borrows from the file's bytes */
};

const char *info_statename(enum rstate s);
int info_header(struct buf *out, unsigned long long created);
/* Appends one state line for recipient idx; text is sanitized. */
int info_line(struct buf *out, size_t idx, const struct rinfo *r);
/* Replays a whole info file into r[0..n) (which the caller has set to
 * the initial state): later lines win; lines for idx >= n, unknown
 * states and a final line without LF are ignored.  Returns 0, or -1 if
 * the header is missing (not an info file). */
int info_replay(const unsigned char *p, size_t len, struct rinfo *r, size_t n);

/* ---- retry schedule ---- */

/* qmail's quadratic backoff: try k (k = attempts so far >= 1) is due at
 * arrival + (k * skip)^2, but never before now + 1 second.
 * skip: 10 local, 20 remote (qmail's chanskip). */
unsigned long long sched_next(unsigned long long arrival, unsigned attempts,
    unsigned skip, unsigned long long now);
/* true when a temporary failure at now must become permanent. */
bool sched_expired(unsigned long long arrival, unsigned long long lifetime,
    unsigned long long now);

/* A binary min-heap of jobs by due time (the retry lane). */
struct job {
	unsigned long long due;
	void *msg;
	size_t idx;
	unsigned gen; /* the entry is stale once its owner's gen moved on */
};

struct heap {
	struct job *j;
	size_t n, cap;
};

int heap_push(struct heap *h, struct job j);
/* The earliest job, or NULL when empty. */
const struct job *heap_top(const struct heap *h);
void heap_pop(struct heap *h);
void heap_free(struct heap *h);

/* ---- DSN (RFC 3464, RFC 3462 multipart/report) ---- */

struct dsn_rcpt {
	const char *addr;
	const char *text;
	unsigned long long last;
};

struct dsn {
	const char *me;       /* reporting MTA, From: MAILER-DAEMON@me */
	const char *to;       /* the bounce's recipient */
	const char *id;       /* original queue id */
	const char *boundary; /* unique; must not occur in the headers */
	unsigned long long arrival, now;
	const struct dsn_rcpt *r;
	size_t nr;
	const unsigned char *headers; /* original header block */
	size_t hlen;
};

/* Status from text: a leading "d.d.d " (RFC 3463) with the class of
 * perm ('5') or temp ('4'), else "5.0.0"; into st (>= 16 bytes). */
void dsn_status(const char *text, char st[16]);
/* The original header block: p up to and including the empty line (or
 * all of p), cut at max on a line boundary.  Returns its length. */
size_t dsn_headers(const unsigned char *p, size_t len, size_t max);
/* Appends the whole bounce message (LF line ends) to out. */
int dsn_build(struct buf *out, const struct dsn *d);
/* RFC 5322 date of t (UTC) into s (>= 40 bytes). */
void dsn_date(unsigned long long t, char s[40]);

#endif
