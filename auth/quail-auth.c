/* quail-auth: checkpassword for quail (quail-auth(8)).
 * Runs as: root: installed setuid root, mode 4710 root:nofiles, so that
 *   only root and the unprivileged daemons (quaild) can run it; after a
 *   good password, as the user (virtual users: quailv).
 * fds: 3 the request "user\0password\0timestamp\0" (read to EOF, at most
 *   512 bytes, 60 s); 2 the log.  Env in: QUAIL_SERVICE (pop3, imap,
 *   smtp), TCPREMOTEIP (log); everything else is discarded.
 * Files: HOME/control/mailboxes.cdb (0600 root), control/authsystem,
 *   /etc/shadow when that allows it.  No path from argv or env.
 * Exit: exec of argv[1..] on success; 1 bad login (after a delay);
 *   2 usage; 111 temporary trouble.
 * Trust: the caller may be a compromised daemon.  Input is bounded,
 *   the password is wiped and never logged, and when not run by root
 *   the program must be under HOME/bin/. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "auto.h"
#include "die.h"

struct ctx {
	unsigned char in[AUTH_INPUT_MAX + 1];
	size_t n;
	char service[16], ip[64];
};

/* Copies env var name into out if it is short and [A-Za-z0-9.:-]. */
static void
env_copy(const char *name, char *out, size_t max)
{
	const char *v = getenv(name);
	size_t i;

	out[0] = '\0';
	if (v == NULL || strlen(v) >= max)
		return;
	for (i = 0; v[i]; i++) {
		char c = v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		        (c >= '0' && c <= '9') || c == '.' || c == ':' ||
		        c == '-'))
			return;
	}
	memcpy(out, v, i + 1);
}

/* Reads fd 3 to EOF: 0, 1 when the input is longer than the bound,
 * -1 on error or timeout. */
static int
read_input(struct ctx *c)
{
	struct pollfd p = {3, POLLIN, 0};
	time_t end = time(NULL) + AUTH_READ_TIMEOUT;
	ssize_t r;

	for (;;) {
		if (time(NULL) >= end || poll(&p, 1, 1000) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p.revents == 0)
			continue;
		r = read(3, c->in + c->n, sizeof c->in - c->n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		c->n += (size_t)r;
		if (c->n == sizeof c->in)
			return 1;
	}
}

static _Noreturn void
fail(struct ctx *c, const char *user, const char *why)
{
	struct timespec ts = {AUTH_FAIL_DELAY, 0};

	explicit_bzero(c->in, sizeof c->in);
	log_info("failed login for %s from %s service %s: %s", user,
	    c->ip[0] ? c->ip : "-", c->service[0] ? c->service : "-", why);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	_exit(1);
}

/* Run by a non-root caller (setuid): only programs of our home. */
static bool
prog_allowed(const char *p)
{
	size_t n = strlen(auto_home);

	return strncmp(p, auto_home, n) == 0 &&
	       strncmp(p + n, "/bin/", 5) == 0 && strstr(p, "/..") == NULL;
}

int
main(int argc, char **argv)
{
	static struct ctx c;
	struct auth_req r;
	struct auth_user u;
	const char *why = "";
	enum auth_res res;
	int got;

	log_init("quail-auth");
	if (argc < 2 || argv[1][0] == '\0')
		die(2, "usage: quail-auth program [arg ...]");
	if (getuid() != 0 && !prog_allowed(argv[1]))
		die(2, "not run by root: program must be under %s/bin/",
		    auto_home);
	env_copy("QUAIL_SERVICE", c.service, sizeof c.service);
	env_copy("TCPREMOTEIP", c.ip, sizeof c.ip);
	got = read_input(&c);
	close(3);
	if (got < 0)
		die_sys(111, "unable to read the request on fd 3");
	if (got > 0)
		fail(&c, "-", "request longer than 512 bytes");
	if (auth_parse(c.in, c.n, &r) < 0) {
		explicit_bzero(c.in, sizeof c.in);
		die(2, "malformed request on fd 3");
	}
	memset(&u, 0, sizeof u);
	buf_init(&u.name, 1024);
	buf_init(&u.home, 4096);
	buf_init(&u.shell, 4096);
	buf_init(&u.maildir, 4096);
	buf_init(&u.quota, 64);
	res = auth_check(&r, c.service[0] ? c.service : NULL, &u, &why);
	explicit_bzero(c.in, sizeof c.in);
	if (res == AUTH_BAD)
		fail(&c, r.user, why);
	if (res == AUTH_TEMP)
		die(111, "login for %s: %s", r.user, why);
	log_info("login %s from %s service %s", r.user, c.ip[0] ? c.ip : "-",
	    c.service[0] ? c.service : "-");
	auth_exec(&u, argv + 1);
}
