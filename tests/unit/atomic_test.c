/* atomic_test.c: lib/atomic.c — create, replace (readers of the old file
 * keep the old bytes), exact mode despite the umask, temporary removed
 * on every failure, a planted symlink at the temporary name not
 * followed, atomic_syncdir on files, directories and relative names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "tap.h"

static char dir[] = "/tmp/atomic_test.XXXXXX";

static char *
at(const char *name)
{
	static char path[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
	return path[k];
}

/* Whole file into got (NUL-terminated); length or -1. */
static ssize_t
slurp(const char *path, char *got, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, got, cap - 1);
	close(fd);
	if (n >= 0)
		got[n] = '\0';
	return n;
}

/* Number of entries in dir besides . and ..; only lists if want != n. */
static int
entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static int
mode_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

static void
test_replace(void)
{
	char got[64];
	int old;

	is_int(atomic_write(at("f"), "one\n", 4, 0644), 0, "create");
	is_int(slurp(at("f"), got, sizeof got), 4, "size");
	is_str(got, "one\n", "contents");
	is_int(mode_of(at("f")), 0644, "mode 0644 despite umask 077");
	old = open(at("f"), O_RDONLY);
	is_int(atomic_write(at("f"), "two\0two", 7, 0600), 0, "replace");
	is_int(slurp(at("f"), got, sizeof got), 7, "new size, NUL kept");
	ok(memcmp(got, "two\0two", 7) == 0, "new contents");
	is_int(mode_of(at("f")), 0600, "new mode");
	is_int(read(old, got, sizeof got), 4, "open reader sees old file");
	close(old);
	is_int(atomic_write(at("empty"), "", 0, 0640), 0, "empty file");
	is_int(slurp(at("empty"), got, sizeof got), 0, "is empty");
	is_int(mode_of(at("empty")), 0640, "mode 0640");
	is_int(entries(dir), 2, "no temporary left behind");
}

static void
test_failures(void)
{
	char tmpname[64], got[64];

	errno = 0;
	is_int(atomic_write(at("nodir/f"), "x", 1, 0644), -1, "missing dir");
	is_int(errno, ENOENT, "ENOENT");

	/* rename onto a non-empty directory fails after the temporary was
	 * written: it must be gone again. */
	mkdir(at("d"), 0755);
	close(open(at("d/x"), O_WRONLY | O_CREAT, 0644));
	errno = 0;
	is_int(atomic_write(at("d"), "x", 1, 0644), -1, "rename fails");
	ok(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST,
	    "with the rename error");
	is_int(entries(dir), 3, "temporary removed after the failure");
	is_int(entries(at("d")), 1, "directory untouched");

	/* A stale temporary or a planted symlink at our temporary name. */
	snprintf(tmpname, sizeof tmpname, "f.tmp.%ld", (long)getpid());
	if (symlink(at("victim"), at(tmpname)) < 0)
		diag("symlink: %s", strerror(errno));
	is_int(atomic_write(at("f"), "three", 5, 0644), 0, "over a symlink");
	ok(access(at("victim"), F_OK) < 0, "symlink target never created");
	is_int(slurp(at("f"), got, sizeof got), 5, "new file written");
	is_int(entries(dir), 3, "symlink gone, nothing left");
}

static void
test_syncdir(void)
{
	is_int(atomic_syncdir(dir), 0, "syncdir on a directory");
	is_int(atomic_syncdir(at("f")), 0, "on a file: its directory");
	is_int(atomic_syncdir(at("gone")), 0, "on a missing name: its dir");
	is_int(atomic_syncdir("/"), 0, "on /");
	is_int(atomic_syncdir("/etc/passwd"), 0, "on a file in /");
	if (chdir(dir) == 0) {
		is_int(atomic_syncdir("f"), 0, "relative name: .");
		is_int(atomic_write("rel", "r", 1, 0644), 0, "relative write");
		if (chdir("/") < 0)
			diag("chdir /");
	}
	errno = 0;
	is_int(atomic_syncdir(at("nodir/f")), -1, "missing directory");
	is_int(errno, ENOENT, "ENOENT");
}

static void
cleanup(void)
{
	const char *names[] = {"f", "empty", "d/x", "d", "rel"};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (remove(at(names[i])) < 0)
			diag("remove %s: %s", names[i], strerror(errno));
	if (rmdir(dir) < 0)
		diag("rmdir %s: %s", dir, strerror(errno));
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	umask(077);
	test_replace();
	test_failures();
	test_syncdir();
	cleanup();
	done_testing();
}
