/* addr_test.c: lib/addr.c — RFC 5321 paths, RFC 5322 lists, quoting.
 * Every input is copied into a buffer of exactly its length, so a read
 * past len shows up under make SAN=1. */
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "buf.h"
#include "tap.h"

#define FULL ((size_t)-1)

struct pcase {
	const char *in;
	size_t inlen; /* 0: strlen(in) */
	enum addr_res res;
	const char *out;
	unsigned flags;
	size_t used; /* FULL: the whole input */
};

#define F_NB ADDR_F_NOBRACK
static const struct pcase pcases[] = {
    {"<a@b.c>", 0, ADDR_OK, "a@b.c", 0, FULL},
    {"<>", 0, ADDR_OK, "", ADDR_F_NULL, FULL},
    {"a@b.c", 0, ADDR_OK, "a@b.c", F_NB, FULL},
    {"<postmaster>", 0, ADDR_OK, "postmaster", ADDR_F_NODOM, FULL},
    {"postmaster", 0, ADDR_OK, "postmaster", ADDR_F_NODOM | F_NB, FULL},
    {"<Joe@Example.COM>", 0, ADDR_OK, "Joe@Example.COM", 0, FULL},
    {"<@a,@b:c@d>", 0, ADDR_OK, "c@d", ADDR_F_ROUTE, FULL},
    {"<@a:b@c>", 0, ADDR_OK, "b@c", ADDR_F_ROUTE, FULL},
    {"<@a,@[1.2.3.4]:b@c>", 0, ADDR_OK, "b@c", ADDR_F_ROUTE, FULL},
    {"@a:b@c", 0, ADDR_OK, "b@c", ADDR_F_ROUTE | F_NB, FULL},
    {"<\"x@y\"@z>", 0, ADDR_OK, "x@y@z", ADDR_F_QUOTED | ADDR_F_ATLOCAL, FULL},
    {"<a%b@c>", 0, ADDR_OK, "a%b@c", ADDR_F_PERCENT, FULL},
    {"<a!b@c>", 0, ADDR_OK, "a!b@c", ADDR_F_BANG, FULL},
    {"<a+tag@b>", 0, ADDR_OK, "a+tag@b", 0, FULL},
    {"<a@[1.2.3.4]>", 0, ADDR_OK, "a@[1.2.3.4]", ADDR_F_LITERAL, FULL},
    {"<a@[IPv6:::1]>", 0, ADDR_OK, "a@[IPv6:::1]", ADDR_F_LITERAL, FULL},
    {"<a@[ipv6:2001:db8::1]>", 0, ADDR_OK, "a@[ipv6:2001:db8::1]",
        ADDR_F_LITERAL, FULL},
    {"<a@[IPv6:::ffff:1.2.3.4]>", 0, ADDR_OK, "a@[IPv6:::ffff:1.2.3.4]",
        ADDR_F_LITERAL, FULL},
    {"<\"a b\"@c>", 0, ADDR_OK, "a b@c", ADDR_F_QUOTED, FULL},
    {"<\"a\\\"b\"@c>", 0, ADDR_OK, "a\"b@c", ADDR_F_QUOTED, FULL},
    {"<\"x\"@y>", 0, ADDR_OK, "x@y", ADDR_F_QUOTED, FULL},
    {"<a..b@c>", 0, ADDR_OK, "a..b@c", 0, FULL},
    {"<.a.@c>", 0, ADDR_OK, ".a.@c", 0, FULL},
    {"<j\xc3\xb6rg@example.com>", 0, ADDR_OK, "j\xc3\xb6rg@example.com",
        ADDR_F_UTF8, FULL},
    {"<a@b\xc3\xbc"
     "cher.de>",
        0, ADDR_OK,
        "a@b\xc3\xbc"
        "cher.de",
        ADDR_F_UTF8, FULL},
    {"<a@b> SIZE=100", 0, ADDR_OK, "a@b", 0, 5},
    {" <a@b>", 0, ADDR_OK, "a@b", 0, FULL},
    {"<a@b>x", 0, ADDR_OK, "a@b", 0, 5},
    {"<a@b>>", 0, ADDR_OK, "a@b", 0, 5},
    {"a@b c", 0, ADDR_OK, "a@b", F_NB, 3},
    {"<a@0.0.0.0>", 0, ADDR_OK, "a@0.0.0.0", 0, FULL},
    /* refused */
    {"<[1.2.3.4]>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@[IPv6:zz]>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@[IPv6:1.2.3.4]>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@[1.2.3.256]>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@[1.2.3]>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@[1.2.3.4.5]>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@[x:y]>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@[]>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@[1.2.3.4]x>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"a@b>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b x>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"< a@b>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a b@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"unterminated@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"\"@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"a\"b@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"a\tb\"@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"a\\\r\"@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"a\\", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<@a:>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<@a>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<@a,b:c@d>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<@a,:c@d>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<@-a:c@d>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@-b.c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b-.c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b..c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b.c.>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@.b>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b_c.d>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<@>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b,c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<<a@b>>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"   ", 0, ADDR_SYNTAX, NULL, 0, 0},
    {">", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a\0b@c>", 7, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"a\0b\"@c>", 9, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b\0>", 6, ADDR_SYNTAX, NULL, 0, 0},
    {"\0<a@b>", 6, ADDR_SYNTAX, NULL, 0, 0},
    {"<a\r\n@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b\r\n>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b.c\t>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<a@b\xff>", 0, ADDR_OK, "a@b\xff", ADDR_F_UTF8, FULL},
    {"<\xff\xfe@b>", 0, ADDR_OK, "\xff\xfe@b", ADDR_F_UTF8, FULL},
    {"<a(b)@c>", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"x@y\">", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"x@-\">", 0, ADDR_SYNTAX, NULL, 0, 0},
    {"<\"joe\">", 0, ADDR_OK, "joe", ADDR_F_QUOTED | ADDR_F_NODOM, FULL},
    {"<a@b;c>", 0, ADDR_SYNTAX, NULL, 0, 0},
};

static char *
dupmem(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (!p)
		abort();
	memcpy(p, s, n);
	return p;
}

/* name for TAP: s with control and 8-bit bytes as \xNN, bounded */
static const char *
esc(const char *s, size_t n)
{
	static char b[200];
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < sizeof b; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 32 || c >= 127)
			o +=
			    (size_t)snprintf(b + o, sizeof b - o, "\\x%02x", c);
		else
			b[o++] = (char)c;
	}
	b[o] = 0;
	return b;
}

