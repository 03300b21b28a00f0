/* banned.h: forced into every compilation with -include (STYLE.md).
 * Poisons the C library calls that have no bound or hide errors.  The
 * system headers that declare them are included first, so a later
 * #include of them does not trip the poison; daemons still may not use
 * stdio (tools/lint.sh checks their #include lines). */
#ifndef QUAIL_LIB_BANNED_H
#define QUAIL_LIB_BANNED_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* glibc's fortify headers may define some as macros */
#undef strcpy
#undef strcat
#undef sprintf
#undef vsprintf
#undef gets
#undef strtok
#undef strncpy
#undef strncat
#undef atoi
#undef atol
#undef alloca
#pragma GCC poison strcpy strcat sprintf vsprintf gets strtok strncpy strncat
#pragma GCC poison atoi atol alloca
#endif
