/* cmd_search.c: SEARCH and UID SEARCH (RFC 3501 6.4.4): every search key,
 * NOT, OR, parenthesised lists, sequence and UID sets, CHARSET UTF-8 or
 * US-ASCII.  Strings match as case-folded substrings of decoded header
 * values (RFC 2047) and decoded text parts (search_text.c); a string is
 * taken as UTF-8 whatever the CHARSET.
 * Dates compare by day; internal dates in UTC, sent dates by the Date:
 * field.  At most IMAP_SEARCH_MAX keys. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "mime.h"
#include "str.h"
#include "search.h"

struct sctx {
	struct imap_cmd *c;
	struct snode pool[IMAP_SEARCH_MAX];
	size_t used;
	struct seqset sets[8];
	size_t nsets;
	char *folded[IMAP_SEARCH_MAX]; /* owned copies of the key strings */
	size_t nfolded;
};

static const struct {
	const char *name;
	enum skind k;
	uint32_t bit;
} simple[] = {
    {"ALL", K_ALL, 0},
    {"ANSWERED", K_FLAG, FL_ANSWERED},
    {"DELETED", K_FLAG, FL_DELETED},
    {"DRAFT", K_FLAG, FL_DRAFT},
    {"FLAGGED", K_FLAG, FL_FLAGGED},
    {"SEEN", K_FLAG, FL_SEEN},
    {"RECENT", K_RECENT, 0},
    {"NEW", K_NEW, 0},
    {"OLD", K_OLD, 0},
    {"UNANSWERED", K_UNFLAG, FL_ANSWERED},
    {"UNDELETED", K_UNFLAG, FL_DELETED},
    {"UNDRAFT", K_UNFLAG, FL_DRAFT},
    {"UNFLAGGED", K_UNFLAG, FL_FLAGGED},
    {"UNSEEN", K_UNFLAG, FL_SEEN},
};

static const struct {
	const char *name;
	enum skind k;
} dated[] = {{"BEFORE", K_BEFORE}, {"ON", K_ON}, {"SINCE", K_SINCE},
    {"SENTBEFORE", K_SENTBEFORE}, {"SENTON", K_SENTON},
    {"SENTSINCE", K_SENTSINCE}};

static const char *const hdrkeys[] = {"FROM", "TO", "CC", "BCC", "SUBJECT"};

/* The node's string, case-folded once for every message (owned by x). */
static struct snode *
fold_str(struct sctx *x, struct snode *s, const struct imap_arg *a)
{
	char *f;

	if (s == NULL || a->len > SEARCH_STR_MAX ||
	    x->nfolded >= IMAP_SEARCH_MAX || (f = malloc(a->len + 1)) == NULL)
		return NULL;
	memcpy(f, a->p, a->len);
	f[a->len] = 0;
	text_fold(f, a->len);
	x->folded[x->nfolded++] = f;
	s->str = f;
	s->slen = a->len;
	return s;
}

static struct snode *parse_key(
    struct sctx *x, const struct imap_arg *a, size_t n, size_t *used);

static struct snode *
node(struct sctx *x, enum skind k)
{
	struct snode *s;

	if (x->used >= IMAP_SEARCH_MAX)
		return NULL;
	s = &x->pool[x->used++];
	memset(s, 0, sizeof *s);
	s->k = k;
	return s;
}

/* keys a[0..n) ANDed */
static struct snode *
parse_and(struct sctx *x, const struct imap_arg *a, size_t n)
{
	struct snode *s = node(x, K_AND), **tail;
	size_t i = 0, u;

	if (s == NULL || n == 0)
		return NULL;
	tail = &s->a;
	while (i < n) {
		struct snode *k = parse_key(x, a + i, n - i, &u);
		if (k == NULL)
			return NULL;
		*tail = k;
		tail = &k->next;
		i += u;
	}
	return s;
}

static struct snode *
parse_set(struct sctx *x, const struct imap_arg *a, enum skind k)
{
	struct folder *f = x->c->s->sel;
	struct snode *s;
	uint32_t star;

	if (a->type != ARG_ATOM || x->nsets >= 8 || (s = node(x, k)) == NULL)
		return NULL;
	s->set = &x->sets[x->nsets++];
	star = k == K_UID ? (f->n ? f->m[f->n - 1].uid : 0) : (uint32_t)f->n;
	if (seqset_parse(a->p, a->len, star, s->set) < 0)
		return NULL;
	return s;
}

static bool
is_setchar(const struct imap_arg *a)
{
	return a->type == ARG_ATOM &&
	       ((a->p[0] >= '0' && a->p[0] <= '9') || a->p[0] == '*');
}

