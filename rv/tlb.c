/*
 * tlb.c — the hart's TLBs: guest page -> host address, for fetches (a
 * fixed RV_TLB_SIZE entries) and for loads and stores (tables that grow
 * with the working set).
 *
 * Invariant: every entry is valid only while tlb_gen == mem_space_gen(as)
 * (rv.h); a resize invalidates every data entry, so it may happen at any
 * miss (the caller fills the entry into the new table afterwards).
 *
 * Sizing, as QEMU's dynamic TLB: the data tables start at RV_TLB_SIZE
 * entries and double, up to 1 << RV_TLB_MAX_BITS, while more than one
 * data access in 2^TLB_GROW_SHIFT instructions misses; a flush halves
 * them again when the last period used less than a quarter of them. A
 * guest walking a big heap then stops paying a miss on most accesses
 * (each miss is a walk of the address space's map), and a small one keeps
 * 8 KiB of tables and cheap flushes. The tables are monitor memory the VM
 * costs: charged to its pool like the hart, and made at its first miss.
 * They are mappings of their own (8 KiB and up), so that the memory of
 * tables given up goes back to the host, not to the heap.
 *
 * Compiled code also keeps, for each of its loads and stores, a copy of
 * the entry that access used last; tlb_epoch moves on every flush,
 * resize or change of one page, so that such copies die with the entries.
 */
#include "rv/rv.h"

#include <stdlib.h>

#include "host/host.h"
#include "mem/mem.h"

#define TLB_GROW_SHIFT 7   /* grow past one miss per 128 instructions */

static int64_t table_pages(uint64_t entries)
{
    return entries ? (int64_t)MEM_PAGES_OF(2 * entries * sizeof(struct rv_tlb_entry)) : 0;
}

/*
 * Until its first data miss a hart has no tables of its own: one entry
 * each, never valid, read only. A hart made and not yet run (a clone, a
 * VM of a fleet waiting for its turn) costs no page for them.
 */
static const struct rv_tlb_entry no_tables[2] = { { RV_TLB_INVALID, 0 }, { RV_TLB_INVALID, 0 } };

static bool has_tables(const struct rv_hart *h)
{
    return h->tlb_r && h->tlb_r != no_tables;
}

static void invalidate(struct rv_tlb_entry *t, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        t[i].tag = RV_TLB_INVALID;
}

/* New data tables of 1 << bits entries each, every entry invalid; false
 * (the old ones kept) when the pool or the host has no room. */
static bool resize(struct rv_hart *h, unsigned bits)
{
    uint64_t n = (uint64_t)1 << bits, old = has_tables(h) ? h->tlb_mask + 1 : 0;
    int64_t dp = table_pages(n) - table_pages(old);
    struct mem_pool *pool = mem_space_pool(h->as);
    if (dp > 0 && !mem_pool_charge(pool, dp))
        return false;
    struct rv_tlb_entry *t = host_page_alloc(2 * n * sizeof *t);
    if (!t) {
        if (dp > 0)
            mem_pool_charge(pool, -dp);
        return false;
    }
    if (dp < 0)
        mem_pool_charge(pool, dp);
    if (has_tables(h))
        host_page_free(h->tlb_r, 2 * old * sizeof *t);
    h->tlb_epoch++;
    invalidate(t, 2 * n);
    h->tlb_r = t;
    h->tlb_w = t + n;
    h->tlb_mask = n - 1;
    h->tlb_mask16 = (uint32_t)((n - 1) << 4);
    return true;
}

static unsigned bits_of(const struct rv_hart *h)
{
    unsigned b = 0;
    while (((uint64_t)1 << b) < h->tlb_mask + 1)
        b++;
    return b;
}

bool rv_tlb_init(struct rv_hart *h)
{
    h->tlb_r = (struct rv_tlb_entry *)no_tables;
    h->tlb_w = h->tlb_r + 1;
    h->tlb_mask = 0;
    h->tlb_mask16 = 0;
    return true;
}

bool rv_tlb_ready(const struct rv_hart *h)
{
    return has_tables(h);
}

void rv_tlb_free(struct rv_hart *h)
{
    if (!has_tables(h))
        return;
    mem_pool_charge(mem_space_pool(h->as), -table_pages(h->tlb_mask + 1));
    host_page_free(h->tlb_r, 2 * (h->tlb_mask + 1) * sizeof *h->tlb_r);
    h->tlb_r = h->tlb_w = NULL;
}

void rv_tlb_miss(struct rv_hart *h)
{
    if (!has_tables(h)) {   /* the first: tables of its own now */
        resize(h, RV_TLB_BITS);
        return;
    }
    h->tlb_flush_misses++;
    if (++h->tlb_misses <= h->tlb_mask)
        return;
    /* A table's worth of misses: in how many instructions? */
    uint64_t now = rv_instret(h);
    unsigned bits = bits_of(h);
    if (bits < RV_TLB_MAX_BITS && now - h->tlb_instret < (h->tlb_misses << TLB_GROW_SHIFT))
        resize(h, bits + 1);
    h->tlb_misses = 0;
    h->tlb_instret = now;
}

void rv_tlb_filled(struct rv_hart *h, uint64_t page, const struct mem_fill_gen *g)
{
    if (g->prev && h->tlb_gen == g->prev) {
        /* Only this page changed (it got a host page of its own). */
        h->tlb_epoch++;
        struct rv_tlb_entry *x = &h->tlb_x[(page >> MEM_PAGE_SHIFT) & (RV_TLB_SIZE - 1)];
        if (x->tag == page)
            x->tag = RV_TLB_INVALID;
    } else if (h->tlb_gen != g->valid) {
        rv_flush_tlb(h);
    }
    /* Never a later generation than the new entry is valid at: a change
     * made since is seen at the next rv_sync. */
    h->tlb_gen = g->valid;
}

void rv_flush_tlb(struct rv_hart *h)
{
    unsigned bits = bits_of(h);
    if (has_tables(h) && !(bits > RV_TLB_BITS && h->tlb_flush_misses < (h->tlb_mask + 1) / 4 && resize(h, bits - 1)))
        invalidate(h->tlb_r, 2 * (h->tlb_mask + 1));
    h->tlb_flush_misses = 0;
    h->tlb_epoch++;
    invalidate(h->tlb_x, RV_TLB_SIZE);
    h->tlb_gen = mem_space_gen(h->as);
}
