/* session.c: the mailbox owner's half of quail-pop3d: started by the
 * checkpassword program (uid, gid, HOME, USER set; MAILDIR for virtual
 * users), it tells the login process it runs (one byte on POP3_OK_FD),
 * takes the input read ahead (POP3_PENDING_FD), locks
 * and reads the maildrop, answers the PASS/AUTH with +OK and runs the
 * TRANSACTION state until QUIT (UPDATE state), end of input or timeout
 * (no UPDATE: nothing is deleted or moved). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "die.h"
#include "fmt.h"
#include "limits.h"
#include "pop3d.h"

static unsigned char inmem[POP3_PENDING_MAX + IO_BUFSIZE];
static unsigned char outmem[65536];

static _Noreturn void
bye(struct pop3_sess *s, const char *reply, int code)
{
	pop3_drop_close(&s->d); /* the lock goes before the last reply */
	if (reply != NULL)
		pop3_reply(&s->out, reply);
	(void)io_flush(&s->out);
	_exit(code);
}

/* Input the pre-login process had read past the login command, on
 * POP3_PENDING_FD until end of file (bounded by the buffer). */
static void
pending(struct pop3_sess *s)
{
	ssize_t r;

	while (s->in.len < POP3_PENDING_MAX) {
		r = read(POP3_PENDING_FD, s->in.p + s->in.len,
		    POP3_PENDING_MAX - s->in.len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		s->in.len += (size_t)r;
	}
	close(POP3_PENDING_FD);
}

static const char *
maildir(void)
{
	static struct buf b = BUF_INIT(4096);
	const char *m = getenv("MAILDIR"), *h = getenv("HOME");

	if (m != NULL && *m == '/')
		return m;
	if (h == NULL || *h != '/' || buf_printf(&b, "%s/Maildir", h) < 0 ||
	    buf_cstr(&b) < 0)
		return NULL;
	return (const char *)b.p;
}

static void
start(struct pop3_sess *s)
{
	unsigned long t = POP3_TIMEOUT_DEF;
	const char *dir;

	if (write(POP3_OK_FD, "K", 1) == 1 || errno != EBADF)
		close(POP3_OK_FD);
	if (control_readulong(&t, "timeoutpop3d", POP3_TIMEOUT_DEF) < 0 ||
	    t == 0 || t > 86400)
		t = POP3_TIMEOUT_DEF;
	io_init(&s->in, 0, inmem, sizeof inmem, (unsigned)t);
	io_init(&s->out, 1, outmem, sizeof outmem, (unsigned)t);
	s->in.flush = &s->out;
	buf_init(&s->line, POP3_LINE_MAX + 1);
	pending(s);
	if ((dir = maildir()) == NULL)
		bye(s, "-ERR [SYS/PERM] no maildrop configured", 111);
	if (pop3_drop_open(&s->d, dir) < 0) {
		if (errno == EBUSY)
			bye(s,
			    "-ERR [IN-USE] maildrop is locked by another "
			    "session",
			    0);
		log_warn(
		    "unable to open maildrop %s: %s", dir, strerror(errno));
		bye(s, "-ERR [SYS/TEMP] unable to open the maildrop", 111);
	}
	(void)io_printf(&s->out,
	    "+OK maildrop has %zu messages (%llu octets)\r\n", s->d.n,
	    (unsigned long long)s->d.total);
}

_Noreturn void
pop3_sess_run(void)
{
	static struct pop3_sess s;
	struct pop3_line l;
	const char *user = getenv("USER");
	int r;

	log_init("quail-pop3d");
	if (getuid() == 0 || geteuid() == 0)
		die(111, "refusing to run a mailbox session as root");
	start(&s);
	while (!s.quit) {
		r = io_getline(&s.in, &s.line, POP3_LINE_MAX);
		if (r < 0 && errno == EMSGSIZE)
			bye(&s, "-ERR line too long", 100);
		if (r < 0 && errno == ETIMEDOUT)
			bye(&s, "-ERR [SYS/TEMP] autologout: idle too long",
			    111);
		if (r <= 0)
			break; /* dropped: no UPDATE, nothing deleted */
		if (pop3_parse(s.line.p, s.line.len, &l) != POP3_OK) {
			s.bad++;
			pop3_reply(&s.out, "-ERR bad command");
		} else {
			pop3_trans(&s, &l);
		}
		if (s.bad > POP3_BADCMD_MAX)
			bye(&s, "-ERR too many bad commands", 100);
	}
	log_info("session %s: %s, %zu messages, %zu deleted", user ? user : "?",
	    s.quit ? "quit" : "dropped", s.d.n, s.d.ndel);
	bye(&s, NULL, 0);
}
