/* explain.c: quail-ctl explain ADDRESS: how quail treats a recipient, from
 * the compiled tables only (what the daemons see), in the order they ask:
 *   RCPT  quail-smtpd: rcpthosts.cdb (relay), badrcptto.cdb, rcpt.cdb
 *         (lib/rcptdb.h) with the entry that decided
 *   route quail-send: locals.cdb, virtualdomains.cdb (prefix rewriting),
 *         else remote via smtproutes.cdb or MX
 *   user  quail-lspawn (/work/notes/cdb.md order): mailboxes.cdb,
 *         aliases.cdb, users/assign.cdb, the password database, the alias
 *         user; then the .qmail file quail-local would read, with its lines.
 * Read-only. */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "admin.h"
#include "cdbx.h"
#include "control.h"
#include "ctl.h"
#include "fmt.h"
#include "rcptdb.h"
#include "str.h"

#define SHOW_LINES 40

struct ex {
	const char *home;
	char *addr, *local, *dom; /* lowercased */
	struct buf v, k, l;       /* value, key, L */
};

/* 1 found (value in e->v, NUL-ended), 0 not, -1 error (printed). */
static int
look(struct ex *e, const char *file, const char *key, size_t klen)
{
	char *p = ctl_path(e->home, file);
	int r = cdbx_lookup(p, key, klen, &e->v);

	free(p);
	if (r < 0 && errno == ENOENT)
		r = 0;
	else if (r < 0)
		printf("  %s: unreadable: %s\n", file, strerror(errno));
	if (r == 1 && buf_cstr(&e->v) < 0)
		ctl_nomem();
	return r;
}

/* Looks up the key a + b (left in e->k). */
static int
lookf(struct ex *e, const char *file, const char *a, const char *b)
{
	buf_reset(&e->k);
	if (buf_cats(&e->k, a) < 0 || buf_cats(&e->k, b) < 0 ||
	    buf_cstr(&e->k) < 0)
		ctl_nomem();
	return look(e, file, (char *)e->k.p, e->k.len);
}

/* The NUL-separated fields of e->v, printed "a, b, c". */
static void
fields(const struct buf *v, const char *sep)
{
	size_t i;

	for (i = 0; i < v->len; i++)
		if (v->p[i] == '\0')
			fputs(sep, stdout);
		else
			putchar(isprint(v->p[i]) ? v->p[i] : '?');
}

/* Points f[0..max) at the NUL-separated fields of v (NUL-ended by
 * look); returns how many there are. */
static size_t
split_fields(const struct buf *v, const char **f, size_t max)
{
	size_t k = 0, j;

	f[k++] = (const char *)v->p;
	for (j = 0; j < v->len && k < max; j++)
		if (v->p[j] == '\0')
			f[k++] = (const char *)v->p + j + 1;
	return k;
}

/* Exact domain, then each ".suffix"; key found in e->k.  1/0/-1. */
static int
look_suffix(struct ex *e, const char *file, bool exact, bool dflt)
{
	const char *d;
	int r = exact ? lookf(e, file, "", e->dom) : 0;

	for (d = e->dom; r == 0 && (d = strchr(d, '.')) != NULL; d++)
		r = lookf(e, file, "", d);
	if (r == 0 && dflt)
		r = lookf(e, file, "", "");
	return r;
}

static void
rcpt_stage(struct ex *e)
{
	struct cdbx db;
	enum rcptdb_res r;
	char *p;

	printf("RCPT (quail-smtpd)\n");
	if (look_suffix(e, "control/rcpthosts.cdb", true, false) == 1)
		printf("  rcpthosts: '%s' listed: accepted from anybody\n",
		    (char *)e->k.p);
	else
		printf("  rcpthosts: not listed: refused (553 5.7.1 relaying "
		       "denied) unless the client may relay\n");
	if (lookf(e, "control/badrcptto.cdb", e->addr, "") == 1 ||
	    lookf(e, "control/badrcptto.cdb", "@", e->dom) == 1)
		printf(
		    "  badrcptto: '%s': refused (553 5.7.1)\n", (char *)e->k.p);
	p = ctl_path(e->home, "control/rcpt.cdb");
	if (cdbx_open(&db, p) < 0) {
		printf("  rcpt.cdb: unreadable (%s): every RCPT gets 451\n",
		    strerror(errno));
		free(p);
		return;
	}
	free(p);
	r = rcptdb_check(&db, e->addr, strlen(e->addr), &e->v);
	cdbx_close(&db);
	if (r == RCPTDB_OK && buf_cstr(&e->v) == 0)
		printf(
		    "  rcpt.cdb: deliverable, entry from %s\n", (char *)e->v.p);
	else if (r == RCPTDB_UNKNOWN) {
		lookf(e, "control/rcpt.cdb", "@", e->dom);
		printf("  rcpt.cdb: unknown user: refused (550 5.1.1); %s is "
		       "validated here (%s)\n",
		    e->dom, (char *)e->v.p);
	} else if (r == RCPTDB_UNCHECKED)
		printf("  rcpt.cdb: %s is not validated here: any local part "
		       "passes\n",
		    e->dom);
	else
		printf("  rcpt.cdb: error: 451\n");
}

