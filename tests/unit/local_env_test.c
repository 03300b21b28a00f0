/* local_env_test: the Delivered-To, Return-Path and From_ lines and the
 * |program environment (local/env.c). */
#include <string.h>

#include "buf.h"
#include "../../local/local.h"
#include "tap.h"

static const char *
get(const struct buf *env, const char *name)
{
	size_t i = 0, n = strlen(name);

	while (i < env->len) {
		const char *e = (const char *)env->p + i;
		if (strncmp(e, name, n) == 0 && e[n] == '=')
			return e + n + 1;
		i += strlen(e) + 1;
	}
	return NULL;
}

static void
ctx_free(struct local_ctx *c)
{
	buf_free(&c->recipient);
	buf_free(&c->ueo);
	buf_free(&c->dtline);
	buf_free(&c->rpline);
	buf_free(&c->ufline);
	buf_free(&c->deflt);
}

static void
ctx(struct local_ctx *c, const char *sender, const char *ext, const char *host)
{
	memset(c, 0, sizeof *c);
	buf_init(&c->recipient, 2048);
	buf_init(&c->ueo, 2048);
	buf_init(&c->dtline, 2048);
	buf_init(&c->rpline, 2048);
	buf_init(&c->ufline, 2048);
	buf_init(&c->deflt, 2048);
	c->user = "joe";
	c->home = "/home/joe";
	c->local = "joe-list-a-b";
	c->dash = "-";
	c->ext = ext;
	c->domain = host;
	c->sender = sender;
	c->now = 0;
}

int
main(void)
{
	struct local_ctx c;
	struct buf env = BUF_INIT(65536), d = BUF_INIT(100);

	ok(env_date(&d, 0) == 0 && buf_cstr(&d) == 0, "date");
	is_str((char *)d.p, "Thu Jan  1 00:00:00 1970", "asctime form");
	buf_reset(&d);
	ok(env_date(&d, 1700000000) == 0 && buf_cstr(&d) == 0, "date 2");
	is_str((char *)d.p, "Tue Nov 14 22:13:20 2023", "two-digit day");

	ctx(&c, "a b@x.org", "list-a-b", "mail.example.com");
	ok(env_lines(&c) == 0, "lines");
	is_str((char *)c.dtline.p,
	    "Delivered-To: joe-list-a-b@mail.example.com\n", "DTLINE");
	is_str((char *)c.rpline.p, "Return-Path: <a b@x.org>\n", "RPLINE");
	is_str((char *)c.ufline.p, "From a-b@x.org Thu Jan  1 00:00:00 1970\n",
	    "UFLINE: spaces in the sender become '-'");
	ok(env_build(&c, "/bin", &env) == 0, "env");
	is_str(get(&env, "PATH"), "/bin", "PATH");
	is_str(get(&env, "USER"), "joe", "USER");
	is_str(get(&env, "HOME"), "/home/joe", "HOME");
	is_str(get(&env, "LOCAL"), "joe-list-a-b", "LOCAL");
	is_str(get(&env, "HOST"), "mail.example.com", "HOST");
	is_str(get(&env, "HOST2"), "mail.example", "HOST2");
	is_str(get(&env, "HOST3"), "mail", "HOST3");
	is_str(get(&env, "HOST4"), "mail", "HOST4: no more dots");
	is_str(get(&env, "SENDER"), "a b@x.org", "SENDER");
	is_str(get(&env, "RECIPIENT"), "joe-list-a-b@mail.example.com",
	    "RECIPIENT");
	is_str(get(&env, "EXT"), "list-a-b", "EXT");
	is_str(get(&env, "EXT2"), "a-b", "EXT2");
	is_str(get(&env, "EXT3"), "b", "EXT3");
	is_str(get(&env, "EXT4"), "", "EXT4");
	is_str(get(&env, "DTLINE"), (char *)c.dtline.p, "DTLINE in env");
	is_str(get(&env, "NEWSENDER"), "a b@x.org", "NEWSENDER");
	ok(get(&env, "DEFAULT") != NULL, "DEFAULT present");

	ctx_free(&c);
	ctx(&c, "", "", "localhost");
	c.local = "x\ny";
	ok(env_lines(&c) == 0, "lines, null sender");
	is_str((char *)c.rpline.p, "Return-Path: <>\n", "null RPLINE");
	ok(strncmp((char *)c.ufline.p, "From MAILER-DAEMON ", 19) == 0,
	    "null sender From_ line");
	is_str((char *)c.dtline.p, "Delivered-To: x_y@localhost\n",
	    "LF in local part cannot split the header");
	buf_reset(&env);
	ok(env_build(&c, NULL, &env) == 0, "env 2");
	is_str(
	    get(&env, "PATH"), "/usr/local/bin:/usr/bin:/bin", "default PATH");
	is_str(get(&env, "HOST2"), "localhost", "HOST2 without dot");
	env.max = 100;
	buf_reset(&env);
	ok(env_build(&c, NULL, &env) < 0, "bounded environment");
	ctx_free(&c);
	buf_free(&env);
	buf_free(&d);
	done_testing();
}
