/* tap.h: Test Anything Protocol for the C unit tests (header only).
 * plan(n) or done_testing(); ok, is_int, is_str, is_mem, diag.
 * The test program exits nonzero if any test failed. */
#ifndef QUAIL_TESTS_TAP_H
#define QUAIL_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

#define plan(n) printf("1..%d\n", (int)(n))
#define diag(...)                                                              \
	do {                                                                   \
		printf("# ");                                                  \
		printf(__VA_ARGS__);                                           \
		printf("\n");                                                  \
	} while (0)

static int __attribute__((unused))
tap_ok(int cond, const char *file, int line, const char *name)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond) {
		tap_fail++;
		printf("#   failed at %s line %d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, (name))
#define is_int(got, want, name)                                                \
	do {                                                                   \
		long long g_ = (long long)(got), w_ = (long long)(want);       \
		if (!ok(g_ == w_, name))                                       \
			diag("got %lld, want %lld", g_, w_);                   \
	} while (0)
#define is_str(got, want, name)                                                \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		int eq_ = g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_;           \
		if (!ok(eq_, name))                                            \
			diag("got '%s', want '%s'", g_ ? g_ : "(null)",        \
			    w_ ? w_ : "(null)");                               \
	} while (0)
#define is_mem(got, glen, want, wlen, name)                                    \
	do {                                                                   \
		size_t gl_ = (glen), wl_ = (wlen);                             \
		int eq_ = gl_ == wl_ &&                                        \
		          (gl_ == 0 || memcmp((got), (want), gl_) == 0);       \
		if (!ok(eq_, name))                                            \
			diag("got '%.*s' (%zu), want '%.*s' (%zu)", (int)gl_,  \
			    (const char *)(got), gl_, (int)wl_,                \
			    (const char *)(want), wl_);                        \
	} while (0)
#define done_testing()                                                         \
	do {                                                                   \
		printf("1..%d\n", tap_n);                                      \
		return tap_fail ? 1 : 0;                                       \
	} while (0)
#define tap_exit() return tap_fail ? 1 : 0

#endif
