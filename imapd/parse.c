/* parse.c: IMAP command syntax (RFC 3501 section 9) -> struct imap_arg.
 * Pure: no I/O, no allocation; the tree lives in the caller's arena and
 * points into the caller's buffer (quoted strings are unescaped in
 * place).  Bounds: IMAP_ARGS_MAX arguments, IMAP_NEST_MAX list levels. */
#include <string.h>
#include "imapd.h"
#include "str.h"

struct pstate {
	unsigned char *p;
	size_t len, pos;
	struct arg_arena *ar;
};

static bool
is_atom_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' &&
	       c != '"';
}

static struct imap_arg *
new_args(struct pstate *ps, size_t n)
{
	struct imap_arg *a;

	if (n > IMAP_ARGS_MAX - ps->ar->used)
		return NULL;
	a = &ps->ar->a[ps->ar->used];
	ps->ar->used += n;
	memset(a, 0, n * sizeof *a);
	return a;
}

static enum pres
parse_atom(struct pstate *ps, struct imap_arg *a)
{
	size_t start = ps->pos;

	while (ps->pos < ps->len) {
		unsigned char c = ps->p[ps->pos];
		if (c == '[') {
			/* BODY[HEADER.FIELDS (A B)]: spaces and parens inside
			 */
			while (ps->pos < ps->len && ps->p[ps->pos] != ']') {
				if (ps->p[ps->pos] == '\r' ||
				    ps->p[ps->pos] == '\n')
					return P_SYNTAX;
				ps->pos++;
			}
			if (ps->pos >= ps->len)
				return P_MORE;
			ps->pos++;
			continue;
		}
		if (!is_atom_char(c))
			break;
		ps->pos++;
	}
	if (ps->pos == start)
		return P_SYNTAX;
	a->type = ARG_ATOM;
	a->p = (const char *)ps->p + start;
	a->len = ps->pos - start;
	if (a->len == 3 && str_caseeq(a->p, 3, "NIL", 3))
		a->type = ARG_NIL;
	return P_OK;
}

static enum pres
parse_quoted(struct pstate *ps, struct imap_arg *a)
{
	size_t out = ps->pos + 1, start = out;

	ps->pos++;
	for (;;) {
		unsigned char c;
		if (ps->pos >= ps->len)
			return P_MORE;
		c = ps->p[ps->pos++];
		if (c == '"')
			break;
		if (c == '\r' || c == '\n' || c == 0)
			return P_SYNTAX;
		if (c == '\\') {
			if (ps->pos >= ps->len)
				return P_MORE;
			c = ps->p[ps->pos++];
			if (c != '\\' && c != '"')
				return P_SYNTAX;
		}
		ps->p[out++] = c;
	}
	a->type = ARG_STRING;
	a->p = (const char *)ps->p + start;
	a->len = out - start;
	return P_OK;
}

static enum pres
parse_literal(struct pstate *ps, struct imap_arg *a)
{
	unsigned long long n = 0;
	size_t i = ps->pos + 1;

	if (i >= ps->len)
		return P_MORE;
	if (ps->p[i] < '0' || ps->p[i] > '9')
		return P_SYNTAX;
	while (i < ps->len && ps->p[i] >= '0' && ps->p[i] <= '9') {
		if (n > 0xffffffffULL)
			return P_TOOLONG;
		n = n * 10 + (ps->p[i++] - '0');
	}
	if (i < ps->len && ps->p[i] == '+')
		i++;
	if (i >= ps->len)
		return P_MORE;
	if (ps->p[i++] != '}')
		return P_SYNTAX;
	if (i < ps->len && ps->p[i] == '\r')
		i++;
	if (i >= ps->len)
		return P_MORE;
	if (ps->p[i++] != '\n')
		return P_SYNTAX;
	if (n > ps->len - i)
		return P_MORE;
	a->type = ARG_LITERAL;
	a->p = (const char *)ps->p + i;
	a->len = (size_t)n;
	ps->pos = i + (size_t)n;
	return P_OK;
}

static bool
at_end(const struct pstate *ps)
{
	return ps->pos >= ps->len || ps->p[ps->pos] == '\r' ||
	       ps->p[ps->pos] == '\n';
}

static enum pres parse_list(
    struct pstate *ps, struct imap_arg *a, int depth, unsigned char close);

static enum pres
parse_one(struct pstate *ps, struct imap_arg *a, int depth)
{
	unsigned char c = ps->p[ps->pos];

	if (c == '"')
		return parse_quoted(ps, a);
	if (c == '{')
		return parse_literal(ps, a);
	if (c == '(') {
		if (depth >= IMAP_NEST_MAX)
			return P_TOOLONG;
		ps->pos++;
		return parse_list(ps, a, depth + 1, ')');
	}
	return parse_atom(ps, a);
}

/* Items separated by single spaces until close (')' or 0 for the end of
 * the line).  A list's items must be contiguous: when its run is full, a
 * run twice as large is taken from the arena and the items copied (the
 * old run stays unused; the arena bound still holds). */
static enum pres
parse_list(
    struct pstate *ps, struct imap_arg *a, int depth, unsigned char close)
{
	struct imap_arg *items = NULL;
	size_t n = 0, cap = 0;
	enum pres r;

