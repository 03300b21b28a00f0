/* parse.c: validators for one line of each control source (quail-ctl
 * compile).  Pure: no I/O, no globals.  Formats: quail-control(5) and
 * /work/notes/cdb.md.  Every parser fills p->key (lowercased) and p->val
 * and returns NULL, or returns what is wrong with the line. */
#include <string.h>

#include "addr.h"
#include "scan.h"
#include "ctl.h"
#include "str.h"

#define NOMEM "out of memory"

static const char atext[] = "!#$%&'*+-/=?^_`{|}~.";
static const char b64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static bool
all_in(const char *s, size_t n, const char *set, bool alnum)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (alnum && is_alnum(s[i]))
			continue;
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return false;
	}
	return true;
}

bool
ctl_domain_ok(const char *d, size_t n)
{
	return n > 0 && n <= 255 && addr_domain_ok(d, n, false);
}

bool
ctl_local_ok(const char *s, size_t n)
{
	return n > 0 && n <= 255 && all_in(s, n, atext, true);
}

bool
ctl_address_ok(const char *s, size_t n)
{
	size_t at = addr_at(s, n);

	return at < n && ctl_local_ok(s, at) &&
	       ctl_domain_ok(s + at + 1, n - at - 1);
}

/* "$6$[rounds=N$]salt$86" or "$y$params$salt$43", optionally after "!"
 * (disabled); "!" alone is a disabled account without a hash. */
bool
ctl_hash_ok(const char *s, size_t n)
{
	size_t i, f[6], nf = 0;

	if (n > 0 && s[0] == '!') {
		s++;
		n--;
		if (n == 0)
			return true;
	}
	if (n < 4 || s[0] != '$' || n > 512)
		return false;
	for (i = 0; i < n && nf < 6; i++)
		if (s[i] == '$')
			f[nf++] = i;
	if (i < n || nf < 3)
		return false;
	if (s[1] == '6' && f[1] == 2 && nf <= 4) {
		if (nf == 4 &&
		    (f[2] - f[1] < 9 || memcmp(s + 3, "rounds=", 7) != 0 ||
		        !all_in(s + 10, f[2] - 10, "0123456789", false)))
			return false;
		i = nf - 2; /* the salt lies between f[i] and f[i+1] */
		return f[i + 1] - f[i] - 1 >= 1 && f[i + 1] - f[i] - 1 <= 16 &&
		       all_in(s + f[i] + 1, f[i + 1] - f[i] - 1, b64, false) &&
		       n - f[i + 1] - 1 == 86 &&
		       all_in(s + f[i + 1] + 1, 86, b64, false);
	}
	if (s[1] == 'y' && f[1] == 2 && nf == 4)
		return f[2] > 3 && all_in(s + 3, f[2] - 3, b64, false) &&
		       f[3] - f[2] > 1 &&
		       all_in(s + f[2] + 1, f[3] - f[2] - 1, b64, false) &&
		       n - f[3] - 1 == 43 &&
		       all_in(s + f[3] + 1, 43, b64, false);
	return false;
}

int
ctl_quota(const char *s, size_t n, unsigned long long *r)
{
	unsigned long long v = 0, m = 1;
	size_t i;

	if (n > 0 && strchr("kKmMgG", s[n - 1]) != NULL && s[n - 1] != '\0') {
		m = s[n - 1] == 'k' || s[n - 1] == 'K' ? 1024ULL
		    : s[n - 1] == 'm' || s[n - 1] == 'M'
		        ? 1024ULL * 1024
		        : 1024ULL * 1024 * 1024;
		n--;
	}
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (unsigned)(s[i] - '0'), &v))
			return -1;
	}
	if (__builtin_mul_overflow(v, m, &v))
		return -1;
	*r = v;
	return 0;
}

static const char *
set_key(struct parsed *p, const char *k, size_t n)
{
	buf_reset(&p->key);
	buf_reset(&p->val);
	if (buf_cat(&p->key, k, n) < 0)
		return NOMEM;
	str_lower(p->key.p, p->key.len);
	return NULL;
}

const char *
parse_rcpthost(const char *l, size_t n, struct parsed *p)
{
	size_t d = n > 0 && l[0] == '.';

	if (n == 0)
		return "empty domain";
	if (!ctl_domain_ok(l + d, n - d))
		return "not a valid domain (\"dom\" or \".dom\")";
	return set_key(p, l, n);
}

const char *
parse_local(const char *l, size_t n, struct parsed *p)
{
	if (!ctl_domain_ok(l, n))
		return "not a valid domain";
	return set_key(p, l, n);
}

/* The part before the first ':' of virtualdomains and smtproutes: "",
 * ".suffix", "dom", and (virtualdomains only) "user@dom". */
