/* sasl.c: the SASL PLAIN message (sasl.h); the base64 around it is
 * lib/base64.  Trust: input is the client's, before authentication:
 * every byte is checked. */
#include "sasl.h"

#include <errno.h>
#include <string.h>

int
sasl_plain(const unsigned char *p, size_t n, struct str *authz_r,
    struct str *user_r, struct str *pass_r)
{
	const unsigned char *a, *b;

	a = memchr(p, '\0', n);
	if (a == NULL)
		return errno = EINVAL, -1;
	b = memchr(a + 1, '\0', n - (size_t)(a + 1 - p));
	if (b == NULL || memchr(b + 1, '\0', n - (size_t)(b + 1 - p)) != NULL)
		return errno = EINVAL, -1;
	authz_r->p = (const char *)p;
	authz_r->len = (size_t)(a - p);
	user_r->p = (const char *)a + 1;
	user_r->len = (size_t)(b - a - 1);
	pass_r->p = (const char *)b + 1;
	pass_r->len = n - (size_t)(b + 1 - p);
	if (user_r->len == 0 || pass_r->len == 0)
		return errno = EINVAL, -1;
	return 0;
}
