/* die.h: fatal errors and log lines for multilog, on fd 2.
 * log_init sets the program name used as prefix.  Lines look like
 *   quail-smtpd: fatal: unable to read control/me: Permission denied
 * Control characters and bytes >= 0x7f in the text are escaped as \xNN,
 * so a hostile peer cannot forge log lines.  Never log passwords. */
#ifndef QUAIL_LIB_DIE_H
#define QUAIL_LIB_DIE_H

void log_init(const char *progname);
/* level: "info", "warning", "error", "fatal" */
void log_line(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* die: log at "fatal" and _exit(code).  die_sys appends ": strerror(errno)"
 * using errno as it was on entry. */
_Noreturn void die(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn void die_sys(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn void die_nomem(void); /* 111 */

#endif
