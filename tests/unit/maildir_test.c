/* maildir_test: unique names, size tags, delivery into new/ and cur/,
 * maildirsize quota parsing, usage sums and recalculation (lib/maildir). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "maildir.h"
#include "tap.h"

static void
test_names(void)
{
	char out[256];
	struct buf b = BUF_INIT(256);
	uint64_t sz = 0;

	ok(maildir_uniq(out, sizeof out, 1700000000, 42, 123, 7, "a/b:c") == 0,
	    "uniq ok");
	is_str(out, "1700000000.M42P123Q7.a\\057b\\072c",
	    "uniq form, host escaped");
	ok(maildir_uniq(out, 10, 1700000000, 42, 123, 7, "host") < 0,
	    "uniq too long refused");
	ok(maildir_sizename(&b, "X", 100, 105) == 0 && buf_cstr(&b) == 0,
	    "sizename");
	is_str((char *)b.p, "X,S=100,W=105", "sizename form");
	ok(maildir_name_size("1.M2P3Q4.h,S=1234,W=1300:2,S", 28, &sz) &&
	        sz == 1234,
	    "S= parsed");
	ok(!maildir_name_size("1.M2P3Q4.h:2,S", 14, &sz), "no S= tag");
	ok(!maildir_name_size("x,S=", 4, &sz), "S= without digits");
	buf_free(&b);
}

static const struct {
	const char *in;
	int ok;
	unsigned long long bytes, count;
} quotas[] = {
    {"1000S", 0, 1000, 0},
    {"1000S,10C", 0, 1000, 10},
    {"10C,1000S", 0, 1000, 10},
    {"10C", 0, 0, 10},
    {"", 0, 0, 0},
    {"1000", -1, 0, 0},
    {"1000X", -1, 0, 0},
    {"1000S,", -1, 0, 0},
    {"S", -1, 0, 0},
    {"1000S 10C", -1, 0, 0},
    {"99999999999999999999999S", -1, 0, 0},
};

static void
test_quota_parse(void)
{
	struct maildir_quota q;
	struct maildir_usage u;
	struct buf b = BUF_INIT(100);
	size_t i;
	const char *f = "1000S,5C\n100 1\n  200 2 \n-50 -1\n\n";

	for (i = 0; i < sizeof quotas / sizeof quotas[0]; i++) {
		int r =
		    maildir_quota_parse(quotas[i].in, strlen(quotas[i].in), &q);
		is_int(r, quotas[i].ok, quotas[i].in);
		if (r == 0)
			ok(q.bytes == quotas[i].bytes &&
			        q.count == quotas[i].count,
			    "quota values");
	}
	q.bytes = 5000;
	q.count = 0;
	ok(maildir_quota_fmt(&b, &q) == 0 && b.len == 5 &&
	        memcmp(b.p, "5000S", 5) == 0,
	    "fmt bytes only");
	ok(maildir_size_parse(f, strlen(f), &q, &u) == 0, "maildirsize parse");
	is_int(u.bytes, 250, "usage bytes summed");
	is_int(u.count, 2, "usage count summed");
	is_int(u.lines, 3, "usage lines");
	ok(maildir_size_parse("1000S\n12 x\n", 11, &q, &u) < 0,
	    "bad usage line");
	ok(maildir_size_parse(
	       "1000S\n9223372036854775807 1\n1 1\n", 32, &q, &u) < 0,
	    "overflow refused");
	q.bytes = 1000;
	q.count = 0;
	u.bytes = 900;
	u.count = 3;
	ok(!maildir_over_quota(&q, &u, 100), "exactly at quota is fine");
	ok(maildir_over_quota(&q, &u, 101), "over by one byte");
	q.count = 3;
	ok(maildir_over_quota(&q, &u, 1), "count quota");
	buf_free(&b);
}

static int
count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
test_deliver(void)
{
	char dir[] = "/tmp/maildir_test.XXXXXX", md[512], p[700];
	static struct maildir_tmp t;
	struct buf name = BUF_INIT(300);
	struct maildir_quota q;
	struct maildir_usage u;
	struct stat st;
	uint64_t sz;

	ok(mkdtemp(dir) != NULL, "tmpdir");
	snprintf(md, sizeof md, "%s/a/b/Maildir", dir);
	ok(!maildir_exists(md), "not yet a maildir");
	ok(maildir_create(md, true) == 0 && maildir_exists(md), "create -p");
	ok(maildir_create(md, false) == 0, "create again is fine");
	ok(maildir_open_tmp(&t, md) == 0, "open tmp");
	ok(maildir_write(&t, "a\nb\n", 4) == 0, "write");
	ok(maildir_commit(&t, "new", NULL, &name) == 0 && buf_cstr(&name) == 0,
	    "commit");
	ok(strstr((char *)name.p, ",S=4,W=6") != NULL, "name has S= and W=");
	snprintf(p, sizeof p, "%s/new/%s", md, (char *)name.p);
	ok(stat(p, &st) == 0 && st.st_size == 4, "file in new/ with size");
	snprintf(p, sizeof p, "%s/tmp", md);
	is_int(count_dir(p), 0, "tmp/ empty after commit");
	ok(maildir_open_tmp(&t, md) == 0 && maildir_write(&t, "xyz", 3) == 0,
	    "second tmp");
	ok(maildir_commit(&t, "cur", ":2,S", &name) == 0 &&
	        buf_cstr(&name) == 0,
	    "commit to cur");
	ok(strstr((char *)name.p, ",S=3,W=3:2,S") != NULL, "cur name has info");
	ok(maildir_open_tmp(&t, md) == 0, "third tmp");
	maildir_abort(&t);
	is_int(count_dir(p), 0, "abort leaves tmp/ empty");
	snprintf(p, sizeof p, "%s/.Sent", md);
	ok(maildir_create(p, false) == 0, "folder");
	ok(maildir_open_tmp(&t, p) == 0 && maildir_write(&t, "12345", 5) == 0 &&
	        maildir_commit(&t, "new", NULL, NULL) == 0,
	    "deliver to folder");
	q.bytes = 100;
	q.count = 0;
	ok(maildir_size_recalc(md, &q, &u) == 0, "recalc");
	is_int(u.bytes, 12, "recalc bytes over folders");
	is_int(u.count, 3, "recalc count");
	ok(maildir_size_add(md, 10, 1) == 0, "add line");
	is_int(maildir_size_read(md, &q, &u), 1, "read back");
	ok(q.bytes == 100 && u.bytes == 22 && u.count == 4, "read sums");
	snprintf(p, sizeof p, "%s/maildirsize", md);
	{
		int fd = open(p, O_WRONLY | O_APPEND);
		char big[6000];
		memset(big, ' ', sizeof big);
		big[sizeof big - 1] = '\n';
		ok(fd >= 0 && write(fd, big, sizeof big) == (ssize_t)sizeof big,
		    "grow maildirsize");
		close(fd);
	}
	is_int(maildir_size_read(md, &q, &u), 2, "big file: recalc wanted");
	ok(q.bytes == 100, "quota line still read");
	ok(maildir_size_read(dir, &q, &u) == 0, "no maildirsize");
	sz = 0;
	(void)sz;
	buf_free(&name);
	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	ok(system(p) == 0, "cleanup");
}

int
main(void)
{
	test_names();
	test_quota_parse();
	test_deliver();
	done_testing();
}
