/* local_tmpclean_test: quail-local's Maildir tmp/ cleanup (local/tmpclean.c):
 * only regular files older than 36 hours go, symlinks and directories
 * stay, a scan happens at most once per TMP_SCAN_SECS, and the bound on
 * entries per scan makes the next delivery scan again. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../local/local.h"
#include "tap.h"

static char md[] = "/tmp/tmpclean-test.XXXXXX";

static void
settime(const char *path, time_t t, int flags)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, path, ts, flags);
}

static void
mkfile(const char *name, time_t t)
{
	char p[512];
	int fd;

	snprintf(p, sizeof p, "%s/tmp/%s", md, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
	settime(p, t, 0);
}

static bool
exists(const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof p, "%s/tmp/%s", md, name);
	return lstat(p, &st) == 0;
}

static void
dir_atime(time_t t)
{
	char p[512];
	struct timespec ts[2];

	snprintf(p, sizeof p, "%s/tmp", md);
	ts[0].tv_sec = t;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	utimensat(AT_FDCWD, p, ts, 0);
}

static void
test_pure(void)
{
	struct stat st;
	time_t now = 2000000000;

	memset(&st, 0, sizeof st);
	st.st_mode = S_IFREG | 0600;
	st.st_atime = st.st_mtime = st.st_ctime = now - TMP_STALE_SECS;
	ok(tmp_stale(&st, now), "36 h old file is stale");
	st.st_mtime = now - 10;
	ok(!tmp_stale(&st, now), "recent mtime keeps it");
	st.st_mtime = now - TMP_STALE_SECS;
	st.st_atime = now - 10;
	ok(!tmp_stale(&st, now), "recent atime keeps it");
	st.st_atime = now - TMP_STALE_SECS - 1;
	st.st_mode = S_IFLNK | 0777;
	ok(!tmp_stale(&st, now), "symlink never stale");
	st.st_mode = S_IFDIR | 0700;
	ok(!tmp_stale(&st, now), "directory never stale");
	st.st_atime = now - TMP_SCAN_SECS;
	ok(tmp_scan_due(&st, now), "scan due after the interval");
	st.st_atime = now - TMP_SCAN_SECS + 1;
	ok(!tmp_scan_due(&st, now), "no scan within the interval");
	st.st_atime = now + TMP_SCAN_SECS + 1;
	ok(tmp_scan_due(&st, now), "stamp far in the future: scan");
}

static void
test_dir(void)
{
	char p[512], name[64];
	time_t now = time(NULL), old = now - TMP_STALE_SECS - 60;
	size_t n = 99;
	int i;

	if (mkdtemp(md) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(p, sizeof p, "%s/tmp", md);
	mkdir(p, 0700);
	mkfile("old1", old);
	mkfile("old2", old);
	mkfile("fresh", now - 60);
	snprintf(p, sizeof p, "%s/tmp/link", md);
	ok(symlink("/etc/passwd", p) == 0, "plant a symlink");
	settime(p, old, AT_SYMLINK_NOFOLLOW);
	snprintf(p, sizeof p, "%s/tmp/sub", md);
	mkdir(p, 0700);
	settime(p, old, 0);
	dir_atime(now - 1); /* scanned a second ago */
	is_int(tmp_clean(md, now, &n), 0, "not due: no scan");
	ok(exists("old1") && n == 0, "nothing removed");
	dir_atime(now - TMP_SCAN_SECS - 1);
	is_int(tmp_clean(md, now, &n), 1, "due: scanned");
	is_int((int)n, 2, "two stale files removed");
	ok(!exists("old1") && !exists("old2"), "stale files gone");
	ok(exists("fresh") && exists("link") && exists("sub"),
	    "fresh file, symlink and directory kept");
	mkfile("old3", old);
	is_int(tmp_clean(md, now, &n), 0, "stamped: the next delivery skips");
	ok(exists("old3"), "old3 waits for the next scan");
	/* more entries than one scan looks at */
	for (i = 0; i < TMP_SCAN_MAX + 10; i++) {
		snprintf(name, sizeof name, "bulk%d", i);
		mkfile(name, old);
	}
	dir_atime(now - TMP_SCAN_SECS - 1);
	is_int(tmp_clean(md, now, &n), 1, "bounded scan");
	ok(n <= TMP_SCAN_MAX && n > 0, "at most TMP_SCAN_MAX looked at");
	is_int(tmp_clean(md, now, &n), 1, "bound hit: next delivery scans");
	ok(!exists("old3") && !exists("bulk0") && !exists("bulk1009"),
	    "everything stale removed after two scans");
	is_int(tmp_clean(md, now, &n), 0, "then the interval applies again");
	ok(tmp_clean("/nonexistent-md", now, &n) < 0 && errno == ENOENT,
	    "missing Maildir: -1/ENOENT");
	snprintf(p, sizeof p, "rm -rf '%s'", md);
	if (system(p) != 0)
		diag("cleanup of %s failed", md);
}

int
main(void)
{
	test_pure();
	test_dir();
	done_testing();
}
