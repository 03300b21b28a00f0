/* addr.c: RFC 5321 paths and RFC 5322 address lists (see addr.h).
 * Trust: every byte here may come from the network.  The parsers are
 * pure, never read past len, never rely on a NUL, and build their result
 * in a bounded stack array (ADDR_MAX) before copying it out. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include "addr.h"
#include "buf.h"

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* RFC 5322 §3.2.3 atext, plus UTF-8 bytes (RFC 6531 §3.3). */
static bool
is_atext(unsigned char c)
{
	static const char sp[] = "!#$%&'*+-/=?^_`{|}~";

	if (is_alnum(c) || c >= 0x80)
		return true;
	return c != 0 && memchr(sp, c, sizeof sp - 1) != NULL;
}

/* ---- domains -------------------------------------------------------- */

/* Snum "." Snum "." Snum "." Snum (RFC 5321 §4.1.3). */
static bool
ipv4_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, d;
	unsigned v;

	for (k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
		v = 0;
		for (d = 0; d < 3 && i < n && s[i] >= '0' && s[i] <= '9'; d++)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (d == 0 || v > 255)
			return false;
	}
	return i == n;
}

/* "IPv6:" IPv6-addr (RFC 5321 §4.1.3), checked with inet_pton. */
static bool
ipv6_ok(const unsigned char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;
	size_t i;

	if (n < 2 || n >= sizeof tmp)
		return false;
	for (i = 0; i < n; i++) {
		if (!(is_alnum(s[i]) || s[i] == ':' || s[i] == '.'))
			return false;
		tmp[i] = (char)s[i];
	}
	tmp[n] = 0;
	return inet_pton(AF_INET6, tmp, &a) == 1;
}

/* [1.2.3.4] or [IPv6:...].  General-address-literals (a tag other than
 * IPv6) have no registered tag and are refused. */
static bool
literal_ok(const unsigned char *d, size_t len)
{
	const unsigned char *s = d + 1;
	size_t n;

	if (len < 3 || d[0] != '[' || d[len - 1] != ']')
		return false;
	n = len - 2;
	if (n > 5 && (s[0] | 0x20) == 'i' && (s[1] | 0x20) == 'p' &&
	    (s[2] | 0x20) == 'v' && s[3] == '6' && s[4] == ':')
		return ipv6_ok(s + 5, n - 5);
	return ipv4_ok(s, n);
}

bool
addr_domain_ok(const char *dom, size_t len, bool utf8)
{
	const unsigned char *d = (const unsigned char *)dom;
	size_t i = 0, start;

	if (len == 0 || len > 255)
		return false;
	if (d[0] == '[')
		return literal_ok(d, len);
	for (;;) {
		start = i;
		while (i < len && d[i] != '.') {
			if (!(is_alnum(d[i]) || d[i] == '-' ||
			        (utf8 && d[i] >= 0x80)))
				return false;
			i++;
		}
		/* RFC 5321 §4.1.2 sub-domain: Let-dig [Ldh-str] */
		if (i == start || i - start > 63 || d[start] == '-' ||
		    d[i - 1] == '-')
			return false;
		if (i == len)
			return true;
		i++;
	}
}

size_t
addr_at(const char *a, size_t len)
{
	size_t i = len;

	while (i > 0)
		if (a[--i] == '@')
			return i;
	return len;
}

/* ---- RFC 5321 paths --------------------------------------------------- */

struct pstate {
	const unsigned char *p;
	size_t len, i, olen;
	unsigned flags;
	char out[ADDR_MAX];
};

static bool
emit(struct pstate *s, unsigned char c)
{
	if (s->olen >= ADDR_MAX)
		return false;
	s->out[s->olen++] = (char)c;
	if (c >= 0x80)
		s->flags |= ADDR_F_UTF8;
	return true;
}

