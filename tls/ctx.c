/* ctx.c: OpenSSL contexts for quail-tls, built from certificate files
 * already in memory (certs.c).  Runs as quailt.
 * Policy: TLS 1.2 and 1.3 only; forward-secret AEAD ciphers by default
 * (control/tlsciphers for 1.2, control/tlsciphersuites for 1.3); no
 * renegotiation, no compression, no session tickets (each connection
 * is its own process: a ticket could never be resumed).  A client
 * certificate is asked for only when control/clientca.pem exists; it is
 * never required, and reported only when it verifies. */
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "buf.h"
#include "str.h"
#include "tls.h"

static void
err_text(struct buf *err, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char msg[256];

	buf_reset(err);
	ERR_error_string_n(e, msg, sizeof msg);
	(void)buf_cats(err, what);
	(void)buf_cats(err, ": ");
	(void)buf_cats(err, e ? msg : "unknown error");
	(void)buf_cstr(err);
	ERR_clear_error();
}

static int
accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1; /* the result is kept; tls_proxy reports only verified */
}

static int
use_pem(SSL_CTX *ctx, const struct buf *pem, struct buf *err)
{
	BIO *bio = BIO_new_mem_buf(pem->p, (int)pem->len);
	X509 *x;
	EVP_PKEY *key;
	int ok = 0;

	if (bio == NULL || (x = PEM_read_bio_X509_AUX(bio, NULL, 0, 0)) == 0) {
		err_text(err, "no certificate");
		BIO_free(bio);
		return -1;
	}
	ok = SSL_CTX_use_certificate(ctx, x);
	X509_free(x);
	while (ok && (x = PEM_read_bio_X509(bio, NULL, 0, 0)) != NULL)
		ok = SSL_CTX_add0_chain_cert(ctx, x) ? 1 : (X509_free(x), 0);
	ERR_clear_error(); /* the end of the chain */
	BIO_free(bio);
	bio = BIO_new_mem_buf(pem->p, (int)pem->len);
	key = bio ? PEM_read_bio_PrivateKey(bio, NULL, 0, 0) : NULL;
	BIO_free(bio);
	if (!ok || key == NULL || !SSL_CTX_use_PrivateKey(ctx, key) ||
	    !SSL_CTX_check_private_key(ctx)) {
		err_text(err, key ? "certificate and key" : "no private key");
		EVP_PKEY_free(key);
		return -1;
	}
	EVP_PKEY_free(key);
	return 0;
}

static int
use_ca(SSL_CTX *ctx, const struct tls_certs *t, struct buf *err)
{
	BIO *bio = BIO_new_mem_buf(t->ca.p, (int)t->ca.len);
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
	X509 *x;
	int n = 0;

	while (bio && names && (x = PEM_read_bio_X509(bio, NULL, 0, 0))) {
		X509_NAME *nm = X509_NAME_dup(X509_get_subject_name(x));
		if (X509_STORE_add_cert(st, x) && nm &&
		    sk_X509_NAME_push(names, nm))
			n++;
		else
			X509_NAME_free(nm);
		X509_free(x);
	}
	ERR_clear_error();
	BIO_free(bio);
	if (n == 0) {
		sk_X509_NAME_pop_free(names, X509_NAME_free);
		buf_reset(err);
		(void)buf_cats(err, "control/clientca.pem: no certificate");
		(void)buf_cstr(err);
		return -1;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
	return 0;
}

SSL_CTX *
tls_ctx_new(
    const struct tls_certs *t, const struct tls_pem *pem, struct buf *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		err_text(err, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(
	    ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
	             SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (!SSL_CTX_set_cipher_list(ctx, (const char *)t->ciphers.p)) {
		err_text(err, "control/tlsciphers");
		goto fail;
	}
	if (!SSL_CTX_set_ciphersuites(ctx, (const char *)t->suites.p)) {
		err_text(err, "control/tlsciphersuites");
		goto fail;
	}
	if (use_pem(ctx, &pem->pem, err) < 0)
		goto fail;
	if (t->clientca && use_ca(ctx, t, err) < 0)
		goto fail;
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* SNI (RFC 6066 section 3): switch to NAME.pem's certificate when there
 * is one; otherwise keep the default.  Parsed on demand, once. */
static int
sni_cb(SSL *ssl, int *alert, void *arg)
{
	struct tls_certs *t = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	char low[TLS_NAME_MAX + 1];
	struct buf err = BUF_INIT(1024);
	SSL_CTX *ctx;
	size_t i, n;

	(void)alert;
	if (name == NULL || (n = strlen(name)) > TLS_NAME_MAX)
		return SSL_TLSEXT_ERR_OK;
	memcpy(low, name, n + 1);
	str_lower(low, n);
	for (i = 0; i < t->n; i++) {
		if (strcmp(t->sni[i].name, low) != 0)
			continue;
		ctx = tls_ctx_new(t, &t->sni[i], &err);
		if (ctx == NULL) {
			buf_free(&err);
			return SSL_TLSEXT_ERR_OK; /* the default still works */
		}
		SSL_set_SSL_CTX(ssl, ctx);
		SSL_CTX_free(ctx); /* the SSL holds its own reference */
		break;
	}
	buf_free(&err);
	return SSL_TLSEXT_ERR_OK;
}

void
tls_ctx_sni(SSL_CTX *ctx, struct tls_certs *t)
{
	SSL_CTX_set_tlsext_servername_callback(ctx, sni_cb);
	SSL_CTX_set_tlsext_servername_arg(ctx, t);
}
