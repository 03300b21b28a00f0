/* cdbx.h: lookups in CDB files through tinycdb's libcdb (-lcdb).
 * A struct cdbx maps the file read-only; lookups copy nothing. */
#ifndef QUAIL_LIB_CDBX_H
#define QUAIL_LIB_CDBX_H

#include <cdb.h>
#include <stddef.h>
#include "buf.h"

struct cdbx {
	int fd;
	struct cdb c;
};

/* 0, or -1 with errno (ENOENT when the file does not exist, EPROTO when
 * it is not a CDB).  On failure d->fd is -1, so cdbx_close is safe. */
int cdbx_open(struct cdbx *d, const char *path);
void cdbx_close(struct cdbx *d);
/* 1 found (value copied into val, replacing it, if val is not NULL; not
 * NUL-terminated), 0 not found, -1 error (EPROTO: corrupt file; or as
 * buf_copy).  With several records under one key, the first is found. */
int cdbx_get(struct cdbx *d, const void *key, size_t klen, struct buf *val);
/* One-shot: open, get, close.  A missing file is -1 with ENOENT. */
int cdbx_lookup(
    const char *path, const void *key, size_t klen, struct buf *val);

#endif
