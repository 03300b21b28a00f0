/* send_core_test.c: quail-send's pure parts: envelope, netstrings, info
 * file, retry schedule, DSN builder. */
#include <stdlib.h>
#include <string.h>
#include "netstring.h"
#include "../../send/send.h"
#include "tap.h"

static void
test_env(void)
{
	static const unsigned char e[] = "Iabc\0Ffrom@x\0t1700000000\0Ta@b\0"
	                                 "Tc@d\0Zunknown\0\0MSG";
	struct envelope v;
	size_t i;
	int more = 1;

	is_int(env_parse(e, sizeof e - 1, &v), S_OK, "envelope parses");
	is_int(v.nrcpt, 2, "two recipients");
	is_mem(v.rcpt[1].p, v.rcpt[1].len, "c@d", 3, "second recipient");
	is_mem(v.sender.p, v.sender.len, "from@x", 6, "sender");
	is_int(v.arrival, 1700000000, "arrival time");
	is_int(v.offset, sizeof e - 4, "message offset after the final NUL");
	env_free(&v);
	for (i = 0; i < sizeof e - 5; i++) /* byte at a time */
		if (env_parse(e, i, &v) != S_MORE)
			more = 0;
	ok(more, "every truncation is S_MORE");
	is_int(env_parse((const unsigned char *)"Ta@b\0\0", 6, &v), S_SYNTAX,
	    "no sender: syntax");
	is_int(env_parse((const unsigned char *)"F\0\0", 3, &v), S_SYNTAX,
	    "no recipient: syntax");
	is_int(env_parse((const unsigned char *)"F\0T\0\0", 5, &v), S_SYNTAX,
	    "empty recipient: syntax");
	is_int(env_parse((const unsigned char *)"F\0Tx\0\0", 6, &v), S_OK,
	    "null sender accepted");
	env_free(&v);
}

static void
test_proto(void)
{
	struct buf b = BUF_INIT(100000);
	struct spawn_req r = {7, "ID1", 5, 42, "", "u@d", "u"};
	struct str pl, t;
	size_t off, plen, used;
	unsigned slot;
	char st;
	static const char want[] = "7\0ID1\0mess/5/ID1\00042\0\0u@d\0u\0";

	ok(proto_request(&b, &r) == 0, "request built");
	is_int(netstring_parse(b.p, b.len, PROTO_REQ_MAX, &off, &plen, &used),
	    NETSTRING_OK, "request is a netstring");
	is_mem(b.p + off, plen, want, sizeof want - 1, "request fields");
	is_int(used, b.len, "all consumed");
	is_int(
	    netstring_parse(b.p, b.len - 1, PROTO_REQ_MAX, &off, &plen, &used),
	    NETSTRING_MORE, "truncated: more");
	pl.p = "12\0Dno such user";
	pl.len = 16;
	ok(proto_reply(pl, &slot, &st, &t) == 0 && slot == 12 && st == 'D',
	    "reply parsed");
	is_mem(t.p, t.len, "no such user", 12, "reply text");
	pl.p = "1\0Xx";
	pl.len = 4;
	ok(proto_reply(pl, &slot, &st, &t) < 0, "unknown status refused");
	pl.p = "5000\0K";
	pl.len = 6;
	ok(proto_reply(pl, &slot, &st, &t) < 0, "slot out of range refused");
	buf_free(&b);
}

static void
test_info(void)
{
	struct buf b = BUF_INIT(100000);
	struct rinfo r[3], in = {R_PENDING, 2, 500, 400, "4.2.2 full\x01", 11};
	struct rinfo d = {R_DONE, 3, 0, 600, "ok", 2};
	size_t i;

	memset(r, 0, sizeof r);
	ok(info_header(&b, 100) == 0 && info_line(&b, 1, &in) == 0 &&
	        info_line(&b, 1, &d) == 0 && info_line(&b, 2, &in) == 0,
	    "lines written");
	ok(strstr((const char *)b.p, "full_\n") != NULL,
	    "control character sanitized");
	ok(buf_cats(&b, "9 done 1 1 1 x\n2 bogus 1 1 1 y\n0 done 1 1 1 torn") ==
	        0,
	    "junk appended");
	for (i = 0; i < 3; i++)
		r[i].state = R_PENDING;
	ok(info_replay(b.p, b.len, r, 3) == 0, "replay");
	is_int(r[1].state, R_DONE, "last line wins");
	is_int(r[1].attempts, 3, "attempts");
	is_int(r[2].next, 500, "next try");
	is_int(r[0].state, R_PENDING, "torn last line ignored");
	is_mem(r[2].text, r[2].tlen, "4.2.2 full_", 11, "text");
	ok(info_replay((const unsigned char *)"junk\n", 5, r, 3) < 0,
	    "no header refused");
	buf_free(&b);
}

