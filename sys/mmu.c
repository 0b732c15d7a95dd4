/*
 * mmu.c — address translation of the board's hart: Sv39, Sv48 and Sv57
 * page tables with Svade (a missing accessed bit, or a missing dirty bit
 * on a store, is a page fault that software resolves: no table is ever
 * written by the board).
 *
 * The engine's TLB already caches guest address -> host bytes, so the
 * board gives it translated address spaces (mem_space_set_translator):
 * one for S mode and one for U mode, whose permissions differ, each with
 * its own decoded blocks. A TLB miss in them walks the guest's page table
 * (mmu_walk) and reaches the RAM page through the physical space; the
 * page must also pass PMP (sys/pmp.c), which is why S and U run on their
 * translated spaces even while satp is Bare. M mode runs on the physical
 * space itself.
 * What the walk answers changes with satp, with the page tables (which
 * software must follow with sfence.vma) and with mstatus.SUM and MXR: on
 * each of those the board drops both spaces' TLB entries and blocks
 * (mmu_flush). Writes to code are seen through the physical space, which
 * every context's decoded blocks depend on.
 * Spec: privileged architecture 20211203, 4.3 - 4.5 (4.3.2: the walk).
 */
#include "sys/board.h"

#include "host/host.h"
#include "rv/cache.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PPN_MASK ((1ull << 44) - 1)

enum { CTX_BARE, CTX_S, CTX_U };

static unsigned levels_of(uint64_t satp)
{
    switch (satp >> 60) {
    case SATP_SV39: return 3;
    case SATP_SV48: return 4;
    case SATP_SV57: return 5;
    }
    return 0;
}

uint32_t mmu_walk(struct board_hart *bh, uint64_t va, int access, unsigned priv, uint64_t *pa)
{
    uint32_t page_fault = access == MEM_X ? RV_CAUSE_FETCH_PAGE : access == MEM_W ? RV_CAUSE_STORE_PAGE
                                                                                  : RV_CAUSE_LOAD_PAGE;
    uint32_t access_fault = access == MEM_X ? RV_CAUSE_FETCH_ACCESS : access == MEM_W ? RV_CAUSE_STORE_ACCESS
                                                                                      : RV_CAUSE_LOAD_ACCESS;
    uint64_t satp = bh->cpu.satp, mstatus = bh->cpu.mstatus;
    unsigned levels = levels_of(satp);
    if (!levels) {
        *pa = va;
        return 0;
    }
    /* The address must be the sign extension of its low 12 + 9 * levels bits. */
    unsigned bits = 12 + 9 * levels;
    if ((uint64_t)((int64_t)(va << (64 - bits)) >> (64 - bits)) != va)
        return page_fault;
    uint64_t table = (satp & PPN_MASK) << 12, ram_end = BOARD_RAM_BASE + bh->b->cfg.ram_bytes;
    for (int i = (int)levels - 1; i >= 0; i--) {
        uint64_t at = table + ((va >> (12 + 9 * i)) & 511) * 8;
        uint8_t raw[8];
        /* The walk's reads are S-mode reads, for PMP too (3.7.1). */
        if (at < BOARD_RAM_BASE || at >= ram_end || !pmp_allows(&bh->cpu, at, MEM_R) ||
            mem_read(bh->b->phys, at, raw, 8) != 0)
            return access_fault;
        uint64_t pte = ld64(raw);
        /* Bits 63:54 are reserved without Svpbmt and Svnapot; W without R is reserved. */
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte >> 54))
            return page_fault;
        uint64_t ppn = (pte >> 10) & PPN_MASK;
        if (!(pte & (PTE_R | PTE_X))) {
            /* A pointer to the next level; its D, A and U are reserved (4.3.1). */
            if (pte & (PTE_D | PTE_A | PTE_U))
                return page_fault;
            table = ppn << 12;
            continue;
        }
        if (i > 0 && (ppn & ((1ull << (9 * i)) - 1)))
            return page_fault;      /* a misaligned superpage */
        if (priv == PRIV_U && !(pte & PTE_U))
            return page_fault;
        if (priv == PRIV_S && (pte & PTE_U) && (access == MEM_X || !(mstatus & MSTATUS_SUM)))
            return page_fault;
        bool ok = access == MEM_X ? (pte & PTE_X) != 0
                : access == MEM_W ? (pte & PTE_W) != 0
                : (pte & PTE_R) || ((pte & PTE_X) && (mstatus & MSTATUS_MXR));
        if (!ok || !(pte & PTE_A) || (access == MEM_W && !(pte & PTE_D)))
            return page_fault;
        uint64_t in_page = (1ull << (12 + 9 * i)) - 1;
        *pa = ((ppn << 12) & ~in_page) | (va & in_page);
        return 0;
    }
    return page_fault;
}

/* A TLB miss of S or U mode: the walk, then PMP on the page it gives. A
 * refusal of either is a fault the board then tells apart (a second
 * walk: a page fault, else an access fault). */
static int xlate(struct board_hart *bh, uint64_t va, int access, unsigned priv, uint64_t *to)
{
    return mmu_walk(bh, va, access, priv, to) || !pmp_allows(&bh->cpu, *to, access) ? MEM_EFAULT : 0;
}

static int xlate_s(void *ctx, uint64_t va, int access, uint64_t *to) { return xlate(ctx, va, access, PRIV_S, to); }
static int xlate_u(void *ctx, uint64_t va, int access, uint64_t *to) { return xlate(ctx, va, access, PRIV_U, to); }

int mmu_init(struct board_hart *bh)
{
    static const mem_xlate_fn fn[] = { [CTX_S] = xlate_s, [CTX_U] = xlate_u };
    bh->ctx[CTX_BARE].as = bh->b->phys;
    bh->ctx[CTX_BARE].cache = bh->hart->cache;
    for (unsigned i = CTX_S; i <= CTX_U; i++) {
        struct board_ctx *c = &bh->ctx[i];
        if (!(c->as = mem_space_new(bh->b->pool)) || mem_space_set_translator(c->as, bh->b->phys, fn[i], bh) != 0 ||
            !(c->cache = rv_cache_new(bh->b->pool)))
            return -1;
    }
    bh->cur = CTX_BARE;
    return 0;
}

void mmu_fini(struct board_hart *bh)
{
    if (bh->hart && bh->cur != CTX_BARE)
        rv_hart_switch(bh->hart, bh->ctx[CTX_BARE].as, bh->ctx[CTX_BARE].cache);
    for (unsigned i = CTX_S; i <= CTX_U; i++) {
        if (bh->ctx[i].cache)
            rv_cache_free(bh->ctx[i].cache);
        if (bh->ctx[i].as)
            mem_space_free(bh->ctx[i].as);
    }
}

void mmu_sync(struct board_hart *bh)
{
    if (bh->mmu_stale) {
        bh->mmu_stale = false;
        for (unsigned i = CTX_S; i <= CTX_U; i++)
            mem_space_flush_code(bh->ctx[i].as);
    }
    unsigned want = bh->cpu.priv == PRIV_M ? CTX_BARE : bh->cpu.priv == PRIV_S ? CTX_S : CTX_U;
    if (want != bh->cur) {
        rv_hart_switch(bh->hart, bh->ctx[want].as, bh->ctx[want].cache);
        bh->cur = want;
    }
}

bool mmu_translating(const struct board_hart *bh)
{
    return bh->cur != CTX_BARE;
}
