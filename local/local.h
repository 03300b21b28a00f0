/* local.h: quail-local's modules (liblocal.a), see quail-local(8) and
 * dot-qmail(5).  Everything runs as the recipient; the message is fd 0,
 * a seekable file whose message starts at ctx->base. */
#ifndef QUAIL_LOCAL_LOCAL_H
#define QUAIL_LOCAL_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include "buf.h"
#include "io.h"

#define LOCAL_QMAIL_MAX   (64 * 1024) /* a .qmail file */
#define LOCAL_LINE_MAX    1024        /* a .qmail line (qmail: 1024) */
#define LOCAL_HEADER_LINE 8192        /* header line scanned for loops */
#define LOCAL_ENV_MAX     (64 * 1024)
#define LOCAL_FORWARD_MAX (256 * 1024) /* all forward addresses */
#define LOCAL_TEXT_MAX    4096         /* our report on fd 1 */

/* Outcome of one step, in the exit code convention. */
enum { L_OK = 0, L_STOP = 99, L_PERM = 100, L_TEMP = 111 };

struct local_ctx {
	const char *user, *home, *local, *dash, *ext, *domain, *sender;
	const char *aliasempty;
	bool exclusive;  /* -x: aliasempty is the whole instruction set */
	bool create;     /* -c: create a missing Maildir */
	bool dryrun;     /* -n: print the instructions, deliver nothing */
	bool have_quota; /* -q given */
	uint64_t quota;  /* -q bytes (0 = none) */
	int msgfd;       /* 0 */
	off_t base;      /* where the message starts in msgfd */
	time_t now;
	struct buf recipient; /* local@domain */
	struct buf ueo;       /* envelope sender for forwards */
	struct buf dtline, rpline, ufline;
	struct buf deflt;    /* DEFAULT: the part matched by "default" */
	struct buf qmfile;   /* which .qmail file was used */
	struct buf forwards; /* addresses, each ended by NUL */
	size_t nforwards;
	size_t ninstr;  /* instruction lines run */
	struct io *out; /* report, fd 1 */
};

/* ---- dot-qmail lines (dotqmail.c) ---- */
enum dq_kind {
	DQ_SKIP,    /* blank line or comment */
	DQ_PROGRAM, /* |command */
	DQ_FORWARD, /* &address or address */
	DQ_MBOX,    /* ./file or /file */
	DQ_MAILDIR, /* ./dir/ or /dir/ */
};
/* Classifies one line (without LF; trailing spaces and tabs are
 * ignored) and sets *arg_r / *alen_r to its argument. */
enum dq_kind dq_classify(
    const char *line, size_t len, const char **arg_r, size_t *alen_r);
/* Candidate file names for dash+ext, in search order, each ended by
 * NUL: ".qmail-ext", then ".qmail-a-b-default", ".qmail-a-default",
 * ".qmail-default" (the -default chain only when ext is not empty).  ext
 * is lowercased and '.' becomes ':' as qmail does.  Returns the count. */
int dq_candidates(const char *dash, const char *ext, struct buf *out);
/* Finds and reads the .qmail file for ctx into content.  1 found (ctx
 * qmfile and deflt set), 0 none, -1 temporary error (text in ctx).
 * Refuses (temporary) a file writable by group or others. */
int dq_find(struct local_ctx *c, struct buf *content);
/* Runs every line of content.  L_OK, L_STOP or an error code. */
int dq_run(struct local_ctx *c, const char *content, size_t len);

/* ---- env.c ---- */
/* Builds ctx's recipient, dtline, rpline, ufline and ueo. */
int env_lines(struct local_ctx *c);
/* The program environment: "NAME=value" entries each ended by NUL, into
 * out (PATH from path, or a default). */
int env_build(const struct local_ctx *c, const char *path, struct buf *out);
/* Appends the inherited entries whose names out does not set yet (as
 * qmail-local, programs see quail-local's environment too). */
int env_inherit(struct buf *out, const char *const *envp);
/* Formats the UUCP From_ date "Www Mmm dd hh:mm:ss yyyy" (UTC). */
int env_date(struct buf *out, time_t t);

/* ---- message.c ---- */
int msg_rewind(struct local_ctx *c);
/* true when the header has "Delivered-To: <recipient>"; -1 on error. */
int msg_looping(struct local_ctx *c);
/* Streams the message to fn(arg, p, n). */
int msg_copy(
    struct local_ctx *c, int (*fn)(void *, const void *, size_t), void *arg);

/* ---- maildir delivery (mdir.c) and quota (quota.c) ---- */
int mdir_deliver(struct local_ctx *c, const char *dir, size_t dlen);
/* Checks the Maildir++ quota of dir for a message of size bytes: L_OK,
 * L_PERM over quota, L_TEMP error.  *active_r: maildirsize in use. */
int quota_check(
    struct local_ctx *c, const char *dir, uint64_t size, bool *active_r);
/* The over-quota marker HOME/quota/<recipient> for quail-smtpd
 * (lib/quotamark.h): set (over) or cleared (delivered).  Only for virtual
 * mailboxes (user quailv); others cannot write HOME/quota.  Failures are
 * logged on fd 2 and otherwise ignored: the marker is only a hint. */
void quota_mark(struct local_ctx *c, bool over);

/* ---- tmp/ cleanup after a Maildir delivery (tmpclean.c) ---- */
#define TMP_STALE_SECS (36 * 3600) /* the maildir spec's 36 hours */
#define TMP_SCAN_SECS  (8 * 3600)  /* at most one scan per tmp/ per 8 h */
#define TMP_SCAN_MAX   1000        /* entries looked at per scan */
/* true when tmp/'s atime (the last scan) is TMP_SCAN_SECS old, or in
 * the future by as much. */
bool tmp_scan_due(const struct stat *dir, time_t now);
/* true for a regular file whose atime and mtime are both at least
 * TMP_STALE_SECS old (a writer still at work keeps its mtime recent). */
bool tmp_stale(const struct stat *st, time_t now);
/* Removes the stale files of maildir/tmp when a scan is due: 1 scanned
 * (*removed_r files removed), 0 not due, -1/errno. */
int tmp_clean(const char *maildir, time_t now, size_t *removed_r);

/* ---- mbox.c ---- */
struct mbox_quote {
	int state;      /* 0 line start, 1 in '>'s/"From ", 2 mid-line */
	size_t gt;      /* '>' seen at line start */
	size_t matched; /* bytes of "From " matched */
	bool last_lf;   /* last byte emitted was LF */
};

void mbox_quote_init(struct mbox_quote *q);
/* Feeds n bytes; emits the quoted form through out.  0 or -1. */
int mbox_quote_feed(
    struct mbox_quote *q, const char *p, size_t n, struct io *out);
/* Flushes what is pending at the end of the message. */
int mbox_quote_end(struct mbox_quote *q, struct io *out);
int mbox_deliver(struct local_ctx *c, const char *file, size_t flen);

/* ---- pipe.c, forward.c ---- */
/* Exit code of a |program in qmail's table: L_OK, L_STOP, L_PERM, L_TEMP */
int pipe_status(int code);
int pipe_deliver(struct local_ctx *c, const char *cmd, size_t clen);
int fwd_add(struct local_ctx *c, const char *addr, size_t alen);
/* Re-queues the message to all collected forwards (one quail-queue). */
int fwd_send(struct local_ctx *c);

/* ---- report (run.c) ---- */
/* Appends a line to the report on fd 1 (ignores write errors: the exit
 * code is what counts). */
void say(struct local_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int local_run(struct local_ctx *c);

#endif
