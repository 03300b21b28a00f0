/* login.c: the AUTHORIZATION state (RFC 1939 section 4), run by the
 * pre-login child as quaild:nofiles: greeting, CAPA (RFC 2449), STLS
 * (RFC 2595, through quail-tls's control descriptor QUAIL_TLSFD), USER/
 * PASS, AUTH PLAIN with initial response or continuation (RFC 5034).
 * Each login forks the checkpassword program (auth.c).  control/pop3requiretls
 * (first line not "0") refuses passwords before TLS.  Trust: all input is
 * hostile; this process can read nothing private and write nothing. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base64.h"
#include "control.h"
#include "die.h"
#include "limits.h"
#include "pop3d.h"
#include "proc.h"
#include "starttls.h"

struct login {
	struct io in, out;
	unsigned char inmem[POP3_PENDING_MAX], outmem[4096];
	struct buf line, sasl;
	char user[POP3_USER_MAX + 1];
	size_t ulen;
	char **argv; /* checkpassword program and the session */
	int tlsfd;
	bool tls, requiretls;
	unsigned fails, bad;
};

static _Noreturn void
quit(struct login *g, const char *reply, int code)
{
	if (reply != NULL)
		pop3_reply(&g->out, reply);
	(void)io_flush(&g->out);
	_exit(code);
}

static bool
plain_ok(struct login *g, bool say)
{
	if (g->tls || !g->requiretls)
		return true;
	if (say)
		pop3_reply(&g->out,
		    "-ERR [AUTH] plaintext passwords refused: use STLS first");
	return false;
}

static void
capa(struct login *g)
{
	pop3_reply(&g->out, "+OK capability list follows");
	(void)io_puts(&g->out, "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
	                       "PIPELINING\r\n");
	if (plain_ok(g, false))
		(void)io_puts(&g->out, "USER\r\nSASL PLAIN\r\n");
	if (g->tlsfd >= 0 && !g->tls)
		(void)io_puts(&g->out, "STLS\r\n");
	(void)io_puts(&g->out, "IMPLEMENTATION quail\r\n.\r\n");
}

/* After a session ran: the connection was its; end with its code. */
static _Noreturn void
handed_over(int code)
{
	_exit(code);
}

static void
login(struct login *g, const char *pass, size_t plen)
{
	int code = 111, v;

	if (io_flush(&g->out) < 0)
		quit(g, NULL, 111);
	v = pop3_auth(g->argv, g->in.fd, g->out.fd, g->user, g->ulen, pass,
	    plen, g->in.p + g->in.pos, io_buffered(&g->in), &code);
	g->ulen = 0;
	if (v == 'K')
		handed_over(code);
	if (v == 'F') {
		g->fails++;
		log_info("login failed");
		sleep(POP3_FAIL_DELAY);
		if (g->fails >= POP3_FAIL_MAX)
			quit(g,
			    "-ERR [AUTH] invalid user name or password; "
			    "closing",
			    100);
		pop3_reply(
		    &g->out, "-ERR [AUTH] invalid user name or password");
		return;
	}
	quit(g, "-ERR [SYS/TEMP] login temporarily unavailable", 111);
}

static void
c_user(struct login *g, struct str a)
{
	if (!plain_ok(g, true))
		return;
	if (a.len == 0 || a.len > POP3_USER_MAX) {
		pop3_reply(&g->out, "-ERR usage: USER name");
		return;
	}
	memcpy(g->user, a.p, a.len);
	g->ulen = a.len;
	pop3_reply(&g->out, "+OK");
}

static void
c_pass(struct login *g, struct str a)
{
	if (!plain_ok(g, true))
		return;
	if (g->ulen == 0) {
		pop3_reply(&g->out, "-ERR USER first");
		return;
	}
	login(g, a.p, a.len);
}

/* The base64 of resp into g->line.  resp may lie inside g->line (the
 * initial response on the command line): base64_decode works in place
 * with the output before the input, and buf_ready does not move the line
 * then, as the decoded bytes are fewer than resp.len < its capacity. */
static int
plain_decode(struct login *g, struct str resp)
{
	buf_reset(&g->line);
	if (buf_ready(&g->line, resp.len) < 0)
		return -1;
	return base64_decode(
	    resp.p, resp.len, g->line.p, resp.len, &g->line.len);
}

