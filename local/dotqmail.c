/* dotqmail.c: dot-qmail(5): classifying lines, the .qmail-ext / -default
 * search, and running a file's lines in order.
 * Trust: the .qmail file belongs to the recipient we run as; it is read
 * bounded (LOCAL_QMAIL_MAX) and refused when others could have written it. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "local.h"

enum dq_kind
dq_classify(const char *line, size_t len, const char **arg_r, size_t *alen_r)
{
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
	                      line[len - 1] == '\r'))
		len--;
	*arg_r = line;
	*alen_r = len;
	if (len == 0 || line[0] == '#')
		return DQ_SKIP;
	switch (line[0]) {
	case '|':
		*arg_r = line + 1;
		*alen_r = len - 1;
		return DQ_PROGRAM;
	case '.':
	case '/':
		return line[len - 1] == '/' ? DQ_MAILDIR : DQ_MBOX;
	case '&':
		line++;
		len--;
		break;
	default:
		break;
	}
	while (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
		line++;
		len--;
	}
	*arg_r = line;
	*alen_r = len;
	return len == 0 ? DQ_SKIP : DQ_FORWARD;
}

/* ".qmail" + dash + ext[0..n) + suffix, with qmail's name rules. */
static int
cand(struct buf *out, const char *dash, const char *ext, size_t n,
    const char *suffix)
{
	size_t start, i;

	if (buf_cats(out, ".qmail") < 0 || buf_cats(out, dash) < 0)
		return -1;
	start = out->len;
	if (buf_cat(out, ext, n) < 0)
		return -1;
	for (i = start; i < out->len; i++) {
		if (out->p[i] >= 'A' && out->p[i] <= 'Z')
			out->p[i] = (unsigned char)(out->p[i] - 'A' + 'a');
		else if (out->p[i] == '.' || out->p[i] == '/')
			out->p[i] = ':';
	}
	if (buf_cats(out, suffix) < 0 || buf_catc(out, '\0') < 0)
		return -1;
	return 0;
}

int
dq_candidates(const char *dash, const char *ext, struct buf *out)
{
	size_t n = strlen(ext), i;
	int count = 1;

	if (cand(out, dash, ext, n, "") < 0)
		return -1;
	if (*dash == '\0')
		return count;
	for (i = n + 1; i-- > 0;) {
		if (i != 0 && ext[i - 1] != '-')
			continue;
		if (cand(out, dash, ext, i, "default") < 0)
			return -1;
		count++;
	}
	return count;
}

/* Reads fd (bounded) into content; 0, or -1 with a report. */
static int
read_qmail(struct local_ctx *c, int fd, const char *name, struct buf *content)
{
	unsigned char tmp[4096];
	ssize_t r;

	for (;;) {
		r = read(fd, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf_cat(content, tmp, (size_t)r) < 0) {
			say(c, "4.3.0 Unable to read %s: %s", name,
			    errno == EMSGSIZE ? "file too big"
			                      : "out of memory");
			return -1;
		}
	}
	if (r < 0) {
		say(c, "4.3.0 Unable to read %s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Opens one candidate: 1 opened (*fd_r), 0 absent, -1 temporary error. */
static int
open_qmail(struct local_ctx *c, const char *name, int *fd_r)
{
	struct stat st;
	int fd;

	fd = open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		say(c, "4.3.0 Unable to open %s: %s", name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		say(c, "4.3.0 %s is not a regular file", name);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		say(c, "4.7.0 Uh-oh: %s file is writable by others", name);
		close(fd);
		return -1;
	}
	*fd_r = fd;
	return 1;
}

int
dq_find(struct local_ctx *c, struct buf *content)
{
	struct buf names = BUF_INIT(16384);
	const char *name;
	size_t off, elen = strlen(c->ext), plen;
	int n, i, r, fd = -1;

	n = dq_candidates(c->dash, c->ext, &names);
	if (n < 0) {
		say(c, "4.3.0 Unable to search .qmail files: name too long");
		return -1;
	}
	plen = strlen(".qmail") + strlen(c->dash);
	for (i = 0, off = 0, r = 0; i < n && r == 0; i++) {
		name = (const char *)names.p + off;
		off += strlen(name) + 1;
		r = open_qmail(c, name, &fd);
		if (r != 1)
			continue;
		buf_reset(&c->deflt);
		if (i > 0) { /* matched ".qmail<dash><prefix>default" */
			size_t pre = strlen(name) - plen - strlen("default");
			if (buf_cat(&c->deflt, c->ext + pre, elen - pre) < 0)
				r = -1;
		}
		if (r == 1 &&
		    (buf_copy(&c->qmfile, name, strlen(name)) < 0 ||
		        buf_cstr(&c->qmfile) < 0 || buf_cstr(&c->deflt) < 0))
			r = -1;
		if (r == 1 && read_qmail(c, fd, name, content) < 0)
			r = -1;
		close(fd);
	}
	buf_free(&names);
	return r;
}

static int
dq_line(struct local_ctx *c, enum dq_kind k, const char *arg, size_t alen)
{
	static const char *const kinds[] = {
	    "skip", "program", "forward", "mbox", "maildir"};

	if (k != DQ_SKIP)
		c->ninstr++;
	if (c->dryrun) {
		if (k != DQ_SKIP)
			say(c, "%s: %.*s", kinds[k], (int)alen, arg);
		return L_OK;
	}
	switch (k) {
	case DQ_PROGRAM:
		return pipe_deliver(c, arg, alen);
	case DQ_FORWARD:
		return fwd_add(c, arg, alen);
	case DQ_MBOX:
		return mbox_deliver(c, arg, alen);
	case DQ_MAILDIR:
		return mdir_deliver(c, arg, alen);
	default:
		return L_OK;
	}
}

int
dq_run(struct local_ctx *c, const char *content, size_t len)
{
	const char *arg;
	size_t i = 0, e, alen;
	enum dq_kind k;
	int r;

	while (i < len) {
		for (e = i; e < len && content[e] != '\n'; e++)
			;
		k = dq_classify(content + i, e - i, &arg, &alen);
		r = dq_line(c, k, arg, alen);
		if (r != L_OK)
			return r;
		i = e + 1;
	}
	return L_OK;
}
