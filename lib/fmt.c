/* fmt.c: number formatting and a small printf onto struct buf.
 * No stdio: STYLE.md bans it from daemons, and a bounded formatter that
 * appends to a buf cannot overflow. */
#include <errno.h>
#include <string.h>
#include "fmt.h"

static size_t
fmt_base(char *s, unsigned long long u, unsigned base)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[FMT_ULONG];
	size_t n = 0, i;

	do {
		tmp[n++] = digits[u % base];
		u /= base;
	} while (u);
	if (s)
		for (i = 0; i < n; i++)
			s[i] = tmp[n - 1 - i];
	return n;
}

size_t
fmt_ulong(char *s, unsigned long long u)
{
	return fmt_base(s, u, 10);
}

size_t
fmt_xlong(char *s, unsigned long long u)
{
	return fmt_base(s, u, 16);
}

struct spec {
	int width;
	int lng; /* 0 int, 1 long, 2 long long, 3 size_t */
	char zero;
};

static int
put_num(struct buf *b, const struct spec *sp, int neg, unsigned long long u,
    unsigned base)
{
	char tmp[FMT_ULONG];
	size_t n = fmt_base(tmp, u, base);
	int pad = sp->width - (int)n - neg;

	if (neg && sp->zero && buf_catc(b, '-') < 0)
		return -1;
	while (pad-- > 0)
		if (buf_catc(b, sp->zero ? '0' : ' ') < 0)
			return -1;
	if (neg && !sp->zero && buf_catc(b, '-') < 0)
		return -1;
	return buf_cat(b, tmp, n);
}

static int
put_signed(struct buf *b, const struct spec *sp, va_list *ap)
{
	long long v;

	if (sp->lng == 2)
		v = va_arg(*ap, long long);
	else if (sp->lng == 1)
		v = va_arg(*ap, long);
	else if (sp->lng == 3)
		v = (long long)va_arg(*ap, size_t);
	else
		v = va_arg(*ap, int);
	if (v < 0)
		return put_num(b, sp, 1, 0ULL - (unsigned long long)v, 10);
	return put_num(b, sp, 0, (unsigned long long)v, 10);
}

static int
put_unsigned(struct buf *b, const struct spec *sp, va_list *ap, unsigned base)
{
	unsigned long long v;

	if (sp->lng == 2)
		v = va_arg(*ap, unsigned long long);
	else if (sp->lng == 1)
		v = va_arg(*ap, unsigned long);
	else if (sp->lng == 3)
		v = va_arg(*ap, size_t);
	else
		v = va_arg(*ap, unsigned);
	return put_num(b, sp, 0, v, base);
}

static int
put_string(struct buf *b, int prec, va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t n;

	if (!s)
		s = "(null)";
	if (prec >= 0) {
		const char *z = memchr(s, 0, (size_t)prec);
		n = z ? (size_t)(z - s) : (size_t)prec;
	} else
		n = strlen(s);
	return buf_cat(b, s, n);
}

/* Parses flags, width, precision and length of one conversion; returns
 * the conversion character's position. */
static const char *
parse_spec(const char *f, struct spec *sp, int *prec, va_list *ap)
{
	sp->zero = 0;
	sp->width = 0;
	sp->lng = 0;
	*prec = -1;
	if (*f == '0') {
		sp->zero = 1;
		f++;
	}
	while (*f >= '0' && *f <= '9' && sp->width < 1000)
		sp->width = sp->width * 10 + (*f++ - '0');
	if (f[0] == '.' && f[1] == '*') {
		*prec = va_arg(*ap, int);
		f += 2;
	}
	if (*f == 'z') {
		sp->lng = 3;
		f++;
	}
	while (*f == 'l' && sp->lng < 2) {
		sp->lng++;
		f++;
	}
	return f;
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap0)
{
	const char *f = fmt, *pct;
	struct spec sp;
	va_list ap;
	int prec, r = 0;

	va_copy(ap, ap0);
	while (r == 0 && (pct = strchr(f, '%'))) {
		if (buf_cat(b, f, (size_t)(pct - f)) < 0) {
			r = -1;
			break;
		}
		f = parse_spec(pct + 1, &sp, &prec, &ap);
		switch (*f) {
		case 's':
			r = put_string(b, prec, &ap);
			break;
		case 'c':
			r = buf_catc(b, va_arg(ap, int));
			break;
		case 'd':
			r = put_signed(b, &sp, &ap);
			break;
		case 'u':
			r = put_unsigned(b, &sp, &ap, 10);
			break;
		case 'x':
			r = put_unsigned(b, &sp, &ap, 16);
			break;
		case '%':
			r = buf_catc(b, '%');
			break;
		default: /* unknown conversion: a programming error */
			errno = EINVAL;
			r = -1;
			break;
		}
		if (*f)
			f++;
	}
	if (r == 0)
		r = buf_cats(b, f);
	va_end(ap);
	return r;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}
