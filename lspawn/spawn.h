/* spawn.h: quail-lspawn's in-flight deliveries (spawn.c, slot.c). */
#ifndef QUAIL_LSPAWN_SPAWN_H
#define QUAIL_LSPAWN_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>
#include "lspawn.h"

struct slot {
	bool busy, killed;
	pid_t pid;
	int out;    /* the child's report pipe, -1 when closed */
	int status; /* wait status */
	int forced; /* nonzero: answer with this code, no child */
	time_t deadline;
	char text[TEXT_MAX];
	size_t tlen;
	char id[40];
	char rcpt[256]; /* for the log line (truncated) */
};

struct spawn {
	const char *home;
	unsigned timeout;
	struct slot *slots; /* SLOTS_MAX */
	size_t nbusy;
	bool eof, bad, wfail;
	int wake;
	unsigned char in[NS_REQ_MAX + 32];
	size_t inlen;
};

int spawn_init(struct spawn *sp, const char *home, unsigned timeout);
/* Runs until EOF (or SIGTERM) and every delivery answered: exit code. */
int spawn_loop(struct spawn *sp);

void slot_note(struct slot *s, const char *id, const char *rcpt);
void slot_text(struct slot *s, const char *t);
/* Reads what the child wrote; final: until EOF or EAGAIN, then close. */
void slot_drain(struct slot *s, bool final);
void slot_reply(struct spawn *sp, size_t i);
int sig_catch_all(void (*handler)(int));

#endif
