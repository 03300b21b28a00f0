/* inj_run.c: quail-inject's work after argument parsing: complete the
 * header, pick the recipients, hand everything to quail-queue and turn
 * its exit code into 0, 100 or 111 with a clear message.
 * Trust: runs as the caller; nothing here is privileged. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "die.h"
#include "exitcode.h"
#include "fmt.h"
#include "inj_run.h"
#include "io.h"
#include "qq.h"

struct run {
	const struct inj_opts *o;
	struct inj_conf c;
	struct inj_hdr h;
	struct buf first, rcpts, sender, tmp;
	bool end;
};

static const char *const inj_errs[] = {
    [INJ_ERR_READ] = "unable to read the message",
    [INJ_ERR_LINE] = "a header line is too long",
    [INJ_ERR_TOOBIG] = "the header is too large",
    [INJ_ERR_NOMEM] = "out of memory",
    [INJ_ERR_WRITE] = "unable to write the message",
};

static _Noreturn void
fail(int code)
{
	die(code == INJ_ERR_LINE || code == INJ_ERR_TOOBIG ? EXIT_PERM
	                                                   : EXIT_TEMP,
	    "%s", inj_errs[code]);
}

/* Qualifies each NUL-ended address of list and appends it to r->rcpts. */
static void
add_rcpts(struct run *r, const unsigned char *list, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = strlen((const char *)list + i);
		buf_reset(&r->tmp);
		if (inj_qualify(&r->c, &r->tmp, (const char *)list + i, n) < 0)
			die_nomem();
		if (r->tmp.len > ADDR_MAX)
			die(EXIT_PERM, "address too long: %.*s", 100,
			    (const char *)list + i);
		if (buf_cat(&r->rcpts, r->tmp.p, r->tmp.len) < 0 ||
		    buf_catc(&r->rcpts, 0) < 0)
			die(EXIT_PERM, "too many recipients");
		i += n + 1;
	}
}

static void
arg_rcpts(struct run *r, char **args)
{
	struct buf list = BUF_INIT(INJ_HDR_MAX);

	for (; *args; args++) {
		buf_reset(&list);
		if (addr_parse_list(*args, strlen(*args), &list) <= 0)
			die(EXIT_PERM, "bad recipient address: %.*s", 100,
			    *args);
		add_rcpts(r, list.p, list.len);
	}
	buf_free(&list);
}

static void
pick_sender(struct run *r)
{
	const char *f = r->o->sender;
	struct buf list = BUF_INIT(ADDR_MAX * 2);

	if (f && (*f == 0 || strcmp(f, "<>") == 0))
		return; /* the null sender */
	if (f) {
		if (addr_parse_list(f, strlen(f), &list) != 1)
			die(EXIT_PERM, "bad sender address: %.*s", 100, f);
		if (inj_qualify(
		        &r->c, &r->sender, (char *)list.p, list.len - 1) < 0)
			die_nomem();
	} else {
		if (buf_cat(&list, r->c.suser.p, r->c.suser.len) < 0 ||
		    buf_catc(&list, '@') < 0 ||
		    buf_cat(&list, r->c.shost.p, r->c.shost.len) < 0 ||
		    inj_qualify(&r->c, &r->sender, (char *)list.p, list.len) <
		        0)
			die_nomem();
	}
	if (r->sender.len > ADDR_MAX)
		die(EXIT_PERM, "sender address too long");
	buf_free(&list);
}

/* The From: address: the -f sender if given, else user@host. */
static int
from_value(struct run *r, struct buf *b)
{
	const char *name = r->o->name ? r->o->name : (const char *)r->c.name.p;
	struct buf a = BUF_INIT(INJ_NAME_MAX * 3);
	int e = 0;

	buf_reset(&r->tmp);
	if (r->o->sender && r->sender.len > 0)
		e = buf_cat(&r->tmp, r->sender.p, r->sender.len);
	else if (buf_cat(&a, r->c.user.p, r->c.user.len) < 0 ||
	         buf_catc(&a, '@') < 0 ||
	         buf_cat(&a, r->c.host.p, r->c.host.len) < 0 ||
	         inj_qualify(&r->c, &r->tmp, (char *)a.p, a.len) < 0)
		e = -1;
	buf_free(&a);
	if (e < 0)
		return -1;
	if (*name == 0)
		return addr_quote(b, (char *)r->tmp.p, r->tmp.len);
	if (inj_phrase(b, name, strlen(name)) < 0 || buf_cats(b, " <") < 0 ||
	    addr_quote(b, (char *)r->tmp.p, r->tmp.len) < 0)
		return -1;
	return buf_catc(b, '>');
}

