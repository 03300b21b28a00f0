/* imapd.h: quail-imapd internals (quail-imapd(8)).  One struct session
 * per process holds all state; handlers get it through struct imap_cmd.
 * Trust: everything in struct imap_arg came from the network. */
#ifndef QUAIL_IMAPD_IMAPD_H
#define QUAIL_IMAPD_IMAPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "buf.h"
#include "io.h"
#include "limits.h"

/* ---- parse.c: command line with literals -> argument tree ---- */
enum arg_type {
	ARG_ATOM,    /* atom, may hold [...] and <...> (BODY[1.2]<0.10>) */
	ARG_STRING,  /* quoted string or literal */
	ARG_LITERAL, /* a literal (also a string) */
	ARG_NIL,
	ARG_LIST,
};

struct imap_arg {
	enum arg_type type;
	const char *p; /* bytes, not NUL-terminated (lists: NULL) */
	size_t len;
	struct imap_arg *list; /* ARG_LIST: children */
	size_t n;
};

enum pres {
	P_OK,
	P_MORE,
	P_SYNTAX,
	P_TOOLONG,
};

/* Arena for the argument tree of one command. */
struct arg_arena {
	struct imap_arg a[IMAP_ARGS_MAX];
	size_t used;
};

/* Parses "tag SP name [SP args] CRLF" where literals "{n}CRLF<n bytes>"
 * appear inline.  tag and name point into p.  Quoted strings are
 * unescaped in place (p is modified).  P_MORE: the input ends inside a
 * literal or without CRLF. */
enum pres parse_command(unsigned char *p, size_t len, struct arg_arena *ar,
    struct imap_arg **tag_r, struct imap_arg **name_r, struct imap_arg **args_r,
    size_t *nargs_r);
/* Parses just a list of arguments up to the end of the input. */
enum pres parse_args(unsigned char *p, size_t len, struct arg_arena *ar,
    struct imap_arg **args_r, size_t *n_r);
/* If a line (ending at LF) ends with a literal announcement, returns true
 * with the size in *n_r and whether it is non-synchronising ({n+}). */
bool parse_literal_tail(const unsigned char *line, size_t len,
    unsigned long long *n_r, bool *plus_r);
bool arg_is_astring(const struct imap_arg *a);
bool arg_eq(const struct imap_arg *a, const char *s); /* case-insensitive */
/* Copy an astring into out as a C string (no NUL allowed inside). */
int arg_cstr(const struct imap_arg *a, struct buf *out);

/* ---- seqset.c ---- */
struct seqrange {
	uint32_t lo, hi; /* inclusive, lo <= hi */
};

struct seqset {
	struct seqrange r[IMAP_SEQ_RANGES];
	size_t n;
};

/* "1:3,5,*" with star standing for max; -1 on syntax error or when
 * a number is 0. */
int seqset_parse(const char *p, size_t len, uint32_t star, struct seqset *s);
bool seqset_has(const struct seqset *s, uint32_t v);

/* ---- store.c: one Maildir folder ---- */
#define FL_SEEN      0x01u
#define FL_ANSWERED  0x02u
#define FL_FLAGGED   0x04u
#define FL_DELETED   0x08u
#define FL_DRAFT     0x10u
#define FL_RECENT    0x20u /* session only */
#define FL_FORWARDED 0x40u /* maildir 'P' ($Forwarded) */
#define KW_MAX       26    /* keywords are letters a..z in the name */

/* One message of the session's view: 56 bytes plus its name, the only
 * allocation per message (the base name is the name's part after "cur/"
 * or "new/", blen bytes, so it is not stored twice). */
struct msg {
	uint32_t uid;
	uint32_t flags;
	uint32_t kw; /* bit i: keyword i of the folder's keyword table */
	/* offsets of this message's records in the folder's cache (cache.c;
	 * 0: none), indexed by CACHE_HDR, CACHE_ENV, CACHE_BS */
	uint32_t crec[3];
	uint16_t blen; /* length of the unique name up to ':' */
	bool gone;     /* vanished from disk since last sync */
	char *name;    /* current "new/x" or "cur/x:2,FL" (owned) */
	uint64_t size; /* with CRLF (RFC822.SIZE); 0 until known */
	time_t idate;  /* internal date; 0 until known */
};

