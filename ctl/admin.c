/* admin.c: quail-ctl domain|user|alias (quail-ctl-admin(8)).  Each edits
 * the text sources and compiles (srcedit.c):
 *   control/rcpthosts  a domain must be listed to receive mail at all
 *   control/mailboxes  user@dom:hash:quota:flags (virtual users)
 *   control/aliases    user@dom: targets, and @dom: catch-all
 * A virtual domain is any domain with a line in mailboxes or aliases.
 * "domain add" records a new, empty domain as rcpthosts line plus the
 * alias "postmaster@dom: postmaster@ME" (RFC 5321 4.5.1 wants
 * postmaster anyway); that alias line is the marker which makes the
 * domain local and validated at RCPT before it has users.  Lines are
 * validated with the compile's own parsers before anything is written. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "admin.h"
#include "control.h"
#include "fmt.h"
#include "ctl.h"
#include "str.h"

enum { F_RCPTHOSTS, F_MAILBOXES, F_ALIASES, F_N };

struct adm {
	const char *home;
	struct srcf f[F_N];
	struct buf k, line;
	struct parsed p;
	int lock;
};

static int
usage(void)
{
	fputs(
	    "usage: quail-ctl domain add|del [--force]|list [DOM]\n"
	    "       quail-ctl user add ADDR [--quota Q] [--flags F] | del ADDR"
	    " | passwd ADDR\n"
	    "                      | quota ADDR Q | list [DOM]\n"
	    "       quail-ctl alias add ADDR TARGET... | del ADDR [TARGET] "
	    "| list [DOM]\n",
	    stderr);
	return 100;
}

static int
adm_open(struct adm *a, const char *home, bool lock)
{
	memset(a, 0, sizeof *a);
	a->home = home;
	a->lock = -1;
	buf_init(&a->k, CTL_LINE_MAX * 2);
	buf_init(&a->line, CTL_LINE_MAX * 2);
	buf_init(&a->p.key, CTL_LINE_MAX * 2);
	buf_init(&a->p.val, CTL_LINE_MAX * 2);
	a->p.home = home;
	if (lock && (a->lock = admin_lock(home)) < 0)
		return -1;
	if (srcf_load(&a->f[F_RCPTHOSTS], home, "control/rcpthosts", 0644) <
	        0 ||
	    srcf_load(&a->f[F_MAILBOXES], home, "control/mailboxes", 0600) <
	        0 ||
	    srcf_load(&a->f[F_ALIASES], home, "control/aliases", 0644) < 0)
		return -1;
	return 0;
}

static int
adm_close(struct adm *a, int code)
{
	size_t i;

	for (i = 0; i < F_N; i++)
		srcf_free(&a->f[i]);
	buf_free(&a->k);
	buf_free(&a->line);
	buf_free(&a->p.key);
	buf_free(&a->p.val);
	if (a->lock >= 0)
		close(a->lock);
	return code;
}

static int
commit(struct adm *a)
{
	return admin_commit(a->home, a->f, F_N);
}

/* Lowercased copy of s into a->k; false if it is not a valid domain. */
static bool
arg_domain(struct adm *a, const char *s)
{
	buf_reset(&a->k);
	if (buf_cats(&a->k, s) < 0 || buf_cstr(&a->k) < 0)
		ctl_nomem();
	str_lower(a->k.p, a->k.len);
	if (ctl_domain_ok((char *)a->k.p, a->k.len))
		return true;
	fprintf(stderr, "quail-ctl: not a valid domain: %s\n", s);
	return false;
}

/* Lowercased user@dom into out; false (printed) if invalid as mailbox. */
static bool
arg_addr(const char *s, struct buf *out, bool catchall)
{
	size_t n = strlen(s), at = addr_at(s, n);

	buf_reset(out);
	if (buf_cats(out, s) < 0 || buf_cstr(out) < 0)
		ctl_nomem();
	str_lower(out->p, out->len);
	if (catchall && n > 1 && s[0] == '@' && ctl_domain_ok(s + 1, n - 1))
		return true;
	if (ctl_address_ok(s, n) && s[0] != '.' && str_chr(s, at, '/') == at)
		return true;
	fprintf(stderr, "quail-ctl: not a valid address%s: %s\n",
	    catchall ? " (user@dom or @dom)" : " (user@dom)", s);
	return false;
}

