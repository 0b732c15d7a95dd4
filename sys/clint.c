/*
 * clint.c — the core-local interruptor (SiFive CLINT, as QEMU virt's at
 * BOARD_CLINT_BASE): msip (the machine software interrupt) at 0x0,
 * mtimecmp at 0x4000 and mtime at 0xbff8, for hart 0. mtime is the
 * board's clock (board_mtime); the timer interrupt is pending while
 * mtime >= mtimecmp (priv_update_mip reads both).
 */
#include "sys/board.h"

#include <stdlib.h>

#define MSIP     0x0000
#define MTIMECMP 0x4000
#define MTIME    0xbff8

static int clint_read(struct board_dev *d, uint64_t off, unsigned len, uint64_t *val)
{
    struct board *b = d->board;
    uint64_t v;
    uint64_t base;
    if (off < MSIP + 4) {
        v = b->msip;
        base = MSIP;
    } else if (off >= MTIMECMP && off < MTIMECMP + 8) {
        v = b->mtimecmp;
        base = MTIMECMP;
    } else if (off >= MTIME && off < MTIME + 8) {
        v = board_mtime(b);
        base = MTIME;
    } else {
        *val = 0;
        return 0;
    }
    if (len != 4 && len != 8)
        return -1;
    *val = v >> (8 * (off - base));
    return 0;
}

static int clint_write(struct board_dev *d, uint64_t off, unsigned len, uint64_t val)
{
    struct board *b = d->board;
    if (len != 4 && len != 8)
        return -1;
    if (off == MSIP) {
        b->msip = (uint32_t)val & 1;
    } else if (off == MTIMECMP || off == MTIMECMP + 4) {
        unsigned sh = off == MTIMECMP ? 0 : 32;
        uint64_t mask = (len == 8 ? UINT64_MAX : 0xffffffffull) << sh;
        b->mtimecmp = (b->mtimecmp & ~mask) | ((val << sh) & mask);
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
    b->mtimecmp = UINT64_MAX;
    return d;
}