static enum addr_res
parse(const char *s, size_t n, struct buf *out, size_t *used, unsigned *fl)
{
	char *p = dupmem(s, n);
	enum addr_res r = addr_parse_path(p, n, out, used, fl);

	free(p);
	return r;
}

static void
test_table(void)
{
	struct buf out = BUF_INIT(4096);
	size_t i, n, used, want;
	unsigned fl;
	enum addr_res r;
	char name[256];

	for (i = 0; i < sizeof pcases / sizeof pcases[0]; i++) {
		const struct pcase *c = &pcases[i];

		n = c->inlen ? c->inlen : strlen(c->in);
		used = 12345;
		fl = 0xffff;
		r = parse(c->in, n, &out, &used, &fl);
		snprintf(name, sizeof name, "path %zu: '%s' result", i,
		    esc(c->in, n));
		is_int(r, c->res, name);
		if (c->res != ADDR_OK || r != ADDR_OK)
			continue;
		want = c->used == FULL ? n : c->used;
		snprintf(name, sizeof name, "path %zu: out", i);
		is_mem(out.p, out.len, c->out, strlen(c->out), name);
		ok(out.p[out.len] == 0, "out is NUL-terminated");
		snprintf(name, sizeof name, "path %zu: flags", i);
		is_int(fl, c->flags, name);
		snprintf(name, sizeof name, "path %zu: used", i);
		is_int(used, want, name);
	}
	buf_free(&out);
}