static const char *
route_key(const char *l, size_t n, bool user)
{
	if (n == 0)
		return NULL;
	if (l[0] == '.')
		return ctl_domain_ok(l + 1, n - 1) ? NULL : "bad .suffix";
	if (addr_at(l, n) < n) {
		if (!user)
			return "an address is not allowed here";
		return ctl_address_ok(l, n) ? NULL : "bad user@domain";
	}
	return ctl_domain_ok(l, n) ? NULL : "bad domain";
}

const char *
parse_virtualdomain(const char *l, size_t n, struct parsed *p)
{
	size_t c = str_chr(l, n, ':');
	const char *e;

	if (c == n)
		return "missing ':prefix'";
	if ((e = route_key(l, c, true)) != NULL)
		return e;
	if (!all_in(l + c + 1, n - c - 1, "._-+=", true))
		return "bad prefix (letters, digits, . _ - + = only)";
	if ((e = set_key(p, l, c)) != NULL)
		return e;
	if (buf_cat(&p->val, l + c + 1, n - c - 1) < 0)
		return NOMEM;
	return NULL;
}

static int
scan_port(const char *s, size_t n, unsigned long *r)
{
	if (n == 0 || n > 5 || !all_in(s, n, "0123456789", false) ||
	    scan_ulong_all(s, n, r) < 0 || *r == 0 || *r > 65535)
		return -1;
	return 0;
}

const char *
parse_smtproute(const char *l, size_t n, struct parsed *p)
{
	size_t c = str_chr(l, n, ':'), h, hl, pc;
	unsigned long port;
	const char *e;

	if (c == n)
		return "missing ':host'";
	if ((e = route_key(l, c, false)) != NULL)
		return e;
	h = c + 1;
	if (h < n && l[h] == '[')
		pc = h + str_chr(l + h, n - h, ']') + 1;
	else
		pc = h + str_chr(l + h, n - h, ':');
	if (pc > n)
		return "unterminated [address literal]";
	hl = pc - h;
	if (hl > 0 && !ctl_domain_ok(l + h, hl))
		return "bad relay host";
	if (pc < n) {
		if (l[pc] != ':')
			return "garbage after ]";
		if (hl == 0)
			return "port without host";
		if (scan_port(l + pc + 1, n - pc - 1, &port) < 0)
			return "bad port (1-65535)";
	}
	if ((e = set_key(p, l, c)) != NULL)
		return e;
	if (buf_cat(&p->val, l + h, n - h) < 0)
		return NOMEM;
	str_lower(p->val.p, hl);
	return NULL;
}

const char *
parse_badaddr(const char *l, size_t n, struct parsed *p)
{
	if (n > 0 && l[0] == '@') {
		if (!ctl_domain_ok(l + 1, n - 1))
			return "bad domain after '@'";
	} else if (!ctl_address_ok(l, n))
		return "not an address (user@domain) or @domain";
	return set_key(p, l, n);
}

/* "user@dom: target, target" or "@dom: target".  Targets are addresses;
 * the value is the targets, NUL-separated. */
const char *
parse_alias(const char *l, size_t n, struct parsed *p)
{
	size_t c = str_chr(l, n, ':'), i, j, cnt = 0;
	struct str t;
	const char *e;

	if (c == n)
		return "missing ': target'";
	if (c > 0 && l[0] == '@') {
		if (!ctl_domain_ok(l + 1, c - 1))
			return "bad domain in @domain";
	} else if (!ctl_address_ok(l, c))
		return "bad alias (user@domain or @domain before ':')";
	if ((e = set_key(p, l, c)) != NULL)
		return e;
	for (i = c + 1; i <= n; i = j + 1) {
		j = i + str_chr(l + i, n - i, ',');
		t.p = l + i;
		t.len = j - i;
		t = str_trim(t);
		if (t.len == 0)
			return "empty target";
		if (!ctl_address_ok(t.p, t.len))
			return "target is not an address (user@domain)";
		if (cnt++ > 0 && buf_catc(&p->val, 0) < 0)
			return NOMEM;
		if (buf_cat(&p->val, t.p, t.len) < 0)
			return NOMEM;
	}
	return NULL;
}

/* Splits l at ':' into at most max fields; returns the count, or max+1
 * when there are more. */
static size_t
split(const char *l, size_t n, struct str *f, size_t max)
{
	size_t k = 0, i = 0, j;

	for (;;) {
		if (k == max)
			return max + 1;
		j = i + str_chr(l + i, n - i, ':');
		f[k].p = l + i;
		f[k++].len = j - i;
		if (j >= n)
			return k;
		i = j + 1;
	}
}

