/* netstring.c: the spawn protocol's framing and request fields (pure).
 * Trust: quail-send is trusted but a broken peer must not make us read
 * past a bound: every length is checked before use. */
#include <string.h>

#include "buf.h"
#include "lspawn.h"
#include "scan.h"

enum ns_res
ns_parse(const char *p, size_t len, size_t max, size_t *off_r, size_t *plen_r,
    size_t *used_r)
{
	size_t i, n = 0;

	for (i = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (i == 5 || (i == 1 && p[0] == '0'))
			return NS_BAD;
		n = n * 10 + (size_t)(p[i] - '0');
	}
	if (i == len)
		return i > 5 ? NS_BAD : NS_MORE;
	if (i == 0 || p[i] != ':' || n > max)
		return NS_BAD;
	i++;
	if (len - i < n + 1)
		return NS_MORE;
	if (p[i + n] != ',')
		return NS_BAD;
	*off_r = i;
	*plen_r = n;
	*used_r = i + n + 1;
	return NS_OK;
}

int
ns_put(struct buf *out, const void *p, size_t n)
{
	if (buf_catu(out, n) < 0 || buf_catc(out, ':') < 0 ||
	    buf_cat(out, p, n) < 0 || buf_catc(out, ',') < 0)
		return -1;
	return 0;
}

/* Next NUL-ended field at *pos, or NULL. */
static char *
field(char *p, size_t len, size_t *pos)
{
	char *s = p + *pos, *z;

	if (*pos >= len)
		return NULL;
	z = memchr(s, '\0', len - *pos);
	if (z == NULL)
		return NULL;
	*pos = (size_t)(z - p) + 1;
	return s;
}

int
req_parse(char *p, size_t len, struct request *r)
{
	char *slot, *off;
	size_t pos = 0;

	slot = field(p, len, &pos);
	r->id = field(p, len, &pos);
	r->path = field(p, len, &pos);
	off = field(p, len, &pos);
	r->sender = field(p, len, &pos);
	r->rcpt = field(p, len, &pos);
	r->local = field(p, len, &pos);
	if (r->local == NULL)
		return -1;
	if (scan_ulong_all(slot, strlen(slot), &r->slot) < 0 ||
	    r->slot >= SLOTS_MAX)
		return -1;
	if (scan_ullong(off, strlen(off), &r->offset) != strlen(off) ||
	    *off == '\0')
		return -1;
	return req_path_ok(r->path) ? 0 : -1;
}

static bool
alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

bool
req_path_ok(const char *path)
{
	size_t i = 5, n;

	if (strncmp(path, "mess/", 5) != 0)
		return false;
	for (n = 0; path[i] >= '0' && path[i] <= '9'; i++, n++)
		;
	if (n == 0 || n > 3 || path[i++] != '/')
		return false;
	for (n = 0; alnum(path[i]); i++, n++)
		;
	return n > 0 && n < 64 && path[i] == '\0';
}
