/*
 * jit_buf.c — the block compiler's code buffer, shared by its backends
 * (rv/jit.c, rv/jit_a64.c; see rv/jit_int.h).
 */
#include "rv/jit_int.h"

#if (defined(__x86_64__) || defined(__aarch64__)) && (defined(__linux__) || defined(__unix__))

#include <sys/mman.h>

bool rv_jit_buf_map(struct rv_jit_buf *b)
{
    if (b->buf || b->refused)
        return b->buf != NULL;
    void *p = mmap(NULL, b->size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    b->buf = p == MAP_FAILED ? NULL : p;
    b->refused = !b->buf;
    return b->buf != NULL;
}

void rv_jit_buf_unmap(struct rv_jit_buf *b)
{
    if (b->buf)
        munmap(b->buf, b->size);
    b->buf = NULL;
}

#endif
