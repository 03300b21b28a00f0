/* postauth.c: the start of a logged-in session (quail-imapd -s), run
 * as the mailbox owner by the checkpassword program.  The Maildir is
 * $MAILDIR (virtual users, set by quail-auth) or $HOME/Maildir; it is
 * created when missing.  On the first login the special-use folders
 * (RFC 6154) Sent, Drafts, Trash and Junk are created; the marker file
 * "quail-specialuse" records that, so folders the user deletes later
 * stay deleted.  Input the client pipelined after its LOGIN arrives on
 * the pending descriptor (preauth.c) and is read first. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"
#include "exitcode.h"
#include "maildir.h"

void session_start(
    struct session *s, int statusfd, const char *tag, int pendfd);

static const char *const special[] = {"Sent", "Drafts", "Trash", "Junk"};

static void
create_special(struct session *s)
{
	struct buf p = BUF_INIT(MAILDIR_PATH_MAX);
	size_t i;
	int fd;

	if (buf_cats(&p, s->root) < 0 ||
	    buf_cats(&p, "/quail-specialuse") < 0 || buf_cstr(&p) < 0)
		die_nomem();
	if (access((char *)p.p, F_OK) == 0) {
		buf_free(&p);
		return;
	}
	for (i = 0; i < sizeof special / sizeof special[0]; i++) {
		struct buf f = BUF_INIT(MAILDIR_PATH_MAX);
		if (mbox_path(s->root, special[i], &f) == 0 &&
		    maildir_create((char *)f.p, false) < 0)
			log_warn("unable to create %s: %s", (char *)f.p,
			    strerror(errno));
		buf_free(&f);
	}
	fd = open((char *)p.p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	buf_free(&p);
}

/* The input the pre-login process had read past the login command
 * (pipelined commands), on pendfd until end of file; it wrote at most
 * its buffer, which is the size of ours.  It comes before anything
 * still unread on fd 0. */
static void
read_pending(struct session *s, int pendfd)
{
	struct io p;
	ssize_t r;

	io_init(&p, pendfd, s->inmem, sizeof s->inmem, IMAP_DATA_TIMEOUT);
	do
		r = p.len < p.cap ? io_fill(&p) : 0;
	while (r > 0);
	if (r < 0)
		die_sys(EXIT_TEMP, "unable to read the pending input");
	s->in.pos = 0;
	s->in.len = p.len;
	close(pendfd);
}

void
session_start(struct session *s, int statusfd, const char *tag, int pendfd)
{
	const char *md = getenv("MAILDIR"), *home = getenv("HOME");
	struct buf r = BUF_INIT(MAILDIR_PATH_MAX);
	size_t l;

	if (md != NULL && *md) {
		if (buf_cats(&r, md) < 0)
			die_nomem();
	} else if (home != NULL && *home) {
		if (buf_cats(&r, home) < 0 || buf_cats(&r, "/Maildir") < 0)
			die_nomem();
	} else
		die(EXIT_TEMP, "neither MAILDIR nor HOME is set");
	l = r.len;
	while (l > 1 && r.p[l - 1] == '/')
		l--;
	r.len = l;
	if (buf_cstr(&r) < 0)
		die_nomem();
	s->root = (char *)r.p;
	if (!maildir_exists(s->root) && maildir_create(s->root, true) < 0)
		die_sys(EXIT_TEMP, "unable to create %s", s->root);
	create_special(s);
	s->state = S_AUTH;
	s->session_mode = true;
	reply(s, "%s OK [CAPABILITY %s] Logged in", tag, capability_string(s));
	reply_flush(s);
	if (write(statusfd, "K", 1) != 1)
		die_sys(EXIT_TEMP, "unable to report the session start");
	close(statusfd);
	if (pendfd >= 0)
		read_pending(s, pendfd);
	log_info("login user=%s", getenv("USER") ? getenv("USER") : "?");
}
