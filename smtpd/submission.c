/* submission.c: whose envelope sender an authenticated submission
 * client may use (RFC 6409 4.3, 8.1).  The sender must be the
 * authenticated user, optionally with an extension (user+ext@dom or
 * user-ext@dom); a system user (no '@') owns local@D for D = control/me
 * or a domain in control/locals.cdb.  Users listed in
 * control/submissionanysender (or "*" there: everybody) may use any
 * sender.  <> is refused for everybody else. */
#include "smtpd.h"

#include <errno.h>

#include "addr.h"
#include "cdbx.h"
#include "control.h"
#include "die.h"

static bool
any_sender(struct smtpd *s)
{
	size_t i, n;

	if (control_readlist(&s->tmp, "submissionanysender") < 0) {
		log_warn("unable to read control/submissionanysender: %s",
		    strerror(errno));
		return false;
	}
	for (i = 0; i < s->tmp.len; i += n + 1) {
		n = strlen((const char *)s->tmp.p + i);
		if ((n == 1 && s->tmp.p[i] == '*') ||
		    str_caseeq(
		        s->tmp.p + i, n, s->authuser, strlen(s->authuser)))
			return true;
	}
	return false;
}

/* local is user, or user followed by '+' or '-' and an extension. */
static bool
local_matches(const char *local, size_t n, const char *user, size_t ulen)
{
	if (n < ulen || !str_caseeq(local, ulen, user, ulen))
		return false;
	return n == ulen || local[ulen] == '+' || local[ulen] == '-';
}

static bool
our_domain(struct smtpd *s, const char *dom, size_t n)
{
	unsigned char key[256];
	int r;

	if (str_caseeq(dom, n, s->me.p, s->me.len))
		return true;
	if (n == 0 || n > sizeof key)
		return false;
	memcpy(key, dom, n);
	str_lower(key, n);
	buf_reset(&s->tmp);
	if (control_path(&s->tmp, "locals.cdb") < 0)
		return false;
	r = cdbx_lookup((const char *)s->tmp.p, key, n, NULL);
	return r == 1;
}

const char *
smtpd_policy_submission(
    struct smtpd *s, const struct buf *addr, unsigned aflags)
{
	static const char no[] =
	    "553 5.7.1 sender address does not belong to you";
	const char *a = (const char *)addr->p, *u = s->authuser;
	size_t at, uat, ulen = strlen(u);

	if (any_sender(s))
		return NULL;
	if (aflags & ADDR_F_NULL)
		return no;
	at = addr_at(a, addr->len);
	if (at == addr->len)
		return no;
	uat = addr_at(u, ulen);
	if (uat == ulen)
		return local_matches(a, at, u, ulen) &&
		               our_domain(s, a + at + 1, addr->len - at - 1)
		           ? NULL
		           : no;
	if (!str_caseeq(a + at, addr->len - at, u + uat, ulen - uat) ||
	    !local_matches(a, at, u, uat))
		return no;
	return NULL;
}
