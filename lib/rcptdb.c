/* rcptdb.c: recipient validity from control/rcpt.cdb (see rcptdb.h).
 * Trust: addr comes from the network (quail-smtpd RCPT); it is only
 * lowercased into a bounded stack buffer and used as a CDB key. */
#include <errno.h>
#include <string.h>
#include "addr.h"
#include "rcptdb.h"

static void
lower_copy(char *dst, const char *src, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)src[i];
		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
}

/* 1 found (why filled), 0 not, -1 error. */
static int
get(struct cdbx *db, const char *key, size_t klen, struct buf *why)
{
	return cdbx_get(db, key, klen, why);
}

/* "pre*@dom" for every prefix pre of the local part, longest first.
 * key holds the lowercased address (at = index of its last '@');
 * tmp has room for len + 1 bytes. */
static int
wildcards(struct cdbx *db, const char *key, size_t len, size_t at, char *tmp,
    struct buf *why)
{
	size_t k;
	int r;

	k = at + 1;
	while (k-- > 0) {
		memcpy(tmp, key, k);
		tmp[k] = '*';
		memcpy(tmp + k + 1, key + at, len - at);
		r = get(db, tmp, k + 1 + len - at, why);
		if (r != 0)
			return r;
	}
	return 0;
}

enum rcptdb_res
rcptdb_check(struct cdbx *db, const char *addr, size_t len, struct buf *why)
{
	char key[ADDR_MAX + 1], tmp[ADDR_MAX + 2];
	size_t at;
	int r;

	if (!db || db->fd < 0) {
		errno = ENOENT;
		return RCPTDB_ERROR;
	}
	at = addr_at(addr, len);
	if (at == len)
		return RCPTDB_UNCHECKED; /* no domain: the caller qualifies */
	if (len > ADDR_MAX)
		return RCPTDB_UNKNOWN; /* nothing that long is deliverable */
	lower_copy(key, addr, len);
	if (at > 0) {
		/* an empty local part must never match the "@dom" key */
		r = get(db, key, len, why);
		if (r == 0)
			r = wildcards(db, key, len, at, tmp, why);
		if (r < 0)
			return RCPTDB_ERROR;
		if (r > 0)
			return RCPTDB_OK;
	}
	r = get(db, key + at, len - at, NULL);
	if (r < 0)
		return RCPTDB_ERROR;
	return r > 0 ? RCPTDB_UNKNOWN : RCPTDB_UNCHECKED;
}
