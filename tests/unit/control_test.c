/* control_test.c: lib/control.c — qmail-control(5) reading rules.
 * Works in a temporary directory; names starting with '/' are absolute,
 * so the compiled-in auto_home is not needed except for control_path. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "buf.h"
#include "control.h"
#include "tap.h"

static char dir[64];
static char path[256];

static const char *
put(const char *name, const void *s, size_t n)
{
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, s, n) != (ssize_t)n || close(fd) < 0)
		abort();
	return path;
}

static const char *
at(const char *name)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void
test_path(void)
{
	struct buf b = BUF_INIT(4096);
	char want[512];

	ok(control_path(&b, "me") == 0, "control_path relative");
	snprintf(want, sizeof want, "%s/control/me", auto_home);
	is_str((char *)b.p, want, "relative name under auto_home/control/");
	ok(control_path(&b, "/etc/x") == 0, "control_path absolute");
	is_str((char *)b.p, "/etc/x", "absolute name kept");
	buf_free(&b);
}

static void
test_readline(void)
{
	struct buf b = BUF_INIT(4096);

	is_int(control_readline(&b, put("me", "host.example \t\n", 15), "x"), 1,
	    "readline present");
	is_str((char *)b.p, "host.example", "trailing white space removed");
	is_int(control_readline(&b, put("me2", "a b\nsecond\n", 11), NULL), 1,
	    "readline: first of two lines");
	is_str((char *)b.p, "a b", "inner space kept, second line ignored");
	is_int(control_readline(&b, put("nonl", "last", 4), NULL), 1,
	    "no trailing newline");
	is_str((char *)b.p, "last", "line without LF");
	is_int(control_readline(&b, put("crlf", "dos\r\n", 5), NULL), 1,
	    "CRLF file");
	is_str((char *)b.p, "dos", "CR removed");
	is_int(control_readline(&b, at("missing"), "def.example"), 0,
	    "missing -> 0");
	is_str((char *)b.p, "def.example", "missing -> default");
	is_int(control_readline(&b, at("missing"), NULL), 0,
	    "missing, no default -> 0");
	is_int(b.len, 0, "missing, no default -> empty");
	is_int(control_readline(&b, put("empty", "", 0), "dflt"), 0,
	    "empty file -> 0");
	is_str((char *)b.p, "dflt", "empty file -> default");
	is_int(control_readline(&b, put("blank", "  \n", 3), "dflt"), 0,
	    "blank first line -> default");
	is_str((char *)b.p, "dflt", "blank first line -> default value");
	is_int(control_readline(&b, put("nul", "a\0b\n", 4), "d"), -1,
	    "NUL in line -> -1");
	is_int(errno, EINVAL, "NUL -> EINVAL");
	is_int(control_readline(&b, dir, "d"), -1, "directory -> -1");
	is_int(errno, EINVAL, "directory -> EINVAL, never the default");
	put("file", "x", 1);
	is_int(control_readline(&b, at("file/sub"), "d"), -1,
	    "ENOTDIR -> -1, not the default");
	is_int(errno, ENOTDIR, "errno ENOTDIR");
	if (geteuid() != 0) {
		chmod(put("noperm", "x\n", 2), 0);
		is_int(control_readline(&b, at("noperm"), "d"), -1,
		    "unreadable -> -1");
	} else {
		ok(1, "# skip unreadable (running as root)");
	}
	buf_free(&b);
}

static void
test_ulong(void)
{
	unsigned long u = 7;

	is_int(control_readulong(&u, put("n", "12345 \n", 7), 9), 1, "ulong");
	is_int(u, 12345, "ulong value");
	is_int(control_readulong(&u, at("nonum"), 9), 0, "ulong missing");
	is_int(u, 9, "ulong default");
	is_int(control_readulong(&u, put("e", "", 0), 8), 0, "ulong empty");
	is_int(u, 8, "ulong empty -> default");
	is_int(control_readulong(&u, put("bad", "12x\n", 4), 9), -1,
	    "ulong garbage");
	is_int(errno, EINVAL, "ulong garbage -> EINVAL");
	is_int(control_readulong(&u, put("neg", "-1\n", 3), 9), -1,
	    "ulong negative");
	is_int(control_readulong(
	           &u, put("big", "999999999999999999999999\n", 25), 9),
	    -1, "ulong overflow");
}

static void
test_list(void)
{
	struct buf b = BUF_INIT(1 << 20);
	static const char f[] = "# comment\n"
	                        "a.example\n"
	                        "\n"
	                        "   \n"
	                        "b.example  \t\r\n"
	                        "  #not a comment\n"
	                        "c.example";

	is_int(control_readlist(&b, put("locals", f, sizeof f - 1)), 1,
	    "readlist");
	is_mem(b.p, b.len, "a.example\0b.example\0  #not a comment\0c.example",
	    47, "comments and blanks skipped, trailing space removed");
	is_int(control_readlist(&b, at("nolist")), 0, "list missing -> 0");
	is_int(b.len, 0, "list missing -> empty");
	is_int(control_readlist(&b, put("el", "", 0)), 1, "list empty -> 1");
	is_int(b.len, 0, "list empty -> nothing");
	is_int(control_readlist(&b, put("nl", "x\0y\n", 4)), -1,
	    "NUL in list line -> -1");
	is_int(control_readlist(&b, put("nlc", "#x\0y\nz\n", 7)), 1,
	    "NUL in a comment is fine");
	is_mem(b.p, b.len, "z", 2, "after NUL comment");
	{
		size_t n = (1 << 20) + 10;
		char *big = malloc(n);

		memset(big, 'a', n);
		is_int(control_readlist(&b, put("big", big, n)), -1,
		    "list over 1 MiB -> -1");
		is_int(errno, EMSGSIZE, "EMSGSIZE");
		free(big);
	}
	buf_free(&b);
}

static void
test_readfile(void)
{
	struct buf b = BUF_INIT(1 << 20);
	static const char f[] = "# kept\n\nline \r\n\0bin";

	is_int(control_readfile(&b, put("raw", f, sizeof f - 1), 100), 1,
	    "readfile");
	is_mem(b.p, b.len, f, sizeof f - 1, "readfile unchanged");
	is_int(control_readfile(&b, put("raw", f, sizeof f - 1), 5), -1,
	    "readfile over max");
	is_int(errno, EMSGSIZE, "readfile over max -> EMSGSIZE");
	is_int(control_readfile(&b, put("raw", f, sizeof f - 1), sizeof f - 1),
	    1, "readfile exactly max");
	is_int(control_readfile(&b, at("nofile"), 100), 0, "readfile missing");
	is_int(b.len, 0, "readfile missing -> empty");
	buf_free(&b);
}

int
main(void)
{
	snprintf(dir, sizeof dir, "/tmp/control_test.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_path();
	test_readline();
	test_ulong();
	test_list();
	test_readfile();
	{
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	done_testing();
}