/* Length of the domain or [literal] token at s->i (0 if none). */
static size_t
domain_span(const struct pstate *s)
{
	size_t j = s->i;

	if (j < s->len && s->p[j] == '[') {
		for (j++; j < s->len && s->p[j] != ']'; j++)
			if (s->p[j] < 33 || s->p[j] > 126 || s->p[j] == '[')
				return 0;
		return j < s->len ? j + 1 - s->i : 0;
	}
	while (j < s->len && (is_alnum(s->p[j]) || s->p[j] == '-' ||
	                         s->p[j] == '.' || s->p[j] >= 0x80))
		j++;
	return j - s->i;
}

static enum addr_res
parse_domain(struct pstate *s, bool keep)
{
	size_t n = domain_span(s), k;

	if (n == 0 || !addr_domain_ok((const char *)s->p + s->i, n, true))
		return ADDR_SYNTAX;
	for (k = 0; k < n; k++) {
		if (s->p[s->i + k] >= 0x80)
			s->flags |= ADDR_F_UTF8;
		if (keep && !emit(s, s->p[s->i + k]))
			return ADDR_TOOLONG;
	}
	if (keep && s->p[s->i] == '[')
		s->flags |= ADDR_F_LITERAL;
	s->i += n;
	return ADDR_OK;
}

/* A-d-l ":" (RFC 5321 §4.1.2): "@a,@b:", recognized and dropped. */
static enum addr_res
parse_route(struct pstate *s)
{
	enum addr_res r;

	for (;;) {
		if (s->i >= s->len || s->p[s->i] != '@')
			return ADDR_SYNTAX;
		s->i++;
		if ((r = parse_domain(s, false)) != ADDR_OK)
			return r;
		if (s->i < s->len && s->p[s->i] == ',') {
			s->i++;
			continue;
		}
		if (s->i < s->len && s->p[s->i] == ':') {
			s->i++;
			s->flags |= ADDR_F_ROUTE;
			return ADDR_OK;
		}
		return ADDR_SYNTAX;
	}
}

static void
local_flags(struct pstate *s, unsigned char c)
{
	if (c == '%')
		s->flags |= ADDR_F_PERCENT;
	else if (c == '!')
		s->flags |= ADDR_F_BANG;
	else if (c == '@')
		s->flags |= ADDR_F_ATLOCAL;
}

/* Quoted-string (RFC 5321 §4.1.2): qtextSMTP / quoted-pairSMTP, plus
 * UTF-8 bytes.  Controls (NUL, CR, LF, TAB) are refused. */
static enum addr_res
parse_quoted(struct pstate *s)
{
	size_t start = s->olen;
	unsigned char c;

	s->flags |= ADDR_F_QUOTED;
	for (s->i++;; s->i++) {
		if (s->i >= s->len)
			return ADDR_SYNTAX;
		c = s->p[s->i];
		if (c == '"')
			break;
		if (c == '\\') {
			if (++s->i >= s->len)
				return ADDR_SYNTAX;
			c = s->p[s->i];
		}
		if (c < 32 || c == 127)
			return ADDR_SYNTAX;
		local_flags(s, c);
		if (!emit(s, c))
			return ADDR_TOOLONG;
	}
	s->i++;
	/* ""@dom would become "@dom": refused, see rcptdb.h */
	return s->olen > start ? ADDR_OK : ADDR_SYNTAX;
}

/* Dot-string, loosely: atext and dots in any order (qmail and Postfix
 * accept "a..b" and "a."); addr_quote quotes such forms on the way out. */
static enum addr_res
parse_local(struct pstate *s)
{
	size_t start = s->i;
	unsigned char c;

	if (s->i < s->len && s->p[s->i] == '"')
		return parse_quoted(s);
	while (s->i < s->len) {
		c = s->p[s->i];
		if (!is_atext(c) && c != '.')
			break;
		local_flags(s, c);
		if (!emit(s, c))
			return ADDR_TOOLONG;
		s->i++;
	}
	return s->i > start ? ADDR_OK : ADDR_SYNTAX;
}

static enum addr_res
parse_mailbox(struct pstate *s)
{
	enum addr_res r;

	if ((r = parse_local(s)) != ADDR_OK)
		return r;
	if (s->i < s->len && s->p[s->i] == '@') {
		if (!emit(s, '@'))
			return ADDR_TOOLONG;
		s->i++;
		return parse_domain(s, true);
	}
	/* <"x@y"> would read as x at domain y: refused */
	if (s->flags & ADDR_F_ATLOCAL)
		return ADDR_SYNTAX;
	s->flags |= ADDR_F_NODOM;
	return ADDR_OK;
}

