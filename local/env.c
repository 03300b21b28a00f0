/* env.c: the lines quail-local prepends (Return-Path, Delivered-To, the
 * mbox From_ line) and the environment of |program deliveries, as
 * dot-qmail(5) lists it.  Pure: builds buffers, no I/O. */
#include <string.h>
#include <time.h>

#include "buf.h"
#include "fmt.h"
#include "local.h"

/* Appends s, with LF (and for the From_ line, space and tab) replaced, so
 * an address can never split a header line. */
static int
cat_clean(struct buf *b, const char *s, bool nospace)
{
	size_t start = b->len, i;

	if (buf_cats(b, s) < 0)
		return -1;
	for (i = start; i < b->len; i++) {
		if (b->p[i] == '\n' || b->p[i] == '\r')
			b->p[i] = '_';
		else if (nospace && (b->p[i] == ' ' || b->p[i] == '\t'))
			b->p[i] = '-';
	}
	return 0;
}

int
env_date(struct buf *out, time_t t)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char mons[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	return buf_printf(out, "%.*s %.*s %s%d %02d:%02d:%02d %d", 3,
	    days + 3 * tm.tm_wday, 3, mons + 3 * tm.tm_mon,
	    tm.tm_mday < 10 ? " " : "", tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, tm.tm_year + 1900);
}

int
env_lines(struct local_ctx *c)
{
	buf_reset(&c->recipient);
	if (cat_clean(&c->recipient, c->local, false) < 0 ||
	    buf_catc(&c->recipient, '@') < 0 ||
	    cat_clean(&c->recipient, c->domain, false) < 0 ||
	    buf_cstr(&c->recipient) < 0)
		return -1;
	buf_reset(&c->dtline);
	if (buf_cats(&c->dtline, "Delivered-To: ") < 0 ||
	    buf_cat(&c->dtline, c->recipient.p, c->recipient.len) < 0 ||
	    buf_catc(&c->dtline, '\n') < 0 || buf_cstr(&c->dtline) < 0)
		return -1;
	buf_reset(&c->rpline);
	if (buf_cats(&c->rpline, "Return-Path: <") < 0 ||
	    cat_clean(&c->rpline, c->sender, false) < 0 ||
	    buf_cats(&c->rpline, ">\n") < 0 || buf_cstr(&c->rpline) < 0)
		return -1;
	buf_reset(&c->ufline);
	if (buf_cats(&c->ufline, "From ") < 0 ||
	    cat_clean(&c->ufline, *c->sender ? c->sender : "MAILER-DAEMON",
	        true) < 0 ||
	    buf_catc(&c->ufline, ' ') < 0 || env_date(&c->ufline, c->now) < 0 ||
	    buf_catc(&c->ufline, '\n') < 0 || buf_cstr(&c->ufline) < 0)
		return -1;
	buf_reset(&c->ueo);
	if (buf_cats(&c->ueo, c->sender) < 0 || buf_cstr(&c->ueo) < 0)
		return -1;
	return 0;
}

static int
put(struct buf *out, const char *name, const void *v, size_t n)
{
	if (buf_cats(out, name) < 0 || buf_catc(out, '=') < 0 ||
	    buf_cat(out, v, n) < 0 || buf_catc(out, '\0') < 0)
		return -1;
	return 0;
}

static int
puts_(struct buf *out, const char *name, const char *v)
{
	return put(out, name, v, strlen(v));
}

/* EXT2..EXT4: ext after its 1st..3rd '-'; HOST2..HOST4: the domain
 * without its last 1..3 components. */
static int
put_parts(struct buf *out, const char *ext, const char *host)
{
	static const char *const en[] = {"EXT2", "EXT3", "EXT4"};
	static const char *const hn[] = {"HOST2", "HOST3", "HOST4"};
	const char *e = ext, *d;
	size_t hlen = strlen(host), k;
	int i;

	for (i = 0; i < 3; i++) {
		d = e ? strchr(e, '-') : NULL;
		e = d ? d + 1 : NULL;
		if (puts_(out, en[i], e ? e : "") < 0)
			return -1;
	}
	for (i = 0; i < 3; i++) {
		k = hlen;
		while (k > 0 && host[k - 1] != '.')
			k--;
		if (k > 0)
			hlen =
			    k - 1; /* no dot left: stays the same, as qmail */
		if (put(out, hn[i], host, hlen) < 0)
			return -1;
	}
	return 0;
}

int
env_build(const struct local_ctx *c, const char *path, struct buf *out)
{
	if (puts_(out, "PATH", path ? path : "/usr/local/bin:/usr/bin:/bin") <
	        0 ||
	    puts_(out, "USER", c->user) < 0 ||
	    puts_(out, "HOME", c->home) < 0 ||
	    puts_(out, "LOCAL", c->local) < 0 ||
	    puts_(out, "HOST", c->domain) < 0 ||
	    puts_(out, "SENDER", c->sender) < 0 ||
	    put(out, "NEWSENDER", c->ueo.p, c->ueo.len) < 0 ||
	    put(out, "RECIPIENT", c->recipient.p, c->recipient.len) < 0 ||
	    puts_(out, "EXT", c->ext) < 0 ||
	    put(out, "DEFAULT", c->deflt.p, c->deflt.len) < 0 ||
	    put(out, "DTLINE", c->dtline.p, c->dtline.len) < 0 ||
	    put(out, "RPLINE", c->rpline.p, c->rpline.len) < 0 ||
	    put(out, "UFLINE", c->ufline.p, c->ufline.len) < 0 ||
	    put_parts(out, c->ext, c->domain) < 0)
		return -1;
	return 0;
}

/* true if out already has an entry named like e (up to its '='). */
static bool
has_name(const struct buf *out, const char *e)
{
	size_t n = strcspn(e, "="), i = 0, k;

	while (i < out->len) {
		const char *o = (const char *)out->p + i;
		k = strlen(o);
		if (k > n && o[n] == '=' && memcmp(o, e, n) == 0)
			return true;
		i += k + 1;
	}
	return false;
}

int
env_inherit(struct buf *out, const char *const *envp)
{
	size_t i;

	for (i = 0; envp && envp[i]; i++) {
		if (strchr(envp[i], '=') == NULL || has_name(out, envp[i]))
			continue;
		if (buf_cats(out, envp[i]) < 0 || buf_catc(out, '\0') < 0)
			return -1;
	}
	return 0;
}
