/* start.h: quail-start's process set (send/start.c). */
#ifndef QUAIL_SEND_START_H
#define QUAIL_SEND_START_H

#include <stdbool.h>
#include <sys/types.h>

#define NWIRE 8

struct proc {
	const char *prog;              /* HOME/bin/<prog> */
	const char *user;              /* NULL: stays root */
	int src[NWIRE], dst[NWIRE], n; /* fds to give the child */
	pid_t pid;
};

/* Moves src[i] to dst[i] for all i without one move clobbering another
 * source, and closes every other descriptor above 2 that dst does not
 * name, up to 64.  0, or -1. */
int start_wire(const int *src, const int *dst, int n);
/* Forks and execs p (as p->user), its fds wired; sets p->pid. */
int start_proc(struct proc *p);
/* Sends sig to every live process of ps[0..n). */
void start_kill(struct proc *ps, int n, int sig);

#endif
