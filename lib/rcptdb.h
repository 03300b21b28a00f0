/* rcptdb.h: "is this address deliverable here?", answered from
 * control/rcpt.cdb, which quail-ctl compile builds from locals,
 * virtualdomains, mailboxes, aliases, users/assign, the alias user's
 * .qmail-* files and the password database.  quail-smtpd asks it at RCPT
 * time; quail-ctl explain shows the same answer.
 *
 * Keys (all lowercase):
 *   "@dom"        dom is validated here: unknown local parts are refused
 *   "local@dom"   this address is deliverable
 *   "pre*@dom"    every local part starting with "pre" is deliverable
 *                 ("*@dom" is a catch-all; "joe-*@dom" joe's extensions)
 * Values: the source of the entry, "file:line" or a short text, for
 * explain and logs.
 *
 * Lookup of local@dom: exact key; then "pre*@dom" for every prefix of
 * local, longest first, down to the empty prefix.  A domain without an
 * "@dom" key is not validated (RCPTDB_UNCHECKED: e.g. a backup-MX domain
 * in rcpthosts): the caller decides.
 *
 * Edge cases: an address without '@' is RCPTDB_UNCHECKED (the caller
 * qualifies it first); an empty local part ("@dom") is never OK; an
 * address longer than ADDR_MAX is never OK.  db NULL or not open gives
 * RCPTDB_ERROR.  why is not NUL-terminated. */
#ifndef QUAIL_LIB_RCPTDB_H
#define QUAIL_LIB_RCPTDB_H

#include <stddef.h>
#include "buf.h"
#include "cdbx.h"

enum rcptdb_res {
	RCPTDB_ERROR = -1, /* table missing or unreadable: answer 451 */
	RCPTDB_UNKNOWN,    /* domain validated here, address unknown: 550 */
	RCPTDB_OK,         /* deliverable */
	RCPTDB_UNCHECKED,  /* domain not validated here */
};

/* addr is an envelope address (local@domain); matching ignores case.
 * On RCPTDB_OK, why (if not NULL) receives the entry's value. */
enum rcptdb_res rcptdb_check(
    struct cdbx *db, const char *addr, size_t len, struct buf *why);

#endif
