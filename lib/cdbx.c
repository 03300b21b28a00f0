/* cdbx.c: CDB lookups through tinycdb's libcdb (-lcdb).
 * Trust: CDB files are built by quail-ctl compile; libcdb checks every
 * offset against the mapped size, and a failure there is reported as
 * -1/EPROTO, never read past the map. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include "buf.h"
#include "cdbx.h"

int
cdbx_open(struct cdbx *d, const char *path)
{
	int e;

	d->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (d->fd < 0)
		return -1;
	errno = 0;
	if (cdb_init(&d->c, d->fd) < 0) {
		e = errno ? errno : EPROTO;
		close(d->fd);
		d->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

void
cdbx_close(struct cdbx *d)
{
	if (d->fd < 0)
		return;
	cdb_free(&d->c);
	close(d->fd);
	d->fd = -1;
}

int
cdbx_get(struct cdbx *d, const void *key, size_t klen, struct buf *val)
{
	const void *v;
	unsigned vlen;
	int r;

	if (d->fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (klen > UINT_MAX / 2)
		return 0; /* no key that long can be in a CDB */
	r = cdb_find(&d->c, key, (unsigned)klen);
	if (r < 0) {
		errno = EPROTO;
		return -1;
	}
	if (r == 0)
		return 0;
	if (val) {
		vlen = cdb_datalen(&d->c);
		v = cdb_getdata(&d->c);
		if (!v && vlen) {
			errno = EPROTO;
			return -1;
		}
		if (buf_copy(val, v, vlen) < 0)
			return -1;
	}
	return 1;
}

int
cdbx_lookup(const char *path, const void *key, size_t klen, struct buf *val)
{
	struct cdbx d;
	int r, e;

	if (cdbx_open(&d, path) < 0)
		return -1;
	r = cdbx_get(&d, key, klen, val);
	e = errno;
	cdbx_close(&d);
	errno = e;
	return r;
}
