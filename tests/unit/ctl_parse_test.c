/* ctl_parse_test: quail-ctl's line validators (ctl/parse.c) and the
 * .qmail-file key derivation of ctl/rcpt.c, as tables. */
#include <string.h>

#include "../../ctl/ctl.h"
#include "tap.h"

struct tcase {
	parse_fn fn;
	const char *line;
	int ok;
	const char *key; /* when ok */
	const char *val; /* when ok: NUL-separated shown as '|' */
};

#define H86                                                                    \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaa"
#define H43 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const struct tcase cases[] = {
    {parse_rcpthost, "Example.COM", 1, "example.com", ""},
    {parse_rcpthost, ".example.net", 1, ".example.net", ""},
    {parse_rcpthost, "", 0, NULL, NULL},
    {parse_rcpthost, "bad..dom", 0, NULL, NULL},
    {parse_rcpthost, "foo bar", 0, NULL, NULL},
    {parse_rcpthost, "..x", 0, NULL, NULL},
    {parse_rcpthost, "a_b.com", 0, NULL, NULL},
    {parse_local, "mx.example.com", 1, "mx.example.com", ""},
    {parse_local, ".example.com", 0, NULL, NULL},
    {parse_virtualdomain, "virt.example:joe", 1, "virt.example", "joe"},
    {parse_virtualdomain, "U@Virt.example:joe-u", 1, "u@virt.example", "joe-u"},
    {parse_virtualdomain, ".sfx.example:uucp", 1, ".sfx.example", "uucp"},
    {parse_virtualdomain, ":catch", 1, "", "catch"},
    {parse_virtualdomain, "virt.example", 0, NULL, NULL},
    {parse_virtualdomain, "virt.example:jo e", 0, NULL, NULL},
    {parse_virtualdomain, "virt.example:a:b", 0, NULL, NULL},
    {parse_virtualdomain, "v!rt:joe", 0, NULL, NULL},
    {parse_smtproute, "example.com:relay.example.net:2525", 1, "example.com",
        "relay.example.net:2525"},
    {parse_smtproute, ":[10.0.0.1]", 1, "", "[10.0.0.1]"},
    {parse_smtproute, ".sub.example:", 1, ".sub.example", ""},
    {parse_smtproute, "example.com:Relay.Example.NET", 1, "example.com",
        "relay.example.net"},
    {parse_smtproute, "example.com:relay:0", 0, NULL, NULL},
    {parse_smtproute, "example.com:relay:65536", 0, NULL, NULL},
    {parse_smtproute, "example.com:relay:25x", 0, NULL, NULL},
    {parse_smtproute, "example.com::25", 0, NULL, NULL},
    {parse_smtproute, "example.com:[10.0.0.1", 0, NULL, NULL},
    {parse_smtproute, "u@example.com:relay", 0, NULL, NULL},
    {parse_smtproute, "example.com", 0, NULL, NULL},
    {parse_badaddr, "Spam@Example.com", 1, "spam@example.com", ""},
    {parse_badaddr, "@spam.example", 1, "@spam.example", ""},
    {parse_badaddr, "spam", 0, NULL, NULL},
    {parse_badaddr, "@", 0, NULL, NULL},
    {parse_badaddr, "a b@example.com", 0, NULL, NULL},
    {parse_alias, "postmaster@example.org: joe@example.org, ann@x.org", 1,
        "postmaster@example.org", "joe@example.org|ann@x.org"},
    {parse_alias, "@example.org:joe@example.org", 1, "@example.org",
        "joe@example.org"},
    {parse_alias, "x@example.org:", 0, NULL, NULL},
    {parse_alias, "x@example.org: a@b.c,", 0, NULL, NULL},
    {parse_alias, "x@example.org: joe", 0, NULL, NULL},
    {parse_alias, "x@example.org: |prog", 0, NULL, NULL},
    {parse_alias, "nocolon", 0, NULL, NULL},
    {parse_alias, "@bad..dom: a@b.c", 0, NULL, NULL},
    {parse_mailbox, "Joe@Example.org:$6$salt$" H86 ":10M:nopop,noimap", 1,
        "joe@example.org",
        "$6$salt$" H86 "|10485760|nopop,noimap|/h/mail/example.org/joe/"
        "Maildir/"},
    {parse_mailbox, "q@example.org:$y$j9T$abc$" H43, 1, "q@example.org",
        "$y$j9T$abc$" H43 "|0||/h/mail/example.org/q/Maildir/"},
    {parse_mailbox, "d@example.org:!::", 1, "d@example.org",
        "!|0||/h/mail/example.org/d/Maildir/"},
    {parse_mailbox, "r@example.org:$6$rounds=5000$salt$" H86 ":1k", 1,
        "r@example.org",
        "$6$rounds=5000$salt$" H86 "|1024||/h/mail/example.org/r/Maildir/"},
    {parse_mailbox, "x@example.org", 0, NULL, NULL},
    {parse_mailbox, "x@example.org:secret", 0, NULL, NULL},
    {parse_mailbox, "x@example.org:$6$salt$short", 0, NULL, NULL},
    {parse_mailbox, "x@example.org:$1$salt$" H86, 0, NULL, NULL},
    {parse_mailbox, "x@example.org:!:10X", 0, NULL, NULL},
    {parse_mailbox, "x@example.org:!:99999999999999999999", 0, NULL, NULL},
    {parse_mailbox, "x@example.org:!:0:a,,b", 0, NULL, NULL},
    {parse_mailbox, "x@example.org:!:0:a b", 0, NULL, NULL},
    {parse_mailbox, "x@example.org:!:0:nopop:extra", 0, NULL, NULL},
    {parse_mailbox, ".x@example.org:!", 0, NULL, NULL},
    {parse_mailbox, "a/b@example.org:!", 0, NULL, NULL},
    {parse_mailbox, "nodomain:!", 0, NULL, NULL},
    {parse_assign, "=Joe:joe:1000:100:/home/joe:::", 1, "=joe",
        "joe|1000|100|/home/joe||"},
    {parse_assign, "+foo-:joe:1000:100:/home/joe:-:bar:", 1, "+foo-",
        "joe|1000|100|/home/joe|-|bar"},
    {parse_assign, "+:alias:7:8:/var/quail/alias:-::", 1, "+",
        "alias|7|8|/var/quail/alias|-|"},
    {parse_assign, "=r:root:0:0:/root:::", 0, NULL, NULL},
    {parse_assign, "=r:root:00:0:/root:::", 0, NULL, NULL},
    {parse_assign, "=r:root:0000000000:0:/root:::", 0, NULL, NULL},
    {parse_assign, "=x:x:1:1:rel:::", 0, NULL, NULL},
    {parse_assign, "=x:x:1:1:/x::", 0, NULL, NULL},
    {parse_assign, "=x:x:1:1:/x:::junk", 0, NULL, NULL},
    {parse_assign, "=x:x:1:1:/x::::", 0, NULL, NULL},
    {parse_assign, "=x:x:a:1:/x:::", 0, NULL, NULL},
    {parse_assign, "=x:x:1:99999999999:/x:::", 0, NULL, NULL},
    {parse_assign, "=x::1:1:/x:::", 0, NULL, NULL},
    {parse_assign, "=x:x:1:1:/x:+::", 0, NULL, NULL},
    {parse_assign, "x:x:1:1:/x:::", 0, NULL, NULL},
    {parse_assign, "=x:x:1:1:/x y:::", 0, NULL, NULL},
};

