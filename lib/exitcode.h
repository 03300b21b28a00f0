/* exitcode.h: the exit status is the protocol between quail programs. */
#ifndef QUAIL_LIB_EXITCODE_H
#define QUAIL_LIB_EXITCODE_H

#define EXIT_DONE 0   /* done */
#define EXIT_PERM 100 /* permanent: reject, bounce, usage */
#define EXIT_TEMP                                                              \
	111 /* temporary: ENOMEM, EIO, timeout; a retry loses nothing */

#endif
