/* msg.c: the queued message (LF line ends, as quail-queue stores it)
 * and its SMTP wire form: CRLF line ends, dot-stuffing (RFC 5321
 * 4.5.2), ".\r\n" at the end.  A bare CR is passed through. */
#include <errno.h>
#include <unistd.h>

#include "remote.h"

int
msg_scan(struct msginfo *m, int fd)
{
	unsigned char b[65536];
	unsigned long long lf = 0, n = 0;
	unsigned char last = '\n';
	ssize_t r;
	size_t i;

	m->fd = fd;
	m->eightbit = false;
	if ((m->start = lseek(fd, 0, SEEK_CUR)) < 0)
		return -1;
	for (;;) {
		r = read(fd, b, sizeof b);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		for (i = 0; i < (size_t)r; i++) {
			if (b[i] == '\n')
				lf++;
			else if (b[i] >= 0x80)
				m->eightbit = true;
		}
		n += (unsigned long long)r;
		last = b[r - 1];
	}
	m->bytes = n;
	/* every LF becomes CRLF; a last line without LF gets one; ".\r\n" */
	m->wire = n + lf + (last != '\n' ? 2 : 0) + 3;
	if (lseek(fd, m->start, SEEK_SET) < 0)
		return -1;
	return 0;
}

/* state: 0 at the start of a line, 1 inside a line, 2 after a CR
 * inside a line (so the LF of a CR LF is not doubled). */
int
msg_encode(struct buf *out, const unsigned char *p, size_t n, int *state)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (*state == 0 && c == '.' && buf_catc(out, '.') < 0)
			return -1;
		if (c == '\n') {
			if (*state != 2 && buf_catc(out, '\r') < 0)
				return -1;
			if (buf_catc(out, '\n') < 0)
				return -1;
			*state = 0;
			continue;
		}
		if (buf_catc(out, c) < 0)
			return -1;
		*state = c == '\r' ? 2 : 1;
	}
	return 0;
}

int
msg_encode_end(struct buf *out, int state)
{
	if (state != 0 && buf_cats(out, "\r\n") < 0)
		return -1;
	return buf_cats(out, ".\r\n");
}
