/* fuzz_smtp: libFuzzer target for quail-smtpd's parsers: the command
 * line, HELO, MAIL/RCPT paths with parameters, and the DATA state machine
 * fed in two pieces split by the first input byte. */
/* fuzz-sources: smtpd/parse.c smtpd/data.c */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "../../smtpd/data.h"
#include "../../smtpd/limits.h"
#include "../../smtpd/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

static void
data(const uint8_t *p, size_t n)
{
	static unsigned char out[70000];
	struct data_sm d;
	size_t cut, olen, used;

	if (n == 0 || n > 60000)
		return;
	cut = p[0] % n;
	smtpd_data_init(&d, 1000);
	if (smtpd_data_feed(&d, p, cut, out, &olen, &used) == DATA_MORE) {
		if (olen > cut + 2 || used != cut)
			__builtin_trap();
		(void)smtpd_data_feed(&d, p + cut, n - cut, out, &olen, &used);
		if (olen > n - cut + 2 || used > n - cut)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct buf a = BUF_INIT(SMTP_ADDR_MAX + 1);
	struct smtp_path path = {.addr = &a};
	struct smtp_cmd c;
	struct str h;

	if (smtpd_parse_cmd(p, n, &c) == P_OK) {
		if (c.verb.len == 0 ||
		    c.arg.p + c.arg.len > (const char *)p + n)
			__builtin_trap();
		(void)smtpd_parse_helo(
		    (const unsigned char *)c.arg.p, c.arg.len, &h);
		(void)smtpd_parse_path((const unsigned char *)c.arg.p,
		    c.arg.len, c.verb.len == 4 && (c.verb.p[0] | 32) == 'r',
		    &path);
	}
	(void)smtpd_parse_path(p, n, false, &path);
	(void)smtpd_parse_path(p, n, true, &path);
	if (a.len > SMTP_ADDR_MAX)
		__builtin_trap();
	buf_free(&a);
	data(p, n);
	return 0;
}
