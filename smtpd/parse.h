/* parse.h: pure parsers for SMTP command lines (no I/O, no globals; the
 * only memory written is the caller's bounded buffers).  Each returns
 * P_OK, P_MORE (no LF yet), P_SYNTAX or P_TOOLONG. */
#ifndef QUAIL_SMTPD_PARSE_H
#define QUAIL_SMTPD_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "str.h"

enum pres {
	P_OK,
	P_MORE,
	P_SYNTAX,
	P_TOOLONG,
};

struct smtp_cmd {
	struct str verb; /* letters, as sent (compare ignoring case) */
	struct str arg;  /* after the verb and its space; trailing blanks
	                  * and CRLF removed; may be empty */
};

/* One line as io_getline returns it (ending in LF, CRLF accepted).
 * P_TOOLONG beyond SMTP_LINE_MAX; P_SYNTAX for a NUL, a CR anywhere but
 * before the final LF, or a verb that is not 1..16 letters. */
enum pres smtpd_parse_cmd(
    const unsigned char *p, size_t len, struct smtp_cmd *out);

/* HELO/EHLO argument: its first word.  P_SYNTAX when empty or holding
 * control bytes; P_TOOLONG past SMTP_HELO_MAX. */
enum pres smtpd_parse_helo(const unsigned char *p, size_t len, struct str *out);

#define MP_SIZE 0x01 /* SIZE=n given (RFC 1870) */
#define MP_8BIT 0x02 /* BODY=8BITMIME (RFC 6152) */
#define MP_7BIT 0x04 /* BODY=7BIT */
#define MP_UTF8 0x08 /* SMTPUTF8 (RFC 6531 3.4) */

enum mp_err {
	MP_E_NONE,
	MP_E_PREFIX,     /* no "FROM:" / "TO:" */
	MP_E_ADDR,       /* path syntax */
	MP_E_PARAM,      /* unknown parameter: 555 5.5.4 */
	MP_E_PARAMVALUE, /* known parameter, bad value: 501 5.5.4 */
};

struct smtp_path {
	struct buf *addr; /* caller's buffer, max >= SMTP_ADDR_MAX */
	unsigned aflags;  /* ADDR_F_* of lib/addr.h */
	unsigned params;  /* MP_* */
	unsigned long long size;
	enum mp_err err; /* why, when not P_OK */
};

/* The argument of MAIL ("FROM:<a> PARAMS") or RCPT ("TO:<a>").  rcpt
 * selects the prefix and the parameters allowed (none for RCPT). */
enum pres smtpd_parse_path(
    const unsigned char *p, size_t len, bool rcpt, struct smtp_path *out);

#endif
