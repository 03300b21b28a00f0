/* durable_test: publishing a file with one fsync or two (lib/durable):
 * both ways leave the complete file under its new name and return 0;
 * errors come back as -1 with errno. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "durable.h"
#include "tap.h"

static char dir[] = "/tmp/durable_test.XXXXXX";

static void
publish(bool strict, const char *name)
{
	char from[128], to[128], got[16];
	int fd, rfd;
	ssize_t n;

	snprintf(from, sizeof from, "%s/tmp.%s", dir, name);
	snprintf(to, sizeof to, "%s/%s", dir, name);
	fd = open(from, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0 && write(fd, "hello", 5) == 5, "write");
	ok(durable_prepare(fd, strict) == 0, "prepare");
	ok(link(from, to) == 0 && unlink(from) == 0, "link");
	ok(durable_finish(fd, to, strict) == 0, "finish");
	ok(close(fd) == 0, "close");
	rfd = open(to, O_RDONLY);
	n = rfd >= 0 ? read(rfd, got, sizeof got) : -1;
	ok(n == 5 && memcmp(got, "hello", 5) == 0, "complete under new name");
	if (rfd >= 0)
		close(rfd);
	unlink(to);
}

int
main(void)
{
	int fd;
	bool s;

	if (mkdtemp(dir) == NULL)
		return 1;
	publish(false, "one");
	publish(true, "two");
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	s = durable_strict(fd);
	ok(s == true || s == false, "durable_strict answers");
	close(fd);
	ok(durable_prepare(-1, false) < 0 && errno == EBADF, "bad fd: EBADF");
	ok(durable_prepare(-1, true) < 0 && errno == EBADF,
	    "bad fd, strict: EBADF");
	ok(durable_finish(-1, dir, false) < 0, "finish on bad fd fails");
	rmdir(dir);
	done_testing();
}
