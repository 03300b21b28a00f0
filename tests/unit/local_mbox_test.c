/* local_mbox_test: ">From " quoting of mbox deliveries (local/mbox.c),
 * whole and fed one byte at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "../../local/local.h"
#include "tap.h"

static const struct {
	const char *in, *out;
} cases[] = {
    {"", ""},
    {"hello\n", "hello\n"},
    {"no newline", "no newline\n"},
    {"From me\n", ">From me\n"},
    {">From me\n", ">>From me\n"},
    {">>>From x\n", ">>>>From x\n"},
    {"a\nFrom b\nc\n", "a\n>From b\nc\n"},
    {" From x\n", " From x\n"},
    {"From\n", "From\n"},
    {"Fro", "Fro\n"},
    {">", ">\n"},
    {">>F\n", ">>F\n"},
    {"FromX\n", "FromX\n"},
    {"x From y\n", "x From y\n"},
    {">x\nFrom \n", ">x\n>From \n"},
    {"From From \n", ">From From \n"},
    {"\n\nFrom ", "\n\n>From \n"},
    {"F\nFrom z", "F\n>From z\n"},
    {"From me\r\n", ">From me\r\n"},
};

static char *
run(const char *in, size_t len, size_t step, size_t *olen)
{
	static char got[1024];
	unsigned char mem[64];
	struct mbox_quote q;
	struct io out;
	FILE *f = tmpfile();
	size_t i, n;

	io_init(&out, fileno(f), mem, sizeof mem, 0);
	mbox_quote_init(&q);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		if (mbox_quote_feed(&q, in + i, n, &out) < 0)
			break;
	}
	mbox_quote_end(&q, &out);
	io_flush(&out);
	rewind(f);
	*olen = fread(got, 1, sizeof got, f);
	fclose(f);
	return got;
}

int
main(void)
{
	size_t i, olen, steps[] = {1000, 1, 2, 3};
	char *got, big[600], name[64];

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (size_t s = 0; s < 4; s++) {
			got = run(
			    cases[i].in, strlen(cases[i].in), steps[s], &olen);
			snprintf(name, sizeof name, "case %zu step %zu", i,
			    steps[s]);
			is_mem(got, olen, cases[i].out, strlen(cases[i].out),
			    name);
		}
	}
	memset(big, '>', sizeof big);
	memcpy(big + sizeof big - 6, "From\n", 5);
	got = run(big, sizeof big - 1, 7, &olen);
	ok(olen == sizeof big - 1 && memcmp(got, big, olen) == 0,
	    "long '>' run without 'From ' unchanged");
	memcpy(big + sizeof big - 7, "From \n", 6);
	got = run(big, sizeof big - 1, 1, &olen);
	ok(olen == sizeof big && got[0] == '>' && got[olen - 2] == ' ' &&
	        memcmp(got + 1, big, sizeof big - 1) == 0,
	    "long '>' run with 'From ' quoted once more");
	done_testing();
}