/* Every prefix of a valid input is SYNTAX or OK, and never read past. */
static void
test_truncation(void)
{
	struct buf out = BUF_INIT(4096);
	size_t i, k, n, used, bad = 0, count = 0;
	unsigned fl;
	enum addr_res r;

	for (i = 0; i < sizeof pcases / sizeof pcases[0]; i++) {
		if (pcases[i].res != ADDR_OK)
			continue;
		n = pcases[i].inlen ? pcases[i].inlen : strlen(pcases[i].in);
		for (k = 0; k <= n; k++) {
			r = parse(pcases[i].in, k, &out, &used, &fl);
			count++;
			if ((r != ADDR_OK && r != ADDR_SYNTAX) ||
			    (r == ADDR_OK && used > k)) {
				bad++;
				diag("prefix %zu of '%s': %d", k, pcases[i].in,
				    r);
			}
		}
	}
	ok(bad == 0 && count > 100, "every prefix of valid paths: OK/SYNTAX");
	buf_free(&out);
}

static void
test_lengths(void)
{
	struct buf out = BUF_INIT(4096);
	char big[4000];
	size_t used, n;
	unsigned fl;

	/* local part of 896 + "@b.c" = 900 bytes: the limit itself */
	big[0] = '<';
	memset(big + 1, 'a', 896);
	memcpy(big + 897, "@b.c>", 5);
	n = 902;
	is_int(parse(big, n, &out, &used, &fl), ADDR_OK, "900 bytes: OK");
	is_int(out.len, 900, "900 bytes out");
	memset(big + 1, 'a', 897);
	memcpy(big + 898, "@b.c>", 5);
	is_int(parse(big, 903, &out, &used, &fl), ADDR_TOOLONG,
	    "901 bytes: TOOLONG");
	memset(big + 1, 'a', 3000);
	is_int(parse(big, 3001, &out, &used, &fl), ADDR_TOOLONG,
	    "3000-byte local part without end: TOOLONG");
	big[0] = '"';
	is_int(parse(big, 3001, &out, &used, &fl), ADDR_TOOLONG,
	    "3000-byte quoted string: TOOLONG");
	/* labels: 63 ok, 64 not */
	memcpy(big, "<a@", 3);
	memset(big + 3, 'x', 63);
	memcpy(big + 66, ".com>", 5);
	is_int(parse(big, 71, &out, &used, &fl), ADDR_OK, "63-byte label");
	memset(big + 3, 'x', 64);
	memcpy(big + 67, ".com>", 5);
	is_int(parse(big, 72, &out, &used, &fl), ADDR_SYNTAX, "64-byte label");
	/* a small out buffer is TOOLONG with EMSGSIZE, not a crash */
	{
		struct buf small = BUF_INIT(3);

		is_int(parse("<abcd@e>", 8, &small, &used, &fl), ADDR_TOOLONG,
		    "out too small: TOOLONG");
		buf_free(&small);
	}
	buf_free(&out);
}

struct dcase {
	const char *d;
	bool utf8, want;
};

static const struct dcase dcases[] = {
    {"example.com", false, true},
    {"a", false, true},
    {"a-b.c", false, true},
    {"xn--bcher-kva.de", false, true},
    {"b\xc3\xbc"
     "cher.de",
        false, false},
    {"b\xc3\xbc"
     "cher.de",
        true, true},
    {"", false, false},
    {".", false, false},
    {"a.", false, false},
    {".a", false, false},
    {"a..b", false, false},
    {"-a", false, false},
    {"a-", false, false},
    {"a_b", false, false},
    {"a b", false, false},
    {"[1.2.3.4]", false, true},
    {"[255.255.255.255]", false, true},
    {"[256.1.1.1]", false, false},
    {"[1.2.3.4", false, false},
    {"[IPv6:::1]", false, true},
    {"[IPv6:1:2:3:4:5:6:7:8]", false, true},
    {"[IPv6:1:2:3:4:5:6:7:8:9]", false, false},
    {"[tag:x]", false, false},
};

