/* slot.c: one in-flight delivery of quail-lspawn: its report text, and
 * the reply to quail-send when it ends (spawn protocol: slot NUL status
 * text; K delivered, D permanent, Z temporary). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "die.h"
#include "io.h"
#include "netstring.h"
#include "proc.h"
#include "sig.h"
#include "spawn.h"

static void
copyz(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void
slot_note(struct slot *s, const char *id, const char *rcpt)
{
	copyz(s->id, sizeof s->id, id);
	copyz(s->rcpt, sizeof s->rcpt, rcpt);
}

void
slot_text(struct slot *s, const char *t)
{
	text_add(s->text, &s->tlen, t, strlen(t));
}

void
slot_drain(struct slot *s, bool final)
{
	char tmp[4096];
	ssize_t r;

	while (s->out >= 0) {
		r = read(s->out, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			text_add(s->text, &s->tlen, tmp, (size_t)r);
			if (!final)
				return; /* fairness: one read per round */
			continue;
		}
		if (r < 0 && errno == EAGAIN && !final)
			return;
		close(s->out); /* EOF, error, or the child is gone */
		s->out = -1;
	}
}

static int
code_of(const struct slot *s)
{
	if (s->forced)
		return s->forced;
	if (s->killed)
		return 111;
	return proc_exitcode(s->status);
}

void
slot_reply(struct spawn *sp, size_t i)
{
	struct slot *s = &sp->slots[i];
	struct buf p = BUF_INIT(NS_REPLY_MAX), ns = BUF_INIT(NS_REPLY_MAX + 16);
	int code = code_of(s);
	char st = code == 0 ? 'K' : code == 100 ? 'D' : 'Z';

	if (s->killed)
		slot_text(s, "/4.4.7 Delivery timed out and was killed");
	text_end(s->text, &s->tlen);
	if (st != 'K')
		text_lead_code(s->text, &s->tlen, st == 'D' ? '5' : '4');
	if (s->tlen == 0)
		slot_text(s, st == 'K' ? "delivered" : "quail-local failed");
	if (buf_catu(&p, i) < 0 || buf_catc(&p, '\0') < 0 ||
	    buf_catc(&p, st) < 0 || buf_cat(&p, s->text, s->tlen) < 0 ||
	    netstring_put(&ns, p.p, p.len) < 0 ||
	    (!sp->wfail && io_writeall(1, ns.p, ns.len, 60) < 0)) {
		if (!sp->wfail)
			log_line("error", "unable to write reply: %s",
			    strerror(errno));
		sp->wfail = true;
	}
	log_info("%s slot %zu %s: %c %.*s", s->id, i, s->rcpt, st, (int)s->tlen,
	    s->text);
	if (s->out >= 0)
		close(s->out);
	s->out = -1;
	s->busy = false;
	sp->nbusy--;
	buf_free(&p);
	buf_free(&ns);
}

int
sig_catch_all(void (*handler)(int))
{
	if (sig_catch(SIGCHLD, handler, false) < 0 ||
	    sig_catch(SIGTERM, handler, false) < 0 || sig_ignore(SIGPIPE) < 0)
		return -1;
	return 0;
}
