/* io_test.c: lib/io.c — line limits (byte at a time and one huge write),
 * hostile bytes, EOF, final line without LF, deadlines, flush before a
 * blocking read, EPIPE without SIGPIPE death, short and non-blocking
 * writes.  Only the explicit timeout tests wait (1 second each). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"
#include "proc.h"
#include "sig.h"
#include "tap.h"

/* Generous deadline for tests that must not hang if the code is wrong;
 * a passing run never waits for it. */
#define SAFETY 20

#define HUGE  (1 << 20) /* one write without LF */
#define BIG   (1 << 22) /* more than any pipe or socket buffer */
#define TOTAL (1 << 20) /* streamed through a non-blocking pipe */
#define LINES 2000      /* small lines through a non-blocking pipe */

static void
mkpipe(int fd[2])
{
	if (proc_pipe(fd) < 0) {
		perror("pipe");
		exit(2);
	}
}

/* A connected pair: a pipe or a stream socket; fd[0] reads. */
static void
mkpair(int fd[2], bool sock)
{
	int sv[2];

	if (!sock) {
		mkpipe(fd);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		exit(2);
	/* Numbers no pipe here ever had: io.c remembers the last fd that
	 * was not a socket, and the socket path is what is under test. */
	fd[0] = 100;
	fd[1] = 101;
	if (proc_move(sv[0], fd[0]) < 0 || proc_move(sv[1], fd[1]) < 0)
		exit(2);
}

/* Write all of s to fd (test helper, blocking). */
static void
put(int fd, const void *s, size_t n)
{
	if (io_writeall(fd, s, n, 0) < 0) {
		perror("put");
		exit(2);
	}
}

static pid_t
spawn_writer(
    int fd, const char *a, size_t alen, int go, const char *b, size_t blen)
{
	pid_t pid = fork();
	char c;

	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid > 0)
		return pid;
	put(fd, a, alen);
	if (go >= 0 && read(go, &c, 1) != 1)
		_exit(3);
	put(fd, b, blen);
	_exit(0);
}

static int
child_status(pid_t pid)
{
	int st;

	if (proc_wait(pid, &st) < 0)
		return -1;
	return proc_exitcode(st);
}

/* Hostile bytes pass through; the last line lacks LF. */
static const char hostile[] = "a\nbb\r\nc\0d\re\n\n\xff\x80z\nfinal";

static const struct {
	const char *s;
	size_t len;
} hostile_lines[] = {
    {"a\n", 2},
    {"bb\r\n", 4},
    {"c\0d\re\n", 6},
    {"\n", 1},
    {"\xff\x80z\n", 4},
    {"final", 5},
};

static void
test_lines(size_t cap)
{
	unsigned char mem[IO_BUFSIZE];
	struct buf line = BUF_INIT(100);
	struct io in;
	int fd[2], r;
	size_t i;
	bool good = true;

	mkpipe(fd);
	put(fd[1], hostile, sizeof hostile - 1);
	close(fd[1]);
	io_init(&in, fd[0], mem, cap, SAFETY);
	for (i = 0; i < sizeof hostile_lines / sizeof hostile_lines[0]; i++) {
		r = io_getline(&in, &line, 100);
		if (r != 1 || line.len != hostile_lines[i].len ||
		    memcmp(line.p, hostile_lines[i].s, line.len) != 0) {
			good = false;
			diag("cap %zu line %zu: r=%d len=%zu", cap, i, r,
			    line.len);
		}
	}
	ok(good, "hostile bytes and final line without LF pass through");
	is_int(io_getline(&in, &line, 100), 0, "then EOF");
	is_int(line.len, 0, "EOF leaves the line empty");
	is_int(io_getline(&in, &line, 100), 0, "EOF again");
	close(fd[0]);
	buf_free(&line);
}

/* Line limit with any buffer size: the io never hands out more than max
 * bytes and leaves the rest of the line in the pipe or the buffer. */
