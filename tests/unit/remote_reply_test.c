/* remote_reply_test: quail-remote's pure parts: SMTP replies (whole,
 * byte-split, hostile), enhanced codes, EHLO keywords, the DATA encoder
 * (CRLF, dot-stuffing), smtproutes values and matching, and
 * DNS answer parsing (MX, null MX, A). */
#include <string.h>

#include "../../remote/remote.h"
#include "tap.h"

static const struct {
	const char *in;
	enum rres want;
	unsigned code;
} lines[] = {
    {"250 ok", RP_OK, 250},
    {"250-more", RP_MORE, 250},
    {"250", RP_OK, 250},
    {"550 5.1.1 no", RP_OK, 550},
    {"25", RP_SYNTAX, 0},
    {"2500 x", RP_SYNTAX, 0},
    {"650 x", RP_SYNTAX, 0},
    {"1xx", RP_SYNTAX, 0},
    {"", RP_SYNTAX, 0},
};

static void
test_lines(void)
{
	struct reply r = {0};
	size_t i;
	char st[16];

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		reply_init(&r);
		is_int(reply_line(&r, lines[i].in, strlen(lines[i].in)),
		    lines[i].want, lines[i].in);
		if (lines[i].want != RP_SYNTAX)
			is_int(r.code, lines[i].code, "code");
	}
	reply_init(&r);
	reply_line(&r, "550-5.1.1 first", 15);
	is_int(reply_line(&r, "451 x", 5), RP_SYNTAX, "code change");
	reply_init(&r);
	reply_line(&r, "550-5.1.1 a\001b", 13);
	reply_line(&r, "550 5.1.1 c", 11);
	is_mem(r.text.p, r.text.len, "550 5.1.1 a_b/550 5.1.1 c", 25,
	    "joined, escaped");
	ok(reply_enhanced(&r, st) == 5 && strcmp(st, "5.1.1") == 0, "5.1.1");
	reply_init(&r);
	reply_line(&r, "550 4.1.1 mismatch", 18);
	is_int(reply_enhanced(&r, st), 0, "class mismatch: no code");
	reply_init(&r);
	reply_line(&r, "250 2.0.0queued", 15);
	is_int(reply_enhanced(&r, st), 0, "code glued to text");
	reply_init(&r);
	for (i = 0; i < REPLY_LINES_MAX; i++)
		reply_line(&r, "250-x", 5);
	is_int(reply_line(&r, "250-x", 5), RP_TOOLONG, "too many lines");
	ok(r.text.len <= REPLY_TEXT_MAX, "text bounded");
	buf_free(&r.text);
}

static void
test_ehlo(void)
{
	struct caps c;
	static const char *l[] = {"250-PIPELINING", "250-size 1000",
	    "250-8BITMIME", "250-AUTH=LOGIN", "250-AUTH PLAIN", "250-SMTPUTF8",
	    "250 STARTTLS"};
	size_t i;

	memset(&c, 0, sizeof c);
	for (i = 0; i < sizeof l / sizeof l[0]; i++)
		ehlo_line(&c, l[i], strlen(l[i]));
	ok(c.pipelining && c.size && c.sizemax == 1000 && c.eightbit &&
	        c.auth_login && c.auth_plain && c.smtputf8 && c.starttls,
	    "every keyword");
	memset(&c, 0, sizeof c);
	ehlo_line(&c, "250-SIZE", 8);
	ok(c.size && c.sizemax == 0, "SIZE without a number");
	ehlo_line(&c, "250", 3);
	ehlo_line(&c, "250-PIPELININGX", 15);
	ok(!c.pipelining, "no prefix match");
}

static void
test_encode(void)
{
	struct buf o = BUF_INIT(1000);
	const char *in = ".a\nb\r\n..c\nlast";
	int st = 0;
	size_t i;

	msg_encode(&o, (const unsigned char *)in, strlen(in), &st);
	msg_encode_end(&o, st);
	is_mem(o.p, o.len, "..a\r\nb\r\n...c\r\nlast\r\n.\r\n", 23, "whole");
	buf_reset(&o);
	st = 0;
	for (i = 0; i < strlen(in); i++) /* byte at a time */
		msg_encode(&o, (const unsigned char *)in + i, 1, &st);
	msg_encode_end(&o, st);
	is_mem(o.p, o.len, "..a\r\nb\r\n...c\r\nlast\r\n.\r\n", 23, "bytewise");
	buf_reset(&o);
	st = 0;
	msg_encode_end(&o, st);
	is_mem(o.p, o.len, ".\r\n", 3, "empty message");
	buf_free(&o);
}

