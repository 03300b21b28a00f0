/* child.c: one delivery's child of quail-lspawn.  As root: resolve the
 * recipient, open the queued message (the recipient cannot read the
 * queue) on fd 0 at the message's offset, become its own session (so a
 * timeout kills the whole group), drop to the target's uid, gid and
 * groups (never uid 0: lib/proc.c refuses), then exec
 * HOME/bin/quail-local.  Failures before the exec are written to fd 1
 * (the report pipe) and end the child with 100 or 111. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fmt.h"
#include "lspawn.h"
#include "proc.h"

static _Noreturn void
fail(int fd, int code, const char *text, const char *detail)
{
	struct buf b = BUF_INIT(2048);

	buf_cats(&b, text);
	if (detail) {
		buf_cats(&b, ": ");
		buf_cats(&b, detail);
	}
	buf_catc(&b, '\n');
	if (b.p && write(fd, b.p, b.len) < 0)
		_exit(code); /* nobody to tell */
	_exit(code);
}

static int
open_message(const char *home, const struct request *rq)
{
	struct buf path = BUF_INIT(4096);
	int fd = -1;

	if (buf_cats(&path, home) == 0 && buf_cats(&path, "/queue/") == 0 &&
	    buf_cats(&path, rq->path) == 0 && buf_cstr(&path) == 0)
		fd = open((char *)path.p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	buf_free(&path);
	if (fd >= 0 && lseek(fd, (off_t)rq->offset, SEEK_SET) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int
drop(const struct target *t)
{
	if (t->uid == 0) {
		errno = EPERM;
		return -1;
	}
	if (t->initgroups)
		return proc_become((const char *)t->user.p);
	return proc_setids(t->uid, t->gid);
}

/* argv for quail-local; strings live in t and qbuf. */
static void
args(const struct target *t, const struct request *rq, char *qbuf, char **argv)
{
	static char prog[] = "quail-local", x[] = "-x", c[] = "-c", q[] = "-q",
	            dd[] = "--";
	int i = 0;

	argv[i++] = prog;
	if (t->exclusive)
		argv[i++] = x;
	if (t->create)
		argv[i++] = c;
	if (t->have_quota) {
		argv[i++] = q;
		qbuf[fmt_ulong(qbuf, t->quota)] = '\0';
		argv[i++] = qbuf;
	}
	argv[i++] = dd;
	argv[i++] = (char *)t->user.p;
	argv[i++] = (char *)t->home.p;
	argv[i++] = (char *)t->local.p;
	argv[i++] = t->dash.p ? (char *)t->dash.p : dd + 2;
	argv[i++] = t->ext.p ? (char *)t->ext.p : dd + 2;
	argv[i++] = (char *)t->domain.p;
	argv[i++] = rq->sender;
	argv[i++] = (char *)t->aliasempty.p;
	argv[i] = NULL;
}

_Noreturn void
child_run(const char *home, const struct request *rq, int out)
{
	static struct target t;
	struct buf why = BUF_INIT(1024), prog = BUF_INIT(4096);
	char qbuf[FMT_ULONG], *argv[20];
	sigset_t none;
	int fd, code;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	target_init(&t);
	code = resolve(home, rq, &t, &why);
	if (code != 0)
		fail(out, code, buf_cstr(&why) == 0 ? (char *)why.p : "", NULL);
	fd = open_message(home, rq);
	if (fd < 0)
		fail(out, 111, "4.3.0 Unable to open queued message",
		    strerror(errno));
	if (setsid() < 0 || proc_move(fd, 0) < 0 || proc_move(out, 1) < 0)
		fail(out, 111, "4.3.0 Unable to set up descriptors",
		    strerror(errno));
	if (buf_cats(&prog, home) < 0 || buf_cats(&prog, "/bin/quail-local") ||
	    buf_cstr(&prog) < 0)
		fail(1, 111, "4.3.0 Out of memory", NULL);
	if (drop(&t) < 0)
		fail(1, 111, "4.3.0 Unable to switch to the recipient's uid",
		    strerror(errno));
	args(&t, rq, qbuf, argv);
	execv((char *)prog.p, argv);
	fail(1, 111, "4.3.0 Unable to run quail-local", strerror(errno));
}
