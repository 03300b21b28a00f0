/* request.c: the spawn protocol's request fields (pure); the netstring
 * framing around them is lib/netstring.  Trust: quail-send is trusted but
 * a broken peer must not make us read past a bound: every field must end
 * inside the payload. */
#include <string.h>

#include "lspawn.h"
#include "scan.h"

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
