/* atomic.c: replace a file so that readers and crashes see the old
 * contents or the new, never a mix: path.tmp.<pid>, write, fsync, rename,
 * fsync of the directory.  Used for compiled control files (DESIGN.md
 * invariant 5).  The temporary is created with O_EXCL|O_NOFOLLOW, so a
 * planted link is never followed, and is removed on every failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "fmt.h"

/* rename(2) is declared only by <stdio.h>, which banned.h's poisoning and
 * the no-stdio rule keep out; this is the same prototype. */
int rename(const char *from, const char *to);

/* "path.tmp.<pid>" in fresh memory (free it), or NULL/ENOMEM. */
static char *
tmp_name(const char *path)
{
	static const char mid[] = ".tmp.";
	char digits[FMT_ULONG];
	size_t plen = strlen(path), dlen, n;
	char *s;

	dlen = fmt_ulong(digits, (unsigned long long)getpid());
	if (__builtin_add_overflow(plen, sizeof mid + dlen, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	s = malloc(n); /* sizeof mid counts the NUL */
	if (s == NULL)
		return NULL;
	memcpy(s, path, plen);
	memcpy(s + plen, mid, sizeof mid - 1);
	memcpy(s + plen + sizeof mid - 1, digits, dlen);
	s[n - 1] = '\0';
	return s;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Create, fill and fsync tmp.  0, or -1 with errno (tmp may exist). */
static int
fill_tmp(const char *tmp, const void *p, size_t n, mode_t mode)
{
	int fd, e;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode & 07777);
	if (fd < 0)
		return -1;
	/* open() applied the umask; the caller asked for exactly mode. */
	if (fchmod(fd, mode & 07777) < 0 || write_all(fd, p, n) < 0 ||
	    fsync(fd) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

int
atomic_write(const char *path, const void *p, size_t n, mode_t mode)
{
	char *tmp;
	int e;

	tmp = tmp_name(path);
	if (tmp == NULL)
		return -1;
	/* A leftover of a crashed process that had our pid. */
	if (unlink(tmp) < 0 && errno != ENOENT)
		goto fail;
	if (fill_tmp(tmp, p, n, mode) < 0 || rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	/* Renamed: the new file is in place, the directory entry is made
	 * durable here (an error means "maybe not durable yet"). */
	return atomic_syncdir(path);
fail:
	e = errno;
	unlink(tmp);
	free(tmp);
	errno = e;
	return -1;
}

static int
sync_fd_path(const char *dir)
{
	int fd, r, e;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		r = fsync(fd);
	while (r < 0 && errno == EINTR);
	e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

int
atomic_syncdir(const char *path)
{
	struct stat st;
	size_t len, slash;
	char *dir;
	int r, e;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return sync_fd_path(path);
	len = strlen(path);
	slash = len;
	while (slash > 0 && path[slash - 1] != '/')
		slash--;
	if (slash == 0)
		return sync_fd_path(".");
	while (slash > 1 && path[slash - 1] == '/')
		slash--; /* "a//b" -> "a"; "/b" -> "/" */
	dir = malloc(slash + 1);
	if (dir == NULL)
		return -1;
	memcpy(dir, path, slash);
	dir[slash] = '\0';
	r = sync_fd_path(dir);
	e = errno;
	free(dir);
	errno = e;
	return r;
}
