/* date822.c: RFC 5322 section 3.3 date-time, e.g.
 * "Sun, 22 Nov 2026 02:44:44 +0000".  No locale, no stdio. */
#include <time.h>

#include "fmt.h"
#include "qq.h"

int
date822_fmt(struct buf *b, time_t t, bool local)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	long off = 0;
	int sign = '+';

	if (local) {
		tzset(); /* localtime_r need not look at TZ */
		if (!localtime_r(&t, &tm))
			return -1;
		off = tm.tm_gmtoff / 60;
	} else if (!gmtime_r(&t, &tm))
		return -1;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	if (tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	return buf_printf(b, "%.*s, %d %.*s %d %02d:%02d:%02d %c%02ld%02ld", 3,
	    days + 3 * tm.tm_wday, tm.tm_mday, 3, months + 3 * tm.tm_mon,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60,
	    off % 60);
}
