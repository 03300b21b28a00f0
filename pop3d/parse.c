/* parse.c: pure parsers of quail-pop3d: command lines (RFC 1939, 2449
 * section 4 bound), message numbers, base64 and SASL PLAIN (RFC 4616),
 * UIDL strings.  No I/O, no globals but constant tables.
 * Trust: every input here comes from the network. */
#include <string.h>

#include "limits.h"
#include "pop3d.h"

enum pop3_cmd
pop3_cmd_lookup(const char *p, size_t len)
{
	size_t i;

	for (i = 0; pop3_cmds[i].name != NULL; i++)
		if (str_caseeq(
		        p, len, pop3_cmds[i].name, strlen(pop3_cmds[i].name)))
			return pop3_cmds[i].cmd;
	return C_UNKNOWN;
}

enum pop3_pres
pop3_parse(const unsigned char *p, size_t len, struct pop3_line *out)
{
	size_t k;

	out->cmd = C_UNKNOWN;
	out->arg.p = "";
	out->arg.len = 0;
	if (len > POP3_LINE_MAX)
		return POP3_TOOLONG;
	if (len > 0 && p[len - 1] == '\n')
		len--;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (memchr(p, '\0', len) != NULL)
		return POP3_SYNTAX;
	k = str_chr(p, len, ' ');
	if (k == 0 || k > 4)
		return POP3_SYNTAX;
	out->cmd = pop3_cmd_lookup((const char *)p, k);
	if (k < len) {
		out->arg.p = (const char *)p + k + 1;
		out->arg.len = len - k - 1;
	}
	return POP3_OK;
}

int
pop3_parse_num(struct str s, unsigned long max, unsigned long *r)
{
	unsigned long v = 0;
	size_t i;

	if (s.len == 0 || s.len > 10)
		return -1;
	for (i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s.p[i] - '0');
	}
	if (v == 0 || v > max)
		return -1;
	*r = v;
	return 0;
}

int
pop3_parse_top(struct str s, unsigned long *msg, unsigned long *lines)
{
	size_t k = str_chr(s.p, s.len, ' ');
	struct str a = {s.p, k}, b;
	size_t i;

	if (k == s.len)
		return -1;
	b.p = s.p + k + 1;
	b.len = s.len - k - 1;
	if (pop3_parse_num(a, ~0UL, msg) < 0 || b.len == 0 || b.len > 9)
		return -1;
	*lines = 0;
	for (i = 0; i < b.len; i++) {
		if (b.p[i] < '0' || b.p[i] > '9')
			return -1;
		*lines = *lines * 10 + (unsigned long)(b.p[i] - '0');
	}
	return 0;
}

int
pop3_sasl_plain(
    const unsigned char *p, size_t len, struct str *user, struct str *pass)
{
	size_t a = str_chr(p, len, '\0'), b;

	if (a == len)
		return -1;
	b = a + 1 + str_chr(p + a + 1, len - a - 1, '\0');
	if (b == len)
		return -1;
	user->p = (const char *)p + a + 1;
	user->len = b - a - 1;
	pass->p = (const char *)p + b + 1;
	pass->len = len - b - 1;
	if (user->len == 0 || user->len > POP3_USER_MAX ||
	    pass->len > POP3_PASS_MAX ||
	    memchr(pass->p, '\0', pass->len) != NULL)
		return -1;
	if (a != 0 && !(a == user->len && memcmp(p, user->p, a) == 0))
		return -1; /* acting as another user: not offered */
	return 0;
}

static uint64_t
fnv(const char *p, size_t len, uint64_t h)
{
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

size_t
pop3_uidl(const char *name, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t h[2];
	size_t i, ok = len >= 1 && len <= POP3_UIDL_MAX;

	for (i = 0; ok && i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			ok = 0;
	if (ok) {
		memcpy(out, name, len);
		out[len] = '\0';
		return len;
	}
	h[0] = fnv(name, len, 0xcbf29ce484222325ULL);
	h[1] = fnv(name, len, h[0] ^ 0x9e3779b97f4a7c15ULL);
	out[0] = 'Q';
	for (i = 0; i < 32; i++)
		out[1 + i] = hex[(h[i / 16] >> (60 - 4 * (i % 16))) & 15];
	out[33] = '\0';
	return 33;
}
