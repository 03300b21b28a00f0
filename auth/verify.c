/* verify.c: who is this, and is the password right?  Virtual users from
 * control/mailboxes.cdb (root 0600), system users from shadow when
 * control/authsystem allows it.  Runs as root (quail-auth is setuid
 * root, or started by root).  Never logs or keeps a password; the
 * crypt work area is wiped.  Unknown users cost one hash like known
 * ones, so timing does not tell which names exist. */
#include <crypt.h>
#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "auto.h"
#include "cdbx.h"
#include "control.h"
#include "fmt.h"
#include "str.h"

bool
auth_crypt_ok(const char *pass, const char *hash, bool system)
{
	struct crypt_data *cd;
	const char *h;
	size_t n = strlen(hash), i;
	unsigned char diff = 0;

	if (system
	        ? hash[0] != '$'
	        : strncmp(hash, "$y$", 3) != 0 && strncmp(hash, "$6$", 3) != 0)
		return false;
	if ((cd = calloc(1, sizeof *cd)) == NULL)
		return false;
	h = crypt_rn(pass, hash, cd, (int)sizeof *cd);
	if (h == NULL || h[0] == '*' || strlen(h) != n) {
		diff = 1;
	} else {
		for (i = 0; i < n; i++)
			diff |= (unsigned char)(h[i] ^ hash[i]);
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return diff == 0;
}

/* Spends the time of one yescrypt check for a user that does not
 * exist. */
static void
burn(const char *pass)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) != NULL)
		(void)auth_crypt_ok(pass, salt, false);
}

static int
field(struct buf *b, const struct str_field *f)
{
	return buf_copy(b, f->p, f->len) < 0 ? -1 : buf_cstr(b);
}

/* HOME for a virtual user: the maildir's parent ("/x/u/Maildir/" ->
 * "/x/u"). */
static int
virtual_home(struct auth_user *u)
{
	size_t n = u->maildir.len;
	const char *m = (const char *)u->maildir.p;

	while (n > 1 && m[n - 1] == '/')
		n--;
	n = str_rchr(m, n, '/');
	if (n == 0 || n >= u->maildir.len || m[0] != '/')
		return -1;
	return buf_copy(&u->home, m, n) < 0 ? -1 : buf_cstr(&u->home);
}

static enum auth_res
virtual_ok(struct auth_user *u, const struct auth_mbox *m, const char *user)
{
	struct passwd *pw = getpwnam(auto_user_v);

	if (pw == NULL || pw->pw_uid == 0)
		return AUTH_TEMP;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->virtual_ = true;
	if (buf_copy(&u->name, user, strlen(user)) < 0 ||
	    buf_cstr(&u->name) < 0 || field(&u->maildir, &m->maildir) < 0 ||
	    field(&u->quota, &m->quota) < 0 ||
	    buf_copy(&u->shell, "/usr/sbin/nologin", 17) < 0 ||
	    buf_cstr(&u->shell) < 0 || virtual_home(u) < 0)
		return AUTH_TEMP;
	return AUTH_OK;
}

static enum auth_res
check_virtual(const struct auth_req *r, const char *service,
    struct auth_user *u, const char **why)
{
	struct buf path = BUF_INIT(4096), val = BUF_INIT(8192);
	struct buf hash = BUF_INIT(1024);
	struct auth_mbox m;
	enum auth_res res = AUTH_BAD;
	int got;

	if (buf_printf(&path, "%s/control/mailboxes.cdb", auto_home) < 0 ||
	    buf_cstr(&path) < 0)
		return AUTH_TEMP;
	got = cdbx_lookup((const char *)path.p, r->user, strlen(r->user), &val);
	buf_free(&path);
	if (got < 0 && errno != ENOENT) {
		*why = "unable to read control/mailboxes.cdb";
		res = AUTH_TEMP;
	} else if (got <= 0) {
		burn(r->pass);
		*why = "unknown user";
	} else if (auth_mbox_split(val.p, val.len, &m) < 0 ||
	           field(&hash, &m.hash) < 0) {
		*why = "malformed mailboxes.cdb entry";
		res = AUTH_TEMP;
	} else if (!auth_crypt_ok(r->pass, (const char *)hash.p, false)) {
		*why = hash.len && hash.p[0] == '!' ? "account disabled"
		                                    : "wrong password";
	} else if (auth_flag_denies(m.flags.p, m.flags.len, service)) {
		*why = "service disabled for this user";
	} else {
		res = virtual_ok(u, &m, r->user);
		if (res != AUTH_OK)
			*why = "unable to set up the session";
	}
	buf_free(&hash);
	buf_free(&val);
	return res;
}

static bool
system_allowed(void)
{
	struct buf b = BUF_INIT(256);
	bool yes;

	if (control_readline(&b, "authsystem", "") < 0)
		return false;
	yes = b.len > 0 && (str_caseeq(b.p, b.len, "1", 1) ||
	                       str_caseeq(b.p, b.len, "yes", 3) ||
	                       str_caseeq(b.p, b.len, "shadow", 6));
	buf_free(&b);
	return yes;
}

static enum auth_res
check_system(const struct auth_req *r, struct auth_user *u, const char **why)
{
	struct passwd *pw = getpwnam(r->user);
	struct spwd *sp;
	const char *hash;
	long today = (long)(time(NULL) / 86400);

	if (pw == NULL || pw->pw_uid == 0) {
		burn(r->pass);
		*why = pw ? "root may not log in" : "unknown user";
		return AUTH_BAD;
	}
	sp = getspnam(r->user);
	hash = sp ? sp->sp_pwdp : pw->pw_passwd;
	if (!auth_crypt_ok(r->pass, hash ? hash : "", true)) {
		*why = "wrong password";
		return AUTH_BAD;
	}
	if (sp && sp->sp_expire > 0 && today > sp->sp_expire) {
		*why = "account expired";
		return AUTH_BAD;
	}
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if (buf_copy(&u->name, pw->pw_name, strlen(pw->pw_name)) < 0 ||
	    buf_cstr(&u->name) < 0 ||
	    buf_copy(&u->home, pw->pw_dir, strlen(pw->pw_dir)) < 0 ||
	    buf_cstr(&u->home) < 0 ||
	    buf_copy(&u->shell, pw->pw_shell, strlen(pw->pw_shell)) < 0 ||
	    buf_cstr(&u->shell) < 0 ||
	    buf_printf(&u->maildir, "%s/Maildir/", pw->pw_dir) < 0 ||
	    buf_cstr(&u->maildir) < 0)
		return AUTH_TEMP;
	return AUTH_OK;
}

enum auth_res
auth_check(const struct auth_req *r, const char *service, struct auth_user *u,
    const char **why)
{
	if (strchr(r->user, '@') != NULL)
		return check_virtual(r, service, u, why);
	if (system_allowed())
		return check_system(r, u, why);
	burn(r->pass);
	*why = "unknown user (system users not enabled)";
	return AUTH_BAD;
}
