/* mime_test.c: lib/mime.c: structure of simple, multipart, nested and
 * message/rfc822 messages, header and parameter helpers, and the
 * hostile set (deep nesting, unterminated parts, no header end, NUL,
 * bare CR, truncation at every byte). */
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "fmt.h"
#include "mime.h"

static const char multi[] =
    "Subject: x\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "hello\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "Content-Type: multipart/alternative; boundary=b2\r\n"
    "\r\n"
    "--b2\r\n"
    "\r\n"
    "plain\r\n"
    "--b2\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>x</p>\r\n"
    "--b2--\r\n"
    "--b1--\r\n"
    "epilogue\r\n";

static int
nth_child(const struct mime *m, int p, int n)
{
	int c = m->part[p].child;

	while (c >= 0 && --n > 0)
		c = m->part[c].next;
	return c;
}

static void
test_multi(void)
{
	struct mime m;
	int p1, p2, inner, alt2;

	ok(mime_parse(&m, multi, sizeof multi - 1) == 0, "multipart parses");
	is_mem(m.part[0].subtype, m.part[0].subtype_len, "mixed", 5,
	    "root is multipart/mixed");
	p1 = nth_child(&m, 0, 1);
	p2 = nth_child(&m, 0, 2);
	ok(p1 > 0 && p2 > 0 && nth_child(&m, 0, 3) < 0, "two body parts");
	is_mem(multi + m.part[p1].body_off, m.part[p1].body_len, "hello", 5,
	    "part 1 body without the delimiter's CRLF");
	is_int(m.part[p1].lines, 0, "part 1 lines");
	inner = m.part[p2].child;
	ok(inner > 0 && m.part[inner].is_message, "message/rfc822 child");
	alt2 = nth_child(&m, inner, 2);
	ok(alt2 > 0, "inner alternative has two parts");
	is_mem(m.part[alt2].subtype, m.part[alt2].subtype_len, "html", 4,
	    "inner part 2 is text/html");
	is_mem(multi + m.part[alt2].body_off, m.part[alt2].body_len, "<p>x</p>",
	    8, "inner part 2 body");
	mime_free(&m);
}

static void
test_headers(void)
{
	static const char h[] =
	    "From: a\r\nX-Long: one\r\n two\r\n"
	    "content-type: text/plain;\r\n"
	    " charset=\"us\\\"ascii\" ; format=flowed (c)\r\n\r\n";
	const char *v;
	size_t vl;
	struct buf b = BUF_INIT(1000);

	ok(mime_header_find(h, sizeof h - 1, "x-long", &v, &vl),
	    "find a folded field");
	ok(mime_unfold(v, vl, &b) == 0 && b.len == 7 &&
	        memcmp(b.p, "one two", 7) == 0,
	    "unfold");
	ok(mime_header_find(h, sizeof h - 1, "Content-Type", &v, &vl),
	    "case-insensitive name");
	ok(mime_param(v, vl, "charset", &b) && b.len == 8 &&
	        memcmp(b.p, "us\"ascii", 8) == 0,
	    "quoted parameter with an escape");
	ok(mime_param(v, vl, "FORMAT", &b) && b.len == 6, "second parameter");
	ok(!mime_param(v, vl, "name", &b), "missing parameter");
	ok(!mime_header_find(h, sizeof h - 1, "To", &v, &vl), "missing field");
	buf_free(&b);
}

static void
test_hostile(void)
{
	struct mime m;
	struct buf b = BUF_INIT(1 << 20);
	size_t i;
	int depth = 0, p;

	for (i = 0; i < 100; i++)
		buf_printf(&b,
		    "Content-Type: multipart/mixed; boundary=b%zu\n\n"
		    "--b%zu\n",
		    i, i);
	buf_cats(&b, "\nend\n");
	ok(mime_parse(&m, (char *)b.p, b.len) == 0, "100 levels parse");
	for (p = 0; p >= 0 && m.part[p].child >= 0; p = m.part[p].child)
		depth++;
	ok(depth <= MIME_DEPTH_MAX, "nesting is capped");
	mime_free(&m);
	ok(mime_parse(&m, "no header end", 13) == 0 && m.part[0].body_len == 0,
	    "no empty line: all header");
	mime_free(&m);
	ok(mime_parse(&m, "", 0) == 0 && m.n == 1, "empty message");
	mime_free(&m);
	ok(mime_parse(&m, "A: b\r\rC\0d\n\n\0body", 16) == 0,
	    "bare CR and NUL");
	mime_free(&m);
	for (i = 0; i <= sizeof multi - 1; i++) {
		if (mime_parse(&m, multi, i) != 0)
			break;
		mime_free(&m);
	}
	ok(i == sizeof multi, "every truncation parses");
	buf_reset(&b);
	buf_cats(&b, "Content-Type: multipart/mixed; boundary=x\n\n");
	for (i = 0; i < 20000; i++)
		buf_cats(&b, "--x\n\n");
	ok(mime_parse(&m, (char *)b.p, b.len) == 0 && m.n <= MIME_PARTS_MAX,
	    "part count is capped");
	mime_free(&m);
	buf_free(&b);
}

int
main(void)
{
	test_multi();
	test_headers();
	test_hostile();
	done_testing();
}
