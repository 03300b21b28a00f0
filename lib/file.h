/* file.h: reading a whole small file (a control file, a certificate)
 * into a struct buf, with a size bound. */
#ifndef QUAIL_LIB_FILE_H
#define QUAIL_LIB_FILE_H

#include <stddef.h>
#include "buf.h"

/* Reads the regular file at path into b, replacing its contents, at most
 * max bytes.  1 read; 0 missing (ENOENT only); -1 on any other error with
 * errno: EINVAL when path is not a regular file (it is opened with
 * O_NONBLOCK, so a FIFO never blocks the reader), EMSGSIZE when the file
 * holds more than max bytes, else that of open, read or buf.  b is empty
 * unless 1 is returned. */
int file_read(struct buf *b, const char *path, size_t max);

#endif
