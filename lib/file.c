/* file.c: whole small files into a buffer (file.h).
 * Trust: the files are the admin's, but a mistaken huge file, a FIFO or
 * a device in their place must neither exhaust memory nor hang us. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path read-only: fd, or -1 (errno; ENOENT when missing).  Refuses
 * anything but a regular file, and one larger than max already. */
static int
open_regular(const char *path, size_t max)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		e = errno == ENOENT ? EINVAL : errno; /* never "missing" */
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	else if ((unsigned long long)st.st_size > max)
		e = EMSGSIZE;
	else
		return fd;
	close(fd);
	errno = e;
	return -1;
}

int
file_read(struct buf *b, const char *path, size_t max)
{
	char chunk[4096];
	ssize_t r;
	int fd, e;

	buf_reset(b);
	errno = 0;
	fd = open_regular(path, max);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	for (;;) {
		r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if ((size_t)r > max - b->len) { /* it grew since fstat */
			errno = EMSGSIZE;
			r = -1;
			break;
		}
		if (buf_cat(b, chunk, (size_t)r) < 0) {
			r = -1;
			break;
		}
	}
	e = errno;
	close(fd);
	if (r < 0) {
		buf_reset(b);
		errno = e;
		return -1;
	}
	return 1;
}
