/* route.c: local/remote split of recipients (route.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "addr.h"
#include "control.h"
#include "route.h"
#include "str.h"

#define TEXT_MAX (4 * 1024 * 1024)

void
route_init(struct route *rt)
{
	memset(rt, 0, sizeof *rt);
	rt->locals.name = "locals";
	rt->vdoms.name = "virtualdomains";
	rt->locals.db.fd = rt->vdoms.db.fd = -1;
	buf_init(&rt->locals.text, TEXT_MAX);
	buf_init(&rt->vdoms.text, TEXT_MAX);
}

/* Text fallback: each list line "key[:value]" becomes key NUL value NUL,
 * the key lowercased.  locals without a file: control/me. */
static int
load_text(struct rtab *t)
{
	struct buf l = BUF_INIT(TEXT_MAX);
	size_t i, n, c;
	int r;

	buf_reset(&t->text);
	r = control_readlist(&l, t->name);
	if (r == 0 && strcmp(t->name, "locals") == 0)
		r = control_readlist(&l, "me");
	for (i = 0; r >= 0 && i < l.len; i += n + 1) {
		n = str_chr(l.p + i, l.len - i, '\0');
		c = str_chr(l.p + i, n, ':');
		str_lower(l.p + i, c);
		if (buf_cat(&t->text, l.p + i, c) < 0 ||
		    buf_catc(&t->text, 0) < 0 ||
		    buf_cat(&t->text, l.p + i + (c < n ? c + 1 : n),
		        c < n ? n - c - 1 : 0) < 0 ||
		    buf_catc(&t->text, 0) < 0)
			r = -1;
	}
	buf_free(&l);
	return r < 0 ? -1 : 0;
}

static int
refresh_one(struct rtab *t, bool force)
{
	struct buf path = BUF_INIT(4096);
	struct stat st;
	int r = 0;

	if (buf_cats(&path, t->name) < 0 || buf_cats(&path, ".cdb") < 0 ||
	    buf_cstr(&path) < 0)
		goto fail;
	{
		struct buf full = BUF_INIT(4096);

		if (control_path(&full, (const char *)path.p) < 0) {
			buf_free(&full);
			goto fail;
		}
		buf_free(&path);
		path = full;
	}
	if (stat((const char *)path.p, &st) < 0) {
		if (errno != ENOENT)
			goto fail;
		if (t->have_db || force || t->text.p == NULL) {
			cdbx_close(&t->db);
			t->have_db = false;
			r = load_text(t);
		}
		buf_free(&path);
		return r;
	}
	if (!t->have_db || st.st_ino != t->ino || st.st_dev != t->dev ||
	    st.st_mtim.tv_sec != t->mtime.tv_sec ||
	    st.st_mtim.tv_nsec != t->mtime.tv_nsec) {
		cdbx_close(&t->db);
		t->have_db = false;
		if (cdbx_open(&t->db, (const char *)path.p) < 0)
			goto fail;
		t->have_db = true;
		t->dev = st.st_dev;
		t->ino = st.st_ino;
		t->mtime = st.st_mtim;
	}
	buf_free(&path);
	return 0;
fail:
	buf_free(&path);
	return -1;
}

int
route_refresh(struct route *rt, bool force)
{
	if (refresh_one(&rt->locals, force) < 0 ||
	    refresh_one(&rt->vdoms, force) < 0)
		return -1;
	return 0;
}

/* 1 found (value into val), 0 not, -1 error. */
static int
get(struct rtab *t, const char *k, size_t klen, struct buf *val)
{
	size_t i, kl, vl;
	const char *p;

	if (t->have_db)
		return cdbx_get(&t->db, k, klen, val);
	p = (const char *)t->text.p;
	for (i = 0; i < t->text.len; i += kl + vl + 2) {
		kl = strlen(p + i);
		vl = strlen(p + i + kl + 1);
		if (kl != klen || memcmp(p + i, k, klen) != 0)
			continue;
		if (val == NULL)
			return 1;
		return buf_copy(val, p + i + kl + 1, vl) < 0 ? -1 : 1;
	}
	return 0;
}

/* qmail-send's virtualdomains order: whole address, domain, each .suffix,
 * then "" (the lowercased address is in a[0..len), at the '@'). */
static int
vdom(struct route *rt, const char *a, size_t len, size_t at, struct buf *v)
{
	size_t i;
	int r;

	for (i = 0; i <= len; i++) {
		if (!(i == 0 || i == at + 1 || i == len ||
		        (i > at && a[i] == '.')))
			continue;
		r = get(&rt->vdoms, a + i, len - i, v);
		if (r != 0)
			return r;
	}
	return 0;
}

int
route_rcpt(struct route *rt, const char *a, size_t len, struct buf *local_r)
{
	struct buf low = BUF_INIT(ADDR_MAX + 1), v = BUF_INIT(ADDR_MAX);
	size_t at = addr_at(a, len);
	int r;

	buf_reset(local_r);
	if (at == len) /* no domain: a local name */
		return buf_copy(local_r, a, len) < 0 || buf_cstr(local_r) < 0
		           ? -1
		           : 1;
	if (buf_copy(&low, a, len) < 0)
		return -1;
	str_lower(low.p, len);
	r = get(&rt->locals, (const char *)low.p + at + 1, len - at - 1, NULL);
	if (r == 1 && buf_copy(local_r, a, at) < 0)
		r = -1;
	if (r == 0) {
		r = vdom(rt, (const char *)low.p, len, at, &v);
		if (r == 1 && v.len == 0)
			r = 0; /* "dom:" is an exception: not virtual */
		if (r == 1 && (buf_copy(local_r, v.p, v.len) < 0 ||
		                  buf_catc(local_r, '-') < 0 ||
		                  buf_cat(local_r, a, at) < 0))
			r = -1;
	}
	if (r == 1 && buf_cstr(local_r) < 0)
		r = -1;
	buf_free(&low);
	buf_free(&v);
	return r;
}

void
route_free(struct route *rt)
{
	cdbx_close(&rt->locals.db);
	cdbx_close(&rt->vdoms.db);
	buf_free(&rt->locals.text);
	buf_free(&rt->vdoms.text);
}
