/* queue_inject_test.c: quail-inject's header handling, address
 * completion and display names (queue/inj_*.c), and the sendmail front
 * end's option parsing (queue/sm_args.c). */
#include <stdlib.h>
#include <string.h>

#include "../../queue/inject.h"
#include "../../queue/sm.h"
#include "tap.h"

static void
field(struct inj_hdr *h, const char *s)
{
	if (inj_hdr_field(h, (const unsigned char *)s, strlen(s)) < 0)
		ok(0, "inj_hdr_field failed");
}

/* The NUL-ended list as "a,b,c". */
static const char *
joined(const struct buf *b)
{
	static char out[4096];
	size_t i, n = 0;

	for (i = 0; i < b->len && n < sizeof out - 1; i++)
		out[n++] = b->p[i] ? (char)b->p[i] : ',';
	out[n] = 0;
	return out;
}

static const struct {
	const char *line;
	bool want;
} isf[] = {
    {"Subject: x\n", true},
    {"Subject : obsolete blank\n", true},
    {"X-A:b\n", true},
    {" continued\n", false},
    {"no colon here\n", false},
    {"From sender Mon Jan  1\n", false},
    {":empty name\n", false},
    {"\n", false},
};

static void
test_fields(void)
{
	struct inj_hdr h;
	char name[64];
	size_t i;

	for (i = 0; i < sizeof isf / sizeof isf[0]; i++) {
		size_t n = strcspn(isf[i].line, "\n");
		memcpy(name, "isfield: ", 9);
		memcpy(name + 9, isf[i].line, n);
		name[9 + n] = 0;
		is_int(inj_hdr_isfield((const unsigned char *)isf[i].line,
		           strlen(isf[i].line)),
		    isf[i].want, name);
	}
	inj_hdr_init(&h);
	field(&h, "To: Joe <joe@a.example>, bob\n");
	field(&h, "CC: x@b.example,\n\t\"Y Z\" <y@c.example>\n");
	field(&h, "Bcc: hidden@d.example\n");
	field(&h, "Return-Path: <forged@e.example>\n");
	field(&h, "Content-Length: 12\n");
	field(&h, "Subject: hi\n");
	field(&h, "date: Mon, 1 Jan 2024 00:00:00 +0000\n");
	is_str(joined(inj_hdr_rcpts(&h)),
	    "joe@a.example,bob,x@b.example,y@c.example,hidden@d.example,",
	    "To, Cc (folded) and Bcc collected");
	buf_cstr(&h.out);
	is_str((char *)h.out.p,
	    "To: Joe <joe@a.example>, bob\n"
	    "CC: x@b.example,\n\t\"Y Z\" <y@c.example>\n"
	    "Subject: hi\n"
	    "date: Mon, 1 Jan 2024 00:00:00 +0000\n",
	    "Bcc, Return-Path, Content-Length removed; the rest kept");
	ok(h.date && !h.msgid && !h.from && !h.resent, "presence flags");
	field(&h, "Resent-To: r@f.example\n");
	field(&h, "Resent-Bcc: rb@f.example\n");
	ok(h.resent, "a Resent- field is seen");
	is_str(joined(inj_hdr_rcpts(&h)), "r@f.example,rb@f.example,",
	    "with Resent- fields, only Resent- recipients (RFC 5322 3.6.6)");
	inj_hdr_free(&h);
}

static void
conf(struct inj_conf *c)
{
	memset(c, 0, sizeof *c);
	buf_init(&c->defaulthost, 100);
	buf_init(&c->defaultdomain, 100);
	buf_init(&c->plusdomain, 100);
	buf_cats(&c->defaulthost, "mail");
	buf_cats(&c->defaultdomain, "example.com");
	buf_cats(&c->plusdomain, "example.org");
}

static void
test_qualify(void)
{
	static const struct {
		const char *in, *out;
	} q[] = {
	    {"joe", "joe@mail.example.com"},
	    {"joe@", "joe@mail.example.com"},
	    {"joe@host", "joe@host.example.com"},
	    {"joe@host.net", "joe@host.net"},
	    {"joe@host+", "joe@host.example.org"},
	    {"joe@[10.0.0.1]", "joe@[10.0.0.1]"},
	    {"a@b@c.example", "a@b@c.example"},
	    {"joe@example.com", "joe@example.com"},
	};
	struct inj_conf c;
	struct buf b = BUF_INIT(2000);
	size_t i;

	conf(&c);
	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		buf_reset(&b);
		inj_qualify(&c, &b, q[i].in, strlen(q[i].in));
		buf_cstr(&b);
		is_str((char *)b.p, q[i].out, q[i].in);
	}
	buf_reset(&c.defaultdomain);
	buf_cats(&c.defaultdomain, "mail");
	buf_reset(&b);
	inj_qualify(&c, &b, "joe", 3);
	buf_cstr(&b);
	is_str((char *)b.p, "joe@mail", "host equal to defaultdomain kept");
	buf_free(&b);
	buf_free(&c.defaulthost);
	buf_free(&c.defaultdomain);
	buf_free(&c.plusdomain);
}

