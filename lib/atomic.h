/* atomic.h: atomic replacement of a file: write path.tmp.<pid>, fsync,
 * rename over path, fsync the directory.  A crash leaves the old file or
 * the new one, never a mix.  Returns 0, or -1 with errno (the temporary
 * file is removed). */
#ifndef QUAIL_LIB_ATOMIC_H
#define QUAIL_LIB_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

int atomic_write(const char *path, const void *p, size_t n, mode_t mode);
/* fsync the directory holding path (or the directory path itself). */
int atomic_syncdir(const char *path);

#endif
