/* cdbx_test.c: lib/cdbx.c over a CDB written here with libcdb's
 * cdb_make: found, not found, binary keys, empty values, missing and
 * corrupt files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cdb.h>
#include "buf.h"
#include "cdbx.h"
#include "tap.h"

static char dir[64];
static char path[256];

static const struct {
	const char *k;
	size_t kl;
	const char *v;
	size_t vl;
} recs[] = {
    {"alpha", 5, "one", 3},
    {"beta", 4, "", 0},
    {"bin\0key", 7, "v\0x", 3},
    {"dup", 3, "first", 5},
    {"dup", 3, "second", 6},
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
		if (cdb_make_add(&m, recs[i].k, (unsigned)recs[i].kl, recs[i].v,
		        (unsigned)recs[i].vl) < 0)
			return -1;
	if (cdb_make_finish(&m) < 0 || close(fd) < 0)
		return -1;
	return 0;
}

int
main(void)
{
	struct cdbx d;
	struct buf v = BUF_INIT(1024);
	int fd;

	snprintf(dir, sizeof dir, "/tmp/cdbx_test.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/t.cdb", dir);
	ok(make_cdb(path) == 0, "cdb_make wrote a test CDB");

	ok(cdbx_open(&d, path) == 0, "cdbx_open");
	is_int(cdbx_get(&d, "alpha", 5, &v), 1, "alpha found");
	is_mem(v.p, v.len, "one", 3, "alpha value");
	is_int(cdbx_get(&d, "beta", 4, &v), 1, "beta found");
	is_int(v.len, 0, "empty value replaces the old one");
	is_int(cdbx_get(&d, "bin\0key", 7, &v), 1, "binary key found");
	is_mem(v.p, v.len, "v\0x", 3, "binary value");
	is_int(cdbx_get(&d, "bin", 3, &v), 0, "key prefix is not a match");
	is_int(cdbx_get(&d, "Alpha", 5, &v), 0, "lookups are exact (case)");
	is_int(cdbx_get(&d, "", 0, &v), 0, "empty key not found");
	is_int(cdbx_get(&d, "alpha", 5, NULL), 1, "found without value");
	is_int(cdbx_get(&d, "dup", 3, &v), 1, "duplicate key");
	is_mem(v.p, v.len, "first", 5, "first record of a duplicate key");
	{
		struct buf small = BUF_INIT(2);

		is_int(cdbx_get(&d, "alpha", 5, &small), -1,
		    "value larger than buffer -> -1");
		is_int(errno, EMSGSIZE, "EMSGSIZE");
		buf_free(&small);
	}
	cdbx_close(&d);
	cdbx_close(&d);
	ok(1, "cdbx_close twice is safe");
	is_int(cdbx_get(&d, "alpha", 5, &v), -1, "get after close -> -1");

	is_int(cdbx_lookup(path, "alpha", 5, &v), 1, "cdbx_lookup found");
	is_mem(v.p, v.len, "one", 3, "cdbx_lookup value");
	is_int(cdbx_lookup(path, "nope", 4, &v), 0, "cdbx_lookup not found");

	snprintf(path, sizeof path, "%s/missing.cdb", dir);
	is_int(cdbx_open(&d, path), -1, "missing file -> -1");
	is_int(errno, ENOENT, "missing file -> ENOENT");
	is_int(d.fd, -1, "fd -1 after failed open");
	cdbx_close(&d);
	is_int(cdbx_lookup(path, "a", 1, &v), -1, "lookup missing -> -1");
	is_int(errno, ENOENT, "lookup missing -> ENOENT");

	snprintf(path, sizeof path, "%s/short.cdb", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "junk", 4) != 4 || close(fd) < 0)
		return 1;
	is_int(cdbx_open(&d, path), -1, "too short to be a CDB -> -1");
	is_int(cdbx_open(&d, dir), -1, "directory -> -1");

	buf_free(&v);
	{
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	done_testing();
}
