/* quail-clean: removes finished messages from the queue for quail-send.
 * Runs as quailq (started by quail-start), in HOME/queue.  fd 0: queue
 * ids from quail-send, one a line; fd 1: "+ID" (removed) or "-ID reason"
 * per request; fd 2: log.  Touches mess/NN/ID, todo/ID, and tmp/ files
 * older than 36 hours (checked at start and every hour).  Exits 0 at EOF
 * on fd 0, 111 on errors.  Trust: quail-send is a peer of the same
 * system, yet every id is checked before it becomes a path. */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "clean.h"
#include "die.h"
#include "io.h"
#include "sig.h"
#include <signal.h>

#define LINE_MAX_ 256
#define TMP_EVERY 3600

int
main(void)
{
	unsigned char inmem[4096];
	struct io in;
	struct buf line = BUF_INIT(LINE_MAX_), reply = BUF_INIT(1024);
	struct pollfd pf = {0, POLLIN, 0};
	time_t next = 0;
	int r;

	log_init("quail-clean");
	if (chdir(auto_home) < 0 || chdir("queue") < 0)
		die_sys(111, "unable to chdir to %s/queue", auto_home);
	if (sig_ignore(SIGPIPE) < 0)
		die_sys(111, "unable to ignore SIGPIPE");
	io_init(&in, 0, inmem, sizeof inmem, 0);
	for (;;) {
		if (time(NULL) >= next) {
			(void)clean_tmp((long long)time(NULL));
			next = time(NULL) + TMP_EVERY;
		}
		if (io_buffered(&in) == 0) {
			r = poll(&pf, 1, TMP_EVERY * 1000);
			if (r < 0 && errno != EINTR)
				die_sys(111, "poll failed");
			if (r <= 0)
				continue;
		}
		r = io_getline(&in, &line, LINE_MAX_);
		if (r == 0)
			return 0;
		if (r < 0)
			die_sys(111, "unable to read a request");
		if (line.len && line.p[line.len - 1] == '\n')
			line.len--;
		buf_reset(&reply);
		if (clean_one((const char *)line.p, line.len, &reply) < 0)
			die_nomem();
		if (io_writeall(1, reply.p, reply.len, 60) < 0)
			die_sys(111, "unable to reply to quail-send");
	}
}
