/* sendd.h: quail-send's state, shared by its files (one struct, STYLE.md).
 * queue.c: the message table, loading from the queue, todo and scans.
 * deliver.c: the lanes, dispatch to the spawns, results.
 * bounce.c: bounces and cleanup.  sendd.c: control, signals, the loop. */
#ifndef QUAIL_SEND_SENDD_H
#define QUAIL_SEND_SENDD_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "qid.h"
#include "route.h"
#include "send.h"

enum { CH_LOCAL, CH_REMOTE, NCHAN };

enum { W_NONE, W_FRESH, W_RETRY };

struct rcpt {
	char *addr;  /* as in the envelope */
	char *local; /* L for quail-lspawn; NULL when remote */
	char *text;  /* last result, NULL if none */
	unsigned attempts, gen;
	unsigned long long next, last;
	unsigned char state, chan, where;
	bool inflight;
};

struct msg {
	struct msg *hnext, *prev, *next;
	char id[QID_MAX];
	unsigned split;
	char *sender;
	unsigned long long arrival, offset;
	size_t n;
	struct rcpt *r;
	unsigned inflight, refs;    /* deliveries running; lane/timer entries */
	size_t info_len, info_base; /* info file: now, after the last rewrite */
	bool held, deleted, cleaning, dead;
};

/* The fresh lane: a FIFO of first attempts. */
struct lane {
	struct job *j;
	size_t head, n, cap;
};

struct slot {
	struct msg *m;
	size_t idx;
	unsigned long long no; /* delivery number, for the log */
};

struct chan {
	const char *name;
	int wfd, rfd;
	bool up;
	unsigned conc, busy, skip, favour;
	struct slot slots[SLOTS_MAX];
	unsigned freeslot[SLOTS_MAX], nfree;
	struct lane fresh;
	struct heap retry;
	struct buf out, in;
};

#define HASH_SIZE 65536

struct sendd {
	struct chan ch[NCHAN];
	int cleanw, cleanr;
	struct buf cout, cin;
	int trigger, trigger_w, sigr, sigw;
	struct msg *hash[HASH_SIZE], *all;
	size_t nmsg;
	struct heap later; /* settle retries (bounce, clean) */
	struct route rt;
	struct buf me, dbto, held, envb;
	unsigned long long lifetime, now, delivery_no, next_scan;
	bool todo_again, stopping, term;
	int scan_nn, scan_phase; /* scan position; scan_nn < 0: idle */
	DIR *scan_dir;
};

/* queue.c */
struct msg *msg_find(struct sendd *s, const char *id);
void msg_load(struct sendd *s, const char *id, bool from_todo);
void msg_free(struct sendd *s, struct msg *m);
void msg_unref(struct sendd *s, struct msg *m);
void queue_todo(struct sendd *s);
void queue_scan_start(struct sendd *s);
void queue_scan_step(struct sendd *s);
void queue_hold(struct sendd *s);
bool queue_is_held(struct sendd *s, const char *id);

/* deliver.c */
void lane_queue(struct sendd *s, struct msg *m, size_t i, bool fresh,
    unsigned long long due);
void deliver_requeue_all(struct sendd *s, struct msg *only);
void deliver_dispatch(struct sendd *s);
int deliver_replies(struct sendd *s, int c); /* -1: spawn gone */
void deliver_lost(struct sendd *s, int c);
void info_append(
    struct sendd *s, struct msg *m, size_t from, size_t to, unsigned char only);
long deliver_timeout(struct sendd *s);
void rcpt_result(struct sendd *s, struct msg *m, size_t i, char st,
    const char *text, size_t tlen);

/* sendd.c */
void sendd_init(struct sendd *s);
void sendd_control(struct sendd *s);
void sendd_run(struct sendd *s);
void sendd_stop(struct sendd *s);

/* bounce.c */
void msg_settle(struct sendd *s, struct msg *m);
void later_run(struct sendd *s);
void clean_replies(struct sendd *s);

#endif
