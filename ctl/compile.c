/* compile.c: quail-ctl compile [--check] [--diff].  Reads every text
 * source under HOME/control and HOME/users, validates every line, and
 * only when all are valid writes each CDB as NAME.cdb.tmp and renames the
 * ones that differ into place, keeping NAME.cdb.prev (cdbio.c).
 * Formats: quail-control(5). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "auto.h"
#include "ctl.h"

const struct cdbfile ctl_cdbs[C_NCDB] = {
    [C_RCPTHOSTS] = {"control/rcpthosts.cdb", 0644,
        "control/rcpthosts control/morercpthosts"},
    [C_LOCALS] = {"control/locals.cdb", 0644,
        "control/locals control/me control/mailboxes control/aliases"},
    [C_VIRTUALDOMAINS] = {"control/virtualdomains.cdb", 0644,
        "control/virtualdomains"},
    [C_SMTPROUTES] = {"control/smtproutes.cdb", 0644, "control/smtproutes"},
    [C_BADMAILFROM] = {"control/badmailfrom.cdb", 0644, "control/badmailfrom"},
    [C_BADRCPTTO] = {"control/badrcptto.cdb", 0644, "control/badrcptto"},
    /* password hashes: only root (quail-auth, quail-lspawn) reads them */
    [C_MAILBOXES] = {"control/mailboxes.cdb", 0600, "control/mailboxes"},
    [C_ALIASES] = {"control/aliases.cdb", 0644, "control/aliases"},
    [C_ASSIGN] = {"users/assign.cdb", 0644, "users/assign"},
    [C_RCPT] = {"control/rcpt.cdb", 0644,
        "control/locals control/me control/virtualdomains "
        "control/mailboxes control/aliases users/assign alias "
        "/etc/passwd"},
};

struct srcdef {
	const char *name;
	enum cdbid id;
	parse_fn fn;
};

static const struct srcdef srcdefs[] = {
    {"control/rcpthosts", C_RCPTHOSTS, parse_rcpthost},
    {"control/morercpthosts", C_RCPTHOSTS, parse_rcpthost},
    {"control/locals", C_LOCALS, parse_local},
    {"control/virtualdomains", C_VIRTUALDOMAINS, parse_virtualdomain},
    {"control/smtproutes", C_SMTPROUTES, parse_smtproute},
    {"control/badmailfrom", C_BADMAILFROM, parse_badaddr},
    {"control/badrcptto", C_BADRCPTTO, parse_badaddr},
    {"control/mailboxes", C_MAILBOXES, parse_mailbox},
    {"control/aliases", C_ALIASES, parse_alias},
};

/* Validates one line and adds it; duplicates are errors. */
static void
add_line(struct source *s, struct table *t, parse_fn fn, const char *l,
    size_t n, struct parsed *p)
{
	const struct ent *dup;
	const char *err;
	char *where, msg[600];

	if ((err = fn(l, n, p)) != NULL) {
		source_err(s, err);
		return;
	}
	where = source_where(s);
	dup = table_put(t, (char *)p->key.p, p->key.len, (char *)p->val.p,
	    p->val.len, where);
	if (dup != NULL) {
		snprintf(msg, sizeof msg, "duplicate key '%.*s' (first at %s)",
		    (int)(p->key.len > 200 ? 200 : p->key.len),
		    (char *)p->key.p, dup->src);
		source_err(s, msg);
	}
	free(where);
}

/* 1 read, 0 missing, -1 system error. */
static int
read_source(struct compile *c, const struct srcdef *d, struct parsed *p)
{
	struct source s;
	const char *l;
	size_t n;
	int r;

	r = source_open(&s, d->name, true);
	if (r <= 0)
		return r;
	while ((r = source_next(&s, &l, &n)) == 1)
		add_line(&s, &c->t[d->id], d->fn, l, n, p);
	c->errors += s.errors;
	source_close(&s);
	return r < 0 ? -1 : 1;
}

