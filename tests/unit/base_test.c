/* base_test.c: lib/buf, lib/fmt, lib/str, lib/scan, lib/qid. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "buf.h"
#include "fmt.h"
#include "qid.h"
#include "scan.h"
#include "str.h"
#include "tap.h"

static void
test_buf(void)
{
	struct buf b = BUF_INIT(10);
	int r;

	ok(buf_cats(&b, "hello") == 0, "buf_cats within max");
	ok(buf_cat(&b, "world", 5) == 0, "buf_cat to exactly max");
	errno = 0;
	r = buf_catc(&b, '!');
	ok(r == -1 && errno == EMSGSIZE, "one byte past max: EMSGSIZE");
	is_mem(b.p, b.len, "helloworld", 10, "failed cat leaves contents");
	ok(buf_cstr(&b) == 0 && b.p[10] == 0 && b.len == 10,
	    "buf_cstr at max adds an uncounted NUL");
	ok(buf_copy(&b, "abc", 3) == 0, "buf_copy");
	is_mem(b.p, b.len, "abc", 3, "buf_copy replaces");
	ok(buf_copy(&b, "0123456789x", 11) == -1, "buf_copy over max fails");
	is_mem(b.p, b.len, "abc", 3, "failed buf_copy keeps old contents");
	buf_free(&b);
	ok(b.p == NULL && b.len == 0, "buf_free");
	buf_init(&b, (size_t)-1);
	errno = 0;
	r = buf_ready(&b, (size_t)-1);
	ok(r == -1, "size overflow refused");
	ok(buf_cat(&b, "", 0) == 0 && b.len == 0, "empty cat");
	ok(buf_catu(&b, 18446744073709551615ULL) == 0, "buf_catu max");
	is_mem(b.p, b.len, "18446744073709551615", 20, "buf_catu digits");
	buf_free(&b);
}

static const struct {
	const char *want;
	int kind;
} fmt_cases[] = {
    {"a 1 b", 0},
    {"-42", 1},
    {"00ff", 2},
    {"x%y", 3},
    {"ab", 4},
    {"(null)", 5},
    {"18446744073709551615", 6},
    {"   7", 7},
    {"-9223372036854775808", 8},
    {"4096", 9},
};

static void
fmt_case(struct buf *b, int kind)
{
	switch (kind) {
	case 0:
		buf_printf(b, "a %d %s", 1, "b");
		break;
	case 1:
		buf_printf(b, "%ld", -42L);
		break;
	case 2:
		buf_printf(b, "%04x", 255u);
		break;
	case 3:
		buf_printf(b, "x%%%c", 'y');
		break;
	case 4:
		buf_printf(b, "%.*s", 2, "abcdef");
		break;
	case 5: {
		const char *volatile nul = NULL;
		buf_printf(b, "%s", nul);
		break;
	}
	case 6:
		buf_printf(b, "%llu", 18446744073709551615ULL);
		break;
	case 7:
		buf_printf(b, "%4u", 7u);
		break;
	case 8:
		buf_printf(b, "%lld", (long long)LLONG_MIN);
		break;
	default:
		buf_printf(b, "%zu", (size_t)4096);
		break;
	}
}

static void
test_fmt(void)
{
	struct buf b = BUF_INIT(100);
	size_t i;
	char s[FMT_ULONG];

	for (i = 0; i < sizeof fmt_cases / sizeof fmt_cases[0]; i++) {
		buf_reset(&b);
		fmt_case(&b, fmt_cases[i].kind);
		buf_cstr(&b);
		is_str((char *)b.p, fmt_cases[i].want, "buf_printf case");
	}
	is_int(fmt_ulong(NULL, 0), 1, "fmt_ulong(0) length");
	s[fmt_ulong(s, 1234)] = 0;
	is_str(s, "1234", "fmt_ulong");
	s[fmt_xlong(s, 0xbeef)] = 0;
	is_str(s, "beef", "fmt_xlong");
	{
		struct buf small = BUF_INIT(3);
		ok(buf_printf(&small, "%s", "toolong") == -1 &&
		        errno == EMSGSIZE,
		    "buf_printf respects max");
		buf_free(&small);
	}
	buf_free(&b);
}

static void
test_str_scan(void)
{
	unsigned long u = 0;
	struct str t = str_trim(str_from_cstr(" \tab c \r\n"));

	is_mem(t.p, t.len, "ab c", 4, "str_trim");
	ok(str_caseeq("HeLLo", 5, "hello", 5), "str_caseeq");
	ok(!str_caseeq("hello", 5, "hell", 4), "str_caseeq lengths");
	ok(str_casestarts("MAIL FROM:<>", 12, "mail from:"), "casestarts");
	is_int(str_chr("abc", 3, 'c'), 2, "str_chr");
	is_int(str_chr("abc", 3, 'z'), 3, "str_chr miss");
	{
		const char *volatile nul = NULL;
		is_int(
		    str_chr(nul, 0, 'x'), 0, "str_chr on an empty NULL slice");
	}
	is_int(str_rchr("a@b@c", 5, '@'), 3, "str_rchr");
	is_int(scan_ulong("123x", 4, &u), 3, "scan_ulong stops");
	is_int(u, 123, "scan_ulong value");
	is_int(scan_ulong("99999999999999999999999", 23, &u), 0,
	    "scan_ulong overflow");
	is_int(scan_ulong("5", 0, &u), 0, "scan_ulong honours len");
	ok(scan_ulong_all("42", 2, &u) == 0 && u == 42, "scan_ulong_all");
	ok(scan_ulong_all("42 ", 3, &u) == -1, "scan_ulong_all trailing");
	ok(scan_ulong_all("", 0, &u) == -1, "scan_ulong_all empty");
	ok(scan_xlong("ff", 2, &u) == 2 && u == 255, "scan_xlong");
}

static void
test_qid(void)
{
	char a[QID_MAX], b[QID_MAX];

	qid_make(a);
	qid_make(b);
	ok(strcmp(a, b) != 0, "qid_make unique in one process");
	ok(qid_valid(a, strlen(a)), "qid valid");
	ok(!qid_valid("../x", 4), "qid with slash invalid");
	ok(!qid_valid("", 0), "empty qid invalid");
	ok(!qid_valid("a\0b", 3), "qid with NUL invalid");
	ok(qid_split(a, strlen(a)) < QUEUE_SPLIT, "qid_split in range");
	is_int(qid_split("abc", 3), qid_split("abc", 3), "qid_split stable");
}

int
main(void)
{
	test_buf();
	test_fmt();
	test_str_scan();
	test_qid();
	done_testing();
}