enum addr_res
addr_parse_path(const char *p, size_t len, struct buf *out, size_t *used_r,
    unsigned *flags_r)
{
	struct pstate s;
	enum addr_res r;
	bool brack;

	s.p = (const unsigned char *)p;
	s.len = len;
	s.i = s.olen = 0;
	s.flags = 0;
	while (s.i < len && (s.p[s.i] == ' ' || s.p[s.i] == '\t'))
		s.i++;
	if (s.i >= len)
		return ADDR_SYNTAX;
	brack = s.p[s.i] == '<';
	if (brack)
		s.i++;
	else
		s.flags |= ADDR_F_NOBRACK;
	if (s.i < len && s.p[s.i] == '@' && (r = parse_route(&s)) != ADDR_OK)
		return r;
	if (brack && !(s.flags & ADDR_F_ROUTE) && s.i < len && s.p[s.i] == '>')
		s.flags |= ADDR_F_NULL;
	else if ((r = parse_mailbox(&s)) != ADDR_OK)
		return r;
	if (brack) {
		if (s.i >= len || s.p[s.i] != '>')
			return ADDR_SYNTAX;
		s.i++;
	} else if (s.i < len && s.p[s.i] != ' ' && s.p[s.i] != '\t')
		return ADDR_SYNTAX;
	if (buf_copy(out, s.out, s.olen) < 0 || buf_cstr(out) < 0)
		return ADDR_TOOLONG;
	*used_r = s.i;
	*flags_r = s.flags;
	return ADDR_OK;
}

/* ---- output ----------------------------------------------------------- */

/* Dot-string in the strict sense: atoms separated by single dots. */
static bool
dot_string_ok(const unsigned char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i - 1] == '.' : !is_atext(s[i]))
			return false;
	}
	return true;
}

int
addr_quote(struct buf *out, const char *a, size_t len)
{
	size_t at = addr_at(a, len), i;
	const unsigned char *u = (const unsigned char *)a;

	if (len == 0)
		return 0;
	if (dot_string_ok(u, at)) {
		if (buf_cat(out, a, at) < 0)
			return -1;
	} else {
		if (buf_catc(out, '"') < 0)
			return -1;
		for (i = 0; i < at; i++) {
			if ((u[i] == '"' || u[i] == '\\') &&
			    buf_catc(out, '\\') < 0)
				return -1;
			if (buf_catc(out, u[i]) < 0)
				return -1;
		}
		if (buf_catc(out, '"') < 0)
			return -1;
	}
	return buf_cat(out, a + at, len - at);
}

/* ---- RFC 5322 address lists (headers) --------------------------------- */

enum ttype {
	T_END,
	T_WORD, /* run of atext */
	T_QSTR, /* quoted-string; s..e is the inside */
	T_LIT,  /* [domain literal], brackets included */
	T_SPEC, /* one of < > @ , ; : . in c */
	T_BAD,  /* anything else, or an unterminated quoted string */
};

struct tok {
	enum ttype t;
	size_t s, e;
	unsigned char c;
};

/* Skips a (nested) comment starting at p[*i] == '('; an unterminated
 * one runs to the end (RFC 5322 §3.2.2). */
static void
skip_comment(const unsigned char *p, size_t len, size_t *i)
{
	size_t depth = 0, j = *i;

	for (; j < len; j++) {
		if (p[j] == '\\') {
			if (++j >= len)
				break;
		} else if (p[j] == '(')
			depth++;
		else if (p[j] == ')' && --depth == 0) {
			j++;
			break;
		}
	}
	*i = j < len ? j : len;
}

static size_t
tok_quoted(const unsigned char *p, size_t len, size_t i, struct tok *t)
{
	size_t j;

	for (j = i + 1; j < len && p[j] != '"'; j++)
		if (p[j] == '\\' && j + 1 < len)
			j++;
	t->s = i + 1;
	t->e = j < len ? j : len;
	t->t = j < len ? T_QSTR : T_BAD;
	return j < len ? j + 1 : len;
}