static void
test_limit(size_t cap)
{
	static const char in_s[] = "abcdefghij\nxy\n12345\n123456\n";
	unsigned char mem[IO_BUFSIZE], rest[64];
	struct buf line = BUF_INIT(5);
	struct io in;
	int fd[2];
	ssize_t n;
	size_t left;

	mkpipe(fd);
	put(fd[1], in_s, sizeof in_s - 1);
	close(fd[1]);
	io_init(&in, fd[0], mem, cap, SAFETY);
	errno = 0;
	is_int(io_getline(&in, &line, 5), -1, "long line refused");
	is_int(errno, EMSGSIZE, "with EMSGSIZE");
	is_mem(line.p, line.len, "abcde", 5, "line holds exactly max bytes");
	if (cap == 1) {
		/* Byte at a time: nothing beyond max was read from the fd. */
		n = read(fd[0], rest, sizeof rest);
		left = sizeof in_s - 1 - 5;
		is_int(io_buffered(&in), 0, "nothing buffered past max");
		is_int(n, left, "nothing past max taken from the fd");
		close(fd[0]);
		buf_free(&line);
		return;
	}
	is_int(io_skipline(&in), 1, "skipline");
	is_int(io_getline(&in, &line, 5), 1, "next line");
	is_mem(line.p, line.len, "xy\n", 3, "next line intact");
	errno = 0;
	is_int(io_getline(&in, &line, 5), -1, "5 bytes + LF > max 5");
	is_int(io_skipline(&in), 1, "skip the LF alone");
	is_int(io_getline(&in, &line, 5), -1, "6 bytes refused");
	is_int(io_skipline(&in), 1, "skip rest");
	is_int(io_skipline(&in), 0, "skipline at EOF");
	close(fd[0]);
	buf_free(&line);
}

static void
test_limit_exact(void)
{
	unsigned char mem[3];
	struct buf line = BUF_INIT(4);
	struct io in;
	int fd[2];

	mkpipe(fd);
	put(fd[1], "abc\nd", 5);
	close(fd[1]);
	io_init(&in, fd[0], mem, sizeof mem, SAFETY);
	is_int(io_getline(&in, &line, 4), 1, "line of exactly max with LF");
	is_mem(line.p, line.len, "abc\n", 4, "its bytes");
	is_int(io_getline(&in, &line, 4), 1, "final partial line");
	is_mem(line.p, line.len, "d", 1, "its bytes");
	is_int(io_getline(&in, &line, 4), 0, "EOF");
	close(fd[0]);
	buf_free(&line);
}

/* Exactly max bytes and a writer that goes quiet: refused at once,
 * without waiting for one more byte (that wait would end in ETIMEDOUT). */
static void
test_limit_stall(size_t cap)
{
	unsigned char mem[IO_BUFSIZE];
	struct buf line = BUF_INIT(5);
	struct io in;
	int fd[2];

	mkpipe(fd);
	put(fd[1], "abcde", 5);
	io_init(&in, fd[0], mem, cap, SAFETY);
	errno = 0;
	is_int(io_getline(&in, &line, 5), -1, "max bytes, writer quiet");
	is_int(errno, EMSGSIZE, "EMSGSIZE at once");
	close(fd[0]);
	close(fd[1]);
	buf_free(&line);
}

/* One huge write without LF: io_getline must give up at max without
 * waiting for an LF (the writer sends it only after we say go). */
static void
test_huge(void)
{
	unsigned char mem[IO_BUFSIZE];
	struct buf line = BUF_INIT(1000);
	struct io in;
	char *big;
	int fd[2], go[2];
	pid_t pid;

	big = malloc(HUGE);
	if (big == NULL)
		exit(2);
	memset(big, 'x', HUGE);
	mkpipe(fd);
	mkpipe(go);
	pid = spawn_writer(fd[1], big, HUGE, go[0], "\nnext\n", 6);
	close(fd[1]);
	close(go[0]);
	io_init(&in, fd[0], mem, sizeof mem, SAFETY);
	errno = 0;
	is_int(io_getline(&in, &line, 1000), -1, "huge line refused early");
	is_int(errno, EMSGSIZE, "EMSGSIZE, not a timeout");
	is_int(line.len, 1000, "line holds max bytes");
	ok(line.cap <= 1001, "line buffer never grew past max");
	put(go[1], "g", 1);
	close(go[1]);
	is_int(io_skipline(&in), 1, "skipline eats the megabyte");
	is_int(io_getline(&in, &line, 1000), 1, "line after it");
	is_mem(line.p, line.len, "next\n", 5, "intact");
	is_int(io_getline(&in, &line, 1000), 0, "EOF");
	is_int(child_status(pid), 0, "writer done");
	close(fd[0]);
	free(big);
	buf_free(&line);
}

