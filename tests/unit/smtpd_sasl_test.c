/* smtpd_sasl_test.c: strict base64 and the SASL PLAIN message
 * (smtpd/sasl.c): table of good and hostile inputs, bounds. */
#include <errno.h>
#include <string.h>

#include "../../smtpd/sasl.h"
#include "tap.h"

static const struct {
	const char *in, *out; /* out NULL: refused (bad length, padding
	                       * or non-canonical bits, white space,
	                       * base64url) */
} b64_cases[] = {
    {"", ""},
    {"Zg==", "f"},
    {"Zm8=", "fo"},
    {"Zm9v", "foo"},
    {"Zm9vYmFy", "foobar"},
    {"VXNlcm5hbWU6", "Username:"},
    {"Zg=", NULL},
    {"Zg", NULL},
    {"Z===", NULL},
    {"Zg==Zg==", NULL},
    {"Zh==", NULL},
    {"Zm9=", NULL},
    {"Zm 9", NULL},
    {"Zm9v\r", NULL},
    {"Zm-v", NULL},
    {"=Zm9", NULL},
};

static void
test_b64(void)
{
	unsigned char out[64];
	size_t i, n;
	int r;

	for (i = 0; i < sizeof b64_cases / sizeof b64_cases[0]; i++) {
		n = 99;
		r = sasl_b64decode(b64_cases[i].in, strlen(b64_cases[i].in),
		    out, sizeof out, &n);
		if (b64_cases[i].out == NULL) {
			is_int(r, -1, b64_cases[i].in);
			continue;
		}
		is_int(r, 0, b64_cases[i].in);
		is_mem(out, n, b64_cases[i].out, strlen(b64_cases[i].out),
		    b64_cases[i].in);
	}
	errno = 0;
	is_int(sasl_b64decode("Zm9vYmFy", 8, out, 5, &n), -1, "bounded");
	is_int(errno, EMSGSIZE, "EMSGSIZE");
	is_int(sasl_b64decode("AGpvZQBwdw==", 12, out, sizeof out, &n), 0,
	    "NULs decoded");
	is_mem(out, n, "\0joe\0pw", 7, "NUL bytes kept");
}

static const struct {
	const char *in;
	size_t len;
	int want;
	const char *z, *u, *p;
} plain_cases[] = {
    {"\0joe\0pw", 7, 0, "", "joe", "pw"},
    {"joe\0joe\0pw", 10, 0, "joe", "joe", "pw"},
    {"\0joe\0", 5, -1, NULL, NULL, NULL},
    {"\0\0pw", 4, -1, NULL, NULL, NULL},
    {"joe\0pw", 6, -1, NULL, NULL, NULL},
    {"\0joe\0p\0w", 8, -1, NULL, NULL, NULL},
    {"", 0, -1, NULL, NULL, NULL},
};

static void
test_plain(void)
{
	struct str z, u, p;
	size_t i;

	for (i = 0; i < sizeof plain_cases / sizeof plain_cases[0]; i++) {
		int r = sasl_plain((const unsigned char *)plain_cases[i].in,
		    plain_cases[i].len, &z, &u, &p);
		is_int(r, plain_cases[i].want, "plain case");
		if (r != 0 || plain_cases[i].want != 0)
			continue;
		is_mem(z.p, z.len, plain_cases[i].z, strlen(plain_cases[i].z),
		    "authzid");
		is_mem(u.p, u.len, plain_cases[i].u, strlen(plain_cases[i].u),
		    "authcid");
		is_mem(p.p, p.len, plain_cases[i].p, strlen(plain_cases[i].p),
		    "passwd");
	}
}

int
main(void)
{
	test_b64();
	test_plain();
	done_testing();
}