/* Sets e->l = L; returns true if local. */
static bool
route_stage(struct ex *e)
{
	int r;

	printf("route (quail-send)\n");
	buf_reset(&e->l);
	if (look(e, "control/locals.cdb", e->dom, strlen(e->dom)) == 1) {
		printf("  local: %s in locals.cdb%s\n", e->dom,
		    e->v.len ? " (domain of mailboxes/aliases)" : "");
		return buf_cats(&e->l, e->local) == 0 && buf_cstr(&e->l) == 0;
	}
	r = lookf(e, "control/virtualdomains.cdb", e->addr, "");
	if (r == 0)
		r = look_suffix(e, "control/virtualdomains.cdb", true, true);
	if (r == 1) {
		if (e->v.len > 0 && (buf_cats(&e->l, (char *)e->v.p) < 0 ||
		                        buf_catc(&e->l, '-') < 0))
			ctl_nomem();
		if (buf_cats(&e->l, e->local) < 0 || buf_cstr(&e->l) < 0)
			ctl_nomem();
		printf("  local: virtualdomains '%s:%s', local part becomes "
		       "'%s'\n",
		    (char *)e->k.p, (char *)e->v.p, (char *)e->l.p);
		return true;
	}
	if (look_suffix(e, "control/smtproutes.cdb", true, true) == 1)
		printf("  remote: smtproutes '%s' -> %s\n",
		    e->k.len ? (char *)e->k.p : "(default)",
		    e->v.len ? (char *)e->v.p : "MX of the domain");
	else
		printf("  remote: no smtproutes entry: MX of %s\n", e->dom);
	return false;
}

/* Prints file's lines (bounded); true if it exists. */
static bool
show_file(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f == NULL)
		return false;
	printf("  .qmail file %s:\n", path);
	while (fgets(line, sizeof line, f) != NULL && ++n <= SHOW_LINES) {
		line[strcspn(line, "\n")] = '\0';
		printf("    %d: %s\n", n, line);
	}
	if (n > SHOW_LINES)
		printf("    ...\n");
	if (n == 0)
		printf("    (empty: qmail-local treats it as ./Maildir/ "
		       "default)\n");
	fclose(f);
	return true;
}

/* dot-qmail(5): .qmail{dash}{ext}, then the -default chain. */
static void
dotqmail(const char *home, const char *dash, const char *ext)
{
	struct buf p = BUF_INIT(8192);
	char *x = ctl_strdup(ext), *c;
	bool found = false;
	size_t i;

	for (c = x; *c; c++)
		*c = *c == '.' ? ':' : (char)tolower((unsigned char)*c);
	if (buf_printf(&p, "%s/.qmail%s%s", home, dash, x) < 0 ||
	    buf_cstr(&p) < 0)
		ctl_nomem();
	found = show_file((char *)p.p);
	for (i = strlen(x); !found && dash[0] && x[0] && i-- > 0;) {
		if (x[i] != '-' && i != 0)
			continue;
		buf_reset(&p);
		if (buf_printf(&p, "%s/.qmail%s%.*sdefault", home, dash,
		        (int)(i ? i + 1 : 0), x) < 0 ||
		    buf_cstr(&p) < 0)
			ctl_nomem();
		found = show_file((char *)p.p);
	}
	if (!found)
		printf("  no .qmail file in %s for '%s': %s\n", home, ext,
		    dash[0] && x[0] ? "bounced (no such address)"
		                    : "default delivery");
	free(x);
	buf_free(&p);
}

/* users/assign: "=L", then "+prefix" longest first. */
static bool
assign_stage(struct ex *e)
{
	const char *L = (char *)e->l.p;
	size_t n = strlen(L), i;
	const char *f[6];
	char *ext;

	if (lookf(e, "users/assign.cdb", "=", L) == 1)
		i = n;
	else
		for (i = n + 1; i-- > 0;) {
			buf_reset(&e->k);
			if (buf_catc(&e->k, '+') < 0 ||
			    buf_cat(&e->k, L, i) < 0)
				ctl_nomem();
			if (look(e, "users/assign.cdb", (char *)e->k.p,
			        e->k.len) == 1)
				break;
			if (i == 0)
				return false;
		}
	printf("  users/assign '%.*s': user ", (int)e->k.len, (char *)e->k.p);
	fields(&e->v, ":");
	putchar('\n');
	if (split_fields(&e->v, f, 6) < 6)
		return true;
	ext = ctl_alloc(strlen(f[5]) + n - i + 1);
	memcpy(ext, f[5], strlen(f[5]));
	memcpy(ext + strlen(f[5]), L + i, n - i + 1);
	dotqmail(f[3], f[4], ext);
	free(ext);
	return true;
}