/* users/assign: qmail-users(5), no comments, ends with a line ".". */
static int
read_assign(struct compile *c, struct parsed *p)
{
	struct source s;
	const char *l;
	size_t n;
	bool end = false, any = false;
	int r;

	r = source_open(&s, "users/assign", false);
	if (r <= 0)
		return r;
	while ((r = source_next(&s, &l, &n)) == 1) {
		any = true;
		if (end)
			source_err(&s, "text after the final line '.'");
		else if (n == 1 && l[0] == '.')
			end = true;
		else
			add_line(&s, &c->t[C_ASSIGN], parse_assign, l, n, p);
	}
	if (r == 0 && !end) {
		if (!any)
			s.line = 1;
		source_err(&s, "missing final line '.'");
	}
	c->errors += s.errors;
	source_close(&s);
	return r < 0 ? -1 : 1;
}

/* No control/locals: the default is control/me (qmail-send(8)). */
static int
locals_from_me(struct compile *c, struct parsed *p)
{
	struct source s;
	const char *l;
	size_t n;
	int r;

	r = source_open(&s, "control/me", false);
	if (r <= 0)
		return r;
	r = source_next(&s, &l, &n);
	if (r == 1)
		add_line(&s, &c->t[C_LOCALS], parse_local, l, n, p);
	c->errors += s.errors;
	source_close(&s);
	return r < 0 ? -1 : 1;
}

/* Domains of mailboxes and aliases are local too (value "virtual"). */
static void
virtual_locals(struct compile *c, enum cdbid id)
{
	const struct table *t = &c->t[id];
	size_t i, at;

	for (i = 0; i < t->n; i++) {
		at = addr_at(t->e[i].k, t->e[i].klen);
		table_put(&c->t[C_LOCALS], t->e[i].k + at + 1,
		    t->e[i].klen - at - 1, "virtual", 7, t->e[i].src);
	}
}

int
compile_build(struct compile *c, const char *home)
{
	struct parsed p;
	size_t i;
	int r, locals = 0;

	memset(c, 0, sizeof *c);
	for (i = 0; i < C_NCDB; i++)
		table_init(&c->t[i]);
	buf_init(&p.key, CTL_LINE_MAX * 2);
	buf_init(&p.val, CTL_LINE_MAX * 2);
	p.home = home;
	for (i = 0; i < sizeof srcdefs / sizeof srcdefs[0]; i++) {
		r = read_source(c, &srcdefs[i], &p);
		if (r < 0)
			goto fail;
		if (srcdefs[i].id == C_LOCALS)
			locals = r;
	}
	if (!locals && locals_from_me(c, &p) < 0)
		goto fail;
	if (read_assign(c, &p) < 0)
		goto fail;
	buf_free(&p.key);
	buf_free(&p.val);
	if (c->errors)
		return c->errors;
	virtual_locals(c, C_MAILBOXES);
	virtual_locals(c, C_ALIASES);
	if (rcpt_build(c, home) < 0)
		return -1;
	return 0;
fail:
	buf_free(&p.key);
	buf_free(&p.val);
	return -1;
}

void
compile_free(struct compile *c)
{
	size_t i;

	for (i = 0; i < C_NCDB; i++)
		table_free(&c->t[i]);
}

struct opts {
	bool check, diff;
};

/* HOME/NAME.tmp in fresh memory. */
static char *
tmp_path(const char *home, const char *name)
{
	char *cur = ctl_path(home, name), *tmp;
	size_t n = strlen(cur);

	tmp = ctl_alloc(n + 5);
	memcpy(tmp, cur, n);
	memcpy(tmp + n, ".tmp", 5);
	free(cur);
	return tmp;
}

static void
unlink_tmp(const char *home, const char *name)
{
	char *tmp = tmp_path(home, name);

	unlink(tmp);
	free(tmp);
}

/* Writes NAME.cdb.tmp for one table and compares it with NAME.cdb.
 * Returns 1 when it differs (tmp left for install), 0 same, -1 error. */
