/* netstring.c: netstring framing (netstring.h).
 * Trust: the peer is one of our own programs, but a broken or hostile one
 * must not make us read or allocate past a bound: the length is checked
 * against max digit by digit, before any payload is looked at. */
#include "netstring.h"

#include <errno.h>
#include <string.h>

enum netstring_res
netstring_parse(const void *p, size_t len, size_t max, size_t *off_r,
    size_t *plen_r, size_t *used_r)
{
	const unsigned char *s = p;
	size_t i, n = 0, d;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == 1 && s[0] == '0')
			return NETSTRING_SYNTAX;
		d = (size_t)(s[i] - '0');
		if (d > max || n > (max - d) / 10) /* n * 10 + d > max */
			return NETSTRING_TOOLONG;
		n = n * 10 + d;
	}
	if (i == len)
		return NETSTRING_MORE;
	if (i == 0 || s[i] != ':')
		return NETSTRING_SYNTAX;
	i++;
	if (len - i <= n) /* the payload and the ',' are not all here */
		return NETSTRING_MORE;
	if (s[i + n] != ',')
		return NETSTRING_SYNTAX;
	*off_r = i;
	*plen_r = n;
	*used_r = i + n + 1;
	return NETSTRING_OK;
}

int
netstring_put(struct buf *out, const void *p, size_t n)
{
	size_t digits = 1, v, need;

	for (v = n; v >= 10; v /= 10)
		digits++;
	if (__builtin_add_overflow(n, digits + 2, &need))
		return errno = EMSGSIZE, -1;
	if (buf_ready(out, need) < 0)
		return -1;
	/* with the room reserved, none of these can fail */
	(void)buf_catu(out, n);
	(void)buf_catc(out, ':');
	(void)buf_cat(out, p, n);
	(void)buf_catc(out, ',');
	return 0;
}
