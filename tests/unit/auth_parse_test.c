/* auth_parse_test.c: quail-auth's request, mailbox value and flags
 * parsers, and crypt verification. */
#include <string.h>
#include "tap.h"
#include "../../auth/auth.h"

static void
requests(void)
{
	struct auth_req r;
	unsigned char big[AUTH_INPUT_MAX + 1];

	ok(auth_parse((const unsigned char *)"Joe@Ex.COM\0pw\0ts\0", 17, &r) ==
	        0,
	    "well formed");
	is_str(r.user, "joe@ex.com", "virtual user lowercased");
	is_mem(r.pass, r.passlen, "pw", 2, "password");
	ok(auth_parse((const unsigned char *)"joe\0pw\0", 7, &r) == 0,
	    "timestamp optional");
	is_str(r.user, "joe", "system name kept");
	ok(auth_parse((const unsigned char *)"joe\0pw", 6, &r) < 0,
	    "password without NUL");
	ok(auth_parse((const unsigned char *)"\0pw\0", 4, &r) < 0,
	    "empty user");
	ok(auth_parse((const unsigned char *)"a/b\0pw\0", 7, &r) < 0, "slash");
	ok(auth_parse((const unsigned char *)"a b\0pw\0", 7, &r) < 0, "space");
	ok(auth_parse((const unsigned char *)"a\nb\0pw\0", 7, &r) < 0, "LF");
	ok(auth_parse((const unsigned char *)"", 0, &r) < 0, "empty input");
	memset(big, 'a', sizeof big);
	big[300] = '\0';
	big[400] = '\0';
	ok(auth_parse(big, sizeof big, &r) < 0, "longer than 512");
	ok(auth_parse(big, 401, &r) < 0, "user longer than 255");
}

static void
mailboxes(void)
{
	struct auth_mbox m;
	const char v[] = "$y$x\0"
	                 "100\0"
	                 "nopop\0"
	                 "/h/mail/d/u/Maildir/";

	ok(auth_mbox_split((const unsigned char *)v, sizeof v - 1, &m) == 0,
	    "four fields");
	is_mem(m.hash.p, m.hash.len, "$y$x", 4, "hash");
	is_mem(m.flags.p, m.flags.len, "nopop", 5, "flags");
	is_mem(
	    m.maildir.p, m.maildir.len, "/h/mail/d/u/Maildir/", 20, "maildir");
	ok(auth_mbox_split((const unsigned char *)"a\0b\0c", 5, &m) < 0,
	    "three fields");
	ok(auth_mbox_split((const unsigned char *)"a\0b\0c\0d\0e", 9, &m) < 0,
	    "five fields");
}

static void
flags(void)
{
	ok(auth_flag_denies("nopop", 5, "pop3"), "nopop denies pop3");
	ok(!auth_flag_denies("nopop", 5, "imap"), "nopop allows imap");
	ok(auth_flag_denies("noimap, nosmtp", 14, "submission"), "nosmtp");
	ok(auth_flag_denies("disabled", 8, "imap"), "disabled");
	ok(!auth_flag_denies("", 0, NULL), "no flags, no service");
	ok(auth_flag_denies("noimap", 6, NULL), "no service: fail closed");
	ok(!auth_flag_denies("nopopx", 6, "pop3"), "whole words only");
}

static void
hashes(void)
{
	const char *y = "$y$j9T$t1HFcoPkgn8AWpzgM1rKx.$LiMblMnqP5vU."
	                "7Y4jfvvjKi9oyIXXygtZPiJWa91A2/";
	const char *s = "$6$abcdefgh$ltjgWl6579NluT/"
	                "Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/"
	                "cZ/1GM/O6IND4WQhG.";

	ok(auth_crypt_ok("secret", y, false), "yescrypt right");
	ok(!auth_crypt_ok("secreT", y, false), "yescrypt wrong");
	ok(auth_crypt_ok("secret", s, false), "sha512 right");
	ok(!auth_crypt_ok("", s, false), "sha512 empty");
	ok(!auth_crypt_ok("x", "!", false), "! never matches");
	ok(!auth_crypt_ok("x", "", true), "empty hash never matches");
	ok(!auth_crypt_ok("ab", "abJnggxhB/yWI", true), "DES refused");
	ok(!auth_crypt_ok("secret", "$1$abc$x", false),
	    "md5 refused for virtual users");
}

int
main(void)
{
	requests();
	mailboxes();
	flags();
	hashes();
	done_testing();
}
