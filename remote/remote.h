/* remote.h: quail-remote and quail-rspawn modules (libremote.a).
 * reply.c   SMTP reply and EHLO keyword parsers (pure; fuzzed)
 * route.c   smtproutes, tlsdestinations, relayauth
 * dns.c     MX and address lookup through libresolv
 * conn.c    a TCP connection, plain or TLS, with deadlines
 * tls.c     OpenSSL client context and handshake
 * msg.c     the message: scan (size, 8-bit) and SMTP output
 * smtp.c    one SMTP transaction on one connection
 * deliver.c the whole delivery: route, hosts, addresses, results
 * serve.c   quail-remote -s: successive messages over one session
 * rspawn.c  quail-rspawn's loop (spawn protocol, doc/ARCHITECTURE.md) */
#ifndef QUAIL_REMOTE_REMOTE_H
#define QUAIL_REMOTE_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include "buf.h"

#define REPLY_LINE_MAX  2048 /* RFC 5321 4.5.3.1.5 says 512; be lenient */
#define REPLY_LINES_MAX 200  /* lines of one multi-line reply */
#define REPLY_TEXT_MAX  1500 /* kept text of one reply (lines joined '/') */
#define RCPT_MAX        100 /* recipients per transaction (RFC 5321 4.5.3.1.8) */
#define HOSTS_MAX       16  /* MX hosts tried */
#define ADDRS_MAX       32  /* addresses tried in all */
#define RESULT_MAX      1000 /* text of one result */

/* ---- reply.c ---- */
enum rres { RP_OK, RP_MORE, RP_SYNTAX, RP_TOOLONG };

struct reply {
	unsigned code;   /* 200..599 once the first line is in */
	unsigned lines;  /* lines seen */
	struct buf text; /* "250 first/250 second", control bytes -> '_';
	                  * NUL-ended (not counted) after reply_line */
};

void reply_init(struct reply *r); /* also resets: text kept allocated */
/* Feeds one line without its CRLF.  RP_MORE: a continuation ("250-");
 * RP_OK: the last line ("250 " or "250"); RP_SYNTAX: not "[2-5]dd" +
 * ' '/'-'/end, or a code that differs from the first line's;
 * RP_TOOLONG: more than REPLY_LINES_MAX lines.  Text past
 * REPLY_TEXT_MAX is dropped, never an error. */
enum rres reply_line(struct reply *r, const char *p, size_t n);
/* The enhanced status code (RFC 3463) at the start of the reply text
 * after the basic code, when its class matches the code's first digit:
 * its length (copied to st, NUL-ended, st >= 16 bytes), else 0. */
size_t reply_enhanced(const struct reply *r, char st[16]);

struct caps {
	bool pipelining, eightbit, smtputf8, starttls, auth_plain, auth_login;
	bool size;
	unsigned long long sizemax; /* 0: no limit announced */
};

/* One EHLO reply line (including its "250-"/"250 " prefix); the first
 * line is the greeting and is skipped by the caller. */
void ehlo_line(struct caps *c, const char *p, size_t n);

/* ---- msg.c ---- */
struct msginfo {
	int fd;
	off_t start;              /* where the message starts in fd */
	unsigned long long bytes; /* as stored (LF line ends) */
	unsigned long long wire;  /* with CRLF line ends (SIZE=, RFC 1870) */
	bool eightbit;
};

/* Reads the whole message from fd's current offset: 0, or -1/errno.
 * Leaves the offset at the start. */
int msg_scan(struct msginfo *m, int fd);
/* Streaming encoder for DATA: LF -> CRLF, a '.' starting a line is
 * doubled (RFC 5321 4.5.2), CR LF in the input stays CR LF.  state
 * starts at 0 (beginning of a line).  Appends to out. */
int msg_encode(struct buf *out, const unsigned char *p, size_t n, int *state);
/* The end: CRLF if the last line lacked one, then ".\r\n". */
int msg_encode_end(struct buf *out, int state);

/* ---- route.c ---- */
struct dest {
	char host[256]; /* relay host, or "" for the MX of the domain */
	unsigned port;  /* 25 unless smtproutes said */
};

/* Looks up domain (lowercased copy) in control/smtproutes.cdb, or the
 * text control/smtproutes when there is no CDB: "dom", then ".suffix"
 * for each suffix (longest first), then "".  0 (d set; no entry: MX),
 * -1 with errno (unreadable or malformed: temporary). */
int route_dest(const char *domain, struct dest *d);
/* Parses an smtproutes value "host", "host:port", "[lit]:port", "". */
int route_value(const char *v, size_t n, struct dest *d);

enum tlspol { TLS_MAY, TLS_REQUIRE, TLS_VERIFY, TLS_NONE };

/* control/tlsdestinations: lines "key:policy", key "dom", ".suffix" or
 * "" (default), policy none|may|require|verify.  Tried for domain, then
 * for host when not empty.  TLS_MAY when no line matches; -1 on error. */
int route_tls(const char *domain, const char *host, enum tlspol *p_r);
/* control/relayauth: lines "host:user:password" (password is the rest
 * of the line).  1 found (user, pass set), 0 none, -1 error.  The file
 * content is wiped from memory after reading. */
int route_auth(const char *host, struct buf *user, struct buf *pass);
/* Matches key at line[0..n) against name by the smtproutes rules:
 * 3 exact, 2 a ".suffix" of name (longer suffix wins through the
 * caller comparing lengths), 1 the default "", 0 no. */
