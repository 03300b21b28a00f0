/* conf.c: quail-tls's command line (quail-tls(8)).
 * Trust: argv comes from the admin's run script; it is still checked. */
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "die.h"
#include "scan.h"
#include "tls.h"

static int
seconds(const char *s, unsigned *r)
{
	unsigned long u;

	if (scan_ulong_all(s, strlen(s), &u) < 0 || u == 0 || u > 86400)
		return -1;
	*r = (unsigned)u;
	return 0;
}

static int
usage(void)
{
	log_line("fatal", "usage: quail-tls -i|-s [-u user] [-g group] "
	                  "[-c certfile] [-d certdir] [-t handshake-seconds] "
	                  "[-T idle-seconds] [--] program [arg ...]");
	return -1;
}

int
tls_conf_parse(struct tls_conf *c, int argc, char **argv)
{
	int opt;
	bool mode = false;

	memset(c, 0, sizeof *c);
	c->user = auto_user_d;
	c->group = auto_group_n;
	c->hs_timeout = TLS_HS_TIMEOUT;
	c->idle_timeout = TLS_IDLE_TIMEOUT;
	while ((opt = getopt(argc, argv, "+isu:g:c:d:t:T:")) != -1) {
		switch (opt) {
		case 'i':
		case 's':
			c->mode = opt == 'i' ? TLS_IMPLICIT : TLS_STARTTLS;
			mode = true;
			break;
		case 'u':
			c->user = optarg;
			break;
		case 'g':
			c->group = optarg;
			break;
		case 'c':
			c->certfile = optarg;
			break;
		case 'd':
			c->certdir = optarg;
			break;
		case 't':
			if (seconds(optarg, &c->hs_timeout) < 0)
				return usage();
			break;
		case 'T':
			if (seconds(optarg, &c->idle_timeout) < 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (!mode || optind >= argc || argv[optind][0] == '\0')
		return usage();
	c->argv = argv + optind;
	return 0;
}

bool
tls_name_ok(const char *name, size_t len)
{
	size_t i;
	bool dot = false;

	if (len == 0 || len > TLS_NAME_MAX || name[0] == '.' ||
	    name[0] == '-' || name[len - 1] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char ch = name[i];
		if (ch == '.') {
			if (name[i + 1] == '.')
				return false;
			dot = true;
		} else if (!((ch >= 'a' && ch <= 'z') ||
		               (ch >= '0' && ch <= '9') || ch == '-')) {
			return false;
		}
	}
	return dot;
}