static void
test_route(void)
{
	struct dest d;

	ok(route_value("mx.Example.org:2525", 19, &d) == 0 &&
	        strcmp(d.host, "mx.example.org") == 0 && d.port == 2525,
	    "host:port");
	ok(route_value("[127.0.0.1]:26", 14, &d) == 0 &&
	        strcmp(d.host, "[127.0.0.1]") == 0 && d.port == 26,
	    "[literal]:port");
	ok(route_value("", 0, &d) == 0 && d.host[0] == 0 && d.port == 25,
	    "empty: MX");
	ok(route_value("h:0", 3, &d) < 0 && route_value("h:70000", 7, &d) < 0 &&
	        route_value("h:x", 3, &d) < 0 && route_value("[h", 2, &d) < 0,
	    "bad ports and literals");
	is_int(route_match("a.b", 3, "a.b"), 3, "exact");
	is_int(route_match(".b", 2, "a.b"), 2, "suffix");
	is_int(route_match(".a.b", 4, "a.b"), 0, "suffix is not the domain");
	is_int(route_match("", 0, "a.b"), 1, "default");
	is_int(route_match("b", 1, "a.b"), 0, "no match");
}

/* A DNS response: header, question "t.", answers as given. */
static size_t
dnsmsg(unsigned char *m, const unsigned char *an, size_t alen, int count)
{
	static const unsigned char h[] = {
	    0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 1, 't', 0, 0, 15, 0, 1};

	memcpy(m, h, sizeof h);
	m[7] = (unsigned char)count;
	memcpy(m + sizeof h, an, alen);
	return sizeof h + alen;
}

/* More MX records than fit: the best (lowest) preferences are kept,
 * wherever they sit in the answer. */
static void
test_dns_many(unsigned char *m, struct mxhost *h)
{
	static const unsigned prefs[6] = {50, 40, 30, 20, 10, 5};
	unsigned char an[6 * 19];
	unsigned got = 0;
	bool nullmx;
	size_t i, n;
	int k;

	for (i = 0; i < 6; i++) {
		static const unsigned char rr[] = {0xc0, 12, 0, 15, 0, 1, 0, 0,
		    0, 60, 0, 7, 0, 0, 2, 'm', 'x', 0xc0, 12};

		memcpy(an + 19 * i, rr, sizeof rr);
		an[19 * i + 13] = (unsigned char)prefs[i];
		an[19 * i + 16] = (unsigned char)('a' + i);
	}
	n = dnsmsg(m, an, sizeof an, 6);
	k = dns_parse(m, n, 15, h, NULL, 4, 0, &nullmx);
	is_int(k, 4, "six MX, room for four");
	for (i = 0; k == 4 && i < 4; i++)
		got |= 1u << (h[i].name[1] - 'a');
	is_int(got, 0x3c, "the four lowest preferences kept");
}

static void
test_dns(void)
{
	/* "t." MX 10 "mx.t." (compressed to offset 12), MX 0 "." */
	static const unsigned char mx[] = {0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60,
	    0, 7, 0, 10, 2, 'm', 'x', 0xc0, 12};
	static const unsigned char nul[] = {
	    0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 3, 0, 0, 0};
	static const unsigned char a[] = {
	    0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
	unsigned char m[512];
	struct mxhost h[4];
	struct sockaddr_storage sa[4];
	bool nullmx;
	size_t n;

	n = dnsmsg(m, mx, sizeof mx, 1);
	is_int(dns_parse(m, n, 15, h, NULL, 4, 0, &nullmx), 1, "one MX");
	ok(strcmp(h[0].name, "mx.t") == 0 && h[0].pref == 10 && !nullmx,
	    "MX name and preference");
	n = dnsmsg(m, nul, sizeof nul, 1);
	is_int(dns_parse(m, n, 15, h, NULL, 4, 0, &nullmx), 0, "null MX: none");
	ok(nullmx, "null MX seen");
	n = dnsmsg(m, a, sizeof a, 1);
	is_int(dns_parse(m, n, 1, NULL, sa, 4, 25, &nullmx), 1, "one A");
	ok(sa[0].ss_family == AF_INET, "IPv4");
	test_dns_many(m, h);
	n = dnsmsg(m, mx, sizeof mx - 3, 1);
	is_int(dns_parse(m, n, 15, h, NULL, 4, 0, &nullmx), -1, "truncated");
	n = dnsmsg(m, mx, sizeof mx, 5);
	is_int(dns_parse(m, n, 15, h, NULL, 4, 0, &nullmx), -1, "count lies");
}

int
main(void)
{
	test_lines();
	test_ehlo();
	test_encode();
	test_route();
	test_dns();
	done_testing();
}
