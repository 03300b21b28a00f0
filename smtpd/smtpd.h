/* smtpd.h: one SMTP session of quail-smtpd: its state, its configuration
 * and the functions the parts of smtpd/ share.  All state lives in one
 * struct smtpd (STYLE.md); the program has exactly one. */
#ifndef QUAIL_SMTPD_SMTPD_H
#define QUAIL_SMTPD_SMTPD_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "io.h"
#include "qid.h"
#include "str.h"
#include "parse.h"
#include "starttls.h"

/* Session states, as bits so the command table can list several. */
#define ST_GREET 0x1 /* connected, no HELO/EHLO yet */
#define ST_HELO  0x2 /* greeted, no transaction */
#define ST_MAIL  0x4 /* MAIL accepted, no recipient yet */
#define ST_RCPT  0x8 /* at least one recipient accepted */
#define ST_ANY   0xf

struct smtpd {
	struct io in, out;
	unsigned char inmem[IO_BUFSIZE], outmem[IO_BUFSIZE];
	unsigned char datamem[IO_BUFSIZE + 2]; /* smtpd_data_feed output */
	struct buf line; /* current command line, max SMTP_LINE_MAX */
	unsigned state;
	bool esmtp;
	bool quit;
	unsigned errors;        /* 4xx/5xx replies so far */
	unsigned long messages; /* accepted (250 after DATA) */
	unsigned long rejected; /* refused transactions and recipients */

	/* configuration, fixed after smtpd_session_init */
	struct buf me, greeting, queuedir;
	unsigned long databytes, maxrcpt, timeout;
	unsigned long long freespace;
	const char *remoteip, *remotehost, *localip, *localhost;
	const char *relayclient; /* RELAYCLIENT, NULL when unset */
	const char *queueprog;   /* QUAILQUEUE or HOME/bin/quail-queue */
	const char *tls;         /* TLS version when TLS is up, else NULL */
	const char *authuser;    /* authenticated user (auth.c), or NULL */
	int tlsfd;               /* quail-tls control descriptor, or -1 */
	struct starttls_info tlsinfo;
	bool submission;     /* RFC 6409 mode: AUTH before MAIL, own sender */
	bool authplain;      /* control/smtpauthplaintext: AUTH without TLS */
	unsigned authfailed; /* 535 replies so far */
	struct buf authname; /* the user being / having been authenticated */
	const char
	    *checkpassword; /* QUAIL_CHECKPASSWORD or HOME/bin/quail-auth */
	const char *authok; /* HOME/bin/quail-authok */

	struct buf helo; /* HELO/EHLO argument */

	/* the transaction: cleared by RSET, HELO/EHLO and after DATA */
	struct buf sender; /* envelope sender, "" for <> */
	struct buf rcpts;  /* "T" addr NUL, per accepted recipient */
	unsigned long nrcpt;
	bool utf8;                   /* MAIL ... SMTPUTF8 */
	unsigned long long declared; /* MAIL ... SIZE= */

	struct buf addr, tmp, reply; /* scratch */
	char qid[QID_MAX];
};

/* session.c */
void smtpd_session_init(struct smtpd *s);
_Noreturn void smtpd_session_run(struct smtpd *s);
void smtpd_session_reset(struct smtpd *s);
/* Queue one reply line (without CRLF); 4xx/5xx count as errors. */
void smtpd_reply(struct smtpd *s, const char *line);
void smtpd_replyf(struct smtpd *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Send reply (if not NULL), log the connection line, exit. */
_Noreturn void smtpd_close(
    struct smtpd *s, const char *reply, const char *why, int code);

/* commands.c */
void smtpd_dispatch(struct smtpd *s, const unsigned char *p, size_t len);

/* mail.c: MAIL and RCPT */
void smtpd_cmd_mail(struct smtpd *s, struct str arg);
void smtpd_cmd_rcpt(struct smtpd *s, struct str arg);

/* policy.c: relay control and the control tables (NULL: allowed, else the
 * reply refusing it) */
bool smtpd_policy_relay_ok(const struct smtpd *s);
const char *smtpd_policy_rcpt(
    struct smtpd *s, struct buf *addr, unsigned aflags);
const char *smtpd_policy_sender(
    struct smtpd *s, const struct buf *addr, unsigned aflags);
const char *smtpd_policy_space(struct smtpd *s, unsigned long long need);

/* tls.c: STARTTLS (RFC 3207) and implicit TLS */
void smtpd_tls_init(struct smtpd *s);
bool smtpd_tls_offered(const struct smtpd *s);
void smtpd_cmd_starttls(struct smtpd *s, struct str arg);

/* auth.c: AUTH (RFC 4954); authcheck.c: the checkpassword run, returning
 * its exit code (0 good, 1 bad, else temporary). */
bool smtpd_auth_offered(const struct smtpd *s);
void smtpd_cmd_auth(struct smtpd *s, struct str arg);
int smtpd_auth_decode(struct smtpd *s, struct str t, unsigned char *dec,
    size_t cap, size_t *len_r);
int smtpd_authcheck(struct smtpd *s, const char *user, size_t ulen,
    const char *pass, size_t plen);
/* submission (RFC 6409): NULL if the authenticated user may use sender,
 * else the reply refusing it */
const char *smtpd_policy_submission(
    struct smtpd *s, const struct buf *addr, unsigned aflags);

/* datacmd.c: DATA */
void smtpd_cmd_data(struct smtpd *s, struct str arg);

/* received.c: the Received: header (LF line ends) */
int smtpd_received(const struct smtpd *s, struct buf *out, long long now);

#endif
