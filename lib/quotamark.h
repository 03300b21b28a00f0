/* quotamark.h: "this mailbox was over quota", shared between quail-local
 * (which knows, delivering as quailv) and quail-smtpd (which cannot read
 * the Maildirs but can refuse at RCPT with 452 4.2.2, RFC 3463).
 *
 * The marker is the empty file HOME/quota/NAME (HOME/quota is quailv
 * 0755: quailv writes, every id may stat).  NAME is the recipient
 * address "local@domain" lowercased (ASCII).  Its mtime is the last time
 * quail-local found the mailbox over quota.  quail-smtpd trusts a marker
 * only while it is younger than control/quotamarkerage, so one message
 * gets through after that and quail-local checks again (and removes the
 * marker when the delivery succeeds).
 *
 * Names are refused (-1/EINVAL) when empty, longer than QUOTAMARK_NAME_MAX,
 * starting with '.', or holding '/', NUL or a control byte (< 0x20, 0x7f):
 * an address can never name a file outside HOME/quota. */
#ifndef QUAIL_LIB_QUOTAMARK_H
#define QUAIL_LIB_QUOTAMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define QUOTAMARK_DIR      "quota" /* under HOME */
#define QUOTAMARK_NAME_MAX 255     /* NAME_MAX */
#define QUOTAMARK_PATH_MAX 4096
#define QUOTAMARK_AGE_DEF  900 /* control/quotamarkerage default, s */
#define QUOTAMARK_SKEW     60  /* a marker up to this far ahead is fresh */

/* The marker's file name for addr[0..len) into out (NUL-terminated,
 * lowercased).  0, or -1 with errno EINVAL (refused name) or
 * ENAMETOOLONG (out too small). */
int quotamark_name(char *out, size_t outlen, const char *addr, size_t len);
/* home + "/quota/" + name into out.  0 or -1/errno as above. */
int quotamark_path(
    char *out, size_t outlen, const char *home, const char *addr, size_t len);
/* Creates the marker or sets its mtime to now.  0 or -1/errno. */
int quotamark_set(const char *home, const char *addr, size_t len);
/* Removes the marker; a missing marker (or HOME/quota) is success.
 * 0 or -1/errno. */
int quotamark_clear(const char *home, const char *addr, size_t len);
/* 1 and *age_r (now - mtime, seconds, negative when the marker is dated
 * in the future) when a marker exists as a regular file, 0 when none (or
 * the name is refused), -1/errno when it could not be looked at. */
int quotamark_age(const char *home, const char *addr, size_t len, time_t now,
    long long *age_r);
/* true when a marker of that age counts: -QUOTAMARK_SKEW < age < maxage.
 * maxage 0 disables the markers (never fresh). */
bool quotamark_fresh(long long age, unsigned long maxage);

#endif
