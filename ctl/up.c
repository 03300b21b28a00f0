/* up.c: quail-ctl up [--smtp P] [--imap P] [--pop3 P] [--submission P]
 * [--ip ADDR] and quail-ctl down (quail-ctl-admin(8)).
 * up writes each listening service's settings as daemontools envdir files
 * (HOME/boot/SVC/env/IP, env/PORT; the run scripts read them and fall
 * back to control/), starts "svscan HOME/boot" in a session of its own
 * (pid in HOME/boot/.svscan.pid; svscan ignores dot entries; its output
 * goes to HOME/boot/.svscan.log), waits (bounded) until every service and
 * its log are up (svstat), and prints what runs where.
 * down kills that svscan first (so nothing is restarted), then svc -dx
 * every service and log, and waits until no supervise is left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "atomic.h"
#include "ctl.h"
#include "fmt.h"
#include "scan.h"

extern char **environ;

#define RUN_OUT_MAX (64 * 1024)
#define WAIT_TENTHS 150 /* 15 s for services to come up or go down */

static const struct {
	const char *opt, *dir;
} svcmap[] = {
    {"--smtp", "smtpd"},
    {"--submission", "submission"},
    {"--imap", "imapd"},
    {"--pop3", "pop3d"},
    {"--smtps", "smtps"},
    {"--imaps", "imapsd"},
    {"--pop3s", "pop3sd"},
};

#define NSVC (sizeof svcmap / sizeof svcmap[0])

static void
nap(void)
{
	struct timespec ts = {0, 100 * 1000 * 1000};

	nanosleep(&ts, NULL);
}

static void
close_from(int lo)
{
	int fd;

	for (fd = lo; fd < 1024; fd++)
		close(fd);
}

