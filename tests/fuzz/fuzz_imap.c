/* fuzz_imap: libFuzzer target for quail-imapd's command parser
 * (parse_command, every prefix of the input too), the literal-tail
 * check, sequence sets, FETCH section specs and IMAP dates. */
/* fuzz-sources: imapd/parse.c imapd/seqset.c imapd/date.c imapd/section.c */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../imapd/imapd.h"
#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n);
int fetch_section(const char *msg, size_t len, const struct mime *m,
    const char *sec, size_t slen, struct buf *out, const char **p_r,
    size_t *n_r);

static struct arg_arena ar;

static volatile unsigned char sink;

static void
walk(const struct imap_arg *a, size_t n, int depth)
{
	size_t i;

	if (depth > IMAP_NEST_MAX + 1)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if (a[i].type == ARG_LIST)
			walk(a[i].list, a[i].n, depth + 1);
		else if (a[i].len)
			sink =
			    (unsigned char)a[i].p[a[i].len - 1]; /* in bounds */
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	unsigned char *b;
	struct imap_arg *t, *nm, *a;
	struct seqset s;
	unsigned long long lit;
	bool plus;
	size_t k;

	if (n > 100000)
		return 0;
	b = malloc(n + 1);
	if (b == NULL)
		return 0;
	memcpy(b, p, n);
	if (parse_command(b, n, &ar, &t, &nm, &a, &k) == P_OK) {
		if (ar.used > IMAP_ARGS_MAX)
			__builtin_trap();
		walk(a, k, 0);
	}
	(void)parse_literal_tail(p, n, &lit, &plus);
	(void)seqset_parse((const char *)p, n, 77, &s);
	(void)fetch_section("", 0, NULL, (const char *)p, n, NULL, NULL, NULL);
	(void)imap_parse_date((const char *)p, n, n > 12);
	(void)rfc822_parse_date((const char *)p, n);
	free(b);
	return 0;
}
