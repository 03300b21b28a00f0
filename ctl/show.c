/* show.c: quail-ctl show (every setting with its effective value and
 * where it came from, like qmail-showctl) and quail-ctl check (lint of
 * an installed home's control files and CDBs; owners and modes are
 * tools/check.sh's job). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ctl.h"

#define ME "\001" /* default: the value of control/me */

static const struct setting {
	const char *name, *def, *what;
} settings[] = {
    {"me", NULL, "this host's name"},
    {"defaultdomain", ME, "appended to hosts without a dot"},
    {"defaulthost", ME, "appended to addresses without a host"},
    {"plusdomain", ME, "replaces a trailing '+' in a host"},
    {"idhost", ME, "host in Message-ID"},
    {"helohost", ME, "host in quail-remote's HELO"},
    {"doublebounceto", "postmaster", "user receiving double bounces"},
    {"doublebouncehost", ME, "host of doublebounceto"},
    {"smtpgreeting", ME, "quail-smtpd's 220 greeting"},
    {"databytes", "52428800", "largest message quail-smtpd accepts"},
    {"maxrcpt", "100", "recipients per message, 0 = 10000"},
    {"queuefreespace", "104857600",
        "free queue bytes below which MAIL gets 452"},
    {"quotamarkerage", "900", "seconds an over-quota marker refuses RCPT"},
    {"fsyncdir", "auto", "1: also fsync directories; 0: never; auto by fs"},
    {"timeoutlocal", "86400", "quail-local time limit, seconds"},
    {"defaultdelivery", "./Maildir/", "delivery without a .qmail file"},
    {"concurrencyperdomain", "10", "parallel remote sessions per domain"},
    {"timeoutsmtpd", "1200", "quail-smtpd read timeout, seconds"},
    {"timeoutremote", "1200", "quail-remote read timeout, seconds"},
    {"timeoutconnect", "60", "quail-remote connect timeout, seconds"},
    {"concurrencylocal", "10", "parallel local deliveries"},
    {"concurrencyremote", "20", "parallel remote deliveries"},
    {"queuelifetime", "604800", "seconds before a message bounces"},
};

static const char *const lists[] = {"control/locals", "control/rcpthosts",
    "control/morercpthosts", "control/virtualdomains", "control/smtproutes",
    "control/badmailfrom", "control/badrcptto", "control/mailboxes",
    "control/aliases", "users/assign"};

/* First line of HOME/control/name without trailing blanks: 1 read (v set,
 * free it), 0 missing or empty, -1 error. */
static int
first_line(const char *home, const char *rel, char **v)
{
	struct source s;
	const char *l;
	size_t n;
	int r;

	(void)home;
	*v = NULL;
	r = source_open(&s, rel, false);
	if (r <= 0)
		return r;
	r = source_next(&s, &l, &n);
	if (r == 1 && n > 0) {
		*v = ctl_alloc(n + 1);
		memcpy(*v, l, n);
		(*v)[n] = '\0';
	}
	source_close(&s);
	return r < 0 ? -1 : *v != NULL;
}

static void
show_setting(const char *home, const struct setting *st, const char *me)
{
	char rel[64], *v;
	int r;

	snprintf(rel, sizeof rel, "control/%s", st->name);
	r = first_line(home, rel, &v);
	if (r > 0)
		printf("%-18s %s (from control/%s)\n", st->name, v, st->name);
	else if (r < 0)
		printf("%-18s unreadable: %s\n", st->name, strerror(errno));
	else if (st->def == NULL)
		printf("%-18s (unset!)\n", st->name);
	else if (strcmp(st->def, ME) == 0)
		printf(
		    "%-18s %s (default: me)\n", st->name, me ? me : "(unset)");
	else
		printf("%-18s %s (default)\n", st->name, st->def);
	free(v);
}

static int first_line(const char *home, const char *rel, char **v);

enum cstat { CS_OK, CS_STALE, CS_MISSING, CS_BAD };

/* State of one CDB: entries and mtime; on CS_STALE newer names the
 * first source modified after it. */
static enum cstat
cdb_status(const char *home, const struct cdbfile *f, size_t *entries,
    time_t *mtime, char *newer, size_t nn)
{
	char *path = ctl_path(home, f->name), *src, *w, *sp;
	struct table t;
	struct stat st, ss;
	enum cstat r = CS_OK;

	table_init(&t);
	if (stat(path, &st) < 0 || cdb_load_table(path, &t) <= 0) {
		r = errno == ENOENT ? CS_MISSING : CS_BAD;
		goto out;
	}
	*entries = t.n;
	*mtime = st.st_mtime;
	src = ctl_strdup(f->sources);
	for (w = strtok_r(src, " ", &sp); w; w = strtok_r(NULL, " ", &sp)) {
		char *sp2 = w[0] == '/' ? ctl_strdup(w) : ctl_path(home, w);

		if (stat(sp2, &ss) == 0 &&
		    (ss.st_mtime > st.st_mtime ||
		        (ss.st_mtime == st.st_mtime &&
		            ss.st_mtim.tv_nsec > st.st_mtim.tv_nsec))) {
			snprintf(newer, nn, "%s", w);
			r = CS_STALE;
			free(sp2);
			break;
		}
		free(sp2);
	}
	free(src);
out:
	table_free(&t);
	free(path);
	return r;
}