/* Number of lines in f whose key's domain is dom. */
static size_t
count_dom(struct adm *a, int f, const char *dom)
{
	struct buf k = BUF_INIT(CTL_LINE_MAX * 2);
	size_t i, c = 0;

	for (i = 0; i < a->f[f].n; i++)
		if (srcf_key(&a->f[f], i, true, &k) &&
		    strcmp(admin_domain((char *)k.p), dom) == 0)
			c++;
	buf_free(&k);
	return c;
}

static bool
dom_known(struct adm *a, const char *dom)
{
	return count_dom(a, F_MAILBOXES, dom) + count_dom(a, F_ALIASES, dom) >
	       0;
}

/* Validates line with fn; prints the problem.  true if valid. */
static bool
valid(struct adm *a, parse_fn fn, const char *l)
{
	const char *e = fn(l, strlen(l), &a->p);

	if (e != NULL)
		fprintf(stderr, "quail-ctl: invalid line '%s': %s\n", l, e);
	return e == NULL;
}

/* ---- domain ---- */

static int
domain_add(struct adm *a, const char *arg)
{
	struct buf me = BUF_INIT(1024), l = BUF_INIT(2048);
	char *dom;
	int code = 0;

	if (!arg_domain(a, arg))
		return 100;
	dom = ctl_strdup((char *)a->k.p);
	if (control_readline(&me, "me", "localhost") < 0) {
		fprintf(stderr, "quail-ctl: unable to read control/me: %s\n",
		    strerror(errno));
		code = 111;
	}
	if (code == 0 && srcf_find(&a->f[F_RCPTHOSTS], dom, false) < 0)
		srcf_add(&a->f[F_RCPTHOSTS], dom);
	if (code == 0 && !dom_known(a, dom)) {
		if (buf_printf(&l, "postmaster@%s: postmaster@%s", dom,
		        (char *)me.p) < 0 ||
		    buf_cstr(&l) < 0)
			ctl_nomem();
		if (!valid(a, parse_alias, (char *)l.p))
			code = 100;
		else
			srcf_add(&a->f[F_ALIASES], (char *)l.p);
	}
	if (code == 0 && !a->f[F_RCPTHOSTS].changed && !a->f[F_ALIASES].changed)
		printf("quail-ctl: domain %s already present\n", dom);
	else if (code == 0 && (code = commit(a)) == 0)
		printf("quail-ctl: domain %s added\n", dom);
	buf_free(&me);
	buf_free(&l);
	free(dom);
	return code;
}

static int
domain_del(struct adm *a, const char *arg, bool force)
{
	struct buf k = BUF_INIT(CTL_LINE_MAX * 2);
	size_t users, f, i;
	long r;
	int code;

	if (!arg_domain(a, arg))
		return 100;
	r = srcf_find(&a->f[F_RCPTHOSTS], (char *)a->k.p, false);
	if (!dom_known(a, (char *)a->k.p) && r < 0) {
		fprintf(stderr, "quail-ctl: no such domain: %s\n", arg);
		return 100;
	}
	users = count_dom(a, F_MAILBOXES, (char *)a->k.p);
	if (users > 0 && !force) {
		fprintf(stderr,
		    "quail-ctl: domain %s has %zu mailbox%s; "
		    "delete them first or use --force\n",
		    arg, users, users == 1 ? "" : "es");
		return 100;
	}
	if (r >= 0)
		srcf_del(&a->f[F_RCPTHOSTS], (size_t)r);
	for (f = F_MAILBOXES; f <= F_ALIASES; f++)
		for (i = a->f[f].n; i-- > 0;)
			if (srcf_key(&a->f[f], i, true, &k) &&
			    strcmp(admin_domain((char *)k.p), (char *)a->k.p) ==
			        0)
				srcf_del(&a->f[f], i);
	buf_free(&k);
	if ((code = commit(a)) == 0) {
		printf("quail-ctl: domain %s deleted\n", (char *)a->k.p);
		if (users > 0)
			printf("quail-ctl: Maildirs kept under %s/mail/%s/\n",
			    a->home, (char *)a->k.p);
	}
	return code;
}

