/* procdrop.c: privilege drops (proc.h).  Apart from proc.c so that a
 * program that never drops privileges does not link getpwnam and
 * initgroups: the per-message programs are linked static-pie (Makefile,
 * STATIC), and glibc cannot load NSS modules into a static binary.
 * Trust: proc_become and proc_setids run as root in quail-start and
 * quail-lspawn; they refuse to leave the process as uid 0 and check that
 * the drop took (saved uid included) before returning 0. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

#include "proc.h"

/* After setuid: the real, effective and saved ids must all be uid, and
 * getting root back must be impossible. */
static int
check_dropped(uid_t uid, gid_t gid)
{
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid) {
		errno = EPERM;
		return -1;
	}
	if (setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
proc_setids(uid_t uid, gid_t gid)
{
	if (uid == 0) {
		errno = EPERM;
		return -1;
	}
	if (setgroups(1, &gid) < 0)
		return -1;
	if (setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return check_dropped(uid, gid);
}

int
proc_become(const char *user)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		errno = EPERM;
		return -1;
	}
	if (initgroups(user, gid) < 0)
		return -1;
	if (setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return check_dropped(uid, gid);
}