static void
test_sched(void)
{
	is_int(sched_next(1000, 1, 10, 1000), 1100, "first retry local");
	is_int(sched_next(1000, 3, 20, 1000), 1000 + 3600, "third remote");
	is_int(sched_next(1000, 1, 10, 5000), 5001, "never in the past");
	ok(sched_next(0, 4000000000u, 20, 1) > 1, "no overflow");
	ok(!sched_expired(1000, 604800, 1000 + 604799), "not yet expired");
	ok(sched_expired(1000, 604800, 1000 + 604800), "expired");
	ok(!sched_expired(5000, 10, 1000), "clock behind arrival");
}

static void
test_dsn(void)
{
	static const unsigned char hdr[] = "Subject: hi\nFrom: a@b\n\nbody\n";
	struct dsn_rcpt r[2] = {{"x@y", "5.1.1 no such user", 10},
	    {"z@w", "mx [1.2.3.4] said: 552 5.2.2 full", 20}};
	struct dsn d = {"me.test", "a@b", "QID", "BOUND", 5, 30, r, 2, hdr, 0};
	struct buf b = BUF_INIT(1 << 20);
	char st[16];
	const char *s;

	d.hlen = dsn_headers(hdr, sizeof hdr - 1, 65536);
	is_int(d.hlen, 22, "header block ends before the empty line");
	is_int(dsn_headers(hdr, sizeof hdr - 1, 15), 12, "cut on a line");
	dsn_status("4.2.2 full", st);
	is_str(st, "5.2.2", "temporary code reported as failed");
	dsn_status("no code", st);
	is_str(st, "5.0.0", "default status");
	dsn_status("5.1.10x", st);
	is_str(st, "5.0.0", "malformed code ignored");
	ok(dsn_build(&b, &d) == 0 && buf_cstr(&b) == 0, "built");
	s = (const char *)b.p;
	ok(strstr(s,
	       "Content-Type: multipart/report; "
	       "report-type=delivery-status;\n\tboundary=\"BOUND\"") != NULL,
	    "multipart/report");
	ok(strstr(s, "Final-Recipient: rfc822; x@y\nAction: failed\n"
	             "Status: 5.1.1\n") != NULL,
	    "per-recipient fields");
	ok(strstr(s, "Diagnostic-Code: smtp; 552 5.2.2 full") != NULL,
	    "smtp diagnostic");
	ok(strstr(s, "Reporting-MTA: dns; me.test") != NULL, "reporting MTA");
	ok(strstr(s, "text/rfc822-headers\n") != NULL &&
	        strstr(s, "Subject: hi\nFrom: a@b\n") != NULL &&
	        strstr(s, "body") == NULL,
	    "original headers, not the body");
	ok(strstr(s, "\n--BOUND--\n") != NULL, "closing boundary");
	ok(strstr(s, "Auto-Submitted: auto-replied") != NULL, "auto-submitted");
	buf_free(&b);
}

/* review2: 10,000 failed recipients with long addresses and texts must
 * still give a bounce that fits quail-send's 16 MiB bounce buffer (a
 * failure there was die_nomem: quail-send crashed and, restarted, met
 * the same message again). */
static void
test_dsn_huge(void)
{
	static char addr[901], text[1001];
	struct buf b = BUF_INIT(1024 * 1024 * 16);
	struct dsn_rcpt *r;
	struct dsn d = {0};
	size_t i, n = 10000;

	r = calloc(n, sizeof *r);
	if (r == NULL)
		return;
	memset(addr, 'a', 900);
	addr[890] = '@';
	memcpy(text, "5.1.1 ", 6);
	memset(text + 6, 'x', 994);
	for (i = 0; i < n; i++) {
		r[i].addr = addr;
		r[i].text = text;
		r[i].last = 1700000000;
	}
	d.me = "me.test";
	d.to = "s@x.org";
	d.id = "0000abcd00001f";
	d.boundary = "BOUND";
	d.r = r;
	d.nr = n;
	d.headers = (const unsigned char *)"Subject: hi\n";
	d.hlen = 12;
	ok(dsn_build(&b, &d) == 0 && buf_cstr(&b) == 0,
	    "10,000 long recipients: the DSN still fits");
	ok(b.p && strstr((char *)b.p, "more recipients not listed") != NULL,
	    "the DSN says that some recipients are not listed");
	ok(b.p && strstr((char *)b.p, "\n--BOUND--\n") != NULL,
	    "complete DSN (closing boundary)");
	buf_free(&b);
	free(r);
}

int
main(void)
{
	test_env();
	test_proto();
	test_info();
	test_sched();
	test_dsn();
	test_dsn_huge();
	done_testing();
}