static void
run_case(const struct tcase *c)
{
	struct parsed p;
	const char *err;
	char name[200];
	size_t i;

	buf_init(&p.key, 8192);
	buf_init(&p.val, 8192);
	p.home = "/h";
	err = c->fn(c->line, strlen(c->line), &p);
	snprintf(name, sizeof name, "%s '%.120s'",
	    c->ok ? "accepts" : "rejects", c->line);
	if (!ok((err == NULL) == c->ok, name)) {
		diag("error: %s", err ? err : "(none)");
	} else if (c->ok) {
		for (i = 0; i < p.val.len; i++)
			if (p.val.p[i] == '\0')
				p.val.p[i] = '|';
		is_mem(p.key.p, p.key.len, c->key, strlen(c->key), "  key");
		is_mem(p.val.p, p.val.len, c->val, strlen(c->val), "  value");
	}
	buf_free(&p.key);
	buf_free(&p.val);
}

static const struct {
	const char *file, *pre, *kp, *want; /* want NULL: no key */
} dq[] = {
    {"default", "", "", "*@d.example"},
    {"default", "", "joe-", "joe-*@d.example"},
    {"foo", "", "", "foo@d.example"},
    {"foo", "", "joe-", "joe-foo@d.example"},
    {"foo-default", "", "", "foo-*@d.example"},
    {"sales", "joe-", "", NULL},
    {"joe-sales", "joe-", "", "sales@d.example"},
    {"joe-default", "joe-", "", "*@d.example"},
    {"joe-a-default", "joe-", "", "a-*@d.example"},
    {"default", "joe-", "", "*@d.example"},
    {"jo-default", "joe-", "", NULL},
    {"joe-", "joe-", "", NULL},
    {"xdefault", "", "", "xdefault@d.example"},
};

int
main(void)
{
	struct buf b = BUF_INIT(1024);
	unsigned long long q;
	size_t i;
	bool r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
	for (i = 0; i < sizeof dq / sizeof dq[0]; i++) {
		r = rcpt_dotqmail_key(
		    dq[i].file, dq[i].pre, dq[i].kp, "d.example", &b);
		if (dq[i].want == NULL)
			ok(!r, dq[i].file);
		else if (ok(r, dq[i].file))
			is_mem(b.p, b.len, dq[i].want, strlen(dq[i].want),
			    "  .qmail key");
	}
	ok(ctl_quota("2G", 2, &q) == 0 && q == 2147483648ULL, "quota 2G");
	ok(ctl_quota("K", 1, &q) < 0, "quota K alone");
	ok(ctl_quota("18446744073709551615K", 21, &q) < 0, "quota overflow");
	ok(ctl_hash_ok("!", 1), "hash !");
	ok(!ctl_hash_ok("", 0), "hash empty");
	ok(!ctl_hash_ok("$6$$" H86, 90), "hash empty salt");
	ok(!ctl_hash_ok("$y$j9T$abc$" H43 "$", 55), "hash trailing $");
	buf_free(&b);
	done_testing();
}
