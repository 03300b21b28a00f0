/* rcpt.c: builds control/rcpt.cdb (lib/rcptdb.h): for every domain this
 * host delivers, which local parts exist.  Sources: the compiled tables
 * (locals, virtualdomains, mailboxes, aliases, users/assign), the
 * password database (qmail-getpw(8) rules: uid != 0, home exists and is
 * owned by the user) with each user's .qmail-* files, and the alias
 * user's HOME/alias/.qmail-* files.  Values name the source. */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "ctl.h"
#include "str.h"

#define USERLEN_MAX   32 /* qmail-getpw's GETPW_USERLEN */
#define DIR_FILES_MAX 100000

struct qdir {
	char *name;   /* user name, or "alias" */
	char *where;  /* "~joe" or "alias" for sources */
	char **files; /* .qmail-NAME: NAME lowercased, ':' -> '.' */
	size_t n;
	bool ok; /* the directory could be read */
};

struct sys {
	struct qdir *u;
	size_t n;
	struct qdir alias;
	struct buf key, src;
};

static bool
file_ext_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == '@' || *s == '*')
			return false;
	return true;
}

static void
scan_dir(struct qdir *q, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char *f, *c;

	q->ok = d != NULL;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && q->n < DIR_FILES_MAX) {
		if (strncmp(de->d_name, ".qmail-", 7) != 0 ||
		    !file_ext_ok(de->d_name + 7))
			continue;
		f = ctl_strdup(de->d_name + 7);
		str_lower(f, strlen(f));
		for (c = f; *c; c++)
			if (*c == ':')
				*c = '.';
		q->files = realloc(q->files, (q->n + 1) * sizeof *q->files);
		if (q->files == NULL)
			ctl_nomem();
		q->files[q->n++] = f;
	}
	closedir(d);
}

static bool
user_ok(const struct passwd *pw)
{
	struct stat st;
	const char *c;

	if (pw->pw_uid == 0 || strlen(pw->pw_name) >= USERLEN_MAX ||
	    pw->pw_dir == NULL || pw->pw_dir[0] != '/')
		return false;
	for (c = pw->pw_name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		        *c == '-' || *c == '_' || *c == '.'))
			return false;
	return stat(pw->pw_dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == pw->pw_uid;
}

static void
load_users(struct sys *s)
{
	struct passwd *pw;
	struct qdir *q;
	size_t i;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (!user_ok(pw))
			continue;
		for (i = 0; i < s->n; i++)
			if (strcmp(s->u[i].name, pw->pw_name) == 0)
				break;
		if (i < s->n)
			continue; /* getpwnam finds the first entry only */
		s->u = realloc(s->u, (s->n + 1) * sizeof *s->u);
		if (s->u == NULL)
			ctl_nomem();
		q = &s->u[s->n++];
		memset(q, 0, sizeof *q);
		q->name = ctl_strdup(pw->pw_name);
		q->where = ctl_alloc(strlen(pw->pw_name) + 2);
		q->where[0] = '~';
		memcpy(q->where + 1, pw->pw_name, strlen(pw->pw_name) + 1);
		scan_dir(q, pw->pw_dir);
	}
	endpwent();
}

static void
free_qdir(struct qdir *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->files[i]);
	free(q->files);
	free(q->name);
	free(q->where);
}

static void
put(struct table *t, struct sys *s, const char *src)
{
	str_lower(s->key.p, s->key.len);
	table_put(t, (char *)s->key.p, s->key.len, src, strlen(src), src);
}

/* key = a + b[0..bn) + c + "@" + dom */
static void
mkkey(struct sys *s, const char *a, const char *b, size_t bn, const char *c,
    const char *dom, size_t dn)
{
	buf_reset(&s->key);
	if (buf_cats(&s->key, a) < 0 || buf_cat(&s->key, b, bn) < 0 ||
	    buf_cats(&s->key, c) < 0 || buf_catc(&s->key, '@') < 0 ||
	    buf_cat(&s->key, dom, dn) < 0)
		ctl_nomem();
}

