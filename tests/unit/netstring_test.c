/* netstring_test.c: lib/netstring: a table of good, incomplete and
 * hostile records (leading zeros, too many digits, lengths over max, no
 * ',' or ':', NUL and 8-bit bytes), a byte-at-a-time feed through a
 * malloc'd buffer of exactly the bytes so far, and netstring_put. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "netstring.h"
#include "tap.h"

#define OK   NETSTRING_OK
#define MORE NETSTRING_MORE
#define SYN  NETSTRING_SYNTAX
#define LONG NETSTRING_TOOLONG

static const struct {
	const char *in;
	size_t len, max;
	enum netstring_res res;
	size_t off, plen, used;
} cases[] = {
    {"3:abc,", 6, 8192, OK, 2, 3, 6},
    {"0:,", 3, 8192, OK, 2, 0, 3},
    {"3:abc,rest", 10, 8192, OK, 2, 3, 6},
    {"3:a\0c,", 6, 8192, OK, 2, 3, 6},
    {"3:\xff,:,", 6, 8192, OK, 2, 3, 6},
    {"10:0123456789,", 14, 10, OK, 3, 10, 14},
    {"8192:", 5, 8192, MORE, 0, 0, 0},
    {"3:ab", 4, 8192, MORE, 0, 0, 0},
    {"3:abc", 5, 8192, MORE, 0, 0, 0},
    {"12", 2, 8192, MORE, 0, 0, 0},
    {"0", 1, 8192, MORE, 0, 0, 0},
    {"", 0, 8192, MORE, 0, 0, 0},
    {"3:abcd", 6, 8192, SYN, 0, 0, 0},
    {"03:abc,", 7, 8192, SYN, 0, 0, 0},
    {"00", 2, 8192, SYN, 0, 0, 0},
    {":abc,", 5, 8192, SYN, 0, 0, 0},
    {"x:", 2, 8192, SYN, 0, 0, 0},
    {"-1:", 3, 8192, SYN, 0, 0, 0},
    {" 3:abc,", 7, 8192, SYN, 0, 0, 0},
    {"3 :abc,", 7, 8192, SYN, 0, 0, 0},
    {"3;abc,", 6, 8192, SYN, 0, 0, 0},
    {"3\0abc,", 6, 8192, SYN, 0, 0, 0},
    {"3:abc\0", 6, 8192, SYN, 0, 0, 0},
    {"8193:", 5, 8192, LONG, 0, 0, 0},
    {"123456", 6, 8192, LONG, 0, 0, 0},
    {"99999", 5, 4096, LONG, 0, 0, 0},
    {"99999:", 6, 8192, LONG, 0, 0, 0},
    {"11:", 3, 10, LONG, 0, 0, 0},
    {"1:a,", 4, 0, LONG, 0, 0, 0},
    {"0:,", 3, 0, OK, 2, 0, 3},
    {"99999999999999999999999999:", 27, SIZE_MAX, LONG, 0, 0, 0},
};

static void
test_table(void)
{
	size_t i, off, plen, used;
	enum netstring_res r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		off = plen = used = 77;
		r = netstring_parse(cases[i].in, cases[i].len, cases[i].max,
		    &off, &plen, &used);
		is_int(r, cases[i].res, cases[i].in);
		if (r == OK)
			ok(off == cases[i].off && plen == cases[i].plen &&
			        used == cases[i].used,
			    "positions");
		else
			ok(off == 77 && plen == 77 && used == 77,
			    "out parameters untouched");
	}
}

/* Two records fed one byte at a time, each prefix in a buffer of exactly
 * its size (ASan sees any read past it): MORE until a record is whole. */
static void
test_bytewise(void)
{
	static const char in[] = "5:hello,0:,";
	size_t i, start = 0, off, plen, used, got = 0;
	enum netstring_res r;
	int bad = 0;

	for (i = 1; i <= sizeof in - 1; i++) {
		size_t n = i - start;
		char *p = malloc(n);

		if (p == NULL)
			return;
		memcpy(p, in + start, n);
		r = netstring_parse(p, n, 8192, &off, &plen, &used);
		free(p);
		if (r == OK) {
			bad += used != n;
			start += used;
			got++;
		} else if (r != MORE)
			bad++;
	}
	is_int(bad, 0, "bytewise: MORE until whole");
	is_int(got, 2, "bytewise: two records");
}

static void
test_put(void)
{
	struct buf b = BUF_INIT(100), small = BUF_INIT(6);
	size_t off, plen, used;
	char big[20];

	ok(netstring_put(&b, "a\0b", 3) == 0, "put");
	is_mem(b.p, b.len, "3:a\0b,", 6, "put form");
	ok(netstring_put(&b, "", 0) == 0, "put empty");
	is_mem(b.p, b.len, "3:a\0b,0:,", 9, "appended");
	memset(big, 'x', sizeof big);
	buf_reset(&b);
	ok(netstring_put(&b, big, sizeof big) == 0 &&
	        netstring_parse(b.p, b.len, 20, &off, &plen, &used) == OK &&
	        off == 3 && plen == 20 && used == b.len,
	    "round trip");
	ok(buf_cats(&small, "x") == 0, "prefix");
	errno = 0;
	ok(netstring_put(&small, "abc", 3) == -1 && errno == EMSGSIZE,
	    "past max");
	is_mem(small.p, small.len, "x", 1, "buffer unchanged");
	ok(netstring_put(&small, "ab", 2) == 0, "exactly max");
	is_mem(small.p, small.len, "x2:ab,", 6, "fits");
	buf_free(&b);
	buf_free(&small);
}

int
main(void)
{
	test_table();
	test_bytewise();
	test_put();
	done_testing();
}
