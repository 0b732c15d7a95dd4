/*
 * save.c — a board's running state as snapshot sections, and back
 * (docs/snapshot-format.md, "Sections of a board"): the clock, each
 * hart's registers and privileged state, each device's registers (its
 * save and load hooks) and the RAM pages that are not zero. What the
 * board was made of (RAM size, harts, files, disks) is vm/board.c's to
 * save first, so that a restore can make the same board to load into.
 *
 * The board is stopped: board_go returned, every hart at an instruction
 * boundary. Every field is little-endian, whatever the host.
 */
#include "sys/board.h"

#include <stdio.h>
#include <string.h>

#include "host/host.h"
#include "snap/format.h"

#define NS_PER_TICK (1000000000ull / BOARD_TIMEBASE_HZ)
/* RAM pages a PAGES section holds at most: each is its address and 4096
 * bytes. */
#define PAGES_PER_SECTION 4096

/* ---- saving ------------------------------------------------------------ */

/* The privileged state's words, in their order in a HART section (priv,
 * a narrower field, comes first on its own). */
#define CPU_WORDS 40
static void cpu_words(struct board_cpu *c, uint64_t *w[CPU_WORDS])
{
    uint64_t *f[] = {
        &c->mstatus, &c->medeleg, &c->mideleg, &c->mie, &c->mip, &c->mtvec, &c->mepc, &c->mcause, &c->mtval,
        &c->mscratch, &c->mcounteren, &c->menvcfg, &c->mcountinhibit, &c->stvec, &c->sepc, &c->scause, &c->stval,
        &c->sscratch, &c->scounteren, &c->senvcfg, &c->satp, &c->mip_ext, &c->pmpcfg[0], &c->pmpcfg[1],
    };
    _Static_assert(sizeof f / sizeof f[0] + 16 == CPU_WORDS, "a word of the CPU left out");
    for (unsigned i = 0; i < CPU_WORDS; i++)
        w[i] = i < sizeof f / sizeof f[0] ? f[i] : &c->pmpaddr[i - sizeof f / sizeof f[0]];
}

static void put_cpu(struct snap_buf *o, const struct board_cpu *c)
{
    uint64_t *w[CPU_WORDS];
    cpu_words((struct board_cpu *)c, w);   /* only read here */
    snap_put_u64(o, c->priv);
    for (unsigned i = 0; i < CPU_WORDS; i++)
        snap_put_u64(o, *w[i]);
    snap_put_u8(o, c->waiting);
}

static void get_cpu(struct snap_cur *in, struct board_cpu *c)
{
    uint64_t *w[CPU_WORDS];
    cpu_words(c, w);
    c->priv = (unsigned)snap_get_u64(in);
    for (unsigned i = 0; i < CPU_WORDS; i++)
        *w[i] = snap_get_u64(in);
    c->waiting = snap_get_u8(in) != 0;
}

static int put_hart(struct snap_writer *w, struct snap_buf *o, const struct board_hart *bh)
{
    const struct rv_hart *h = bh->hart;
    snap_buf_reset(o);
    snap_put_u32(o, bh->id);
    snap_put_u64(o, h->pc);
    for (unsigned i = 0; i < 32; i++)
        snap_put_u64(o, h->x[i]);
    for (unsigned i = 0; i < 32; i++)
        snap_put_u64(o, h->f[i]);
    snap_put_u32(o, h->fflags);
    snap_put_u32(o, h->frm);
    snap_put_u64(o, rv_instret(h));
    put_cpu(o, &bh->cpu);
    snap_put_u64(o, atomic_load(&bh->mtimecmp));
    snap_put_u32(o, atomic_load(&bh->msip));
    snap_put_u32(o, atomic_load(&bh->eip));
    return snap_write_buf(w, BOARD_SEC_HART, o);
}

struct pages_out {
    struct snap_writer *w;
    struct snap_buf *o;
    unsigned n;
    int r;
};

static int flush_pages(struct pages_out *p)
{
    if (!p->n)
        return 0;
    /* The count goes first: patched in at offset 0. */
    uint8_t *b = p->o->data;
    for (unsigned k = 0; k < 4; k++)
        b[k] = (uint8_t)(p->n >> (8 * k));
    int r = snap_write_buf(p->w, BOARD_SEC_PAGES, p->o);
    snap_buf_reset(p->o);
    snap_put_u32(p->o, 0);
    p->n = 0;
    return r;
}

static int page_out(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    struct pages_out *p = ctx;
    static const uint8_t zero[MEM_PAGE_SIZE];
    if (!data || memcmp(data, zero, MEM_PAGE_SIZE) == 0)
        return 0;      /* zero pages are left out */
    snap_put_u64(p->o, va);
    snap_put_bytes(p->o, data, MEM_PAGE_SIZE);
    if (++p->n == PAGES_PER_SECTION)
        return flush_pages(p);
    return 0;
}

