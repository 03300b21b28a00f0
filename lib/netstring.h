/* netstring.h: netstrings, "<len>:<payload>,", the framing of the spawn
 * protocol (doc/ARCHITECTURE.md "The spawn protocol") and of quail-rspawn
 * <-> quail-remote -s.  len is decimal ASCII without leading zeros
 * ("0" itself is fine); the payload is any bytes.  Pure: no I/O, no
 * allocation beyond the caller's struct buf. */
#ifndef QUAIL_LIB_NETSTRING_H
#define QUAIL_LIB_NETSTRING_H

#include <stddef.h>
#include "buf.h"

enum netstring_res {
	NETSTRING_OK,
	NETSTRING_MORE,    /* a proper prefix of a netstring: read on */
	NETSTRING_SYNTAX,  /* not a netstring: non-digit, leading zero,
	                    * no ':' or no ',' after the payload */
	NETSTRING_TOOLONG, /* the length passes max (said as soon as the
	                    * digits read so far do, before any ':') */
};

/* Parses the netstring at the start of p[0..len), whose payload may be at
 * most max bytes.  NETSTRING_OK: the payload is p[*off_r .. *off_r +
 * *plen_r) and the record took *used_r bytes; the out parameters are set
 * only then.  Never reads past p[len). */
enum netstring_res netstring_parse(const void *p, size_t len, size_t max,
    size_t *off_r, size_t *plen_r, size_t *used_r);
/* Appends the netstring of p[0..n) to out: 0, or -1 with errno ENOMEM or
 * EMSGSIZE and out as it was. */
int netstring_put(struct buf *out, const void *p, size_t n);

#endif
