/* control.h: reading the home's control files, qmail-control(5) rules.
 * Names are relative to auto_home/control/ unless they start with '/'.
 * A line's trailing spaces and tabs are removed; in list files, lines that
 * start with '#' and blank lines are skipped.  Each reader returns 1 when
 * the file exists and was read, 0 when it does not exist (the default was
 * used), -1 on any other error (errno set; callers treat it as temporary:
 * a missing file may take its default, an unreadable one never does).
 * Trailing white space includes CR, so files edited with CRLF line ends
 * read the same.  Only regular files are read (else -1/EINVAL); a file
 * larger than its bound gives -1/EMSGSIZE; a NUL byte in a kept line
 * gives -1/EINVAL.  Each reader replaces the contents of b. */
#ifndef QUAIL_LIB_CONTROL_H
#define QUAIL_LIB_CONTROL_H

#include "buf.h"

#define CONTROL_LIST_MAX (1024 * 1024) /* bound for readline/readlist */

/* Full path of a control file into b (NUL-terminated, not counted). */
int control_path(struct buf *b, const char *name);
/* First line (without LF), or def if the file is missing.  A present but
 * empty file (or empty first line) gives def too, and returns 0.  def may
 * be NULL: then 0 and empty b.  b is NUL-terminated (not counted). */
int control_readline(struct buf *b, const char *name, const char *def);
/* First line as a decimal number, def when missing; -1/EINVAL if the line
 * is not a number. */
int control_readulong(unsigned long *r, const char *name, unsigned long def);
/* All non-comment, non-blank lines, each ended by NUL, into b. */
int control_readlist(struct buf *b, const char *name);
/* Whole file, unchanged. */
int control_readfile(struct buf *b, const char *name, size_t max);

#endif
