/* fuzz_pop3: libFuzzer target for quail-pop3d's command parser and the
 * argument parsers behind it (message numbers, TOP, base64, SASL PLAIN,
 * UIDL).  The first byte chooses the parser. */
/* fuzz-sources: pop3d/parse.c pop3d/commands.c pop3d/drop.c pop3d/retr.c */
#include <stddef.h>
#include <stdint.h>

#include "base64.h"
#include "buf.h"
#include "../../pop3d/limits.h"
#include "../../pop3d/pop3d.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static struct buf b = BUF_INIT(4096);
	struct pop3_line l;
	struct str s, u, pw;
	unsigned long a, c;
	char uid[POP3_UIDL_MAX + 1];

	if (n == 0 || n > 4096)
		return 0;
	if (pop3_parse(p + 1, n - 1, &l) == POP3_OK) {
		if (l.arg.len > POP3_LINE_MAX || l.cmd >= C_NCMD)
			__builtin_trap();
		(void)pop3_parse_num(l.arg, 100000, &a);
		(void)pop3_parse_top(l.arg, &a, &c);
	}
	s.p = (const char *)p + 1;
	s.len = n - 1;
	if (p[0] & 1) {
		buf_reset(&b);
		if (buf_ready(&b, s.len) == 0 &&
		    base64_decode(s.p, s.len, b.p, s.len, &b.len) == 0 &&
		    pop3_sasl_plain(b.p, b.len, &u, &pw) == 0 &&
		    (u.len == 0 || u.len > POP3_USER_MAX))
			__builtin_trap();
	}
	if (pop3_uidl(s.p, s.len, uid) > POP3_UIDL_MAX)
		__builtin_trap();
	return 0;
}
