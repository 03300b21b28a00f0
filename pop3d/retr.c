/* retr.c: a message as an RFC 1939 section 3 multi-line response.  The
 * Maildir holds LF line ends (quail-local writes them so); on the wire
 * every line ends in CRLF (a stored CR LF stays one CRLF), a line that
 * starts with '.' gets another '.', and ".\r\n" ends the response.  TOP
 * (section 7) sends the header, the empty line and the first n lines of
 * the body.  The file is read in POP3_RETR_BUF chunks; memory does not
 * depend on the message size. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "pop3d.h"

struct rs {
	bool bol;     /* at the start of a line */
	bool cr;      /* a CR at the end of the last chunk, held back */
	bool header;  /* still in the header */
	bool linelen; /* the current line has bytes (for the header end) */
	long lines;   /* body lines still to send; < 0: all */
	bool done;
};

/* One line segment p[0..n) of the current line; eol: it ends the line. */
static int
seg(struct io *out, struct rs *s, const unsigned char *p, size_t n, bool eol)
{
	if (s->bol && !s->header && s->lines == 0) {
		s->done = true;
		return 0;
	}
	if (s->cr && (n > 0 || !eol)) { /* the held CR was not before LF */
		if (io_write(out, "\r", 1) < 0)
			return -1;
		s->linelen = true;
	}
	s->cr = false;
	if (eol && n > 0 && p[n - 1] == '\r')
		n--;
	else if (!eol && n > 0 && p[n - 1] == '\r') {
		n--;
		s->cr = true;
	}
	if (s->bol && n > 0 && p[0] == '.' && io_write(out, ".", 1) < 0)
		return -1;
	if (n > 0 && io_write(out, p, n) < 0)
		return -1;
	if (n > 0)
		s->linelen = true;
	s->bol = false;
	if (!eol)
		return 0;
	if (io_write(out, "\r\n", 2) < 0)
		return -1;
	if (s->header && !s->linelen)
		s->header = false;
	else if (!s->header && s->lines > 0)
		s->lines--;
	s->bol = true;
	s->linelen = false;
	return 0;
}

static int
chunk(struct io *out, struct rs *s, const unsigned char *p, size_t n)
{
	const unsigned char *lf;
	size_t k;

	while (n > 0 && !s->done) {
		lf = memchr(p, '\n', n);
		k = lf ? (size_t)(lf - p) : n;
		if (seg(out, s, p, k, lf != NULL) < 0)
			return -1;
		if (lf == NULL)
			break;
		p += k + 1;
		n -= k + 1;
	}
	return 0;
}

int
pop3_send_msg(struct io *out, int fd, long lines, bool *werr)
{
	struct rs s = {true, false, true, false, lines, false};
	unsigned char *b = malloc(POP3_RETR_BUF);
	ssize_t r;
	int rerr = 0;

	*werr = false;
	if (b == NULL)
		return -1;
	while (!s.done) {
		r = read(fd, b, POP3_RETR_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rerr = r < 0 ? -1 : 0;
			break;
		}
		if (chunk(out, &s, b, (size_t)r) < 0) {
			*werr = true;
			break;
		}
	}
	free(b);
	if (!*werr && s.cr && io_write(out, "\r", 1) < 0)
		*werr = true;
	if (!*werr && !s.bol && !s.done && io_write(out, "\r\n", 2) < 0)
		*werr = true;
	if (!*werr && io_write(out, ".\r\n", 3) < 0)
		*werr = true;
	return *werr || rerr < 0 ? -1 : 0;
}
