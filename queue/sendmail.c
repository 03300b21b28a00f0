/* sendmail: the sendmail(8) interface for cron, mailx and scripts.
 * Runs as: the caller (not privileged).
 * fds: 0 the message (or the SMTP client with -bs), 1 only with -bs/-bp,
 *   2 errors.
 * Peers: execs HOME/bin/quail-inject (default), HOME/bin/quail-smtpd (-bs,
 *   with RELAYCLIENT set, as qmail's sendmail), HOME/bin/quail-ctl (-bp).
 * Exits: those of the program it execs; 100 for usage errors, 111 when
 *   the program cannot be run.
 * Trust: the caller's own arguments; nothing is privileged here. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "die.h"
#include "exitcode.h"
#include "sm.h"

#define USAGE                                                                  \
	"usage: sendmail [-t] [-i] [-f sender] [-F name] [-bm|-bs|-bp] "       \
	"[rcpt ...]"
#define ARGS_MAX 65536

static char *
prog(const char *name)
{
	struct buf p = BUF_INIT(4096);

	if (buf_cats(&p, auto_home) < 0 || buf_cats(&p, "/bin/") < 0 ||
	    buf_cats(&p, name) < 0 || buf_cstr(&p) < 0)
		die_nomem();
	return (char *)p.p;
}

static _Noreturn void
run(char **argv)
{
	execv(argv[0], argv);
	die_sys(EXIT_TEMP, "unable to run %s", argv[0]);
}

static _Noreturn void
inject(const struct sm_opts *o, int argc, char **argv)
{
	static char *args[ARGS_MAX];
	size_t n = 0;
	int i;

	if ((size_t)(argc - o->first) > ARGS_MAX - 10)
		die(EXIT_PERM, "too many recipients");
	args[n++] = prog("quail-inject");
	if (o->t)
		args[n++] = "-t";
	if (!o->i)
		args[n++] = "-d";
	if (o->f) {
		args[n++] = "-f";
		args[n++] = o->f;
	}
	if (o->F) {
		args[n++] = "-F";
		args[n++] = o->F;
	}
	args[n++] = "--";
	for (i = o->first; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	run(args);
}

int
main(int argc, char **argv)
{
	struct buf why = BUF_INIT(256);
	struct sm_opts o;
	const char *base = strrchr(argv[0] ? argv[0] : "", '/');
	char *args[4];

	log_init("sendmail");
	base = base ? base + 1 : argv[0] ? argv[0] : "";
	if (sm_parse(argc, argv, &o, &why) < 0)
		die(EXIT_PERM, "%s; %s", (char *)why.p, USAGE);
	if (strcmp(base, "mailq") == 0)
		o.mode = SM_LIST;
	switch (o.mode) {
	case SM_QRUN:
		log_info("-q ignored: quail-send runs the queue by itself");
		return EXIT_DONE;
	case SM_LIST:
		args[0] = prog("quail-ctl");
		args[1] = "queue";
		args[2] = "list";
		args[3] = NULL;
		if (access(args[0], X_OK) < 0)
			die(EXIT_TEMP, "-bp needs %s", args[0]);
		run(args);
	case SM_SMTP:
		if (setenv("RELAYCLIENT", "", 1) < 0)
			die_nomem();
		args[0] = prog("quail-smtpd");
		args[1] = NULL;
		run(args);
	default:
		inject(&o, argc, argv);
	}
}
