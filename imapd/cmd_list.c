/* cmd_list.c: LIST and LSUB (RFC 3501 6.3.8-6.3.9) with '*' and '%',
 * CHILDREN attributes (RFC 3348) and SPECIAL-USE attributes (RFC 6154)
 * for Sent, Drafts, Trash and Junk.  LIST-EXTENDED selection and
 * return options (RFC 5258) are accepted and ignored.  Parents that
 * exist only by implication (".a.b" without ".a") are listed with
 * \Noselect. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "imapd.h"
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "maildir.h"
#include "str.h"

struct names {
	char **v;
	size_t n, cap;
};

static void
names_add(struct names *l, const char *s, size_t len)
{
	if (l->n >= IMAP_FOLDERS_MAX)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (l->v == NULL)
			die_nomem();
	}
	l->v[l->n] = strndup(s, len);
	if (l->v[l->n] == NULL)
		die_nomem();
	l->n++;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static bool
has_name(const struct names *l, const char *s)
{
	return l->n > 0 &&
	       bsearch(&s, l->v, l->n, sizeof *l->v, cmpstr) != NULL;
}

/* Pattern match, '*' anything, '%' anything but '.' (RFC 3501 6.3.8),
 * run as a set of pattern positions over the name: O(pattern x name)
 * whatever the wildcards (a backtracking matcher is exponential in
 * "*a*a*a...b").  Patterns longer than LIST_PAT_MAX match nothing. */
#define LIST_PAT_MAX 1024

static void
closure(const char *p, size_t pl, bool *st)
{
	size_t i;

	for (i = 0; i < pl; i++)
		if (st[i] && (p[i] == '*' || p[i] == '%'))
			st[i + 1] = true;
}

static bool
match(const char *p, const char *s)
{
	bool cur[LIST_PAT_MAX + 1], nxt[LIST_PAT_MAX + 1], any = true;
	size_t pl = strlen(p), i;

	if (pl > LIST_PAT_MAX)
		return false;
	memset(cur, 0, pl + 1);
	cur[0] = true;
	closure(p, pl, cur);
	for (; *s && any; s++) {
		memset(nxt, 0, pl + 1);
		any = false;
		for (i = 0; i < pl; i++) {
			if (!cur[i])
				continue;
			if (p[i] == '*' || (p[i] == '%' && *s != '.'))
				any = nxt[i] = true;
			else if (p[i] == *s)
				any = nxt[i + 1] = true;
		}
		closure(p, pl, nxt);
		memcpy(cur, nxt, pl + 1);
	}
	return any && cur[pl];
}

static bool
pmatch(const char *pat, const char *name)
{
	/* INBOX matches case-insensitively */
	if (strcmp(name, "INBOX") == 0 &&
	    str_caseeq(pat, strlen(pat), "INBOX", 5))
		return true;
	return match(pat, name);
}

static void
scan_folders(const char *root, struct names *l)
{
	struct dirent *d;
	DIR *dh = opendir(root);

	names_add(l, "INBOX", 5);
	if (dh == NULL)
		return;
	while ((d = readdir(dh)) != NULL) {
		if (d->d_name[0] != '.' || d->d_name[1] == 0 ||
		    d->d_name[1] == '.')
			continue;
		if (!mbox_name_ok(d->d_name + 1))
			continue;
		names_add(l, d->d_name + 1, strlen(d->d_name + 1));
	}
	closedir(dh);
	if (l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, cmpstr);
}

static const char *
special_use(const char *name)
{
	static const char *const su[][2] = {{"Sent", "\\Sent"},
	    {"Drafts", "\\Drafts"}, {"Trash", "\\Trash"}, {"Junk", "\\Junk"}};
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(name, su[i][0]) == 0)
			return su[i][1];
	return NULL;
}

static bool
has_children(const struct names *all, const char *name)
{
	size_t nl = strlen(name), i;

	for (i = 0; i < all->n; i++)
		if (strncmp(all->v[i], name, nl) == 0 && all->v[i][nl] == '.')
			return true;
	return false;
}

