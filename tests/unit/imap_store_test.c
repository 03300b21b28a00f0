/* imap_store_test.c: imapd/store.c and folder.c: UIDs are assigned once
 * and stay stable, new/ moves to cur/ with \Recent, flags are renames,
 * a sync reports expunges (highest first), new mail and flag changes,
 * and four processes delivering and syncing at once never give one file
 * two UIDs or one UID two files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"
#include "../../imapd/imapd.h"

static char dir[] = "/tmp/quail-store-test.XXXXXX";

static void
put(const char *sub, const char *name)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s/%s", dir, sub, name);
	f = fopen(p, "w");
	fputs("Subject: x\n\nbody\n", f);
	fclose(f);
}

static void
test_basic(void)
{
	struct folder a, b;
	struct sync_report r;
	char p[512];

	put("new", "100.M1P1.h");
	put("cur", "101.M1P1.h:2,S");
	ok(folder_open(&a, dir, "INBOX", false) == 0, "open read-write");
	is_int(a.n, 2, "two messages");
	ok(a.m[0].uid == 1 && a.m[1].uid == 2, "UIDs 1 and 2 in name order");
	ok(a.m[0].flags & FL_RECENT, "new/ message is \\Recent");
	snprintf(p, sizeof p, "%s/new/100.M1P1.h", dir);
	ok(access(p, F_OK) != 0, "moved out of new/");
	ok(folder_setflags(&a, 0, FL_FLAGGED, 0) == 0, "set flags");
	snprintf(p, sizeof p, "%s/cur/100.M1P1.h:2,F", dir);
	ok(access(p, F_OK) == 0, "flags in the name");
	ok(folder_open(&b, dir, "INBOX", false) == 0, "second view");
	ok(b.m[0].uid == 1 && !(b.m[0].flags & FL_RECENT) &&
	        (b.m[0].flags & FL_FLAGGED),
	    "second view: same UID, not recent, flagged");
	put("new", "102.M1P1.h");
	ok(folder_setflags(&b, 1, FL_SEEN | FL_DELETED, 0) == 0,
	    "b: \\Deleted");
	memset(&r, 0, sizeof r);
	ok(folder_expunge(&b, NULL, &r) == 0 && r.nexp == 1 &&
	        r.expunged[0] == 2 && b.n == 2 && b.m[1].uid == 3,
	    "b: expunge reported, new mail got UID 3");
	sync_report_free(&r);
	memset(&a.newm, 0, sizeof a.newm);
	ok(folder_sync(&a, true, &r) == 0 && r.nexp == 1 && r.exists_changed &&
	        a.n == 2 && a.m[1].uid == 3,
	    "a: sees the expunge and the new mail");
	sync_report_free(&r);
	ok(folder_setflags(&b, 0, 0, 0) == 0, "b: clear flags");
	memset(&a.newm, 0, sizeof a.newm);
	ok(folder_sync(&a, true, &r) == 0 && r.nchg == 1 && r.changed[0] == 0,
	    "a: flag change reported");
	sync_report_free(&r);
	ok(folder_setflags(&a, 0, FL_SEEN, 0) == 0,
	    "a: rename follows b's rename");
	folder_close(&a);
	folder_close(&b);
}

static void
test_concurrent(void)
{
	struct folder f;
	char name[64], line[512], base[256];
	unsigned long uid, last = 0;
	int k, i, st, bad = 0, n = 0, fails = 0;
	FILE *u;

	for (k = 0; k < 4; k++) {
		if (fork() == 0) {
			struct folder c;
			if (folder_open(&c, dir, "INBOX", false) < 0)
				_exit(1);
			for (i = 0; i < 50; i++) {
				snprintf(name, sizeof name, "2%02d%03d.M1P%d.h",
				    k, i, k);
				put("new", name);
				memset(&c.newm, 0, sizeof c.newm);
				if (folder_sync(&c, (i & 1) != 0, NULL) < 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (k = 0; k < 4; k++) {
		wait(&st);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fails++;
	}
	is_int(fails, 0, "four syncing writers finished");
	ok(folder_open(&f, dir, "INBOX", false) == 0, "open after the race");
	is_int(f.n, 202, "every file is in the view once");
	folder_close(&f);
	snprintf(line, sizeof line, "%s/quail-uidlist", dir);
	u = fopen(line, "r");
	if (fgets(line, sizeof line, u) == NULL)
		bad++;
	while (fgets(line, sizeof line, u)) {
		if (sscanf(line, "%lu %255s", &uid, base) != 2 || uid <= last)
			bad++;
		last = uid;
		n++;
	}
	fclose(u);
	is_int(n, 202, "202 entries in the uid list");
	is_int(bad, 0, "UIDs strictly ascending, one per file");
}

int
main(void)
{
	char p[600];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(p, sizeof p, "mkdir %s/new %s/cur %s/tmp", dir, dir, dir);
	if (system(p) != 0)
		return 1;
	test_basic();
	test_concurrent();
	snprintf(p, sizeof p, "rm -rf %s", dir);
	if (system(p) != 0)
		return 1;
	done_testing();
}
