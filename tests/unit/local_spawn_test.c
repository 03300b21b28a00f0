/* local_spawn_test: quail-lspawn's pure parts: request fields, queue
 * path checks, reply text, users/assign values (the netstring framing:
 * netstring_test.c). */
#include <string.h>

#include "buf.h"
#include "../../local/local.h"
#include "../../lspawn/lspawn.h"
#include "tap.h"

static void
test_req(void)
{
	char p1[] =
	    "7\0001234abcd\0mess/12/1234abcd\00099\0s@x\0r@y\0r\0extra\0";
	char p2[] = "7\0id\0mess/12/../x\00099\0s\0r\0l\0";
	char p3[] = "1000\0id\0mess/1/a\0001\0s\0r\0l\0";
	char p4[] = "1\0id\0mess/1/a\0001\0s\0r\0";
	char p5[] = "1\0id\0mess/1/a\0x1\0s\0r\0l\0";
	struct request r;

	ok(req_parse(p1, sizeof p1 - 1, &r) == 0, "request");
	ok(r.slot == 7 && r.offset == 99, "slot, offset");
	is_str(r.path, "mess/12/1234abcd", "path");
	is_str(r.sender, "s@x", "sender");
	is_str(r.rcpt, "r@y", "rcpt");
	is_str(r.local, "r", "local");
	ok(req_parse(p2, sizeof p2 - 1, &r) < 0, "path with .. refused");
	ok(req_parse(p3, sizeof p3 - 1, &r) < 0, "slot 1000 refused");
	ok(req_parse(p4, sizeof p4 - 1, &r) < 0, "missing field");
	ok(req_parse(p5, sizeof p5 - 1, &r) < 0, "bad offset");
	ok(req_path_ok("mess/0/A1b2"), "path ok");
	ok(!req_path_ok("mess//x"), "empty split");
	ok(!req_path_ok("/etc/passwd"), "absolute");
	ok(!req_path_ok("mess/1/a/b"), "extra component");
	ok(!req_path_ok("info/1/a"), "not mess");
}

static void
test_text(void)
{
	char t[TEXT_MAX];
	size_t n = 0;
	char big[3000];

	text_add(t, &n, "line1\nline\r2\x01\n", 14);
	text_end(t, &n);
	is_mem(t, n, "line1/line_2_", 13, "LF and controls");
	n = 0;
	text_add(t, &n, "delivered to x\nout\n5.2.2 over quota\nmore\n", 41);
	text_end(t, &n);
	text_lead_code(t, &n, '5');
	is_mem(t, n, "5.2.2 over quota/delivered to x/out/more", 40,
	    "code moved first");
	text_lead_code(t, &n, '5');
	is_mem(t, n, "5.2.2 over quota/delivered to x/out/more", 40,
	    "already first: unchanged");
	n = 0;
	text_add(t, &n, "a/4.3.0 x/b/4.2.1 last", 22);
	text_lead_code(t, &n, '4');
	is_mem(t, n, "4.2.1 last/a/4.3.0 x/b", 22, "last code wins");
	text_lead_code(t, &n, '5');
	is_mem(t, n, "4.2.1 last/a/4.3.0 x/b", 22, "other class ignored");
	n = 0;
	text_add(t, &n, "x/5.1 y/5.1.1", 13);
	text_lead_code(t, &n, '5');
	is_mem(t, n, "x/5.1 y/5.1.1", 13, "malformed codes ignored");
	memset(big, 'x', sizeof big);
	n = 0;
	text_add(t, &n, big, sizeof big);
	is_int(n, TEXT_MAX, "bounded");
}

static void
test_assign(void)
{
	struct target t;
	static const char v[] = "joe\0001001\0001002\0/home/joe\0-\0ext\0";
	static const char bad1[] = "joe\0x\0001\0/h\0\0\0";
	static const char bad2[] = "joe\0001\0001\0relative\0\0\0";

	target_init(&t);
	ok(assign_value(v, sizeof v - 1, &t) == 0, "assign value");
	ok(t.uid == 1001 && t.gid == 1002, "ids");
	is_str((char *)t.user.p, "joe", "user");
	is_str((char *)t.home.p, "/home/joe", "home");
	is_str((char *)t.dash.p, "-", "dash");
	is_str((char *)t.ext.p, "ext", "ext");
	ok(assign_value(bad1, sizeof bad1 - 1, &t) < 0, "bad uid");
	ok(assign_value(bad2, sizeof bad2 - 1, &t) < 0, "relative home");
	target_free(&t);
}

int
main(void)
{
	struct buf env = BUF_INIT(1000);
	const char *inh[] = {
	    "PATH=/x", "CODE=3", "NOEQUALS", "HOME=/evil", NULL};

	ok(buf_cat(&env, "HOME=/h\0PATH=/p\0", 16) == 0, "env");
	ok(env_inherit(&env, inh) == 0, "env_inherit");
	is_mem(env.p, env.len, "HOME=/h\0PATH=/p\0CODE=3\0", 23,
	    "inherited only what is not set");
	buf_free(&env);
	test_req();
	test_text();
	test_assign();
	done_testing();
}
