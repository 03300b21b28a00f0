/* resolve.c: who receives a local recipient, per cdb.md "Local delivery
 * resolution": (a) control/mailboxes.cdb -> quailv into the mailbox's
 * Maildir; (b) control/aliases.cdb -> the alias user forwarding to the
 * targets; (c) users/assign.cdb (qmail-users(5)), then the password
 * database (qmail-getpw rules), then the alias user's .qmail-L chain.
 * Runs as root in the child before the privilege drop.  Never yields
 * uid 0: a root target is refused (permanent). */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>

#include "addr.h"
#include "auto.h"
#include "buf.h"
#include "cdbx.h"
#include "control.h"
#include "lspawn.h"
#include "scan.h"
#include "str.h"

#define KEY_MAX 2048

void
target_init(struct target *t)
{
	memset(t, 0, sizeof *t);
	buf_init(&t->user, 256);
	buf_init(&t->home, 4096);
	buf_init(&t->local, 2048);
	buf_init(&t->dash, 8);
	buf_init(&t->ext, 2048);
	buf_init(&t->domain, 1024);
	buf_init(&t->aliasempty, 65536);
}

void
target_free(struct target *t)
{
	buf_free(&t->user);
	buf_free(&t->home);
	buf_free(&t->local);
	buf_free(&t->dash);
	buf_free(&t->ext);
	buf_free(&t->domain);
	buf_free(&t->aliasempty);
}

static int
setz(struct buf *b, const char *s, size_t n)
{
	if (buf_copy(b, s, n) < 0 || buf_cstr(b) < 0)
		return -1;
	return 0;
}

/* cdb lookup in home/rel: 1 found, 0 not found or no file, -1 error. */
static int
lookup(
    const char *home, const char *rel, const struct buf *key, struct buf *val)
{
	struct buf path = BUF_INIT(4096);
	int r = -1;

	if (buf_cats(&path, home) == 0 && buf_cats(&path, rel) == 0 &&
	    buf_cstr(&path) == 0) {
		r = cdbx_lookup((char *)path.p, key->p, key->len, val);
		if (r < 0 && errno == ENOENT)
			r = 0;
	}
	buf_free(&path);
	return r;
}

/* Field i (0-based) of a NUL-separated value. */
static struct str
nth(const struct buf *v, int i)
{
	struct str s = {"", 0};
	size_t pos = 0, z;

	for (; pos <= v->len; i--) {
		z = str_chr(v->p + pos, v->len - pos, '\0');
		if (i == 0) {
			s.p = (const char *)v->p + pos;
			s.len = z;
			return s;
		}
		pos += z + 1;
	}
	return s;
}

/* The named system user's ids (quailv, alias). */
static int
sysuser(struct target *t, const char *name)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	t->initgroups = true;
	return setz(&t->user, name, strlen(name));
}

/* Splits rcpt into its local part and lowercased domain. */
struct rcpt {
	struct buf key;
	const char *local;
	size_t llen;
	char dom[1024];
};

static int
key_set(struct rcpt *r, const char *local, size_t llen)
{
	buf_reset(&r->key);
	if (buf_cat(&r->key, local, llen) < 0 || buf_catc(&r->key, '@') < 0 ||
	    buf_cats(&r->key, r->dom) < 0)
		return -1;
	str_lower(r->key.p, r->key.len);
	return 0;
}

/* (a) mailboxes.cdb.  1 found (t set), 0 no, -1 error. */
static int
try_mailbox(const char *home, struct rcpt *rc, struct target *t)
{
	struct buf v = BUF_INIT(8192);
	struct str maildir, quota;
	unsigned long long q = 0;
	size_t k;
	int r;

	if (key_set(rc, rc->local, rc->llen) < 0)
		return -1;
	r = lookup(home, "/control/mailboxes.cdb", &rc->key, &v);
	if (r == 0) {
		k = strcspn(rc->local, "-+");
		if (k < rc->llen &&
		    (key_set(rc, rc->local, k) < 0 ||
		        (r = lookup(home, "/control/mailboxes.cdb", &rc->key,
		             &v)) < 0))
			r = -1;
	}
	if (r == 1) {
		quota = nth(&v, 1);
		maildir = nth(&v, 3);
		if (maildir.len < 2 || maildir.p[0] != '/' ||
		    scan_ullong(quota.p, quota.len, &q) != quota.len) {
			errno = EINVAL;
			r = -1;
		} else {
			t->kind = T_VIRTUAL;
			t->exclusive = t->create = t->have_quota = true;
			t->quota = q;
			k = maildir.len;
			while (k > 1 && maildir.p[k - 1] == '/')
				k--;
			while (k > 1 && maildir.p[k - 1] != '/')
				k--; /* home: the Maildir's parent */
			if (sysuser(t, auto_user_v) < 0 ||
			    setz(&t->home, maildir.p, k > 1 ? k - 1 : 1) < 0 ||
			    setz(&t->aliasempty, maildir.p, maildir.len) < 0)
				r = -1;
		}
	}
	buf_free(&v);
	return r;
}