static struct snode *
parse_arg1(struct sctx *x, const struct imap_arg *a, size_t n, size_t *used,
    const char *kw)
{
	struct snode *s = NULL;
	size_t i;

	if (n < 2 || !arg_is_astring(&a[1]))
		return NULL;
	*used = 2;
	for (i = 0; i < sizeof dated / sizeof dated[0]; i++)
		if (strcmp(kw, dated[i].name) == 0) {
			time_t t = imap_parse_date(a[1].p, a[1].len, false);
			if (t == (time_t)-1 ||
			    (s = node(x, dated[i].k)) == NULL)
				return NULL;
			s->day = (long long)t / 86400;
			return s;
		}
	for (i = 0; i < 5; i++)
		if (strcmp(kw, hdrkeys[i]) == 0) {
			if ((s = node(x, K_HEADER)) == NULL)
				return NULL;
			s->hname = hdrkeys[i];
			s->hlen = strlen(hdrkeys[i]);
			return fold_str(x, s, &a[1]);
		}
	if (strcmp(kw, "LARGER") == 0 || strcmp(kw, "SMALLER") == 0) {
		unsigned long long v = 0;
		if (a[1].type != ARG_ATOM || a[1].len > 19)
			return NULL;
		for (i = 0; i < a[1].len; i++) {
			if (a[1].p[i] < '0' || a[1].p[i] > '9')
				return NULL;
			v = v * 10 + (unsigned)(a[1].p[i] - '0');
		}
		if ((s = node(x, kw[0] == 'L' ? K_LARGER : K_SMALLER)) == NULL)
			return NULL;
		s->num = v;
		return s;
	}
	if (strcmp(kw, "BODY") == 0 || strcmp(kw, "TEXT") == 0) {
		s = node(x, kw[0] == 'B' ? K_BODY : K_TEXT);
		return fold_str(x, s, &a[1]);
	}
	if (strcmp(kw, "KEYWORD") == 0 || strcmp(kw, "UNKEYWORD") == 0) {
		if ((s = node(x, kw[0] == 'K' ? K_KW : K_UNKW)) == NULL)
			return NULL;
		s->kw = folder_keyword(x->c->s->sel, a[1].p, a[1].len, false);
		if (str_caseeq(a[1].p, a[1].len, "$Forwarded", 10)) {
			s->k = s->k == K_KW ? K_FLAG : K_UNFLAG;
			s->bit = FL_FORWARDED;
		}
		return s;
	}
	if (strcmp(kw, "UID") == 0)
		return parse_set(x, &a[1], K_UID);
	return NULL;
}

static struct snode *
parse_key(struct sctx *x, const struct imap_arg *a, size_t n, size_t *used)
{
	char kw[16];
	struct snode *s;
	size_t i, u1, u2;

	*used = 1;
	if (a->type == ARG_LIST)
		return parse_and(x, a->list, a->n);
	if (is_setchar(a))
		return parse_set(x, a, K_SEQ);
	if (a->type != ARG_ATOM || a->len >= sizeof kw)
		return NULL;
	for (i = 0; i < a->len; i++)
		kw[i] = (char)(a->p[i] >= 'a' && a->p[i] <= 'z' ? a->p[i] - 32
		                                                : a->p[i]);
	kw[a->len] = 0;
	for (i = 0; i < sizeof simple / sizeof simple[0]; i++)
		if (strcmp(kw, simple[i].name) == 0) {
			if ((s = node(x, simple[i].k)) != NULL)
				s->bit = simple[i].bit;
			return s;
		}
	if (strcmp(kw, "NOT") == 0) {
		if (n < 2 || (s = node(x, K_NOT)) == NULL ||
		    (s->a = parse_key(x, a + 1, n - 1, &u1)) == NULL)
			return NULL;
		*used = 1 + u1;
		return s;
	}
	if (strcmp(kw, "OR") == 0) {
		if (n < 3 || (s = node(x, K_OR)) == NULL ||
		    (s->a = parse_key(x, a + 1, n - 1, &u1)) == NULL ||
		    1 + u1 >= n ||
		    (s->b = parse_key(x, a + 1 + u1, n - 1 - u1, &u2)) == NULL)
			return NULL;
		*used = 1 + u1 + u2;
		return s;
	}
	if (strcmp(kw, "HEADER") == 0) {
		if (n < 3 || !arg_is_astring(&a[1]) || !arg_is_astring(&a[2]) ||
		    (s = node(x, K_HEADER)) == NULL)
			return NULL;
		s->hname = a[1].p;
		s->hlen = a[1].len;
		*used = 3;
		return fold_str(x, s, &a[2]);
	}
	return parse_arg1(x, a, n, used, kw);
}

static void
sctx_free(struct sctx *x)
{
	while (x->nfolded > 0)
		free(x->folded[--x->nfolded]);
	free(x);
}

enum cmd_res
cmd_search(struct imap_cmd *c)
{
	struct sctx *x = calloc(1, sizeof *x);
	struct buf out = BUF_INIT((size_t)1 << 30);
	const struct imap_arg *a = c->args;
	size_t n = c->n, i;
	struct snode *root;
	struct mctx m;

	if (x == NULL)
		die_nomem();
	x->c = c;
	if (n >= 2 && arg_eq(&a[0], "CHARSET")) {
		if (!arg_is_astring(&a[1]) ||
		    (!str_caseeq(a[1].p, a[1].len, "UTF-8", 5) &&
		        !str_caseeq(a[1].p, a[1].len, "US-ASCII", 8))) {
			sctx_free(x);
			memcpy(c->code, "BADCHARSET (UTF-8 US-ASCII)",
			    sizeof "BADCHARSET (UTF-8 US-ASCII)");
			c->resp = "Unsupported charset";
			return CMD_NO;
		}
		a += 2;
		n -= 2;
	}
	if ((root = parse_and(x, a, n)) == NULL) {
		sctx_free(x);
		c->resp = "Invalid search";
		return CMD_BAD;
	}
	if (buf_cats(&out, "* SEARCH") < 0)
		die_nomem();
	for (i = 0; i < c->s->sel->n; i++) {
		m = (struct mctx){c->s, i, 0};
		if (search_eval(root, &m) &&
		    buf_printf(&out, " %lu",
		        c->uid ? (unsigned long)c->s->sel->m[i].uid
		               : (unsigned long)i + 1) < 0)
			die_nomem();
	}
	if (buf_cat(&out, "\r\n", 2) < 0)
		die_nomem();
	reply_raw(c->s, out.p, out.len);
	buf_free(&out);
	sctx_free(x);
	return CMD_DONE;
}