static int
cmpstr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted unique domains of mailboxes and aliases. */
static char **
domains(struct adm *a, size_t *n_r)
{
	char **d = NULL;
	size_t n = 0, i, j, f;

	for (f = F_MAILBOXES; f <= F_ALIASES; f++)
		for (i = 0; i < a->f[f].n; i++) {
			if (!srcf_key(&a->f[f], i, true, &a->k))
				continue;
			d = realloc(d, (n + 1) * sizeof *d);
			if (d == NULL)
				ctl_nomem();
			d[n++] = ctl_strdup(admin_domain((char *)a->k.p));
		}
	if (n > 0)
		qsort(d, n, sizeof *d, cmpstr);
	for (i = j = 0; i < n; i++)
		if (j == 0 || strcmp(d[j - 1], d[i]) != 0)
			d[j++] = d[i];
		else
			free(d[i]);
	*n_r = j;
	return d;
}

static int
domain_list(struct adm *a)
{
	struct srcf v;
	size_t n, i;
	char **d = domains(a, &n);
	const char *c;

	for (i = 0; i < n; i++) {
		printf("%s\tvirtual\tusers %zu\taliases %zu\t%s\n", d[i],
		    count_dom(a, F_MAILBOXES, d[i]),
		    count_dom(a, F_ALIASES, d[i]),
		    srcf_find(&a->f[F_RCPTHOSTS], d[i], false) >= 0
		        ? "rcpthosts"
		        : "NOT-in-rcpthosts");
		free(d[i]);
	}
	free(d);
	if (srcf_load(&v, a->home, "control/virtualdomains", 0644) < 0)
		return 111;
	for (i = 0; i < v.n; i++) {
		if (!srcf_key(&v, i, true, &a->k))
			continue;
		c = strchr(v.line[i], ':');
		printf("%s\tvirtualdomains\tprefix %s\n",
		    a->k.len ? (char *)a->k.p : "(default)", c ? c + 1 : "");
	}
	srcf_free(&v);
	return 0;
}

static int
cmd_domain_(struct adm *a, int argc, char **argv)
{
	bool del = argc >= 3 && strcmp(argv[1], "del") == 0;

	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return domain_list(a);
	if (argc == 3 && strcmp(argv[1], "add") == 0)
		return domain_add(a, argv[2]);
	if (del && argc == 3)
		return domain_del(a, argv[2], false);
	if (del && argc == 4 && strcmp(argv[2], "--force") == 0)
		return domain_del(a, argv[3], true);
	if (del && argc == 4 && strcmp(argv[3], "--force") == 0)
		return domain_del(a, argv[2], true);
	return usage();
}

int
cmd_domain(const char *home, int argc, char **argv)
{
	struct adm a;
	bool ro = argc == 2 && strcmp(argv[1], "list") == 0;

	if (argc < 2)
		return usage();
	if (adm_open(&a, home, !ro) < 0)
		return adm_close(&a, 111);
	return adm_close(&a, cmd_domain_(&a, argc, argv));
}

/* ---- user ---- */

/* A mailbox line split at ':' (pointers into mem). */
struct mbox {
	char *addr, *hash, *quota, *flags;
	char *mem;
};

static void
mbox_split(const char *line, struct mbox *m)
{
	char *f[4] = {NULL, NULL, NULL, NULL}, *c;
	size_t i = 0;

	m->mem = ctl_strdup(line);
	f[i++] = m->mem;
	for (c = m->mem; *c && i < 4; c++)
		if (*c == ':') {
			*c = '\0';
			f[i++] = c + 1;
		}
	m->addr = f[0];
	m->hash = f[1] ? f[1] : "";
	m->quota = f[2] ? f[2] : "";
	m->flags = f[3] ? f[3] : "";
}

