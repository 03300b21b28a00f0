/* proc.h: fork/exec/pipe/wait helpers and privilege drops. */
#ifndef QUAIL_LIB_PROC_H
#define QUAIL_LIB_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* Close-on-exec pipe: 0 or -1. */
int proc_pipe(int fd[2]);
/* Move fd to want (dup2 + close), clearing close-on-exec on want. */
int proc_move(int fd, int want);
/* waitpid retrying on EINTR; returns pid or -1; *status_r set. */
pid_t proc_wait(pid_t pid, int *status_r);
/* Exit code of a child in the 0/100/111 convention: the exit status if it
 * exited, 111 if it crashed or was killed (a retry loses nothing). */
int proc_exitcode(int status);
/* Drop to user name's uid, its primary gid and its groups (initgroups).
 * Refuses (-1, EPERM) to end as uid 0.  0 on success. */
int proc_become(const char *user);
/* Same with explicit ids; groups set to just gid. */
int proc_setids(uid_t uid, gid_t gid);
int proc_nonblock(int fd, bool on);
int proc_cloexec(int fd, bool on);

#endif
