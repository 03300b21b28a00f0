/* fuzz_remote: libFuzzer target for quail-remote's parsers of untrusted
 * input: SMTP reply lines (split at LF, as conn_reply feeds them),
 * enhanced codes, EHLO keywords, DNS answers, and the DATA encoder. */
/* fuzz-sources: remote/reply.c remote/msg.c remote/dns.c */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../remote/remote.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static void
replies(const uint8_t *p, size_t n)
{
	static struct reply r;
	struct caps c;
	char st[16];
	size_t i = 0, e;

	memset(&c, 0, sizeof c);
	reply_init(&r);
	while (i < n) {
		for (e = i; e < n && p[e] != '\n'; e++)
			;
		if (e - i > REPLY_LINE_MAX)
			break;
		if (reply_line(&r, (const char *)p + i, e - i) != RP_MORE) {
			if (reply_enhanced(&r, st) > 15)
				__builtin_trap();
			reply_init(&r);
		}
		ehlo_line(&c, (const char *)p + i, e - i);
		if (r.text.len > REPLY_TEXT_MAX)
			__builtin_trap();
		i = e + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct mxhost mx[8];
	struct sockaddr_storage sa[8];
	struct buf o = BUF_INIT(4 * 70000);
	bool nullmx;
	int st = 0;

	if (n > 65536)
		return 0;
	replies(p, n);
	(void)dns_parse(p, n, 15, mx, NULL, 8, 0, &nullmx);
	(void)dns_parse(p, n, 1, NULL, sa, 8, 25, &nullmx);
	(void)dns_parse(p, n, 28, NULL, sa, 8, 25, &nullmx);
	if (msg_encode(&o, p, n, &st) == 0 && msg_encode_end(&o, st) == 0 &&
	    (o.len < n + 3 || o.len > 3 * n + 5))
		__builtin_trap();
	buf_free(&o);
	return 0;
}