bool
rcpt_dotqmail_key(const char *name, const char *pre, const char *kp,
    const char *dom, struct buf *out)
{
	size_t nl = strlen(name), pl = strlen(pre), gl;
	bool def = strcmp(name, "default") == 0 ||
	           (nl > 8 && strcmp(name + nl - 8, "-default") == 0);

	buf_reset(out);
	if (def) {
		gl = nl - 7; /* name without "default": "" or "x-y-" */
		if (gl >= pl && memcmp(name, pre, pl) == 0)
			return buf_cats(out, kp) == 0 &&
			       buf_cat(out, name + pl, gl - pl) == 0 &&
			       buf_cats(out, "*@") == 0 &&
			       buf_cats(out, dom) == 0;
		if (pl > gl && memcmp(pre, name, gl) == 0)
			return buf_cats(out, kp) == 0 &&
			       buf_cats(out, "*@") == 0 &&
			       buf_cats(out, dom) == 0;
		return false;
	}
	if (nl <= pl || memcmp(name, pre, pl) != 0)
		return false;
	return buf_cats(out, kp) == 0 &&
	       buf_cat(out, name + pl, nl - pl) == 0 &&
	       buf_catc(out, '@') == 0 && buf_cats(out, dom) == 0;
}

/* Keys from one directory's .qmail files for ext prefix pre. */
static void
put_dotqmail(struct table *t, struct sys *s, const struct qdir *q,
    const char *pre, const char *kp, const char *dom)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (!rcpt_dotqmail_key(q->files[i], pre, kp, dom, &s->key))
			continue;
		buf_reset(&s->src);
		if (buf_cats(&s->src, q->where) < 0 ||
		    buf_cats(&s->src, "/.qmail-") < 0 ||
		    buf_cats(&s->src, q->files[i]) < 0 || buf_cstr(&s->src) < 0)
			ctl_nomem();
		put(t, s, (char *)s->src.p);
	}
}

static void
put_marker(struct table *t, struct sys *s, const char *dom, size_t dn,
    const char *src, bool postmaster)
{
	mkkey(s, "", "", 0, "", dom, dn);
	put(t, s, src);
	if (postmaster) { /* RFC 5321 4.5.1: postmaster always exists */
		mkkey(s, "postmaster", "", 0, "", dom, dn);
		put(t, s, "RFC 5321 4.5.1 postmaster");
	}
}

/* A domain of control/locals: L = local part. */
static void
local_domain(struct compile *c, struct sys *s, const char *dom, const char *src)
{
	struct table *t = &c->t[C_RCPT];
	const struct table *a = &c->t[C_ASSIGN];
	size_t i, dn = strlen(dom);
	char kp[USERLEN_MAX + 2];

	put_marker(t, s, dom, dn, src, true);
	for (i = 0; i < s->n; i++) {
		mkkey(s, s->u[i].name, "", 0, "", dom, dn);
		put(t, s, s->u[i].where);
		snprintf(kp, sizeof kp, "%s-", s->u[i].name);
		put_dotqmail(t, s, &s->u[i], "", kp, dom);
	}
	for (i = 0; i < a->n; i++) {
		if (a->e[i].klen < 2 && a->e[i].k[0] == '=')
			continue;
		mkkey(s, "", a->e[i].k + 1, a->e[i].klen - 1,
		    a->e[i].k[0] == '+' ? "*" : "", dom, dn);
		put(t, s, a->e[i].src);
	}
	put_dotqmail(t, s, &s->alias, "", "", dom);
}

static bool
starts(const char *s, size_t n, const char *p, size_t pn)
{
	return n >= pn && memcmp(s, p, pn) == 0;
}

/* users/assign entries reached through prefix pre ("joe-"). */
static void
virtual_assign(
    struct compile *c, struct sys *s, const char *pre, const char *dom)
{
	const struct table *a = &c->t[C_ASSIGN];
	size_t i, pl = strlen(pre), dn = strlen(dom), kl;
	const char *k;

	for (i = 0; i < a->n; i++) {
		k = a->e[i].k + 1;
		kl = a->e[i].klen - 1;
		if (a->e[i].k[0] == '=' && kl > pl && starts(k, kl, pre, pl))
			mkkey(s, "", k + pl, kl - pl, "", dom, dn);
		else if (a->e[i].k[0] == '+' && starts(k, kl, pre, pl))
			mkkey(s, "", k + pl, kl - pl, "*", dom, dn);
		else if (a->e[i].k[0] == '+' && starts(pre, pl, k, kl))
			mkkey(s, "", "", 0, "*", dom, dn);
		else
			continue;
		put(&c->t[C_RCPT], s, a->e[i].src);
	}
}

