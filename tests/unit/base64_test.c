/* base64_test.c: lib/base64 (strict RFC 4648 base64): the RFC's test
 * vectors, a table of hostile input (padding, non-canonical bits, white
 * space, base64url, NUL, 8-bit), the cap, decoding in place, every prefix
 * of a valid encoding, and encode/decode round trips of all lengths. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "tap.h"

static const struct {
	const char *in, *out; /* out NULL: refused with EINVAL */
} cases[] = {
    /* RFC 4648 section 10 */
    {"", ""},
    {"Zg==", "f"},
    {"Zm8=", "fo"},
    {"Zm9v", "foo"},
    {"Zm9vYg==", "foob"},
    {"Zm9vYmE=", "fooba"},
    {"Zm9vYmFy", "foobar"},
    {"VXNlcm5hbWU6", "Username:"},
    {"+/+/", "\xfb\xff\xbf"},
    /* length and padding */
    {"Zg=", NULL},
    {"Zg", NULL},
    {"Z", NULL},
    {"Z===", NULL},
    {"====", NULL},
    {"Zm9v====", NULL},
    {"Zg==Zg==", NULL},
    {"Zg==Zm9v", NULL},
    {"Zm=v", NULL},
    {"=Zm9", NULL},
    {"Zm9vZg=a", NULL},
    /* non-canonical pad bits (RFC 4648 3.5) */
    {"Zh==", NULL},
    {"Zm9=", NULL},
    /* garbage: white space, line ends, base64url, NUL, 8-bit */
    {"Zm 9", NULL},
    {"Zm9v\r", NULL},
    {"Zm9v\r\n", NULL},
    {" Zm9v", NULL},
    {"Zm\t9", NULL},
    {"Zm-v", NULL},
    {"Zm_v", NULL},
    {"Zm.v", NULL},
    {"Zm9\x80", NULL},
    {"Zm9\xff", NULL},
};

static void
test_table(void)
{
	unsigned char out[64];
	size_t i, n;
	int r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = 99;
		errno = 0;
		r = base64_decode(
		    cases[i].in, strlen(cases[i].in), out, sizeof out, &n);
		if (cases[i].out == NULL) {
			ok(r == -1 && errno == EINVAL && n == 99, cases[i].in);
			continue;
		}
		is_int(r, 0, cases[i].in);
		is_mem(out, n, cases[i].out, strlen(cases[i].out), cases[i].in);
	}
	/* a NUL inside the input is garbage, not an end */
	ok(base64_decode("Zm\0v", 4, out, sizeof out, &n) == -1, "NUL refused");
	ok(base64_decode("AGpvZQBwdw==", 12, out, sizeof out, &n) == 0,
	    "NULs decoded");
	is_mem(out, n, "\0joe\0pw", 7, "NUL bytes kept");
}

static void
test_bounds(void)
{
	unsigned char out[8];
	size_t n = 0;

	errno = 0;
	is_int(base64_decode("Zm9vYmFy", 8, out, 5, &n), -1, "over cap");
	is_int(errno, EMSGSIZE, "EMSGSIZE");
	is_int(base64_decode("Zm9vYmFy", 8, out, 6, &n), 0, "exactly cap");
	is_int(n, 6, "six bytes");
	is_int(base64_decode("Zg==", 4, out, 0, &n), -1, "cap 0");
	is_int(base64_decode("", 0, NULL, 0, &n), 0, "empty, no buffer");
	is_int(n, 0, "empty length");
}

static void
test_in_place(void)
{
	char s[] = "AGpvZQBzZWNyZXQ=";
	char t[] = "AUTH Zm9vYmFy";
	size_t n = 0;

	is_int(base64_decode(s, 16, s, 16, &n), 0, "in place");
	is_mem(s, n, "\0joe\0secret", 11, "in place result");
	/* the output before the input in one buffer, as quail-pop3d does */
	is_int(base64_decode(t + 5, 8, t, sizeof t, &n), 0, "output before");
	is_mem(t, n, "foobar", 6, "output before result");
}

/* Every proper prefix of a valid encoding is refused unless it is whole
 * quanta without padding; no prefix reads past its length. */
static void
test_prefixes(void)
{
	static const char enc[] = "AGpvZQBzZWNyZXQ=";
	static const char dec[] = "\0joe\0secret";
	unsigned char out[16];
	size_t i, n;
	int r, bad = 0;

	for (i = 0; i < sizeof enc - 1; i++) {
		/* a copy the size of the prefix only: ASan sees over-reads */
		char *one = malloc(i ? i : 1);

		if (one == NULL)
			return;
		memcpy(one, enc, i);
		r = base64_decode(one, i, out, sizeof out, &n);
		free(one);
		if (i % 4 == 0
		        ? r != 0 || n != i / 4 * 3 || memcmp(out, dec, n) != 0
		        : r != -1)
			bad++;
	}
	is_int(bad, 0, "byte-at-a-time prefixes");
}

static void
test_encode(void)
{
	struct buf b = BUF_INIT(64), small = BUF_INIT(3);
	unsigned char in[40], out[40];
	size_t i, n;
	int bad = 0;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (cases[i].out == NULL)
			continue;
		buf_reset(&b);
		if (base64_encode(&b, cases[i].out, strlen(cases[i].out)) < 0 ||
		    b.len != strlen(cases[i].in) ||
		    memcmp(b.p, cases[i].in, b.len) != 0)
			bad++;
	}
	is_int(bad, 0, "encode vectors");
	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 37 + 250);
	for (i = 0, bad = 0; i <= sizeof in; i++) {
		buf_reset(&b);
		if (base64_encode(&b, in, i) < 0 ||
		    base64_decode(b.p, b.len, out, sizeof out, &n) < 0 ||
		    n != i || memcmp(in, out, i) != 0)
			bad++;
	}
	is_int(bad, 0, "round trips 0..40 bytes");
	ok(buf_cats(&small, "x") == 0, "prefix");
	errno = 0;
	ok(base64_encode(&small, "ab", 2) == -1 && errno == EMSGSIZE,
	    "encode past max");
	is_mem(small.p, small.len, "x", 1, "buffer unchanged");
	buf_free(&b);
	buf_free(&small);
}

/* base64_value: exactly the 64 letters of the alphabet, in order. */
static void
test_value(void)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned c;
	int bad = 0;

	for (c = 0; c < 256; c++) {
		const char *k = c ? memchr(a, (int)c, 64) : NULL;
		int v = base64_value((unsigned char)c);

		if (k ? v != k - a : v != -1)
			bad++;
	}
	is_int(bad, 0, "base64_value over all bytes");
}

int
main(void)
{
	test_value();
	test_table();
	test_bounds();
	test_in_place();
	test_prefixes();
	test_encode();
	done_testing();
}
