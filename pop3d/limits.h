/* limits.h: quail-pop3d's bounds, each with its source. */
#ifndef QUAIL_POP3D_LIMITS_H
#define QUAIL_POP3D_LIMITS_H

/* A command line, CRLF included: RFC 2449 section 4 (255 octets). */
#define POP3_LINE_MAX 255
/* A SASL response line (RFC 5034 section 4: the 255 limit does not apply
 * to it; PLAIN needs at most authzid+user+pass, each bounded below). */
#define POP3_SASL_MAX 2048
/* User name and password as handed to the checkpassword program. */
#define POP3_USER_MAX 255
#define POP3_PASS_MAX 1024
/* Input read ahead before login that is handed on to the session. */
#define POP3_PENDING_MAX 2048
/* control/timeoutpop3d default, seconds. */
#define POP3_TIMEOUT_DEF 600
/* Seconds to wait after a failed login before answering. */
#define POP3_FAIL_DELAY 2
/* Failed logins, then bad commands, before the connection is closed. */
#define POP3_FAIL_MAX   3
#define POP3_BADCMD_MAX 20
/* Messages in one maildrop (memory: about 100 bytes each). */
#define POP3_MSG_MAX 2000000
/* A UIDL: RFC 1939 section 7, 1 to 70 characters 0x21..0x7e. */
#define POP3_UIDL_MAX 70
/* Bytes of message read per system call on RETR. */
#define POP3_RETR_BUF 65536
/* A lock older than this, whatever its pid, is stale (seconds). */
#define POP3_LOCK_STALE (24 * 3600)

#endif
