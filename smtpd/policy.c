/* policy.c: who may send what to whom (DESIGN.md invariant 4).
 *   relay:  only to domains in control/rcpthosts.cdb, unless RELAYCLIENT
 *           is set or the session authenticated; for strangers every
 *           relay trick (source route, %, !, quoted @, literal not listed
 *           in rcpthosts) is refused with 553 5.7.1;
 *   valid:  recipients are checked in control/rcpt.cdb (lib/rcptdb.h);
 *   lists:  control/badmailfrom.cdb, control/badrcptto.cdb;
 *   space:  the queue's free space floor (control/queuefreespace);
 *   quota:  a fresh over-quota marker (lib/quotamark.h) gives 452 4.2.2.
 * Missing or unreadable rcpthosts.cdb or rcpt.cdb fails closed (451). */
#include "smtpd.h"

#include <errno.h>
#include <sys/statvfs.h>
#include <time.h>

#include "addr.h"
#include "auto.h"
#include "cdbx.h"
#include "control.h"
#include "die.h"
#include "quotamark.h"
#include "rcptdb.h"

bool
smtpd_policy_relay_ok(const struct smtpd *s)
{
	return s->relayclient != NULL || s->authuser != NULL;
}

/* 1 key in control/name, 0 not (or no such file when optional), -1. */
static int
listed(struct smtpd *s, const char *name, const void *key, size_t klen,
    bool optional)
{
	int r;

	buf_reset(&s->tmp);
	if (control_path(&s->tmp, name) < 0)
		return -1;
	r = cdbx_lookup((const char *)s->tmp.p, key, klen, NULL);
	if (r < 0 && errno == ENOENT && optional)
		return 0;
	if (r < 0)
		log_warn(
		    "unable to read control/%s: %s", name, strerror(errno));
	return r;
}

/* badmailfrom / badrcptto: the address, then "@domain" (lowercased). */
static int
bad_listed(struct smtpd *s, const char *name, const struct buf *addr)
{
	unsigned char key[1024];
	size_t n = addr->len, at;
	int r;

	if (n == 0 || n > sizeof key)
		return 0;
	memcpy(key, addr->p, n);
	str_lower(key, n);
	r = listed(s, name, key, n, true);
	at = addr_at((const char *)key, n);
	if (r != 0 || at == n)
		return r;
	return listed(s, name, key + at, n - at, true);
}

/* rcpthosts (qmail-smtpd(8)): the domain, or any suffix of it starting at
 * a dot; an address literal only as listed. */
static int
rcpthosts(struct smtpd *s, const unsigned char *dom, size_t len)
{
	unsigned char key[512];
	size_t i;
	int r;

	if (len == 0 || len > sizeof key)
		return 0;
	memcpy(key, dom, len);
	str_lower(key, len);
	r = listed(s, "rcpthosts.cdb", key, len, false);
	if (r != 0 || key[0] == '[')
		return r;
	for (i = 0; i < len && r == 0; i++)
		if (key[i] == '.')
			r = listed(s, "rcpthosts.cdb", key + i, len - i, false);
	return r;
}

const char *
smtpd_policy_space(struct smtpd *s, unsigned long long need)
{
	struct statvfs v;
	unsigned long long avail;

	if (s->freespace == 0)
		return NULL;
	if (statvfs((const char *)s->queuedir.p, &v) < 0) {
		log_warn("unable to statvfs %s: %s",
		    (const char *)s->queuedir.p, strerror(errno));
		return NULL; /* quail-queue itself will fail if it is gone */
	}
	if (__builtin_mul_overflow((unsigned long long)v.f_bavail,
	        (unsigned long long)v.f_frsize, &avail))
		return NULL;
	if (__builtin_add_overflow(need, s->freespace, &need) || avail < need)
		return "452 4.3.1 insufficient system storage";
	return NULL;
}

const char *
smtpd_policy_sender(struct smtpd *s, const struct buf *addr, unsigned aflags)
{
	size_t at;

	if (aflags & ADDR_F_NULL)
		return NULL;
	at = addr_at((const char *)addr->p, addr->len);
	if (at == addr->len) {
		if (!smtpd_policy_relay_ok(s))
			return "553 5.1.7 sender address must have a domain";
	} else if (!addr_domain_ok((const char *)addr->p + at + 1,
	               addr->len - at - 1, (aflags & ADDR_F_UTF8) != 0))
		return "553 5.1.7 bad sender address syntax";
	switch (bad_listed(s, "badmailfrom.cdb", addr)) {
	case 0:
		return NULL;
	case 1:
		return "553 5.7.1 sender refused by local policy";
	default:
		return "451 4.3.0 temporary failure reading badmailfrom";
	}
}

/* RFC 5321 4.5.1: <postmaster> without a domain must be accepted; it
 * becomes postmaster@me.  Any other address needs a domain. */