/* RFC 5034: AUTH PLAIN [initial-response]; "=" is an empty response. */
static void
c_auth(struct login *g, struct str a)
{
	size_t k = str_chr(a.p, a.len, ' ');
	struct str resp = {"", 0}, user, pass;
	int r;

	if (a.len == 0) {
		(void)io_puts(&g->out, "+OK\r\nPLAIN\r\n.\r\n");
		return;
	}
	if (!str_caseeq(a.p, k, "PLAIN", 5)) {
		pop3_reply(&g->out, "-ERR unsupported SASL mechanism");
		return;
	}
	if (!plain_ok(g, true))
		return;
	if (k < a.len) {
		resp.p = a.p + k + 1;
		resp.len = a.len - k - 1;
	} else {
		(void)io_puts(&g->out, "+ \r\n");
		r = io_getline(&g->in, &g->sasl, POP3_SASL_MAX);
		if (r < 0 && errno == EMSGSIZE)
			quit(g, "-ERR line too long", 100);
		if (r <= 0)
			quit(g, NULL, 111);
		resp.p = (const char *)g->sasl.p;
		resp.len = g->sasl.len;
		resp = str_trim(resp);
	}
	if (resp.len == 1 && resp.p[0] == '*') {
		pop3_reply(&g->out, "-ERR [AUTH] authentication cancelled");
		return;
	}
	resp.len = resp.len == 1 && resp.p[0] == '=' ? 0 : resp.len;
	if (plain_decode(g, resp) < 0 ||
	    pop3_sasl_plain(g->line.p, g->line.len, &user, &pass) < 0) {
		pop3_reply(&g->out, "-ERR [AUTH] malformed PLAIN response");
		return;
	}
	memcpy(g->user, user.p, user.len);
	g->ulen = user.len;
	login(g, pass.p, pass.len);
}

/* RFC 2595 section 4: after STLS the client starts over; every byte it
 * sent in plaintext after the command is dropped (quail-tls gives a new
 * input pipe; starttls_request discards what this process buffered). */
static void
c_stls(struct login *g)
{
	struct starttls_info info;
	int r;

	if (g->tls) {
		pop3_reply(&g->out, "-ERR already under TLS");
		return;
	}
	if (g->tlsfd < 0) {
		pop3_reply(&g->out, "-ERR STLS not available");
		return;
	}
	if (io_flush(&g->out) < 0)
		quit(g, NULL, 111);
	r = starttls_request(
	    g->tlsfd, "+OK begin TLS negotiation\r\n", 120, &g->in, &info);
	if (r != 0) {
		log_info("STLS failed: %s", r > 0 ? info.reason : "error");
		quit(g, NULL, 111); /* quail-tls has closed the connection */
	}
	g->tls = true;
	g->ulen = 0;
}

static void
command(struct login *g, const struct pop3_line *l)
{
	switch (l->cmd) {
	case C_USER:
		c_user(g, l->arg);
		break;
	case C_PASS:
		c_pass(g, l->arg);
		break;
	case C_AUTH:
		c_auth(g, l->arg);
		break;
	case C_STLS:
		c_stls(g);
		break;
	case C_CAPA:
		capa(g);
		break;
	case C_NOOP:
		pop3_reply(&g->out, "+OK");
		break;
	case C_QUIT:
		quit(g, "+OK bye", 0);
	case C_APOP:
		pop3_reply(&g->out, "-ERR APOP not supported");
		break;
	case C_UNKNOWN:
		g->bad++;
		pop3_reply(&g->out, "-ERR unknown command");
		break;
	default:
		g->bad++;
		pop3_reply(&g->out, "-ERR log in first");
	}
}

_Noreturn void
pop3_login_run(char **argv)
{
	static struct login g;
	struct pop3_line l;
	unsigned long t = POP3_TIMEOUT_DEF;
	struct buf rt = BUF_INIT(64);
	const char *mode = getenv("QUAIL_TLS");
	int r;

	if (control_readulong(&t, "timeoutpop3d", POP3_TIMEOUT_DEF) < 0 ||
	    t == 0 || t > 86400)
		t = POP3_TIMEOUT_DEF;
	g.argv = argv;
	g.tls = mode != NULL && strcmp(mode, "implicit") == 0;
	g.tlsfd = mode != NULL && strcmp(mode, "starttls") == 0
	              ? starttls_ctlfd()
	              : -1;
	g.requiretls = control_readline(&rt, "pop3requiretls", "0") >= 0 &&
	               rt.len > 0 && !(rt.len == 1 && rt.p[0] == '0');
	io_init(&g.in, 0, g.inmem, sizeof g.inmem, (unsigned)t);
	io_init(&g.out, 1, g.outmem, sizeof g.outmem, (unsigned)t);
	g.in.flush = &g.out;
	buf_init(&g.line, POP3_SASL_MAX + 1);
	buf_init(&g.sasl, POP3_SASL_MAX + 1);
	pop3_reply(&g.out, "+OK quail POP3 server ready");
	for (;;) {
		r = io_getline(&g.in, &g.line, POP3_LINE_MAX);
		if (r < 0 && errno == EMSGSIZE)
			quit(&g, "-ERR line too long", 100);
		if (r < 0 && errno == ETIMEDOUT)
			quit(&g, "-ERR [SYS/TEMP] autologout: idle too long",
			    111);
		if (r <= 0)
			quit(&g, NULL, 0);
		if (pop3_parse(g.line.p, g.line.len, &l) != POP3_OK) {
			g.bad++;
			pop3_reply(&g.out, "-ERR bad command");
		} else {
			command(&g, &l);
		}
		explicit_bzero(g.line.p, g.line.len);
		if (g.bad > POP3_BADCMD_MAX)
			quit(&g, "-ERR too many bad commands", 100);
	}
}