int board_save(struct board *b, struct snap_writer *w, char *err, size_t errlen)
{
    struct snap_buf o = { 0 };
    int r = 0;
    /* The clock: mtime, and what --icount counts. */
    snap_put_u64(&o, board_mtime(b));
    snap_put_u64(&o, (uint64_t)atomic_load(&b->retired));
    snap_put_u64(&o, atomic_load(&b->skipped_ns));
    r = snap_write_buf(w, BOARD_SEC_CLOCK, &o);
    for (unsigned i = 0; r == 0 && i < b->nharts; i++)
        r = put_hart(w, &o, b->harts[i]);
    for (unsigned i = 0; r == 0 && i < b->ndev; i++) {
        struct board_dev *d = b->dev[i];
        if (!d->save)
            continue;
        snap_buf_reset(&o);
        snap_put_str(&o, d->name);
        snap_put_u64(&o, d->base);
        if (d->save(d, &o) != 0) {
            snprintf(err, errlen, "the %s at 0x%llx cannot be saved yet", d->name, (unsigned long long)d->base);
            snap_buf_free(&o);
            return SNAP_EUNSUPPORTED;
        }
        r = snap_write_buf(w, BOARD_SEC_DEV, &o);
    }
    if (r == 0) {
        snap_buf_reset(&o);
        snap_put_u32(&o, 0);
        struct pages_out p = { w, &o, 0, 0 };
        r = mem_space_walk(b->phys, page_out, &p);
        if (r == 0)
            r = flush_pages(&p);
    }
    snap_buf_free(&o);
    if (r != 0)
        snprintf(err, errlen, "%s", r == SNAP_ENOMEM ? "out of host memory" : snap_writer_error(w));
    return r;
}

/* ---- loading ----------------------------------------------------------- */

static int bad(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "the snapshot's %s is damaged or not this board's", what);
    return -1;
}

static int get_hart(struct board *b, struct snap_cur *in, char *err, size_t errlen)
{
    uint32_t id = snap_get_u32(in);
    if (in->bad || id >= b->nharts)
        return bad(err, errlen, "hart");
    struct board_hart *bh = b->harts[id];
    struct rv_hart *h = bh->hart;
    h->pc = snap_get_u64(in);
    for (unsigned i = 0; i < 32; i++)
        h->x[i] = snap_get_u64(in);
    h->x[0] = 0;
    for (unsigned i = 0; i < 32; i++)
        h->f[i] = snap_get_u64(in);
    h->fflags = snap_get_u32(in) & 0x1f;
    h->frm = snap_get_u32(in) & 7;
    uint64_t instret = snap_get_u64(in);
    rv_set_budget(h, 0);
    h->instret_base = instret;
    h->resv_valid = false;    /* a reservation may be lost at any time */
    get_cpu(in, &bh->cpu);
    uint64_t cmp = snap_get_u64(in);
    uint32_t msip = snap_get_u32(in), eip = snap_get_u32(in);
    if (!snap_cur_end(in) || !priv_state_valid(&bh->cpu) || msip > 1 || eip > 3)
        return bad(err, errlen, "hart");
    bh->cpu.hartid = id;
    atomic_store(&bh->mtimecmp, cmp);
    atomic_store(&bh->msip, msip);
    atomic_store(&bh->eip, eip);
    /* Translations and decoded blocks are made again as it runs. */
    bh->mmu_stale = true;
    memset(bh->ctx_deny, 0xff, sizeof bh->ctx_deny);
    return 0;
}

static int get_dev(struct board *b, struct snap_cur *in, char *err, size_t errlen)
{
    char name[32];
    if (snap_get_str(in, name, sizeof name) < 0)
        return bad(err, errlen, "device");
    uint64_t base = snap_get_u64(in);
    for (unsigned i = 0; i < b->ndev; i++) {
        struct board_dev *d = b->dev[i];
        if (d->base != base || strcmp(d->name, name) != 0)
            continue;
        if (!d->load || d->load(d, in) != 0 || !snap_cur_end(in)) {
            snprintf(err, errlen, "the snapshot's %s at 0x%llx is damaged or not this board's", name,
                     (unsigned long long)base);
            return -1;
        }
        return 0;
    }
    snprintf(err, errlen, "the snapshot has a %s at 0x%llx, which this board has not", name,
             (unsigned long long)base);
    return -1;
}

static int get_pages(struct board *b, struct snap_cur *in, char *err, size_t errlen)
{
    uint32_t n = snap_get_u32(in);
    uint64_t end = BOARD_RAM_BASE + b->cfg.ram_bytes;
    for (uint32_t i = 0; i < n && !in->bad; i++) {
        uint64_t pa = snap_get_u64(in);
        const uint8_t *data = snap_get_bytes(in, MEM_PAGE_SIZE);
        if (!data || (pa & (MEM_PAGE_SIZE - 1)) || pa < BOARD_RAM_BASE || pa >= end)
            return bad(err, errlen, "memory");
        if (mem_poke(b->phys, pa, data, MEM_PAGE_SIZE) != 0) {
            snprintf(err, errlen, "out of host memory loading the board's RAM");
            return -1;
        }
    }
    return snap_cur_end(in) ? 0 : bad(err, errlen, "memory");
}

int board_load_section(struct board *b, uint32_t type, struct snap_cur *in, char *err, size_t errlen)
{
    switch (type) {
    case BOARD_SEC_CLOCK: {
        uint64_t mtime = snap_get_u64(in), retired = snap_get_u64(in), skipped = snap_get_u64(in);
        if (!snap_cur_end(in) || retired > INT64_MAX)
            return bad(err, errlen, "clock");
        atomic_store(&b->retired, (int64_t)retired);
        atomic_store(&b->skipped_ns, skipped);
        /* mtime goes on from where it was (the host's clock, shifted;
         * under --icount it is the instructions and skips above). */
        b->time_base_ns = host_time_monotonic_ns() - mtime * NS_PER_TICK;
        for (unsigned i = 0; i < b->nharts; i++)
            b->harts[i]->hart->time_base_ns = b->time_base_ns;
        b->polled = mtime;
        return 1;
    }
    case BOARD_SEC_HART:
        return get_hart(b, in, err, errlen) == 0 ? 1 : -1;
    case BOARD_SEC_DEV:
        return get_dev(b, in, err, errlen) == 0 ? 1 : -1;
    case BOARD_SEC_PAGES:
        return get_pages(b, in, err, errlen) == 0 ? 1 : -1;
    }
    return 0;
}