static void
mbox_line(struct buf *l, const char *addr, const char *hash, const char *quota,
    const char *flags)
{
	buf_reset(l);
	if (buf_printf(l, "%s:%s:%s:%s", addr, hash, quota, flags) < 0 ||
	    buf_cstr(l) < 0)
		ctl_nomem();
}

/* The mailbox line index for arg (lowercased into a->k), or -1. */
static long
find_user(struct adm *a, const char *arg)
{
	long r;

	if (!arg_addr(arg, &a->k, false))
		return -1;
	r = srcf_find(&a->f[F_MAILBOXES], (char *)a->k.p, true);
	if (r < 0)
		fprintf(stderr, "quail-ctl: no such mailbox: %s\n", arg);
	return r;
}

/* Checks everything before the password is asked; 0 or 100. */
static int
user_precheck(
    struct adm *a, const char *addr, const char *quota, const char *flags)
{
	const char *dom = admin_domain(addr);

	if (srcf_find(&a->f[F_MAILBOXES], addr, true) >= 0) {
		fprintf(stderr, "quail-ctl: mailbox %s exists\n", addr);
		return 100;
	}
	if (!dom_known(a, dom)) {
		fprintf(stderr,
		    "quail-ctl: no domain %s: run quail-ctl "
		    "domain add %s first\n",
		    dom, dom);
		return 100;
	}
	mbox_line(&a->line, addr, "!", quota, flags);
	return valid(a, parse_mailbox, (char *)a->line.p) ? 0 : 100;
}

static int
user_add(struct adm *a, int argc, char **argv)
{
	const char *quota = "0", *flags = "";
	struct buf hash = BUF_INIT(1024);
	char *addr, *at;
	int i, code;

	for (i = 3; i + 1 < argc; i += 2)
		if (strcmp(argv[i], "--quota") == 0)
			quota = argv[i + 1];
		else if (strcmp(argv[i], "--flags") == 0)
			flags = argv[i + 1];
		else
			break;
	if (i != argc)
		return usage();
	if (!arg_addr(argv[2], &a->k, false))
		return 100;
	addr = ctl_strdup((char *)a->k.p);
	if ((code = user_precheck(a, addr, quota, flags)) == 0 &&
	    passwd_read_hash(&hash) < 0)
		code = 100;
	if (code == 0) {
		mbox_line(&a->line, addr, (char *)hash.p, quota, flags);
		srcf_add(&a->f[F_MAILBOXES], (char *)a->line.p);
		code = commit(a);
	}
	at = strrchr(addr, '@');
	*at = '\0';
	if (code == 0 && admin_maildir(a->home, at + 1, addr) < 0)
		code = 111;
	if (code == 0)
		printf("quail-ctl: mailbox %s@%s added, Maildir "
		       "%s/mail/%s/%s/Maildir/\n",
		    addr, at + 1, a->home, at + 1, addr);
	buf_free(&hash);
	free(addr);
	return code;
}

/* passwd (q NULL: a new hash from the terminal) or quota q. */
static int
user_change(struct adm *a, const char *arg, const char *q)
{
	struct buf hash = BUF_INIT(1024);
	struct mbox m;
	long r = find_user(a, arg);
	int code = 100;

	if (r < 0)
		return 100;
	mbox_split(a->f[F_MAILBOXES].line[r], &m);
	if (q != NULL)
		mbox_line(&a->line, m.addr, m.hash, q, m.flags);
	if (q != NULL && !valid(a, parse_mailbox, (char *)a->line.p))
		goto out;
	if (q == NULL && passwd_read_hash(&hash) < 0)
		goto out;
	if (q == NULL)
		mbox_line(&a->line, m.addr, (char *)hash.p, m.quota, m.flags);
	srcf_set(&a->f[F_MAILBOXES], (size_t)r, (char *)a->line.p);
	if ((code = commit(a)) == 0)
		printf("quail-ctl: %s of %s changed\n",
		    q ? "quota" : "password", (char *)a->k.p);
out:
	buf_free(&hash);
	free(m.mem);
	return code;
}

