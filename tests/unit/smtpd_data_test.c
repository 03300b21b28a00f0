/* smtpd_data_test: the DATA state machine (smtpd/data.c), each case fed
 * whole and one byte at a time, plus the quail-queue exit-code table. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "../../smtpd/data.h"
#include "../../smtpd/smtpqq.h"

static const struct {
	const char *name, *in;
	size_t inlen;
	const char *out; /* expected output */
	size_t outlen;
	int res; /* DATA_END, DATA_BARELF or DATA_MORE */
	unsigned flags;
	size_t rest; /* input left after the end */
} cases[] = {

#define C(n, i, o, r, f, rest)                                                 \
	{                                                                      \
		n, i, sizeof i - 1, o, sizeof o - 1, r, f, rest                \
	}
    C("empty message", ".\r\n", "", DATA_END, 0, 0),
    C("plain", "a\r\nb\r\n.\r\n", "a\nb\n", DATA_END, 0, 0),
    C("dot-stuffing", "..x\r\n.y\r\n..\r\n.\r\n", ".x\ny\n.\n", DATA_END, 0, 0),
    C("pipelined rest", "a\r\n.\r\nQUIT\r\n", "a\n", DATA_END, 0, 6),
    C("bare LF", "a\nb\r\n.\r\n", "a", DATA_BARELF, 0, 6),
    C("LF.LF is no end", "a\r\n\n.\n", "a\n", DATA_BARELF, 0, 2),
    C("LF.CRLF is no end", "a\n.\r\n", "a", DATA_BARELF, 0, 3),
    C("CR.CR is no end", "a\r.\rb\r\n.\r\n", "a\r.\rb\n", DATA_END,
        DATA_F_BARECR, 0),
    C("bare CR", "a\rb\r\n.\r\n", "a\rb\n", DATA_END, DATA_F_BARECR, 0),
    C("CR CR LF", "a\r\r\n.\r\n", "a\r\n", DATA_END, DATA_F_BARECR, 0),
    C("dot CR x", ".\rx\r\n.\r\n", "\rx\n", DATA_END, DATA_F_BARECR, 0),
    C("NUL", "a\0b\r\n.\r\n", "a\0b\n", DATA_END, DATA_F_NUL, 0),
    C("8-bit", "\xff\xe4\r\n.\r\n", "\xff\xe4\n", DATA_END, 0, 0),
    C("unfinished", "abc\r\n.", "abc\n", DATA_MORE, 0, 0),
    C("too big", "12345678901\r\n.\r\n", "12345678901\n", DATA_END,
        DATA_F_TOOBIG, 0),
#undef C
};

static void
run(size_t i, size_t step)
{
	unsigned char out[4096];
	size_t o = 0, pos = 0, olen, used = 0, n;
	struct data_sm d;
	enum data_res r = DATA_MORE;
	char name[200];

	smtpd_data_init(&d, 10);
	while (pos < cases[i].inlen) {
		n = cases[i].inlen - pos < step ? cases[i].inlen - pos : step;
		r = smtpd_data_feed(&d,
		    (const unsigned char *)cases[i].in + pos, n, out + o, &olen,
		    &used);
		o += olen;
		pos += used;
		if (r != DATA_MORE)
			break;
	}
	snprintf(name, sizeof name, "%s (step %zu)", cases[i].name, step);
	is_int(r, cases[i].res, name);
	is_mem(out, o, cases[i].out, cases[i].outlen, name);
	is_int(d.flags, cases[i].flags, name);
	is_int(cases[i].inlen - pos, cases[i].rest, name);
}

static void
hops(void)
{
	unsigned char out[8192];
	char in[4096];
	size_t n = 0, olen, used, k;
	struct data_sm d;

	for (k = 0; k < 101; k++)
		n += (size_t)snprintf(in + n, sizeof in - n, "%s: x\r\n",
		    k % 2 ? "Received" : "DELIVERED-TO");
	n += (size_t)snprintf(in + n, sizeof in - n, "\r\n.\r\n");
	smtpd_data_init(&d, 0);
	smtpd_data_feed(&d, (unsigned char *)in, n, out, &olen, &used);
	is_int(d.hops, 101, "101 hops counted");
	ok(d.flags & DATA_F_HOPS, "101 hops flagged");
	smtpd_data_init(&d, 0);
	smtpd_data_feed(&d,
	    (const unsigned char *)"Subject: a\r\n\r\n"
	                           "Received: body\r\n.\r\n",
	    32, out, &olen, &used);
	is_int(d.hops, 0, "Received: in the body is not a hop");
}

