/* datacmd.c: DATA (RFC 5321 4.1.1.4).  Starts quail-queue before the 354
 * (as qmail-smtpd does), streams the message through data.c into its
 * pipe without holding it in memory, and answers 250 only after it has
 * exited 0 (DESIGN.md invariant 1).  Anything refused is aborted by
 * killing quail-queue before it sees the end of the message. */
#include "smtpd.h"

#include <errno.h>
#include <time.h>

#include "data.h"
#include "fmt.h"
#include "die.h"
#include "limits.h"
#include "smtpqq.h"

enum blast_res {
	B_END,
	B_BARELF,
	B_EOF,
	B_TIMEOUT,
};

/* Reads the message to CRLF.CRLF; feeds q until the message turns bad. */
static enum blast_res
blast(struct smtpd *s, struct data_sm *d, struct smtpd_qq *q)
{
	enum data_res r;
	size_t olen, used;
	ssize_t got;
	bool aborted = false;

	for (;;) {
		if (io_buffered(&s->in) == 0) {
			got = io_fill(&s->in);
			if (got <= 0)
				return got < 0 && errno == ETIMEDOUT ? B_TIMEOUT
				                                     : B_EOF;
		}
		r = smtpd_data_feed(d, s->in.p + s->in.pos,
		    s->in.len - s->in.pos, s->datamem, &olen, &used);
		s->in.pos += used;
		if (d->flags && !aborted) {
			smtpd_qq_abort(q); /* refused anyway: queue nothing */
			aborted = true;
		}
		if (!aborted)
			smtpd_qq_put(q, s->datamem, olen);
		if (r == DATA_END)
			return B_END;
		if (r == DATA_BARELF)
			return B_BARELF;
	}
}

/* The reply for a message the state machine refused. */
static const char *
refused(unsigned flags)
{
	if (flags & DATA_F_TOOBIG)
		return "552 5.3.4 message size exceeds fixed maximum message "
		       "size";
	if (flags & DATA_F_HOPS)
		return "554 5.4.6 too many hops, this message is looping";
	if (flags & DATA_F_NUL)
		return "554 5.6.0 message contains NUL bytes";
	return "554 5.6.0 message contains bare CR (RFC 5321 2.3.8)";
}

static void
log_msg(struct smtpd *s, unsigned long long size, const char *result)
{
	size_t i, n = 0;

	buf_reset(&s->tmp);
	for (i = 0; i < s->rcpts.len && s->tmp.len < 1500; i += n + 1) {
		n = strlen((const char *)s->rcpts.p + i);
		if (buf_printf(&s->tmp, "%s<%.*s>", i ? "," : "", (int)n - 1,
		        (const char *)s->rcpts.p + i + 1) < 0)
			break;
	}
	log_info("msg qid=%s ip=%s from=<%.*s> rcpts=%lu to=%.*s size=%llu "
	         "result=%s",
	    s->qid, s->remoteip, (int)s->sender.len,
	    s->sender.p ? (const char *)s->sender.p : "", s->nrcpt,
	    (int)s->tmp.len, s->tmp.p ? (const char *)s->tmp.p : "", size,
	    result);
}

/* "I" id, "F" sender, the "T" entries, the final NUL (ARCHITECTURE.md). */
static int
envelope(struct smtpd *s, struct buf *env)
{
	return buf_printf(env, "I%s", s->qid) < 0 || buf_catc(env, 0) < 0 ||
	               buf_catc(env, 'F') < 0 ||
	               buf_cat(env, s->sender.p, s->sender.len) < 0 ||
	               buf_catc(env, 0) < 0 ||
	               buf_cat(env, s->rcpts.p, s->rcpts.len) < 0 ||
	               buf_catc(env, 0) < 0
	           ? -1
	           : 0;
}

/* After the message: the verdict of the machine, then of quail-queue. */
static void
finish(struct smtpd *s, struct data_sm *d, struct smtpd_qq *q)
{
	struct buf reason = BUF_INIT(SMTP_QQ_REASON_MAX + 1);
	bool perm;
	int code;

	if (d->flags) {
		s->rejected++;
		smtpd_reply(s, refused(d->flags));
		log_msg(s, d->size, refused(d->flags));
		return;
	}
	code = smtpd_qq_finish(q, &reason);
	if (code == 0) {
		s->messages++;
		smtpd_replyf(s, "250 2.0.0 ok %s", s->qid);
		log_msg(s, d->size, "250");
	} else {
		smtpd_qq_reply(code, &reason, &s->reply, &perm);
		if (buf_cstr(&s->reply) < 0)
			die_nomem();
		s->rejected++;
		smtpd_reply(s, (const char *)s->reply.p);
		log_msg(s, d->size, (const char *)s->reply.p);
	}
	buf_free(&reason);
}

static _Noreturn void
data_dies(
    struct smtpd *s, struct data_sm *d, struct smtpd_qq *q, enum blast_res r)
{
	smtpd_qq_abort(q);
	switch (r) {
	case B_BARELF:
		log_msg(s, d->size, "554 bare LF");
		smtpd_close(s,
		    "554 5.6.0 bare LF in message, see RFC 5321 "
		    "2.3.8; closing",
		    "barelf", 100);
	case B_TIMEOUT:
		log_msg(s, d->size, "timeout");
		smtpd_replyf(
		    s, "421 4.4.2 %s timeout, closing", (const char *)s->me.p);
		smtpd_close(s, NULL, "timeout", 111);
	default:
		log_msg(s, d->size, "disconnected");
		smtpd_close(s, NULL, "eof in data", 111);
	}
}

void
smtpd_cmd_data(struct smtpd *s, struct str arg)
{
	struct buf env = BUF_INIT(s->rcpts.len + SMTP_ADDR_MAX + QID_MAX + 8);
	struct data_sm d;
	struct smtpd_qq q;
	enum blast_res r;

	if (arg.len > 0) {
		smtpd_reply(s, "501 5.5.4 syntax: DATA");
		return;
	}
	qid_make(s->qid);
	if (envelope(s, &env) < 0 || smtpd_received(s, &s->tmp, time(NULL)) < 0)
		smtpd_close(s, "421 4.3.0 out of memory", "nomem", 111);
	if (smtpd_qq_start(
	        &q, s->queueprog, env.p, env.len, (unsigned)s->timeout) < 0) {
		log_warn(
		    "unable to start %s: %s", s->queueprog, strerror(errno));
		smtpd_reply(s, "451 4.3.0 unable to start the queue");
		buf_free(&env);
		smtpd_session_reset(s);
		return;
	}
	smtpd_data_init(&d, s->databytes);
	smtpd_qq_put(&q, s->tmp.p, s->tmp.len);
	smtpd_reply(s, "354 go ahead, end with <CRLF>.<CRLF>");
	r = blast(s, &d, &q);
	if (r != B_END)
		data_dies(s, &d, &q, r);
	finish(s, &d, &q);
	buf_free(&env);
	smtpd_session_reset(s);
}
