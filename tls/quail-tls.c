/* quail-tls: TLS in front of quail-smtpd, quail-imapd and quail-pop3d.
 * Runs as: root from tcpserver; forks the protocol program and drops it
 *   to quaild:nofiles (-u, -g) BEFORE any key is read (the child never
 *   has key material in memory); then reads the certificates and keys
 *   and drops itself to quailt before reading a byte from the client.
 * fds: 0/1 the client socket, 2 the log.  The child gets a pipe as fd 0,
 *   a pipe as fd 1, the control socket as fd 3 (QUAIL_TLSFD), fd 2.
 * Dirs: HOME/ssl (root 0700), HOME/control (servercert.pem, tlsciphers,
 *   tlsciphersuites, clientca.pem).
 * Exit: the child's exit code; 100 usage; 111 temporary trouble.
 * Trust: the client and the child are both untrusted; only quail-tls,
 *   as quailt, ever holds a private key.  See quail-tls(8). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "proc.h"
#include "sig.h"
#include "tls.h"

struct ids {
	bool drop;
	uid_t uid;
	gid_t gid;
};

static void
child_ids(const struct tls_conf *c, struct ids *id)
{
	struct passwd *pw;
	struct group *gr;

	id->drop = getuid() == 0 || geteuid() == 0;
	if (!id->drop)
		return;
	if ((pw = getpwnam(c->user)) == NULL)
		die(111, "unknown user %s", c->user);
	if ((gr = getgrnam(c->group)) == NULL)
		die(111, "unknown group %s", c->group);
	if (pw->pw_uid == 0)
		die(100, "refusing to run the child as root");
	id->uid = pw->pw_uid;
	id->gid = gr->gr_gid;
}

static _Noreturn void
child(const struct tls_conf *c, const struct ids *id, int in, int out, int ctl)
{
	if (proc_move(in, 0) < 0 || proc_move(out, 1) < 0 ||
	    proc_move(ctl, TLS_CTL_FD) < 0)
		die_sys(111, "unable to move descriptors");
	if (setenv("QUAIL_TLS",
	        c->mode == TLS_IMPLICIT ? "implicit" : "starttls", 1) < 0 ||
	    setenv("QUAIL_TLSFD", "3", 1) < 0)
		die_nomem();
	if (id->drop && proc_setids(id->uid, id->gid) < 0)
		die_sys(111, "unable to drop to %s", c->user);
	execvp(c->argv[0], c->argv);
	die_sys(111, "unable to run %s", c->argv[0]);
}

/* Drops to quailt with its primary group only.  Not proc_become: its
 * initgroups walks every group database, which on a systemd host loads
 * libnss_systemd (and libcap, libm) into every connection's process;
 * quailt needs no supplementary group (only OpenSSL's world-readable
 * configuration may be opened after this). */
static int
become_t(void)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(auto_user_t)) == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	return proc_setids(pw->pw_uid, pw->pw_gid);
}

static void
fds_open(void)
{
	struct stat st;
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fstat(fd, &st) < 0)
			_exit(111); /* no log to write to, or no client */
}

int
main(int argc, char **argv)
{
	struct tls_conf c;
	struct tls_certs t;
	struct ids id = {false, 0, 0};
	struct buf err = BUF_INIT(1024);
	int in[2], out[2], ctl[2];
	SSL_CTX *ctx;
	pid_t pid;

	fds_open();
	log_init("quail-tls");
	if (tls_conf_parse(&c, argc, argv) < 0)
		_exit(100);
	child_ids(&c, &id);
	if (proc_pipe(in) < 0 || proc_pipe(out) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0)
		die_sys(111, "unable to make pipes");
	if ((pid = fork()) < 0)
		die_sys(111, "unable to fork");
	if (pid == 0)
		child(&c, &id, in[0], out[1], ctl[1]);
	close(in[0]);
	close(out[1]);
	close(ctl[1]);
	tls_certs_read(&t, &c); /* root: the only step that needs it */
	if (id.drop && become_t() < 0)
		die_sys(111, "unable to drop to %s", auto_user_t);
	if (sig_ignore(SIGPIPE) < 0)
		die_sys(111, "sigaction");
	/* STARTTLS: OpenSSL starts only if the client asks (proxy.c) */
	ctx = NULL;
	if (c.mode == TLS_IMPLICIT) {
		if ((ctx = tls_ctx_new(&t, &t.def, &err)) == NULL)
			die(111, "default certificate: %s",
			    (const char *)err.p);
		tls_ctx_sni(ctx, &t);
	}
	return tls_proxy(&c, &t, ctx, in[1], out[0], ctl[0], pid);
}
