/* base64.c: strict RFC 4648 base64 (base64.h).
 * Trust: decodes client input before authentication (SMTP, IMAP and POP3
 * AUTH): every byte is checked, nothing is written past cap. */
#include "base64.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
base64_value(unsigned char c)
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

/* One quantum q[0..4) into b: 1..3 bytes, or -1.  last: the final
 * quantum, the only one where '=' may stand (positions 2 and 3, and
 * nothing but '=' after the first). */
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
		if (pad > 0 || (v[i] = base64_value(q[i])) < 0)
			return -1;
	}
	/* RFC 4648 3.5: the pad bits must be zero */
	if ((pad == 1 && (v[2] & 3)) || (pad == 2 && (v[1] & 15)))
		return -1;
	b[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
	b[1] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
	b[2] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	return 3 - pad;
}

int
base64_decode(const void *in, size_t n, void *out, size_t cap, size_t *len_r)
{
	const unsigned char *p = in;
	unsigned char *o = out, b[3];
	size_t i, len = 0;
	int k;

	if (n % 4 != 0)
		return errno = EINVAL, -1;
	for (i = 0; i < n; i += 4) {
		k = quantum(p + i, i + 4 == n, b);
		if (k < 0)
			return errno = EINVAL, -1;
		if ((size_t)k > cap - len)
			return errno = EMSGSIZE, -1;
		memcpy(o + len, b, (size_t)k);
		len += (size_t)k;
	}
	*len_r = len;
	return 0;
}

int
base64_encode(struct buf *out, const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned char *o;
	size_t i, need;
	unsigned v;

	if (__builtin_mul_overflow(n / 3 + (n % 3 != 0), 4, &need))
		return errno = EMSGSIZE, -1;
	if (buf_ready(out, need) < 0)
		return -1;
	o = out->p + out->len;
	for (i = 0; i < n; i += 3, o += 4) {
		v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		o[0] = (unsigned char)alphabet[v >> 18];
		o[1] = (unsigned char)alphabet[(v >> 12) & 63];
		o[2] = i + 1 < n ? (unsigned char)alphabet[(v >> 6) & 63] : '=';
		o[3] = i + 2 < n ? (unsigned char)alphabet[v & 63] : '=';
	}
	out->len += need;
	return 0;
}