/* The unique name of m: MSG_BASE(m)[0..m->blen), not NUL-terminated. */
#define MSG_BASE(m) ((const char *)(m)->name + 4)

struct folder {
	char *path;  /* directory of the folder */
	char *iname; /* IMAP name */
	bool rdonly;
	uint32_t uidvalidity, uidnext;
	struct msg *m;
	size_t n, cap;
	char *kwname[KW_MAX]; /* keyword table (dovecot-keywords) */
	size_t nkw;
	struct timespec newm, curm; /* mtimes seen at the last sync */
	struct buf cache;           /* cache.c: quail-cache contents */
	int cachefd;                /* -1: no cache */
	bool cacheopen;
	uint32_t recent;
};

/* store.c: one directory scan, UIDs assigned (ascending uid) */
struct disk_ent {
	char *base; /* in the scan's arena */
	char *name; /* "cur/..." or "new/..." (owned: taken or freed) */
	uint32_t flags, kw, uid;
	bool isnew;
};

struct scan {
	struct disk_ent *e;
	size_t n, cap;
	char **blk; /* arena of base names, freed by scan_free */
	size_t nblk, used;
};

int folder_scan_assign(struct folder *f, bool takenew, struct scan *sc);
/* Frees the entries and the arena (not the names). */
void scan_free(struct scan *sc);

struct sync_report {
	/* filled by folder_sync: sequence numbers to report */
	uint32_t *expunged; /* descending order */
	size_t nexp;
	uint32_t *changed; /* indexes (after expunges) with new flags */
	size_t nchg;
	bool exists_changed;
};

int folder_open(
    struct folder *f, const char *path, const char *iname, bool rdonly);
void folder_close(struct folder *f);
/* Rescan the folder; new messages get UIDs (uid list updated under the
 * lock).  take_new: move new/ to cur/ and mark \Recent.  r may be NULL
 * (no reporting).  0 or -1/errno. */
int folder_sync(struct folder *f, bool take_new, struct sync_report *r);
void sync_report_free(struct sync_report *r);
/* Set flags of message i (renames the file).  0, or -1 (ENOENT: gone). */
int folder_setflags(struct folder *f, size_t i, uint32_t flags, uint32_t kw);
/* Size with CRLF and internal date (stat or read when not in the name) */
int folder_msgsize(struct folder *f, size_t i);
int folder_msgdate(struct folder *f, size_t i);
/* Keyword index for name, adding it when add is true; -1 when absent or
 * the table is full. */
int folder_keyword(struct folder *f, const char *name, size_t len, bool add);
/* "S", "RS" ... the info letters of flags+kw, sorted as the spec says. */
void flags_info(uint32_t flags, uint32_t kw, char *out);
/* Open the file of message i (follows a rename by another session). */
int folder_openmsg(struct folder *f, size_t i);
/* Status numbers of a folder without selecting it. */
int folder_status(const char *path, uint32_t *msgs, uint32_t *recent,
    uint32_t *unseen, uint32_t *uidnext, uint32_t *uidvalidity);
/* Deliver data (CRLF or LF) into the folder at path: cur/ with flags,
 * mtime idate (0 = now).  The UID it got into *uid_r (0 if unknown). */
int folder_append(const char *path, const unsigned char *p, size_t len,
    uint32_t flags, uint32_t kw, time_t idate, char *base_r, size_t baselen);
/* Look up the UID of a base name after a sync (0 if absent). */
uint32_t folder_uid_of(const struct folder *f, const char *base);
/* Expunge messages with \Deleted (uids in set only, when set != NULL). */
int folder_expunge(
    struct folder *f, const struct seqset *uidset, struct sync_report *r);
int folder_lock(const char *path);