static const char *
mailbox_flags(struct str fl)
{
	size_t i, j;

	if (!all_in(fl.p, fl.len, ",_-", true))
		return "bad flags (comma-separated words)";
	for (i = 0; i <= fl.len; i = j + 1) {
		j = i + str_chr(fl.p + i, fl.len - i, ',');
		if (j == i && fl.len > 0)
			return "empty flag in list";
	}
	return NULL;
}

const char *
parse_mailbox(const char *l, size_t n, struct parsed *p)
{
	struct str f[4], fl = {"", 0};
	unsigned long long quota = 0;
	size_t nf = split(l, n, f, 4), at;
	const char *e;

	if (nf > 4)
		return "too many fields (user@dom:hash:quota:flags)";
	if (nf < 2)
		return "missing fields (user@dom:hash:quota:flags)";
	at = addr_at(f[0].p, f[0].len);
	if (!ctl_address_ok(f[0].p, f[0].len))
		return "bad mailbox address";
	if (f[0].p[0] == '.' || str_chr(f[0].p, at, '/') < at)
		return "mailbox name may not start with '.' or contain '/'";
	if (!ctl_hash_ok(f[1].p, f[1].len))
		return "bad password hash (need $y$ or $6$ crypt, or !)";
	if (nf > 2 && f[2].len > 0 && ctl_quota(f[2].p, f[2].len, &quota) < 0)
		return "bad quota (bytes, or with suffix K, M, G)";
	if (nf > 3)
		fl = f[3];
	if ((e = mailbox_flags(fl)) != NULL)
		return e;
	if ((e = set_key(p, f[0].p, f[0].len)) != NULL)
		return e;
	if (buf_cat(&p->val, f[1].p, f[1].len) < 0 ||
	    buf_catc(&p->val, 0) < 0 || buf_catu(&p->val, quota) < 0 ||
	    buf_catc(&p->val, 0) < 0 || buf_cat(&p->val, fl.p, fl.len) < 0 ||
	    buf_catc(&p->val, 0) < 0 || buf_cats(&p->val, p->home) < 0 ||
	    buf_cats(&p->val, "/mail/") < 0 ||
	    buf_cat(&p->val, p->key.p + at + 1, p->key.len - at - 1) < 0 ||
	    buf_catc(&p->val, '/') < 0 || buf_cat(&p->val, p->key.p, at) < 0 ||
	    buf_cats(&p->val, "/Maildir/") < 0)
		return NOMEM;
	return NULL;
}

static bool
is_id(struct str s)
{
	unsigned long v;

	return s.len > 0 && s.len <= 10 &&
	       all_in(s.p, s.len, "0123456789", false) &&
	       scan_ulong_all(s.p, s.len, &v) == 0 && v <= 4294967294UL;
}

/* qmail-users(5): "=local:user:uid:gid:home:dash:ext:" and
 * "+prefix:user:uid:gid:home:dash:pre:".  Key "=local"/"+prefix"
 * lowercased; value user, uid, gid, home, dash, ext NUL-separated. */
const char *
parse_assign(const char *l, size_t n, struct parsed *p)
{
	struct str f[8];
	unsigned long uid;
	size_t nf, i;
	const char *e;

	if (n == 0 || (l[0] != '=' && l[0] != '+'))
		return "line must start with '=' or '+' (or be '.')";
	nf = split(l + 1, n - 1, f, 8);
	if (nf > 8 || (nf == 8 && f[7].len > 0))
		return "trailing garbage after the final ':'";
	if (nf < 8)
		return "missing fields (=local:user:uid:gid:home:dash:ext:)";
	if (f[1].len == 0 || !all_in(f[1].p, f[1].len, "._-", true))
		return "bad user name";
	if (!is_id(f[2]) || !is_id(f[3]))
		return "uid and gid must be decimal numbers";
	/* the value, not the text: "00" is root too */
	if (scan_ulong_all(f[2].p, f[2].len, &uid) == 0 && uid == 0)
		return "uid 0 is not allowed (never deliver as root)";
	if (f[4].len == 0 || f[4].p[0] != '/')
		return "home must be an absolute path";
	if (f[5].len > 1 || (f[5].len == 1 && f[5].p[0] != '-'))
		return "dash must be empty or '-'";
	for (i = 0; i < 7; i++)
		if (str_chr(f[i].p, f[i].len, ' ') < f[i].len ||
		    str_chr(f[i].p, f[i].len, '\t') < f[i].len)
			return "whitespace inside a field";
	if ((e = set_key(p, l, f[0].len + 1)) != NULL)
		return e;
	for (i = 1; i < 7; i++)
		if ((i > 1 && buf_catc(&p->val, 0) < 0) ||
		    buf_cat(&p->val, f[i].p, f[i].len) < 0)
			return NOMEM;
	return NULL;
}