static int
add_field(struct run *r, struct buf *b, const char *name, int what)
{
	struct buf v = BUF_INIT(4096);
	time_t now = time(NULL);
	int e;

	if (what == 'D')
		e = date822_fmt(&v, now, true);
	else if (what == 'M')
		e = buf_printf(&v, "<%llu.%lu@%s>", (unsigned long long)now,
		    (unsigned long)getpid(), (char *)r->c.idhost.p);
	else
		e = from_value(r, &v);
	if (e < 0 || buf_cats(b, name) < 0 || buf_cats(b, ": ") < 0 ||
	    buf_cat(b, v.p, v.len) < 0 || buf_catc(b, '\n') < 0)
		die_nomem();
	buf_free(&v);
	return 0;
}

/* The header to send: the kept fields, then the ones we complete. */
static void
complete(struct run *r, struct buf *b)
{
	const struct inj_hdr *h = &r->h;

	if (buf_cat(b, h->out.p, h->out.len) < 0)
		die_nomem();
	if (!h->date)
		add_field(r, b, "Date", 'D');
	if (!h->msgid)
		add_field(r, b, "Message-ID", 'M');
	if (!h->from)
		add_field(r, b, "From", 'F');
	if (h->resent && !h->rdate)
		add_field(r, b, "Resent-Date", 'D');
	if (h->resent && !h->rmsgid)
		add_field(r, b, "Resent-Message-ID", 'M');
	if (h->resent && !h->rfrom)
		add_field(r, b, "Resent-From", 'F');
	if (buf_catc(b, '\n') < 0)
		die_nomem();
}

/* Writes the message to fd; 0 or enum inj_err. */
static int
send_message(struct run *r, int fd, struct io *in)
{
	unsigned char mem[IO_BUFSIZE];
	struct buf hdr = BUF_INIT(INJ_HDR_MAX * 2);
	struct io out;
	bool bol = true;
	int code = 0;

	io_init(&out, fd, mem, sizeof mem, 0);
	complete(r, &hdr);
	if (io_write(&out, hdr.p, hdr.len) < 0)
		code = INJ_ERR_WRITE;
	buf_free(&hdr);
	if (code == 0 && r->first.len > 0 &&
	    inj_body_line(&out, &r->first, r->o->dot, &bol) < 0)
		code = INJ_ERR_WRITE;
	if (code == 0 && !r->end)
		code = inj_copy_body(in, &out, r->o->dot, bol);
	if (code == 0 && io_flush(&out) < 0)
		code = INJ_ERR_WRITE;
	return code;
}

static _Noreturn void
qq_result(int code)
{
	bool perm;
	const char *text;

	if (code == 0)
		_exit(EXIT_DONE);
	text = qq_exit_text(code, &perm);
	die(perm ? EXIT_PERM : EXIT_TEMP, "quail-queue failed: %s (#%d)", text,
	    code);
}

static void
run_free(struct run *r)
{
	struct buf *bufs[] = {&r->c.user, &r->c.host, &r->c.name, &r->c.suser,
	    &r->c.shost, &r->c.defaulthost, &r->c.defaultdomain,
	    &r->c.plusdomain, &r->c.idhost, &r->first, &r->rcpts, &r->sender,
	    &r->tmp};
	size_t i;

	for (i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
		buf_free(bufs[i]);
	inj_hdr_free(&r->h);
}

int
inj_run(const struct inj_opts *o, char **args)
{
	unsigned char mem[IO_BUFSIZE];
	struct run r = {.o = o};
	struct io in;
	int code, fd = 1;

	buf_init(&r.first, INJ_LINE_MAX);
	buf_init(&r.rcpts, QQ_ENV_MAX / 2);
	buf_init(&r.sender, ADDR_MAX * 2);
	buf_init(&r.tmp, INJ_HDR_MAX);
	if (inj_conf_load(&r.c) < 0)
		die_sys(EXIT_TEMP, "unable to read the control files");
	inj_hdr_init(&r.h);
	io_init(&in, 0, mem, sizeof mem, 0);
	code = inj_read_header(&in, &r.h, &r.first, o->dot, &r.end);
	if (code)
		fail(code);
	if (o->mode != INJ_RCPT_HDRS && (o->mode != INJ_RCPT_AUTO || *args))
		arg_rcpts(&r, args);
	if (o->mode == INJ_RCPT_HDRS || o->mode == INJ_RCPT_BOTH ||
	    (o->mode == INJ_RCPT_AUTO && !*args))
		add_rcpts(&r, inj_hdr_rcpts(&r.h)->p, inj_hdr_rcpts(&r.h)->len);
	if (r.rcpts.len == 0 && !o->print)
		die(EXIT_PERM, "no recipients");
	pick_sender(&r);
	if (!o->print && inj_qq_start(&fd) < 0)
		die_sys(EXIT_TEMP, "unable to run quail-queue");
	code = send_message(&r, fd, &in);
	if (o->print) {
		if (code)
			fail(code);
		run_free(&r);
		return EXIT_DONE;
	}
	close(fd);
	if (code == INJ_ERR_READ)
		fail(
		    code); /* quail-queue sees a short envelope: nothing kept */
	qq_result(inj_qq_finish((char *)r.sender.p, r.sender.len, &r.rcpts));
}
