/* fuzz_mime: libFuzzer target for lib/mime.c (the structure parser, header
 * and parameter walkers) and quail-imapd's ENVELOPE and BODYSTRUCTURE
 * writers on its result.  Checks that every part lies inside the input. */
/* fuzz-sources: imapd/envelope.c imapd/reply.c */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../imapd/imapd.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);
void imap_envelope(struct buf *b, const char *hdr, size_t hl);
void imap_bodystructure(
    struct buf *b, const char *msg, const struct mime *m, int idx, bool ext);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct mime m;
	struct buf b = BUF_INIT(1 << 26);
	size_t i;

	if (n > 200000 || mime_parse(&m, (const char *)p, n) < 0)
		return 0;
	for (i = 0; i < m.n; i++) {
		const struct mime_part *x = &m.part[i];
		if (x->off + x->len > n || x->body_off + x->body_len > n ||
		    x->hdr_len > x->len || x->depth > MIME_DEPTH_MAX + 1)
			__builtin_trap();
	}
	imap_envelope(&b, (const char *)p, m.part[0].hdr_len);
	imap_bodystructure(&b, (const char *)p, &m, 0, true);
	buf_free(&b);
	mime_free(&m);
	return 0;
}