static void
test_read(void)
{
	unsigned char mem[8], got[64];
	struct io in;
	int fd[2];

	mkpipe(fd);
	put(fd[1], "0123456789abcdefghijklmnopqrstuvwxyz", 36);
	close(fd[1]);
	io_init(&in, fd[0], mem, sizeof mem, SAFETY);
	is_int(io_read(&in, got, 3), 3, "small read");
	is_mem(got, 3, "012", 3, "bytes");
	is_int(io_buffered(&in), 5, "rest of the fill buffered");
	is_int(io_read(&in, got, 20), 5, "buffered bytes first");
	is_mem(got, 5, "34567", 5, "bytes");
	is_int(io_read(&in, got, 20), 20, "big read goes direct");
	is_mem(got, 20, "89abcdefghijklmnopqr", 20, "bytes");
	is_int(io_fill(&in), 8, "fill");
	is_int(io_fill(&in), -1, "fill of a full buffer refused");
	is_int(io_read(&in, got, 64), 8, "drain");
	is_int(io_read(&in, got, 64), 0, "EOF");
	close(fd[0]);
}

/* The explicit deadline tests: 1 second each, nothing else waits. */
static const struct {
	bool sock, nonblock, write;
	const char *name;
} timeouts[] = {
    {false, false, false, "read, blocking pipe"},
    {false, true, false, "read, non-blocking pipe"},
    {true, false, false, "read, socket"},
    {false, false, true, "write, blocking pipe nobody reads"},
    {true, false, true, "write, blocking socket nobody reads"},
};

static void
test_timeout(void)
{
	unsigned char mem[64], *big;
	struct buf line = BUF_INIT(64);
	struct io in;
	int fd[2], r, e;
	size_t i;

	big = calloc(1, BIG);
	if (big == NULL)
		exit(2);
	for (i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
		mkpair(fd, timeouts[i].sock);
		proc_nonblock(fd[timeouts[i].write], timeouts[i].nonblock);
		errno = 0;
		if (timeouts[i].write) {
			r = io_writeall(fd[1], big, BIG, 1);
		} else {
			io_init(&in, fd[0], mem, sizeof mem, 1);
			r = io_getline(&in, &line, 64);
		}
		e = errno;
		is_int(r, -1, timeouts[i].name);
		is_int(e, ETIMEDOUT, "ETIMEDOUT");
		close(fd[0]);
		close(fd[1]);
	}
	free(big);
	buf_free(&line);
}

static void
test_flush_before_read(void)
{
	unsigned char imem[64], omem[64], cbuf[64];
	struct buf line = BUF_INIT(64);
	struct io in, out, cin;
	int req[2], rep[2];
	pid_t pid;

	mkpipe(req);
	mkpipe(rep);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		/* Peer: answers only after it has seen our request. */
		close(req[1]);
		close(rep[0]);
		io_init(&cin, req[0], cbuf, sizeof cbuf, SAFETY);
		if (io_getline(&cin, &line, 64) != 1 || line.len != 6 ||
		    memcmp(line.p, "hello\n", 6) != 0)
			_exit(1);
		put(rep[1], "ok\n", 3);
		_exit(0);
	}
	close(req[0]);
	close(rep[1]);
	io_init(&out, req[1], omem, sizeof omem, SAFETY);
	io_init(&in, rep[0], imem, sizeof imem, SAFETY);
	in.flush = &out;
	ok(io_puts(&out, "hello\n") == 0 && out.len == 6, "request buffered");
	is_int(io_getline(&in, &line, 64), 1, "reply arrives: we flushed");
	is_mem(line.p, line.len, "ok\n", 3, "reply");
	is_int(out.len, 0, "output buffer empty");
	is_int(child_status(pid), 0, "peer saw the request");

	/* Lines already buffered: replies stay batched (pipelining); the
	 * next read system call flushes them first. */
	close(rep[0]);
	mkpipe(rep);
	io_init(&in, rep[0], imem, sizeof imem, SAFETY);
	in.flush = &out;
	put(rep[1], "one\ntwo\n", 8);
	close(rep[1]);
	is_int(io_getline(&in, &line, 64), 1, "pipelined line one");
	io_puts(&out, "250 ok\n");
	is_int(io_getline(&in, &line, 64), 1, "line two from the buffer");
	is_int(out.len, 7, "no flush while input is buffered");
	errno = 0;
	is_int(io_getline(&in, &line, 64), -1, "read needed: flush fails");
	is_int(errno, EPIPE, "with the flush's EPIPE (peer exited)");
	close(rep[0]);
	close(req[1]);
	buf_free(&line);
}

