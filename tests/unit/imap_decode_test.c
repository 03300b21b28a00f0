/* imap_decode_test.c: imapd/textdec.c and search_text.c, the decoding
 * behind SEARCH: quoted-printable (soft breaks, bad escapes), lenient
 * base64, charsets to UTF-8, RFC 2047 encoded-words (B and Q, adjacent
 * words, unknown charsets, malformed words), the case fold, matching
 * across window boundaries, MIME bodies, and the output bounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "../../imapd/search.h"

struct dcase {
	int kind; /* 0 qp, 1 base64, 2 header, 3 latin-1, 4 Q word */
	const char *in, *want;
};

static const struct dcase dcases[] = {
    {0, "caf=C3=A9", "caf\xc3\xa9"},
    {0, "soft=\r\nbreak", "softbreak"},
    {0, "soft= \nbreak", "softbreak"},
    {0, "lower=c3=a9", "lower\xc3\xa9"},
    {0, "bad=ZZ=", "bad=ZZ"},
    {0, "a=3Db_c", "a=b_c"},
    {4, "a_b=3F", "a b?"},
    {1, "aGVs\r\nbG8=", "hello"},
    {1, "aGVsbG8", "hello"},
    {1, "aGVsbA", "hell"},
    {1, "!!aGVs*bG8=garbage", "hello"},
    {1, "", ""},
    {2, " =?utf-8?B?w6l0w6k=?=", " \xc3\xa9t\xc3\xa9"},
    {2, "=?ISO-8859-1?Q?caf=E9?= au lait", "caf\xc3\xa9 au lait"},
    {2, "=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},
    {2, "=?utf-8?q?a?=\r\n =?utf-8?q?b?= c", "ab c"},
    {2, "x =?utf-8?q?a?= y", "x a y"},
    {2, "=?koi8-r?B?4cLX?=", "\xe1\xc2\xd7"},
    {2, "=?utf-8*en?Q?hi?=", "hi"},
    {2, "=?utf-8?X?hi?=", "=?utf-8?X?hi?="},
    {2, "=?utf-8?Q?no end", "=?utf-8?Q?no end"},
    {2, "=?utf-8?Q?sp ace?=", "=?utf-8?Q?sp ace?="},
    {2, "=??Q?x?=", "=??Q?x?="},
    {2, "a\r\n\tb", "a\tb"},
    {2, "=?windows-1252?Q?=80?=", "\xe2\x82\xac"},
    {2, "=?iso-8859-15?Q?=A4?=", "\xe2\x82\xac"},
    {3, "\xe9t\xe9", "\xc3\xa9t\xc3\xa9"},
};

static void
test_decoders(void)
{
	struct buf b = BUF_INIT(4096);
	char name[64];
	size_t i;
	int r = 0;

	for (i = 0; i < sizeof dcases / sizeof dcases[0]; i++) {
		const struct dcase *d = &dcases[i];
		size_t n = strlen(d->in);
		buf_reset(&b);
		switch (d->kind) {
		case 0:
		case 4:
			r = dec_qp(d->in, n, d->kind == 4, &b);
			break;
		case 1:
			r = dec_base64(d->in, n, &b);
			break;
		case 2:
			r = dec_header(d->in, n, &b);
			break;
		default:
			r = dec_charset("ISO-8859-1", 10, d->in, n, &b);
		}
		snprintf(name, sizeof name, "decoder case %zu (kind %d)", i,
		    d->kind);
		ok(r == 0, name);
		is_mem(b.p ? (char *)b.p : "", b.len, d->want, strlen(d->want),
		    name);
	}
	buf_free(&b);
}

static void
test_bounds(void)
{
	struct buf b = BUF_INIT(5);
	char big[100];

	memset(big, 'A', sizeof big);
	ok(dec_qp(big, sizeof big, false, &b) == 0 && b.len == 5,
	    "qp stops at the buffer's max");
	buf_reset(&b);
	ok(dec_base64(big, sizeof big, &b) == 0 && b.len == 5,
	    "base64 stops at the buffer's max");
	buf_reset(&b);
	ok(dec_header(big, sizeof big, &b) == 0 && b.len == 5,
	    "header decoding stops at the buffer's max");
	buf_reset(&b);
	ok(dec_charset("latin1", 6, "\xe9\xe9\xe9\xe9", 4, &b) == 0 &&
	        b.len == 4,
	    "charset conversion never splits a character at the max");
	buf_free(&b);
}

static void
test_fold(void)
{
	char s[] = "ABC \xc3\x89T\xc3\x89 \xc3\x97 \xd0\x96 \xce\xa9 \xc5\x81 "
	           "\xc5\xb8 \xc3";
	const char want[] = "abc \xc3\xa9t\xc3\xa9 \xc3\x97 \xd0\xb6 \xcf\x89 "
	                    "\xc5\x82 \xc3\xbf \xc3";

	text_fold(s, strlen(s));
	is_str(s, want,
	    "fold: ASCII, Latin-1 (not x), Cyrillic, Greek, "
	    "Latin Extended-A, Y diaeresis, a cut sequence");
	ok(text_has("Hello World", 11, "o w", 3), "text_has folds");
	ok(!text_has("Hello", 5, "hellO", 5), "the needle comes folded");
	ok(text_has("x", 1, "", 0), "the empty string matches");
	ok(!text_has("ab", 2, "abc", 3), "a longer needle does not");
}

static void
test_window(void)
{
	size_t n = 200000, at;
	char *p = malloc(n);

	memset(p, 'x', n);
	for (at = 65530; at < 65540; at++) {
		memset(p, 'x', n);
		memcpy(p + at,
		    "N\xc3\x89"
		    "EDLE",
		    7);
		ok(text_has(p, n,
		       "n\xc3\xa9"
		       "edle",
		       7),
		    "a match across the 64 KiB window edge");
	}
	free(p);
}

static void
test_mime(void)
{
	static const char m1[] =
	    "Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
	    "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Caf=E9 cr=E8me =\r\nbr=FBl=E9e\r\n"
	    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "aGlkZGVuIHdvcmQ=\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "c2VjcmV0\r\n"
	    "--b\r\nContent-Type: message/rfc822\r\n\r\n"
	    "Subject: =?iso-8859-1?B?vHQ=?=\r\n\r\ninner body\r\n"
	    "--b--\r\n";
	size_t n = sizeof m1 - 1;

	ok(search_text(m1, n, false, "caf\xc3\xa9 cr\xc3\xa8me br", 15),
	    "BODY: QP + latin-1 soft-broken text");
	ok(search_text(m1, n, false, "hidden word", 11), "BODY: base64 text");
	ok(!search_text(m1, n, false, "secret", 6),
	    "BODY: base64 attachments are not searched");
	ok(!search_text(m1, n, false, "aGlkZGVu", 8),
	    "BODY: the encoded form does not match");
	ok(search_text(m1, n, false, "inner body", 10),
	    "BODY: encapsulated message body");
	ok(search_text(m1, n, false, "\xc2\xbct", 3),
	    "BODY: encapsulated message header decoded");
	ok(!search_text(m1, n, false,
	       "gr\xc3\xbc\xc3\x9f"
	       "e",
	       7),
	    "BODY: not the top header");
	ok(search_text(m1, n, true,
	       "gr\xc3\xbc\xc3\x9f"
	       "e",
	       7),
	    "TEXT: the top header decoded and folded");
	ok(search_value(" =?utf-8?Q?Gr=C3=BC=C3=9Fe?=", 29, "r\xc3\xbc", 3),
	    "a header value decoded");
	ok(search_text("no header", 9, true, "header", 6),
	    "a message without a header is all body");
}

int
main(void)
{
	test_decoders();
	test_bounds();
	test_fold();
	test_window();
	test_mime();
	done_testing();
}
