/* parse.c: quail-auth's pure parsers: the checkpassword input on fd 3,
 * a control/mailboxes.cdb value, a flags list.  No I/O.
 * Trust: the input comes from the network daemon that called us (it
 * relays what a client typed); every byte is bounded and checked. */
#include <string.h>

#include "auth.h"
#include "str.h"

int
auth_parse(const unsigned char *p, size_t n, struct auth_req *r)
{
	const unsigned char *z1, *z2;
	size_t ulen, i;

	memset(r, 0, sizeof *r);
	if (n > AUTH_INPUT_MAX || (z1 = memchr(p, '\0', n)) == NULL)
		return -1;
	ulen = (size_t)(z1 - p);
	z2 = memchr(z1 + 1, '\0', n - ulen - 1);
	if (z2 == NULL || ulen == 0 || ulen > AUTH_USER_MAX)
		return -1;
	for (i = 0; i < ulen; i++)
		if (p[i] < 0x21 || p[i] == 0x7f || p[i] == '/' || p[i] == ':')
			return -1;
	memcpy(r->user, p, ulen);
	r->user[ulen] = '\0';
	if (memchr(r->user, '@', ulen) != NULL)
		str_lower(r->user, ulen); /* mailboxes.cdb keys */
	r->pass = (const char *)z1 + 1;
	r->passlen = (size_t)(z2 - z1 - 1);
	return 0;
}

int
auth_mbox_split(const unsigned char *v, size_t n, struct auth_mbox *m)
{
	struct str_field *f[4] = {&m->hash, &m->quota, &m->flags, &m->maildir};
	size_t i, start = 0, k = 0;

	for (i = 0; i <= n && k < 4; i++) {
		if (i == n || v[i] == '\0') {
			f[k]->p = (const char *)v + start;
			f[k]->len = i - start;
			k++;
			start = i + 1;
		}
	}
	if (k != 4 || start < n)
		return -1;
	return 0;
}

static bool
flag_is(const char *f, size_t len, const char *want)
{
	return str_caseeq(f, len, want, strlen(want));
}

bool
auth_flag_denies(const char *flags, size_t len, const char *service)
{
	size_t i = 0, j;
	const char *no = NULL;

	if (service == NULL)
		no = NULL;
	else if (strcmp(service, "pop3") == 0 || strcmp(service, "pop") == 0)
		no = "nopop";
	else if (strcmp(service, "imap") == 0)
		no = "noimap";
	else if (strcmp(service, "smtp") == 0 ||
	         strcmp(service, "submission") == 0)
		no = "nosmtp";
	while (i < len) {
		j = i + str_chr(flags + i, len - i, ',');
		struct str f = str_trim((struct str){flags + i, j - i});
		if (flag_is(f.p, f.len, "disabled"))
			return true;
		/* no service named: any "no..." flag denies (fail closed) */
		if (no ? flag_is(f.p, f.len, no)
		       : (f.len > 2 && str_casestarts(f.p, f.len, "no")))
			return true;
		i = j + 1;
	}
	return false;
}
