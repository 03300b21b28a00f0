/* date.c: IMAP dates (RFC 3501 date, date-time) and RFC 5322 Date:
 * header parsing (for SENTBEFORE etc.), formatting in UTC+0000.  Pure. */
#include <string.h>
#include <time.h>
#include "imapd.h"
#include "die.h"
#include "fmt.h"
#include "str.h"

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int
month_of(const char *p, size_t len)
{
	int i;

	if (len < 3)
		return -1;
	for (i = 0; i < 12; i++)
		if (str_caseeq(p, 3, months + 3 * i, 3))
			return i;
	return -1;
}

/* days since 1970-01-01 of y-m-d (m 0..11), proleptic Gregorian */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	m += 1;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static size_t
num(const char *p, size_t len, size_t maxd, long *r)
{
	size_t i = 0;
	long v = 0;

	while (i < len && i < maxd && p[i] >= '0' && p[i] <= '9')
		v = v * 10 + (p[i++] - '0');
	*r = v;
	return i;
}

/* "d-Mon-yyyy" or, with_time, "dd-Mon-yyyy hh:mm:ss +zzzz" (a leading
 * space for one-digit days).  Returns (time_t)-1 when malformed. */
time_t
imap_parse_date(const char *p, size_t len, bool with_time)
{
	long d, y, hh = 0, mm = 0, ss = 0, z = 0;
	size_t i = 0, k;
	int m, sign = 1;

	if (with_time && len > 0 && p[0] == ' ')
		i++;
	k = num(p + i, len - i, 2, &d);
	if (k == 0 || d < 1 || d > 31 || i + k >= len || p[i + k] != '-')
		return (time_t)-1;
	i += k + 1;
	if ((m = month_of(p + i, len - i)) < 0 || i + 3 >= len ||
	    p[i + 3] != '-')
		return (time_t)-1;
	i += 4;
	if (num(p + i, len - i, 4, &y) != 4)
		return (time_t)-1;
	i += 4;
	if (with_time) {
		if (len - i != 15 || p[i] != ' ' || p[i + 3] != ':' ||
		    p[i + 6] != ':' || p[i + 9] != ' ' ||
		    (p[i + 10] != '+' && p[i + 10] != '-'))
			return (time_t)-1;
		if (num(p + i + 1, 2, 2, &hh) != 2 ||
		    num(p + i + 4, 2, 2, &mm) != 2 ||
		    num(p + i + 7, 2, 2, &ss) != 2 ||
		    num(p + i + 11, 4, 4, &z) != 4 || hh > 23 || mm > 59 ||
		    ss > 60)
			return (time_t)-1;
		sign = p[i + 10] == '-' ? -1 : 1;
		i = len;
	}
	if (i != len)
		return (time_t)-1;
	return (time_t)(days_from_civil(y, m, (int)d) * 86400 + hh * 3600 +
	                mm * 60 + ss -
	                sign * ((z / 100) * 3600 + (z % 100) * 60));
}

void
imap_fmt_date(struct buf *b, time_t t)
{
	long long days = (long long)t / 86400, secs = (long long)t % 86400;
	long long z, era, doe, yoe, y, doy, mp, d, m;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	if (buf_printf(b, "%02lld-%.*s-%04lld %02lld:%02lld:%02lld +0000", d, 3,
	        months + 3 * (m - 1), y, secs / 3600, secs / 60 % 60,
	        secs % 60) < 0)
		die_nomem();
}

/* RFC 5322 section 3.3: [day ","] d Mon yyyy hh:mm[:ss] zone.  Lenient
 * about spaces and obsolete zones (taken as +0000). -1 if unparseable. */
time_t
rfc822_parse_date(const char *p, size_t len)
{
	size_t i = 0, k;
	long d, y, hh = 0, mm = 0, ss = 0, z = 0;
	int m, sign = 1;

	k = str_chr(p, len, ',');
	if (k < len)
		i = k + 1;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if ((k = num(p + i, len - i, 2, &d)) == 0)
		return (time_t)-1;
	i += k;
	while (i < len && p[i] == ' ')
		i++;
	if ((m = month_of(p + i, len - i)) < 0)
		return (time_t)-1;
	i += 3;
	while (i < len && p[i] == ' ')
		i++;
	k = num(p + i, len - i, 4, &y);
	if (k == 2)
		y += y < 50 ? 2000 : 1900;
	else if (k != 4)
		return (time_t)-1;
	i += k;
	while (i < len && p[i] == ' ')
		i++;
	if ((k = num(p + i, len - i, 2, &hh)) > 0 && i + k < len &&
	    p[i + k] == ':') {
		i += k + 1;
		i += num(p + i, len - i, 2, &mm);
		if (i < len && p[i] == ':') {
			i++;
			i += num(p + i, len - i, 2, &ss);
		}
		while (i < len && p[i] == ' ')
			i++;
		if (i < len && (p[i] == '+' || p[i] == '-')) {
			sign = p[i] == '-' ? -1 : 1;
			i++;
			if (num(p + i, len - i, 4, &z) != 4)
				z = 0;
		}
	}
	return (time_t)(days_from_civil(y, m, (int)d) * 86400 + hh * 3600 +
	                mm * 60 + ss -
	                sign * ((z / 100) * 3600 + (z % 100) * 60));
}
