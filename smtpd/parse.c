/* parse.c: SMTP command-line parsers (RFC 5321 4.1).  Pure functions over
 * untrusted bytes from the network: every index is checked against len,
 * nothing relies on a terminating NUL. */
#include "parse.h"

#include "addr.h"
#include "limits.h"
#include "scan.h"

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

enum pres
smtpd_parse_cmd(const unsigned char *p, size_t len, struct smtp_cmd *out)
{
	size_t i, end, v;

	if (len > SMTP_LINE_MAX)
		return P_TOOLONG;
	if (len == 0 || p[len - 1] != '\n')
		return P_MORE;
	end = len - 1;
	if (end > 0 && p[end - 1] == '\r')
		end--;
	for (i = 0; i < end; i++)
		if (p[i] == '\0' || p[i] == '\r' || p[i] == '\n')
			return P_SYNTAX;
	for (v = 0; v < end && is_alpha(p[v]); v++)
		;
	if (v == 0 || v > 16 || (v < end && p[v] != ' '))
		return P_SYNTAX;
	out->verb.p = (const char *)p;
	out->verb.len = v;
	i = v < end ? v + 1 : end;
	while (end > i && is_blank(p[end - 1]))
		end--;
	out->arg.p = (const char *)p + i;
	out->arg.len = end - i;
	return P_OK;
}

enum pres
smtpd_parse_helo(const unsigned char *p, size_t len, struct str *out)
{
	size_t i = 0, j;

	while (i < len && is_blank(p[i]))
		i++;
	for (j = i; j < len && !is_blank(p[j]); j++)
		if (p[j] < 0x20 || p[j] == 0x7f)
			return P_SYNTAX;
	if (j == i)
		return P_SYNTAX;
	if (j - i > SMTP_HELO_MAX)
		return P_TOOLONG;
	out->p = (const char *)p + i;
	out->len = j - i;
	return P_OK;
}

/* One ESMTP parameter of MAIL (RFC 5321 4.1.2 esmtp-param). */
static enum mp_err
mail_param(const unsigned char *k, size_t klen, const unsigned char *v,
    size_t vlen, bool hasv, struct smtp_path *out)
{
	unsigned long long n;

	if (str_caseeq(k, klen, "SIZE", 4)) {
		if (!hasv || vlen == 0 || vlen > 20 ||
		    scan_ullong((const char *)v, vlen, &n) != vlen)
			return MP_E_PARAMVALUE;
		out->params |= MP_SIZE;
		out->size = n;
		return MP_E_NONE;
	}
	if (str_caseeq(k, klen, "BODY", 4)) {
		if (hasv && str_caseeq(v, vlen, "8BITMIME", 8))
			out->params |= MP_8BIT;
		else if (hasv && str_caseeq(v, vlen, "7BIT", 4))
			out->params |= MP_7BIT;
		else
			return MP_E_PARAMVALUE;
		return MP_E_NONE;
	}
	if (str_caseeq(k, klen, "SMTPUTF8", 8)) {
		if (hasv)
			return MP_E_PARAMVALUE;
		out->params |= MP_UTF8;
		return MP_E_NONE;
	}
	return MP_E_PARAM;
}

/* Space-separated parameters after the path. */
static enum mp_err
params(const unsigned char *p, size_t len, bool rcpt, struct smtp_path *out)
{
	size_t i = 0, k, eq;
	enum mp_err e;

	while (i < len) {
		if (!is_blank(p[i]))
			return MP_E_ADDR; /* junk glued to the path */
		while (i < len && is_blank(p[i]))
			i++;
		if (i == len)
			break;
		for (k = i; k < len && !is_blank(p[k]); k++)
			;
		if (rcpt)
			return MP_E_PARAM;
		for (eq = i; eq < k && p[eq] != '='; eq++)
			;
		e = mail_param(p + i, eq - i, p + eq + (eq < k),
		    eq < k ? k - eq - 1 : 0, eq < k, out);
		if (e != MP_E_NONE)
			return e;
		i = k;
	}
	return MP_E_NONE;
}

enum pres
smtpd_parse_path(
    const unsigned char *p, size_t len, bool rcpt, struct smtp_path *out)
{
	const char *pre = rcpt ? "TO:" : "FROM:";
	size_t plen = rcpt ? 3 : 5, i, used = 0;
	enum addr_res r;

	out->aflags = 0;
	out->params = 0;
	out->size = 0;
	out->err = MP_E_NONE;
	if (len > SMTP_LINE_MAX)
		return P_TOOLONG;
	if (len < plen || !str_casestarts(p, len, pre)) {
		out->err = MP_E_PREFIX;
		return P_SYNTAX;
	}
	i = plen;
	while (i < len && is_blank(p[i])) /* "MAIL FROM: <a>": tolerated */
		i++;
	if (i == len) {
		out->err = MP_E_ADDR;
		return P_SYNTAX;
	}
	buf_reset(out->addr);
	r = addr_parse_path(
	    (const char *)p + i, len - i, out->addr, &used, &out->aflags);
	if (r != ADDR_OK || used == 0 || used > len - i) {
		out->err = MP_E_ADDR;
		return r == ADDR_TOOLONG ? P_TOOLONG : P_SYNTAX;
	}
	i += used;
	out->err = params(p + i, len - i, rcpt, out);
	return out->err == MP_E_NONE ? P_OK : P_SYNTAX;
}