int
admin_run(char *const argv[], struct buf *out_r)
{
	int p[2] = {-1, -1}, st, nul;
	char tmp[4096];
	ssize_t r;
	pid_t pid;

	if (out_r != NULL && pipe(p) < 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		if (out_r != NULL)
			dup2(p[1], 1);
		close_from(3);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (out_r != NULL) {
		close(p[1]);
		buf_reset(out_r);
		while ((r = read(p[0], tmp, sizeof tmp)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				break;
			if (out_r->len + (size_t)r <= RUN_OUT_MAX &&
			    buf_cat(out_r, tmp, (size_t)r) < 0)
				ctl_nomem();
		}
		close(p[0]);
		if (buf_cstr(out_r) < 0)
			ctl_nomem();
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st) == 127 ? -1 : WEXITSTATUS(st);
	return 111;
}

/* HOME/boot/a[/b] in b (NUL-terminated). */
static char *
bpath(struct buf *out, const char *home, const char *a, const char *b)
{
	buf_reset(out);
	if (buf_printf(out, "%s/boot", home) < 0 ||
	    (a && buf_printf(out, "/%s", a) < 0) ||
	    (b && buf_printf(out, "/%s", b) < 0) || buf_cstr(out) < 0)
		ctl_nomem();
	return (char *)out->p;
}

/* Service directories under HOME/boot (those with a run file). */
static size_t
services(const char *home, char ***svc_r)
{
	struct buf p = BUF_INIT(8192);
	struct dirent *de;
	struct stat st;
	char **s = NULL;
	size_t n = 0;
	DIR *d = opendir(bpath(&p, home, NULL, NULL));

	while (d != NULL && (de = readdir(d)) != NULL && n < 100) {
		if (de->d_name[0] == '.' ||
		    stat(bpath(&p, home, de->d_name, "run"), &st) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		s = realloc(s, (n + 1) * sizeof *s);
		if (s == NULL)
			ctl_nomem();
		s[n++] = ctl_strdup(de->d_name);
	}
	if (d != NULL)
		closedir(d);
	buf_free(&p);
	*svc_r = s;
	return n;
}

/* true when a supervise runs on dir (it holds supervise/ok open). */
static bool
supervised(const char *dir)
{
	struct buf p = BUF_INIT(8192);
	int fd;

	if (buf_printf(&p, "%s/supervise/ok", dir) < 0 || buf_cstr(&p) < 0)
		ctl_nomem();
	fd = open((char *)p.p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	buf_free(&p);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* svstat's line for dir, e.g. "up (pid 123) 4 seconds"; "" if none. */
static bool
svc_up(const char *dir, struct buf *st)
{
	char *d = ctl_strdup(dir), *c;
	char *argv[] = {"svstat", d, NULL};
	int r = admin_run(argv, st);

	free(d);
	if (r < 0 || st->p == NULL)
		return false;
	if ((c = strchr((char *)st->p, '\n')) != NULL)
		*c = '\0';
	return strstr((char *)st->p, ": up (pid ") != NULL &&
	       strstr((char *)st->p, "normally down") == NULL;
}

/* The pid recorded in .svscan.pid if that process is an svscan. */
static pid_t
svscan_pid(const char *home)
{
	struct buf p = BUF_INIT(8192), c = BUF_INIT(256);
	unsigned long v = 0;
	char tmp[64];
	int fd;
	ssize_t r;
	pid_t pid = 0;

	fd = open(bpath(&p, home, ".svscan.pid", NULL), O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && (r = read(fd, tmp, sizeof tmp - 1)) > 0 &&
	    scan_ulong(tmp, (size_t)r, &v) > 0 && v > 1 && v < 1u << 30) {
		snprintf(tmp, sizeof tmp, "/proc/%lu/comm", v);
		close(fd);
		fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (r = read(fd, tmp, sizeof tmp - 1)) > 0 &&
		    r >= 6 && memcmp(tmp, "svscan", 6) == 0)
			pid = (pid_t)v;
	}
	if (fd >= 0)
		close(fd);
	buf_free(&p);
	buf_free(&c);
	return pid;
}

struct upopt {
	const char *port[NSVC];
	const char *ip;
};

static int
parse_up(int argc, char **argv, struct upopt *o)
{
	unsigned long v;
	size_t k, n;
	int i;

	memset(o, 0, sizeof *o);
	o->ip = "127.0.0.1";
	for (i = 1; i + 1 < argc; i += 2) {
		n = strlen(argv[i + 1]);
		if (strcmp(argv[i], "--ip") == 0) {
			if (n == 0 || n > 45 ||
			    strspn(argv[i + 1], "0123456789abcdefABCDEF.:") !=
			        n)
				return -1;
			o->ip = argv[i + 1];
			continue;
		}
		for (k = 0; k < NSVC; k++)
			if (strcmp(argv[i], svcmap[k].opt) == 0)
				break;
		if (k == NSVC || scan_ulong_all(argv[i + 1], n, &v) < 0 ||
		    v == 0 || v > 65535)
			return -1;
		o->port[k] = argv[i + 1];
	}
	return i == argc ? 0 : -1;
}

static int
put_env(const char *home, const char *svc, const char *name, const char *v)
{
	struct buf p = BUF_INIT(8192), c = BUF_INIT(256);
	int r;

	mkdir(bpath(&p, home, svc, "env"), 0755);
	if (buf_printf(&c, "%s\n", v) < 0 || buf_printf(&p, "/%s", name) < 0 ||
	    buf_cstr(&p) < 0)
		ctl_nomem();
	r = atomic_write((char *)p.p, c.p, c.len, 0644);
	if (r < 0)
		fprintf(stderr, "quail-ctl: unable to write %s: %s\n",
		    (char *)p.p, strerror(errno));
	buf_free(&p);
	buf_free(&c);
	return r;
}

/* env/IP and env/PORT of every listening service that exists. */
static int
write_envs(const char *home, const struct upopt *o)
{
	struct buf p = BUF_INIT(8192);
	struct stat st;
	size_t k;
	int r = 0;

	for (k = 0; k < NSVC; k++) {
		if (stat(bpath(&p, home, svcmap[k].dir, "run"), &st) < 0) {
			if (o->port[k])
				fprintf(stderr,
				    "quail-ctl: warning: no service "
				    "boot/%s: %s ignored\n",
				    svcmap[k].dir, svcmap[k].opt);
			continue;
		}
		if (put_env(home, svcmap[k].dir, "IP", o->ip) < 0 ||
		    (o->port[k] &&
		        put_env(home, svcmap[k].dir, "PORT", o->port[k]) < 0))
			r = -1;
	}
	buf_free(&p);
	return r;
}

static pid_t
start_svscan(const char *home)
{
	struct buf p = BUF_INIT(8192), log = BUF_INIT(8192);
	char *dir = ctl_strdup(bpath(&p, home, NULL, NULL));
	char *argv[] = {"svscan", dir, NULL};
	char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:"
	                "/usr/sbin:/sbin",
	    NULL};
	char num[FMT_ULONG + 1];
	pid_t pid;
	int fd;

	bpath(&log, home, ".svscan.log", NULL);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		setsid();
		if (chdir(dir) < 0)
			_exit(111);
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		fd = open((char *)log.p, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		close_from(3);
		environ = envp;
		execvp("svscan", argv);
		_exit(127);
	}
	if (pid > 0) {
		num[fmt_ulong(num, (unsigned long long)pid)] = '\n';
		if (atomic_write(bpath(&p, home, ".svscan.pid", NULL), num,
		        fmt_ulong(NULL, (unsigned long long)pid) + 1, 0644) < 0)
			fprintf(stderr,
			    "quail-ctl: unable to write "
			    "boot/.svscan.pid: %s\n",
			    strerror(errno));
	}
	buf_free(&p);
	buf_free(&log);
	free(dir);
	return pid;
}

/* First line of HOME/boot/svc/env/name appended to out; -1 if none. */
static int
env_line(const char *home, const char *svc, const char *name, struct buf *out)
{
	struct buf p = BUF_INIT(8192);
	char tmp[64];
	ssize_t r = -1;
	int fd;

	bpath(&p, home, svc, "env");
	if (buf_printf(&p, "/%s", name) < 0 || buf_cstr(&p) < 0)
		ctl_nomem();
	fd = open((char *)p.p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = read(fd, tmp, sizeof tmp - 1);
		close(fd);
	}
	buf_free(&p);
	if (r <= 0)
		return -1;
	tmp[r] = '\0';
	tmp[strcspn(tmp, "\n")] = '\0';
	return buf_cats(out, tmp) < 0 || buf_cstr(out) < 0 ? -1 : 0;
}

/* "IP:PORT" (or "IP:(port from control/)") of a service into out. */
static int
where(const char *home, const char *svc, struct buf *out)
{
	buf_reset(out);
	if (buf_cats(out, "on ") < 0 || env_line(home, svc, "IP", out) < 0)
		return -1;
	if (buf_catc(out, ':') < 0)
		return -1;
	if (env_line(home, svc, "PORT", out) < 0 &&
	    (buf_cats(out, "(port from control/)") < 0 || buf_cstr(out) < 0))
		return -1;
	return 0;
}

/* Waits until every service and its log are up; prints their state. */
static int
wait_up(const char *home, char **svc, size_t n)
{
	struct buf p = BUF_INIT(8192), st = BUF_INIT(RUN_OUT_MAX + 1);
	struct buf env = BUF_INIT(4096);
	size_t i, j, down = 1;
	int t;

	for (t = 0; t < WAIT_TENTHS && down > 0; t++) {
		if (t > 0)
			nap();
		for (i = down = 0; i < n; i++)
			down += !svc_up(bpath(&p, home, svc[i], NULL), &st) ||
			        !svc_up(bpath(&p, home, svc[i], "log"), &st);
	}
	for (i = 0; i < n; i++) {
		bool up = svc_up(bpath(&p, home, svc[i], NULL), &st);

		printf("%s\t%s", svc[i], st.p ? (char *)st.p : "?");
		for (j = 0; j < NSVC; j++)
			if (strcmp(svc[i], svcmap[j].dir) == 0 &&
			    where(home, svc[i], &env) == 0)
				printf("\t%s", (char *)env.p);
		printf("%s\n", up ? "" : "\tNOT UP (see HOME/log)");
	}
	buf_free(&p);
	buf_free(&st);
	buf_free(&env);
	return down == 0 ? 0 : 111;
}

static void
free_list(char **s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

/* The TLS services need a certificate: with none in HOME/ssl or
 * control/, make a self-signed one for control/me with openssl (key and
 * certificate in one file, root 0600 in the root-only HOME/ssl). */
static const char mkcert[] =
    "umask 077; cd \"$1/ssl\" || exit 1; "
    "[ -f servercert.pem ] || [ -f ../control/servercert.pem ] && exit 0; "
    "cn=$(sed 1q ../control/me 2>/dev/null); cn=${cn:-localhost}; "
    "openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj \"/CN=$cn\" "
    "-addext \"subjectAltName=DNS:$cn\" -keyout .key.tmp -out .crt.tmp "
    ">.log.tmp 2>&1 && cat .crt.tmp .key.tmp >.servercert.tmp && "
    "mv -f .servercert.tmp servercert.pem && printf %s \"$cn\"; "
    "r=$?; [ $r = 0 ] || tail -n 3 .log.tmp; "
    "rm -f .key.tmp .crt.tmp .servercert.tmp .log.tmp; exit $r";

static void
ensure_cert(const char *home)
{
	struct buf out = BUF_INIT(RUN_OUT_MAX + 1);
	char *h = ctl_strdup(home);
	char *argv[] = {"sh", "-c", (char *)(uintptr_t)mkcert, "sh", h, NULL};

	if (admin_run(argv, &out) != 0)
		fprintf(stderr,
		    "quail-ctl: warning: unable to make a "
		    "self-signed certificate in %s/ssl: %s\n",
		    home, out.p ? (char *)out.p : "");
	else if (out.len > 0 && out.len < 300)
		printf("tls\tmade a self-signed certificate for %s "
		       "in %s/ssl/servercert.pem\n",
		    (char *)out.p, home);
	free(h);
	buf_free(&out);
}

int
cmd_up(const char *home, int argc, char **argv)
{
	struct upopt o;
	char **svc;
	size_t n;
	pid_t pid;
	int code;

	if (parse_up(argc, argv, &o) < 0) {
		fputs("usage: quail-ctl up [--smtp PORT] [--submission PORT] "
		      "[--smtps PORT] [--imap PORT] [--pop3 PORT] "
		      "[--imaps PORT] [--pop3s PORT] [--ip ADDR]\n",
		    stderr);
		return 100;
	}
	n = services(home, &svc);
	if ((pid = svscan_pid(home)) > 0) {
		printf("quail-ctl: already up: svscan pid %ld on %s/boot "
		       "(quail-ctl down first to change settings)\n",
		    (long)pid, home);
		code = wait_up(home, svc, n);
		free_list(svc, n);
		return code;
	}
	ensure_cert(home);
	if (write_envs(home, &o) < 0) {
		free_list(svc, n);
		return 111;
	}
	if ((pid = start_svscan(home)) < 0) {
		fprintf(stderr, "quail-ctl: unable to start svscan: %s\n",
		    strerror(errno));
		free_list(svc, n);
		return 111;
	}
	printf("svscan\tpid %ld on %s/boot (log %s/boot/.svscan.log)\n",
	    (long)pid, home, home);
	if (n == 0)
		printf("quail-ctl: warning: no services under %s/boot\n", home);
	code = wait_up(home, svc, n);
	free_list(svc, n);
	return code;
}

/* svc -dx dir if a supervise runs there. */
static void
stop_one(const char *dir)
{
	char *d = ctl_strdup(dir);
	char *argv[] = {"svc", "-dx", d, NULL};

	if (supervised(d) && admin_run(argv, NULL) != 0)
		fprintf(stderr, "quail-ctl: svc -dx %s failed\n", d);
	free(d);
}

int
cmd_down(const char *home, int argc, char **argv)
{
	struct buf p = BUF_INIT(8192);
	pid_t pid = svscan_pid(home);
	size_t n, i, left = 0;
	char **svc;
	int t;

	(void)argv;
	if (argc != 1) {
		fputs("usage: quail-ctl down\n", stderr);
		return 100;
	}
	if (pid > 0) { /* first, so that it restarts nothing */
		kill(pid, SIGTERM);
		for (t = 0; t < 50 && kill(pid, 0) == 0; t++)
			nap();
		if (kill(pid, 0) == 0)
			kill(pid, SIGKILL);
		waitpid(pid, NULL, WNOHANG);
	}
	n = services(home, &svc);
	for (i = 0; i < n; i++) {
		stop_one(bpath(&p, home, svc[i], NULL));
		stop_one(bpath(&p, home, svc[i], "log"));
	}
	for (t = 0; t < WAIT_TENTHS; t++) {
		for (i = left = 0; i < n; i++)
			left += supervised(bpath(&p, home, svc[i], NULL)) +
			        supervised(bpath(&p, home, svc[i], "log"));
		if (left == 0)
			break;
		nap();
	}
	unlink(bpath(&p, home, ".svscan.pid", NULL));
	for (i = 0; i < n; i++)
		printf("%s\t%s\n", svc[i],
		    supervised(bpath(&p, home, svc[i], NULL)) ? "STILL RUNNING"
		                                              : "down");
	printf("svscan\t%s\n", pid > 0 ? "stopped" : "was not running");
	free_list(svc, n);
	buf_free(&p);
	return left == 0 ? 0 : 111;
}
