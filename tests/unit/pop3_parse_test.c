/* pop3_parse_test.c: quail-pop3d's pure parsers (pop3d/parse.c) and the
 * RETR/TOP encoder (pop3d/retr.c): tables, a byte-at-a-time feed of the
 * encoder, and the hostile set (overlong, NUL, bare CR, truncation). */
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "../../pop3d/limits.h"
#include "../../pop3d/pop3d.h"
#include "tap.h"

static const struct {
	const char *in;
	enum pop3_pres want;
	enum pop3_cmd cmd;
	const char *arg;
} cases[] = {
    {"USER joe\r\n", POP3_OK, C_USER, "joe"},
    {"user joe\n", POP3_OK, C_USER, "joe"},
    {"PASS a b c\r\n", POP3_OK, C_PASS, "a b c"},
    {"STAT\r\n", POP3_OK, C_STAT, ""},
    {"top 1 10\r\n", POP3_OK, C_TOP, "1 10"},
    {"XYZZY\r\n", POP3_SYNTAX, C_UNKNOWN, ""},
    {"FOO\r\n", POP3_OK, C_UNKNOWN, ""},
    {"\r\n", POP3_SYNTAX, C_UNKNOWN, ""},
    {" STAT\r\n", POP3_SYNTAX, C_UNKNOWN, ""},
};

static void
test_lines(void)
{
	struct pop3_line l;
	unsigned char big[300];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum pop3_pres r =
		    pop3_parse((const unsigned char *)cases[i].in,
		        strlen(cases[i].in), &l);
		is_int(r, cases[i].want, cases[i].in);
		if (r == POP3_OK) {
			is_int(l.cmd, cases[i].cmd, "command");
			ok(l.arg.len == strlen(cases[i].arg) &&
			        memcmp(l.arg.p, cases[i].arg, l.arg.len) == 0,
			    "argument");
		}
	}
	is_int(pop3_parse((const unsigned char *)"US\0R x\r\n", 8, &l),
	    POP3_SYNTAX, "NUL refused");
	memset(big, 'A', sizeof big);
	is_int(pop3_parse(big, sizeof big, &l), POP3_TOOLONG, "overlong");
}

static void
test_numbers(void)
{
	unsigned long n, m;
	struct str s;

	s = str_from_cstr("3");
	ok(pop3_parse_num(s, 3, &n) == 0 && n == 3, "num 3 of 3");
	s = str_from_cstr("4");
	ok(pop3_parse_num(s, 3, &n) < 0, "num 4 of 3");
	s = str_from_cstr("0");
	ok(pop3_parse_num(s, 3, &n) < 0, "num 0");
	s = str_from_cstr("-1");
	ok(pop3_parse_num(s, 3, &n) < 0, "num -1");
	s = str_from_cstr("99999999999999999999");
	ok(pop3_parse_num(s, ~0UL, &n) < 0, "num overflow");
	s = str_from_cstr("2 5");
	ok(pop3_parse_top(s, &n, &m) == 0 && n == 2 && m == 5, "top 2 5");
	s = str_from_cstr("2");
	ok(pop3_parse_top(s, &n, &m) < 0, "top without lines");
	s = str_from_cstr("2 x");
	ok(pop3_parse_top(s, &n, &m) < 0, "top x");
}

static void
test_sasl(void)
{
	struct buf b = BUF_INIT(1024);
	struct str u, p;

	ok(buf_ready(&b, 16) == 0 &&
	        base64_decode("AGpvZQBzZWNyZXQ=", 16, b.p, 16, &b.len) == 0 &&
	        b.len == 11,
	    "b64 decode");
	ok(pop3_sasl_plain(b.p, b.len, &u, &p) == 0 && u.len == 3 &&
	        memcmp(u.p, "joe", 3) == 0 && p.len == 6,
	    "PLAIN user and pass");
	ok(pop3_sasl_plain((const unsigned char *)"x\0joe\0pw", 8, &u, &p) < 0,
	    "PLAIN authzid of another user refused");
	ok(pop3_sasl_plain((const unsigned char *)"joe\0joe\0pw", 10, &u, &p) ==
	        0,
	    "PLAIN authzid = authcid accepted");
	ok(pop3_sasl_plain((const unsigned char *)"\0joe", 4, &u, &p) < 0,
	    "PLAIN truncated");
	buf_free(&b);
}

static void
test_uidl(void)
{
	char u[POP3_UIDL_MAX + 1], v[POP3_UIDL_MAX + 1];
	char longname[100];

	is_int((int)pop3_uidl("123.M1P2.h", 10, u), 10, "short name kept");
	is_str(u, "123.M1P2.h", "uidl = name");
	memset(longname, 'a', sizeof longname);
	is_int((int)pop3_uidl(longname, sizeof longname, u), 33, "long hashed");
	pop3_uidl(longname, sizeof longname, v);
	is_str(u, v, "hash stable");
	longname[99] = 'b';
	pop3_uidl(longname, sizeof longname, v);
	ok(strcmp(u, v) != 0, "hash differs");
	is_int((int)pop3_uidl("a b", 3, u), 33, "space hashed");
}

/* Encode msg through a pipe and io into out; chunked reads by the size
 * of the pipe writes are what the encoder sees. */
static void
encode(const char *msg, long lines, const char *want, const char *name)
{
	static unsigned char mem[4096];
	struct io out;
	int p[2], q[2];
	char got[4096];
	ssize_t n, k = 0;
	bool werr;
	size_t i, len = strlen(msg);

	if (pipe(p) < 0 || pipe(q) < 0)
		return;
	for (i = 0; i < len; i++) /* byte at a time: one read each at most */
		if (write(p[1], msg + i, 1) != 1)
			return;
	close(p[1]);
	io_init(&out, q[1], mem, sizeof mem, 5);
	pop3_send_msg(&out, p[0], lines, &werr);
	io_flush(&out);
	close(q[1]);
	while (k < (ssize_t)sizeof got - 1 &&
	       (n = read(q[0], got + k, sizeof got - 1 - (size_t)k)) > 0)
		k += n;
	got[k] = '\0';
	close(p[0]);
	close(q[0]);
	is_str(got, want, name);
}

static void
test_retr(void)
{
	encode("A: b\n\n.x\nline\n", -1, "A: b\r\n\r\n..x\r\nline\r\n.\r\n",
	    "LF -> CRLF, dot-stuffed");
	encode("A: b\r\n\r\nx\r\n", -1, "A: b\r\n\r\nx\r\n.\r\n", "CRLF kept");
	encode("A: b\n\nno end", -1, "A: b\r\n\r\nno end\r\n.\r\n",
	    "final line ended");
	encode("A: b\n\n1\n2\n3\n", 2, "A: b\r\n\r\n1\r\n2\r\n.\r\n", "TOP 2");
	encode("A: b\n\n1\n", 0, "A: b\r\n\r\n.\r\n", "TOP 0");
	encode("A: b\n", 5, "A: b\r\n.\r\n", "TOP without body");
	encode("a\rb\n", -1, "a\rb\r\n.\r\n", "bare CR passes");
	encode("", -1, ".\r\n", "empty message");
	encode(".\n", -1, "..\r\n.\r\n", "lone dot line");
}

int
main(void)
{
	test_lines();
	test_numbers();
	test_sasl();
	test_uidl();
	test_retr();
	done_testing();
}
