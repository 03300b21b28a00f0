/* smtpd_sasl_test.c: the SASL PLAIN message (smtpd/sasl.c): table of
 * good and hostile inputs.  The base64 around it: base64_test.c. */
#include <string.h>

#include "../../smtpd/sasl.h"
#include "tap.h"

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
	test_plain();
	done_testing();
}
