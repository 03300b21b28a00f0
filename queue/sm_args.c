/* sm_args.c: sendmail(8)'s options, as far as a mail submission front end
 * needs them (sendmail.8 lists them).  Sendmail-style clusters: "-ti",
 * "-fme@x" or "-f me@x", "-oi", "-bs".  Unknown options are refused:
 * silently accepting one could drop what the caller asked for. */
#include <string.h>

#include "fmt.h"
#include "sm.h"

static int
bad(struct buf *why, const char *what, const char *s)
{
	buf_reset(why);
	(void)buf_printf(why, "%s%.*s", what, 100, s);
	(void)buf_cstr(why);
	return -1;
}

static int
mode_b(struct sm_opts *o, const char *v, struct buf *why)
{
	if (strcmp(v, "m") == 0)
		o->mode = SM_SEND;
	else if (strcmp(v, "s") == 0)
		o->mode = SM_SMTP;
	else if (strcmp(v, "p") == 0)
		o->mode = SM_LIST;
	else
		return bad(why, "unsupported mode -b", v);
	return 0;
}

/* -o options: i is honoured; error modes (e?), delivery modes (d?), m
 * (me too) and U are accepted without effect. */
static int
mode_o(struct sm_opts *o, const char *v, struct buf *why)
{
	if (strcmp(v, "i") == 0)
		o->i = true;
	else if (!(strcmp(v, "m") == 0 || strcmp(v, "U") == 0 ||
	             (v[0] == 'e' && v[1] && !v[2] && strchr("emepqw", v[1])) ||
	             (v[0] == 'd' && v[1] && strchr("bidq", v[1]))))
		return bad(why, "unsupported option -o", v);
	return 0;
}

/* The option letter c with value v. */
static int
with_value(struct sm_opts *o, int c, char *v, struct buf *why)
{
	switch (c) {
	case 'f':
	case 'r':
		o->f = v;
		return 0;
	case 'F':
		o->F = v;
		return 0;
	case 'b':
		return mode_b(o, v, why);
	case 'o':
		return mode_o(o, v, why);
	default: /* B N R V L h O: accepted, no effect */
		return 0;
	}
}

static int
flag(struct sm_opts *o, int c)
{
	switch (c) {
	case 't':
		o->t = true;
		return 0;
	case 'i':
		o->i = true;
		return 0;
	case 'v':
		o->v = true;
		return 0;
	case 'm': /* me too: we never drop the sender from a list */
	case 'U': /* initial submission */
	case 'G': /* gateway submission */
	case 'n': /* no aliasing */
		return 0;
	default:
		return -1;
	}
}

int
sm_parse(int argc, char **argv, struct sm_opts *o, struct buf *why)
{
	const char *a;
	char *v;
	int i;
	size_t j;

	memset(o, 0, sizeof *o);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[1] == 'q') { /* -q, -q15m, -qR...: a queue run */
			o->mode = SM_QRUN;
			continue;
		}
		for (j = 1; a[j]; j++) {
			if (strchr("frFboBNRVLhO", a[j]) == NULL) {
				if (flag(o, a[j]) < 0)
					return bad(
					    why, "unsupported option -", a + j);
				continue;
			}
			v = argv[i] + j + 1;
			if (*v == 0) {
				if (i + 1 >= argc)
					return bad(why,
					    "option needs a value: -", a + j);
				v = argv[++i];
			}
			if (with_value(o, a[j], v, why) < 0)
				return -1;
			break;
		}
	}
	o->first = i;
	return 0;
}
