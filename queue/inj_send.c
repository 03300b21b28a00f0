/* inj_send.c: quail-inject's side of the quail-queue interface: the
 * message into a pipe on quail-queue's fd 0, the envelope into a pipe on
 * its fd 1 (quail-queue.8), then its exit code. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auto.h"
#include "buf.h"
#include "io.h"
#include "inject.h"
#include "proc.h"

static pid_t qq_pid = -1;
static int qq_envfd = -1;

int
inj_qq_start(int *msgfd_r)
{
	struct buf path = BUF_INIT(4096);
	int m[2], e[2];
	char *argv[2];

	if (buf_cats(&path, auto_home) < 0 ||
	    buf_cats(&path, "/bin/quail-queue") < 0 || buf_cstr(&path) < 0)
		return -1;
	if (proc_pipe(m) < 0)
		return -1;
	if (proc_pipe(e) < 0)
		return -1;
	qq_pid = fork();
	if (qq_pid < 0)
		return -1;
	if (qq_pid == 0) {
		close(m[1]);
		close(e[1]);
		if (proc_move(m[0], 0) < 0 || proc_move(e[0], 1) < 0)
			_exit(120);
		argv[0] = (char *)path.p;
		argv[1] = NULL;
		execv((char *)path.p, argv);
		_exit(120);
	}
	close(m[0]);
	close(e[0]);
	buf_free(&path);
	qq_envfd = e[1];
	*msgfd_r = m[1];
	return 0;
}

int
inj_qq_finish(const char *sender, size_t slen, const struct buf *rcpts)
{
	unsigned char mem[IO_BUFSIZE];
	struct io out;
	int status;

	io_init(&out, qq_envfd, mem, sizeof mem, 0);
	/* a write error means quail-queue has gone: its code says why */
	if (io_write(&out, "F", 1) == 0 && io_write(&out, sender, slen) == 0 &&
	    io_write(&out, "", 1) == 0) {
		size_t i = 0, n;
		while (i < rcpts->len) {
			n = strlen((const char *)rcpts->p + i);
			if (io_write(&out, "T", 1) < 0 ||
			    io_write(&out, rcpts->p + i, n + 1) < 0)
				break;
			i += n + 1;
		}
		if (i >= rcpts->len && io_write(&out, "", 1) == 0)
			(void)io_flush(&out);
	}
	close(qq_envfd);
	if (proc_wait(qq_pid, &status) < 0)
		return 81;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 81;
}
