/* cmd_idle.c: IDLE (RFC 2177).  Woken by inotify on the selected
 * folder's new/ and cur/ (and every 60 s as a fallback); changes are
 * reported at once.  Ends at "DONE"; autologout after
 * IMAP_IDLE_TIMEOUT seconds without a byte from the client. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include "imapd.h"
#include "die.h"
#include "str.h"

static int
watch(struct session *s)
{
	struct buf p = BUF_INIT(4096);
	static const char *subs[] = {"/new", "/cur"};
	int fd, i;

	if (s->sel == NULL)
		return -1;
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		buf_reset(&p);
		if (buf_cats(&p, s->sel->path) < 0 ||
		    buf_cats(&p, subs[i]) < 0 || buf_cstr(&p) < 0)
			die_nomem();
		inotify_add_watch(fd, (char *)p.p,
		    IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO);
	}
	buf_free(&p);
	return fd;
}

static void
drain(int fd)
{
	char b[4096];

	while (read(fd, b, sizeof b) > 0)
		;
}

enum cmd_res
cmd_idle(struct imap_cmd *c)
{
	struct session *s = c->s;
	struct buf line = BUF_INIT(IMAP_LINE_MAX);
	struct pollfd pf[2];
	time_t start = time(NULL);
	int in = watch(s), r;
	enum cmd_res res = CMD_DONE;

	if (c->n)
		return CMD_BAD;
	reply(s, "+ idling");
	for (;;) {
		reply_flush(s);
		if (io_buffered(&s->in) == 0) {
			pf[0].fd = s->in.fd;
			pf[0].events = POLLIN;
			pf[1].fd = in;
			pf[1].events = POLLIN;
			pf[0].revents = pf[1].revents = 0;
			r = poll(pf, in >= 0 ? 2 : 1, 60000);
			if (r < 0 && errno != EINTR)
				break;
			if (time(NULL) - start >= IMAP_IDLE_TIMEOUT)
				reply_bye(s, "Autologout; idle for too long");
			if (r == 0 || (in >= 0 && (pf[1].revents & POLLIN))) {
				if (in >= 0)
					drain(in);
				if (s->sel)
					session_sync(s, true);
				continue;
			}
			if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
		}
		if (session_readline(s, &line) < 0) {
			res = CMD_BAD;
			break;
		}
		while (line.len > 0 && (line.p[line.len - 1] == '\n' ||
		                           line.p[line.len - 1] == '\r'))
			line.len--;
		if (!str_caseeq(line.p, line.len, "DONE", 4)) {
			c->resp = "Expected DONE";
			res = CMD_BAD;
		}
		break;
	}
	if (in >= 0)
		close(in);
	buf_free(&line);
	return res;
}
