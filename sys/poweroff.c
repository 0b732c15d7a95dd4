/*
 * poweroff.c — the SiFive test device (QEMU virt's "sifive_test" at
 * BOARD_TEST_BASE), through which a guest powers the board off or resets
 * it: a 16- or 32-bit write of 0x5555 powers off with success, 0x3333 with the
 * failure code in the upper 16 bits, 0x7777 resets.
 */
#include "sys/board.h"

#include <stdlib.h>

#define TEST_FAIL  0x3333
#define TEST_PASS  0x5555
#define TEST_RESET 0x7777

static int test_read(struct board_dev *d, uint64_t off, unsigned len, uint64_t *val)
{
    *val = 0;
    return 0;
}

static int test_write(struct board_dev *d, uint64_t off, unsigned len, uint64_t val)
{
    struct board *b = d->board;
    if (off != 0 || (len != 2 && len != 4))   /* OpenSBI writes 16 bits, U-Boot 32 */
        return 0;
    switch (val & 0xffff) {
    case TEST_PASS:
        board_end(b, BOARD_POWEROFF, 0);
        break;
    case TEST_FAIL:
        board_end(b, BOARD_POWEROFF, (int)((val >> 16) & 0xffff));
        break;
    case TEST_RESET:
        board_end(b, BOARD_RESET, 0);
        break;
    }
    return 0;
}

struct board_dev *board_poweroff_new(struct board *b)
{
    struct board_dev *d = calloc(1, sizeof *d);
    if (d)
        *d = (struct board_dev){ .name = "test", .base = BOARD_TEST_BASE, .size = 0x1000, .read = test_read,
                                 .write = test_write, .board = b };
    return d;
}
