/* fuzz_addr.c: libFuzzer target for lib/addr.c.
 * Feeds the input to addr_parse_path and addr_parse_list (in a buffer of
 * exactly its size, so ASan sees any read past len) and checks the
 * contracts: used <= len, out <= ADDR_MAX without NUL, a parsed address
 * survives addr_quote and a second parse unchanged, and every address
 * from a list is NUL-ended and bounded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_path(const char *p, size_t n)
{
	struct buf out = BUF_INIT(4096), q = BUF_INIT(8192),
	           out2 = BUF_INIT(4096);
	size_t used = 0, used2 = 0;
	unsigned fl = 0, fl2 = 0;

	if (addr_parse_path(p, n, &out, &used, &fl) != ADDR_OK)
		goto done;
	if (used > n || out.len > ADDR_MAX || memchr(out.p, 0, out.len))
		abort();
	if ((fl & ADDR_F_NULL) && out.len != 0)
		abort();
	if (!(fl & ADDR_F_NULL) && addr_at((char *)out.p, out.len) == 0)
		abort();
	if (fl & ADDR_F_NULL)
		goto done;
	if (buf_catc(&q, '<') < 0 || addr_quote(&q, (char *)out.p, out.len) ||
	    buf_catc(&q, '>') < 0)
		abort();
	if (addr_parse_path((char *)q.p, q.len, &out2, &used2, &fl2) != ADDR_OK)
		abort();
	if (used2 != q.len || out2.len != out.len ||
	    memcmp(out2.p, out.p, out.len) != 0)
		abort();
done:
	buf_free(&out);
	buf_free(&q);
	buf_free(&out2);
}

static void
check_list(const char *p, size_t n)
{
	struct buf out = BUF_INIT(1 << 20);
	size_t i, start = 0;
	int r, count = 0;

	r = addr_parse_list(p, n, &out);
	if (r < 0)
		abort();
	for (i = 0; i < out.len; i++) {
		if (out.p[i] != 0)
			continue;
		if (i == start || i - start > ADDR_MAX ||
		    addr_at((char *)out.p + start, i - start) == 0)
			abort();
		count++;
		start = i + 1;
	}
	if (start != out.len || count != r)
		abort();
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);

	if (!p)
		return 0;
	memcpy(p, data, size);
	check_path(p, size);
	check_list(p, size);
	(void)addr_domain_ok(p, size, true);
	(void)addr_domain_ok(p, size, false);
	free(p);
	return 0;
}
