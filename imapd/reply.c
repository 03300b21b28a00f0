/* reply.c: every byte quail-imapd sends goes through here (STYLE.md).
 * Strings are sent quoted when they are short and printable, else as
 * literals (RFC 3501 section 4.3).  A write error ends the session. */
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"
#include "exitcode.h"
#include "fmt.h"

static _Noreturn void
lost(void)
{
	_exit(EXIT_TEMP);
}

int
reply(struct session *s, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&s->scratch);
	va_start(ap, fmt);
	if (buf_vprintf(&s->scratch, fmt, ap) < 0)
		die_nomem();
	va_end(ap);
	if (buf_cat(&s->scratch, "\r\n", 2) < 0)
		die_nomem();
	return reply_raw(s, s->scratch.p, s->scratch.len);
}

int
reply_raw(struct session *s, const void *p, size_t n)
{
	if (io_write(&s->out, p, n) < 0)
		lost();
	return 0;
}

int
reply_flush(struct session *s)
{
	if (io_flush(&s->out) < 0)
		lost();
	return 0;
}

static bool
quotable(const unsigned char *p, size_t n)
{
	size_t i;

	if (n > 200)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '"' || p[i] == '\\')
			return false;
	return true;
}

void
buf_string(struct buf *b, const void *p, size_t n)
{
	int r;

	if (quotable(p, n)) {
		r = buf_catc(b, '"');
		if (r == 0 && n)
			r = buf_cat(b, p, n);
		if (r == 0)
			r = buf_catc(b, '"');
	} else {
		r = buf_printf(b, "{%zu}\r\n", n);
		if (r == 0 && n)
			r = buf_cat(b, p, n);
	}
	if (r < 0)
		die_nomem();
}

void
buf_nstring(struct buf *b, const void *p, size_t n)
{
	if (p == NULL) {
		if (buf_cats(b, "NIL") < 0)
			die_nomem();
		return;
	}
	buf_string(b, p, n);
}

int
reply_literal(struct session *s, const void *p, size_t n)
{
	char num[FMT_ULONG + 4];
	size_t k;

	num[0] = '{';
	k = 1 + fmt_ulong(num + 1, n);
	num[k++] = '}';
	num[k++] = '\r';
	num[k++] = '\n';
	reply_raw(s, num, k);
	return reply_raw(s, p, n);
}

int
reply_string(struct session *s, const void *p, size_t n)
{
	if (quotable(p, n)) {
		reply_raw(s, "\"", 1);
		reply_raw(s, p, n);
		return reply_raw(s, "\"", 1);
	}
	return reply_literal(s, p, n);
}

int
reply_nstring(struct session *s, const void *p, size_t n, bool nil)
{
	if (nil)
		return reply_raw(s, "NIL", 3);
	return reply_string(s, p, n);
}

static const struct {
	uint32_t bit;
	const char *name;
} sysflags[] = {
    {FL_ANSWERED, "\\Answered"},
    {FL_FLAGGED, "\\Flagged"},
    {FL_DELETED, "\\Deleted"},
    {FL_SEEN, "\\Seen"},
    {FL_DRAFT, "\\Draft"},
    {FL_RECENT, "\\Recent"},
    {FL_FORWARDED, "$Forwarded"},
};

void
reply_flags(struct buf *b, const struct folder *f, uint32_t fl, uint32_t kw)
{
	size_t i;
	bool first = true;

	if (buf_catc(b, '(') < 0)
		die_nomem();
	for (i = 0; i < sizeof sysflags / sizeof sysflags[0]; i++) {
		if (!(fl & sysflags[i].bit))
			continue;
		if ((!first && buf_catc(b, ' ') < 0) ||
		    buf_cats(b, sysflags[i].name) < 0)
			die_nomem();
		first = false;
	}
	for (i = 0; f != NULL && i < f->nkw; i++) {
		if (!(kw & (1u << i)) || f->kwname[i] == NULL)
			continue;
		if ((!first && buf_catc(b, ' ') < 0) ||
		    buf_cats(b, f->kwname[i]) < 0)
			die_nomem();
		first = false;
	}
	if (buf_catc(b, ')') < 0)
		die_nomem();
}

void
reply_bye(struct session *s, const char *text)
{
	reply(s, "* BYE %s", text);
	io_flush(&s->out);
	_exit(EXIT_TEMP);
}
