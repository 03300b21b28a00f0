/* queue_env_test.c: quail-queue's envelope scanner (queue/qqenv.c), the
 * exit-code table and RFC 5322 dates.  Every envelope is also fed one
 * byte at a time, as it may arrive from a pipe. */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "../../queue/qq.h"
#include "tap.h"

struct ecase {
	const char *name;
	const char *env;
	size_t len;
	enum qq_env_res want;
	size_t rcpts;
};

#define E(s) s, sizeof(s) - 1

static const struct ecase ecases[] = {
    {"plain", E("Fa@b\0Tc@d\0Te@f\0\0"), QQ_ENV_DONE, 2},
    {"null sender", E("F\0Tc@d\0\0"), QQ_ENV_DONE, 1},
    /* quail-send refuses both (send/env.c): accepting them would strand
     * a message that quail-queue said was queued */
    {"no recipients", E("Fa@b\0\0"), QQ_ENV_FORMAT, 0},
    {"empty recipient", E("Fa@b\0T\0Tc@d\0\0"), QQ_ENV_FORMAT, 0},
    {"with I", E("Iabc\0Fa@b\0Tc@d\0\0"), QQ_ENV_DONE, 1},
    {"empty", E(""), QQ_ENV_MORE, 0},
    {"cut in entry", E("Fa@b\0Tc@"), QQ_ENV_MORE, 0},
    {"cut before end", E("Fa@b\0Tc@d\0"), QQ_ENV_MORE, 0},
    {"only NUL", E("\0"), QQ_ENV_FORMAT, 0},
    {"T first", E("Tc@d\0\0"), QQ_ENV_FORMAT, 0},
    {"two F", E("Fa\0Fb\0\0"), QQ_ENV_FORMAT, 0},
    {"I later", E("Fa\0Ix\0\0"), QQ_ENV_FORMAT, 0},
    {"u entry", E("Fa\0u0\0\0"), QQ_ENV_FORMAT, 0},
    {"unknown letter", E("Xa\0\0"), QQ_ENV_FORMAT, 0},
    {"LF in T", E("Fa\0Tc\nd\0\0"), QQ_ENV_FORMAT, 0},
    {"CR in F", E("Fa\rb\0\0"), QQ_ENV_FORMAT, 0},
};

static enum qq_env_res
scan_bytewise(const char *p, size_t len, struct qq_env *e)
{
	enum qq_env_res r = QQ_ENV_MORE;
	size_t i;

	memset(e, 0, sizeof *e);
	for (i = 1; i <= len; i++) {
		r = qq_env_scan(e, (const unsigned char *)p, i);
		if (r != QQ_ENV_MORE)
			return r;
	}
	return r;
}

static void
test_cases(void)
{
	struct qq_env e;
	size_t i;

	for (i = 0; i < sizeof ecases / sizeof ecases[0]; i++) {
		const struct ecase *c = &ecases[i];
		memset(&e, 0, sizeof e);
		is_int(qq_env_scan(&e, (const unsigned char *)c->env, c->len),
		    c->want, c->name);
		if (c->want == QQ_ENV_DONE) {
			is_int(e.rcpts, c->rcpts, "recipient count");
			is_int(e.end, c->len, "end is the whole envelope");
		}
		is_int(scan_bytewise(c->env, c->len, &e), c->want,
		    "byte at a time");
	}
}

static void
test_parts(void)
{
	static const char env[] = "Iq1\0Fme@x\0Tyou@y\0\0trailing";
	struct qq_env e;

	memset(&e, 0, sizeof e);
	is_int(qq_env_scan(&e, (const unsigned char *)env, sizeof env - 1),
	    QQ_ENV_DONE, "bytes after the final NUL are not looked at");
	ok(e.has_id && e.id_len == 2 && memcmp(env + e.id_off, "q1", 2) == 0,
	    "I entry located");
	ok(e.has_from && e.from_len == 4 &&
	        memcmp(env + e.from_off, "me@x", 4) == 0,
	    "F entry located");
	is_int(e.end, 18, "end offset");
}

static void
test_bounds(void)
{
	char *p = malloc(ADDR_MAX + 16);
	struct qq_env e;

	p[0] = 'F';
	memset(p + 1, 'a', ADDR_MAX);
	p[ADDR_MAX + 1] = 0;
	memcpy(p + ADDR_MAX + 2, "Tc\0", 4); /* a recipient, then the end */
	memset(&e, 0, sizeof e);
	is_int(qq_env_scan(&e, (unsigned char *)p, ADDR_MAX + 6), QQ_ENV_DONE,
	    "address of ADDR_MAX bytes");
	p[ADDR_MAX + 1] = 'a';
	memset(&e, 0, sizeof e);
	is_int(qq_env_scan(&e, (unsigned char *)p, ADDR_MAX + 2),
	    QQ_ENV_TOOLONG, "ADDR_MAX+1 refused before its NUL arrives");
	p[0] = 'I';
	memset(&e, 0, sizeof e);
	is_int(qq_env_scan(&e, (unsigned char *)p, ADDR_MAX + 2), QQ_ENV_FORMAT,
	    "overlong I is a format error");
	free(p);
}

static void
test_many(void)
{
	size_t n = QQ_RCPT_MAX + 1, i, len = 0;
	unsigned char *p = malloc(3 + 3 * n + 1);
	struct qq_env e;

	p[len++] = 'F';
	p[len++] = 0;
	for (i = 0; i < n; i++) {
		p[len++] = 'T';
		p[len++] = 'x';
		p[len++] = 0;
	}
	p[len++] = 0;
	memset(&e, 0, sizeof e);
	is_int(qq_env_scan(&e, p, len), QQ_ENV_TOOMANY,
	    "more than QQ_RCPT_MAX recipients");
	free(p);
}

static void
test_codes(void)
{
	bool perm;

	ok(strstr(qq_exit_text(53, &perm), "disk full") && !perm,
	    "53 is a temporary write error");
	ok(strstr(qq_exit_text(11, &perm), "too long") && perm,
	    "11 is permanent");
	qq_exit_text(35, &perm);
	ok(perm, "11..40 are permanent");
	qq_exit_text(99, &perm);
	ok(!perm, "unknown codes are temporary");
	qq_exit_text(91, &perm);
	ok(!perm, "91 is temporary (qmail: internal bug)");
}

static void
test_date(void)
{
	struct buf b = BUF_INIT(100);

	ok(date822_fmt(&b, 0, false) == 0 && buf_cstr(&b) == 0, "date made");
	is_str((char *)b.p, "Thu, 1 Jan 1970 00:00:00 +0000", "epoch in UTC");
	buf_reset(&b);
	date822_fmt(&b, 1795315749, false);
	buf_cstr(&b);
	is_str((char *)b.p, "Sun, 22 Nov 2026 02:49:09 +0000", "a later date");
	buf_reset(&b);
	setenv("TZ", "EST5", 1);
	date822_fmt(&b, 0, true);
	buf_cstr(&b);
	is_str((char *)b.p, "Wed, 31 Dec 1969 19:00:00 -0500", "local time");
	buf_free(&b);
}

int
main(void)
{
	test_cases();
	test_parts();
	test_bounds();
	test_many();
	test_codes();
	test_date();
	done_testing();
}
