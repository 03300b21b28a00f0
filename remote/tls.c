/* tls.c: the client side of STARTTLS (RFC 3207) with OpenSSL 3.
 * TLS 1.2 or newer.  Without verification (opportunistic), any
 * certificate is taken: encryption against passive listening only.
 * With verification, the chain must lead to control/tlsca (a PEM file)
 * when it exists, else to the system store /etc/ssl/certs, and the
 * certificate must name the host (X509_VERIFY_PARAM_set1_host). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

#include "control.h"
#include "fmt.h"
#include "remote.h"

static SSL_CTX *
ctx_make(bool verify, struct buf *why)
{
	struct buf ca = BUF_INIT(4096);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int r;

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (!verify)
		return ctx;
	if (control_path(&ca, "tlsca") < 0)
		goto fail;
	r = access((char *)ca.p, R_OK) == 0
	        ? SSL_CTX_load_verify_locations(ctx, (char *)ca.p, NULL)
	        : SSL_CTX_load_verify_locations(ctx, NULL, "/etc/ssl/certs");
	buf_free(&ca);
	if (r != 1) {
		buf_cats(why, "unable to load the CA certificates");
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
fail:
	buf_free(&ca);
	SSL_CTX_free(ctx);
	return NULL;
}

static void
ssl_why(struct buf *why, SSL *ssl)
{
	unsigned long e = ERR_peek_last_error();
	char s[256];
	long v = SSL_get_verify_result(ssl);

	if (v != X509_V_OK) {
		buf_printf(why, "certificate verification failed: %s",
		    X509_verify_cert_error_string(v));
		return;
	}
	ERR_error_string_n(e, s, sizeof s);
	buf_printf(why, "TLS handshake failed: %s", e ? s : "connection lost");
}

static int
handshake(struct conn *c, SSL *ssl)
{
	struct pollfd p;
	int r, pr;

	for (;;) {
		r = SSL_connect(ssl);
		if (r == 1)
			return 0;
		switch (SSL_get_error(ssl, r)) {
		case SSL_ERROR_WANT_READ:
			p.events = POLLIN;
			break;
		case SSL_ERROR_WANT_WRITE:
			p.events = POLLOUT;
			break;
		default:
			return -1;
		}
		p.fd = c->fd;
		do
			pr = poll(&p, 1, (int)c->timeout * 1000);
		while (pr < 0 && errno == EINTR);
		if (pr <= 0)
			return -1;
	}
}

/* The certificate must name host: an address literal ("[1.2.3.4]", a
 * bare IP) is checked against the IP SANs, a name against the DNS names
 * (RFC 6125). */
static int
name_check(SSL *ssl, const char *host)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
	char ip[64];
	unsigned char raw[16];
	size_t n = strlen(host), o = 0;

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		o = 1;
		n -= 2;
		if (n > 5 && strncasecmp(host + 1, "IPv6:", 5) == 0) {
			o += 5;
			n -= 5;
		}
	}
	if (n < sizeof ip) {
		memcpy(ip, host + o, n);
		ip[n] = '\0';
		if (inet_pton(AF_INET, ip, raw) == 1 ||
		    inet_pton(AF_INET6, ip, raw) == 1)
			return X509_VERIFY_PARAM_set1_ip_asc(vp, ip) == 1 ? 0
			                                                  : -1;
	}
	return X509_VERIFY_PARAM_set1_host(vp, host, 0) == 1 ? 0 : -1;
}

/* SNI (RFC 6066 3) for a host name; none for an address literal. */
static int
sni(SSL *ssl, const char *host)
{
	char name[256];
	unsigned char raw[16];
	size_t n = strlen(host);

	if (n == 0 || n >= sizeof name || host[0] == '[')
		return 0;
	memcpy(name, host, n + 1);
	if (inet_pton(AF_INET, name, raw) == 1 ||
	    inet_pton(AF_INET6, name, raw) == 1)
		return 0;
	return SSL_set_tlsext_host_name(ssl, name) == 1 ? 0 : -1;
}

int
tls_start(struct conn *c, const char *host, bool verify, struct buf *why)
{
	SSL_CTX *ctx;
	SSL *ssl;

	if (c->ipos < c->ilen) {
		/* plaintext after "220": a STARTTLS injection (CVE-2011-0411)
		 */
		buf_cats(why, "data after the STARTTLS reply");
		return -1;
	}
	if ((ctx = ctx_make(verify, why)) == NULL)
		return -1;
	ssl = SSL_new(ctx);
	SSL_CTX_free(ctx); /* the SSL holds a reference */
	if (ssl == NULL || SSL_set_fd(ssl, c->fd) != 1)
		goto fail;
	if (sni(ssl, host) < 0)
		goto fail;
	if (verify && name_check(ssl, host) < 0)
		goto fail;
	if (handshake(c, ssl) < 0) {
		ssl_why(why, ssl);
		SSL_free(ssl);
		return -1;
	}
	c->ssl = ssl;
	return 0;
fail:
	buf_cats(why, "unable to set up TLS");
	SSL_free(ssl);
	return -1;
}

void
tls_end(struct conn *c)
{
	if (c->ssl) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
}
