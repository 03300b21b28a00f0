/* tmpclean.c: removes files left in a Maildir's tmp/ by crashed writers.
 * The maildir spec: a tmp/ file not accessed for 36 hours may be removed.
 * Cheap and bounded: tmp/'s own access time records the last scan (set
 * explicitly with utimensat, so noatime mounts work too), a scan happens
 * at most once per TMP_SCAN_SECS per Maildir and looks at no more than
 * TMP_SCAN_MAX entries; only regular files are removed, never followed
 * through symlinks.  Runs as the mailbox owner after a delivery. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local.h"
#include "maildir.h"

bool
tmp_scan_due(const struct stat *dir, time_t now)
{
	return (long long)dir->st_atime <= (long long)now - TMP_SCAN_SECS ||
	       (long long)dir->st_atime > (long long)now + TMP_SCAN_SECS;
}

bool
tmp_stale(const struct stat *st, time_t now)
{
	long long newest = (long long)st->st_mtime;

	if ((long long)st->st_atime > newest)
		newest = (long long)st->st_atime;
	return S_ISREG(st->st_mode) &&
	       newest <= (long long)now - TMP_STALE_SECS;
}

/* Sets tmp's atime (the scan stamp) to t, keeping its mtime. */
static void
stamp(const char *tmp, time_t t)
{
	struct timespec ts[2];

	ts[0].tv_sec = t;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = 0;
	ts[1].tv_nsec = UTIME_OMIT;
	(void)utimensat(AT_FDCWD, tmp, ts, 0); /* best effort */
}

/* Looks at up to TMP_SCAN_MAX entries of the open tmp/; true when the
 * bound stopped it. */
static bool
sweep(DIR *dh, time_t now, size_t *removed_r)
{
	struct dirent *d;
	struct stat st;
	size_t seen = 0;
	int fd = dirfd(dh);

	while ((d = readdir(dh)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (++seen > TMP_SCAN_MAX)
			return true;
		if (fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !tmp_stale(&st, now))
			continue;
		if (unlinkat(fd, d->d_name, 0) == 0)
			(*removed_r)++;
	}
	return false;
}

int
tmp_clean(const char *maildir, time_t now, size_t *removed_r)
{
	char tmp[MAILDIR_PATH_MAX];
	size_t n = strlen(maildir);
	struct stat st;
	DIR *dh;

	*removed_r = 0;
	if (n + 5 > sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, maildir, n);
	memcpy(tmp + n, "/tmp", 5);
	if (stat(tmp, &st) < 0)
		return -1;
	if (!tmp_scan_due(&st, now))
		return 0;
	/* stamp first: concurrent deliveries then skip this scan */
	stamp(tmp, now);
	dh = opendir(tmp);
	if (dh == NULL)
		return -1;
	if (sweep(dh, now, removed_r))
		stamp(tmp, now - TMP_SCAN_SECS); /* more left: scan again */
	closedir(dh);
	return 1;
}
