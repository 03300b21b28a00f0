/* sasl.h: pure helpers for SMTP AUTH (RFC 4954): strict base64 (RFC 4648
 * section 4, padding required, no white space) and the PLAIN message
 * (RFC 4616).  No I/O, no allocation; every output is bounded by the
 * caller's buffer. */
#ifndef QUAIL_SMTPD_SASL_H
#define QUAIL_SMTPD_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include "str.h"

/* Decode in[0..n) into out (cap bytes).  0 with *len_r, or -1 with errno
 * EINVAL (not base64) or EMSGSIZE (does not fit). */
int sasl_b64decode(
    const char *in, size_t n, unsigned char *out, size_t cap, size_t *len_r);
/* RFC 4616: authzid NUL authcid NUL passwd.  0, or -1 (EINVAL) unless
 * there are exactly two NULs and authcid and passwd are not empty. */
int sasl_plain(const unsigned char *p, size_t n, struct str *authz_r,
    struct str *user_r, struct str *pass_r);

#endif