	a->type = ARG_LIST;
	for (;;) {
		if (close == ')' && ps->pos < ps->len &&
		    ps->p[ps->pos] == ')') {
			ps->pos++;
			break;
		}
		if (close == 0 && at_end(ps))
			break;
		if (ps->pos >= ps->len)
			return P_MORE;
		if (n == cap) {
			struct imap_arg *grown;
			size_t add = n == 0 ? 8 : n;
			grown = new_args(ps, n + add);
			if (grown == NULL)
				return P_TOOLONG;
			if (n)
				memcpy(grown, items, n * sizeof *items);
			/* the old run stays unused in the arena: bounded */
			items = grown;
			cap = n + add;
		}
		r = parse_one(ps, &items[n], depth);
		if (r != P_OK)
			return r;
		n++;
		if (ps->pos >= ps->len)
			return P_MORE;
		if (ps->p[ps->pos] == ' ') {
			ps->pos++;
			if (at_end(ps) || ps->p[ps->pos] == ')')
				return P_SYNTAX;
		} else if (!(close == ')' && ps->p[ps->pos] == ')') &&
		           !(close == 0 && at_end(ps)))
			return P_SYNTAX;
	}
	a->list = items;
	a->n = n;
	return P_OK;
}

static enum pres
line_end(struct pstate *ps)
{
	if (ps->pos < ps->len && ps->p[ps->pos] == '\r')
		ps->pos++;
	if (ps->pos >= ps->len)
		return P_MORE;
	if (ps->p[ps->pos] != '\n' || ps->pos + 1 != ps->len)
		return P_SYNTAX;
	return P_OK;
}

enum pres
parse_args(unsigned char *p, size_t len, struct arg_arena *ar,
    struct imap_arg **args_r, size_t *n_r)
{
	struct pstate ps = {p, len, 0, ar};
	struct imap_arg top;
	enum pres r;

	memset(&top, 0, sizeof top);
	r = parse_list(&ps, &top, 0, 0);
	if (r != P_OK)
		return r;
	r = line_end(&ps);
	if (r != P_OK)
		return r;
	*args_r = top.list;
	*n_r = top.n;
	return P_OK;
}

enum pres
parse_command(unsigned char *p, size_t len, struct arg_arena *ar,
    struct imap_arg **tag_r, struct imap_arg **name_r, struct imap_arg **args_r,
    size_t *nargs_r)
{
	struct pstate ps = {p, len, 0, ar};
	struct imap_arg *hd;
	enum pres r;
	size_t i;

	ar->used = 0;
	hd = new_args(&ps, 2);
	for (i = 0; i < 2; i++) {
		size_t start = ps.pos;
		while (ps.pos < len && is_atom_char(p[ps.pos]) &&
		       !(i == 0 && p[ps.pos] == '+'))
			ps.pos++;
		if (ps.pos >= len)
			return P_MORE;
		if (ps.pos == start)
			return P_SYNTAX;
		hd[i].type = ARG_ATOM;
		hd[i].p = (const char *)p + start;
		hd[i].len = ps.pos - start;
		if (i == 0 && p[ps.pos] != ' ')
			return P_SYNTAX;
		if (i == 0)
			ps.pos++;
	}
	*tag_r = &hd[0];
	*name_r = &hd[1];
	*args_r = NULL;
	*nargs_r = 0;
	if (p[ps.pos] == ' ') {
		ps.pos++;
		if (at_end(&ps))
			return P_SYNTAX;
		r = parse_args(p + ps.pos, len - ps.pos, ar, args_r, nargs_r);
		return r;
	}
	return line_end(&ps);
}

bool
parse_literal_tail(const unsigned char *line, size_t len,
    unsigned long long *n_r, bool *plus_r)
{
	size_t i;
	unsigned long long n = 0, mul = 1;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len < 3 || line[len - 1] != '}')
		return false;
	i = len - 1;
	*plus_r = false;
	if (line[i - 1] == '+') {
		*plus_r = true;
		i--;
	}
	if (i < 2)
		return false;
	while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9') {
		if (mul > 1000000000000ULL)
			return false;
		n += (line[i - 1] - '0') * mul;
		mul *= 10;
		i--;
	}
	if (mul == 1 || i == 0 || line[i - 1] != '{')
		return false;
	*n_r = n;
	return true;
}

bool
arg_is_astring(const struct imap_arg *a)
{
	return a->type == ARG_ATOM || a->type == ARG_STRING ||
	       a->type == ARG_LITERAL;
}

bool
arg_eq(const struct imap_arg *a, const char *s)
{
	return a->type == ARG_ATOM && str_caseeq(a->p, a->len, s, strlen(s));
}

int
arg_cstr(const struct imap_arg *a, struct buf *out)
{
	if (!arg_is_astring(a) && a->type != ARG_NIL)
		return -1;
	if (a->type == ARG_NIL) {
		if (buf_copy(out, "NIL", 3) < 0)
			return -1;
	} else if (buf_copy(out, a->p, a->len) < 0)
		return -1;
	if (memchr(out->p ? (const void *)out->p : "", 0, out->len) != NULL)
		return -1;
	return buf_cstr(out);
}