/* ---- cache.c: the disposable per-folder cache ---- */
#define CACHE_HDR   0 /* header block, CRLF */
#define CACHE_ENV   1 /* ENVELOPE list */
#define CACHE_BS    2 /* BODYSTRUCTURE list */
#define CACHE_KINDS 3
void cache_open(struct folder *f);
void cache_close(struct folder *f);
/* The record of kind for message i: pointer into f's cache (valid until
 * the next cache_put or cache_close). */
bool cache_get(
    const struct folder *f, size_t i, int kind, const char **p, size_t *n);
/* Adds a record (silently not when too big, the cache is full or off). */
void cache_put(struct folder *f, size_t i, int kind, const void *p, size_t n);
bool cache_header(const struct folder *f, size_t i, const char **p, size_t *n);
void cache_add(struct folder *f, size_t i, const void *hdr, size_t n);

/* ---- mailbox.c: names, list, create/delete/rename, subscriptions ---- */
/* IMAP name -> folder path under root; NULL when the name is invalid. */
int mbox_path(const char *root, const char *name, struct buf *out);
bool mbox_name_ok(const char *name);
/* Also valid modified UTF-7 without wildcards: for CREATE and RENAME. */
bool mbox_newname_ok(const char *name);

/* ---- the session ---- */
enum imap_state {
	S_NOTAUTH,
	S_AUTH,
	S_SELECTED,
	S_LOGOUT,
};

struct msgcache {
	size_t idx; /* message index, or SIZE_MAX */
	uint32_t uid;
	struct buf data; /* the message with CRLF line ends */
	bool whole;      /* data holds the whole message, not only header */
};

struct session {
	enum imap_state state;
	struct io in, out;
	unsigned char inmem[IO_BUFSIZE], outmem[65536];
	struct buf cmd; /* the current command with literals */
	struct buf scratch;
	char *root;        /* the Maildir */
	bool tls;          /* connection is under TLS */
	bool session_mode; /* post-auth process */
	bool requiretls;   /* control/imapdrequiretls */
	bool utf8, idle_ok;
	int ctlfd;  /* pre-auth: socket to the privileged parent */
	int tlsfd;  /* quail-tls control descriptor (STARTTLS), or -1 */
	int logins; /* failed logins */
	struct folder *sel;
	struct folder selmem;
	struct msgcache mc;
	unsigned long long maxmsg;
	struct arg_arena arena;
};

enum cmd_res {
	CMD_DONE,
	CMD_BAD,
	CMD_NO,
	CMD_QUIT,
	CMD_NONE, /* the handler's reply was sent otherwise (STARTTLS) */
};

struct imap_cmd {
	struct session *s;
	const char *tag;
	const char *name;
	struct imap_arg *args;
	size_t n;
	bool uid;
	const char *resp; /* text for OK/NO/BAD (NULL: default) */
	char code[4096];  /* response code "[...]" (empty: none) */
};

typedef enum cmd_res (*cmd_fn)(struct imap_cmd *c);

#define REQ_NOTAUTH  0x01u /* allowed before login */
#define REQ_AUTH     0x02u
#define REQ_SELECTED 0x04u
#define UID_OK       0x08u
#define BREAKS_SEQ   0x10u /* no EXPUNGE during this command */
#define ANY_STATE    (REQ_NOTAUTH | REQ_AUTH | REQ_SELECTED)

struct cmd_def {
	const char *name;
	cmd_fn fn;
	unsigned flags;
};

const struct cmd_def *cmd_find(const char *name, size_t len, bool uid);

/* session.c */
void session_loop(struct session *s);
void session_init(struct session *s, int infd, int outfd);
/* Report untagged updates of the selected folder. */
void session_sync(struct session *s, bool expunge_ok);
void session_report(struct session *s, struct sync_report *r);
/* Read n literal bytes after "+ " prompts etc.: used by IDLE */
int session_readline(struct session *s, struct buf *line);
const char *capability_string(const struct session *s);

