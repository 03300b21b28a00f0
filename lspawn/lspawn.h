/* lspawn.h: quail-lspawn's modules (liblspawn.a): the spawn protocol's
 * requests (doc/ARCHITECTURE.md "The spawn protocol"), recipient
 * resolution (cdb.md "Local delivery resolution") and the reply text. */
#ifndef QUAIL_LSPAWN_LSPAWN_H
#define QUAIL_LSPAWN_LSPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "buf.h"

#define NS_REQ_MAX   8192 /* request payload (spawn protocol) */
#define NS_REPLY_MAX 4096
#define TEXT_MAX     1000 /* reply text */
#define SLOTS_MAX    1000

/* ---- request.c (the framing: lib/netstring.h) ---- */
struct request {
	unsigned long slot;
	char *id, *path, *sender, *rcpt, *local; /* into the payload */
	unsigned long long offset;
};

/* Splits a request payload (fields ended by NUL); pointers borrow p.
 * 0, or -1 when a field is missing or malformed. */
int req_parse(char *p, size_t len, struct request *r);
/* true for "mess/<digits>/<[0-9A-Za-z]+>". */
bool req_path_ok(const char *path);

/* ---- text.c ---- */
/* Appends quail-local's output to text as one line: LF -> '/', other
 * control bytes -> '_', at most TEXT_MAX bytes in all. */
void text_add(char *text, size_t *tlen, const char *p, size_t n);
/* Final form: trailing '/' and spaces removed. */
void text_end(char *text, size_t *tlen);
/* Moves the last segment (between '/'s) that starts with an RFC 3463
 * code of class cls ('4' or '5') to the front, so quail-send finds the
 * status first: "delivered .../5.2.2 over quota" -> "5.2.2 over
 * quota/delivered ...". */
void text_lead_code(char *text, size_t *tlen, char cls);

/* ---- resolve.c ---- */
enum target_kind { T_VIRTUAL, T_ALIAS, T_ASSIGN, T_PASSWD, T_ALIASUSER };

struct target {
	enum target_kind kind;
	uid_t uid;
	gid_t gid;
	bool initgroups;        /* passwd users: their supplementary groups */
	bool exclusive, create; /* quail-local -x, -c */
	bool have_quota;
	uint64_t quota;
	struct buf user, home, local, dash, ext, domain, aliasempty;
};

void target_init(struct target *t);
void target_free(struct target *t);

/* Result of resolution: 0 ok, else 100/111 with a text in why. */
int resolve(const char *home, const struct request *rq, struct target *t,
    struct buf *why);
/* users/assign.cdb value "user\0uid\0gid\0home\0dash\0ext\0" -> t. */
int assign_value(const char *v, size_t len, struct target *t);
/* qmail-getpw: the user for local (longest prefix ending at '-' whose
 * name is a valid user), dash and ext.  1 found, 0 none, -1 error. */
int getpw_local(const char *local, struct target *t);

/* ---- child.c ---- */
/* In the forked child: resolve, open the message, drop, exec quail-local
 * with its report going to out.  Never returns. */
_Noreturn void child_run(const char *home, const struct request *rq, int out);

#endif
