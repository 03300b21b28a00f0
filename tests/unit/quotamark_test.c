/* quotamark_test: over-quota marker names (lowercased, hostile names
 * refused), paths, set/refresh/clear/age in a temporary home, and the
 * freshness rule (lib/quotamark). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "quotamark.h"
#include "tap.h"

static const struct {
	const char *in;
	size_t len;       /* 0: strlen(in) */
	const char *want; /* NULL: refused */
} names[] = {
    {"joe@example.com", 0, "joe@example.com"},
    {"Joe.Doe@Example.COM", 0, "joe.doe@example.com"},
    {"joe-ext+x@b.test", 0, "joe-ext+x@b.test"},
    {"\"a b\"@b.test", 0, "\"a b\"@b.test"},
    {"j\xc3\xb6rg@b.test", 0, "j\xc3\xb6rg@b.test"},
    {"nodomain", 0, "nodomain"},
    {"", 0, NULL},
    {".hidden@b.test", 0, NULL},
    {".", 0, NULL},
    {"..", 0, NULL},
    {"../etc@b.test", 0, NULL},
    {"a/b@b.test", 0, NULL},
    {"joe@b.test/", 0, NULL},
    {"/etc/passwd", 0, NULL},
    {"a\nb@b.test", 0, NULL},
    {"a\rb@b.test", 0, NULL},
    {"a\tb@b.test", 0, NULL},
    {"a\x7f@b.test", 0, NULL},
    {"a\0b@b.test", 10, NULL},
};

static void
test_names(void)
{
	char out[QUOTAMARK_NAME_MAX + 1], big[300];
	size_t i, len;
	int r;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		len = names[i].len ? names[i].len : strlen(names[i].in);
		errno = 0;
		r = quotamark_name(out, sizeof out, names[i].in, len);
		if (names[i].want) {
			ok(r == 0, "name accepted");
			is_str(
			    out, names[i].want, "name lowercased as expected");
		} else {
			ok(r < 0 && errno == EINVAL, "hostile name refused");
		}
	}
	memset(big, 'a', sizeof big);
	ok(quotamark_name(out, sizeof out, big, QUOTAMARK_NAME_MAX) == 0,
	    "255-byte name accepted");
	ok(quotamark_name(out, sizeof out, big, QUOTAMARK_NAME_MAX + 1) < 0 &&
	        errno == EINVAL,
	    "256-byte name refused");
	ok(quotamark_name(out, 4, "joe@b", 5) < 0 && errno == ENAMETOOLONG,
	    "small output refused");
	ok(quotamark_path(big, sizeof big, "/var/quail", "Joe@B.test", 10) == 0,
	    "path");
	is_str(big, "/var/quail/quota/joe@b.test", "path form");
	ok(quotamark_path(big, 20, "/var/quail", "joe@b.test", 10) < 0 &&
	        errno == ENAMETOOLONG,
	    "path too long refused");
}

static void
test_fresh(void)
{
	ok(quotamark_fresh(0, 900), "age 0 fresh");
	ok(quotamark_fresh(899, 900), "age 899 fresh");
	ok(!quotamark_fresh(900, 900), "age 900 stale");
	ok(!quotamark_fresh(100000, 900), "old stale");
	ok(quotamark_fresh(-(QUOTAMARK_SKEW - 1), 900), "slightly ahead fresh");
	ok(!quotamark_fresh(-QUOTAMARK_SKEW, 900), "far in the future ignored");
	ok(!quotamark_fresh(0, 0), "maxage 0 disables");
}

static void
test_files(void)
{
	char home[] = "/tmp/quotamark-test.XXXXXX", p[512];
	struct timespec ts[2];
	long long age = -1;
	time_t now = time(NULL);

	if (mkdtemp(home) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	is_int(quotamark_age(home, "joe@b.test", 10, now, &age), 0,
	    "no quota dir: no marker");
	ok(quotamark_clear(home, "joe@b.test", 10) == 0,
	    "clear without quota dir succeeds");
	ok(quotamark_set(home, "joe@b.test", 10) < 0,
	    "set without quota dir fails");
	snprintf(p, sizeof p, "%s/quota", home);
	mkdir(p, 0755);
	is_int(
	    quotamark_age(home, "joe@b.test", 10, now, &age), 0, "no marker");
	ok(quotamark_set(home, "Joe@B.test", 10) == 0, "set");
	snprintf(p, sizeof p, "%s/quota/joe@b.test", home);
	ok(access(p, F_OK) == 0, "marker file is lowercased");
	is_int(quotamark_age(home, "JOE@b.test", 10, time(NULL), &age), 1,
	    "marker found case-insensitively");
	ok(age >= 0 && age < 5, "fresh marker age ~0");
	ts[0].tv_sec = ts[1].tv_sec = now - 1000;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, p, ts, 0);
	quotamark_age(home, "joe@b.test", 10, now, &age);
	is_int((int)age, 1000, "backdated marker age");
	ok(!quotamark_fresh(age, 900), "backdated marker stale");
	ok(quotamark_set(home, "joe@b.test", 10) == 0, "refresh");
	quotamark_age(home, "joe@b.test", 10, time(NULL), &age);
	ok(age >= 0 && age < 5, "refresh sets mtime to now");
	is_int(quotamark_age(home, "../quota/joe@b.test", 19, now, &age), 0,
	    "hostile name never looked up");
	ok(quotamark_set(home, "../x", 4) < 0 && errno == EINVAL,
	    "hostile name never created");
	ok(quotamark_clear(home, "joe@b.test", 10) == 0, "clear");
	ok(access(p, F_OK) < 0 && errno == ENOENT, "marker removed");
	ok(quotamark_clear(home, "joe@b.test", 10) == 0, "clear again: ok");
	/* a symlink planted as a marker is neither followed nor counted */
	ok(symlink("/etc/passwd", p) == 0, "plant a symlink");
	is_int(quotamark_age(home, "joe@b.test", 10, now, &age), 0,
	    "symlink is no marker");
	ok(quotamark_set(home, "joe@b.test", 10) < 0, "set refuses a symlink");
	unlink(p);
	snprintf(p, sizeof p, "%s/quota", home);
	rmdir(p);
	rmdir(home);
}

int
main(void)
{
	test_names();
	test_fresh();
	test_files();
	done_testing();
}
