/* commands.c: the POP3 command table (names, and the states in which
 * each is allowed) and the TRANSACTION state commands of RFC 1939
 * section 5 (STAT LIST RETR DELE NOOP RSET TOP UIDL QUIT) plus CAPA
 * (RFC 2449).  The AUTHORIZATION state commands are in login.c.
 * Runs as the mailbox owner; arguments come from the network. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "fmt.h"
#include "limits.h"
#include "pop3d.h"

const struct pop3_cmdinfo pop3_cmds[] = {
    {"USER", C_USER, ST_AUTH},
    {"PASS", C_PASS, ST_AUTH},
    {"APOP", C_APOP, ST_AUTH},
    {"AUTH", C_AUTH, ST_AUTH},
    {"STLS", C_STLS, ST_AUTH},
    {"CAPA", C_CAPA, ST_AUTH | ST_TRANS},
    {"QUIT", C_QUIT, ST_AUTH | ST_TRANS},
    {"NOOP", C_NOOP, ST_AUTH | ST_TRANS},
    {"STAT", C_STAT, ST_TRANS},
    {"LIST", C_LIST, ST_TRANS},
    {"RETR", C_RETR, ST_TRANS},
    {"DELE", C_DELE, ST_TRANS},
    {"RSET", C_RSET, ST_TRANS},
    {"TOP", C_TOP, ST_TRANS},
    {"UIDL", C_UIDL, ST_TRANS},
    {NULL, C_UNKNOWN, 0},
};

void
pop3_reply(struct io *out, const char *text)
{
	(void)io_puts(out, text);
	(void)io_write(out, "\r\n", 2);
}

/* "+OK "/"-ERR "-less pieces: "N SIZE\r\n" style lines, fast. */
static void
num_line(struct io *out, const char *pre, unsigned long long a, const char *mid,
    unsigned long long b, const char *post)
{
	char n[FMT_ULONG];

	(void)io_puts(out, pre);
	(void)io_write(out, n, fmt_ulong(n, a));
	(void)io_puts(out, mid);
	(void)io_write(out, n, fmt_ulong(n, b));
	(void)io_puts(out, post);
}

/* Message number argument: index into d.m, or -1 after an -ERR. */
static long
msgarg(struct pop3_sess *s, struct str a)
{
	unsigned long n;

	if (pop3_parse_num(a, s->d.n, &n) < 0) {
		pop3_reply(&s->out, "-ERR no such message");
		return -1;
	}
	if (s->d.m[n - 1].flags & M_DELE) {
		pop3_reply(&s->out, "-ERR message is deleted");
		return -1;
	}
	return (long)n - 1;
}

static void
c_stat(struct pop3_sess *s, const struct pop3_line *l)
{
	(void)l;
	num_line(&s->out, "+OK ", s->d.n - s->d.ndel, " ",
	    s->d.total - s->d.delsize, "\r\n");
}

static void
uidl_line(struct pop3_sess *s, size_t i, const char *pre)
{
	char u[POP3_UIDL_MAX + 1], n[FMT_ULONG];
	size_t len = pop3_uidl(pop3_drop_name(&s->d, i), s->d.m[i].base, u);

	(void)io_puts(&s->out, pre);
	(void)io_write(&s->out, n, fmt_ulong(n, i + 1));
	(void)io_write(&s->out, " ", 1);
	(void)io_write(&s->out, u, len);
	(void)io_write(&s->out, "\r\n", 2);
}

static void
listing(struct pop3_sess *s, const struct pop3_line *l, bool uidl)
{
	long k;
	size_t i;

	if (l->arg.len > 0) {
		if ((k = msgarg(s, l->arg)) < 0)
			return;
		if (uidl)
			uidl_line(s, (size_t)k, "+OK ");
		else
			num_line(&s->out, "+OK ", (unsigned long long)k + 1,
			    " ", s->d.m[k].size, "\r\n");
		return;
	}
	if (uidl)
		pop3_reply(&s->out, "+OK unique-id listing follows");
	else
		num_line(&s->out, "+OK ", s->d.n - s->d.ndel, " messages (",
		    s->d.total - s->d.delsize, " octets)\r\n");
	for (i = 0; i < s->d.n; i++) {
		if (s->d.m[i].flags & M_DELE)
			continue;
		if (uidl)
			uidl_line(s, i, "");
		else
			num_line(
			    &s->out, "", i + 1, " ", s->d.m[i].size, "\r\n");
	}
	pop3_reply(&s->out, ".");
}

