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

struct mctx {
	struct session *s;
	size_t i;
	int loaded; /* 0 none, 1 header, 2 whole; -1 failed */
};

/* true if message m->i matches n; loads the message only when a key
 * needs it. */
bool search_eval(const struct snode *n, struct mctx *m);

#endif
