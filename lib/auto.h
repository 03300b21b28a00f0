/* auto.h: values fixed at build time from conf-home and conf-users.
 * Setuid programs take paths only from here, never from the environment. */
#ifndef QUAIL_LIB_AUTO_H
#define QUAIL_LIB_AUTO_H

extern const char auto_home[];
extern const char auto_user_alias[]; /* owns ~alias/.qmail-* */
extern const char auto_user_d[];     /* quaild: smtpd, imapd/pop3d pre-auth */
extern const char auto_user_l[];     /* quaill: multilog */
extern const char auto_user_q[];     /* quailq: owns the queue */
extern const char auto_user_r[];     /* quailr: rspawn, remote */
extern const char auto_user_s[];     /* quails: send */
extern const char auto_user_t[];     /* quailt: tls after key load */
extern const char auto_user_v[];     /* quailv: owns virtual Maildirs */
extern const char auto_group_q[];    /* quail: group of the quail ids */
extern const char auto_group_n[];    /* nofiles */

#endif
