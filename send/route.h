/* route.h: local or remote?  qmail-send's rules over the compiled
 * control files (/work/notes/cdb.md, "Local delivery resolution"):
 *   1. the domain is in control/locals.cdb: local, L = the local part;
 *   2. control/virtualdomains.cdb, tried as "user@dom", "dom", each
 *      ".suffix" of dom, then "": prefix P non-empty: local, L = P-local;
 *      an empty prefix is an exception (qmail): remote;
 *   3. otherwise remote.
 * When a .cdb does not exist (quail-ctl compile not run yet) the text
 * file is read instead (locals, else me; virtualdomains). */
#ifndef QUAIL_SEND_ROUTE_H
#define QUAIL_SEND_ROUTE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include "buf.h"
#include "cdbx.h"

struct rtab {
	const char *name; /* "locals" or "virtualdomains" */
	struct cdbx db;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	bool have_db;
	struct buf text; /* fallback: key NUL value NUL ... */
};

struct route {
	struct rtab locals, vdoms;
};

void route_init(struct route *rt);
/* Reopens a CDB that was replaced; force also rereads the text files.
 * 0, or -1 with errno (unreadable: treat as temporary). */
int route_refresh(struct route *rt, bool force);
/* 1 local (L in local_r, NUL-terminated), 0 remote, -1 error. */
int route_rcpt(
    struct route *rt, const char *a, size_t len, struct buf *local_r);
void route_free(struct route *rt);

#endif