/* (b) aliases.cdb: "local@dom", then "@dom". */
static int
try_alias(const char *home, struct rcpt *rc, struct target *t)
{
	struct buf v = BUF_INIT(65536);
	size_t i;
	int r;

	if (key_set(rc, rc->local, rc->llen) < 0)
		return -1;
	r = lookup(home, "/control/aliases.cdb", &rc->key, &v);
	if (r == 0 &&
	    (key_set(rc, "", 0) < 0 ||
	        (r = lookup(home, "/control/aliases.cdb", &rc->key, &v)) < 0))
		r = -1;
	if (r == 1) {
		t->kind = T_ALIAS;
		t->exclusive = true;
		buf_reset(&t->aliasempty);
		for (i = 0; r == 1 && i < v.len; i++) {
			if (v.p[i] == '\n' || v.p[i] == '\r')
				r = -1;
			else if ((i == 0 || v.p[i - 1] == '\0') && v.p[i] &&
			         buf_catc(&t->aliasempty, '&') < 0)
				r = -1;
			else if (buf_catc(&t->aliasempty,
			             v.p[i] ? v.p[i] : '\n') < 0)
				r = -1;
		}
		if (r == 1 && (buf_cstr(&t->aliasempty) < 0 ||
		                  sysuser(t, auto_user_alias) < 0 ||
		                  setz(&t->home, home, strlen(home)) < 0 ||
		                  buf_cats(&t->home, "/alias") < 0 ||
		                  buf_cstr(&t->home) < 0))
			r = -1;
	}
	buf_free(&v);
	return r;
}

int
assign_value(const char *v, size_t len, struct target *t)
{
	struct buf b = BUF_INIT(8192);
	struct str f[6];
	unsigned long uid, gid;
	int i, r = -1;

	if (buf_copy(&b, v, len) < 0)
		return -1;
	for (i = 0; i < 6; i++)
		f[i] = nth(&b, i);
	if (f[0].len == 0 || f[3].len == 0 || f[3].p[0] != '/' ||
	    scan_ulong(f[1].p, f[1].len, &uid) != f[1].len || f[1].len == 0 ||
	    scan_ulong(f[2].p, f[2].len, &gid) != f[2].len || f[2].len == 0)
		goto out;
	t->kind = T_ASSIGN;
	t->uid = (uid_t)uid;
	t->gid = (gid_t)gid;
	if (setz(&t->user, f[0].p, f[0].len) < 0 ||
	    setz(&t->home, f[3].p, f[3].len) < 0 ||
	    setz(&t->dash, f[4].p, f[4].len) < 0 ||
	    setz(&t->ext, f[5].p, f[5].len) < 0)
		goto out;
	r = 0;
out:
	buf_free(&b);
	if (r < 0 && errno != ENOMEM)
		errno = EINVAL;
	return r;
}

/* (c1) users/assign.cdb: "=local", then "+prefix" longest first, the
 * rest of local appended to ext. */
static int
try_assign(const char *home, const char *local, struct target *t)
{
	struct buf key = BUF_INIT(KEY_MAX), v = BUF_INIT(8192);
	size_t n = strlen(local), k;
	int r;

	if (buf_catc(&key, '=') < 0 || buf_cats(&key, local) < 0)
		return -1;
	str_lower(key.p, key.len);
	r = lookup(home, "/users/assign.cdb", &key, &v);
	if (r == 1)
		r = assign_value((char *)v.p, v.len, t) < 0 ? -1 : 1;
	for (k = n + 1; r == 0 && k-- > 0;) {
		key.p[0] = '+';
		key.len = 1 + k;
		r = lookup(home, "/users/assign.cdb", &key, &v);
		if (r == 1 && (assign_value((char *)v.p, v.len, t) < 0 ||
		                  buf_cats(&t->ext, local + k) < 0 ||
		                  buf_cstr(&t->ext) < 0))
			r = -1;
	}
	buf_free(&key);
	buf_free(&v);
	return r;
}