static void
emit(struct imap_cmd *c, const char *verb, const struct names *all,
    const char *name, bool noselect)
{
	struct buf b = BUF_INIT(4096);
	const char *su = special_use(name);

	if (buf_printf(&b, "* %s (%s%s%s%s) \".\" ", verb,
	        noselect ? "\\Noselect " : "",
	        has_children(all, name) ? "\\HasChildren" : "\\HasNoChildren",
	        su && !noselect ? " " : "", su && !noselect ? su : "") < 0)
		die_nomem();
	buf_string(&b, name, strlen(name));
	reply_raw(c->s, b.p, b.len);
	reply_raw(c->s, "\r\n", 2);
	buf_free(&b);
}

static void
subscribed(const char *root, struct names *l)
{
	struct buf path = BUF_INIT(MAILDIR_PATH_MAX), d = BUF_INIT(1 << 20);
	size_t i = 0;

	if (buf_cats(&path, root) < 0 ||
	    buf_cats(&path, "/subscriptions") < 0 || buf_cstr(&path) < 0)
		die_nomem();
	if (control_readfile(&d, (char *)path.p, 1 << 20) > 0)
		while (i < d.len) {
			size_t e = i + str_chr(d.p + i, d.len - i, '\n');
			if (e > i)
				names_add(l, (char *)d.p + i, e - i);
			i = e + 1;
		}
	if (l->n > 0)
		qsort(l->v, l->n, sizeof *l->v, cmpstr);
	buf_free(&path);
	buf_free(&d);
}

/* Implied parents of listed names that match but do not exist. */
static void
implied(struct imap_cmd *c, const char *verb, const struct names *all,
    const struct names *src, const char *pat)
{
	struct names done = {0};
	size_t i, k;

	for (i = 0; i < src->n; i++) {
		for (k = 0; src->v[i][k]; k++) {
			char *pn;
			size_t j;
			if (src->v[i][k] != '.')
				continue;
			if ((pn = strndup(src->v[i], k)) == NULL)
				die_nomem();
			for (j = 0; j < done.n && strcmp(done.v[j], pn); j++)
				;
			if (j == done.n && !has_name(src, pn) &&
			    pmatch(pat, pn)) {
				names_add(&done, pn, k);
				emit(c, verb, all, pn, true);
			}
			free(pn);
		}
	}
	names_free(&done);
}

static enum cmd_res
list(struct imap_cmd *c, bool lsub)
{
	struct buf ref = BUF_INIT(1024), pat = BUF_INIT(2048);
	struct names all = {0}, subs = {0};
	const struct imap_arg *a = c->args;
	size_t n = c->n, i;

	if (n > 0 && a[0].type == ARG_LIST && !lsub) {
		a++; /* LIST-EXTENDED selection options */
		n--;
	}
	if (n < 2 || arg_cstr(&a[0], &ref) < 0 || arg_cstr(&a[1], &pat) < 0)
		return CMD_BAD;
	if (pat.len == 0) {
		reply(c->s, "* %s (\\Noselect) \".\" \"\"",
		    lsub ? "LSUB" : "LIST");
		return CMD_DONE;
	}
	if (buf_cat(&ref, pat.p, pat.len) < 0 || buf_cstr(&ref) < 0)
		die_nomem();
	scan_folders(c->s->root, &all);
	if (lsub)
		subscribed(c->s->root, &subs);
	for (i = 0; i < (lsub ? subs.n : all.n); i++) {
		const char *nm = lsub ? subs.v[i] : all.v[i];
		if (pmatch((char *)ref.p, nm))
			emit(c, lsub ? "LSUB" : "LIST", &all, nm,
			    lsub && !has_name(&all, nm));
	}
	implied(c, lsub ? "LSUB" : "LIST", &all, lsub ? &subs : &all,
	    (char *)ref.p);
	names_free(&all);
	names_free(&subs);
	buf_free(&ref);
	buf_free(&pat);
	return CMD_DONE;
}

enum cmd_res
cmd_list(struct imap_cmd *c)
{
	return list(c, false);
}

enum cmd_res
cmd_lsub(struct imap_cmd *c)
{
	return list(c, true);
}
