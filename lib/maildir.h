/* maildir.h: Maildir and Maildir++ delivery and quota helpers, shared by
 * quail-local (delivery), quail-imapd (APPEND) and quail-pop3d.
 *
 * Delivery (the maildir spec, with Dovecot/Courier size tags):
 *   maildir_open_tmp   create DIR/tmp/T.M<usec>P<pid>Q<n>.HOST (O_EXCL)
 *   maildir_write      append bytes (counted: S = bytes, W = bytes + LFs)
 *   maildir_commit     flush, write out (durable_prepare), link to
 *                      DIR/SUB/NAME,S=s,W=w (plus INFO, e.g. ":2,S" for
 *                      cur/), unlink tmp, fsync the file (or fsync, link,
 *                      fsync SUB: lib/durable.h), close.  Only then is the
 *                      delivery complete.
 *   maildir_abort      close and unlink the tmp file.
 * A failed call leaves nothing visible in new/ or cur/.
 *
 * Maildir++ quota (maildirsize in the Maildir's top directory):
 *   first line "<bytes>S,<count>C" (either part may be missing; 0 or
 *   missing = no limit), then lines "<bytes> <count>" (may be negative),
 *   summed to give the usage.  Bounds: the file is read up to
 *   MAILDIR_SIZE_MAX bytes; larger files are recalculated. */
#ifndef QUAIL_LIB_MAILDIR_H
#define QUAIL_LIB_MAILDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define MAILDIR_PATH_MAX 4096
#define MAILDIR_NAME_MAX 255
#define MAILDIR_SIZE_MAX 5120 /* Maildir++: recalculate when larger */

struct maildir_tmp {
	int fd;
	char dir[MAILDIR_PATH_MAX];      /* the Maildir (no trailing '/') */
	char base[MAILDIR_NAME_MAX + 1]; /* unique name without size tags */
	uint64_t size, vsize;            /* bytes; bytes with CRLF line ends */
	unsigned char wbuf[8192];
	size_t wlen;
};

/* Unique base name "T.M<usec>P<pid>Q<count>.HOST" into out (NUL ended):
 * host's '/' and ':' become "\057" and "\072" as the spec requires.
 * 0, or -1/ENAMETOOLONG. */
int maildir_uniq(char *out, size_t outlen, unsigned long long sec,
    unsigned long usec, unsigned long pid, unsigned long count,
    const char *host);
/* Appends ",S=<size>,W=<vsize>" to base. */
int maildir_sizename(
    struct buf *out, const char *base, uint64_t size, uint64_t vsize);
/* Size from a file name's ",S=" tag: true and *size_r, or false. */
bool maildir_name_size(const char *name, size_t len, uint64_t *size_r);

/* Creates dir/, dir/tmp, dir/new, dir/cur (mode 0700) where missing;
 * parents of dir too when parents is true.  0 or -1/errno. */
int maildir_create(const char *dir, bool parents);
/* true if dir/tmp, dir/new and dir/cur all exist. */
bool maildir_exists(const char *dir);

int maildir_open_tmp(struct maildir_tmp *t, const char *dir);
int maildir_write(struct maildir_tmp *t, const void *p, size_t n);
/* sub: "new" or "cur"; info: NULL or e.g. ":2,S".  On success the final
 * file name (without directory) is left in name_r if not NULL. */
int maildir_commit(struct maildir_tmp *t, const char *sub, const char *info,
    struct buf *name_r);
void maildir_abort(struct maildir_tmp *t);

/* ---- Maildir++ quota ---- */
struct maildir_quota {
	uint64_t bytes; /* 0 = no limit */
	uint64_t count; /* 0 = no limit */
};

struct maildir_usage {
	int64_t bytes, count;
	size_t lines; /* usage lines read (without the quota line) */
};

/* "10000000S,1000C" (any order, either missing) -> q.  -1/EINVAL on
 * anything else. */
int maildir_quota_parse(const char *p, size_t len, struct maildir_quota *q);
/* Formats q as the quota line (no LF) into out. */
int maildir_quota_fmt(struct buf *out, const struct maildir_quota *q);
/* Whole maildirsize contents -> quota and summed usage.  Malformed usage
 * lines give -1/EINVAL (the caller recalculates). */
int maildir_size_parse(const char *p, size_t len, struct maildir_quota *q,
    struct maildir_usage *u);
/* Reads dir/maildirsize.  1 read, 0 no file, 2 quota line read but the
 * usage must be recalculated (file larger than MAILDIR_SIZE_MAX or a bad
 * usage line), -1 error (EINVAL: bad quota line). */
int maildir_size_read(
    const char *dir, struct maildir_quota *q, struct maildir_usage *u);
/* Rewrites dir/maildirsize from a scan of new/ and cur/ of the Maildir
 * and every ".Folder" in it (sizes from ",S=" or stat), atomically.
 * On success *u holds the scanned usage. */
int maildir_size_recalc(
    const char *dir, const struct maildir_quota *q, struct maildir_usage *u);
/* Appends "<bytes> <count>\n" with one O_APPEND write. */
int maildir_size_add(const char *dir, int64_t bytes, int64_t count);
/* true if adding (bytes, 1 message) to u would pass q. */
bool maildir_over_quota(const struct maildir_quota *q,
    const struct maildir_usage *u, uint64_t bytes);

#endif
