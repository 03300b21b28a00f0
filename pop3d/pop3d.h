/* pop3d.h: quail-pop3d internals (quail-pop3d(8)).
 * Two processes, each under its own uid:
 *   login.c, auth.c  quaild:nofiles: the AUTHORIZATION state (RFC 1939
 *              section 4), CAPA, STLS (through quail-tls), USER/PASS,
 *              AUTH PLAIN; each login forks the checkpassword program
 *              (quail-auth, setuid root) as qmail-popup does.
 *   session.c, commands.c, drop.c, retr.c: the mailbox owner, after
 *              the checkpassword program: TRANSACTION and UPDATE states.
 * parse.c holds the pure parsers (fuzzed by tests/fuzz/fuzz_pop3.c). */
#ifndef QUAIL_POP3D_POP3D_H
#define QUAIL_POP3D_POP3D_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "io.h"
#include "str.h"

/* ---- parse.c ---- */
enum pop3_pres {
	POP3_OK,
	POP3_SYNTAX,  /* NUL byte, empty or malformed keyword */
	POP3_TOOLONG, /* more than POP3_LINE_MAX bytes */
};

enum pop3_cmd {
	C_UNKNOWN,
	C_USER,
	C_PASS,
	C_APOP,
	C_AUTH,
	C_STLS,
	C_CAPA,
	C_QUIT,
	C_NOOP,
	C_STAT,
	C_LIST,
	C_RETR,
	C_DELE,
	C_RSET,
	C_TOP,
	C_UIDL,
	C_NCMD
};

struct pop3_line {
	enum pop3_cmd cmd;
	struct str arg; /* after the first space, CRLF removed; may be empty */
};

/* One command line p[0..len) as read (LF and CR at the end optional). */
enum pop3_pres pop3_parse(
    const unsigned char *p, size_t len, struct pop3_line *out);
/* Keyword lookup (ASCII case-insensitive); C_UNKNOWN if none. */
enum pop3_cmd pop3_cmd_lookup(const char *p, size_t len);
/* A message number: decimal digits only, no sign, 1..max.  0 or -1. */
int pop3_parse_num(struct str s, unsigned long max, unsigned long *r);
/* "msg n" of TOP: two numbers separated by one space.  0 or -1. */
int pop3_parse_top(struct str s, unsigned long *msg, unsigned long *lines);
/* RFC 4616 PLAIN: authzid NUL authcid NUL passwd.  authzid must be
 * empty or equal to authcid.  0 and slices into p, or -1. */
int pop3_sasl_plain(
    const unsigned char *p, size_t len, struct str *user, struct str *pass);
/* The UIDL of a maildir base name (the name before ":2,"): the name
 * itself when it is 1..70 bytes of 0x21..0x7e, else "Q" and 32 hex digits
 * of two FNV-1a hashes.  out must hold POP3_UIDL_MAX + 1 bytes; returns
 * the length. */
size_t pop3_uidl(const char *name, size_t len, char *out);

/* ---- commands.c: the command table ---- */
#define ST_AUTH  1 /* AUTHORIZATION */
#define ST_TRANS 2 /* TRANSACTION */

struct pop3_cmdinfo {
	const char *name;
	enum pop3_cmd cmd;
	unsigned states; /* where it is allowed */
};
extern const struct pop3_cmdinfo pop3_cmds[];

/* ---- drop.c: the maildrop ---- */
#define M_NEW  1 /* in new/ */
#define M_DELE 2 /* marked deleted */
#define M_SEEN 4 /* retrieved: gets the S flag at UPDATE */

struct pop3_msg {
	size_t name;    /* offset of the file name in pop3_drop.names */
	uint32_t len;   /* file name length */
	uint32_t base;  /* length of the unique part (before ':') */
	uint64_t size;  /* octets as sent: ,W= else ,S= else st_size */
	unsigned flags; /* M_* */
};

struct pop3_drop {
	char *dir; /* the Maildir, no trailing '/' */
	int newfd, curfd;
	struct pop3_msg *m;
	size_t n;
	struct buf names; /* NUL-ended file names */
	uint64_t total;   /* octets of all messages */
	size_t ndel;
	uint64_t delsize;
	char *lock; /* path of our lock file while held */
};

/* Locks and reads the Maildir dir.  0; -1 with errno (EBUSY: another
 * session holds the lock). */
int pop3_drop_open(struct pop3_drop *d, const char *dir);
/* Apply deletions and new/ -> cur/ moves (UPDATE state).  0, or -1 if
 * some change failed (the rest is still done). */
int pop3_drop_update(struct pop3_drop *d);
/* Removes the lock, frees memory. */
void pop3_drop_close(struct pop3_drop *d);
const char *pop3_drop_name(const struct pop3_drop *d, size_t i);
/* Opens message i for reading: fd or -1. */
int pop3_drop_openmsg(const struct pop3_drop *d, size_t i);
/* Size of a file name's ",W=" (preferred) or ",S=" tag, or false. */
bool pop3_name_size(const char *name, size_t len, uint64_t *size_r);
/* Lock file handling (separate for tests): 0, or -1 (EBUSY when held by
 * a live session). */
int pop3_lock(const char *path);

/* ---- retr.c: RFC 1939 multi-line output of a message ---- */
/* Copies fd to out with LF -> CRLF (a CR LF pair is kept), dot-stuffing
 * and the final ".\r\n".  lines < 0: whole message; else the header, the
 * blank line and the first lines body lines (TOP).  0, or -1: on a read
 * error (errno) the reply is ended anyway, so the protocol stays in
 * step; on a write error the session is over. */
int pop3_send_msg(struct io *out, int fd, long lines, bool *werr);

/* ---- session.c / commands.c: the mailbox owner's session ---- */
struct pop3_sess {
	struct io in, out;
	struct pop3_drop d;
	struct buf line;
	unsigned bad;
	bool quit;
};

/* Dispatches one parsed command in the TRANSACTION state. */
void pop3_trans(struct pop3_sess *s, const struct pop3_line *l);
/* Replies (buffered). */
void pop3_reply(struct io *out, const char *text);
_Noreturn void pop3_sess_run(void);

/* ---- login.c: the AUTHORIZATION state ---- */
/* Runs on fds 0/1 as quaild; argv: the checkpassword program and what it
 * runs.  Never returns. */
_Noreturn void pop3_login_run(char **argv);

/* ---- auth.c: one login through the checkpassword program ---- */
/* Forks argv[0] with the client on fds 0/1, "user\0pass\0stamp\0" on a
 * pipe as fd 3, POP3_OK_FD (the session writes one byte there when it
 * runs) and the unread input on a pipe as POP3_PENDING_FD.  Returns 'K'
 * (the session ran; *code_r is its exit code), 'F' (refused) or 'T'
 * (temporary failure). */
int pop3_auth(char **argv, int in, int out, const char *user, size_t ulen,
    const char *pass, size_t plen, const unsigned char *pend, size_t pendlen,
    int *code_r);
#define POP3_OK_FD      5
#define POP3_PENDING_FD 6

#endif
