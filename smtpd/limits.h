/* limits.h: every bound quail-smtpd enforces, with where it comes from.
 * The values read from control/ override the defaults named DEF_. */
#ifndef QUAIL_SMTPD_LIMITS_H
#define QUAIL_SMTPD_LIMITS_H

/* Command line including CRLF.  RFC 5321 4.5.3.1.4 gives 512, plus room
 * for ESMTP parameters (4.5.3.1.4 lets extensions raise it); Postfix's
 * line_length_limit is 2048.  Longer: 500 5.5.2 and close. */
#define SMTP_LINE_MAX 2048

/* An envelope address (lib/addr.h, qmail's limit). */
#define SMTP_ADDR_MAX 900

/* HELO/EHLO argument kept for Received: (RFC 5321 4.5.3.1.2: 255 for a
 * domain). */
#define SMTP_HELO_MAX 255

/* control/databytes default: 50 MB; 0 in the file means no limit
 * (qmail-smtpd(8)).  Over it: 552 5.3.4 (RFC 1870 6.1, RFC 3463). */
#define DEF_DATABYTES 52428800UL

/* control/maxrcpt default: RFC 5321 4.5.3.1.8 requires at least 100. */
#define DEF_MAXRCPT 100UL

/* control/timeoutsmtpd default, seconds per read or write (qmail: 1200;
 * RFC 5321 4.5.3.2.7 asks for at least 5 minutes). */
#define DEF_TIMEOUT 1200UL

/* control/queuefreespace default, bytes: below it MAIL and RCPT get
 * 452 4.3.1, keeping room for bounces (issue 3). */
#define DEF_FREESPACE 104857600ULL

/* Errors (4xx/5xx replies to commands) per session before 421 and close
 * (Postfix smtpd_hard_error_limit is 20). */
#define SMTP_MAX_ERRORS 20

/* Received: plus Delivered-To: header lines before a message counts as
 * looping: more gives 554 5.4.6 (RFC 5321 6.3 suggests 100). */
#define SMTP_MAX_HOPS 100

/* Envelope kept in memory: sender + maxrcpt recipients of SMTP_ADDR_MAX
 * bytes each; maxrcpt is capped so this stays bounded. */
#define SMTP_MAXRCPT_CAP 10000UL

/* Reason text read from quail-queue's fd 6 after exit 82. */
#define SMTP_QQ_REASON_MAX 512

/* AUTH (RFC 4954 4: a response line may be 12288 octets; ours are
 * read with SMTP_LINE_MAX, which holds 1536 decoded bytes).  Decoded
 * responses are at most SMTP_AUTH_DECODED_MAX; quail-auth reads at most
 * 512 bytes of user, password and timestamp, hence SMTP_AUTH_CRED_MAX. */
#define SMTP_AUTH_DECODED_MAX 1024
#define SMTP_AUTH_USER_MAX    255
#define SMTP_AUTH_CRED_MAX    440
/* Seconds a checkpassword run may take (quail-auth waits 2 s after a
 * failure; yescrypt takes well under 1 s). */
#define SMTP_AUTH_TIMEOUT 60
/* 535 replies before 421 and close (each already cost the client the
 * checkpassword program's delay). */
#define SMTP_AUTH_MAX_FAILS 3

#endif
