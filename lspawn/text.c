/* text.c: quail-local's report (any bytes) into the one-line reply text
 * of the spawn protocol: LF -> '/', other control bytes -> '_', bounded
 * by TEXT_MAX.  Pure. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lspawn.h"

void
text_add(char *text, size_t *tlen, const char *p, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n && *tlen < TEXT_MAX; i++) {
		c = (unsigned char)p[i];
		if (c == '\n')
			c = '/';
		else if (c < 0x20 || c == 0x7f)
			c = '_';
		text[(*tlen)++] = (char)c;
	}
}

void
text_end(char *text, size_t *tlen)
{
	while (*tlen > 0 && (text[*tlen - 1] == '/' || text[*tlen - 1] == ' '))
		(*tlen)--;
}

/* true if p[0..n) starts with "C.d.d " (RFC 3463 status of class C). */
static bool
is_code(const char *p, size_t n, char cls)
{
	size_t i = 1, k;

	if (n < 6 || p[0] != cls || p[1] != '.')
		return false;
	for (k = 0; k < 2; k++) {
		size_t d = 0;
		for (i++; i < n && p[i] >= '0' && p[i] <= '9' && d < 3; i++)
			d++;
		if (d == 0 || i >= n || p[i] != (k == 0 ? '.' : ' '))
			return false;
	}
	return true;
}

void
text_lead_code(char *text, size_t *tlen, char cls)
{
	char tmp[TEXT_MAX];
	size_t i, start = *tlen, end, n = *tlen, k;

	for (i = n; i-- > 0;) {
		if ((i == 0 || text[i - 1] == '/') &&
		    is_code(text + i, n - i, cls)) {
			start = i;
			break;
		}
	}
	if (start == 0 || start == n)
		return; /* already first, or none */
	for (end = start; end < n && text[end] != '/'; end++)
		;
	k = 0;
	memcpy(tmp, text + start, end - start);
	k += end - start;
	tmp[k++] = '/';
	memcpy(tmp + k, text, start - 1); /* without its '/' */
	k += start - 1;
	if (end < n) {
		memcpy(tmp + k, text + end, n - end);
		k += n - end;
	}
	if (k > TEXT_MAX)
		k = TEXT_MAX;
	memcpy(text, tmp, k);
	*tlen = k;
	text_end(text, tlen);
}
