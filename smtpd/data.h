/* data.h: the DATA byte state machine (RFC 5321 4.1.1.4, 4.5.2), in the
 * manner of qmail-smtpd's blast(): it turns the client's CRLF text into
 * the queue's LF text, removes dot-stuffing, finds the CRLF.CRLF end and
 * counts Received:/Delivered-To: header lines.  Pure: no I/O.
 *
 * Policy (quail-smtpd(8), STANDARDS AND POLICY):
 *   bare LF (LF not after CR)  DATA_BARELF: fatal, the caller answers
 *                              554 5.6.0 and closes (the end of DATA can
 *                              no longer be found safely: SMTP smuggling)
 *   bare CR (CR not before LF) flagged, message refused at the end
 *   NUL                        flagged, message refused at the end
 *   8-bit bytes                passed through unchanged */
#ifndef QUAIL_SMTPD_DATA_H
#define QUAIL_SMTPD_DATA_H

#include <stddef.h>

#define DATA_F_BARECR 0x01
#define DATA_F_NUL    0x02
#define DATA_F_TOOBIG 0x04 /* more than max bytes of output */
#define DATA_F_HOPS   0x08 /* more than SMTP_MAX_HOPS hops */

enum data_res {
	DATA_MORE,   /* all input used, end not seen yet */
	DATA_END,    /* CRLF.CRLF seen: *used_r ends just after it */
	DATA_BARELF, /* bare LF at *used_r - 1: stop reading */
};

struct data_sm {
	int state;
	unsigned flags;
	unsigned hops;
	int inhdr;               /* still in the header section */
	unsigned col;            /* output column in the current line */
	unsigned char hbuf[13];  /* start of the current header line */
	unsigned long long size; /* output bytes so far */
	unsigned long long max;  /* 0: no limit */
};

void smtpd_data_init(struct data_sm *d, unsigned long long max);

/* Feeds in[0..n).  Writes the message bytes to out, which must have room
 * for n + 2 bytes, and sets *outlen_r; sets *used_r to the input bytes
 * consumed (all of them unless DATA_END or DATA_BARELF). */
enum data_res smtpd_data_feed(struct data_sm *d, const unsigned char *in,
    size_t n, unsigned char *out, size_t *outlen_r, size_t *used_r);

#endif