/* reply.c: all output */
int reply(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int reply_raw(struct session *s, const void *p, size_t n);
/* astring as quoted string or literal; NIL for NULL */
int reply_string(struct session *s, const void *p, size_t n);
int reply_nstring(struct session *s, const void *p, size_t n, bool nil);
int reply_literal(struct session *s, const void *p, size_t n);
void buf_string(struct buf *b, const void *p, size_t n);
void buf_nstring(struct buf *b, const void *p, size_t n);
int reply_flush(struct session *s);
void reply_flags(
    struct buf *b, const struct folder *f, uint32_t fl, uint32_t kw);
_Noreturn void reply_bye(struct session *s, const char *text);

/* date.c */
time_t imap_parse_date(const char *p, size_t len, bool with_time);
void imap_fmt_date(struct buf *b, time_t t); /* "dd-Mon-yyyy hh:mm:ss +0000" */
time_t rfc822_parse_date(const char *p, size_t len);

/* msgload (cmd_fetch.c): message i into s->mc; header only when !whole */
int msg_load(struct session *s, size_t i, bool whole);

/* handlers */
enum cmd_res cmd_capability(struct imap_cmd *c);
enum cmd_res cmd_noop(struct imap_cmd *c);
enum cmd_res cmd_logout(struct imap_cmd *c);
enum cmd_res cmd_login(struct imap_cmd *c);
enum cmd_res cmd_authenticate(struct imap_cmd *c);
enum cmd_res cmd_starttls(struct imap_cmd *c);
enum cmd_res cmd_id(struct imap_cmd *c);
enum cmd_res cmd_enable(struct imap_cmd *c);
enum cmd_res cmd_namespace(struct imap_cmd *c);
enum cmd_res cmd_select(struct imap_cmd *c);
enum cmd_res cmd_close(struct imap_cmd *c);
enum cmd_res cmd_unselect(struct imap_cmd *c);
enum cmd_res cmd_check(struct imap_cmd *c);
enum cmd_res cmd_expunge(struct imap_cmd *c);
enum cmd_res cmd_create(struct imap_cmd *c);
enum cmd_res cmd_delete(struct imap_cmd *c);
enum cmd_res cmd_rename(struct imap_cmd *c);
enum cmd_res cmd_subscribe(struct imap_cmd *c);
enum cmd_res cmd_unsubscribe(struct imap_cmd *c);
enum cmd_res cmd_list(struct imap_cmd *c);
enum cmd_res cmd_lsub(struct imap_cmd *c);
enum cmd_res cmd_status(struct imap_cmd *c);
enum cmd_res cmd_append(struct imap_cmd *c);
enum cmd_res cmd_fetch(struct imap_cmd *c);
enum cmd_res cmd_store(struct imap_cmd *c);
enum cmd_res cmd_search(struct imap_cmd *c);
enum cmd_res cmd_copy(struct imap_cmd *c);
enum cmd_res cmd_move(struct imap_cmd *c);
enum cmd_res cmd_idle(struct imap_cmd *c);
enum cmd_res cmd_getquota(struct imap_cmd *c);
enum cmd_res cmd_getquotaroot(struct imap_cmd *c);

/* helpers shared by handlers */
/* Flag list -> bits; keywords are added to f's table (f NULL: keywords
 * ignored).  0; -1 on a bad flag; -2 when f's keyword table is full. */
int flags_parse(struct folder *f, const struct imap_arg *a, size_t n,
    uint32_t *fl_r, uint32_t *kw_r);
/* NO [LIMIT] for a full keyword table (RFC 5530). */
enum cmd_res limit_keywords(struct imap_cmd *c);
/* Resolve a sequence set (UID or seq) to message indexes. */
int cmd_msgset(struct imap_cmd *c, const struct imap_arg *a, bool uid,
    size_t **idx_r, size_t *n_r);
/* Path of an IMAP mailbox name argument; sets c->resp on error. */
int cmd_mbox_arg(struct imap_cmd *c, const struct imap_arg *a, struct buf *name,
    struct buf *path);

#endif
