/*
 * plic.c — the platform-level interrupt controller (SiFive PLIC, as QEMU
 * virt's at BOARD_PLIC_BASE): sources 1..31 (the UART is 10, virtio-mmio
 * slot i is 1 + i), two contexts a hart (2h: M mode, 2h + 1: S mode),
 * level-triggered gateways. A context's line — the hart's MEIP or SEIP —
 * is up while a pending, enabled source has a priority above the
 * context's threshold; a claim takes the best such source (the highest
 * priority, then the lowest id) and it stays out until completed.
 * Spec: RISC-V Platform-Level Interrupt Controller Specification 1.0.0.
 */
#include "sys/board.h"
#include "snap/format.h"

#include <stdlib.h>
#include <string.h>

#define SOURCES 32
#define CONTEXTS (2 * BOARD_MAX_HARTS)
#define PRIORITY_MASK 7u

#define PENDING   0x001000
#define ENABLE    0x002000     /* + 0x80 a context */
#define CONTEXT   0x200000     /* + 0x1000 a context: threshold, then claim/complete */

struct plic {
    struct board_dev dev;
    uint32_t priority[SOURCES];
    uint32_t level, pending, claimed;     /* a bit a source */
    uint32_t enable[CONTEXTS], threshold[CONTEXTS];
};

static struct plic *plic_of(struct board *b)
{
    return (struct plic *)b->plic;
}

/* The best source context ctx may claim now, or 0. */
static unsigned best(const struct plic *p, unsigned ctx)
{
    unsigned id = 0;
    uint32_t cand = p->pending & p->enable[ctx] & ~1u;
    for (unsigned s = 1; s < SOURCES; s++)
        if (((cand >> s) & 1) && p->priority[s] > p->threshold[ctx] && (!id || p->priority[s] > p->priority[id]))
            id = s;
    return id;
}

/* Sets every hart's external interrupt lines from the state. */
static void update(struct plic *p)
{
    struct board *b = p->dev.board;
    for (unsigned h = 0; h < b->nharts; h++) {
        uint32_t eip = (best(p, 2 * h) ? 1u : 0u) | (best(p, 2 * h + 1) ? 2u : 0u);
        atomic_store(&b->harts[h]->eip, eip);
    }
}

void board_irq(struct board *b, unsigned src, bool level)
{
    struct plic *p = plic_of(b);
    if (!p || src == 0 || src >= SOURCES)
        return;
    uint32_t bit = 1u << src;
    p->level = level ? p->level | bit : p->level & ~bit;
    /* The gateway: a level-triggered source is pending while its line is
     * up, unless it is claimed and not yet completed. */
    if (!(p->claimed & bit))
        p->pending = level ? p->pending | bit : p->pending & ~bit;
    update(p);
}

static int plic_read(struct board_dev *d, uint64_t off, unsigned len, uint64_t *val)
{
    struct plic *p = (struct plic *)d;
    unsigned nctx = 2 * d->board->nharts;
    *val = 0;
    if (len != 4)
        return -1;
    if (off < 4 * SOURCES) {
        *val = p->priority[off / 4];
    } else if (off == PENDING) {
        *val = p->pending;
    } else if (off >= ENABLE && off < ENABLE + 0x80ull * nctx) {
        if ((off - ENABLE) % 0x80 == 0)
            *val = p->enable[(off - ENABLE) / 0x80];
    } else if (off >= CONTEXT && off < CONTEXT + 0x1000ull * nctx) {
        unsigned ctx = (unsigned)((off - CONTEXT) / 0x1000), reg = (unsigned)((off - CONTEXT) % 0x1000);
        if (reg == 0) {
            *val = p->threshold[ctx];
        } else if (reg == 4) {
            /* A claim: the best source is taken out until completed. */
            unsigned id = best(p, ctx);
            if (id) {
                p->pending &= ~(1u << id);
                p->claimed |= 1u << id;
                update(p);
            }
            *val = id;
        }
    }
    return 0;
}

static int plic_write(struct board_dev *d, uint64_t off, unsigned len, uint64_t val)
{
    struct plic *p = (struct plic *)d;
    unsigned nctx = 2 * d->board->nharts;
    if (len != 4)
        return -1;
    uint32_t v = (uint32_t)val;
    if (off < 4 * SOURCES) {
        if (off >= 4)
            p->priority[off / 4] = v & PRIORITY_MASK;
    } else if (off >= ENABLE && off < ENABLE + 0x80ull * nctx) {
        if ((off - ENABLE) % 0x80 == 0)
            p->enable[(off - ENABLE) / 0x80] = v & ~1u;
    } else if (off >= CONTEXT && off < CONTEXT + 0x1000ull * nctx) {
        unsigned ctx = (unsigned)((off - CONTEXT) / 0x1000), reg = (unsigned)((off - CONTEXT) % 0x1000);
        if (reg == 0) {
            p->threshold[ctx] = v & PRIORITY_MASK;
        } else if (reg == 4 && v && v < SOURCES && ((p->enable[ctx] >> v) & 1)) {
            /* A completion: the gateway lets the source through again. */
            p->claimed &= ~(1u << v);
            if ((p->level >> v) & 1)
                p->pending |= 1u << v;
        }
    } else {
        return 0;
    }
    update(p);
    return 0;
}

static void plic_reset(struct board_dev *d)
{
    struct plic *p = (struct plic *)d;
    uint32_t level = p->level;
    memset(p->priority, 0, sizeof p->priority);
    memset(p->enable, 0, sizeof p->enable);
    memset(p->threshold, 0, sizeof p->threshold);
    p->pending = level;       /* the lines are the devices' (reset after it) */
    p->claimed = 0;
    update(p);
}

static int plic_save(struct board_dev *d, struct snap_buf *o)
{
    struct plic *p = (struct plic *)d;
    for (unsigned s = 0; s < SOURCES; s++)
        snap_put_u32(o, p->priority[s]);
    snap_put_u32(o, p->level);
    snap_put_u32(o, p->pending);
    snap_put_u32(o, p->claimed);
    snap_put_u32(o, 2 * d->board->nharts);
    for (unsigned c = 0; c < 2 * d->board->nharts; c++) {
        snap_put_u32(o, p->enable[c]);
        snap_put_u32(o, p->threshold[c]);
    }
    return 0;
}

static int plic_load(struct board_dev *d, struct snap_cur *in)
{
    struct plic *p = (struct plic *)d;
    for (unsigned s = 0; s < SOURCES; s++)
        p->priority[s] = snap_get_u32(in) & PRIORITY_MASK;
    p->level = snap_get_u32(in) & ~1u;
    p->pending = snap_get_u32(in) & ~1u;
    p->claimed = snap_get_u32(in) & ~1u;
    if (snap_get_u32(in) != 2 * d->board->nharts)
        return -1;
    for (unsigned c = 0; c < 2 * d->board->nharts; c++) {
        p->enable[c] = snap_get_u32(in) & ~1u;
        p->threshold[c] = snap_get_u32(in) & PRIORITY_MASK;
    }
    if (in->bad)
        return -1;
    update(p);
    return 0;
}

struct board_dev *board_plic_new(struct board *b)
{
    struct plic *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->dev = (struct board_dev){ .name = "plic", .base = BOARD_PLIC_BASE, .size = BOARD_PLIC_SIZE, .read = plic_read,
                                 .write = plic_write, .board = b, .reset = plic_reset,
                                 .save = plic_save, .load = plic_load };
    b->plic = &p->dev;
    return &p->dev;
}
