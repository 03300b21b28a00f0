/* file_test.c: lib/file (file_read): a table of files in a temporary
 * directory: missing, empty, small, exactly max, one past max, a
 * directory, a FIFO (must not block), a symlink to a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"
#include "tap.h"

static char dir[] = "/tmp/quail-file-test.XXXXXX";

static const char *
at(const char *name)
{
	static char p[256];

	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void
put(const char *name, const char *s, size_t n)
{
	int fd = open(at(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, s, n) != (ssize_t)n || close(fd) < 0) {
		diag("cannot write %s", at(name));
		exit(1);
	}
}

static const struct {
	const char *name;
	size_t max;
	int want, err;
	const char *content;
	size_t clen;
} cases[] = {
    {"missing", 10, 0, 0, "", 0},
    {"empty", 10, 1, 0, "", 0},
    {"small", 10, 1, 0, "a\0b\n", 4},
    {"ten", 10, 1, 0, "0123456789", 10},
    {"ten", 9, -1, EMSGSIZE, "", 0},
    {"sub", 10, -1, EINVAL, "", 0},
    {"fifo", 10, -1, EINVAL, "", 0},
    {"link", 10, 1, 0, "a\0b\n", 4},
};

int
main(void)
{
	struct buf b = BUF_INIT(64);
	size_t i;
	int r;

	if (mkdtemp(dir) == NULL)
		return 1;
	put("empty", "", 0);
	put("small", "a\0b\n", 4);
	put("ten", "0123456789", 10);
	if (mkdir(at("sub"), 0755) < 0 || mkfifo(at("fifo"), 0600) < 0 ||
	    symlink("small", at("link")) < 0)
		return 1;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (buf_cats(&b, "old") < 0)
			return 1;
		errno = 0;
		r = file_read(&b, at(cases[i].name), cases[i].max);
		is_int(r, cases[i].want, cases[i].name);
		if (r < 0)
			is_int(errno, cases[i].err, "errno");
		is_mem(b.p, b.len, cases[i].content, cases[i].clen,
		    "contents (empty unless read)");
	}
	/* a buffer whose own max is smaller than the file */
	{
		struct buf small = BUF_INIT(5);

		errno = 0;
		ok(file_read(&small, at("ten"), 100) == -1 && errno == EMSGSIZE,
		    "buffer max");
		is_int(small.len, 0, "left empty");
		buf_free(&small);
	}
	buf_free(&b);
	unlink(at("link"));
	unlink(at("fifo"));
	rmdir(at("sub"));
	unlink(at("ten"));
	unlink(at("small"));
	unlink(at("empty"));
	rmdir(dir);
	done_testing();
}
