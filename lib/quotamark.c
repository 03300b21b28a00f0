/* quotamark.c: the over-quota markers in HOME/quota (see quotamark.h).
 * Trust: the address comes from the SMTP client (quail-smtpd) or the
 * envelope (quail-local); it only ever names a file directly inside
 * HOME/quota because quotamark_name refuses '/', leading '.' and control
 * bytes.  Markers are opened with O_NOFOLLOW and looked at with lstat. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quotamark.h"

int
quotamark_name(char *out, size_t outlen, const char *addr, size_t len)
{
	size_t i;
	unsigned char ch;

	if (len == 0 || len > QUOTAMARK_NAME_MAX || addr[0] == '.') {
		errno = EINVAL;
		return -1;
	}
	if (len >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 0; i < len; i++) {
		ch = (unsigned char)addr[i];
		if (ch == '/' || ch < 0x20 || ch == 0x7f) {
			errno = EINVAL;
			return -1;
		}
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	out[len] = '\0';
	return 0;
}

int
quotamark_path(
    char *out, size_t outlen, const char *home, const char *addr, size_t len)
{
	static const char sub[] = "/" QUOTAMARK_DIR "/";
	size_t h = strlen(home), pre = h + sizeof sub - 1;

	if (pre >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, home, h);
	memcpy(out + h, sub, sizeof sub - 1);
	return quotamark_name(out + pre, outlen - pre, addr, len);
}

int
quotamark_set(const char *home, const char *addr, size_t len)
{
	char path[QUOTAMARK_PATH_MAX];
	int fd, e;

	if (quotamark_path(path, sizeof path, home, addr, len) < 0)
		return -1;
	fd = open(path,
	    O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	/* O_CREAT leaves an existing file's times alone: refresh them */
	if (futimens(fd, NULL) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

int
quotamark_clear(const char *home, const char *addr, size_t len)
{
	char path[QUOTAMARK_PATH_MAX];

	if (quotamark_path(path, sizeof path, home, addr, len) < 0)
		return -1;
	if (unlink(path) == 0 || errno == ENOENT || errno == ENOTDIR)
		return 0;
	return -1;
}

int
quotamark_age(const char *home, const char *addr, size_t len, time_t now,
    long long *age_r)
{
	char path[QUOTAMARK_PATH_MAX];
	struct stat st;

	if (quotamark_path(path, sizeof path, home, addr, len) < 0)
		return errno == EINVAL ? 0 : -1;
	if (lstat(path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (!S_ISREG(st.st_mode))
		return 0;
	*age_r = (long long)now - (long long)st.st_mtime;
	return 1;
}

bool
quotamark_fresh(long long age, unsigned long maxage)
{
	if (maxage == 0 || age <= -QUOTAMARK_SKEW)
		return false;
	return age < 0 || (unsigned long long)age < (unsigned long long)maxage;
}
