/* certs.c: certificates and keys for quail-tls.
 * tls_certs_read runs as root, before quail-tls drops to quailt and
 * before any byte from the client is read: it only copies files into
 * memory (bounded).  Parsing happens later, as quailt, for the default
 * certificate and for the one certificate a client's SNI selects.
 * Files: -c FILE or HOME/ssl/servercert.pem, else
 * HOME/control/servercert.pem (qmail's place); -d DIR or HOME/ssl/ with
 * NAME.pem per server name; control/tlsciphers, control/tlsciphersuites,
 * control/clientca.pem.  Each PEM file holds the certificate, its chain,
 * then the private key. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "auto.h"
#include "control.h"
#include "die.h"
#include "file.h"
#include "fmt.h"
#include "str.h"
#include "tls.h"

/* Mozilla "intermediate" in spirit: forward secrecy and AEAD only. */
#define DEF_CIPHERS                                                            \
	"ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!SHA1:"    \
	"!SHA256:!SHA384"
#define DEF_SUITES                                                             \
	"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"                 \
	"TLS_AES_128_GCM_SHA256"

/* 1 read, 0 missing, -1 error (errno). */
static int
read_file(struct buf *b, const char *path)
{
	return file_read(b, path, TLS_PEM_MAX);
}

static int
read_default(struct tls_certs *t, const struct tls_conf *c)
{
	struct buf path = BUF_INIT(4096);
	int r;

	if (c->certfile) {
		if ((r = read_file(&t->def.pem, c->certfile)) <= 0)
			die_sys(111, "unable to read %s", c->certfile);
		return 0;
	}
	if (buf_printf(&path, "%s/ssl/servercert.pem", auto_home) < 0 ||
	    buf_cstr(&path) < 0)
		die_nomem();
	r = read_file(&t->def.pem, (const char *)path.p);
	if (r == 0) {
		buf_reset(&path);
		if (buf_printf(&path, "%s/control/servercert.pem", auto_home) <
		        0 ||
		    buf_cstr(&path) < 0)
			die_nomem();
		r = read_file(&t->def.pem, (const char *)path.p);
	}
	if (r <= 0)
		die_sys(111, "unable to read %s", (const char *)path.p);
	buf_free(&path);
	return 0;
}

/* One directory entry: NAME.pem with a valid lowercase server name. */
static void
read_sni(struct tls_certs *t, const char *dir, const char *ent)
{
	size_t n = strlen(ent);
	struct buf path = BUF_INIT(4096);
	struct tls_pem *p;

	if (n < 5 || strcmp(ent + n - 4, ".pem") != 0 ||
	    !tls_name_ok(ent, n - 4) || t->n >= TLS_SNI_MAX)
		return;
	p = &t->sni[t->n];
	memcpy(p->name, ent, n - 4);
	p->name[n - 4] = '\0';
	buf_init(&p->pem, TLS_PEM_MAX + 1);
	if (buf_printf(&path, "%s/%s", dir, ent) < 0 || buf_cstr(&path) < 0)
		die_nomem();
	if (read_file(&p->pem, (const char *)path.p) <= 0) {
		log_warn("unable to read %s: %s", (const char *)path.p,
		    strerror(errno));
		buf_free(&p->pem);
	} else {
		t->n++;
	}
	buf_free(&path);
}

static void
read_dir(struct tls_certs *t, const struct tls_conf *c)
{
	struct buf dpath = BUF_INIT(4096);
	const char *dir = c->certdir;
	struct dirent *d;
	DIR *dp;

	if (dir == NULL) {
		if (buf_printf(&dpath, "%s/ssl", auto_home) < 0 ||
		    buf_cstr(&dpath) < 0)
			die_nomem();
		dir = (const char *)dpath.p;
	}
	t->sni = calloc(TLS_SNI_MAX, sizeof *t->sni);
	if (t->sni == NULL)
		die_nomem();
	if ((dp = opendir(dir)) == NULL) {
		if (errno != ENOENT || c->certdir)
			die_sys(111, "unable to open %s", dir);
		buf_free(&dpath);
		return;
	}
	while ((d = readdir(dp)) != NULL)
		read_sni(t, dir, d->d_name);
	closedir(dp);
	buf_free(&dpath);
}

int
tls_certs_read(struct tls_certs *t, const struct tls_conf *c)
{
	memset(t, 0, sizeof *t);
	buf_init(&t->def.pem, TLS_PEM_MAX + 1);
	buf_init(&t->ciphers, 4096);
	buf_init(&t->suites, 4096);
	buf_init(&t->ca, TLS_PEM_MAX + 1);
	read_default(t, c);
	read_dir(t, c);
	if (control_readline(&t->ciphers, "tlsciphers", DEF_CIPHERS) < 0)
		die_sys(111, "unable to read control/tlsciphers");
	if (control_readline(&t->suites, "tlsciphersuites", DEF_SUITES) < 0)
		die_sys(111, "unable to read control/tlsciphersuites");
	switch (control_readfile(&t->ca, "clientca.pem", TLS_PEM_MAX)) {
	case -1:
		die_sys(111, "unable to read control/clientca.pem");
	case 1:
		t->clientca = t->ca.len > 0;
		break;
	default:
		break;
	}
	return 0;
}

void
tls_certs_free(struct tls_certs *t)
{
	size_t i;

	buf_free(&t->def.pem); /* buf_free wipes the contents */
	for (i = 0; t->sni && i < t->n; i++)
		buf_free(&t->sni[i].pem);
	free(t->sni);
	t->sni = NULL;
	buf_free(&t->ca);
	buf_free(&t->ciphers);
	buf_free(&t->suites);
}
