/* base64.h: RFC 4648 section 4 base64, strict.  The decoder takes only
 * the standard alphabet in whole 4-character quanta, '=' padding only at
 * the end (and required there), zero pad bits (section 3.5: a non-canonical
 * encoding is refused); white space, line breaks and base64url are
 * garbage.  Pure: no I/O, no globals; output bounded by the caller. */
#ifndef QUAIL_LIB_BASE64_H
#define QUAIL_LIB_BASE64_H

#include <stddef.h>
#include "buf.h"

/* Decodes in[0..n) into out (cap bytes): 0 with *len_r set, or -1 with
 * errno EINVAL (not strict base64; *len_r untouched) or EMSGSIZE (the
 * result would pass cap).  out may be in itself or lie before it
 * (decoding in place: each quantum is read before its bytes are
 * written); out[0..cap) may be written even when -1 is returned. */
int base64_decode(
    const void *in, size_t n, void *out, size_t cap, size_t *len_r);
/* The 6-bit value of c in the standard alphabet, or -1 (also for '=');
 * for lenient decoders that skip what is not base64 (RFC 2045 6.8). */
int base64_value(unsigned char c);
/* Appends the padded encoding of p[0..n) to out: 0, or -1 with errno
 * ENOMEM or EMSGSIZE and out as it was. */
int base64_encode(struct buf *out, const void *p, size_t n);

#endif
