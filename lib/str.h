/* str.h: borrowed byte slices and small string helpers.  Nothing here
 * relies on a terminating NUL except the *_cstr helpers. */
#ifndef QUAIL_LIB_STR_H
#define QUAIL_LIB_STR_H

#include <stdbool.h>
#include <stddef.h>

struct str {
	const char *p;
	size_t len;
};

struct str str_from_cstr(const char *s);
bool str_eq(struct str a, struct str b);
bool str_eq_cstr(struct str a, const char *s);
bool str_caseeq(const void *a, size_t alen, const void *b, size_t blen);
bool str_casestarts(const void *s, size_t len, const char *prefix);
size_t str_chr(const void *s, size_t len, int c);  /* index or len */
size_t str_rchr(const void *s, size_t len, int c); /* index or len */
void str_lower(void *s, size_t len);
/* Trims ASCII spaces and tabs (and CR, LF) from both ends. */
struct str str_trim(struct str s);

#endif
