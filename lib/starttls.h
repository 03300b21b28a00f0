/* starttls.h: the child's side of quail-tls's control protocol
 * (quail-tls(8), "The control descriptor"), shared by quail-smtpd,
 * quail-imapd and quail-pop3d.
 * The control socket is the descriptor named by QUAIL_TLSFD.  Answers
 * are one line, at most STARTTLS_LINE_MAX bytes, read with a deadline.
 * The fields kept in struct starttls_info stay in quail-tls's escaped
 * form (no byte below 0x21 or from 0x7f, no space), so they can go into
 * a Received: header or a log line as they are; longer fields are cut. */
#ifndef QUAIL_LIB_STARTTLS_H
#define QUAIL_LIB_STARTTLS_H

#include <stdbool.h>

#include "io.h"

#define STARTTLS_LINE_MAX 8192 /* answers: 4 escaped fields, each bounded */

struct starttls_info {
	bool active;       /* TLS is up on this session */
	char version[32];  /* e.g. TLSv1.3 */
	char cipher[96];   /* e.g. TLS_AES_256_GCM_SHA384 */
	char subject[512]; /* verified client cert subject, or "-" */
	char reason[256];  /* after a FAIL answer: its reason (escaped) */
};

/* The control descriptor from QUAIL_TLSFD (decimal, >= 3, open), or -1
 * when there is none (no quail-tls in front: no TLS offered). */
int starttls_ctlfd(void);
/* Implicit TLS (QUAIL_TLS=implicit): read the OK line quail-tls wrote
 * unasked.  Returns 0 with info filled (active), 1 on a FAIL line
 * (info->reason set; the client is gone), -1 with errno (ETIMEDOUT,
 * EPROTO for a malformed answer, EMSGSIZE, ECONNRESET at EOF). */
int starttls_implicit(int ctlfd, unsigned timeout, struct starttls_info *info);
/* STARTTLS: the caller has flushed every earlier reply to fd 1; reply is
 * the positive answer for the client, CRLF included (sent by quail-tls,
 * never by the caller).  On OK the new input descriptor is moved onto
 * fd 0 and, when in is not NULL, everything in buffered is discarded
 * (pipelined plaintext, RFC 3207 section 4.2); returns 0.  1: FAIL
 * (info->reason; "TLS already active" leaves the session usable, any
 * other reason means the client is gone).  -1 with errno as above
 * (also EPROTO when OK came without a descriptor). */
int starttls_request(int ctlfd, const char *reply, unsigned timeout,
    struct io *in, struct starttls_info *info);
/* Parse one answer line (without the LF) into info: 0 OK, 1 FAIL, -1
 * (EPROTO) anything else.  Pure; used by the two above and the tests. */
int starttls_parse(const char *line, size_t len, struct starttls_info *info);

#endif
