/* tls_ctl_test.c: quail-tls's control protocol and server-name check. */
#include <string.h>
#include "tap.h"
#include "buf.h"
#include "../../tls/tls.h"

static const struct {
	const char *in;
	enum tls_ctl_cmd want;
	size_t used, off, len;
} t[] = {
    {"STARTTLS\n", TLS_CTL_STARTTLS, 9, 9, 0},
    {"STARTTLS 220 go\r\n", TLS_CTL_STARTTLS, 17, 9, 8},
    {"STARTTLS 220 go\r\nNEXT", TLS_CTL_STARTTLS, 17, 9, 8},
    {"STARTTLS", TLS_CTL_MORE, 0, 0, 0},
    {"STARTTLS \n", TLS_CTL_UNKNOWN, 10, 0, 0},
    {"starttls\n", TLS_CTL_UNKNOWN, 9, 0, 0},
    {"\n", TLS_CTL_UNKNOWN, 1, 0, 0},
    {"STARTTLSX\n", TLS_CTL_UNKNOWN, 10, 0, 0},
};

static void
parse_cases(void)
{
	size_t i, used, off, len;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		used = off = len = 0;
		enum tls_ctl_cmd r =
		    tls_ctl_parse((const unsigned char *)t[i].in,
		        strlen(t[i].in), &used, &off, &len);
		is_int(r, t[i].want, "control line parsed as expected");
		if (r == TLS_CTL_STARTTLS) {
			is_int(used, t[i].used, "used");
			is_int(off, t[i].off, "reply offset");
			is_int(len, t[i].len, "reply length");
		}
	}
}

static void
bounds(void)
{
	unsigned char big[TLS_CTL_MAX + 10];
	size_t used, off, len, i;

	memset(big, 'A', sizeof big);
	is_int(tls_ctl_parse(big, TLS_CTL_MAX, &used, &off, &len),
	    TLS_CTL_TOOLONG, "no LF within TLS_CTL_MAX: too long");
	is_int(tls_ctl_parse(big, TLS_CTL_MAX - 1, &used, &off, &len),
	    TLS_CTL_MORE, "shorter: more");
	big[TLS_CTL_MAX + 5] = '\n';
	is_int(tls_ctl_parse(big, sizeof big, &used, &off, &len),
	    TLS_CTL_TOOLONG, "LF past the bound: too long");
	/* byte at a time: MORE until the LF arrives */
	{
		const char *s = "STARTTLS +OK\r\n";
		int more = 1;
		for (i = 1; i < strlen(s); i++)
			more &= tls_ctl_parse((const unsigned char *)s, i,
			            &used, &off, &len) == TLS_CTL_MORE;
		ok(more, "byte-at-a-time feed: MORE before the LF");
	}
}

static void
answers(void)
{
	struct buf b = BUF_INIT(4096);

	tls_ctl_ok(&b, "TLSv1.3", "TLS_AES_256_GCM_SHA384", NULL);
	buf_cstr(&b);
	is_str(
	    (char *)b.p, "OK TLSv1.3 TLS_AES_256_GCM_SHA384 -\n", "OK no cert");
	tls_ctl_ok(&b, "TLSv1.2", "X", "CN=a b,O=c\\d\n");
	buf_cstr(&b);
	is_str((char *)b.p, "OK TLSv1.2 X CN=a\\x20b,O=c\\x5cd\\x0a\n",
	    "subject escaped: one field, one line");
	tls_ctl_fail(&b, "handshake failed: x\ny");
	buf_cstr(&b);
	is_str((char *)b.p, "FAIL handshake failed: x\\x0ay\n", "FAIL escaped");
	buf_free(&b);
}

static void
names(void)
{
	ok(tls_name_ok("mail.example.com", 16), "name ok");
	ok(!tls_name_ok("localhost", 9), "no dot: not a per-name file");
	ok(!tls_name_ok("..example", 9), "leading dot");
	ok(!tls_name_ok("a..b", 4), "empty label");
	ok(!tls_name_ok("a/b.c", 5), "slash");
	ok(!tls_name_ok("A.example", 9), "uppercase (files are lowercase)");
	ok(!tls_name_ok("example.", 8), "trailing dot");
}

int
main(void)
{
	parse_cases();
	bounds();
	answers();
	names();
	done_testing();
}