/* The password database (qmail-getpw): the longest user name L starts
 * with at a '-', uid != 0, home owned by it. */
static bool
passwd_stage(struct ex *e)
{
	char *u = ctl_strdup((char *)e->l.p), *c;
	struct passwd *pw = NULL;
	struct stat st;
	size_t n;

	for (;;) {
		pw = getpwnam(u);
		if (pw != NULL && pw->pw_uid != 0 &&
		    stat(pw->pw_dir, &st) == 0 && st.st_uid == pw->pw_uid)
			break;
		pw = NULL;
		if ((c = strrchr(u, '-')) == NULL)
			break;
		*c = '\0';
	}
	if (pw == NULL) {
		free(u);
		return false;
	}
	n = strlen(u);
	printf("  unix user %s (uid %lu, home %s)\n", u,
	    (unsigned long)pw->pw_uid, pw->pw_dir);
	dotqmail(pw->pw_dir, e->l.p[n] ? "-" : "",
	    (char *)e->l.p + n + (e->l.p[n] ? 1 : 0));
	free(u);
	return true;
}

static void
user_stage(struct ex *e)
{
	const char *f[6];
	char *adir;
	size_t n;
	int r;

	printf("delivery (quail-lspawn)\n");
	n = strcspn(e->local, "-+");
	r = lookf(e, "control/mailboxes.cdb", e->addr, "");
	if (r == 0 && n > 0 && n < strlen(e->local)) {
		buf_reset(&e->k);
		if (buf_cat(&e->k, e->local, n) < 0 ||
		    buf_catc(&e->k, '@') < 0 || buf_cats(&e->k, e->dom) < 0)
			ctl_nomem();
		r = look(e, "control/mailboxes.cdb", (char *)e->k.p, e->k.len);
	}
	if (r == 1 && split_fields(&e->v, f, 4) == 4) {
		printf("  virtual mailbox '%.*s'%s: Maildir %s, quota %s, "
		       "flags '%s', delivered as the mail owner\n",
		    (int)e->k.len, (char *)e->k.p,
		    f[0][0] == '!' ? " (DISABLED for login)" : "", f[3],
		    strcmp(f[1], "0") ? f[1] : "none", f[2]);
		return;
	}
	if (lookf(e, "control/aliases.cdb", e->addr, "") == 1 ||
	    lookf(e, "control/aliases.cdb", "@", e->dom) == 1) {
		printf("  alias '%s' -> ", (char *)e->k.p);
		fields(&e->v, ", ");
		putchar('\n');
		return;
	}
	if (assign_stage(e) || passwd_stage(e))
		return;
	adir = ctl_path(e->home, "alias");
	printf("  alias user (%s), extension '%s'\n", adir, (char *)e->l.p);
	dotqmail(adir, "-", (char *)e->l.p);
	free(adir);
}

int
cmd_explain(const char *home, int argc, char **argv)
{
	struct buf me = BUF_INIT(1024), a = BUF_INIT(ADDR_MAX + 1024);
	struct ex e;
	size_t at;

	if (argc != 2) {
		fputs("usage: quail-ctl explain ADDRESS\n", stderr);
		return 100;
	}
	if (buf_cats(&a, argv[1]) < 0)
		return fputs("quail-ctl: address too long\n", stderr), 100;
	at = addr_at((char *)a.p, a.len);
	if (at == a.len) {
		if (control_readline(&me, "me", "localhost") < 0 ||
		    buf_catc(&a, '@') < 0 || buf_cat(&a, me.p, me.len) < 0)
			return fputs("quail-ctl: no control/me\n", stderr), 111;
		printf("no domain: qualified with control/me\n");
	}
	if (buf_cstr(&a) < 0)
		ctl_nomem();
	str_lower(a.p, a.len);
	at = addr_at((char *)a.p, a.len);
	if (a.len > ADDR_MAX || !ctl_address_ok((char *)a.p, a.len)) {
		fprintf(
		    stderr, "quail-ctl: not a valid address: %s\n", argv[1]);
		return 100;
	}
	memset(&e, 0, sizeof e);
	e.home = home;
	e.addr = (char *)a.p;
	e.local = ctl_strdup(e.addr);
	e.local[at] = '\0';
	e.dom = e.local + at + 1;
	buf_init(&e.v, CTL_LINE_MAX * 4);
	buf_init(&e.k, CTL_LINE_MAX * 2);
	buf_init(&e.l, CTL_LINE_MAX * 2);
	printf("%s\n", e.addr);
	rcpt_stage(&e);
	if (route_stage(&e))
		user_stage(&e);
	free(e.local);
	buf_free(&e.v);
	buf_free(&e.k);
	buf_free(&e.l);
	buf_free(&me);
	buf_free(&a);
	return 0;
}
