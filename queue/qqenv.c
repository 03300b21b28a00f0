/* qqenv.c: checks the envelope quail-queue reads on fd 1 (qq.h).
 * Trust: the bytes come from any local user (quail-queue is setuid), so
 * every entry is bounded before its NUL arrives and nothing but I, F and T
 * entries is accepted: u, p and t are quail-queue's own to write. */
#include <string.h>

#include "addr.h"
#include "qq.h"

/* An address with CR or LF would break the line-based formats downstream
 * (logs, bounces); smtpd never produces one. */
static bool
entry_clean(const unsigned char *p, size_t len)
{
	return memchr(p, '\n', len) == NULL && memchr(p, '\r', len) == NULL;
}

/* Checks one complete entry p[0..len) (letter first, NUL excluded). */
static enum qq_env_res
entry(struct qq_env *e, const unsigned char *p, size_t len)
{
	switch (p[0]) {
	case 'I':
		if (e->pos != 0)
			return QQ_ENV_FORMAT;
		e->has_id = true;
		e->id_off = e->pos + 1;
		e->id_len = len - 1;
		return QQ_ENV_MORE;
	case 'F':
		if (e->has_from || !entry_clean(p + 1, len - 1))
			return QQ_ENV_FORMAT;
		e->has_from = true;
		e->from_off = e->pos + 1;
		e->from_len = len - 1;
		return QQ_ENV_MORE;
	case 'T': /* never empty: quail-send refuses "" (send/env.c) */
		if (!e->has_from || len < 2 || !entry_clean(p + 1, len - 1))
			return QQ_ENV_FORMAT;
		if (++e->rcpts > QQ_RCPT_MAX)
			return QQ_ENV_TOOMANY;
		return QQ_ENV_MORE;
	default:
		return QQ_ENV_FORMAT;
	}
}

enum qq_env_res
qq_env_scan(struct qq_env *e, const unsigned char *p, size_t len)
{
	const unsigned char *nul;
	enum qq_env_res r;
	size_t n;

	while (e->pos < len) {
		if (p[e->pos] == 0) {
			/* no recipient: nothing quail-send could deliver */
			if (!e->has_from || e->rcpts == 0)
				return QQ_ENV_FORMAT;
			e->end = e->pos + 1;
			return QQ_ENV_DONE;
		}
		if (p[e->pos] != 'I' && p[e->pos] != 'F' && p[e->pos] != 'T')
			return QQ_ENV_FORMAT;
		nul = memchr(p + e->pos, 0, len - e->pos);
		n = nul ? (size_t)(nul - (p + e->pos)) : len - e->pos;
		/* letter + address: more than ADDR_MAX bytes of address */
		if (n > ADDR_MAX + 1)
			return p[e->pos] == 'I' ? QQ_ENV_FORMAT
			                        : QQ_ENV_TOOLONG;
		if (!nul)
			return QQ_ENV_MORE;
		r = entry(e, p + e->pos, n);
		if (r != QQ_ENV_MORE)
			return r;
		e->pos += n + 1;
	}
	return QQ_ENV_MORE;
}
