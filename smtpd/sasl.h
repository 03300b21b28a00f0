/* sasl.h: pure helpers for SMTP AUTH (RFC 4954): the PLAIN message
 * (RFC 4616).  The strict base64 (RFC 4648 section 4, padding required, no
 * white space) is lib/base64.h.  No I/O, no allocation. */
#ifndef QUAIL_SMTPD_SASL_H
#define QUAIL_SMTPD_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include "str.h"

/* RFC 4616: authzid NUL authcid NUL passwd.  0, or -1 (EINVAL) unless
 * there are exactly two NULs and authcid and passwd are not empty. */
int sasl_plain(const unsigned char *p, size_t n, struct str *authz_r,
    struct str *user_r, struct str *pass_r);

#endif
