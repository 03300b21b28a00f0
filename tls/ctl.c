/* ctl.c: the control-descriptor protocol between quail-tls and its
 * child (quail-tls(8)).  Pure functions: no I/O.
 * Trust: the child is less trusted than quail-tls (it parses the
 * network); its control lines are bounded (TLS_CTL_MAX) and anything but
 * a well-formed request is answered with FAIL. */
#include <string.h>

#include "buf.h"
#include "tls.h"

enum tls_ctl_cmd
tls_ctl_parse(const unsigned char *p, size_t len, size_t *used_r,
    size_t *rep_off, size_t *rep_len)
{
	const unsigned char *lf = memchr(p, '\n', len);
	size_t n;

	if (lf == NULL)
		return len >= TLS_CTL_MAX ? TLS_CTL_TOOLONG : TLS_CTL_MORE;
	n = (size_t)(lf - p) + 1;
	if (n > TLS_CTL_MAX)
		return TLS_CTL_TOOLONG;
	*used_r = n;
	if (n == 9 && memcmp(p, "STARTTLS\n", 9) == 0) {
		*rep_off = n;
		*rep_len = 0;
		return TLS_CTL_STARTTLS;
	}
	if (n > 10 && memcmp(p, "STARTTLS ", 9) == 0) {
		*rep_off = 9;
		*rep_len = n - 9;
		return TLS_CTL_STARTTLS;
	}
	return TLS_CTL_UNKNOWN;
}

static int
cat_escaped(struct buf *out, const char *s, bool keep_space)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; s[i] != '\0' && i < 2048; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x21 && !(keep_space && c == ' ')) || c >= 0x7f ||
		    c == '\\') {
			unsigned char e[4] = {
			    '\\', 'x', hex[c >> 4], hex[c & 15]};
			if (buf_cat(out, e, 4) < 0)
				return -1;
		} else if (buf_catc(out, c) < 0) {
			return -1;
		}
	}
	return 0;
}

int
tls_ctl_ok(struct buf *out, const char *version, const char *cipher,
    const char *subject)
{
	buf_reset(out);
	if (buf_cats(out, "OK ") < 0 || cat_escaped(out, version, false) < 0 ||
	    buf_catc(out, ' ') < 0 || cat_escaped(out, cipher, false) < 0 ||
	    buf_catc(out, ' ') < 0)
		return -1;
	if (subject == NULL || subject[0] == '\0')
		return buf_cats(out, "-\n");
	if (cat_escaped(out, subject, false) < 0)
		return -1;
	return buf_catc(out, '\n');
}

int
tls_ctl_fail(struct buf *out, const char *reason)
{
	buf_reset(out);
	if (buf_cats(out, "FAIL ") < 0 || cat_escaped(out, reason, true) < 0)
		return -1;
	return buf_catc(out, '\n');
}
