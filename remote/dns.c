/* dns.c: MX and address lookups through libresolv (res_nquery,
 * ns_initparse).  DNS answers are untrusted: parsed by libresolv's
 * bounded parser, names uncompressed into fixed buffers.
 * A truncated UDP answer (TC bit) is asked again over TCP (RES_USEVC).
 * control/dnsserver ("ip" or "ip:port", IPv4) replaces the servers of
 * /etc/resolv.conf: for tests and for hosts with a dedicated resolver. */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "remote.h"
#include "scan.h"
#include "str.h"

static struct __res_state rs;
static bool rs_ok;

int
dns_init(void)
{
	struct buf b = BUF_INIT(256);
	size_t c;
	unsigned long port = 53;
	struct in_addr ip;
	int r;

	if (res_ninit(&rs) < 0)
		return -1;
	rs_ok = true;
	rs.options |= RES_IGNTC; /* we retry over TCP ourselves */
	r = control_readline(&b, "dnsserver", NULL);
	if (r <= 0 || b.len == 0) {
		buf_free(&b);
		return r < 0 ? -1 : 0;
	}
	c = str_chr(b.p, b.len, ':');
	b.p[c < b.len ? c : b.len] = '\0';
	if (inet_pton(AF_INET, (char *)b.p, &ip) != 1 ||
	    (c < b.len && (scan_ulong_all(
	                       (char *)b.p + c + 1, b.len - c - 1, &port) < 0 ||
	                      port == 0 || port > 65535))) {
		buf_free(&b);
		errno = EINVAL;
		return -1;
	}
	rs.nscount = 1;
	rs.nsaddr_list[0].sin_family = AF_INET;
	rs.nsaddr_list[0].sin_addr = ip;
	rs.nsaddr_list[0].sin_port = htons((unsigned short)port);
	buf_free(&b);
	return 0;
}

/* res_nquery, again over TCP when the answer came back truncated.
 * Length of the answer, or -1 with the DNS_ class in *res_r. */
static int
query(
    const char *name, int type, unsigned char *ans, int max, enum dnsres *res_r)
{
	int n;

	if (!rs_ok && dns_init() < 0) {
		*res_r = DNS_TEMP;
		return -1;
	}
	rs.options &= ~(unsigned long)RES_USEVC;
	n = res_nquery(&rs, name, ns_c_in, type, ans, max);
	if (n >= (int)sizeof(HEADER) && ((HEADER *)(void *)ans)->tc) {
		rs.options |= RES_USEVC;
		n = res_nquery(&rs, name, ns_c_in, type, ans, max);
	}
	if (n >= 0)
		return n > max ? max : n;
	switch (rs.res_h_errno) {
	case HOST_NOT_FOUND:
		*res_r = DNS_PERM;
		break;
	case NO_DATA:
		*res_r = DNS_NODATA;
		break;
	default:
		*res_r = DNS_TEMP;
	}
	return -1;
}

static void
put_addr(struct sockaddr_storage *sa, int type, const unsigned char *rd,
    unsigned port)
{
	memset(sa, 0, sizeof *sa);
	if (type == ns_t_a) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)sa;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		memcpy(&s4->sin_addr, rd, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		memcpy(&s6->sin6_addr, rd, 16);
	}
}

/* Adds an MX host to mx[0..*n), or, when full, puts it in place of the
 * worst one if its preference is lower: the best max hosts survive an
 * answer with more records than quail-remote tries. */
static void
keep_mx(struct mxhost *mx, size_t max, int *n, const char *name, unsigned pref)
{
	size_t i, w;

	if (max == 0)
		return;
	if ((size_t)*n < max)
		w = (size_t)(*n)++;
	else {
		for (w = 0, i = 1; i < max; i++)
			if (mx[i].pref > mx[w].pref)
				w = i;
		if (mx[w].pref <= pref)
			return;
	}
	memcpy(mx[w].name, name, strlen(name) + 1);
	mx[w].pref = pref;
}

int
dns_parse(const unsigned char *ans, size_t len, int type, struct mxhost *mx,
    struct sockaddr_storage *sa, size_t max, unsigned port, bool *nullmx)
{
	ns_msg h;
	ns_rr rr;
	int i, cnt, n = 0, nmx = 0, dot = 0;
	char name[NS_MAXDNAME];

