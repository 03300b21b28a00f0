/* sig.h: signal helpers.  Handlers are installed with sigaction, no
 * SA_RESTART unless asked, so blocking calls return EINTR. */
#ifndef QUAIL_LIB_SIG_H
#define QUAIL_LIB_SIG_H

#include <stdbool.h>

int sig_catch(int sig, void (*handler)(int), bool restart);
int sig_ignore(int sig);
int sig_default(int sig);
int sig_block(int sig);
int sig_unblock(int sig);

#endif