static size_t
tok_literal(const unsigned char *p, size_t len, size_t i, struct tok *t)
{
	size_t j;

	for (j = i + 1; j < len && p[j] != ']'; j++)
		if (p[j] == '[' || p[j] == '\\' || p[j] < 33 || p[j] > 126)
			break;
	t->s = i;
	if (j < len && p[j] == ']') {
		t->t = T_LIT;
		t->e = j + 1;
		return j + 1;
	}
	t->t = T_BAD;
	t->e = i + 1;
	return i + 1;
}

/* Next token at or after *pos, skipping white space, folding and
 * comments; *pos moves past it. */
static void
next_tok(const unsigned char *p, size_t len, size_t *pos, struct tok *t)
{
	size_t i = *pos;
	unsigned char c;

	for (;;) {
		while (i < len && (p[i] == ' ' || p[i] == '\t' ||
		                      p[i] == '\r' || p[i] == '\n'))
			i++;
		if (i >= len || p[i] != '(')
			break;
		skip_comment(p, len, &i);
	}
	t->s = t->e = i;
	t->c = 0;
	if (i >= len) {
		t->t = T_END;
		*pos = len;
		return;
	}
	c = p[i];
	if (c == '"') {
		*pos = tok_quoted(p, len, i, t);
	} else if (c == '[') {
		*pos = tok_literal(p, len, i, t);
	} else if (c && memchr("<>@,;:.", c, 7)) {
		t->t = T_SPEC;
		t->c = c;
		t->e = *pos = i + 1;
	} else if (is_atext(c)) {
		while (i < len && is_atext(p[i]))
			i++;
		t->t = T_WORD;
		t->e = *pos = i;
	} else {
		t->t = T_BAD;
		t->e = *pos = i + 1;
	}
}

struct abuild {
	char a[ADDR_MAX];
	size_t n;
	bool bad;
};

static void
ab_cat(struct abuild *b, const unsigned char *s, size_t n)
{
	if (n > ADDR_MAX - b->n) {
		b->bad = true;
		return;
	}
	memcpy(b->a + b->n, s, n);
	b->n += n;
}

/* The inside of a quoted string, unescaped; folding (CR, LF) removed;
 * other controls make the address unusable. */
static void
ab_quoted(struct abuild *b, const unsigned char *p, size_t s, size_t e)
{
	size_t i;
	unsigned char c;

	for (i = s; i < e; i++) {
		c = p[i];
		if (c == '\\' && i + 1 < e)
			c = p[++i];
		else if (c == '\r' || c == '\n')
			continue;
		if (c < 32 || c == 127)
			b->bad = true;
		ab_cat(b, &c, 1);
	}
}

/* local-part: words (atoms, quoted strings) and dots, no two words
 * adjacent (obs-local-part, RFC 5322 §4.4).  Leaves *t at the first
 * token after it. */
static void
list_local(const unsigned char *p, size_t end, size_t *i, struct tok *t,
    struct abuild *b)
{
	bool lastword = false;

	for (;; next_tok(p, end, i, t)) {
		if (t->t == T_WORD || t->t == T_QSTR) {
			if (lastword)
				b->bad = true;
			lastword = true;
			if (t->t == T_WORD)
				ab_cat(b, p + t->s, t->e - t->s);
			else
				ab_quoted(b, p, t->s, t->e);
		} else if (t->t == T_SPEC && t->c == '.') {
			lastword = false;
			ab_cat(b, (const unsigned char *)".", 1);
		} else
			return;
	}
}

/* domain: [literal] or atoms separated by dots. */
static void
list_domain(const unsigned char *p, size_t end, size_t *i, struct tok *t,
    struct abuild *b)
{
	size_t start = b->n;

