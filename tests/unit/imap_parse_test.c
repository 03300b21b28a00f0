/* imap_parse_test.c: imapd/parse.c, seqset.c and date.c: tables of
 * commands, a byte-at-a-time feed (every prefix is P_MORE or the same
 * result), and the hostile set: overlong, bare CR/LF, NUL, nesting. */
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "../../imapd/imapd.h"

static struct arg_arena ar;

static enum pres
parse(const char *in, size_t len, size_t *nargs)
{
	static unsigned char b[200000];
	struct imap_arg *t, *n, *a;

	memcpy(b, in, len);
	return parse_command(b, len, &ar, &t, &n, &a, nargs);
}

struct pcase {
	const char *in;
	enum pres want;
	size_t nargs;
};

static const struct pcase cases[] = {
    {"a NOOP\r\n", P_OK, 0},
    {"a NOOP\n", P_OK, 0},
    {"a LOGIN joe \"pass word\"\r\n", P_OK, 2},
    {"a LOGIN joe {4}\r\nab\"c\r\n", P_OK, 2},
    {"a LOGIN joe {4+}\r\nab\"c\r\n", P_OK, 2},
    {"a FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (A B)]<0.10>)\r\n", P_OK, 2},
    {"a SEARCH (OR 1 2) NOT (3)\r\n", P_OK, 3},
    {"a STORE 1 +FLAGS (\\Seen $Junk)\r\n", P_OK, 3},
    {"a LIST \"\" %\r\n", P_OK, 2},
    {"a SELECT NIL\r\n", P_OK, 1},
    {"a NOOP", P_MORE, 0},
    {"a LOGIN joe {10}\r\nabc", P_MORE, 0},
    {"a LOGIN \"joe\r\n", P_SYNTAX, 0},
    {"a LOGIN \"jo\\xe\"\r\n", P_SYNTAX, 0},
    {"a  NOOP\r\n", P_SYNTAX, 0},
    {"a NOOP \r\n", P_SYNTAX, 0},
    {"+ NOOP\r\n", P_SYNTAX, 0},
    {"a FETCH 1 (FLAGS\r\n", P_SYNTAX, 0},
    {"a FETCH 1 FLAGS)\r\n", P_SYNTAX, 0},
    {"a LIST x \"y\"z\r\n", P_SYNTAX, 0},
    {"a NOOP\rx\n", P_SYNTAX, 0},
    {"a X {99999999999}\r\n", P_TOOLONG, 0},
    {"\r\n", P_SYNTAX, 0},
};

static void
test_table(void)
{
	size_t i, n;
	char name[64];

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum pres r = parse(cases[i].in, strlen(cases[i].in), &n);
		snprintf(name, sizeof name, "command table entry %zu", i);
		is_int(r, cases[i].want, name);
		if (r == P_OK)
			is_int(n, cases[i].nargs, "argument count");
	}
}

/* Every strict prefix of a complete command is P_MORE or P_SYNTAX
 * never P_OK; the whole is P_OK. */
static void
test_bytewise(void)
{
	static const char *in[] = {
	    "a LOGIN joe {4}\r\nab\"c\r\n",
	    "t FETCH 1:3,5 (UID BODY[1.HEADER.FIELDS.NOT (X Y)]<5.6>)\r\n",
	    ("x APPEND INBOX (\\Seen) \" 1-Feb-2021 10:00:00 +0000\" "
	     "{3+}\r\nabc\r\n"),
	};
	size_t i, k, n;
	int bad;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		size_t len = strlen(in[i]);
		bad = 0;
		for (k = 0; k < len; k++)
			if (parse(in[i], k, &n) == P_OK)
				bad++;
		ok(bad == 0, "no prefix parses as complete");
		is_int(parse(in[i], len, &n), P_OK, "whole command");
	}
}

static void
test_hostile(void)
{
	char *b = malloc(100000);
	size_t n, i;

	memcpy(b, "a FETCH ", 8);
	for (i = 0; i < 40; i++)
		b[8 + i] = '(';
	for (i = 0; i < 40; i++)
		b[48 + i] = ')';
	memcpy(b + 88, "\r\n", 2);
	is_int(parse(b, 90, &n), P_TOOLONG, "nesting 40 refused");
	memcpy(b, "a X", 3);
	for (i = 0; i < 5000; i++)
		memcpy(b + 3 + 2 * i, " x", 2);
	memcpy(b + 10003, "\r\n", 2);
	is_int(parse(b, 10005, &n), P_TOOLONG, "5000 arguments refused");
	is_int(parse("a LOGIN a\0b c\r\n", 15, &n), P_SYNTAX, "NUL in an atom");
	is_int(parse("a LOGIN \"a\0b\" c\r\n", 17, &n), P_SYNTAX,
	    "NUL in a quoted string");
	is_int(parse("a LOGIN {3}\r\na\0b c\r\n", 20, &n), P_OK,
	    "NUL inside a literal is data");
	for (i = 0; i < 256; i++) {
		char c[16] = "a NOOP x\r\n";
		c[7] = (char)i;
		(void)parse(c, 10, &n); /* must not crash */
	}
	ok(1, "every byte value in an atom");
	free(b);
}

