/* search.h: the SEARCH key tree shared by cmd_search.c (parsing) and
 * search_eval.c (matching one message). */
#ifndef QUAIL_IMAPD_SEARCH_H
#define QUAIL_IMAPD_SEARCH_H

#include "imapd.h"

enum skind {
	K_ALL,
	K_FLAG,
	K_UNFLAG,
	K_KW,
	K_UNKW,
	K_NEW,
	K_OLD,
	K_RECENT,
	K_SEQ,
	K_UID,
	K_LARGER,
	K_SMALLER,
	K_BEFORE,
	K_ON,
	K_SINCE,
	K_SENTBEFORE,
	K_SENTON,
	K_SENTSINCE,
	K_HEADER,
	K_BODY,
	K_TEXT,
	K_NOT,
	K_OR,
	K_AND,
};

struct snode {
	enum skind k;
	uint32_t bit;
	int kw;
	unsigned long long num;
	long long day;
	const char *hname, *str;
	size_t hlen, slen;
	struct seqset *set;
	struct snode *a, *b; /* NOT: a; OR: a, b; AND: a = first, b = next */
	struct snode *next;
};

/* Search strings: at most a literal's size. */
#define SEARCH_STR_MAX IMAP_LITERAL_MAX
/* Decoded bytes of one header value or body part that SEARCH looks at
 * (bounded work per message). */
#define SEARCH_PART_MAX ((size_t)1 << 20)

struct mctx {
	struct session *s;
	size_t i;
	int loaded; /* 0 none, 1 header, 2 whole; -1 failed */
};

/* true if message m->i matches n; loads the message only when a key
 * needs it. */
bool search_eval(const struct snode *n, struct mctx *m);

/* textdec.c: decoding and matching (see there).  Each appends to out
 * and stops silently at out->max; -1 only for ENOMEM. */
int dec_qp(const char *p, size_t n, bool q, struct buf *out);
int dec_base64(const char *p, size_t n, struct buf *out);
/* p[0..n) in charset cs (utf-8, us-ascii, iso-8859-1/-15, windows-1252;
 * others copied unconverted) as UTF-8. */
int dec_charset(
    const char *cs, size_t csl, const char *p, size_t n, struct buf *out);
/* A raw header value: unfolded, RFC 2047 encoded-words decoded. */
int dec_header(const char *p, size_t n, struct buf *out);
/* Simple case fold in place (ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic); UTF-8 lengths are kept. */
void text_fold(char *p, size_t n);
/* Plain substring test (memmem without _GNU_SOURCE). */
bool text_find(const char *h, size_t hl, const char *nd, size_t nl);
/* Does the case fold of p[0..n) contain nd[0..nl) (already folded,
 * nl <= SEARCH_STR_MAX)?  Any n, in constant memory. */
bool text_has(const char *p, size_t n, const char *nd, size_t nl);

/* search_text.c: BODY and TEXT over the decoded MIME tree of a whole
 * message (with its header for TEXT); one field value. */
bool search_text(
    const char *msg, size_t len, bool header, const char *nd, size_t nl);
bool search_value(const char *v, size_t vl, const char *nd, size_t nl);

#endif
