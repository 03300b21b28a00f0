/* ctl.h: the parts of quail-ctl (admin tool, runs as root, may use stdio).
 * table.c   in-memory key/value tables with duplicate detection
 * parse.c   pure validators for one line of each control source
 * source.c  reading a source file line by line with file:line errors
 * compile.c compile --check/--diff, building every table
 * rcpt.c    control/rcpt.cdb (lib/rcptdb.h) from the other tables
 * cdbio.c   writing, reading, diffing, installing and rolling back CDBs
 * show.c    show and check */
#ifndef QUAIL_CTL_CTL_H
#define QUAIL_CTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "buf.h"

#define CTL_LINE_MAX 4096 /* longest source line accepted */

/* ---- table.c ---- */
struct ent {
	char *k, *v, *src; /* k, v: klen/vlen bytes (+NUL); src: C string */
	size_t klen, vlen;
};

struct table {
	struct ent *e;
	size_t n, cap;
	size_t *slot; /* open addressing: index+1, 0 = empty */
	size_t nslot;
};

void table_init(struct table *t);
void table_free(struct table *t);
/* Adds k -> v.  Returns NULL when added, or the existing entry when k is
 * already present (nothing added).  Dies (111) on ENOMEM. */
const struct ent *table_put(struct table *t, const char *k, size_t klen,
    const char *v, size_t vlen, const char *src);
const struct ent *table_get(const struct table *t, const char *k, size_t klen);
void table_sort(struct table *t); /* by key, bytewise */

/* ---- parse.c: one line (without LF) of each source ---- */
struct parsed {
	struct buf key, val; /* key lowercased; val NUL-separated fields */
	const char *home;    /* for mailbox maildirs */
};

typedef const char *(*parse_fn)(const char *l, size_t n, struct parsed *p);
/* Each returns NULL when the line is valid (key/val filled), else a short
 * description of what is wrong. */
const char *parse_rcpthost(const char *l, size_t n, struct parsed *p);
const char *parse_local(const char *l, size_t n, struct parsed *p);
const char *parse_virtualdomain(const char *l, size_t n, struct parsed *p);
const char *parse_smtproute(const char *l, size_t n, struct parsed *p);
const char *parse_badaddr(const char *l, size_t n, struct parsed *p);
const char *parse_alias(const char *l, size_t n, struct parsed *p);
const char *parse_mailbox(const char *l, size_t n, struct parsed *p);
const char *parse_assign(const char *l, size_t n, struct parsed *p);
/* helpers shared with rcpt.c and the tests */
bool ctl_domain_ok(const char *d, size_t n);
bool ctl_local_ok(const char *s, size_t n);
bool ctl_address_ok(const char *s, size_t n);
bool ctl_hash_ok(const char *s, size_t n);
/* "123", "10K", "5M", "1G" -> bytes; -1 on syntax or overflow */
int ctl_quota(const char *s, size_t n, unsigned long long *r);

/* ---- source.c ---- */
struct source {
	FILE *f;
	const char *name; /* "control/locals" */
	unsigned long line;
	bool list; /* skip '#' comments and blank lines */
	char *buf;
	size_t cap;
	int errors;
};

/* 1 opened, 0 missing, -1 error (message printed). */
int source_open(struct source *s, const char *name, bool list);
/* Next line in *l_r, length *n_r: 1, 0 at EOF, -1 on a read error (printed).
 * Lines with NUL, CR or over CTL_LINE_MAX are reported and skipped. */
int source_next(struct source *s, const char **l_r, size_t *n_r);
void source_close(struct source *s);
/* Prints "name:line: what" to stderr and counts it. */
void source_err(struct source *s, const char *what);
/* The source location "name:line" in fresh memory. */
char *source_where(const struct source *s);

/* ---- the compiled files ---- */
enum cdbid {
	C_RCPTHOSTS,
	C_LOCALS,
	C_VIRTUALDOMAINS,
	C_SMTPROUTES,
	C_BADMAILFROM,
	C_BADRCPTTO,
	C_MAILBOXES,
	C_ALIASES,
	C_ASSIGN,
	C_RCPT,
	C_NCDB
};

struct cdbfile {
	const char *name;    /* relative to home: "control/rcpthosts.cdb" */
	unsigned mode;       /* file mode */
	const char *sources; /* space-separated source names for staleness */
};

extern const struct cdbfile ctl_cdbs[C_NCDB];

struct compile {
	struct table t[C_NCDB];
	int errors;
};

/* ---- compile.c ---- */
/* Reads and validates every source into c->t (rcpt too).  Returns the
 * number of errors (each printed), or -1 on a system error. */
int compile_build(struct compile *c, const char *home);
void compile_free(struct compile *c);
int cmd_compile(const char *home, int argc, char **argv);

/* ---- rcpt.c ---- */
/* Fills c->t[C_RCPT] from the other tables, the password database and
 * HOME/alias/.qmail-*.  0 or -1 (printed). */
int rcpt_build(struct compile *c, const char *home);
/* For the tests: keys a .qmail-NAME file gives, ext prefix "pre" (with
 * its trailing '-', or ""), key prefix kp, domain dom.  Appends the key
 * into out (replacing it); returns false when the file gives none. */
bool rcpt_dotqmail_key(const char *name, const char *pre, const char *kp,
    const char *dom, struct buf *out);

/* ---- cdbio.c ---- */
/* Writes t (sorted) as a CDB to path with mode.  0 or -1 (errno). */
int cdb_write_table(const char *path, struct table *t, unsigned mode);
/* Loads a CDB into t: 1 loaded, 0 missing, -1 error (errno). */
int cdb_load_table(const char *path, struct table *t);

struct diffcount {
	size_t added, removed, changed;
	bool created; /* there was no current file */
};

/* Compares old and new; if out is not NULL prints "+key", "-key",
 * "~key" lines prefixed by label. */
void cdb_diff(const struct table *old, const struct table *new,
    struct diffcount *d, FILE *out, const char *label);
/* Byte comparison of two files: 1 same, 0 different or missing. */
int file_same(const char *a, const char *b);
/* Keep cur as cur.prev (link), rename tmp over cur, sync the dir. */
int cdb_install(const char *cur, const char *tmp);
int cdb_drop_prev(const char *cur);
int cmd_rollback(const char *home, int argc, char **argv);
/* Full path home/rel in fresh memory. */
char *ctl_path(const char *home, const char *rel);
void *ctl_alloc(size_t n);
char *ctl_strdup(const char *s);
_Noreturn void ctl_nomem(void);

/* ---- show.c ---- */
int cmd_show(const char *home, int argc, char **argv);
int cmd_check(const char *home, int argc, char **argv);

#endif
