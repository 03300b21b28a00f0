/* inj_conf.c: quail-inject's names and address completion (inject.h),
 * with qmail-inject's environment variables and control files:
 *   user   QMAILUSER, MAILUSER, USER, LOGNAME, else the passwd entry
 *   host   QMAILHOST, MAILHOST, else control/defaulthost, else me
 *   name   QMAILNAME, MAILNAME, NAME (quail-inject -F wins)
 *   sender QMAILSUSER (else user) @ QMAILSHOST (else host)
 *   defaultdomain, plusdomain, idhost: control files, default me.
 * Trust: runs as the caller, who controls all of these; values are only
 * bounded (INJ_NAME_MAX) and stripped of control characters. */
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "inject.h"
#include "str.h"

static const char *
env_first(const char *const *names)
{
	const char *v;

	for (; *names; names++)
		if ((v = getenv(*names)) != NULL && *v)
			return v;
	return NULL;
}

/* Copies s without control characters, at most INJ_NAME_MAX bytes. */
static int
set(struct buf *b, const char *s)
{
	size_t i;

	buf_reset(b);
	for (i = 0; s[i] && b->len < INJ_NAME_MAX; i++)
		if ((unsigned char)s[i] >= 32 && s[i] != 127 &&
		    buf_catc(b, s[i]) < 0)
			return -1;
	return buf_cstr(b);
}

static int
control_or(struct buf *b, const char *file, const char *def)
{
	struct buf tmp = BUF_INIT(INJ_NAME_MAX * 4);
	int r = control_readline(&tmp, file, def);

	if (r >= 0)
		r = set(b, tmp.len ? (const char *)tmp.p : def);
	buf_free(&tmp);
	return r < 0 ? -1 : 0;
}

static const char *
login_name(void)
{
	static const char *const users[] = {
	    "QMAILUSER", "MAILUSER", "USER", "LOGNAME", NULL};
	const char *u = env_first(users);
	struct passwd *pw;

	if (u)
		return u;
	pw = getpwuid(getuid());
	return pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "anonymous";
}

int
inj_conf_load(struct inj_conf *c)
{
	static const char *const hosts[] = {"QMAILHOST", "MAILHOST", NULL};
	static const char *const names[] = {
	    "QMAILNAME", "MAILNAME", "NAME", NULL};
	struct buf me = BUF_INIT(INJ_NAME_MAX);
	const char *v;

	memset(c, 0, sizeof *c);
	buf_init(&c->user, INJ_NAME_MAX + 1);
	buf_init(&c->host, INJ_NAME_MAX + 1);
	buf_init(&c->name, INJ_NAME_MAX + 1);
	buf_init(&c->suser, INJ_NAME_MAX + 1);
	buf_init(&c->shost, INJ_NAME_MAX + 1);
	buf_init(&c->defaulthost, INJ_NAME_MAX + 1);
	buf_init(&c->defaultdomain, INJ_NAME_MAX + 1);
	buf_init(&c->plusdomain, INJ_NAME_MAX + 1);
	buf_init(&c->idhost, INJ_NAME_MAX + 1);
	if (control_or(&me, "me", "localhost") < 0 ||
	    control_or(&c->defaulthost, "defaulthost", (char *)me.p) < 0 ||
	    control_or(&c->defaultdomain, "defaultdomain", (char *)me.p) < 0 ||
	    control_or(&c->plusdomain, "plusdomain", (char *)me.p) < 0 ||
	    control_or(&c->idhost, "idhost", (char *)me.p) < 0)
		return -1;
	buf_free(&me);
	if (set(&c->user, login_name()) < 0)
		return -1;
	v = env_first(hosts);
	if (set(&c->host, v ? v : (const char *)c->defaulthost.p) < 0)
		return -1;
	v = env_first(names);
	if (set(&c->name, v ? v : "") < 0)
		return -1;
	v = getenv("QMAILSUSER");
	if (set(&c->suser, v && *v ? v : (const char *)c->user.p) < 0)
		return -1;
	v = getenv("QMAILSHOST");
	return set(&c->shost, v && *v ? v : (const char *)c->host.p);
}

int
inj_qualify(
    const struct inj_conf *c, struct buf *out, const char *a, size_t len)
{
	size_t at = str_rchr(a, len, '@');
	const char *d;
	size_t dl;

	if (buf_cat(out, a, at) < 0 || buf_catc(out, '@') < 0)
		return -1;
	if (at >= len || at + 1 == len) {
		d = (const char *)c->defaulthost.p;
		dl = c->defaulthost.len;
	} else {
		d = a + at + 1;
		dl = len - at - 1;
	}
	if (dl > 0 && d[dl - 1] == '+') {
		return buf_cat(out, d, dl - 1) < 0 || buf_catc(out, '.') < 0 ||
		               buf_cat(
		                   out, c->plusdomain.p, c->plusdomain.len) < 0
		           ? -1
		           : 0;
	}
	if (buf_cat(out, d, dl) < 0)
		return -1;
	if (dl > 0 && d[0] != '[' && str_chr(d, dl, '.') == dl &&
	    c->defaultdomain.len > 0 &&
	    !str_caseeq(d, dl, c->defaultdomain.p, c->defaultdomain.len)) {
		if (buf_catc(out, '.') < 0 ||
		    buf_cat(out, c->defaultdomain.p, c->defaultdomain.len) < 0)
			return -1;
	}
	return 0;
}
