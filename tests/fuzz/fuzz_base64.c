/* fuzz_base64.c: libFuzzer target for lib/base64.c.
 * Decodes the input (in a buffer of exactly its size, so ASan sees any
 * read past n) and checks the contracts: the result fits 3/4 of n, the
 * strict decoder only accepts canonical input (so encoding the result
 * gives the input back), a smaller cap fails with EMSGSIZE, decoding in
 * place agrees; and encoding the input decodes back to it. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_decode(const unsigned char *p, size_t n)
{
	struct buf enc = BUF_INIT(16384);
	unsigned char *out = malloc(n + 1), *copy = malloc(n + 1);
	size_t len = 0, len2 = 0;

	if (out == NULL || copy == NULL)
		abort();
	if (base64_decode(p, n, out, n, &len) == 0) {
		if (len > n / 4 * 3 || n % 4 != 0)
			abort();
		if (base64_encode(&enc, out, len) < 0 || enc.len != n ||
		    memcmp(enc.p, p, n) != 0)
			abort(); /* not canonical, yet accepted */
		if (len > 0 && (base64_decode(p, n, out, len - 1, &len2) == 0 ||
		                   errno != EMSGSIZE))
			abort();
		memcpy(copy, p, n);
		if (base64_decode(copy, n, copy, n, &len2) != 0 ||
		    len2 != len || memcmp(copy, out, len) != 0)
			abort();
	} else if (errno != EINVAL) {
		abort();
	}
	buf_free(&enc);
	free(out);
	free(copy);
}

static void
check_encode(const unsigned char *p, size_t n)
{
	struct buf enc = BUF_INIT(16384);
	unsigned char *out = malloc(n + 1);
	size_t len = 0;

	if (out == NULL)
		abort();
	if (base64_encode(&enc, p, n) < 0 ||
	    base64_decode(enc.p, enc.len, out, n, &len) < 0 || len != n ||
	    memcmp(out, p, n) != 0)
		abort();
	buf_free(&enc);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *p;

	if (size > 8192)
		return 0;
	p = malloc(size ? size : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, size);
	check_decode(p, size);
	check_encode(p, size);
	free(p);
	return 0;
}