static const char *
complete(struct smtpd *s, struct buf *addr, unsigned aflags)
{
	if (!(aflags & ADDR_F_NODOM))
		return NULL;
	if (!str_caseeq(addr->p, addr->len, "postmaster", 10))
		return "553 5.1.3 recipient address must have a domain";
	if (buf_catc(addr, '@') < 0 || buf_cat(addr, s->me.p, s->me.len) < 0)
		return "452 4.3.0 out of memory";
	return NULL;
}

/* The relay tricks, refused for strangers whatever the domain. */
static const char *
tricks(unsigned aflags)
{
	if (aflags & ADDR_F_ROUTE)
		return "553 5.7.1 source routes are not accepted";
	if (aflags & ADDR_F_PERCENT)
		return "553 5.7.1 '%' in the local part is not accepted";
	if (aflags & ADDR_F_BANG)
		return "553 5.7.1 '!' paths are not accepted";
	if (aflags & ADDR_F_ATLOCAL)
		return "553 5.7.1 '@' in the local part is not accepted";
	return NULL;
}

/* quail-local leaves HOME/quota/<address> when a virtual mailbox is over
 * quota; while that marker is younger than control/quotamarkerage
 * (default 900 s, 0: off) RCPT gets the temporary 452 4.2.2 (RFC 3463
 * X.2.2 "mailbox full").  An older marker is ignored, so one message
 * goes through and quail-local checks again.  Trouble looking at the
 * marker accepts: quail-local enforces the quota anyway. */
static const char *
quota_full(const struct buf *addr)
{
	unsigned long maxage;
	long long age = 0;
	int r;

	r = quotamark_age(
	    auto_home, (const char *)addr->p, addr->len, time(NULL), &age);
	if (r < 0)
		log_warn(
		    "unable to stat the quota marker: %s", strerror(errno));
	if (r <= 0)
		return NULL;
	if (control_readulong(&maxage, "quotamarkerage", QUOTAMARK_AGE_DEF) <
	    0) {
		log_warn("unable to read control/quotamarkerage: %s",
		    strerror(errno));
		maxage = QUOTAMARK_AGE_DEF;
	}
	if (!quotamark_fresh(age, maxage))
		return NULL;
	return "452 4.2.2 Mailbox full, try again later";
}

static const char *
rcptdb(struct smtpd *s, const struct buf *addr)
{
	struct cdbx db;
	enum rcptdb_res r;

	buf_reset(&s->tmp);
	if (control_path(&s->tmp, "rcpt.cdb") < 0)
		return "451 4.3.0 out of memory";
	if (cdbx_open(&db, (const char *)s->tmp.p) < 0) {
		log_warn(
		    "unable to open control/rcpt.cdb: %s", strerror(errno));
		return "451 4.3.0 recipient table unavailable, try later";
	}
	r = rcptdb_check(&db, (const char *)addr->p, addr->len, NULL);
	cdbx_close(&db);
	switch (r) {
	case RCPTDB_OK:
		return quota_full(addr);
	case RCPTDB_UNCHECKED:
		return NULL;
	case RCPTDB_UNKNOWN:
		return "550 5.1.1 no such user here";
	default:
		log_warn(
		    "unable to read control/rcpt.cdb: %s", strerror(errno));
		return "451 4.3.0 recipient table unavailable, try later";
	}
}

const char *
smtpd_policy_rcpt(struct smtpd *s, struct buf *addr, unsigned aflags)
{
	const char *no;
	size_t at;
	bool relay = smtpd_policy_relay_ok(s);

	if (aflags & ADDR_F_NULL)
		return "553 5.1.3 <> is not a valid recipient";
	if ((aflags & ADDR_F_UTF8) && !s->utf8)
		return "553 5.6.7 non-ASCII address needs SMTPUTF8";
	if ((no = complete(s, addr, aflags)) != NULL)
		return no;
	if (!relay && (no = tricks(aflags)) != NULL)
		return no;
	at = addr_at((const char *)addr->p, addr->len);
	if (at + 1 >= addr->len ||
	    !addr_domain_ok((const char *)addr->p + at + 1, addr->len - at - 1,
	        (aflags & ADDR_F_UTF8) != 0))
		return "553 5.1.2 bad recipient domain";
	if (!relay) {
		switch (rcpthosts(s, addr->p + at + 1, addr->len - at - 1)) {
		case 1:
			break;
		case 0:
			return "553 5.7.1 relaying denied: domain not in "
			       "rcpthosts";
		default:
			return "451 4.3.0 relay table unavailable, try later";
		}
	}
	switch (bad_listed(s, "badrcptto.cdb", addr)) {
	case 0:
		break;
	case 1:
		return "553 5.7.1 recipient refused by local policy";
	default:
		return "451 4.3.0 temporary failure reading badrcptto";
	}
	if ((no = rcptdb(s, addr)) != NULL)
		return no;
	return smtpd_policy_space(s, s->declared);
}
