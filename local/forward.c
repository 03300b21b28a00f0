/* forward.c: "&address" and bare address lines.  All forwards of one
 * delivery are collected and re-queued at the end with one run of
 * HOME/bin/quail-queue: the message with our Delivered-To line on its
 * fd 0, the envelope (F sender, T each address) on its fd 1, with the
 * original sender (or the list owner, see dot-qmail(5)) as qmail does. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "auto.h"
#include "buf.h"
#include "io.h"
#include "local.h"
#include "proc.h"

int
fwd_add(struct local_ctx *c, const char *addr, size_t alen)
{
	size_t at;

	if (alen >= 2 && addr[0] == '<' && addr[alen - 1] == '>') {
		addr++;
		alen -= 2;
	}
	at = addr_at(addr, alen);
	if (alen == 0 || alen > ADDR_MAX || memchr(addr, '\0', alen)) {
		say(c, "5.1.3 Bad forwarding address");
		return L_PERM;
	}
	if (buf_cat(&c->forwards, addr, alen) < 0 ||
	    (at == alen && (buf_catc(&c->forwards, '@') < 0 ||
	                       buf_cats(&c->forwards, c->domain) < 0)) ||
	    buf_catc(&c->forwards, '\0') < 0) {
		say(c, "4.3.0 Too many forwarding addresses");
		return L_TEMP;
	}
	c->nforwards++;
	return L_OK;
}

static int
put(void *arg, const void *p, size_t n)
{
	return io_write(arg, p, n);
}

/* Feeds the message to m and the envelope to e, closing both. */
static void
feed(struct local_ctx *c, int m, int e)
{
	unsigned char mem[IO_BUFSIZE];
	struct io out;
	size_t i;

	io_init(&out, m, mem, sizeof mem, 3600);
	if (io_write(&out, c->dtline.p, c->dtline.len) == 0 &&
	    msg_copy(c, put, &out) == 0)
		io_flush(&out);
	close(m);
	io_init(&out, e, mem, sizeof mem, 3600);
	io_write(&out, "F", 1);
	io_write(&out, c->ueo.p, c->ueo.len);
	io_write(&out, "", 1);
	for (i = 0; i < c->forwards.len;) {
		size_t n = strlen((char *)c->forwards.p + i) + 1;
		io_write(&out, "T", 1);
		io_write(&out, c->forwards.p + i, n);
		i += n;
	}
	io_write(&out, "", 1);
	io_flush(&out);
	close(e);
}

static int
spawn_queue(int m[2], int e[2])
{
	static const char qq[] = "/bin/quail-queue";
	struct buf path = BUF_INIT(4096);
	static char name[] = "quail-queue";
	char *argv[2];
	pid_t pid;

	if (buf_cats(&path, auto_home) < 0 || buf_cats(&path, qq) < 0 ||
	    buf_cstr(&path) < 0)
		return -1;
	pid = fork();
	if (pid != 0) {
		buf_free(&path);
		return pid;
	}
	if (proc_move(m[0], 0) < 0 || proc_move(e[0], 1) < 0)
		_exit(111);
	argv[0] = name;
	argv[1] = NULL;
	execv((char *)path.p, argv);
	_exit(111);
}

int
fwd_send(struct local_ctx *c)
{
	int m[2], e[2], status, code;
	pid_t pid;

	if (c->nforwards == 0)
		return L_OK;
	if (io_flush(c->out) < 0 || proc_pipe(m) < 0)
		goto fail;
	if (proc_pipe(e) < 0) {
		close(m[0]);
		close(m[1]);
		goto fail;
	}
	pid = spawn_queue(m, e);
	close(m[0]);
	close(e[0]);
	if (pid < 0) {
		close(m[1]);
		close(e[1]);
		goto fail;
	}
	feed(c, m[1], e[1]);
	if (proc_wait(pid, &status) < 0)
		goto fail;
	code = proc_exitcode(status);
	if (code == 0) {
		say(c, "forwarded to %zu address%s", c->nforwards,
		    c->nforwards == 1 ? "" : "es");
		return L_OK;
	}
	say(c, "%s Unable to forward: quail-queue exited %d",
	    code >= 11 && code <= 40 ? "5.3.0" : "4.3.0", code);
	return code >= 11 && code <= 40 ? L_PERM : L_TEMP;
fail:
	say(c, "4.3.0 Unable to run quail-queue: %s", strerror(errno));
	return L_TEMP;
}