static bool
sigpipe_pending(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGPIPE) == 1;
}

static void
test_epipe(void)
{
	unsigned char mem[16];
	struct io out;
	int fd[2], sv[2];

	sig_default(SIGPIPE);
	mkpipe(fd);
	close(fd[0]);
	io_init(&out, fd[1], mem, sizeof mem, SAFETY);
	is_int(io_puts(&out, "x"), 0, "buffered write succeeds");
	errno = 0;
	is_int(io_flush(&out), -1, "flush to a closed pipe fails");
	is_int(errno, EPIPE, "EPIPE, and we are alive");
	errno = 0;
	is_int(io_puts(&out, "y"), -1, "error is sticky");
	is_int(errno, EPIPE, "same errno");
	errno = 0;
	is_int(io_writeall(fd[1], "z", 1, 0), -1, "writeall, no timeout");
	is_int(errno, EPIPE, "EPIPE");
	ok(!sigpipe_pending(), "no SIGPIPE left pending");
	close(fd[1]);

	/* Already blocked by the caller: still EPIPE, mask untouched. */
	mkpipe(fd);
	close(fd[0]);
	sig_block(SIGPIPE);
	is_int(io_writeall(fd[1], "z", 1, 1), -1, "with SIGPIPE blocked");
	ok(sigpipe_pending(), "caller's pending SIGPIPE left to the caller");
	sig_ignore(SIGPIPE); /* discards the pending one */
	sig_unblock(SIGPIPE);
	sig_default(SIGPIPE);
	close(fd[1]);

	mkpair(sv, true);
	close(sv[1]);
	errno = 0;
	is_int(io_writeall(sv[0], "z", 1, 1), -1, "closed socket");
	is_int(errno, EPIPE, "EPIPE on a socket");
	close(sv[0]);
}

/* Non-blocking pipe, a megabyte through io_write in odd pieces: every
 * short write and EAGAIN is retried; the reader checks every byte. */
static void
test_nonblock_write(unsigned timeout)
{
	unsigned char mem[IO_BUFSIZE], chunk[777], r[4096];
	struct io out;
	int fd[2], bad = 0;
	size_t i, sent = 0, got = 0;
	ssize_t n;
	pid_t pid;

	mkpipe(fd);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		close(fd[1]);
		while ((n = read(fd[0], r, sizeof r)) > 0) {
			for (i = 0; i < (size_t)n; i++)
				if (r[i] != (unsigned char)((got + i) % 251))
					bad = 1;
			got += (size_t)n;
		}
		_exit(bad || got != TOTAL || n < 0);
	}
	close(fd[0]);
	proc_nonblock(fd[1], true);
	io_init(&out, fd[1], mem, sizeof mem, timeout);
	while (sent < TOTAL) {
		size_t k =
		    TOTAL - sent < sizeof chunk ? TOTAL - sent : sizeof chunk;
		if (sent % 3 == 0 && k > 100)
			k = 100;
		for (i = 0; i < k; i++)
			chunk[i] = (unsigned char)((sent + i) % 251);
		if (io_write(&out, chunk, k) < 0)
			break;
		sent += k;
	}
	is_int(sent, TOTAL, "all written to a non-blocking pipe");
	is_int(io_flush(&out), 0, "flushed");
	close(fd[1]);
	is_int(child_status(pid), 0, "reader got every byte in order");
}

