/* inj_msg.c: quail-inject's pass over the message: the header section
 * into struct inj_hdr, then the body copied through.  CRLF line ends
 * become LF (the queue stores LF, quail-remote sends CRLF); with dot
 * set, a line holding only "." ends the input (sendmail without -i).
 * Bounds: INJ_LINE_MAX per header line, INJ_HDR_MAX for the section;
 * body lines of any length pass through in INJ_LINE_MAX pieces. */
#include <errno.h>
#include <string.h>

#include "inject.h"
#include "io.h"

/* Turns a trailing CRLF into LF in place. */
static void
unix_eol(struct buf *l)
{
	if (l->len >= 2 && l->p[l->len - 1] == '\n' &&
	    l->p[l->len - 2] == '\r') {
		l->p[l->len - 2] = '\n';
		l->len--;
	}
}

static bool
is_dot(const struct buf *l)
{
	return (l->len == 1 && l->p[0] == '.') ||
	       (l->len == 2 && l->p[0] == '.' && l->p[1] == '\n');
}

static int
flush_field(struct inj_hdr *h, struct buf *field)
{
	int r = 0;

	if (field->len == 0)
		return 0;
	if (field->p[field->len - 1] != '\n' && buf_catc(field, '\n') < 0)
		r = -1;
	if (r == 0 && inj_hdr_field(h, field->p, field->len) < 0)
		r = -1;
	buf_reset(field);
	return r < 0 ? (errno == EMSGSIZE ? INJ_ERR_TOOBIG : INJ_ERR_NOMEM) : 0;
}

int
inj_read_header(
    struct io *in, struct inj_hdr *h, struct buf *first, bool dot, bool *end_r)
{
	struct buf line = BUF_INIT(INJ_LINE_MAX);
	struct buf field = BUF_INIT(INJ_HDR_MAX);
	int r, code = 0;

	*end_r = false;
	for (;;) {
		r = io_getline(in, &line, INJ_LINE_MAX);
		if (r < 0) {
			code = errno == EMSGSIZE ? INJ_ERR_LINE : INJ_ERR_READ;
			break;
		}
		unix_eol(&line);
		if (r == 0 || (dot && is_dot(&line))) {
			*end_r = true;
			break;
		}
		if (line.len == 1 && line.p[0] == '\n')
			break;
		if ((line.p[0] == ' ' || line.p[0] == '\t') && field.len > 0) {
			if (buf_cat(&field, line.p, line.len) < 0) {
				code = INJ_ERR_TOOBIG;
				break;
			}
			continue;
		}
		if ((code = flush_field(h, &field)) != 0)
			break;
		if (!inj_hdr_isfield(line.p, line.len)) {
			if (buf_copy(first, line.p, line.len) < 0)
				code = INJ_ERR_NOMEM;
			break;
		}
		(void)buf_copy(&field, line.p, line.len); /* fits: <= max */
	}
	if (code == 0)
		code = flush_field(h, &field);
	buf_free(&line);
	buf_free(&field);
	return code;
}

/* Writes one body line (or INJ_LINE_MAX piece of one); *bol_r tells
 * whether the next piece starts a line.  1 when it was the end dot. */
int
inj_body_line(struct io *out, struct buf *l, bool dot, bool *bol_r)
{
	unix_eol(l);
	if (*bol_r && dot && is_dot(l))
		return 1;
	*bol_r = l->len > 0 && l->p[l->len - 1] == '\n';
	if (io_write(out, l->p, l->len) < 0)
		return -1;
	return 0;
}

int
inj_copy_body(struct io *in, struct io *out, bool dot, bool bol)
{
	struct buf line = BUF_INIT(INJ_LINE_MAX);
	int r, code = 0;

	for (;;) {
		r = io_getline(in, &line, INJ_LINE_MAX);
		if (r < 0 && errno != EMSGSIZE) {
			code = INJ_ERR_READ;
			break;
		}
		if (r == 0)
			break;
		r = inj_body_line(out, &line, dot, &bol);
		if (r != 0) {
			code = r < 0 ? INJ_ERR_WRITE : 0;
			break;
		}
	}
	/* the queue stores whole lines */
	if (code == 0 && !bol && io_write(out, "\n", 1) < 0)
		code = INJ_ERR_WRITE;
	buf_free(&line);
	return code;
}