static void
test_phrase(void)
{
	static const struct {
		const char *in, *out;
	} q[] = {
	    {"Fred Smith", "Fred Smith"},
	    {"Smith, Fred", "\"Smith, Fred\""},
	    {"A \"q\" \\b", "\"A \\\"q\\\" \\\\b\""},
	    {"Jo\x01hn", "John"},
	    {"Fr\xc3\xa9"
	     "d",
	        "=?UTF-8?B?RnLDqWQ=?="},
	};
	struct buf b = BUF_INIT(2000);
	char longname[200];
	size_t i;

	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		buf_reset(&b);
		inj_phrase(&b, q[i].in, strlen(q[i].in));
		buf_cstr(&b);
		is_str((char *)b.p, q[i].out, q[i].in);
	}
	for (i = 0; i + 2 <= 100; i += 2)
		memcpy(longname + i, "\xc3\xa9", 2);
	buf_reset(&b);
	inj_phrase(&b, longname, 100);
	buf_cstr(&b);
	ok(strstr((char *)b.p, "?= =?UTF-8?B?") != NULL,
	    "a long 8-bit name is split into several encoded words");
	ok(strlen((char *)b.p) < 200, "encoded words stay short");
	buf_free(&b);
}

struct scase {
	const char *name;
	char *args[8];
	int ret;
	enum sm_mode mode;
	bool t, i;
	const char *f, *F;
	int first;
};

static const struct scase scases[] = {
    {"cron", {"-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root"}, 0, SM_SEND,
        false, true, NULL, "CronDaemon", 5},
    {"script", {"-t", "-i", "-f", "a@b"}, 0, SM_SEND, true, true, "a@b", NULL,
        5},
    {"cluster", {"-tifme@x", "u"}, 0, SM_SEND, true, true, "me@x", NULL, 2},
    {"-oi", {"-oi", "-odi", "-oee", "--", "-dash"}, 0, SM_SEND, false, true,
        NULL, NULL, 5},
    {"-bs", {"-bs"}, 0, SM_SMTP, false, false, NULL, NULL, 2},
    {"-bp", {"-bp"}, 0, SM_LIST, false, false, NULL, NULL, 2},
    {"-q", {"-q15m"}, 0, SM_QRUN, false, false, NULL, NULL, 2},
    {"-r", {"-r", "x@y", "-v", "-N", "never", "u@v"}, 0, SM_SEND, false, false,
        "x@y", NULL, 6},
    {"unknown letter", {"-X", "/tmp/log"}, -1, SM_SEND, false, false, NULL,
        NULL, 0},
    {"-bd refused", {"-bd"}, -1, SM_SEND, false, false, NULL, NULL, 0},
    {"bad -o", {"-oQ/tmp"}, -1, SM_SEND, false, false, NULL, NULL, 0},
    {"missing value", {"-f"}, -1, SM_SEND, false, false, NULL, NULL, 0},
};

static void
test_sendmail(void)
{
	struct buf why = BUF_INIT(256);
	struct sm_opts o;
	char *argv[10];
	size_t i;
	int argc, r;

	for (i = 0; i < sizeof scases / sizeof scases[0]; i++) {
		const struct scase *c = &scases[i];
		argv[0] = (char *)"sendmail";
		for (argc = 1; argc < 9 && c->args[argc - 1]; argc++)
			argv[argc] = c->args[argc - 1];
		argv[argc] = NULL;
		r = sm_parse(argc, argv, &o, &why);
		is_int(r, c->ret, c->name);
		if (r < 0) {
			ok(why.len > 0, "a reason is given");
			continue;
		}
		ok(o.mode == c->mode && o.t == c->t && o.i == c->i,
		    "mode and flags");
		ok((c->f ? o.f && strcmp(o.f, c->f) == 0 : !o.f) &&
		        (c->F ? o.F && strcmp(o.F, c->F) == 0 : !o.F),
		    "sender and name");
		is_int(o.first, c->first, "first recipient");
	}
	buf_free(&why);
}

int
main(void)
{
	test_fields();
	test_qualify();
	test_phrase();
	test_sendmail();
	done_testing();
}
