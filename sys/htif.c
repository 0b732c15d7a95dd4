/*
 * htif.c — the host-target interface of Spike (and QEMU's spike machine):
 * a program that defines the symbols `tohost` and `fromhost` talks to
 * the host by writing commands into tohost. Bare-metal test suites (the
 * official riscv-tests among them) report through it:
 *   tohost = (device << 56) | (command << 48) | payload
 *   device 0, command 0, payload odd:  exit with status payload >> 1
 *   device 0, command 0, payload even: a system call (riscv-fesvr's
 *                                      "magic memory" at payload: which,
 *                                      then its arguments); write (64) to
 *                                      fd 1 or 2 and exit (93) are served
 *   device 1, command 1:               put the character payload & 0xff
 * The page holding the two words leaves RAM and becomes this device,
 * which keeps the rest of the page as plain memory.
 */
#include "sys/board.h"
#include "snap/format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"

#define SYS_WRITE 64
#define SYS_EXIT 93

struct htif {
    struct board_dev dev;
    uint64_t tohost_off, fromhost_off;    /* in the page; fromhost: UINT64_MAX if none */
    uint8_t page[MEM_PAGE_SIZE];
    int out;
};

/* A device access of n (1, 2, 4 or 8) bytes of the page, little-endian. */
static uint64_t ld(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void st(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put(struct htif *h, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len && h->out >= 0) {
        ssize_t n = write(h->out, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

/* riscv-fesvr's system calls: magic[0] = which, magic[1..] = arguments;
 * the result goes back into magic[0]. */
static void fesvr_syscall(struct htif *h, uint64_t magic_addr)
{
    struct board *b = h->dev.board;
    uint8_t m[64];
    if (mem_read(b->phys, magic_addr, m, sizeof m) != 0)
        return;
    uint64_t which = ld64(m), a0 = ld64(m + 8), a1 = ld64(m + 16), a2 = ld64(m + 24);
    int64_t ret = -38;    /* ENOSYS */
    if (which == SYS_EXIT) {
        board_end(b, BOARD_POWEROFF, (int)(a0 & 0xff));
        return;
    }
    if (which == SYS_WRITE && (a0 == 1 || a0 == 2)) {
        ret = (int64_t)a2;
        for (uint64_t done = 0; done < a2;) {
            uint8_t buf[256];
            size_t n = a2 - done < sizeof buf ? (size_t)(a2 - done) : sizeof buf;
            if (mem_read(b->phys, a1 + done, buf, n) != 0) {
                ret = -14;   /* EFAULT */
                break;
            }
            put(h, buf, n);
            done += n;
        }
    }
    st64(m, (uint64_t)ret);
    mem_write(b->phys, magic_addr, m, 8);
}

static void command(struct htif *h, uint64_t v)
{
    unsigned device = (unsigned)(v >> 56), cmd = (unsigned)(v >> 48) & 0xff;
    uint64_t payload = v & ((1ull << 48) - 1);
    if (device == 0 && cmd == 0) {
        if (payload & 1)
            board_end(h->dev.board, BOARD_POWEROFF, (int)((payload >> 1) & 0xffff));
        else
            fesvr_syscall(h, payload);
    } else if (device == 1 && cmd == 1) {
        uint8_t c = (uint8_t)payload;
        put(h, &c, 1);
    } else {
        return;     /* unknown: left for the guest to see */
    }
    /* Done: tohost is free again, and fromhost says so. */
    st64(h->page + h->tohost_off, 0);
    if (h->fromhost_off != UINT64_MAX && !(device == 0 && cmd == 0))
        st64(h->page + h->fromhost_off, (uint64_t)device << 56 | (uint64_t)cmd << 48);
}

static int htif_read(struct board_dev *d, uint64_t off, unsigned len, uint64_t *val)
{
    struct htif *h = (struct htif *)d;
    *val = ld(h->page + off, len);
    return 0;
}

static int htif_write(struct board_dev *d, uint64_t off, unsigned len, uint64_t val)
{
    struct htif *h = (struct htif *)d;
    st(h->page + off, val, len);
    /* A command is complete with its upper word (RV32 writes two halves). */
    if (off + len == h->tohost_off + 8 && off <= h->tohost_off + 4) {
        uint64_t v = ld64(h->page + h->tohost_off);
        if (v)
            command(h, v);
    }
    return 0;
}

/* A reset: the page is RAM again (zero, loaded afresh), the device idle
 * until the program is loaded again (board_htif_setup). */
static void htif_reset(struct board_dev *d)
{
    if (d->size)
        mem_map(d->board->phys, d->base, MEM_PAGE_SIZE, MEM_R | MEM_W | MEM_X);
    d->size = 0;
}

/* The value of symbol name in an ELF64 little-endian file: 0 if found. */
static int elf_symbol(const uint8_t *f, size_t size, const char *name, uint64_t *value)
{
    if (size < 64)
        return -1;
    uint64_t shoff = ld64(f + 0x28), shentsize = ld16(f + 0x3a), shnum = ld16(f + 0x3c);
    if (shentsize != 64 || shoff > size || shnum > (size - shoff) / 64)
        return -1;
    size_t want = strlen(name);
    for (uint64_t i = 0; i < shnum; i++) {
        const uint8_t *sh = f + shoff + 64 * i;
        if (ld32(sh + 4) != 2)          /* SHT_SYMTAB */
            continue;
        uint64_t off = ld64(sh + 0x18), len = ld64(sh + 0x20), link = ld32(sh + 0x28);
        if (link >= shnum || off > size || len > size - off)
            continue;
        const uint8_t *strh = f + shoff + 64 * link;
        uint64_t stroff = ld64(strh + 0x18), strlen_ = ld64(strh + 0x20);
        if (stroff > size || strlen_ > size - stroff)
            continue;
        for (uint64_t k = 0; k + 24 <= len; k += 24) {
            const uint8_t *sym = f + off + k;
            uint64_t n = ld32(sym);
            if (n + want < strlen_ && memcmp(f + stroff + n, name, want) == 0 && f[stroff + n + want] == 0) {
                *value = ld64(sym + 8);
                return 0;
            }
        }
    }
    return -1;
}

/* Its page (the restore makes the device again from the program, which
 * takes the page out of RAM, then loads what the page held). */
static int htif_save(struct board_dev *d, struct snap_buf *out)
{
    struct htif *h = (struct htif *)d;
    if (!d->size)
        return -1;      /* reset, not set up again: nothing to restore it from */
    snap_put_u64(out, h->tohost_off);
    snap_put_u64(out, h->fromhost_off);
    snap_put_bytes(out, h->page, MEM_PAGE_SIZE);
    return 0;
}

static int htif_load(struct board_dev *d, struct snap_cur *in)
{
    struct htif *h = (struct htif *)d;
    uint64_t to = snap_get_u64(in), from = snap_get_u64(in);
    const uint8_t *page = snap_get_bytes(in, MEM_PAGE_SIZE);
    if (!page || !d->size || to != h->tohost_off || from != h->fromhost_off)
        return -1;
    memcpy(h->page, page, MEM_PAGE_SIZE);
    return 0;
}

int board_htif_setup(struct board *b, const uint8_t *file, size_t size, char *why, size_t whylen)
{
    uint64_t tohost, fromhost = 0;
    if (elf_symbol(file, size, "tohost", &tohost) != 0)
        return 0;
    elf_symbol(file, size, "fromhost", &fromhost);
    uint64_t page = tohost & MEM_PAGE_MASK;
    if ((tohost & 7) || (fromhost && ((fromhost & MEM_PAGE_MASK) != page || (fromhost & 7))) ||
        page < BOARD_RAM_BASE || page - BOARD_RAM_BASE >= b->cfg.ram_bytes) {
        snprintf(why, whylen, "tohost at 0x%llx (fromhost 0x%llx): not 8-byte aligned words of one RAM page",
                 (unsigned long long)tohost, (unsigned long long)fromhost);
        return -1;
    }
    struct htif *h = (struct htif *)b->htif;
    bool fresh = !h;
    if (fresh && !(h = calloc(1, sizeof *h))) {
        snprintf(why, whylen, "out of host memory");
        return -1;
    }
    /* The page's bytes as loaded; from now on they live here. */
    if (mem_read(b->phys, page, h->page, MEM_PAGE_SIZE) != 0 || mem_unmap(b->phys, page, MEM_PAGE_SIZE) != 0) {
        if (fresh)
            free(h);
        snprintf(why, whylen, "out of host memory");
        return -1;
    }
    h->dev = (struct board_dev){ .name = "htif", .base = page, .size = MEM_PAGE_SIZE, .read = htif_read,
                                 .write = htif_write, .board = b, .reset = htif_reset,
                                 .save = htif_save, .load = htif_load };
    h->tohost_off = tohost - page;
    h->fromhost_off = fromhost ? fromhost - page : UINT64_MAX;
    h->out = b->cfg.console_out;
    if (fresh) {
        if (!board_add_dev(b, &h->dev)) {
            snprintf(why, whylen, "too many devices");
            return -1;
        }
        b->htif = &h->dev;
    }
    return 0;
}
