/* qid.c: queue ids (see qid.h) and the queue's split. */
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "fmt.h"
#include "qid.h"

static void
put_hex(char *id, size_t *n, unsigned long long v, int width)
{
	char tmp[FMT_ULONG];
	size_t len = fmt_xlong(tmp, v);

	while (width-- > (int)len)
		id[(*n)++] = '0';
	memcpy(id + *n, tmp, len);
	*n += len;
}

void
qid_make(char id[QID_MAX])
{
	static struct timeval last;
	struct timeval tv;
	size_t n = 0;

	do
		gettimeofday(&tv, NULL);
	while (tv.tv_sec == last.tv_sec && tv.tv_usec == last.tv_usec);
	last = tv;
	put_hex(id, &n, (unsigned long long)tv.tv_sec & 0xffffffffULL, 8);
	put_hex(id, &n, (unsigned long long)tv.tv_usec, 5);
	put_hex(id, &n, (unsigned long long)getpid(), 1);
	id[n] = 0;
}

bool
qid_valid(const char *id, size_t len)
{
	size_t i;

	if (len == 0 || len >= QID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = id[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		        (c >= 'A' && c <= 'Z')))
			return false;
	}
	return true;
}

unsigned
qid_split(const char *id, size_t len)
{
	unsigned h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)id[i];
		h *= 16777619u;
	}
	return h % QUEUE_SPLIT;
}
