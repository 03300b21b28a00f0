/* durable.h: making a new file and its name durable with one fsync.
 *
 * quail-queue (mess/NN/ID) and Maildir delivery (new/, cur/) publish a
 * file by writing it under a temporary name and linking it to its final
 * name.  The strict way costs two fsyncs: the file, then the directory
 * holding the new name.  On a journaling filesystem that commits a
 * file's metadata changes in order (ext3/ext4, xfs), the link changes the
 * file's inode (its link count) in the same transaction as the directory
 * entry, so one fsync of the file after the link commits the entry too
 * (Postfix relies on the same property).  For that path the data is
 * written out first (sync_file_range: no journal commit), so a final
 * name that survives a crash always names a complete file.
 *
 *   durable_strict   true: use two fsyncs.  control/fsyncdir: "1" always,
 *                    "0" never; missing: true unless fd is on ext2/3/4 or
 *                    xfs (fstatfs).  Unreadable: true.
 *   durable_prepare  before the link: strict fsync(fd); else write out
 *                    fd's data and wait for it.
 *   durable_finish   after the link: strict fsync(dir); else fsync(fd).
 * Each returns 0, or -1 with errno; only after durable_finish returned 0
 * is the file durable under its new name.  doc/ARCHITECTURE.md
 * ("Durability: one fsync per new file") gives the argument. */
#ifndef QUAIL_LIB_DURABLE_H
#define QUAIL_LIB_DURABLE_H

#include <stdbool.h>

bool durable_strict(int fd);
int durable_prepare(int fd, bool strict);
int durable_finish(int fd, const char *dir, bool strict);

#endif
