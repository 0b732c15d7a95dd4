/*
 * clint.c — the core-local interruptor (SiFive CLINT, as QEMU virt's at
 * BOARD_CLINT_BASE): msip (the machine software interrupt) of hart N at
 * 0x0 + 4N, its mtimecmp at 0x4000 + 8N, and mtime at 0xbff8. mtime is the
 * board's clock (board_mtime); the timer interrupt is pending while
 * mtime >= mtimecmp (priv_update_mip reads both).
 */
#include "sys/board.h"

#include <stdlib.h>

#define MSIP     0x0000
#define MTIMECMP 0x4000
#define MTIME    0xbff8

/* The hart whose register of kind (base, size) off falls in, or NULL. */
static struct board_hart *hart_of(struct board *b, uint64_t off, uint64_t base, unsigned size, uint64_t *at)
{
    if (off < base || off >= base + (uint64_t)size * b->nharts)
        return NULL;
    *at = (off - base) % size;
    return b->harts[(off - base) / size];
}

static int clint_read(struct board_dev *d, uint64_t off, unsigned len, uint64_t *val)
{
    struct board *b = d->board;
    struct board_hart *h;
    uint64_t v, at = 0;
    if ((h = hart_of(b, off, MSIP, 4, &at)))
        v = atomic_load(&h->msip);
    else if ((h = hart_of(b, off, MTIMECMP, 8, &at)))
        v = atomic_load(&h->mtimecmp);
    else if (off >= MTIME && off < MTIME + 8)
        v = board_mtime(b), at = off - MTIME;
    else
        v = 0;
    if (len != 4 && len != 8)
        return -1;
    *val = v >> (8 * at);
    return 0;
}

static int clint_write(struct board_dev *d, uint64_t off, unsigned len, uint64_t val)
{
    struct board *b = d->board;
    struct board_hart *h;
    uint64_t at = 0;
    if (len != 4 && len != 8)
        return -1;
    if ((h = hart_of(b, off, MSIP, 4, &at))) {
        if (at == 0)
            atomic_store(&h->msip, (uint32_t)val & 1);
    } else if ((h = hart_of(b, off, MTIMECMP, 8, &at)) && (at == 0 || at == 4)) {
        unsigned sh = at == 0 ? 0 : 32;
        uint64_t mask = (len == 8 ? UINT64_MAX : 0xffffffffull) << sh;
        uint64_t old = atomic_load(&h->mtimecmp);
        atomic_store(&h->mtimecmp, (old & ~mask) | ((val << sh) & mask));
    }
    /* mtime is the board's clock: writes to it are ignored. */
    return 0;
}

struct board_dev *board_clint_new(struct board *b)
{
    struct board_dev *d = calloc(1, sizeof *d);
    if (d)
        *d = (struct board_dev){ .name = "clint", .base = BOARD_CLINT_BASE, .size = BOARD_CLINT_SIZE, .read = clint_read,
                                 .write = clint_write, .board = b };
    return d;
}
