/* inj_phrase.c: a display name for From: (RFC 5322 section 3.2.5
 * phrases; RFC 2047 encoded words for 8-bit names). */
#include <string.h>

#include "base64.h"
#include "inject.h"

int
inj_phrase(struct buf *out, const char *s, size_t len)
{
	static const char specials[] = "()<>[]:;@\\,.\"";
	unsigned char clean[INJ_NAME_MAX];
	bool eight = false, special = false;
	size_t i, e, n = 0;

	for (i = 0; i < len && n < sizeof clean; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 32 || c == 127)
			continue;
		eight |= c >= 128;
		special |= c < 128 && strchr(specials, c) != NULL;
		clean[n++] = c;
	}
	if (eight) {
		/* one encoded word per 45 bytes keeps lines short (RFC 2047
		 * section 2: at most 75 characters each) */
		for (i = 0; i < n; i = e) {
			e = n - i > 45 ? i + 45 : n;
			while (e < n && e > i + 1 && (clean[e] & 0xc0) == 0x80)
				e--; /* whole UTF-8 characters only */
			if ((i > 0 && buf_catc(out, ' ') < 0) ||
			    buf_cats(out, "=?UTF-8?B?") < 0 ||
			    base64_encode(out, clean + i, e - i) < 0 ||
			    buf_cats(out, "?=") < 0)
				return -1;
		}
		return 0;
	}
	if (!special)
		return buf_cat(out, clean, n);
	if (buf_catc(out, '"') < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (((clean[i] == '"' || clean[i] == '\\') &&
		        buf_catc(out, '\\') < 0) ||
		    buf_catc(out, clean[i]) < 0)
			return -1;
	return buf_catc(out, '"');
}
