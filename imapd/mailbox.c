/* mailbox.c: IMAP mailbox names on Maildir++ (quail-imapd(8), STORE).
 * "INBOX" (any case) is the Maildir itself; every other name N is the
 * directory ".N" in it, the hierarchy separator being '.'.  Names are
 * taken as the client sends them (modified UTF-7, RFC 3501 5.1.3), so
 * Dovecot's and Courier's folders on disk keep their names.  A valid
 * name has no '/', no control byte, no empty component and does not
 * start with '.' (which would escape the ".N" scheme). */
#include <string.h>
#include "imapd.h"
#include "die.h"
#include "maildir.h"
#include "str.h"

bool
mbox_name_ok(const char *name)
{
	size_t i, len = strlen(name);
	char prev = '.';

	if (len == 0 || len > 250)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || c == '/')
			return false;
		if (c == '.' && prev == '.')
			return false;
		prev = (char)c;
	}
	return prev != '.';
}

static bool
is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == ',';
}

/* A name a client may create: printable US-ASCII in modified UTF-7
 * (RFC 3501 5.1.3: "&-" or "&" base64 "-"; a run of 8n+1, 8n+4 or 8n+6
 * base64 letters is not whole UTF-16 units) and no LIST wildcard. */
bool
mbox_newname_ok(const char *name)
{
	size_t i, k;

	for (i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c > 0x7e || c == '*' || c == '%')
			return false;
		if (c != '&')
			continue;
		for (k = i + 1; is_b64((unsigned char)name[k]); k++)
			;
		if (name[k] != '-')
			return false;
		k -= i + 1;
		if (k % 8 == 1 || k % 8 == 4 || k % 8 == 6)
			return false;
		i += k + 1;
	}
	return mbox_name_ok(name);
}

int
mbox_path(const char *root, const char *name, struct buf *out)
{
	buf_reset(out);
	if (str_caseeq(name, strlen(name), "INBOX", 5)) {
		if (buf_cats(out, root) < 0 || buf_cstr(out) < 0)
			die_nomem();
		return 0;
	}
	if (!mbox_name_ok(name))
		return -1;
	if (buf_cats(out, root) < 0 || buf_cats(out, "/.") < 0 ||
	    buf_cats(out, name) < 0 || buf_cstr(out) < 0)
		die_nomem();
	return 0;
}

int
cmd_mbox_arg(struct imap_cmd *c, const struct imap_arg *a, struct buf *name,
    struct buf *path)
{
	if (!arg_is_astring(a) || arg_cstr(a, name) < 0) {
		c->resp = "Invalid mailbox name";
		return -1;
	}
	if (str_caseeq(name->p, name->len, "INBOX", 5) &&
	    buf_copy(name, "INBOX", 5) < 0)
		die_nomem();
	if (buf_cstr(name) < 0)
		die_nomem();
	if (mbox_path(c->s->root, (char *)name->p, path) < 0) {
		c->resp = "Invalid mailbox name";
		memcpy(c->code, "CANNOT", sizeof "CANNOT");
		return -1;
	}
	return 0;
}
