/*
 * mmio.c — device accesses. The board's physical address space maps only
 * RAM, so the engine traps on a load or store anywhere else; here the
 * trapped instruction is decoded (the integer loads and stores, and their
 * compressed forms), the device at the address serves the access, and
 * the hart goes on after the instruction.
 */
#include "sys/board.h"

static struct board_dev *dev_at(struct board *b, uint64_t addr, unsigned len)
{
    for (unsigned i = 0; i < b->ndev; i++) {
        struct board_dev *d = b->dev[i];
        if (addr >= d->base && addr - d->base < d->size && len <= d->size - (addr - d->base))
            return d;
    }
    return NULL;
}

/* What one load or store does: its size, register, and for loads
 * whether it sign-extends. */
struct access {
    unsigned len, reg, ilen;
    bool store, sign;
};

static bool decode(uint32_t insn, struct access *a)
{
    if ((insn & 3) == 3) {
        unsigned op = insn & 0x7f, f3 = (insn >> 12) & 7;
        a->ilen = 4;
        if (op == 0x03 && f3 != 7) {              /* lb lh lw ld lbu lhu lwu */
            a->store = false;
            a->len = 1u << (f3 & 3);
            a->sign = f3 < 4;
            a->reg = (insn >> 7) & 31;
            return true;
        }
        if (op == 0x23 && f3 < 4) {               /* sb sh sw sd */
            a->store = true;
            a->len = 1u << f3;
            a->reg = (insn >> 20) & 31;
            return true;
        }
        return false;
    }
    /* RVC (C extension, 16.3 - 16.4): c.lw c.ld c.sw c.sd and their sp forms. */
    unsigned q = insn & 3, f3 = (insn >> 13) & 7;
    a->ilen = 2;
    a->sign = true;
    if (q == 0 && (f3 == 2 || f3 == 3 || f3 == 6 || f3 == 7)) {
        a->store = f3 >= 6;
        a->len = (f3 & 1) ? 8 : 4;
        a->reg = 8 + ((insn >> 2) & 7);
        return true;
    }
    if (q == 2 && (f3 == 2 || f3 == 3 || f3 == 6 || f3 == 7)) {
        a->store = f3 >= 6;
        a->len = (f3 & 1) ? 8 : 4;
        a->reg = a->store ? (insn >> 2) & 31 : (insn >> 7) & 31;
        return a->store || a->reg != 0;
    }
    return false;
}

int mmio_access(struct board_hart *bh, uint64_t addr, bool store)
{
    struct board *b = bh->b;
    struct rv_hart *h = bh->hart;
    uint8_t bytes[4];
    if (mem_read(h->as, h->pc, bytes, 2) != 0)
        return -1;
    uint32_t insn = (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8;
    if ((insn & 3) == 3) {
        if (mem_read(h->as, h->pc + 2, bytes + 2, 2) != 0)
            return -1;
        insn |= (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
    }
    struct access a = { 0 };
    if (!decode(insn, &a) || a.store != store)
        return 0;
    struct board_dev *d = dev_at(b, addr, a.len);
    if (!d || (addr & (a.len - 1)))
        return 0;
    /* Devices serve one hart at a time. */
    host_mutex_lock(b->lock);
    uint64_t v = 0;
    int r = a.store ? d->write(d, addr - d->base, a.len, h->x[a.reg]) : d->read(d, addr - d->base, a.len, &v);
    host_mutex_unlock(b->lock);
    if (r != 0)
        return 0;
    if (!a.store) {
        if (a.len < 8) {
            unsigned sh = 64 - 8 * a.len;
            v = a.sign ? (uint64_t)((int64_t)(v << sh) >> sh) : v & ((1ull << (8 * a.len)) - 1);
        }
        if (a.reg)
            h->x[a.reg] = v;
    }
    h->pc += a.ilen;
    return 1;
}
