/* passwd.c: passwords for virtual mailboxes.  Read from the terminal with
 * echo off (asked twice), or as one line from stdin when it is not a
 * terminal (scripts: printf 'secret\n' | quail-ctl user passwd a@b);
 * never from argv, where ps would show it.  Hashed with libcrypt's
 * yescrypt ("$y$", crypt_gensalt_rn + crypt_rn); the clear text is wiped
 * with explicit_bzero.  Also creates a virtual user's Maildir, owned by
 * quailv (conf-users) as quail-lspawn delivers into it as that user. */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "admin.h"
#include "auto.h"
#include "ctl.h"

#define PASS_MAX 1024

static struct termios saved;
static volatile sig_atomic_t echo_off;

static void
on_signal(int sig)
{
	if (echo_off)
		tcsetattr(0, TCSANOW, &saved);
	_exit(128 + sig);
}

/* One line from fd 0 into p (at most PASS_MAX - 1 bytes, NUL-ended).
 * 1 read, 0 EOF before anything, -1 error or too long. */
static int
read_line(char *p)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= PASS_MAX) {
			errno = EMSGSIZE;
			return -1;
		}
		p[n++] = c;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	p[n] = '\0';
	return r == 0 && n == 0 ? 0 : 1;
}

static int
ask(const char *prompt, char *p)
{
	struct termios t = saved;
	int r;

	fputs(prompt, stderr);
	fflush(stderr);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	t.c_lflag |= ICANON;
	echo_off = 1;
	if (tcsetattr(0, TCSAFLUSH, &t) < 0) {
		echo_off = 0;
		return -1;
	}
	r = read_line(p);
	tcsetattr(0, TCSAFLUSH, &saved);
	echo_off = 0;
	fputc('\n', stderr);
	return r;
}

/* Into pw: 0, or -1 (printed). */
static int
get_password(char *pw)
{
	char again[PASS_MAX];
	int r;

	if (!isatty(0)) {
		r = read_line(pw);
	} else {
		if (tcgetattr(0, &saved) < 0)
			return fprintf(stderr, "quail-ctl: tcgetattr: %s\n",
			           strerror(errno)),
			       -1;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		r = ask("New password: ", pw);
		if (r == 1 && ask("Again: ", again) == 1 && strcmp(pw, again)) {
			fputs("quail-ctl: passwords differ\n", stderr);
			r = -2;
		}
		explicit_bzero(again, sizeof again);
	}
	if (r == 1 && pw[0] == '\0') {
		fputs("quail-ctl: empty password refused\n", stderr);
		return -1;
	}
	if (r == 0)
		fputs("quail-ctl: no password given on stdin\n", stderr);
	else if (r == -1)
		fprintf(stderr, "quail-ctl: unable to read the password: %s\n",
		    strerror(errno));
	return r == 1 ? 0 : -1;
}

int
passwd_read_hash(struct buf *hash_r)
{
	char pw[PASS_MAX], salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int r = -1;

	if (get_password(pw) < 0) {
		explicit_bzero(pw, sizeof pw);
		return -1;
	}
	cd = ctl_alloc(sizeof *cd);
	memset(cd, 0, sizeof *cd);
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) == NULL)
		fprintf(
		    stderr, "quail-ctl: crypt_gensalt: %s\n", strerror(errno));
	else if ((h = crypt_rn(pw, salt, cd, (int)sizeof *cd)) == NULL ||
	         h[0] == '*' || !ctl_hash_ok(h, strlen(h)))
		fputs("quail-ctl: yescrypt hashing failed\n", stderr);
	else {
		buf_reset(hash_r);
		if (buf_cats(hash_r, h) < 0 || buf_cstr(hash_r) < 0)
			ctl_nomem();
		r = 0;
	}
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return r;
}

/* Creates (or keeps) directory name under dfd without following
 * symlinks, owned u:g 0700.  Returns its fd, or -1.  quailv owns the
 * tree, so every step is relative to a descriptor: a symlink planted by
 * quailv cannot make root create or chown anything outside it. */
static int
own_dir(int dfd, const char *name, uid_t u, gid_t g)
{
	int fd;

	if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fchown(fd, u, g) < 0 || fchmod(fd, 0700) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
admin_maildir(const char *home, const char *dom, const char *user)
{
	const char *const step[] = {dom, user, "Maildir", "tmp", "new", "cur"};
	struct passwd *pw = getpwnam(auto_user_v);
	char *mail = ctl_path(home, "mail");
	int fd[6], dfd, i;
	int r = 0;

	if (pw == NULL) {
		fprintf(stderr, "quail-ctl: no user %s\n", auto_user_v);
		free(mail);
		return -1;
	}
	dfd = open(mail, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	for (i = 0; i < 6; i++)
		fd[i] = -1;
	for (i = 0; dfd >= 0 && i < 6; i++) {
		fd[i] = own_dir(i < 4 ? (i == 0 ? dfd : fd[i - 1]) : fd[2],
		    step[i], pw->pw_uid, pw->pw_gid);
		if (fd[i] < 0)
			break;
	}
	if (dfd < 0 || i < 6) {
		fprintf(stderr,
		    "quail-ctl: unable to create %s/%s/%s/Maildir: "
		    "%s\n",
		    mail, dom, user, strerror(errno));
		r = -1;
	}
	for (i = 0; i < 6; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	if (dfd >= 0)
		close(dfd);
	free(mail);
	return r;
}
