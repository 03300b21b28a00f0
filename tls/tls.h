/* tls.h: quail-tls internals (quail-tls(8)).  The process layout and
 * the control-descriptor protocol are described in quail-tls.8 and in
 * doc/ARCHITECTURE.md, "quail-tls". */
#ifndef QUAIL_TLS_TLS_H
#define QUAIL_TLS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <openssl/ssl.h>
#include "buf.h"

#define TLS_CTL_FD       3     /* the control descriptor in the child */
#define TLS_CTL_MAX      1024  /* one control line, LF included */
#define TLS_PEM_MAX      65536 /* one certificate file */
#define TLS_SNI_MAX      1000  /* certificate files in the directory */
#define TLS_NAME_MAX     253   /* a server name (RFC 1035) */
#define TLS_RELAY_BUF    16384 /* one TLS record's worth per direction */
#define TLS_HS_TIMEOUT   60    /* seconds for a handshake */
#define TLS_IDLE_TIMEOUT 3600  /* seconds without a byte either way */

enum tls_mode {
	TLS_IMPLICIT,
	TLS_STARTTLS,
};

struct tls_conf {
	enum tls_mode mode;
	const char *user;     /* the child's user (-u), default quaild */
	const char *group;    /* the child's group (-g), default nofiles */
	const char *certfile; /* -c: default certificate, NULL: built in */
	const char *certdir;  /* -d: <name>.pem per server name */
	unsigned hs_timeout, idle_timeout;
	char **argv; /* the protocol program and its arguments */
};

/* One certificate file read into memory while root: chain then key. */
struct tls_pem {
	char name[TLS_NAME_MAX + 1]; /* lowercase server name, "" default */
	struct buf pem;
};

struct tls_certs {
	struct tls_pem def;
	struct tls_pem *sni;
	size_t n;
	struct buf ciphers, suites; /* control/tlsciphers, tlsciphersuites */
	bool clientca;              /* control/clientca.pem was read */
	struct buf ca;
};

/* conf.c */
/* Parses argv into c.  0, or -1 (usage; a message was logged). */
int tls_conf_parse(struct tls_conf *c, int argc, char **argv);
/* true if name is a plausible lowercase DNS name for a file name:
 * [a-z0-9-.], no leading dot, no "..", at least one dot. */
bool tls_name_ok(const char *name, size_t len);

/* certs.c: reading (as root) and building contexts (any uid) */
int tls_certs_read(struct tls_certs *t, const struct tls_conf *c);
void tls_certs_free(struct tls_certs *t);
/* An SSL_CTX for pem, with quail's protocol settings; NULL on error
 * (the reason in err). */
SSL_CTX *tls_ctx_new(
    const struct tls_certs *t, const struct tls_pem *pem, struct buf *err);
/* Installs the SNI callback choosing among t's certificates. */
void tls_ctx_sni(SSL_CTX *ctx, struct tls_certs *t);

/* ctl.c: the control protocol, pure functions */
enum tls_ctl_cmd {
	TLS_CTL_MORE,     /* no complete line yet */
	TLS_CTL_STARTTLS, /* reply (possibly empty) in *reply_r */
	TLS_CTL_UNKNOWN,
	TLS_CTL_TOOLONG,
};

/* Looks at the control bytes p[0..len): on a complete line sets *used_r
 * to its length (LF included).  For STARTTLS, *rep_off and *rep_len give
 * the reply to send to the client: the bytes after "STARTTLS " through
 * the LF (CRLF kept), or an empty reply for a bare "STARTTLS\n". */
enum tls_ctl_cmd tls_ctl_parse(const unsigned char *p, size_t len,
    size_t *used_r, size_t *rep_off, size_t *rep_len);
/* "OK <version> <cipher> <subject or ->\n" into out; the subject is
 * escaped (bytes < 0x21, >= 0x7f and '\\' as \xNN), so the line has
 * exactly four fields. */
int tls_ctl_ok(struct buf *out, const char *version, const char *cipher,
    const char *subject);
/* "FAIL <reason>\n", the reason escaped like the subject except that
 * spaces stay. */
int tls_ctl_fail(struct buf *out, const char *reason);

/* hs.c */
/* SSL_accept within timeout seconds: 0, or -1 with the reason in err. */
int tls_handshake(
    SSL *ssl, int rfd, int wfd, unsigned timeout, struct buf *err);
/* Sends close_notify (waits at most a second to write it). */
void tls_close_notify(SSL *ssl, int wfd);
/* The "OK ..." control answer for an established ssl into out. */
int tls_answer_ok(SSL *ssl, struct buf *out);
/* Sends one control line on sock, with descriptor fd (if >= 0). */
int tls_send_ctl(int sock, const void *p, size_t n, int fd);

/* proxy.c */
struct tls_sess;
/* Runs the session: handshake (implicit) or plaintext relay, control
 * requests, relay until both sides are done.  Returns the exit code.
 * ctx may be NULL: it is then made from certs at the first handshake. */
int tls_proxy(const struct tls_conf *c, struct tls_certs *certs, SSL_CTX *ctx,
    int to_child, int from_child, int ctl, pid_t child);

#endif