static int
user_del(struct adm *a, const char *arg)
{
	long r = find_user(a, arg);
	int code;

	if (r < 0)
		return 100;
	srcf_del(&a->f[F_MAILBOXES], (size_t)r);
	if ((code = commit(a)) == 0)
		printf("quail-ctl: mailbox %s deleted (its Maildir is kept)\n",
		    (char *)a->k.p);
	return code;
}

static int
user_list(struct adm *a, const char *dom)
{
	struct mbox m;
	unsigned long long q;
	size_t i;

	for (i = 0; i < a->f[F_MAILBOXES].n; i++) {
		if (!srcf_key(&a->f[F_MAILBOXES], i, true, &a->k) ||
		    (dom && strcasecmp(admin_domain((char *)a->k.p), dom)))
			continue;
		mbox_split(a->f[F_MAILBOXES].line[i], &m);
		if (ctl_quota(m.quota, strlen(m.quota), &q) < 0)
			q = 0;
		printf("%s\tquota %s\tflags %s%s\n", (char *)a->k.p,
		    q ? m.quota : "none", m.flags[0] ? m.flags : "-",
		    m.hash[0] == '!' ? "\tdisabled" : "");
		free(m.mem);
	}
	return 0;
}

static int
cmd_user_(struct adm *a, int argc, char **argv)
{
	const char *v = argv[1];

	if (argc >= 3 && strcmp(v, "add") == 0)
		return user_add(a, argc, argv);
	if (argc == 3 && strcmp(v, "del") == 0)
		return user_del(a, argv[2]);
	if (argc == 3 && strcmp(v, "passwd") == 0)
		return user_change(a, argv[2], NULL);
	if (argc == 4 && strcmp(v, "quota") == 0)
		return user_change(a, argv[2], argv[3]);
	if ((argc == 2 || argc == 3) && strcmp(v, "list") == 0)
		return user_list(a, argc == 3 ? argv[2] : NULL);
	return usage();
}

int
cmd_user(const char *home, int argc, char **argv)
{
	struct adm a;
	bool ro = argc >= 2 && strcmp(argv[1], "list") == 0;

	if (argc < 2)
		return usage();
	if (adm_open(&a, home, !ro) < 0)
		return adm_close(&a, 111);
	return adm_close(&a, cmd_user_(&a, argc, argv));
}

/* ---- alias ---- */

static bool
in_args(struct str t, int argc, char **argv, int from)
{
	int i;

	for (i = from; i < argc; i++)
		if (str_caseeq(t.p, t.len, argv[i], strlen(argv[i])))
			return true;
	return false;
}

/* Appends to a->line each target of alias line l (text after ':') that
 * is not among argv[from..argc), each followed by ", ".  Returns the
 * number of targets l had that are among them. */
static size_t
old_targets(struct adm *a, const char *l, int argc, char **argv, int from)
{
	const char *c = strchr(l, ':'), *e;
	struct str t;
	size_t hit = 0;

	for (c = c ? c + 1 : l + strlen(l); *c; c = *e ? e + 1 : e) {
		e = c + str_chr(c, strlen(c), ',');
		t.p = c;
		t.len = (size_t)(e - c);
		t = str_trim(t);
		if (t.len == 0)
			continue;
		if (in_args(t, argc, argv, from)) {
			hit++;
			continue;
		}
		if (buf_cat(&a->line, t.p, t.len) < 0 ||
		    buf_cats(&a->line, ", ") < 0)
			ctl_nomem();
	}
	return hit;
}

/* Ends the line being built in a->line (drops the last ", "). */
static void
line_end(struct adm *a)
{
	if (a->line.len >= 2 && a->line.p[a->line.len - 2] == ',')
		a->line.len -= 2;
	if (buf_cstr(&a->line) < 0)
		ctl_nomem();
}

