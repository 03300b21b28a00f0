/* addr.h: RFC 5321 paths and RFC 5322 addresses, shared by smtpd, inject,
 * local and remote.  Pure parsers: no I/O, no globals.
 *
 * addr_parse_path parses what follows "MAIL FROM:" or "RCPT TO:" up to the
 * end of the path (the '>' or, for a bare address, the first space), e.g.
 * "<@a,@b:\"x y\"@[1.2.3.4]>".  On ADDR_OK it writes the address in
 * envelope form (quotes removed, source route dropped, domain as given)
 * into out, sets *used_r to the bytes consumed, and sets flags telling
 * what it saw, so the caller decides what to refuse (relay tricks).
 *
 * Details: leading spaces/tabs are skipped (and counted in *used_r); a
 * bare address ends at a space, tab or len.  out is replaced and
 * NUL-terminated (not counted); *used_r and *flags_r are set only on
 * ADDR_OK.  ADDR_TOOLONG: the address exceeds ADDR_MAX bytes, or out
 * could not hold it (errno ENOMEM/EMSGSIZE then).  The local part is a
 * Dot-string taken loosely (atext and dots in any order, as qmail and
 * Postfix accept "a..b") or a Quoted-string; an empty local part ("")
 * is ADDR_SYNTAX, so the local part of a result is never empty; so is a
 * quoted local part holding '@' without a domain (<"x@y">, ambiguous).
 * Domains must pass addr_domain_ok (UTF-8 allowed, flagged); route
 * domains are checked too.  An unbracketed path may also carry a
 * route. */
#ifndef QUAIL_LIB_ADDR_H
#define QUAIL_LIB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"

#define ADDR_MAX 900 /* qmail's limit on an address */

enum addr_res {
	ADDR_OK,
	ADDR_SYNTAX,
	ADDR_TOOLONG,
};

#define ADDR_F_NULL    0x001 /* <> */
#define ADDR_F_ROUTE   0x002 /* had a source route @a,@b: (dropped) */
#define ADDR_F_QUOTED  0x004 /* local part was a quoted string */
#define ADDR_F_LITERAL 0x008 /* domain is a [literal] */
#define ADDR_F_PERCENT 0x010 /* '%' in the local part */
#define ADDR_F_BANG    0x020 /* '!' in the local part */
#define ADDR_F_ATLOCAL 0x040 /* '@' inside the (quoted) local part */
#define ADDR_F_UTF8    0x080 /* bytes >= 0x80 (needs SMTPUTF8) */
#define ADDR_F_NOBRACK 0x100 /* given without angle brackets */
#define ADDR_F_NODOM   0x200 /* no @domain (e.g. "postmaster") */

enum addr_res addr_parse_path(const char *p, size_t len, struct buf *out,
    size_t *used_r, unsigned *flags_r);
/* Checks a domain: dot-atoms of letters, digits, '-' (and UTF-8 when
 * utf8 is true), or a [literal]; true if well formed.  Labels 1..63
 * bytes, not starting or ending with '-', no trailing dot, total <= 255.
 * Literals: [1.2.3.4] or [IPv6:...]; other tags are refused. */
bool addr_domain_ok(const char *d, size_t len, bool utf8);
/* Index of the last '@' of an envelope address, or len if none. */
size_t addr_at(const char *a, size_t len);
/* Appends a in the form for an SMTP path, quoting the local part when it
 * is not a dot-atom (for quail-remote and bounces). */
int addr_quote(struct buf *out, const char *a, size_t len);
/* RFC 5322 address list parsing for headers (To:, Cc:, ...): appends each
 * addr-spec found to out, each ended by NUL; groups, display names and
 * comments are skipped. Returns the number of addresses, or -1 on error
 * (errno as buf_cat). Malformed parts are skipped, never fatal.
 * Addresses come out in envelope form (quotes removed, folding dropped,
 * obsolete routes dropped); one without '@' (e.g. "joe") is returned as
 * it is, for the caller to qualify.  "<>" and empty elements give
 * nothing. */
int addr_parse_list(const char *p, size_t len, struct buf *out);

#endif