static void
c_list(struct pop3_sess *s, const struct pop3_line *l)
{
	listing(s, l, false);
}

static void
c_uidl(struct pop3_sess *s, const struct pop3_line *l)
{
	listing(s, l, true);
}

static void
send_msg(struct pop3_sess *s, long k, long lines)
{
	int fd = pop3_drop_openmsg(&s->d, (size_t)k);
	char n[FMT_ULONG];
	bool werr;

	if (fd < 0) {
		pop3_reply(&s->out, "-ERR [SYS/TEMP] message file vanished");
		return;
	}
	(void)io_puts(&s->out, "+OK ");
	(void)io_write(&s->out, n, fmt_ulong(n, s->d.m[k].size));
	(void)io_puts(&s->out, " octets\r\n");
	if (pop3_send_msg(&s->out, fd, lines, &werr) < 0 && !werr)
		log_warn("read error on %s", pop3_drop_name(&s->d, (size_t)k));
	close(fd);
	if (lines < 0)
		s->d.m[k].flags |= M_SEEN;
}

static void
c_retr(struct pop3_sess *s, const struct pop3_line *l)
{
	long k = msgarg(s, l->arg);

	if (k >= 0)
		send_msg(s, k, -1);
}

static void
c_top(struct pop3_sess *s, const struct pop3_line *l)
{
	unsigned long m, n;
	struct str a;

	if (pop3_parse_top(l->arg, &m, &n) < 0) {
		pop3_reply(&s->out, "-ERR usage: TOP msg lines");
		return;
	}
	a.p = l->arg.p;
	a.len = str_chr(l->arg.p, l->arg.len, ' ');
	if ((m = (unsigned long)msgarg(s, a)) == (unsigned long)-1)
		return;
	if (n > 1000000000UL)
		n = 1000000000UL;
	send_msg(s, (long)m, (long)n);
}

static void
c_dele(struct pop3_sess *s, const struct pop3_line *l)
{
	long k = msgarg(s, l->arg);

	if (k < 0)
		return;
	s->d.m[k].flags |= M_DELE;
	s->d.ndel++;
	s->d.delsize += s->d.m[k].size;
	pop3_reply(&s->out, "+OK message deleted");
}

static void
c_rset(struct pop3_sess *s, const struct pop3_line *l)
{
	size_t i;

	(void)l;
	for (i = 0; i < s->d.n; i++)
		s->d.m[i].flags &= ~(unsigned)M_DELE;
	s->d.ndel = 0;
	s->d.delsize = 0;
	num_line(&s->out, "+OK maildrop has ", s->d.n, " messages (",
	    s->d.total, " octets)\r\n");
}

static void
c_noop(struct pop3_sess *s, const struct pop3_line *l)
{
	(void)l;
	pop3_reply(&s->out, "+OK");
}

static void
c_capa(struct pop3_sess *s, const struct pop3_line *l)
{
	(void)l;
	(void)io_puts(&s->out, "+OK capability list follows\r\nTOP\r\nUIDL\r\n"
	                       "RESP-CODES\r\nPIPELINING\r\n"
	                       "IMPLEMENTATION quail\r\n.\r\n");
}

static void
c_quit(struct pop3_sess *s, const struct pop3_line *l)
{
	(void)l;
	s->quit = true;
	if (pop3_drop_update(&s->d) < 0) {
		log_warn(
		    "update of %s incomplete: %s", s->d.dir, strerror(errno));
		pop3_reply(&s->out, "-ERR [SYS/TEMP] some deleted messages "
		                    "not removed");
		return;
	}
	pop3_reply(&s->out, "+OK bye");
}

typedef void (*trans_fn)(struct pop3_sess *, const struct pop3_line *);
static const trans_fn trans[C_NCMD] = {
    [C_STAT] = c_stat,
    [C_LIST] = c_list,
    [C_RETR] = c_retr,
    [C_DELE] = c_dele,
    [C_RSET] = c_rset,
    [C_TOP] = c_top,
    [C_UIDL] = c_uidl,
    [C_NOOP] = c_noop,
    [C_CAPA] = c_capa,
    [C_QUIT] = c_quit,
};

void
pop3_trans(struct pop3_sess *s, const struct pop3_line *l)
{
	if (trans[l->cmd] != NULL) {
		trans[l->cmd](s, l);
		return;
	}
	s->bad++;
	if (l->cmd == C_UNKNOWN)
		pop3_reply(&s->out, "-ERR unknown command");
	else
		pop3_reply(&s->out, "-ERR not in the TRANSACTION state");
}