static int
stage_one(const char *home, enum cdbid id, struct table *t,
    const struct opts *o, struct diffcount *d)
{
	const char *name = ctl_cdbs[id].name;
	char *cur = ctl_path(home, name), *tmp = tmp_path(home, name);
	struct table old;
	int r = -1;

	table_init(&old);
	r = cdb_load_table(cur, &old);
	if (r < 0 && errno == EINVAL) { /* corrupt: replace it */
		fprintf(stderr, "quail-ctl: warning: %s is not a CDB\n", name);
		table_free(&old);
		r = 0;
	}
	if (r < 0) {
		fprintf(stderr, "quail-ctl: unable to read %s: %s\n", name,
		    strerror(errno));
		goto out;
	}
	table_sort(t);
	cdb_diff(&old, t, d, o->diff ? stdout : NULL, name);
	d->created = r == 0;
	r = -1;
	if (o->diff) {
		r = d->added + d->removed + d->changed > 0 || d->created;
		goto out;
	}
	if (cdb_write_table(tmp, t, ctl_cdbs[id].mode) < 0) {
		fprintf(stderr, "quail-ctl: unable to write %s.tmp: %s\n", name,
		    strerror(errno));
		goto out;
	}
	r = !file_same(tmp, cur);
	if (r == 0)
		unlink(tmp);
out:
	table_free(&old);
	free(cur);
	free(tmp);
	return r;
}

static int
install_all(const char *home, const int *changed, const struct diffcount *d)
{
	char *cur, *tmp;
	size_t i;
	int err = 0;

	for (i = 0; i < C_NCDB; i++) {
		cur = ctl_path(home, ctl_cdbs[i].name);
		tmp = tmp_path(home, ctl_cdbs[i].name);
		if (changed[i] && cdb_install(cur, tmp) < 0) {
			fprintf(stderr, "quail-ctl: unable to install %s: %s\n",
			    ctl_cdbs[i].name, strerror(errno));
			err++;
		} else if (changed[i])
			printf("%s: %zu added, %zu removed, %zu changed%s\n",
			    ctl_cdbs[i].name, d[i].added, d[i].removed,
			    d[i].changed, d[i].created ? " (new file)" : "");
		else if (cdb_drop_prev(cur) < 0)
			err++;
		free(cur);
		free(tmp);
	}
	return err ? -1 : 0;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof *o);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0)
			o->check = true;
		else if (strcmp(argv[i], "--diff") == 0)
			o->diff = true;
		else {
			fputs("usage: quail-ctl compile [--check] [--diff]\n",
			    stderr);
			return -1;
		}
	}
	return 0;
}

int
cmd_compile(const char *home, int argc, char **argv)
{
	struct compile c;
	struct diffcount d[C_NCDB];
	int changed[C_NCDB], i, r, any = 0, code = 0;
	struct opts o;

	if (parse_opts(argc, argv, &o) < 0)
		return 100;
	r = compile_build(&c, home);
	if (r != 0) {
		if (r > 0)
			fprintf(stderr,
			    "quail-ctl: %d error%s; nothing changed\n", r,
			    r == 1 ? "" : "s");
		compile_free(&c);
		return r > 0 ? 100 : 111;
	}
	if (o.check) {
		printf("quail-ctl: all sources valid\n");
		compile_free(&c);
		return 0;
	}
	for (i = 0; i < C_NCDB; i++) {
		changed[i] = stage_one(home, (enum cdbid)i, &c.t[i], &o, &d[i]);
		if (changed[i] < 0)
			code = 111;
		else
			any += changed[i];
	}
	if (code == 0 && !o.diff && any && install_all(home, changed, d) < 0)
		code = 111;
	if (code != 0 && !o.diff)
		for (i = 0; i < C_NCDB; i++)
			if (changed[i] > 0)
				unlink_tmp(home, ctl_cdbs[i].name);
	if (code == 0 && !any)
		printf("quail-ctl: no changes\n");
	compile_free(&c);
	return code;
}
