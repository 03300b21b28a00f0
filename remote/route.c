/* route.c: where mail for a domain goes (control/smtproutes.cdb, or the
 * text file when it was never compiled), the TLS policy
 * (control/tlsdestinations) and relay credentials (control/relayauth,
 * quailr 0600).  Control files are trusted (root-written) but parsed
 * with bounds. */
#include <errno.h>
#include <string.h>

#include "cdbx.h"
#include "control.h"
#include "remote.h"
#include "scan.h"
#include "str.h"

int
route_value(const char *v, size_t n, struct dest *d)
{
	size_t hl;
	unsigned long port = 25;

	if (n > 0 && v[0] == '[')
		hl = str_chr(v, n, ']') + 1;
	else
		hl = str_chr(v, n, ':');
	if (hl > n || hl >= sizeof d->host)
		return -1;
	if (hl < n) {
		if (v[hl] != ':' ||
		    scan_ulong_all(v + hl + 1, n - hl - 1, &port) < 0 ||
		    port == 0 || port > 65535)
			return -1;
	}
	memcpy(d->host, v, hl);
	d->host[hl] = '\0';
	str_lower(d->host, hl);
	d->port = (unsigned)port;
	return 0;
}

int
route_match(const char *key, size_t klen, const char *name)
{
	size_t nl = strlen(name);

	if (klen == 0)
		return 1;
	if (str_caseeq(key, klen, name, nl))
		return 3;
	if (key[0] == '.' && klen < nl &&
	    str_caseeq(key, klen, name + nl - klen, klen))
		return 2;
	return 0;
}

/* Best line "key:value" of a NUL-separated list for name: exact, then
 * the longest .suffix, then "".  Returns the line or NULL. */
static const char *
best_line(const struct buf *l, const char *name, size_t *vo_r)
{
	const char *p = (const char *)l->p, *best = NULL;
	size_t i = 0, len, c, bestk = 0;
	int m, bestm = 0;

	while (i < l->len) {
		len = strlen(p + i);
		c = str_chr(p + i, len, ':');
		if (c < len && (m = route_match(p + i, c, name)) > 0 &&
		    (m > bestm || (m == bestm && c > bestk))) {
			best = p + i;
			bestm = m;
			bestk = c;
			*vo_r = c + 1;
		}
		i += len + 1;
	}
	return best;
}

static int
route_text(const char *name, struct dest *d)
{
	struct buf l = BUF_INIT(CONTROL_LIST_MAX);
	const char *line;
	size_t vo = 0;
	int r = 0;

	if (control_readlist(&l, "smtproutes") < 0) {
		buf_free(&l);
		return -1;
	}
	if ((line = best_line(&l, name, &vo)) != NULL &&
	    route_value(line + vo, strlen(line + vo), d) < 0) {
		errno = EINVAL;
		r = -1;
	}
	buf_free(&l);
	return r;
}

int
route_dest(const char *domain, struct dest *d)
{
	struct cdbx db;
	struct buf v = BUF_INIT(1024);
	char key[260];
	size_t n = strlen(domain), i;
	int r = 0;

	d->host[0] = '\0';
	d->port = 25;
	if (n >= sizeof key - 1)
		return 0;
	if (cdbx_open(&db, "control/smtproutes.cdb") < 0)
		return errno == ENOENT ? route_text(domain, d) : -1;
	memcpy(key, domain, n + 1);
	str_lower(key, n);
	r = cdbx_get(&db, key, n, &v);
	for (i = 1; r == 0 && i < n; i++)
		if (key[i] == '.')
			r = cdbx_get(&db, key + i, n - i, &v);
	if (r == 0)
		r = cdbx_get(&db, "", 0, &v);
	cdbx_close(&db);
	if (r == 1 && route_value((const char *)v.p, v.len, d) < 0) {
		errno = EINVAL;
		r = -1;
	}
	buf_free(&v);
	return r < 0 ? -1 : 0;
}

static const struct {
	const char *name;
	enum tlspol pol;
} policies[] = {
    {"none", TLS_NONE},
    {"may", TLS_MAY},
    {"require", TLS_REQUIRE},
    {"verify", TLS_VERIFY},
};

static int
policy(const char *v, enum tlspol *p_r)
{
	size_t i;

	for (i = 0; i < sizeof policies / sizeof policies[0]; i++)
		if (strcmp(v, policies[i].name) == 0) {
			*p_r = policies[i].pol;
			return 0;
		}
	errno = EINVAL;
	return -1;
}

int
route_tls(const char *domain, const char *host, enum tlspol *p_r)
{
	struct buf l = BUF_INIT(CONTROL_LIST_MAX);
	const char *line = NULL;
	size_t vo = 0;
	int r = 0;

	*p_r = TLS_MAY;
	if (control_readlist(&l, "tlsdestinations") < 0) {
		buf_free(&l);
		return -1;
	}
	if (host[0] != '\0')
		line = best_line(&l, host, &vo);
	if (line == NULL || line[0] == ':')
		line = best_line(&l, domain, &vo);
	if (line != NULL)
		r = policy(line + vo, p_r);
	buf_free(&l);
	return r;
}

int
route_auth(const char *host, struct buf *user, struct buf *pass)
{
	struct buf l = BUF_INIT(CONTROL_LIST_MAX);
	const char *p;
	size_t i = 0, len, c, c2;
	int r = 0;

	if (control_readlist(&l, "relayauth") < 0) {
		buf_free(&l);
		return -1;
	}
	p = (const char *)l.p;
	while (r == 0 && i < l.len) {
		len = strlen(p + i);
		c = str_chr(p + i, len, ':');
		c2 = c < len ? c + 1 + str_chr(p + i + c + 1, len - c - 1, ':')
		             : len;
		if (c2 < len && str_caseeq(p + i, c, host, strlen(host))) {
			r = buf_copy(user, p + i + c + 1, c2 - c - 1) < 0 ||
			            buf_copy(
			                pass, p + i + c2 + 1, len - c2 - 1) < 0
			        ? -1
			        : 1;
		}
		i += len + 1;
	}
	buf_free(&l); /* buf_free wipes the contents */
	return r;
}
