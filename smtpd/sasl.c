/* sasl.c: strict base64 and the SASL PLAIN message (sasl.h).
 * Trust: input is the client's, before authentication: every byte is
 * checked, nothing is written past cap. */
#include "sasl.h"

#include <errno.h>
#include <string.h>

static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* One quantum of 4 characters into 1..3 bytes; last tells whether '='
 * padding is allowed here.  Returns the byte count or -1. */
static int
quantum(const unsigned char *q, bool last, unsigned char b[3])
{
	int v[4], i, pad = 0;

	for (i = 0; i < 4; i++) {
		if (q[i] == '=' && last && i >= 2) {
			pad++;
			v[i] = 0;
			continue;
		}
		if (pad > 0 || (v[i] = b64val(q[i])) < 0)
			return -1;
	}
	b[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
	b[1] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
	b[2] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	/* non-canonical encodings (bits set in the padding) are refused */
	if ((pad == 1 && (v[2] & 3)) || (pad == 2 && (v[1] & 15)))
		return -1;
	return 3 - pad;
}

int
sasl_b64decode(
    const char *in, size_t n, unsigned char *out, size_t cap, size_t *len_r)
{
	const unsigned char *p = (const unsigned char *)in;
	unsigned char b[3];
	size_t i, len = 0;
	int k;

	if (n % 4 != 0)
		return errno = EINVAL, -1;
	for (i = 0; i < n; i += 4) {
		k = quantum(p + i, i + 4 == n, b);
		if (k < 0)
			return errno = EINVAL, -1;
		if (len + (size_t)k > cap)
			return errno = EMSGSIZE, -1;
		memcpy(out + len, b, (size_t)k);
		len += (size_t)k;
	}
	*len_r = len;
	return 0;
}

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