static void
test_literal_tail(void)
{
	unsigned long long n;
	bool plus;

	ok(parse_literal_tail(
	       (const unsigned char *)"a X {12}\r\n", 10, &n, &plus) &&
	        n == 12 && !plus,
	    "literal tail {12}");
	ok(parse_literal_tail(
	       (const unsigned char *)"a X {5+}\n", 9, &n, &plus) &&
	        n == 5 && plus,
	    "literal tail {5+} with bare LF");
	ok(!parse_literal_tail(
	       (const unsigned char *)"a X {}\r\n", 8, &n, &plus),
	    "empty braces are no literal");
	ok(!parse_literal_tail(
	       (const unsigned char *)"a X 5}\r\n", 8, &n, &plus),
	    "no opening brace");
	ok(!parse_literal_tail(
	       (const unsigned char *)"a {99999999999999999999}\r\n", 26, &n,
	       &plus),
	    "overflowing size");
}

static void
test_seqset(void)
{
	struct seqset s;

	is_int(seqset_parse("1:3,7,9:*", 9, 20, &s), 0, "seqset parses");
	ok(seqset_has(&s, 2) && seqset_has(&s, 7) && seqset_has(&s, 20) &&
	        !seqset_has(&s, 5) && !seqset_has(&s, 8),
	    "seqset membership");
	is_int(seqset_parse("5:2", 3, 9, &s), 0, "reversed range");
	ok(seqset_has(&s, 3), "reversed range is normalised");
	is_int(seqset_parse("0", 1, 9, &s), -1, "0 refused");
	is_int(seqset_parse("1,", 2, 9, &s), -1, "trailing comma refused");
	is_int(seqset_parse("1::2", 4, 9, &s), -1, "double colon refused");
	is_int(seqset_parse("4294967296", 10, 9, &s), -1, "overflow refused");
	is_int(seqset_parse("*", 1, 0, &s), 0, "* in an empty folder");
	ok(!seqset_has(&s, 0), "... matches nothing");
	is_int(seqset_parse("*:*", 3, 7, &s), 0, "*:*");
	ok(seqset_has(&s, 7) && !seqset_has(&s, 6), "*:* is only the last");
	is_int(seqset_parse("4294967295", 10, 9, &s), 0, "2^32-1 accepted");
	ok(seqset_has(&s, 4294967295u) && !seqset_has(&s, 9), "... as itself");
	is_int(seqset_parse("4294967295:1", 12, 9, &s), 0, "2^32-1:1");
	ok(seqset_has(&s, 1) && seqset_has(&s, 4294967295u), "... normalised");
	is_int(seqset_parse("99999999999999999999", 20, 9, &s), -1,
	    "20 digits refused");
	is_int(seqset_parse("7:*", 3, 3, &s), 0, "7:* with * = 3");
	ok(seqset_has(&s, 3) && !seqset_has(&s, 2), "... is 3:7 (RFC 3501 9)");
	is_int(seqset_parse("", 0, 3, &s), -1, "empty set refused");
	is_int(seqset_parse("1:", 2, 3, &s), -1, "open range refused");
	is_int(seqset_parse("-1", 2, 3, &s), -1, "negative refused");
}

struct ncase {
	const char *name;
	bool old, create; /* mbox_name_ok, mbox_newname_ok */
};

static const struct ncase names[] = {
    {"Sent", true, true},
    {"a.b", true, true},
    {"~x", true, true},
    {"caf&AOk-", true, true},
    {"&-", true, true},
    {"..", false, false},
    {"a..b", false, false},
    {".hidden", false, false},
    {"a.", false, false},
    {"a/b", false, false},
    {"a\x01b", false, false},
    {"a\x7f", false, false},
    {"&bad", true, false},
    {"&AOk", true, false},
    {"&A-", true, false},
    {"a*b", true, false},
    {"c%", true, false},
    {"caf\xc3\xa9", true, false},
};

static void
test_names(void)
{
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		is_int(
		    mbox_name_ok(names[i].name), names[i].old, names[i].name);
		is_int(mbox_newname_ok(names[i].name), names[i].create,
		    names[i].name);
	}
}

static void
test_dates(void)
{
	struct buf b = BUF_INIT(100);

	is_int(imap_parse_date("1-Feb-2021", 10, false), 1612137600, "date");
	is_int(imap_parse_date("01-Feb-2021 10:00:00 +0100", 26, true),
	    1612170000, "date-time with zone");
	is_int(imap_parse_date(" 1-Feb-2021 10:00:00 +0000", 26, true),
	    1612173600, "date-time with a leading space");
	is_int(imap_parse_date("1-Foo-2021", 10, false), -1, "bad month");
	is_int(imap_parse_date("1-Feb-21", 8, false), -1, "two-digit year");
	is_int(rfc822_parse_date("Mon, 1 Feb 2021 10:00:00 -0100", 30),
	    1612177200, "RFC 5322 date");
	imap_fmt_date(&b, 1612173600);
	buf_cstr(&b);
	is_str((char *)b.p, "01-Feb-2021 10:00:00 +0000", "date formatted");
	buf_free(&b);
}

int
main(void)
{
	test_table();
	test_bytewise();
	test_hostile();
	test_literal_tail();
	test_seqset();
	test_names();
	test_dates();
	done_testing();
}
