/* die.c: log lines and fatal exits on fd 2, for multilog. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"
#include "die.h"
#include "exitcode.h"
#include "fmt.h"

static const char *progname = "quail";

void
log_init(const char *name)
{
	const char *slash = strrchr(name, '/');

	progname = slash ? slash + 1 : name;
}

/* Escape control bytes and bytes >= 0x7f: one event, one line. */
__attribute__((format(printf, 2, 0))) static void
emit(const char *level, const char *fmt, va_list ap, const char *tail)
{
	static const char hex[] = "0123456789abcdef";
	char out[4096];
	size_t n = 0, i;
	struct buf b = BUF_INIT(3000);
	int saved = errno;

	(void)buf_vprintf(
	    &b, fmt, ap); /* partial text is still worth logging */
	if (tail)
		(void)buf_printf(&b, ": %s", tail);
#define PUT(c)                                                                 \
	do {                                                                   \
		if (n < sizeof out - 1)                                        \
			out[n++] = (c);                                        \
	} while (0)
	for (i = 0; progname[i] && n < 200; i++)
		PUT(progname[i]);
	PUT(':');
	PUT(' ');
	for (i = 0; level[i]; i++)
		PUT(level[i]);
	PUT(':');
	PUT(' ');
	for (i = 0; i < b.len; i++) {
		unsigned char c = b.p[i];
		if (c < 0x20 || c >= 0x7f || c == '\\') {
			PUT('\\');
			PUT('x');
			PUT(hex[c >> 4]);
			PUT(hex[c & 15]);
		} else
			PUT((char)c);
	}
#undef PUT
	out[n++] = '\n';
	buf_free(&b);
	{
		size_t w = 0;
		while (w < n) {
			ssize_t r = write(2, out + w, n - w);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			w += (size_t)r;
		}
	}
	errno = saved;
}

void
log_line(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(level, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("info", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning", fmt, ap, NULL);
	va_end(ap);
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("fatal", fmt, ap, NULL);
	va_end(ap);
	_exit(code);
}

void
die_sys(int code, const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	emit("fatal", fmt, ap, err);
	va_end(ap);
	_exit(code);
}

void
die_nomem(void)
{
	errno = ENOMEM;
	die_sys(EXIT_TEMP, "out of memory");
}