	if (t->t == T_LIT) {
		ab_cat(b, p + t->s, t->e - t->s);
		next_tok(p, end, i, t);
	} else {
		for (;;) {
			if (t->t != T_WORD) {
				b->bad = true;
				return;
			}
			ab_cat(b, p + t->s, t->e - t->s);
			next_tok(p, end, i, t);
			if (t->t != T_SPEC || t->c != '.')
				break;
			ab_cat(b, (const unsigned char *)".", 1);
			next_tok(p, end, i, t);
		}
	}
	if (!b->bad && !addr_domain_ok(b->a + start, b->n - start, true))
		b->bad = true;
}

/* Parses the addr-spec in p[s..end) (inside <> when route is true, which
 * allows an obsolete route "@a,@b:" first).  Appends it to out.
 * 1 added, 0 skipped, -1 buf error. */
static int
list_addrspec(
    const unsigned char *p, size_t s, size_t end, bool route, struct buf *out)
{
	struct abuild b;
	struct tok t;
	size_t i = s;

	b.n = 0;
	b.bad = false;
	next_tok(p, end, &i, &t);
	if (route && t.t == T_SPEC && t.c == '@') {
		while (t.t != T_END && !(t.t == T_SPEC && t.c == ':'))
			next_tok(p, end, &i, &t);
		next_tok(p, end, &i, &t);
	}
	if (t.t == T_END)
		return 0;
	list_local(p, end, &i, &t, &b);
	if (b.n == 0)
		return 0;
	if (t.t == T_SPEC && t.c == '@') {
		ab_cat(&b, (const unsigned char *)"@", 1);
		next_tok(p, end, &i, &t);
		list_domain(p, end, &i, &t, &b);
	} else if (memchr(b.a, '@', b.n))
		return 0; /* "x@y" without a domain: ambiguous */
	if (b.bad || t.t != T_END || addr_at(b.a, b.n) == 0)
		return 0;
	if (buf_cat(out, b.a, b.n) < 0 || buf_catc(out, 0) < 0)
		return -1;
	return 1;
}

struct seg {
	size_t start, end;    /* the mailbox's tokens */
	size_t angs, ange;    /* inside <...> when nang */
	bool nang, bad, last; /* last: input ended */
	bool groupstart, groupend;
};

/* Scans one list element from *pos up to a ',' or ';' outside <>, or the
 * end.  A ':' outside <> starts a group: the display name before it is
 * dropped and the element starts after it. */
static void
list_seg(const unsigned char *p, size_t len, size_t *pos, bool ingroup,
    struct seg *g)
{
	struct tok t;
	size_t at;
	bool inang = false;

	memset(g, 0, sizeof *g);
	g->start = *pos;
	for (;;) {
		at = *pos;
		next_tok(p, len, pos, &t);
		if (t.t == T_END) {
			g->last = true;
			break;
		}
		if (t.t == T_BAD)
			g->bad = true;
		if (t.t != T_SPEC)
			continue;
		if (t.c == '<') {
			g->bad |= inang || g->nang;
			inang = g->nang = true;
			g->angs = *pos;
		} else if (t.c == '>') {
			g->bad |= !inang;
			inang = false;
			g->ange = at;
		} else if (!inang && (t.c == ',' || t.c == ';')) {
			g->groupend = t.c == ';';
			break;
		} else if (!inang && t.c == ':') {
			if (ingroup || g->groupstart || g->nang) {
				g->bad = true;
				continue;
			}
			g->groupstart = true;
			g->bad = false;
			g->start = *pos;
		}
	}
	g->end = at;
	if (inang)
		g->bad = true;
}

int
addr_parse_list(const char *ps, size_t len, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)ps;
	struct seg g;
	size_t pos = 0;
	bool ingroup = false;
	int n = 0, r;

	do {
		list_seg(p, len, &pos, ingroup, &g);
		if (g.groupstart)
			ingroup = true;
		if (g.groupend)
			ingroup = false;
		if (g.bad)
			continue;
		if (g.nang)
			r = list_addrspec(p, g.angs, g.ange, true, out);
		else
			r = list_addrspec(p, g.start, g.end, false, out);
		if (r < 0)
			return -1;
		if (n < 0x7fffffff)
			n += r;
	} while (!g.last);
	return n;
}
