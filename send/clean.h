/* clean.h: quail-clean's work (send/clean.c). */
#ifndef QUAIL_SEND_CLEAN_H
#define QUAIL_SEND_CLEAN_H

#include <stddef.h>
#include "buf.h"

#define TMP_MAX_AGE (36 * 3600) /* seconds: tmp/ files older are removed */

/* Handles one request line (without LF): removes mess/NN/ID and todo/ID
 * (relative to the cwd, HOME/queue) and appends the reply line. */
int clean_one(const char *line, size_t len, struct buf *reply);
/* Removes tmp/ files last modified before now - TMP_MAX_AGE; returns
 * how many. */
unsigned clean_tmp(long long now);

#endif
