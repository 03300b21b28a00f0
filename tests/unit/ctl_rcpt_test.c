/* ctl_rcpt_test: a table written by quail-ctl's cdb_write_table (ctl/
 * cdbio.c) with rcpt.cdb keys is read back by lib/rcptdb's
 * rcptdb_check as lib/rcptdb.h documents, and loads back unchanged. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../ctl/ctl.h"
#include "rcptdb.h"
#include "tap.h"

static const char *const keys[] = {"@local.example", "joe@local.example",
    "joe-*@local.example", "*@catch.example", "@catch.example", "@mbox.example",
    "ann@mbox.example", "ann+*@mbox.example"};

static const struct {
	const char *addr;
	enum rcptdb_res want;
} cases[] = {
    {"joe@local.example", RCPTDB_OK},
    {"JOE@Local.Example", RCPTDB_OK},
    {"joe-list@local.example", RCPTDB_OK},
    {"bob@local.example", RCPTDB_UNKNOWN},
    {"anything@catch.example", RCPTDB_OK},
    {"ann+x@mbox.example", RCPTDB_OK},
    {"ann-x@mbox.example", RCPTDB_UNKNOWN},
    {"bob@backup.example", RCPTDB_UNCHECKED},
};

int
main(void)
{
	char path[] = "/tmp/ctl_rcpt_test.XXXXXX";
	struct table t, back;
	struct cdbx db;
	struct diffcount d;
	size_t i;
	int fd;

	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	table_init(&t);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		table_put(&t, keys[i], strlen(keys[i]), "src", 3, "src");
	ok(table_put(&t, keys[0], strlen(keys[0]), "x", 1, "x") != NULL,
	    "duplicate key refused by the table");
	ok(cdb_write_table(path, &t, 0644) == 0, "cdb_write_table");
	ok(cdbx_open(&db, path) == 0, "cdbx_open");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_int(rcptdb_check(
		           &db, cases[i].addr, strlen(cases[i].addr), NULL),
		    cases[i].want, cases[i].addr);
	cdbx_close(&db);
	table_init(&back);
	is_int(cdb_load_table(path, &back), 1, "cdb_load_table");
	cdb_diff(&t, &back, &d, NULL, NULL);
	ok(back.n == t.n && d.added + d.removed + d.changed == 0,
	    "loads back unchanged");
	table_free(&back);
	table_free(&t);
	unlink(path);
	done_testing();
}
