/* rcptdb_test.c: lib/rcptdb.c — exact keys, "pre*@dom" longest first,
 * "@dom" validation, case folding and the edge cases of rcptdb.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cdb.h>
#include "addr.h"
#include "buf.h"
#include "rcptdb.h"
#include "tap.h"

static const char *const recs[][2] = {
    {"@example.com", "locals:1"},
    {"joe@example.com", "mailboxes:3"},
    {"joe-*@example.com", "aliases:7"},
    {"@catchall.org", "virtualdomains:2"},
    {"*@catchall.org", "aliases:9"},
    {"@other.net", "virtualdomains:3"},
    {"a*@other.net", "aliases:10"},
    {"ab*@other.net", "aliases:11"},
    {"abc@other.net", "mailboxes:12"},
    {"known@unchecked.tld", "aliases:13"},
};

static const struct {
	const char *addr;
	enum rcptdb_res res;
	const char *why;
} cases[] = {
    {"joe@example.com", RCPTDB_OK, "mailboxes:3"},
    {"JOE@Example.COM", RCPTDB_OK, "mailboxes:3"},
    {"joe-list@example.com", RCPTDB_OK, "aliases:7"},
    {"joe-@example.com", RCPTDB_OK, "aliases:7"},
    {"Joe-X-Y@EXAMPLE.com", RCPTDB_OK, "aliases:7"},
    {"jo@example.com", RCPTDB_UNKNOWN, NULL},
    {"joex@example.com", RCPTDB_UNKNOWN, NULL},
    {"bob@example.com", RCPTDB_UNKNOWN, NULL},
    {"anything@catchall.org", RCPTDB_OK, "aliases:9"},
    {"abc@other.net", RCPTDB_OK, "mailboxes:12"},
    {"abd@other.net", RCPTDB_OK, "aliases:11"},
    {"ab@other.net", RCPTDB_OK, "aliases:11"},
    {"axe@other.net", RCPTDB_OK, "aliases:10"},
    {"b@other.net", RCPTDB_UNKNOWN, NULL},
    {"x@unchecked.tld", RCPTDB_UNCHECKED, NULL},
    {"known@unchecked.tld", RCPTDB_OK, "aliases:13"},
    {"x@sub.example.com", RCPTDB_UNCHECKED, NULL},
    {"joe", RCPTDB_UNCHECKED, NULL},
    {"", RCPTDB_UNCHECKED, NULL},
    {"@example.com", RCPTDB_UNKNOWN, NULL},
    {"@catchall.org", RCPTDB_UNKNOWN, NULL},
    {"@nowhere", RCPTDB_UNCHECKED, NULL},
    {"x@y@example.com", RCPTDB_UNKNOWN, NULL},
    {"joe@example.com.", RCPTDB_UNCHECKED, NULL},
    {"*@example.com", RCPTDB_UNKNOWN, NULL},
};

static int
make_cdb(const char *p)
{
	struct cdb_make m;
	size_t i;
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || cdb_make_start(&m, fd) < 0)
		return -1;
	for (i = 0; i < sizeof recs / sizeof recs[0]; i++)
		if (cdb_make_add(&m, recs[i][0], (unsigned)strlen(recs[i][0]),
		        recs[i][1], (unsigned)strlen(recs[i][1])) < 0)
			return -1;
	if (cdb_make_finish(&m) < 0 || close(fd) < 0)
		return -1;
	return 0;
}

int
main(void)
{
	char dir[64], path[128], name[256];
	struct cdbx db;
	struct buf why = BUF_INIT(1024);
	size_t i, n;
	char *a;

	snprintf(dir, sizeof dir, "/tmp/rcptdb_test.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/rcpt.cdb", dir);
	ok(make_cdb(path) == 0, "test rcpt.cdb written");
	ok(cdbx_open(&db, path) == 0, "opened");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = strlen(cases[i].addr);
		a = malloc(n ? n : 1); /* exact size: no read past len */
		memcpy(a, cases[i].addr, n);
		buf_reset(&why);
		snprintf(name, sizeof name, "'%s'", cases[i].addr);
		is_int(rcptdb_check(&db, a, n, &why), cases[i].res, name);
		if (cases[i].why)
			is_mem(why.p, why.len, cases[i].why,
			    strlen(cases[i].why), "why");
		is_int(rcptdb_check(&db, a, n, NULL), cases[i].res,
		    "same without why");
		free(a);
	}
	/* the caller's address is not modified (lowercased copy) */
	{
		char up[] = "JOE@EXAMPLE.COM";

		rcptdb_check(&db, up, sizeof up - 1, NULL);
		is_str(up, "JOE@EXAMPLE.COM", "address left unchanged");
	}
	/* overlong: never OK, never a crash */
	{
		char big[2000];

		memset(big, 'a', sizeof big);
		memcpy(big + sizeof big - 12, "@example.com", 12);
		is_int(rcptdb_check(&db, big, sizeof big, &why), RCPTDB_UNKNOWN,
		    "overlong address -> UNKNOWN");
		n = ADDR_MAX;
		memcpy(big + n - 12, "@example.com", 12);
		is_int(rcptdb_check(&db, big, n, &why), RCPTDB_UNKNOWN,
		    "ADDR_MAX-byte address, validated domain -> UNKNOWN");
		memcpy(big + n - 15, "@catchall.org", 13);
		is_int(rcptdb_check(&db, big, n - 2, &why), RCPTDB_OK,
		    "long address under a catch-all -> OK");
	}
	cdbx_close(&db);
	is_int(rcptdb_check(&db, "joe@example.com", 15, &why), RCPTDB_ERROR,
	    "closed table -> ERROR");
	is_int(rcptdb_check(NULL, "joe@example.com", 15, &why), RCPTDB_ERROR,
	    "no table -> ERROR");
	buf_free(&why);
	unlink(path);
	rmdir(dir);
	done_testing();
}
