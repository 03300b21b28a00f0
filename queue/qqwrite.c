/* qqwrite.c: quail-queue's file: create in tmp/, write, write out, link
 * into mess/NN/, fsync it (or fsync, link, fsync mess/NN: lib/durable.h),
 * todo/ID, trigger (quail-queue.8 gives the crash-safety argument for
 * each step).  Paths are relative to the
 * queue directory, which is the current directory.
 * Trust: runs as quailq for any local caller; the caller chooses at most
 * the id, and only an id that is valid and names no existing message. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "die.h"
#include "durable.h"
#include "fmt.h"
#include "qq.h"

#define QQ_OUTBUF 65536

/* What this run has made that a failure must remove (qq_abort). */
enum { ST_NONE, ST_TMP, ST_MESS, ST_DONE };

static volatile sig_atomic_t qq_stage = ST_NONE;
static struct qq_file *qq_cur;

_Noreturn void
qq_abort(int code)
{
	if (qq_cur && qq_stage >= ST_TMP && qq_stage < ST_DONE)
		(void)unlink(qq_cur->tmp);
	if (qq_cur && qq_stage == ST_MESS)
		(void)unlink(qq_cur->mess);
	_exit(code);
}

static void
put(char *dst, size_t *n, const char *s, size_t len)
{
	memcpy(dst + *n, s, len);
	*n += len;
	dst[*n] = 0;
}

/* Fills in the paths for f->id (at most QID_MAX-1 bytes: all fit). */
static void
paths(struct qq_file *f)
{
	size_t il = strlen(f->id), n;
	char num[FMT_ULONG];
	size_t nl = fmt_ulong(num, qid_split(f->id, il));

	n = 0;
	put(f->tmp, &n, "tmp/", 4);
	put(f->tmp, &n, f->id, il);
	n = 0;
	put(f->dir, &n, "mess/", 5);
	put(f->dir, &n, num, nl);
	n = 0;
	put(f->mess, &n, f->dir, strlen(f->dir));
	put(f->mess, &n, "/", 1);
	put(f->mess, &n, f->id, il);
	n = 0;
	put(f->todo, &n, "todo/", 5);
	put(f->todo, &n, f->id, il);
}

int
qq_file_open(struct qq_file *f, const char *want, size_t wlen)
{
	struct stat st;
	int tries;

	f->fd = -1;
	buf_init(&f->out, QQ_OUTBUF);
	if (want && !qid_valid(want, wlen)) {
		log_warn("invalid queue id from caller replaced");
		want = NULL;
	}
	for (tries = 0; tries < 5; tries++) {
		if (tries == 0 && want) {
			memcpy(f->id, want, wlen);
			f->id[wlen] = 0;
		} else
			qid_make(f->id);
		paths(f);
		if (lstat(f->mess, &st) == 0)
			continue; /* never replace a queued message */
		if (errno != ENOENT)
			return QQ_MESS;
		f->fd = open(f->tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (f->fd >= 0) {
			qq_cur = f;
			qq_stage = ST_TMP;
			return 0;
		}
		if (errno != EEXIST)
			return QQ_TMP;
	}
	return QQ_TMP;
}

static int
writeall(int fd, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
flush(struct qq_file *f)
{
	if (writeall(f->fd, f->out.p, f->out.len) < 0)
		return QQ_WRITE;
	f->out.len = 0;
	return 0;
}

int
qq_file_write(struct qq_file *f, const void *p, size_t n)
{
	if (f->out.len + n > QQ_OUTBUF && f->out.len > 0 && flush(f))
		return QQ_WRITE;
	if (n >= QQ_OUTBUF)
		return writeall(f->fd, p, n) < 0 ? QQ_WRITE : 0;
	if (buf_cat(&f->out, p, n) < 0)
		return QQ_NOMEM;
	return 0;
}

/* Step 6b: poke quail-send.  No reader (ENXIO) or a full FIFO (EAGAIN) is
 * fine: quail-send finds todo/ID when it next looks. */
static void
trigger(void)
{
	int fd = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return;
	(void)!write(fd, "", 1);
	close(fd);
}

int
qq_file_commit(struct qq_file *f)
{
	bool strict;
	int fd;

	if (flush(f))
		return QQ_WRITE;
	/* step 3: strict: fsync; else the data written out, no commit yet */
	strict = durable_strict(f->fd);
	if (durable_prepare(f->fd, strict) < 0)
		return QQ_WRITE;
	/* step 4: link, not rename: it refuses to replace an existing name */
	if (link(f->tmp, f->mess) < 0)
		return QQ_MESS;
	qq_stage = ST_MESS;
	(void)unlink(f->tmp);
	/* step 5: fsync(mess/NN), or fsync(file) whose journal commit holds
	 * the link (lib/durable.h) */
	if (durable_finish(f->fd, f->dir, strict) < 0 || close(f->fd) < 0)
		return QQ_MESS;
	f->fd = -1;
	fd = open(f->todo,
	    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || close(fd) < 0)
		return QQ_TODO; /* step 6a */
	alarm(0);
	qq_stage = ST_DONE;
	trigger();
	return 0;
}
