/* quail-inject: complete a message's header and queue it.
 * Runs as: the caller (not privileged).
 * fds: 0 the message; 1 only with -n (the completed message); 2 errors.
 * Reads: HOME/control/{me,defaulthost,defaultdomain,plusdomain,idhost},
 *   the environment (QMAILUSER, QMAILHOST, QMAILNAME, QMAILSUSER,
 *   QMAILSHOST and their fallbacks; quail-inject.8).
 * Peers: runs HOME/bin/quail-queue (message on its fd 0, envelope fd 1).
 * Exits: 0 queued; 100 permanent (usage, bad address, queue says 11-40);
 *   111 temporary (anything else: a retry loses nothing).
 * Trust: the caller's own input, passed to the setuid quail-queue which
 *   checks it again. */
#include <signal.h>
#include <string.h>

#include "die.h"
#include "exitcode.h"
#include "inj_run.h"
#include "sig.h"

#define USAGE                                                                  \
	"usage: quail-inject [-ahtdn] [-f sender] [-F name] [--] [rcpt ...]"

/* Option letters that take a value: in the same word or the next one. */
static char *
value(char **argv, int *i, size_t j)
{
	if (argv[*i][j + 1])
		return argv[*i] + j + 1;
	if (!argv[*i + 1])
		die(EXIT_PERM, "option -%c needs a value; %s", argv[*i][j],
		    USAGE);
	return argv[++*i];
}

static int
options(int argc, char **argv, struct inj_opts *o)
{
	int i;
	size_t j;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		for (j = 1; argv[i][j]; j++) {
			switch (argv[i][j]) {
			case 'f':
				o->sender = value(argv, &i, j);
				break;
			case 'F':
				o->name = value(argv, &i, j);
				break;
			case 'a':
				o->mode = INJ_RCPT_ARGS;
				continue;
			case 'h':
				o->mode = INJ_RCPT_HDRS;
				continue;
			case 't':
				o->mode = INJ_RCPT_BOTH;
				continue;
			case 'd':
				o->dot = true;
				continue;
			case 'n':
				o->print = true;
				continue;
			default:
				die(EXIT_PERM, "unknown option -%c; %s",
				    argv[i][j], USAGE);
			}
			break; /* the value used the rest of the word */
		}
	}
	return i;
}

int
main(int argc, char **argv)
{
	struct inj_opts o;
	int first;

	memset(&o, 0, sizeof o);
	log_init("quail-inject");
	(void)sig_ignore(SIGPIPE);
	first = options(argc, argv, &o);
	return inj_run(&o, argv + first);
}