int route_match(const char *key, size_t klen, const char *name);

/* ---- dns.c ---- */
enum dnsres { DNS_OK, DNS_TEMP, DNS_PERM, DNS_NULLMX, DNS_NODATA };

struct mxhost {
	char name[256];
	unsigned pref;
};

/* control/dnsserver "ip" or "ip:port" (IPv4) replaces resolv.conf's
 * servers; 0, or -1 when the resolver cannot be set up. */
int dns_init(void);
/* MX records of domain sorted by preference (equal ones shuffled),
 * CNAMEs followed by the resolver.  DNS_NODATA: no MX (use the domain
 * itself, RFC 5321 5.1); DNS_NULLMX: "0 ." (RFC 7505). */
enum dnsres dns_mx(
    const char *domain, struct mxhost *mx, size_t max, size_t *n_r);
/* AAAA then A records of host (a literal "[1.2.3.4]", "[IPv6:..]" or
 * a bare IP is taken as it is) as sockaddrs with port. */
enum dnsres dns_ip(const char *host, unsigned port, struct sockaddr_storage *sa,
    size_t max, size_t *n_r);
/* Parses the answer section of a DNS message for records of type
 * (ns_t_mx, ns_t_a or ns_t_aaaa) into the arrays (whichever fits the
 * type); count of records found or -1 on a malformed message.  For MX,
 * a single record with exchange "." sets *nullmx. */
int dns_parse(const unsigned char *ans, size_t len, int type, struct mxhost *mx,
    struct sockaddr_storage *sa, size_t max, unsigned port, bool *nullmx);

/* ---- conn.c ---- */
struct conn {
	int fd;
	void *ssl; /* SSL *, NULL when plain */
	unsigned timeout;
	unsigned char in[8192];
	size_t ipos, ilen;
	struct buf out;
};

/* 0, or -1/errno (ETIMEDOUT after tconnect seconds). */
int conn_open(struct conn *c, const struct sockaddr_storage *sa,
    unsigned tconnect, unsigned timeout);
/* One line without CR LF into line (replaced): 0, or -1/errno (EPIPE at
 * EOF, EMSGSIZE for a line over max, ETIMEDOUT).  Flushes output first. */
int conn_getline(struct conn *c, struct buf *line, size_t max);
int conn_put(struct conn *c, const void *p, size_t n);
int conn_puts(struct conn *c, const char *s);
int conn_flush(struct conn *c);
void conn_close(struct conn *c);
/* Reads one reply (all lines) into r; ehlo: also parse capabilities. */
int conn_reply(struct conn *c, struct reply *r, struct caps *ehlo);
void conn_ip(const struct sockaddr_storage *sa, char *s, size_t n);

/* ---- tls.c ---- */
/* Handshake on c (after "220" to STARTTLS).  verify: check the chain
 * against control/tlsca (a PEM file) if present, else /etc/ssl/certs,
 * and the name host.  0, or -1 with the reason in why. */
int tls_start(struct conn *c, const char *host, bool verify, struct buf *why);
void tls_end(struct conn *c);

/* ---- smtp.c / deliver.c ---- */
struct result {
	char st; /* 0 undecided, 'K', 'Z', 'D' */
	struct buf text;
};

struct job {
	const char *domain, *sender;
	char **rcpt;
	size_t n;
	struct msginfo msg;
	struct result *res;
	const char *helo;
	unsigned tconnect, timeout;
	enum tlspol tls;
	struct buf user, pass; /* relay credentials, or empty */
	bool auth;
	bool keep; /* keep a clean session open for smtp_again */
};

enum sres_t { SM_DONE, SM_NEXT, SM_PLAIN };

/* One attempt on one address.  SM_DONE: every recipient has a result;
 * SM_NEXT: try the next address (why says why); SM_PLAIN: TLS failed,
 * try this address again without STARTTLS. */
enum sres_t smtp_try(struct job *j, const char *host,
    const struct sockaddr_storage *sa, bool tls_ok, struct buf *why);
/* The next transaction on the session kept by the last smtp_try or
 * smtp_again (job.keep): RSET, then as smtp_try.  0 every result set
 * (the session is kept again when it ended cleanly); -1 no session, or
 * it failed before anything was decided: results cleared, session
 * closed, the caller delivers afresh (deliver). */
int smtp_again(struct job *j);
/* true while a session is kept open */
bool smtp_live(void);
/* QUIT and close the kept session, if any. */
void smtp_close(void);
/* Sets every undecided result to st with text. */
void result_all(struct job *j, char st, const char *text, size_t len);
/* Runs the whole delivery; every result is set afterwards. */
void deliver(struct job *j);
/* true if s has a byte >= 0x80 */
bool has8(const char *s);

/* ---- serve.c ---- */
/* quail-remote -s: requests from quail-rspawn on fd 0, replies on fd 1
 * (the framing is in serve.c), j's helo, domain and timeouts set.
 * Returns the exit code: 0 at end of input or once the session is gone,
 * 111 on a malformed request or a read error. */
int serve(struct job *j);

/* ---- rspawn.c ---- */
/* The spawn protocol and quail-rspawn <-> quail-remote -s (serve.c) are
 * framed by lib/netstring.h. */
/* perdomain: live quail-remote -s workers per domain; total: in all. */
int rspawn_main(unsigned perdomain, unsigned total, unsigned long timeout);

#endif
