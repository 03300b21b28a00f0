/* quail-imapd: IMAP4rev1 server for Maildir++ (quail-imapd(8)).
 * Runs as: started by tcpserver (as root, or as quaild); before login
 * the network parser runs as quaild, a privileged parent runs only the
 * checkpassword program (preauth.c).  After login ("-s FD TAG", exec'd
 * by quail-auth) it runs as the mailbox owner in $MAILDIR or
 * $HOME/Maildir.  fds: 0/1 the client, 2 the log; session mode: FD
 * receives 'K' once the session has taken over, "-p FD" brings the
 * client's pipelined input read before the login.  Reads control/
 * databytes, imapdrequiretls.  Exits 0 after LOGOUT or EOF, 111 on
 * errors and timeouts.  Trust: everything on fd 0 is hostile. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "imapd.h"
#include "auto.h"
#include "control.h"
#include "die.h"
#include "exitcode.h"
#include "maildir.h"
#include "scan.h"
#include "sig.h"
#include "starttls.h"
#include <signal.h>

void preauth_split(struct session *s, char **checkpw);
void session_start(
    struct session *s, int statusfd, const char *tag, int pendfd);

static struct session sess;

static void
read_control(struct session *s)
{
	unsigned long v;
	struct buf b = BUF_INIT(64);

	if (control_readulong(&v, "databytes", 0) < 0)
		die_sys(EXIT_TEMP, "unable to read control/databytes");
	if (v > 0)
		s->maxmsg = v;
	if (control_readline(&b, "imapdrequiretls", "0") < 0)
		die_sys(EXIT_TEMP, "unable to read control/imapdrequiretls");
	s->requiretls = b.len > 0 && b.p[0] != '0';
	buf_free(&b);
}

static int
fd_arg(const char *a)
{
	unsigned long fd;

	if (a == NULL || scan_ulong_all(a, strlen(a), &fd) < 0 || fd > 1000)
		die(EXIT_PERM, "usage: quail-imapd -s FD TAG [-p FD] [-t]");
	return (int)fd;
}

/* "-s FD TAG [-p FD] [-t]": the session after a login (preauth.c). */
static _Noreturn void
session_mode(struct session *s, int argc, char **argv)
{
	int statusfd = fd_arg(argv[2]), pendfd = -1, i;

	for (i = 4; i < argc; i++)
		if (strcmp(argv[i], "-t") == 0)
			s->tls = true;
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			pendfd = fd_arg(argv[++i]);
		else
			(void)fd_arg(NULL);
	session_start(s, statusfd, argv[3], pendfd);
	session_loop(s);
	_exit(EXIT_TEMP);
}

int
main(int argc, char **argv)
{
	struct session *s = &sess;
	char *defpw[2];
	struct buf pw = BUF_INIT(4096);
	bool tls = false;
	const char *mode;
	int i = 1;

	log_init("quail-imapd");
	sig_ignore(SIGPIPE);
	session_init(s, 0, 1);
	read_control(s);
	if (argc >= 4 && strcmp(argv[1], "-s") == 0)
		session_mode(s, argc, argv);
	if (i < argc && strcmp(argv[i], "-t") == 0) {
		tls = true;
		i++;
	}
	mode = getenv("QUAIL_TLS");
	s->tls = tls || getenv("SSL_PROTOCOL") != NULL ||
	         (mode != NULL && strcmp(mode, "implicit") == 0);
	if (mode != NULL && strcmp(mode, "starttls") == 0)
		s->tlsfd = starttls_ctlfd();
	if (i >= argc) {
		if (buf_cats(&pw, auto_home) < 0 ||
		    buf_cats(&pw, "/bin/quail-auth") < 0 || buf_cstr(&pw) < 0)
			die_nomem();
		defpw[0] = (char *)pw.p;
		defpw[1] = NULL;
		preauth_split(s, defpw);
	} else
		preauth_split(s, argv + i);
	reply(s, "* OK [CAPABILITY %s] quail IMAP ready", capability_string(s));
	session_loop(s);
	return EXIT_TEMP;
}
