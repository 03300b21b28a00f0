/* durable.c: one fsync per published file where the filesystem allows it
 * (durable.h).  Knows nothing of mail; reads one control file. */
#include <errno.h>
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "atomic.h"
#include "buf.h"
#include "control.h"
#include "durable.h"

/* sync_file_range(2) is Linux's; <fcntl.h> declares it only under
 * _GNU_SOURCE, which the build's -D_POSIX_C_SOURCE (and banned.h, read
 * first) keep out.  glibc's prototype and the kernel's flag values. */
#if defined(__linux__) && !defined(SYNC_FILE_RANGE_WRITE)
#define SYNC_FILE_RANGE_WAIT_BEFORE 1U
#define SYNC_FILE_RANGE_WRITE       2U
#define SYNC_FILE_RANGE_WAIT_AFTER  4U
int sync_file_range(int fd, off_t off, off_t n, unsigned int flags);
#endif

#define MAGIC_EXT 0xEF53UL     /* ext2, ext3, ext4 (linux/magic.h) */
#define MAGIC_XFS 0x58465342UL /* xfs */

/* control/fsyncdir, read once per process: 1 strict, 0 not, -1 ask the
 * filesystem. */
static int
setting(void)
{
	static int cached = -2;
	struct buf b = BUF_INIT(64);
	int r;

	if (cached != -2)
		return cached;
	r = control_readline(&b, "fsyncdir", NULL);
	if (r < 0)
		cached = 1; /* unreadable: in doubt, strict */
	else if (r == 0)
		cached = -1;
	else
		cached = !(b.len == 1 && b.p[0] == '0');
	buf_free(&b);
	return cached;
}

bool
durable_strict(int fd)
{
	struct statfs sf;
	unsigned long type;
	int s = setting();

	if (s >= 0)
		return s == 1;
	if (fstatfs(fd, &sf) < 0)
		return true;
	type = (unsigned long)sf.f_type;
	return type != MAGIC_EXT && type != MAGIC_XFS;
}

int
durable_prepare(int fd, bool strict)
{
	if (strict)
		return fsync(fd);
#ifdef SYNC_FILE_RANGE_WRITE
	/* data out and its size in the running transaction before the name
	 * exists: a name that survives a crash names a complete file */
	if (sync_file_range(fd, 0, 0,
	        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
	            SYNC_FILE_RANGE_WAIT_AFTER) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
#endif
	return fdatasync(fd);
}

int
durable_finish(int fd, const char *dir, bool strict)
{
	if (strict)
		return atomic_syncdir(dir);
	return fsync(fd);
}
