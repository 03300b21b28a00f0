/* inj_hdr.c: quail-inject's treatment of header fields (inject.h).
 * Trust: the fields come from the local user running quail-inject; they
 * are bounded by the caller (INJ_HDR_MAX) and parsed without I/O. */
#include <string.h>

#include "addr.h"
#include "inject.h"
#include "str.h"

enum hkind {
	H_KEEP,
	H_DROP,  /* removed, nothing else */
	H_RCPT,  /* kept, addresses collected */
	H_BCC,   /* removed, addresses collected */
	H_RRCPT, /* Resent- versions */
	H_RBCC,
	H_DATE,
	H_MSGID,
	H_FROM,
	H_RDATE,
	H_RMSGID,
	H_RFROM,
};

static const struct {
	const char *name;
	enum hkind kind;
} hkinds[] = {
    {"return-path", H_DROP},
    {"content-length", H_DROP},
    {"to", H_RCPT},
    {"cc", H_RCPT},
    {"apparently-to", H_RCPT},
    {"bcc", H_BCC},
    {"resent-to", H_RRCPT},
    {"resent-cc", H_RRCPT},
    {"resent-bcc", H_RBCC},
    {"date", H_DATE},
    {"message-id", H_MSGID},
    {"from", H_FROM},
    {"resent-date", H_RDATE},
    {"resent-message-id", H_RMSGID},
    {"resent-from", H_RFROM},
};

void
inj_hdr_init(struct inj_hdr *h)
{
	memset(h, 0, sizeof *h);
	buf_init(&h->out, INJ_HDR_MAX + 4096);
	buf_init(&h->rcpt, INJ_HDR_MAX);
	buf_init(&h->rrcpt, INJ_HDR_MAX);
}

void
inj_hdr_free(struct inj_hdr *h)
{
	buf_free(&h->out);
	buf_free(&h->rcpt);
	buf_free(&h->rrcpt);
}

/* Length of the field name (without trailing blanks), or 0. */
static size_t
field_name(const unsigned char *p, size_t len, size_t *colon_r)
{
	size_t i = 0, n;

	while (i < len && p[i] > 32 && p[i] < 127 && p[i] != ':')
		i++;
	n = i;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (n == 0 || i >= len || p[i] != ':')
		return 0;
	*colon_r = i;
	return n;
}

bool
inj_hdr_isfield(const unsigned char *line, size_t len)
{
	size_t colon;

	return field_name(line, len, &colon) > 0;
}

static enum hkind
kind(const unsigned char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof hkinds / sizeof hkinds[0]; i++)
		if (str_caseeq(name, n, hkinds[i].name, strlen(hkinds[i].name)))
			return hkinds[i].kind;
	return H_KEEP;
}

static void
mark(struct inj_hdr *h, enum hkind k)
{
	switch (k) {
	case H_DATE:
		h->date = true;
		break;
	case H_MSGID:
		h->msgid = true;
		break;
	case H_FROM:
		h->from = true;
		break;
	case H_RDATE:
		h->rdate = true;
		break;
	case H_RMSGID:
		h->rmsgid = true;
		break;
	case H_RFROM:
		h->rfrom = true;
		break;
	default:
		break;
	}
}

int
inj_hdr_field(struct inj_hdr *h, const unsigned char *f, size_t len)
{
	size_t colon, n = field_name(f, len, &colon);
	enum hkind k = kind(f, n);
	const char *v = (const char *)f + colon + 1;
	size_t vlen = len - colon - 1;

	if (n >= 7 && str_casestarts(f, n, "resent-"))
		h->resent = true;
	mark(h, k);
	if (k == H_RCPT || k == H_BCC) {
		if (addr_parse_list(v, vlen, &h->rcpt) < 0)
			return -1;
	} else if (k == H_RRCPT || k == H_RBCC) {
		if (addr_parse_list(v, vlen, &h->rrcpt) < 0)
			return -1;
	}
	if (k == H_DROP || k == H_BCC || k == H_RBCC)
		return 0;
	return buf_cat(&h->out, f, len);
}

const struct buf *
inj_hdr_rcpts(const struct inj_hdr *h)
{
	return h->resent ? &h->rrcpt : &h->rcpt;
}
