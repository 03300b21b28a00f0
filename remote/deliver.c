/* deliver.c: one delivery of a message to the recipients of one domain:
 * the route (smtproutes or MX, RFC 5321 5.1), the addresses of each
 * host (IPv6 and IPv4), one attempt per address until one host takes
 * the transaction.  A TLS handshake failure is retried on the same
 * address without TLS unless the policy requires TLS. */
#include <errno.h>
#include <string.h>

#include "die.h"
#include "fmt.h"
#include "remote.h"

struct plan {
	struct mxhost mx[HOSTS_MAX];
	size_t nmx;
	unsigned port;
	bool routed; /* smtproutes named the host */
};

static void
fail(struct job *j, char st, const char *text)
{
	result_all(j, st, text, strlen(text));
}

/* The hosts to try; 0, or -1 when every result was set. */
static int
plan_hosts(struct job *j, const struct dest *d, struct plan *p)
{
	struct buf t = BUF_INIT(600);
	enum dnsres r;

	p->port = d->port;
	p->routed = d->host[0] != '\0';
	p->nmx = 1;
	p->mx[0].pref = 0;
	if (d->host[0] != '\0' || j->domain[0] == '[') {
		const char *h = d->host[0] ? d->host : j->domain;

		memcpy(p->mx[0].name, h, strlen(h) + 1);
		return 0;
	}
	r = dns_mx(j->domain, p->mx, HOSTS_MAX, &p->nmx);
	if (r == DNS_NODATA) { /* implicit MX: the domain itself */
		p->nmx = 1;
		memcpy(p->mx[0].name, j->domain, strlen(j->domain) + 1);
		return 0;
	}
	if (r == DNS_OK)
		return 0;
	if (r == DNS_NULLMX)
		buf_printf(&t, "5.1.10 %s accepts no mail (null MX, RFC 7505)",
		    j->domain);
	else if (r == DNS_PERM)
		buf_printf(&t, "5.1.2 domain %s does not exist", j->domain);
	else
		buf_printf(&t,
		    "4.4.3 temporary DNS failure looking up MX of %s",
		    j->domain);
	result_all(j, r == DNS_TEMP ? 'Z' : 'D', (const char *)t.p, t.len);
	buf_free(&t);
	return -1;
}

/* Tries every address of host; true when the delivery is decided. */
static bool
try_host(struct job *j, const char *host, unsigned port, struct buf *why,
    unsigned *tries, bool *tempdns)
{
	struct sockaddr_storage sa[ADDRS_MAX];
	size_t n, i;
	enum dnsres r;
	enum sres_t s;

	r = dns_ip(host, port, sa, ADDRS_MAX, &n);
	if (r == DNS_TEMP)
		*tempdns = true;
	if (r != DNS_OK)
		log_info("%s: %s: %s looking up the address", j->domain, host,
		    r == DNS_TEMP ? "temporary DNS failure" : "no such host");
	if (r != DNS_OK && (why->len == 0 || r == DNS_TEMP)) {
		buf_reset(why);
		buf_printf(why, "%s: %s looking up the address", host,
		    r == DNS_TEMP ? "temporary DNS failure" : "no such host");
	}
	for (i = 0; i < n && *tries < ADDRS_MAX; i++, (*tries)++) {
		s = smtp_try(j, host, &sa[i], true, why);
		if (s == SM_PLAIN) {
			log_warn("%.*s; trying again without TLS",
			    (int)why->len, (const char *)why->p);
			s = smtp_try(j, host, &sa[i], false, why);
		}
		if (s == SM_DONE)
			return true;
		log_info(
		    "%s: %.*s", j->domain, (int)why->len, (const char *)why->p);
	}
	return false;
}

static int
setup(struct job *j, struct dest *d)
{
	if (route_dest(j->domain, d) < 0) {
		fail(j, 'Z', "4.3.0 unable to read control/smtproutes");
		return -1;
	}
	if (route_tls(j->domain, d->host, &j->tls) < 0) {
		fail(j, 'Z', "4.3.0 unable to read control/tlsdestinations");
		return -1;
	}
	j->auth = false;
	if (d->host[0] != '\0') {
		int r = route_auth(d->host, &j->user, &j->pass);

		if (r < 0) {
			fail(j, 'Z', "4.3.0 unable to read control/relayauth");
			return -1;
		}
		j->auth = r == 1;
		/* credentials are only ever sent over TLS */
		if (j->auth && (j->tls == TLS_MAY || j->tls == TLS_NONE))
			j->tls = TLS_REQUIRE;
	}
	return 0;
}

void
deliver(struct job *j)
{
	static struct plan p;
	struct dest d;
	struct buf why = BUF_INIT(RESULT_MAX);
	unsigned tries = 0;
	bool tempdns = false;
	size_t i;

	if (setup(j, &d) < 0 || plan_hosts(j, &d, &p) < 0)
		goto out;
	for (i = 0; i < p.nmx; i++)
		if (try_host(j, p.mx[i].name, p.port, &why, &tries, &tempdns))
			goto out;
	if (tries == 0 && !tempdns && !p.routed) {
		buf_reset(&why);
		buf_printf(&why,
		    "5.4.4 no address found for the mail host%s "
		    "of %s",
		    p.nmx > 1 ? "s" : "", j->domain);
		result_all(j, 'D', (const char *)why.p, why.len);
		goto out;
	}
	{
		struct buf t = BUF_INIT(RESULT_MAX + 16);

		buf_printf(&t, "4.4.1 %.*s", (int)why.len, (const char *)why.p);
		result_all(j, 'Z', (const char *)t.p,
		    t.len > RESULT_MAX ? RESULT_MAX : t.len);
		buf_free(&t);
	}
out:
	buf_free(&why);
	buf_free(&j->pass);
}