/* qmail-getpw's test: 1 valid user, 0 not, -1 temporary. */
static int
pw_try(const char *name, struct target *t)
{
	struct passwd *pw;
	struct stat st;

	errno = 0;
	pw = getpwnam(name);
	if (pw == NULL)
		return errno == 0 || errno == ENOENT || errno == ESRCH ? 0 : -1;
	if (pw->pw_uid == 0)
		return 0;
	if (stat(pw->pw_dir, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES
		           ? 0
		           : -1;
	if (st.st_uid != pw->pw_uid)
		return 0;
	t->kind = T_PASSWD;
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	t->initgroups = true;
	if (setz(&t->user, pw->pw_name, strlen(pw->pw_name)) < 0 ||
	    setz(&t->home, pw->pw_dir, strlen(pw->pw_dir)) < 0)
		return -1;
	return 1;
}

int
getpw_local(const char *local, struct target *t)
{
	char name[256];
	size_t n = strlen(local), k;
	int r;

	for (k = n + 1; k-- > 0;) {
		if (k == 0 || (k < n && local[k] != '-'))
			continue;
		if (k >= sizeof name)
			continue;
		memcpy(name, local, k);
		name[k] = '\0';
		str_lower(name, k);
		r = pw_try(name, t);
		if (r != 1) {
			if (r < 0)
				return -1;
			continue;
		}
		if (setz(&t->dash, "-", k < n) < 0 ||
		    setz(&t->ext, local + (k < n ? k + 1 : n),
		        k < n ? n - k - 1 : 0) < 0)
			return -1;
		return 1;
	}
	return 0;
}

/* (c3) the alias user: .qmail-L and the -default chain. */
static int
alias_user(const char *home, const char *local, struct target *t)
{
	t->kind = T_ALIASUSER;
	if (sysuser(t, auto_user_alias) < 0 ||
	    setz(&t->home, home, strlen(home)) < 0 ||
	    buf_cats(&t->home, "/alias") < 0 || buf_cstr(&t->home) < 0 ||
	    setz(&t->dash, "-", 1) < 0 || setz(&t->ext, local, strlen(local)))
		return -1;
	return 0;
}

static int
classic(const char *home, const char *local, struct target *t)
{
	struct buf dd = BUF_INIT(4096);
	int r;

	r = try_assign(home, local, t);
	if (r == 0)
		r = getpw_local(local, t);
	if (r == 0)
		r = alias_user(home, local, t) < 0 ? -1 : 1;
	if (r < 0)
		return -1;
	if (control_readline(&dd, "defaultdelivery", "./Maildir/") < 0 ||
	    setz(&t->aliasempty, (char *)dd.p, dd.len) < 0) {
		buf_free(&dd);
		return -1;
	}
	buf_free(&dd);
	return setz(&t->local, local, strlen(local));
}

static int
fail(struct buf *why, int code, const char *text)
{
	buf_reset(why);
	buf_cats(why, text);
	if (errno && code == 111) {
		buf_cats(why, ": ");
		buf_cats(why, strerror(errno));
	}
	return code;
}

int
resolve(const char *home, const struct request *rq, struct target *t,
    struct buf *why)
{
	struct rcpt rc;
	size_t at = addr_at(rq->rcpt, strlen(rq->rcpt)), dl;
	int r = 0;

	buf_init(&rc.key, KEY_MAX);
	rc.local = rq->rcpt;
	rc.llen = at;
	dl = at < strlen(rq->rcpt) ? strlen(rq->rcpt) - at - 1 : 0;
	if (dl >= sizeof rc.dom)
		return fail(why, 100, "5.1.3 Recipient domain too long");
	memcpy(rc.dom, rq->rcpt + at + (dl ? 1 : 0), dl);
	rc.dom[dl] = '\0';
	str_lower(rc.dom, dl);
	errno = 0;
	if (dl)
		r = try_mailbox(home, &rc, t);
	if (r == 0 && dl)
		r = try_alias(home, &rc, t);
	if (r == 1 && setz(&t->local, rq->rcpt, at) < 0)
		r = -1;
	buf_free(&rc.key);
	if (r == 0)
		r = classic(home, rq->local, t) < 0 ? -1 : 1;
	if (r < 0)
		return fail(why, 111, "4.3.0 Unable to resolve recipient");
	if (setz(&t->domain, rc.dom, dl) < 0)
		return fail(why, 111, "4.3.0 Out of memory");
	if (t->uid == 0)
		return fail(why, 100, "5.7.1 Refusing to deliver as root");
	return 0;
}