/* Non-blocking input fed in small writes: EAGAIN waits (no timeout,
 * and with one) until the data is there; every line arrives intact. */
static void
test_nonblock_read(unsigned timeout)
{
	unsigned char mem[16];
	struct buf line = BUF_INIT(16);
	struct io in;
	char want[32];
	int fd[2], n, bad = 0;
	pid_t pid;

	mkpipe(fd);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		close(fd[0]);
		for (n = 0; n < LINES; n++) {
			snprintf(want, sizeof want, "line %d\n", n);
			put(fd[1], want, strlen(want));
		}
		_exit(0);
	}
	close(fd[1]);
	proc_nonblock(fd[0], true);
	io_init(&in, fd[0], mem, sizeof mem, timeout);
	for (n = 0; n < LINES; n++) {
		snprintf(want, sizeof want, "line %d\n", n);
		if (io_getline(&in, &line, 16) != 1 ||
		    line.len != strlen(want) ||
		    memcmp(line.p, want, line.len) != 0)
			bad++;
	}
	is_int(bad, 0, "non-blocking reads: every line intact");
	is_int(io_getline(&in, &line, 16), 0, "then EOF");
	is_int(child_status(pid), 0, "writer done");
	close(fd[0]);
	buf_free(&line);
}

static volatile sig_atomic_t got_usr1;

static void
on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

/* A signal during a blocking read (no SA_RESTART): the read is retried.
 * Whether the signal lands before or during the wait, the outcome is the
 * same, so the test does not depend on timing. */
static void
test_eintr(void)
{
	unsigned char mem[64];
	struct buf line = BUF_INIT(64);
	struct io in;
	int fd[2];
	pid_t pid;

	sig_catch(SIGUSR1, on_usr1, false);
	mkpipe(fd);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		put(fd[1], "after signal\n", 13);
		_exit(0);
	}
	close(fd[1]);
	io_init(&in, fd[0], mem, sizeof mem, SAFETY);
	is_int(io_getline(&in, &line, 64), 1, "line despite the signal");
	is_mem(line.p, line.len, "after signal\n", 13, "its bytes");
	is_int(child_status(pid), 0, "child done");
	ok(got_usr1, "signal was delivered");
	sig_default(SIGUSR1);
	close(fd[0]);
	buf_free(&line);
}

static void
test_printf(void)
{
	static const char want[] = "250 -7 42|0beef\r\n"
	                           "tail that is longer than the buffer\n";
	unsigned char mem[16], got[128];
	struct io out;
	int fd[2];
	ssize_t n;

	mkpipe(fd);
	io_init(&out, fd[1], mem, sizeof mem, SAFETY);
	is_int(io_printf(
	           &out, "%s %d %zu|%05x\r\n", "250", -7, (size_t)42, 0xbeefu),
	    0, "io_printf");
	is_int(io_puts(&out, "tail that is longer than the buffer\n"), 0,
	    "long write");
	is_int(io_flush(&out), 0, "flush");
	n = read(fd[0], got, sizeof got);
	is_mem(got, n > 0 ? (size_t)n : 0, want, sizeof want - 1,
	    "formatted bytes in order");
	close(fd[0]);
	close(fd[1]);
}

int
main(void)
{
	static const size_t caps[] = {1, 2, 3, 7, 64, IO_BUFSIZE};
	size_t i;

	alarm(120); /* a hung test dies instead of waiting forever */
	for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		test_lines(caps[i]);
		test_limit(caps[i]);
		test_limit_stall(caps[i]);
	}
	test_limit_exact();
	test_huge();
	test_read();
	test_flush_before_read();
	test_epipe();
	test_nonblock_write(0);
	test_nonblock_write(SAFETY);
	test_nonblock_read(0);
	test_nonblock_read(SAFETY);
	test_eintr();
	test_printf();
	test_timeout();
	done_testing();
}
