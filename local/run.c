/* run.c: one delivery, as qmail-local does it: home checks, Delivered-To
 * loop detection, the .qmail file (or the default delivery), its lines
 * in order, then the collected forwards.  Stops at the first failure:
 * the whole delivery is retried or bounced (earlier lines may then run
 * twice: at-least-once, DESIGN.md invariant 1). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "fmt.h"
#include "io.h"
#include "local.h"

void
say(struct local_ctx *c, const char *fmt, ...)
{
	struct buf b = BUF_INIT(LOCAL_TEXT_MAX);
	va_list ap;

	va_start(ap, fmt);
	if (buf_vprintf(&b, fmt, ap) < 0 && b.len == 0)
		buf_cats(&b, "(report line too long)");
	va_end(ap);
	if (buf_catc(&b, '\n') == 0)
		io_write(c->out, b.p, b.len);
	buf_free(&b);
}

/* mkdir -p path (mode 0700); errors show up at the chdir after it. */
static void
mkdirs(const char *path)
{
	char p[4096];
	size_t n = strlen(path), i;

	if (n >= sizeof p)
		return;
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return;
		if (i < n)
			p[i] = '/';
	}
}

static int
home_ok(struct local_ctx *c)
{
	struct stat st;

	if (c->create && chdir(c->home) < 0 && errno == ENOENT)
		mkdirs(c->home);
	if (chdir(c->home) < 0) {
		say(c, "4.2.1 Unable to switch to %s: %s", c->home,
		    strerror(errno));
		return L_TEMP;
	}
	if (stat(".", &st) < 0) {
		say(c, "4.2.1 Unable to stat home: %s", strerror(errno));
		return L_TEMP;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		/* qmail-local's rule: others could plant a .qmail here */
		say(c, "4.7.0 Uh-oh: home directory is writable by others "
		       "(#4.7.0)");
		return L_TEMP;
	}
	if (st.st_mode & S_ISVTX) {
		say(c, "4.2.1 Home directory is sticky: user is editing "
		       "the .qmail file (#4.2.1)");
		return L_TEMP;
	}
	return L_OK;
}

/* qmail's list owner rule: with a .qmail<dash><ext>-owner file, forwards
 * go out with sender <local>-owner@<domain>. */
static int
owner(struct local_ctx *c)
{
	struct buf name = BUF_INIT(8192);
	struct stat st;
	int r = 0;

	if (*c->sender == '\0' || strcmp(c->sender, "#@[]") == 0)
		return 0;
	if (buf_cats(&name, ".qmail") < 0 || buf_cats(&name, c->dash) < 0 ||
	    buf_cats(&name, c->ext) < 0 || buf_cats(&name, "-owner") < 0 ||
	    buf_cstr(&name) < 0)
		r = -1;
	else if (stat((char *)name.p, &st) == 0) {
		buf_reset(&c->ueo);
		if (buf_cats(&c->ueo, c->local) < 0 ||
		    buf_cats(&c->ueo, "-owner@") < 0 ||
		    buf_cats(&c->ueo, c->domain) < 0 || buf_cstr(&c->ueo) < 0)
			r = -1;
	}
	buf_free(&name);
	return r;
}

/* The instructions: the .qmail file, or aliasempty. */
static int
instructions(struct local_ctx *c, struct buf *cmds)
{
	int r = 0;

	if (!c->exclusive) {
		r = dq_find(c, cmds);
		if (r < 0)
			return L_TEMP;
	}
	if (r == 0 && !c->exclusive && *c->dash) {
		say(c, "5.1.1 Sorry, no mailbox here by that name. (#5.1.1)");
		return L_PERM;
	}
	if (r == 0 || cmds->len == 0) {
		buf_reset(cmds);
		if (buf_cats(cmds, c->aliasempty) < 0 ||
		    buf_catc(cmds, '\n') < 0) {
			say(c, "4.3.0 Default delivery too long");
			return L_TEMP;
		}
	}
	return L_OK;
}

int
local_run(struct local_ctx *c)
{
	struct buf cmds = BUF_INIT(LOCAL_QMAIL_MAX);
	int r, loop;

	if (env_lines(c) < 0) {
		say(c, "4.3.0 Out of memory or address too long");
		return L_TEMP;
	}
	r = home_ok(c);
	if (r != L_OK)
		return r;
	if (!c->exclusive && owner(c) < 0) {
		say(c, "4.3.0 Out of memory or address too long");
		return L_TEMP;
	}
	if (!c->dryrun) {
		loop = msg_looping(c);
		if (loop < 0) {
			say(c, "4.3.0 Unable to read message: %s",
			    strerror(errno));
			return L_TEMP;
		}
		if (loop) {
			say(c, "5.4.6 This message is looping: it already has "
			       "my Delivered-To line. (#5.4.6)");
			return L_PERM;
		}
	}
	r = instructions(c, &cmds);
	if (r == L_OK && c->dryrun && c->qmfile.len)
		say(c, "file: %s", (char *)c->qmfile.p);
	if (r == L_OK)
		r = dq_run(c, (char *)cmds.p, cmds.len);
	if (r == L_OK && c->ninstr == 0)
		say(c, "no delivery instructions in %s: nothing delivered",
		    c->qmfile.len ? (char *)c->qmfile.p : "the default");
	if (r == L_OK || r == L_STOP)
		r = c->dryrun ? L_OK : fwd_send(c);
	buf_free(&cmds);
	return r;
}