static int
alias_add(struct adm *a, int argc, char **argv)
{
	const char *dom;
	long r;
	int i, code;

	if (argc < 4)
		return usage();
	if (!arg_addr(argv[2], &a->k, true))
		return 100;
	dom = admin_domain((char *)a->k.p);
	if (!dom_known(a, dom)) {
		fprintf(stderr,
		    "quail-ctl: no domain %s: run quail-ctl "
		    "domain add %s first\n",
		    dom, dom);
		return 100;
	}
	r = srcf_find(&a->f[F_ALIASES], (char *)a->k.p, true);
	buf_reset(&a->line);
	if (buf_printf(&a->line, "%s: ", (char *)a->k.p) < 0)
		ctl_nomem();
	if (r >= 0)
		old_targets(a, a->f[F_ALIASES].line[r], argc, argv, 3);
	for (i = 3; i < argc; i++)
		if (buf_cats(&a->line, argv[i]) < 0 ||
		    buf_cats(&a->line, ", ") < 0)
			ctl_nomem();
	line_end(a);
	if (!valid(a, parse_alias, (char *)a->line.p))
		return 100;
	if (r >= 0)
		srcf_set(&a->f[F_ALIASES], (size_t)r, (char *)a->line.p);
	else
		srcf_add(&a->f[F_ALIASES], (char *)a->line.p);
	if ((code = commit(a)) == 0)
		printf("quail-ctl: alias %s\n", (char *)a->line.p);
	return code;
}

static int
alias_del(struct adm *a, int argc, char **argv)
{
	long r;
	int code;

	if (!arg_addr(argv[2], &a->k, true))
		return 100;
	r = srcf_find(&a->f[F_ALIASES], (char *)a->k.p, true);
	if (r < 0) {
		fprintf(stderr, "quail-ctl: no such alias: %s\n", argv[2]);
		return 100;
	}
	buf_reset(&a->line);
	if (buf_printf(&a->line, "%s: ", (char *)a->k.p) < 0)
		ctl_nomem();
	if (argc == 4 &&
	    old_targets(a, a->f[F_ALIASES].line[r], argc, argv, 3) == 0) {
		fprintf(stderr, "quail-ctl: %s is not a target of %s\n",
		    argv[3], argv[2]);
		return 100;
	}
	line_end(a);
	if (argc == 4 && a->line.len > a->k.len + 2)
		srcf_set(&a->f[F_ALIASES], (size_t)r, (char *)a->line.p);
	else
		srcf_del(&a->f[F_ALIASES], (size_t)r);
	if ((code = commit(a)) == 0)
		printf("quail-ctl: alias %s%s%s deleted\n", argv[2],
		    argc == 4 ? " -> " : "", argc == 4 ? argv[3] : "");
	return code;
}

static int
alias_list(struct adm *a, const char *dom)
{
	size_t i;

	for (i = 0; i < a->f[F_ALIASES].n; i++) {
		if (!srcf_key(&a->f[F_ALIASES], i, true, &a->k) ||
		    (dom && strcasecmp(admin_domain((char *)a->k.p), dom)))
			continue;
		buf_reset(&a->line);
		old_targets(a, a->f[F_ALIASES].line[i], 0, NULL, 0);
		line_end(a);
		printf("%s\t%s\n", (char *)a->k.p, (char *)a->line.p);
	}
	return 0;
}

int
cmd_alias(const char *home, int argc, char **argv)
{
	struct adm a;
	bool ro = argc >= 2 && strcmp(argv[1], "list") == 0;
	int code;

	if (argc < 2)
		return usage();
	if (adm_open(&a, home, !ro) < 0)
		return adm_close(&a, 111);
	if (argc >= 3 && strcmp(argv[1], "add") == 0)
		code = alias_add(&a, argc, argv);
	else if ((argc == 3 || argc == 4) && strcmp(argv[1], "del") == 0)
		code = alias_del(&a, argc, argv);
	else if ((argc == 2 || argc == 3) && ro)
		code = alias_list(&a, argc == 3 ? argv[2] : NULL);
	else
		code = usage();
	return adm_close(&a, code);
}
