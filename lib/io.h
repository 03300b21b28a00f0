/* io.h: buffered I/O on file descriptors, with a deadline on every call.
 * No stdio in daemons (STYLE.md).  Works on blocking or non-blocking fds:
 * each read or write system call waits (poll) at most timeout seconds
 * (0 = no timeout; a write that makes progress starts a new deadline;
 * EINTR and EAGAIN are retried within the deadline).
 * Errors: -1 with errno; ETIMEDOUT when the deadline passed; EMSGSIZE
 * when a line exceeds its limit; EPIPE etc. from write.  An input io may
 * name an output io to flush before it reads (qmail's saferead), so
 * pipelined replies are never left unsent while we wait. */
#ifndef QUAIL_LIB_IO_H
#define QUAIL_LIB_IO_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

#define IO_BUFSIZE 8192
/* io_printf formats into a temporary buffer of at most this many bytes
 * (longer output: -1/EMSGSIZE, nothing written). */
#define IO_PRINTF_MAX (1024 * 1024)

struct io {
	int fd;
	unsigned timeout;     /* seconds per read or write; 0 = none */
	unsigned char *p;     /* buffer of cap bytes, owned by the caller */
	size_t cap, pos, len; /* input: unread bytes are p[pos..len) */
	struct io *flush;     /* input only: flushed before blocking */
	int err;              /* sticky errno after a failed write */
};

void io_init(
    struct io *io, int fd, unsigned char *mem, size_t cap, unsigned timeout);
/* Input.  io_fill: read more into the buffer; returns bytes read, 0 at
 * EOF, -1 on error (ENOBUFS if the buffer is full of unread bytes).
 * Before every read system call (never when the line is already
 * buffered), in->flush (if set and non-empty) is flushed; if that flush
 * fails, the read fails with its errno. */
ssize_t io_fill(struct io *in);
/* Copy up to n bytes (buffered first); returns count, 0 at EOF, -1. */
ssize_t io_read(struct io *in, void *p, size_t n);
/* Bytes already buffered and not consumed. */
size_t io_buffered(const struct io *in);
/* Read one line into line (replacing its contents), up to and including
 * LF.  CR, NUL and 8-bit bytes are passed through untouched.  Returns 1
 * with a line, 0 at EOF with nothing read (a final line
 * without LF is returned as a line, then 0), -1 on error.  If the line
 * reaches max bytes without LF: -1/EMSGSIZE, and the rest of that line
 * is left unread (call io_skipline to discard it).  Never buffers more
 * than max bytes of one line, whatever the peer sends.  On EMSGSIZE line
 * holds the first max bytes; on other errors what was read so far.
 * line->max must be >= max. */
int io_getline(struct io *in, struct buf *line, size_t max);
/* Discard input through the next LF.  1 done, 0 EOF, -1 error. */
int io_skipline(struct io *in);

/* Output: buffered; io_flush writes everything or fails.  A failed write
 * is sticky: every later output call fails with the same errno.  A peer
 * that closed gives -1/EPIPE, never a SIGPIPE death. */
int io_write(struct io *out, const void *p, size_t n);
int io_puts(struct io *out, const char *s);
int io_printf(struct io *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int io_flush(struct io *out);
/* Unbuffered: write all of p or fail (-1); respects timeout. */
int io_writeall(int fd, const void *p, size_t n, unsigned timeout);

#endif