static char *
when(time_t t, char *s, size_t n)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(s, n, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(s, n, "%lld", (long long)t);
	return s;
}

static void
show_list(const char *home, const char *rel)
{
	struct source s;
	const char *l;
	size_t n, cnt = 0;
	struct stat st;
	char *path = ctl_path(home, rel), tb[32];
	int r;

	r = source_open(&s, rel, true);
	if (r == 0)
		printf("%-26s absent (empty)\n", rel);
	if (r > 0) {
		while (source_next(&s, &l, &n) == 1)
			cnt++;
		if (fstat(fileno(s.f), &st) == 0)
			printf("%-26s %zu lines, modified %s\n", rel, cnt,
			    when(st.st_mtime, tb, sizeof tb));
		source_close(&s);
	}
	free(path);
}

static void
show_cdb(const char *home, const struct cdbfile *f)
{
	char newer[64], tb[32];
	size_t n = 0;
	time_t t = 0;

	switch (cdb_status(home, f, &n, &t, newer, sizeof newer)) {
	case CS_MISSING:
		printf("%-26s missing, run quail-ctl compile\n", f->name);
		return;
	case CS_BAD:
		printf("%-26s unreadable: %s\n", f->name, strerror(errno));
		return;
	case CS_STALE:
		printf("%-26s %zu entries, built %s; stale (%s is newer), run "
		       "quail-ctl compile\n",
		    f->name, n, when(t, tb, sizeof tb), newer);
		return;
	case CS_OK:
		printf("%-26s %zu entries, built %s\n", f->name, n,
		    when(t, tb, sizeof tb));
	}
}

int
cmd_show(const char *home, int argc, char **argv)
{
	char *me;
	size_t i;

	(void)argv;
	if (argc > 1) {
		fputs("usage: quail-ctl show\n", stderr);
		return 100;
	}
	printf("quail home: %s\n\n", home);
	if (first_line(home, "control/me", &me) < 0)
		me = NULL;
	for (i = 0; i < sizeof settings / sizeof settings[0]; i++)
		show_setting(home, &settings[i], me);
	free(me);
	printf("\n");
	for (i = 0; i < sizeof lists / sizeof lists[0]; i++)
		show_list(home, lists[i]);
	printf("\n");
	for (i = 0; i < C_NCDB; i++)
		show_cdb(home, &ctl_cdbs[i]);
	return 0;
}

/* Numeric settings must be numbers. */
static int
check_numbers(const char *home)
{
	static const char *const num[] = {"databytes", "maxrcpt",
	    "timeoutsmtpd", "timeoutremote", "timeoutconnect",
	    "concurrencylocal", "concurrencyremote", "queuelifetime"};
	char rel[64], *v;
	unsigned long long q;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof num / sizeof num[0]; i++) {
		snprintf(rel, sizeof rel, "control/%s", num[i]);
		if (first_line(home, rel, &v) > 0 &&
		    (ctl_quota(v, strlen(v), &q) < 0 ||
		        strspn(v, "0123456789") != strlen(v))) {
			printf("%s:1: not a number\n", rel);
			bad++;
		}
		free(v);
	}
	return bad;
}

int
cmd_check(const char *home, int argc, char **argv)
{
	struct compile c;
	char *me, newer[64];
	size_t i, n;
	time_t t;
	int bad = 0, r;

	(void)argv;
	if (argc > 1) {
		fputs("usage: quail-ctl check\n", stderr);
		return 100;
	}
	r = first_line(home, "control/me", &me);
	if (r <= 0 || !ctl_domain_ok(me, strlen(me))) {
		printf("control/me: %s\n",
		    r <= 0 ? "missing or empty" : "not a valid host name");
		bad++;
	}
	free(me);
	bad += check_numbers(home);
	fflush(stdout);
	r = compile_build(&c, home);
	compile_free(&c);
	if (r != 0)
		bad += r > 0 ? r : 1;
	for (i = 0; i < C_NCDB; i++) {
		switch (cdb_status(
		    home, &ctl_cdbs[i], &n, &t, newer, sizeof newer)) {
		case CS_OK:
			continue;
		case CS_MISSING:
			printf("%s: missing, run quail-ctl compile\n",
			    ctl_cdbs[i].name);
			break;
		case CS_BAD:
			printf(
			    "%s: unreadable or not a CDB\n", ctl_cdbs[i].name);
			break;
		case CS_STALE:
			printf("%s: stale (%s is newer), run quail-ctl "
			       "compile\n",
			    ctl_cdbs[i].name, newer);
		}
		bad++;
	}
	if (bad)
		return 100;
	printf("quail-ctl: check ok\n");
	return 0;
}
