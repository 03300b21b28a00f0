/* clean.c: removing finished messages for quail-send (clean.h).
 * Runs as quailq, the owner of the queue files.  Trust: the request is
 * a queue id checked with qid_valid, so no path can be smuggled in. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "clean.h"
#include "die.h"
#include "fmt.h"
#include "qid.h"

static int
rm(const char *path)
{
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int
clean_one(const char *line, size_t len, struct buf *reply)
{
	struct buf p = BUF_INIT(128);
	char id[QID_MAX];
	int rc = 0;

	if (!qid_valid(line, len))
		return buf_cats(reply, "-? bad queue id\n");
	memcpy(id, line, len);
	id[len] = '\0';
	if (buf_printf(&p, "mess/%u/%s", qid_split(id, len), id) < 0 ||
	    buf_cstr(&p) < 0)
		return -1;
	if (rm((const char *)p.p) < 0) {
		rc = buf_printf(reply, "-%s cannot remove %s: %s\n", id,
		    (const char *)p.p, strerror(errno));
		goto out;
	}
	buf_reset(&p);
	if (buf_printf(&p, "todo/%s", id) < 0 || buf_cstr(&p) < 0) {
		rc = -1;
		goto out;
	}
	if (rm((const char *)p.p) < 0)
		log_warn("%s: cannot remove %s: %s", id, (const char *)p.p,
		    strerror(errno));
	rc = buf_printf(reply, "+%s\n", id);
out:
	buf_free(&p);
	return rc;
}

unsigned
clean_tmp(long long now)
{
	DIR *d = opendir("tmp");
	struct dirent *de;
	struct buf p = BUF_INIT(512);
	struct stat st;
	unsigned n = 0;

	if (d == NULL) {
		log_line("error", "cannot open tmp: %s", strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		buf_reset(&p);
		if (buf_printf(&p, "tmp/%s", de->d_name) < 0 ||
		    buf_cstr(&p) < 0)
			break;
		if (lstat((const char *)p.p, &st) < 0 || !S_ISREG(st.st_mode) ||
		    (long long)st.st_mtime > now - TMP_MAX_AGE)
			continue;
		if (unlink((const char *)p.p) == 0) {
			log_info("removed stale %s", (const char *)p.p);
			n++;
		}
	}
	closedir(d);
	buf_free(&p);
	return n;
}
