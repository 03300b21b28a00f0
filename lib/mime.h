/* mime.h: a MIME structure parser (RFC 2045, 2046, 5322) over a message
 * in memory.  Pure: no I/O; the tree is an array of parts that point
 * into the caller's bytes by offset.  Lines may end in CRLF or LF.
 * Bounds: nesting MIME_DEPTH_MAX (deeper parts are kept as opaque
 * leaves), at most MIME_PARTS_MAX parts (later ones become part of
 * their parent's body), one header field at most the header's length.
 *
 * The tree: part 0 is the message.  A multipart has its body parts as
 * children; a message/rfc822 part has one child, the encapsulated
 * message (whose header is that message's header).  parent/child/next
 * are indexes, -1 for none. */
#ifndef QUAIL_LIB_MIME_H
#define QUAIL_LIB_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"

#define MIME_DEPTH_MAX    32
#define MIME_PARTS_MAX    10000
#define MIME_BOUNDARY_MAX 70 /* RFC 2046 section 5.1.1 */

struct mime_part {
	size_t off, len;           /* whole part: header + body */
	size_t hdr_len;            /* header incl. the empty line */
	size_t body_off, body_len; /* body */
	size_t lines;              /* LFs in the body */
	/* Content-Type: type and subtype (defaults text/plain, or
	 * message/rfc822 inside multipart/digest); params: the rest of the
	 * field after the subtype (for mime_param_next), may be empty. */
	const char *type, *subtype, *params;
	size_t type_len, subtype_len, params_len;
	int parent, child, next;
	int depth;
	bool is_message; /* the root or an encapsulated message */
};

struct mime {
	struct mime_part *part;
	size_t n, cap;
};

/* Parses msg[0..len) into m (m->part allocated; mime_free releases).
 * 0, or -1/ENOMEM.  Any byte sequence parses. */
int mime_parse(struct mime *m, const char *msg, size_t len);
void mime_free(struct mime *m);

/* The first header field called name (case-insensitive) in
 * hdr[0..len): its raw value (after the colon, folding kept, final
 * CRLF not included) into *val and *vlen.  true if found. */
bool mime_header_find(const char *hdr, size_t len, const char *name,
    const char **val, size_t *vlen);
/* Walks header fields: *pos starts at 0; each call gives the next
 * field's name and raw value and its whole extent (name to the end of
 * the last folded line, line end included).  false at the end. */
bool mime_header_next(const char *hdr, size_t len, size_t *pos,
    const char **name, size_t *nlen, const char **val, size_t *vlen,
    size_t *fstart, size_t *fend);
/* Parameters of a Content-Type/-Disposition value after its first
 * token: each call gives the next attribute and value (unquoted into
 * v, replacing it).  *pos starts at 0.  false at the end. */
bool mime_param_next(const char *p, size_t len, size_t *pos, const char **attr,
    size_t *alen, struct buf *v);
/* The value of parameter name into v: true if present. */
bool mime_param(const char *p, size_t len, const char *name, struct buf *v);
/* First token of a structured value (e.g. "7bit", "attachment"),
 * comments and spaces skipped. */
bool mime_token(
    const char *p, size_t len, const char **t, size_t *tlen, size_t *end);
/* Unfolds a raw value into out (CRLF + WSP -> WSP), trimming the
 * leading white space. */
int mime_unfold(const char *p, size_t len, struct buf *out);

#endif
