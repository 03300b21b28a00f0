/* quail-local: one local delivery, dot-qmail(5) semantics (qmail-local).
 * Runs as: the recipient (quail-lspawn set uid, gid and groups).
 * fd 0: the message, seekable, positioned at its start (LF line ends).
 * fd 1: the delivery report (one line per event; quail-lspawn reads it).
 * fd 2: log.  Dirs: chdir(home); writes the recipient's Maildirs and
 * mboxes, runs their programs, re-queues forwards via HOME/bin/quail-queue.
 * Exit: 0 delivered, 100 permanent (bounce), 111 temporary.
 * Trust: arguments come from quail-lspawn (root, trusted); the message
 * and the .qmail files are the recipient's and treated as data.
 * Usage: quail-local [-n] [-x] [-c] [-q bytes] [--] user home local dash
 *        ext domain sender aliasempty */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "die.h"
#include "exitcode.h"
#include "io.h"
#include "local.h"
#include "scan.h"
#include "sig.h"

static _Noreturn void
usage(void)
{
	die(EXIT_PERM, "usage: quail-local [-nxc] [-q bytes] [--] user home "
	               "local dash ext domain sender aliasempty");
}

/* Options; returns the index of the first operand. */
static int
options(struct local_ctx *c, int argc, char **argv)
{
	unsigned long long q;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i] + 1;
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (strcmp(o, "q") == 0 && i + 1 < argc) {
			const char *v = argv[++i];
			if (scan_ullong(v, strlen(v), &q) != strlen(v) || !*v)
				usage();
			c->have_quota = true;
			c->quota = q;
			continue;
		}
		for (; *o; o++) {
			if (*o == 'n')
				c->dryrun = true;
			else if (*o == 'x')
				c->exclusive = true;
			else if (*o == 'c')
				c->create = true;
			else
				usage();
		}
	}
	return i;
}

static void
ctx_init(struct local_ctx *c)
{
	memset(c, 0, sizeof *c);
	buf_init(&c->recipient, 2048);
	buf_init(&c->ueo, 2048);
	buf_init(&c->dtline, 2048);
	buf_init(&c->rpline, 2048);
	buf_init(&c->ufline, 2048);
	buf_init(&c->deflt, 2048);
	buf_init(&c->qmfile, 8192);
	buf_init(&c->forwards, LOCAL_FORWARD_MAX);
}

int
main(int argc, char **argv)
{
	static struct local_ctx c;
	unsigned char mem[LOCAL_TEXT_MAX];
	struct io out;
	int i, r;

	log_init("quail-local");
	/* fd 0 is the queue file (envelope: every recipient): no process of
	 * the recipient's uid, e.g. its |program, may ptrace us to read it */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sig_default(SIGPIPE);
	umask(077);
	ctx_init(&c);
	i = options(&c, argc, argv);
	if (argc - i != 8)
		usage();
	c.user = argv[i];
	c.home = argv[i + 1];
	c.local = argv[i + 2];
	c.dash = argv[i + 3];
	c.ext = argv[i + 4];
	c.domain = argv[i + 5];
	c.sender = argv[i + 6];
	c.aliasempty = argv[i + 7];
	c.now = time(NULL);
	io_init(&out, 1, mem, sizeof mem, 60);
	c.out = &out;
	c.msgfd = 0;
	if (!c.dryrun && (c.base = lseek(0, 0, SEEK_CUR)) < 0) {
		say(&c, "4.3.0 Message is not in a seekable file: %s",
		    strerror(errno));
		io_flush(&out);
		_exit(EXIT_TEMP);
	}
	r = local_run(&c);
	io_flush(&out);
	_exit(r == L_OK || r == L_STOP ? EXIT_DONE : r);
}
