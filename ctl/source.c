/* source.c: reading control sources line by line for quail-ctl, keeping
 * the line number for "file:line: problem" reports.  Trailing spaces and
 * tabs are removed (qmail-control(5)); in list files '#' lines and blank
 * lines are skipped.  Lines holding NUL or CR, or longer than
 * CTL_LINE_MAX, are reported as errors and skipped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auto.h"
#include "ctl.h"

int
source_open(struct source *s, const char *name, bool list)
{
	char *path = ctl_path(auto_home, name);

	memset(s, 0, sizeof *s);
	s->name = name;
	s->list = list;
	s->f = fopen(path, "r");
	free(path);
	if (s->f != NULL)
		return 1;
	if (errno == ENOENT)
		return 0;
	fprintf(stderr, "quail-ctl: unable to open %s: %s\n", name,
	    strerror(errno));
	return -1;
}

void
source_close(struct source *s)
{
	if (s->f != NULL)
		fclose(s->f);
	free(s->buf);
	s->f = NULL;
	s->buf = NULL;
}

void
source_err(struct source *s, const char *what)
{
	fprintf(stderr, "%s:%lu: %s\n", s->name, s->line, what);
	s->errors++;
}

char *
source_where(const struct source *s)
{
	size_t n = strlen(s->name) + 24;
	char *w = ctl_alloc(n);

	snprintf(w, n, "%s:%lu", s->name, s->line);
	return w;
}

/* One raw line; 1, 0 at EOF, -1 on error. */
static int
raw_line(struct source *s, size_t *n_r)
{
	ssize_t r;

	errno = 0;
	r = getline(&s->buf, &s->cap, s->f);
	if (r < 0) {
		if (errno == ENOMEM)
			ctl_nomem();
		if (ferror(s->f)) {
			fprintf(stderr, "quail-ctl: unable to read %s: %s\n",
			    s->name, strerror(errno));
			return -1;
		}
		return 0;
	}
	s->line++;
	*n_r = (size_t)r;
	return 1;
}

int
source_next(struct source *s, const char **l_r, size_t *n_r)
{
	size_t n;
	int r;

	while ((r = raw_line(s, &n)) == 1) {
		if (n > 0 && s->buf[n - 1] == '\n')
			n--;
		if (memchr(s->buf, '\0', n) != NULL) {
			source_err(s, "NUL byte in line");
			continue;
		}
		if (memchr(s->buf, '\r', n) != NULL) {
			source_err(
			    s, "carriage return in line (DOS line end?)");
			continue;
		}
		if (n > CTL_LINE_MAX) {
			source_err(s, "line too long");
			continue;
		}
		while (n > 0 && (s->buf[n - 1] == ' ' || s->buf[n - 1] == '\t'))
			n--;
		if (s->list && (n == 0 || s->buf[0] == '#'))
			continue;
		*l_r = s->buf;
		*n_r = n;
		return 1;
	}
	return r;
}