static void
test_domain(void)
{
	size_t i;
	char name[128];

	for (i = 0; i < sizeof dcases / sizeof dcases[0]; i++) {
		char *p = dupmem(dcases[i].d, strlen(dcases[i].d));

		snprintf(name, sizeof name, "domain_ok '%s' utf8=%d",
		    esc(dcases[i].d, strlen(dcases[i].d)), dcases[i].utf8);
		is_int(addr_domain_ok(p, strlen(dcases[i].d), dcases[i].utf8),
		    dcases[i].want, name);
		free(p);
	}
}

static void
test_at_quote(void)
{
	static const struct {
		const char *in, *out;
	} q[] = {
	    {"a@b", "a@b"},
	    {"a.b.c@d", "a.b.c@d"},
	    {"a b@c", "\"a b\"@c"},
	    {"a\"b@c", "\"a\\\"b\"@c"},
	    {"a\\b@c", "\"a\\\\b\"@c"},
	    {"x@y@z", "\"x@y\"@z"},
	    {"a..b@c", "\"a..b\"@c"},
	    {".a@c", "\".a\"@c"},
	    {"postmaster", "postmaster"},
	    {"", ""},
	};
	struct buf b = BUF_INIT(4096), out = BUF_INIT(4096);
	size_t i, used;
	unsigned fl;
	char name[128];

	is_int(addr_at("a@b@c", 5), 3, "addr_at: last @");
	is_int(addr_at("abc", 3), 3, "addr_at: none -> len");
	is_int(addr_at("", 0), 0, "addr_at: empty");
	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		buf_reset(&b);
		snprintf(name, sizeof name, "quote '%s'",
		    esc(q[i].in, strlen(q[i].in)));
		ok(addr_quote(&b, q[i].in, strlen(q[i].in)) == 0, name);
		is_mem(b.p, b.len, q[i].out, strlen(q[i].out), name);
		if (!*q[i].in)
			continue;
		/* round trip through the path parser */
		buf_reset(&out);
		if (buf_catc(&out, '<') < 0 || buf_cat(&out, b.p, b.len) < 0 ||
		    buf_catc(&out, '>') < 0)
			abort();
		buf_copy(&b, out.p, out.len);
		is_int(parse((char *)b.p, b.len, &out, &used, &fl), ADDR_OK,
		    "quoted form parses");
		is_mem(out.p, out.len, q[i].in, strlen(q[i].in), "round trip");
	}
	buf_free(&b);
	buf_free(&out);
}

struct lcase {
	const char *in;
	size_t inlen;
	int n;
	const char *out; /* addresses separated by '|' */
};

