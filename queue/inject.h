/* inject.h: quail-inject's parts (libqueue.a), shared with sendmail.
 *   inj_hdr.c   header fields: what to keep, drop, add; recipients
 *   inj_conf.c  who and where: environment and control files
 *   inj_send.c  running quail-queue and explaining its exit code */
#ifndef QUAIL_QUEUE_INJECT_H
#define QUAIL_QUEUE_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"

#define INJ_HDR_MAX  (1024 * 1024) /* the whole header section */
#define INJ_LINE_MAX 65536         /* one physical header line */
#define INJ_NAME_MAX 256           /* user, host and full names */

/* What the header section said (inj_hdr_field, one call per field). */
struct inj_hdr {
	struct buf out;         /* fields kept, LF line ends */
	struct buf rcpt, rrcpt; /* To/Cc/Bcc, Resent-To/Cc/Bcc addresses,
	                         * each ended by NUL (unqualified) */
	bool date, msgid, from; /* present */
	bool rdate, rmsgid, rfrom;
	bool resent; /* some Resent- field is present */
};

void inj_hdr_init(struct inj_hdr *h);
void inj_hdr_free(struct inj_hdr *h);
/* True if line (one physical line, LF or CRLF ended or not) starts a
 * header field: a field name of printable ASCII without ':', then
 * optional blanks, then ':' (RFC 5322 section 2.2, obsolete blanks
 * allowed). */
bool inj_hdr_isfield(const unsigned char *line, size_t len);
/* One complete field (name, colon, value with its continuation lines,
 * LF ended).  Drops Return-Path, Content-Length, Bcc and Resent-Bcc;
 * collects recipients; keeps the rest.  0 or -1 (errno from buf). */
int inj_hdr_field(struct inj_hdr *h, const unsigned char *f, size_t len);
/* The recipients the headers name: Resent- ones if any Resent- field was
 * seen (RFC 5322 section 3.6.6), else To/Cc/Bcc. */
const struct buf *inj_hdr_rcpts(const struct inj_hdr *h);

/* Addresses are completed as qmail-inject does; see quail-inject.8. */
struct inj_conf {
	struct buf user, host, name; /* From: and default sender */
	struct buf suser, shost;     /* envelope sender (QMAILSUSER/SHOST) */
	struct buf defaulthost, defaultdomain, plusdomain, idhost;
};

/* Reads the environment and control files.  0, or -1 with errno
 * (an unreadable control file). */
int inj_conf_load(struct inj_conf *c);
/* Appends a completed to out: "user" gets @defaulthost; a host ending in
 * '+' gets plusdomain in place of the '+'; a host without a dot (and not
 * a [literal], and not defaultdomain itself) gets .defaultdomain. */
int inj_qualify(
    const struct inj_conf *c, struct buf *out, const char *a, size_t len);
/* Appends a display name as RFC 5322 allows: as is (atoms), as a quoted
 * string, or RFC 2047 encoded when it has 8-bit bytes.  Control
 * characters are dropped. */
int inj_phrase(struct buf *out, const char *s, size_t len);

/* inj_msg.c.  Errors: */
enum inj_err {
	INJ_OK,
	INJ_ERR_READ,   /* reading the message failed */
	INJ_ERR_LINE,   /* a header line longer than INJ_LINE_MAX */
	INJ_ERR_TOOBIG, /* a header section larger than INJ_HDR_MAX */
	INJ_ERR_NOMEM,
	INJ_ERR_WRITE, /* writing the message failed */
};

struct io;
/* Reads the header section into h.  A line that is neither a field nor a
 * continuation ends it and is left in first (the body's first line); a
 * blank line ends it and is consumed.  *end_r: the input ended (EOF, or
 * the dot line when dot is set) within the header.  0 or enum inj_err. */
int inj_read_header(
    struct io *in, struct inj_hdr *h, struct buf *first, bool dot, bool *end_r);
/* Writes one body line (l may be changed): 0, 1 at the end dot, -1. */
int inj_body_line(struct io *out, struct buf *l, bool dot, bool *bol_r);
/* Copies the rest of in to out, LF line ends, ending with a whole line.
 * bol: whether the input is at the start of a line.  0 or enum inj_err. */
int inj_copy_body(struct io *in, struct io *out, bool dot, bool bol);

/* Runs HOME/bin/quail-queue: *msgfd_r is where the message goes.
 * 0 or -1 with errno. */
int inj_qq_start(int *msgfd_r);
/* After the caller has closed the message pipe: writes the envelope (sender,
 * then the NUL-ended recipients) and waits.  Returns quail-queue's exit code
 * (or 120 when it could not be run, 81 when it crashed). */
int inj_qq_finish(const char *sender, size_t slen, const struct buf *rcpts);

#endif
