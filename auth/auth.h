/* auth.h: quail-auth internals (quail-auth(8)). */
#ifndef QUAIL_AUTH_AUTH_H
#define QUAIL_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "buf.h"

#define AUTH_INPUT_MAX    512 /* checkpassword: user\0pass\0timestamp\0 */
#define AUTH_USER_MAX     255
#define AUTH_FAIL_DELAY   2 /* seconds before exit 1 */
#define AUTH_READ_TIMEOUT 60

struct auth_req {
	char user[AUTH_USER_MAX + 1]; /* lowercased for virtual users */
	const char *pass;             /* points into the input buffer */
	size_t passlen;
};

/* Parses the checkpassword input p[0..n): "user\0pass\0" and an
 * optional "timestamp\0" (ignored).  0, or -1 if malformed (no second
 * NUL, empty or overlong user, a user with control bytes or '/'). */
int auth_parse(const unsigned char *p, size_t n, struct auth_req *r);

/* A virtual mailbox: fields of control/mailboxes.cdb (ctl's cdb.md). */
struct auth_mbox {
	struct str_field {
		const char *p;
		size_t len;
	} hash, quota, flags, maildir;
};

/* Splits a mailboxes.cdb value; 0, or -1 when it has not 4 fields. */
int auth_mbox_split(const unsigned char *v, size_t n, struct auth_mbox *m);
/* true if the comma list flags holds "no<service>" (service "pop3" also
 * matches "nopop"; "submission" matches "nosmtp"), or "disabled". */
bool auth_flag_denies(const char *flags, size_t len, const char *service);
/* Constant-time check of pass against a libcrypt hash ($y$, $6$, or
 * any "$" hash when system is true).  true if it matches. */
bool auth_crypt_ok(const char *pass, const char *hash, bool system);

enum auth_res {
	AUTH_OK,
	AUTH_BAD,  /* wrong user or password, or disabled: exit 1 */
	AUTH_TEMP, /* trouble: exit 111 */
};

struct auth_user {
	uid_t uid;
	gid_t gid;
	bool virtual_;
	struct buf name, home, shell, maildir, quota;
};

/* Looks the request up (virtual users, then shadow when allowed) and
 * checks the password and the flags for service (may be NULL).  why
 * gets the reason for the log (never the password). */
enum auth_res auth_check(const struct auth_req *r, const char *service,
    struct auth_user *u, const char **why);

/* session.c: environment, ids, chdir HOME, exec argv.  Never returns:
 * exits 111 on trouble. */
_Noreturn void auth_exec(const struct auth_user *u, char **argv);

#endif
