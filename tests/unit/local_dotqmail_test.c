/* local_dotqmail_test: dot-qmail line classification, the -default
 * search order, and the |program exit code table (local/dotqmail.c,
 * local/pipe.c). */
#include <string.h>

#include "buf.h"
#include "../../local/local.h"
#include "tap.h"

static const struct {
	const char *line;
	enum dq_kind kind;
	const char *arg;
} lines[] = {
    {"", DQ_SKIP, ""},
    {"   \t", DQ_SKIP, ""},
    {"# a comment", DQ_SKIP, "# a comment"},
    {"#", DQ_SKIP, "#"},
    {"|/usr/bin/filter -x", DQ_PROGRAM, "/usr/bin/filter -x"},
    {"|prog  \t", DQ_PROGRAM, "prog"},
    {"| spaced", DQ_PROGRAM, " spaced"},
    {"./Maildir/", DQ_MAILDIR, "./Maildir/"},
    {"./Maildir/  ", DQ_MAILDIR, "./Maildir/"},
    {"/var/mail/x/", DQ_MAILDIR, "/var/mail/x/"},
    {"./mbox", DQ_MBOX, "./mbox"},
    {"/var/spool/mail/joe", DQ_MBOX, "/var/spool/mail/joe"},
    {".", DQ_MBOX, "."},
    {"&joe@example.com", DQ_FORWARD, "joe@example.com"},
    {"& joe@example.com ", DQ_FORWARD, "joe@example.com"},
    {"joe@example.com", DQ_FORWARD, "joe@example.com"},
    {"&", DQ_SKIP, ""},
    {"joe\r", DQ_FORWARD, "joe"},
};

static void
test_classify(void)
{
	const char *arg;
	size_t i, alen;
	enum dq_kind k;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		k = dq_classify(
		    lines[i].line, strlen(lines[i].line), &arg, &alen);
		is_int(k, lines[i].kind, lines[i].line);
		is_mem(
		    arg, alen, lines[i].arg, strlen(lines[i].arg), "argument");
	}
	/* no NUL is needed: a line inside a bigger buffer */
	k = dq_classify("|abcXYZ", 4, &arg, &alen);
	ok(k == DQ_PROGRAM && alen == 3 && memcmp(arg, "abc", 3) == 0,
	    "bounded by len");
}

static void
check_cands(const char *dash, const char *ext, const char *want)
{
	struct buf b = BUF_INIT(4096);
	size_t i;
	int n = dq_candidates(dash, ext, &b);

	ok(n > 0, "candidates");
	for (i = 0; i < b.len; i++)
		if (b.p[i] == '\0')
			b.p[i] = ' ';
	is_mem(b.p, b.len, want, strlen(want), ext);
	buf_free(&b);
}

static void
test_candidates(void)
{
	check_cands("", "", ".qmail ");
	check_cands("-", "foo", ".qmail-foo .qmail-default ");
	check_cands("-", "foo-bar-baz",
	    ".qmail-foo-bar-baz .qmail-foo-bar-default .qmail-foo-default "
	    ".qmail-default ");
	check_cands("-", "Foo.Bar", ".qmail-foo:bar .qmail-default ");
	check_cands("-", "../x", ".qmail-:::x .qmail-default ");
	check_cands("-", "", ".qmail- .qmail-default ");
	check_cands("-", "a-", ".qmail-a- .qmail-a-default .qmail-default ");
}

static const struct {
	int code, want;
} codes[] = {
    {0, L_OK},
    {99, L_STOP},
    {100, L_PERM},
    {111, L_TEMP},
    {1, L_TEMP},
    {2, L_TEMP},
    {64, L_PERM},
    {65, L_PERM},
    {70, L_PERM},
    {75, L_TEMP},
    {76, L_PERM},
    {77, L_PERM},
    {78, L_PERM},
    {112, L_PERM},
    {255, L_TEMP},
};

int
main(void)
{
	size_t i;

	test_classify();
	test_candidates();
	for (i = 0; i < sizeof codes / sizeof codes[0]; i++)
		is_int(pipe_status(codes[i].code), codes[i].want, "exit code");
	done_testing();
}