	*nullmx = false;
	if (ns_initparse(ans, (int)len, &h) < 0)
		return -1;
	cnt = ns_msg_count(h, ns_s_an);
	for (i = 0; i < cnt; i++) {
		if (ns_parserr(&h, ns_s_an, i, &rr) < 0)
			return -1;
		if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in)
			continue;
		if (type == ns_t_mx) {
			if (ns_rr_rdlen(rr) < 3 ||
			    ns_name_uncompress(ns_msg_base(h), ns_msg_end(h),
			        ns_rr_rdata(rr) + 2, name, sizeof name) < 0)
				return -1;
			nmx++;
			if (name[0] == '\0' || strcmp(name, ".") == 0) {
				dot++;
				continue;
			}
			if (strlen(name) < sizeof mx->name)
				keep_mx(mx, max, &n, name,
				    ns_get16(ns_rr_rdata(rr)));
		} else if ((size_t)n < max &&
		           ns_rr_rdlen(rr) == (type == ns_t_a ? 4 : 16)) {
			put_addr(&sa[n], type, ns_rr_rdata(rr), port);
			n++;
		}
	}
	*nullmx = nmx == 1 && dot == 1;
	return n;
}

static int
mx_cmp(const void *a, const void *b)
{
	const struct mxhost *x = a, *y = b;

	return x->pref < y->pref ? -1 : x->pref > y->pref;
}

enum dnsres
dns_mx(const char *domain, struct mxhost *mx, size_t max, size_t *n_r)
{
	static unsigned char ans[65536];
	enum dnsres res = DNS_OK;
	bool nullmx;
	size_t i, j;
	int n;

	*n_r = 0;
	if ((n = query(domain, ns_t_mx, ans, sizeof ans, &res)) < 0)
		return res;
	n = dns_parse(ans, (size_t)n, ns_t_mx, mx, NULL, max, 0, &nullmx);
	if (nullmx)
		return DNS_NULLMX;
	if (n < 0)
		return DNS_TEMP;
	if (n == 0)
		return DNS_NODATA;
	qsort(mx, (size_t)n, sizeof *mx, mx_cmp);
	/* shuffle hosts of equal preference (RFC 5321 5.1) */
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	for (i = 0; i + 1 < (size_t)n; i++) {
		for (j = i + 1; j < (size_t)n && mx[j].pref == mx[i].pref; j++)
			;
		if (j - i > 1) {
			size_t k = i + (size_t)random() % (j - i);
			struct mxhost t = mx[i];

			mx[i] = mx[k];
			mx[k] = t;
		}
	}
	*n_r = (size_t)n;
	return DNS_OK;
}

/* A literal host: "[1.2.3.4]", "[IPv6:::1]" or a bare address. */
static bool
literal(const char *host, unsigned port, struct sockaddr_storage *sa)
{
	char b[64];
	size_t n = strlen(host);
	unsigned char raw[16];

	if (n >= sizeof b)
		return false;
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		memcpy(b, host + 1, n - 2);
		b[n - 2] = '\0';
	} else
		memcpy(b, host, n + 1);
	if (inet_pton(AF_INET, b, raw) == 1) {
		put_addr(sa, ns_t_a, raw, port);
		return true;
	}
	if (str_casestarts(b, strlen(b), "IPv6:") &&
	    inet_pton(AF_INET6, b + 5, raw) == 1) {
		put_addr(sa, ns_t_aaaa, raw, port);
		return true;
	}
	if (inet_pton(AF_INET6, b, raw) == 1) {
		put_addr(sa, ns_t_aaaa, raw, port);
		return true;
	}
	return false;
}

enum dnsres
dns_ip(const char *host, unsigned port, struct sockaddr_storage *sa, size_t max,
    size_t *n_r)
{
	static unsigned char ans[65536];
	static const int types[2] = {ns_t_aaaa, ns_t_a};
	enum dnsres res, worst = DNS_PERM;
	bool nullmx;
	int n, t;

	*n_r = 0;
	if (max > 0 && literal(host, port, sa)) {
		*n_r = 1;
		return DNS_OK;
	}
	for (t = 0; t < 2; t++) {
		res = DNS_OK;
		if ((n = query(host, types[t], ans, sizeof ans, &res)) < 0) {
			if (res == DNS_TEMP)
				worst = DNS_TEMP;
			continue;
		}
		n = dns_parse(ans, (size_t)n, types[t], NULL, sa + *n_r,
		    max - *n_r, port, &nullmx);
		if (n > 0)
			*n_r += (size_t)n;
	}
	return *n_r > 0 ? DNS_OK : worst;
}