static void
qqreply(void)
{
	struct buf out = BUF_INIT(1024), why = BUF_INIT(1024);
	bool perm;

	smtpd_qq_reply(31, NULL, &out, &perm);
	ok(perm && out.len > 4 && memcmp(out.p, "554 5.", 6) == 0, "31: 554");
	smtpd_qq_reply(53, NULL, &out, &perm);
	ok(!perm && memcmp(out.p, "451 4.3.1", 9) == 0, "53: 451 4.3.1");
	smtpd_qq_reply(111, NULL, &out, &perm);
	ok(!perm && memcmp(out.p, "451", 3) == 0, "crash: 451");
	smtpd_qq_reply(25, NULL, &out, &perm);
	ok(perm && memcmp(out.p, "554", 3) == 0, "25: permanent");
	buf_cats(&why, "Dno viruses\r\nplease");
	smtpd_qq_reply(82, &why, &out, &perm);
	is_mem(out.p, out.len, "554 5.3.0 no viruses", 20, "82 D text");
	buf_copy(&why, "Zlater", 6);
	smtpd_qq_reply(82, &why, &out, &perm);
	is_mem(out.p, out.len, "451 4.3.0 later", 15, "82 Z text");
	buf_copy(&why, "junk", 4);
	smtpd_qq_reply(82, &why, &out, &perm);
	ok(!perm && memcmp(out.p, "451", 3) == 0, "82 without D/Z: 451");
	buf_free(&out);
	buf_free(&why);
}

/* A queue program that closes fd 6 (so its reason pipe reads EOF) but
 * never exits: quail-smtpd must give up after its timeout, not wait
 * forever.  alarm() turns a hang into a failure. */
static int
qq_run_script(const char *body, unsigned timeout, time_t *took_r)
{
	static const unsigned char env[] = "Fa@b\0Tc@d\0";
	char path[] = "/tmp/quail-smtpdqq-XXXXXX";
	struct buf why = BUF_INIT(1024);
	struct smtpd_qq q;
	time_t t0;
	int fd, code;

	fd = mkstemp(path);
	if (fd < 0 || write(fd, body, strlen(body)) != (ssize_t)strlen(body) ||
	    fchmod(fd, 0700) < 0 || close(fd) < 0)
		return -1;
	t0 = time(NULL);
	if (smtpd_qq_start(&q, path, env, sizeof env, timeout) < 0) {
		unlink(path);
		return -1;
	}
	smtpd_qq_put(&q, "hello\n", 6);
	code = smtpd_qq_finish(&q, &why);
	*took_r = time(NULL) - t0;
	unlink(path);
	buf_free(&why);
	return code;
}

static void
qqwait(void)
{
	time_t took;
	int code;

	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	alarm(30);
	code = qq_run_script("#!/bin/sh\ncat >/dev/null\ncat <&1 >/dev/null\n"
	                     "exit 0\n",
	    5, &took);
	is_int(code, 0, "queue program exiting 0: 0");
	code = qq_run_script("#!/bin/sh\ncat >/dev/null\ncat <&1 >/dev/null\n"
	                     "exec 6>&-\nsleep 60\nexit 0\n",
	    2, &took);
	is_int(code, 111, "queue program hung after closing fd 6: 111");
	ok(took < 10, "... and given up after the timeout");
	alarm(0);
}

int
main(void)
{
	size_t i, steps[] = {1, 2, 3, 4096};
	size_t s;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (s = 0; s < sizeof steps / sizeof steps[0]; s++)
			run(i, steps[s]);
	hops();
	qqreply();
	qqwait();
	done_testing();
}
