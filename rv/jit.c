/*
 * jit.c — the block compiler's backends. None yet: every block is
 * interpreted (rv_jit_new returns NULL).
 */
#include "rv/jit.h"

#include <stddef.h>

struct rv_jit *rv_jit_new(void) { return NULL; }
void rv_jit_free(struct rv_jit *j) { (void)j; }
void rv_jit_reset(struct rv_jit *j) { (void)j; }
void *rv_jit_compile(struct rv_jit *j, const struct rv_block *b) { (void)j; (void)b; return NULL; }
