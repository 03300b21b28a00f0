/* smtpd_parse_test: SMTP command and path parsers (smtpd/parse.c), as
 * tables, with the hostile set: overlong, bare CR, NUL, truncation. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "addr.h"
#include "../../smtpd/limits.h"
#include "../../smtpd/parse.h"

static const struct {
	const char *in;
	size_t len;
	enum pres res;
	const char *verb, *arg;
} cmds[] = {

#define C(i, r, v, a)                                                          \
	{                                                                      \
		i, sizeof i - 1, r, v, a                                       \
	}
    C("QUIT\r\n", P_OK, "QUIT", ""),
    C("quit\n", P_OK, "quit", ""),
    C("MAIL FROM:<a@b>  \r\n", P_OK, "MAIL", "FROM:<a@b>"),
    C("EHLO  x y\r\n", P_OK, "EHLO", " x y"),
    C("NOOP", P_MORE, NULL, NULL),
    C("", P_MORE, NULL, NULL),
    C("\r\n", P_SYNTAX, NULL, NULL),
    C("NO\rOP\r\n", P_SYNTAX, NULL, NULL),
    C("NOOP \0x\r\n", P_SYNTAX, NULL, NULL),
    C("MA1L x\r\n", P_SYNTAX, NULL, NULL),
    C("ABCDEFGHIJKLMNOPQ\r\n", P_SYNTAX, NULL, NULL),
    C("\xc3\xa4 x\r\n", P_SYNTAX, NULL, NULL),
    C(" QUIT\r\n", P_SYNTAX, NULL, NULL),
#undef C
};

static const struct {
	const char *in;
	int rcpt;
	enum pres res;
	enum mp_err err;
	const char *addr;
	unsigned params;
	unsigned long long size;
} paths[] = {
    {"FROM:<a@b.example>", 0, P_OK, MP_E_NONE, "a@b.example", 0, 0},
    {"from: <a@b.example>", 0, P_OK, MP_E_NONE, "a@b.example", 0, 0},
    {"FROM:<>", 0, P_OK, MP_E_NONE, "", 0, 0},
    {"FROM:<a@b> SIZE=1234 BODY=8BITMIME SMTPUTF8", 0, P_OK, MP_E_NONE, "a@b",
        MP_SIZE | MP_8BIT | MP_UTF8, 1234},
    {"FROM:<a@b> body=7bit", 0, P_OK, MP_E_NONE, "a@b", MP_7BIT, 0},
    {"FROM:<a@b> SIZE=", 0, P_SYNTAX, MP_E_PARAMVALUE, NULL, 0, 0},
    {"FROM:<a@b> SIZE=12x", 0, P_SYNTAX, MP_E_PARAMVALUE, NULL, 0, 0},
    {"FROM:<a@b> SIZE=99999999999999999999999", 0, P_SYNTAX, MP_E_PARAMVALUE,
        NULL, 0, 0},
    {"FROM:<a@b> BODY=BINARYMIME", 0, P_SYNTAX, MP_E_PARAMVALUE, NULL, 0, 0},
    {"FROM:<a@b> SMTPUTF8=yes", 0, P_SYNTAX, MP_E_PARAMVALUE, NULL, 0, 0},
    {"FROM:<a@b> RET=HDRS", 0, P_SYNTAX, MP_E_PARAM, NULL, 0, 0},
    {"FROM:<a@b>junk", 0, P_SYNTAX, MP_E_ADDR, NULL, 0, 0},
    {"FROM:", 0, P_SYNTAX, MP_E_ADDR, NULL, 0, 0},
    {"FRM:<a@b>", 0, P_SYNTAX, MP_E_PREFIX, NULL, 0, 0},
    {"TO:<a@b>", 0, P_SYNTAX, MP_E_PREFIX, NULL, 0, 0},
    {"TO:<joe@test.example>", 1, P_OK, MP_E_NONE, "joe@test.example", 0, 0},
    {"TO:<@r.example:joe@test.example>", 1, P_OK, MP_E_NONE, "joe@test.example",
        0, 0},
    {"TO:<a@b> NOTIFY=NEVER", 1, P_SYNTAX, MP_E_PARAM, NULL, 0, 0},
    {"TO:<a@b> SIZE=1", 1, P_SYNTAX, MP_E_PARAM, NULL, 0, 0},
    {"TO:<a@b", 1, P_SYNTAX, MP_E_ADDR, NULL, 0, 0},
};

static void
test_cmds(void)
{
	struct smtp_cmd c;
	enum pres r;
	size_t i;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		r = smtpd_parse_cmd(
		    (const unsigned char *)cmds[i].in, cmds[i].len, &c);
		is_int(r, cmds[i].res, cmds[i].in);
		if (r == P_OK && cmds[i].verb) {
			is_mem(c.verb.p, c.verb.len, cmds[i].verb,
			    strlen(cmds[i].verb), cmds[i].in);
			is_mem(c.arg.p, c.arg.len, cmds[i].arg,
			    strlen(cmds[i].arg), cmds[i].in);
		}
	}
}

static void
test_long(void)
{
	static unsigned char big[SMTP_LINE_MAX + 10];
	struct smtp_cmd c;
	struct str h;

	memset(big, 'a', sizeof big);
	big[sizeof big - 1] = '\n';
	is_int(smtpd_parse_cmd(big, sizeof big, &c), P_TOOLONG,
	    "line over SMTP_LINE_MAX");
	memcpy(big, "NOOP ", 5);
	big[SMTP_LINE_MAX - 1] = '\n';
	is_int(smtpd_parse_cmd(big, SMTP_LINE_MAX, &c), P_OK,
	    "line of exactly SMTP_LINE_MAX");
	memset(big, 'h', SMTP_HELO_MAX + 1);
	is_int(smtpd_parse_helo(big, SMTP_HELO_MAX + 1, &h), P_TOOLONG,
	    "HELO argument too long");
	is_int(smtpd_parse_helo((const unsigned char *)" a.b ", 5, &h), P_OK,
	    "HELO a.b");
	is_mem(h.p, h.len, "a.b", 3, "HELO word");
	is_int(smtpd_parse_helo((const unsigned char *)"  ", 2, &h), P_SYNTAX,
	    "empty HELO");
	is_int(smtpd_parse_helo((const unsigned char *)"a\x01", 2, &h),
	    P_SYNTAX, "HELO with control byte");
}

static void
test_paths(void)
{
	struct buf a = BUF_INIT(SMTP_ADDR_MAX + 1);
	struct smtp_path p = {.addr = &a};
	enum pres r;
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		r = smtpd_parse_path((const unsigned char *)paths[i].in,
		    strlen(paths[i].in), paths[i].rcpt, &p);
		is_int(r, paths[i].res, paths[i].in);
		is_int(p.err, paths[i].err, paths[i].in);
		if (r != P_OK)
			continue;
		is_mem(a.p ? (const char *)a.p : "", a.len, paths[i].addr,
		    strlen(paths[i].addr), paths[i].in);
		is_int(p.params, paths[i].params, paths[i].in);
		is_int(p.size, paths[i].size, paths[i].in);
	}
	r = smtpd_parse_path((const unsigned char *)"TO:<@x:a@b>", 11, 1, &p);
	ok(r == P_OK && (p.aflags & ADDR_F_ROUTE), "route flagged");
	r = smtpd_parse_path((const unsigned char *)"TO:<a%c@b>", 10, 1, &p);
	ok(r == P_OK && (p.aflags & ADDR_F_PERCENT), "percent flagged");
	buf_free(&a);
}

/* Every prefix of a valid MAIL argument parses or fails cleanly. */
static void
test_truncation(void)
{
	const char *full = "FROM:<\"a b\"@[1.2.3.4]> SIZE=10 SMTPUTF8";
	struct buf a = BUF_INIT(SMTP_ADDR_MAX + 1);
	struct smtp_path p = {.addr = &a};
	size_t n, fine = 0;
	enum pres r;

	for (n = 0; n <= strlen(full); n++) {
		r = smtpd_parse_path((const unsigned char *)full, n, 0, &p);
		if (r == P_OK || r == P_SYNTAX)
			fine++;
	}
	is_int(fine, strlen(full) + 1, "every truncation handled");
	buf_free(&a);
}

int
main(void)
{
	test_cmds();
	test_long();
	test_paths();
	test_truncation();
	done_testing();
}
