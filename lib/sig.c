/* sig.c: signal dispositions and masks through sigaction/sigprocmask.
 * Handlers run with their own signal blocked and without SA_RESTART
 * unless asked, so a blocking read or poll returns EINTR and the caller's
 * loop sees the flag the handler set.  0, or -1 with errno (EINVAL). */
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "sig.h"

static int
sig_set(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

int
sig_catch(int sig, void (*handler)(int), bool restart)
{
	return sig_set(sig, handler, restart ? SA_RESTART : 0);
}

int
sig_ignore(int sig)
{
	return sig_set(sig, SIG_IGN, 0);
}

int
sig_default(int sig)
{
	return sig_set(sig, SIG_DFL, 0);
}

static int
sig_mask(int how, int sig)
{
	sigset_t ss;

	sigemptyset(&ss);
	if (sigaddset(&ss, sig) < 0)
		return -1;
	return sigprocmask(how, &ss, NULL);
}

int
sig_block(int sig)
{
	return sig_mask(SIG_BLOCK, sig);
}

int
sig_unblock(int sig)
{
	return sig_mask(SIG_UNBLOCK, sig);
}