/* A virtualdomains "dom:prefix": L = prefix-local (qmail-send(8)). */
static void
virtual_domain(struct compile *c, struct sys *s, const char *dom,
    const char *prefix, const char *src)
{
	size_t i, best = 0, ul, pl = strlen(prefix);
	const struct qdir *u = NULL;
	char *pre = ctl_alloc(pl + 2);
	bool known = true;

	memcpy(pre, prefix, pl);
	memcpy(pre + pl, "-", 2);
	str_lower(pre, pl);
	virtual_assign(c, s, pre, dom);
	/* qmail-getpw: the longest user name that L starts with, at a '-' */
	for (i = 0; i < s->n; i++) {
		ul = strlen(s->u[i].name);
		if (ul > best && starts(pre, pl + 1, s->u[i].name, ul) &&
		    pre[ul] == '-') {
			best = ul;
			u = &s->u[i];
		}
	}
	if (u != NULL) {
		known = u->ok;
		put_dotqmail(&c->t[C_RCPT], s, u, pre + best + 1, "", dom);
	} else {
		known = s->alias.ok;
		put_dotqmail(&c->t[C_RCPT], s, &s->alias, pre, "", dom);
	}
	if (known) /* otherwise unchecked: accepted (quail-control(5)) */
		put_marker(&c->t[C_RCPT], s, dom, strlen(dom), src, false);
	free(pre);
}

/* "user@dom" of mailboxes: the user and its extensions (quail-lspawn
 * splits at the first '-' or '+'); "@dom" of aliases: catch-all. */
static void
virtual_users(struct compile *c, struct sys *s, enum cdbid id)
{
	const struct table *m = &c->t[id];
	struct table *t = &c->t[C_RCPT];
	size_t i, at;
	const char *k;

	for (i = 0; i < m->n; i++) {
		k = m->e[i].k;
		at = addr_at(k, m->e[i].klen);
		put_marker(
		    t, s, k + at + 1, m->e[i].klen - at - 1, m->e[i].src, true);
		mkkey(s, "", k, at, at == 0 ? "*" : "", k + at + 1,
		    m->e[i].klen - at - 1);
		put(t, s, m->e[i].src);
		if (id != C_MAILBOXES)
			continue;
		mkkey(s, "", k, at, "-*", k + at + 1, m->e[i].klen - at - 1);
		put(t, s, m->e[i].src);
		mkkey(s, "", k, at, "+*", k + at + 1, m->e[i].klen - at - 1);
		put(t, s, m->e[i].src);
	}
}

static void
virtual_domains(struct compile *c, struct sys *s)
{
	const struct table *v = &c->t[C_VIRTUALDOMAINS];
	size_t i;

	for (i = 0; i < v->n; i++) {
		const struct ent *e = &v->e[i];

		if (e->klen == 0 || e->k[0] == '.')
			continue; /* catch-all and suffixes: unchecked */
		if (addr_at(e->k, e->klen) < e->klen) {
			buf_reset(&s->key); /* "user@dom:prefix" */
			if (buf_cat(&s->key, e->k, e->klen) < 0)
				ctl_nomem();
			put(&c->t[C_RCPT], s, e->src);
		} else if (e->vlen == 0)
			continue; /* "dom:" is an exception, not virtual
			           * (qmail-send(8)): locals or remote */
		else
			virtual_domain(c, s, e->k, e->v, e->src);
	}
}

int
rcpt_build(struct compile *c, const char *home)
{
	const struct table *l = &c->t[C_LOCALS];
	struct sys s;
	char *adir = ctl_path(home, "alias");
	size_t i;

	memset(&s, 0, sizeof s);
	buf_init(&s.key, CTL_LINE_MAX * 2);
	buf_init(&s.src, CTL_LINE_MAX * 2);
	load_users(&s);
	s.alias.name = ctl_strdup("alias");
	s.alias.where = ctl_strdup("alias");
	scan_dir(&s.alias, adir);
	free(adir);
	if (!s.alias.ok && errno != ENOENT)
		fprintf(stderr,
		    "quail-ctl: warning: unable to read alias: %s\n",
		    strerror(errno));
	for (i = 0; i < l->n; i++)
		if (l->e[i].vlen == 0)
			local_domain(c, &s, l->e[i].k, l->e[i].src);
	virtual_domains(c, &s);
	virtual_users(c, &s, C_MAILBOXES);
	virtual_users(c, &s, C_ALIASES);
	for (i = 0; i < s.n; i++)
		free_qdir(&s.u[i]);
	free(s.u);
	free_qdir(&s.alias);
	buf_free(&s.key);
	buf_free(&s.src);
	return 0;
}
