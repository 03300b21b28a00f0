/* fuzz_netstring.c: libFuzzer target for lib/netstring.c.
 * Parses the input as a stream of records (in a buffer of exactly its
 * size, so ASan sees any read past len) and checks the contracts: a record
 * lies inside the input, its payload is at most max, formatting it again
 * gives the same bytes, and every proper prefix of it is NETSTRING_MORE. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "netstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_record(const unsigned char *p, size_t used, size_t off, size_t plen)
{
	struct buf b = BUF_INIT(8192 + 16);
	size_t i, o, l, u;

	if (netstring_put(&b, p + off, plen) < 0 || b.len != used ||
	    memcmp(b.p, p, used) != 0)
		abort();
	for (i = 0; i < used; i++)
		if (netstring_parse(p, i, 8192, &o, &l, &u) != NETSTRING_MORE)
			abort();
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *p;
	size_t done = 0, off, plen, used;
	enum netstring_res r;

	if (size > 16384)
		return 0;
	p = malloc(size ? size : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, size);
	while ((r = netstring_parse(p + done, size - done, 8192, &off, &plen,
	            &used)) == NETSTRING_OK) {
		if (used > size - done || plen > 8192 || off + plen + 1 != used)
			abort();
		check_record(p + done, used, off, plen);
		done += used;
	}
	if (r != NETSTRING_MORE && r != NETSTRING_SYNTAX &&
	    r != NETSTRING_TOOLONG)
		abort();
	free(p);
	return 0;
}