static const struct lcase lcases[] = {
    {"a@b", 0, 1, "a@b"},
    {"Joe <j@x>, \"Smith, Jane\" <js@y>", 0, 2, "j@x|js@y"},
    {"undisclosed-recipients:;", 0, 0, ""},
    {"undisclosed:;", 0, 0, ""},
    {"friends: a@b, c@d;, e@f", 0, 3, "a@b|c@d|e@f"},
    {"Group: a@b;", 0, 1, "a@b"},
    {"a@b (comment, with comma), c@d", 0, 2, "a@b|c@d"},
    {"(nested (comment) \\) x) a@b", 0, 1, "a@b"},
    {"Joe Smith", 0, 0, ""},
    {"joe", 0, 1, "joe"},
    {"<a@b", 0, 0, ""},
    {"a@b>", 0, 0, ""},
    {"\"x y\"@z", 0, 1, "x y@z"},
    {"\"x\\\"y\"@z", 0, 1, "x\"y@z"},
    {"a@b,,c@d", 0, 2, "a@b|c@d"},
    {",", 0, 0, ""},
    {"<@r1,@r2:a@b>", 0, 1, "a@b"},
    {"Joe <a@b> <c@d>", 0, 0, ""},
    {"a@[1.2.3.4]", 0, 1, "a@[1.2.3.4]"},
    {"a@[1.2.3.4", 0, 0, ""},
    {"a @ b . c", 0, 1, "a@b.c"},
    {"=?utf-8?q?J=C3=B6rg?= <a@b>", 0, 1, "a@b"},
    {"a@b\r\n c@d", 0, 0, ""},
    {"a@b,\r\n\tc@d", 0, 2, "a@b|c@d"},
    {"<>", 0, 0, ""},
    {"", 0, 0, ""},
    {"\"unterminated, a@b", 0, 0, ""},
    {"a@b\0, c@d", 9, 1, "c@d"},
    {"<\"\"@x>", 0, 0, ""},
    {"j.smith@x.y", 0, 1, "j.smith@x.y"},
    {"a@-b", 0, 0, ""},
    {"J. Smith <js@x>", 0, 1, "js@x"},
    {"\"J. Smith\" <js@x> (work)", 0, 1, "js@x"},
    {"a@b; c@d", 0, 2, "a@b|c@d"},
    {"x: y: a@b;", 0, 0, ""},
    {"(unterminated a@b", 0, 0, ""},
    {"a@b (unterminated", 0, 1, "a@b"},
    {"\"a\r\n b\"@c", 0, 1, "a b@c"},
    {"\"a\tb\"@c", 0, 0, ""},
    {"\"x@y\"", 0, 0, ""},
    {"\"x@y\"@z", 0, 1, "x@y@z"},
    {"j\xc3\xb6rg@b\xc3\xbc.de", 0, 1, "j\xc3\xb6rg@b\xc3\xbc.de"},
};

static void
test_list(void)
{
	struct buf out = BUF_INIT(65536), want = BUF_INIT(4096);
	size_t i, n, k;
	int r;
	char name[256];

	for (i = 0; i < sizeof lcases / sizeof lcases[0]; i++) {
		const struct lcase *c = &lcases[i];
		char *p;

		n = c->inlen ? c->inlen : strlen(c->in);
		p = dupmem(c->in, n);
		buf_reset(&out);
		r = addr_parse_list(p, n, &out);
		free(p);
		snprintf(name, sizeof name, "list %zu: '%s' count", i,
		    esc(c->in, n));
		is_int(r, c->n, name);
		buf_reset(&want);
		for (k = 0; c->out[k]; k++)
			buf_catc(&want, c->out[k] == '|' ? 0 : c->out[k]);
		if (k)
			buf_catc(&want, 0);
		snprintf(name, sizeof name, "list %zu: addresses", i);
		is_mem(out.p, out.len, want.p, want.len, name);
	}
	/* appends: two calls accumulate */
	buf_reset(&out);
	addr_parse_list("a@b", 3, &out);
	is_int(addr_parse_list("c@d", 3, &out), 1, "second call");
	is_mem(out.p, out.len, "a@b\0c@d\0", 8, "list appends");
	/* a full buffer is an error */
	{
		struct buf small = BUF_INIT(4);

		is_int(addr_parse_list("abc@d", 5, &small), -1,
		    "list: buffer too small -> -1");
		buf_free(&small);
	}
	buf_free(&out);
	buf_free(&want);
}

/* Every prefix of every list input: no crash, sane count. */
static void
test_list_prefixes(void)
{
	struct buf out = BUF_INIT(65536);
	size_t i, k, n, bad = 0;
	int r;

	for (i = 0; i < sizeof lcases / sizeof lcases[0]; i++) {
		n = lcases[i].inlen ? lcases[i].inlen : strlen(lcases[i].in);
		for (k = 0; k <= n; k++) {
			char *p = dupmem(lcases[i].in, k);

			buf_reset(&out);
			r = addr_parse_list(p, k, &out);
			free(p);
			if (r < 0 || (r == 0 && out.len != 0))
				bad++;
		}
	}
	ok(bad == 0, "every prefix of list inputs parses sanely");
	buf_free(&out);
}

int
main(void)
{
	test_table();
	test_truncation();
	test_lengths();
	test_domain();
	test_at_quote();
	test_list();
	test_list_prefixes();
	done_testing();
}
