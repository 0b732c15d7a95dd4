/*
 * pmp.c — physical memory protection (privileged spec 20211203, 3.7):
 * sixteen entries (pmpcfg0 and pmpcfg2 hold their configuration bytes,
 * pmpaddr0..15 their addresses, bits 55:2), OFF, TOR, NA4 or NAPOT, with
 * R, W, X and L. They are checked on every S- and U-mode access: the
 * accesses themselves (sys/mmu.c's translator, which puts S and U on
 * translated spaces whatever satp says) and the page-table walk's reads.
 *
 * The engine's TLB holds whole pages, so a page is decided as a whole:
 * the highest-priority entry that covers any byte of it decides for all
 * of it (an entry smaller than a page, or one that ends inside a page,
 * is then stricter than the specification for the page's other bytes;
 * firmware gives regions of 4 KiB and more). M-mode accesses are not
 * checked: a locked entry (L) binds M mode in the specification, which
 * this board does not do; L does lock the entry against writes.
 */
#include "sys/board.h"

#define CFG_R 0x01
#define CFG_W 0x02
#define CFG_X 0x04
#define CFG_A 0x18
#define CFG_L 0x80
enum { A_OFF = 0, A_TOR = 1, A_NA4 = 2, A_NAPOT = 3 };

#define PMP_ENTRIES 16
#define ADDR_BITS 54          /* pmpaddr: bits 55:2 of the address */

static unsigned cfg_of(const struct board_cpu *c, unsigned i)
{
    return (unsigned)(c->pmpcfg[i / 8] >> (8 * (i % 8))) & 0xff;
}

/* The bytes [lo, hi] entry i covers (hi inclusive, so that the whole
 * address space fits); false if it covers none. */
static bool region(const struct board_cpu *c, unsigned i, uint64_t *lo, uint64_t *hi)
{
    unsigned cfg = cfg_of(c, i);
    uint64_t a = c->pmpaddr[i];
    switch ((cfg & CFG_A) >> 3) {
    case A_TOR: {
        uint64_t base = i ? c->pmpaddr[i - 1] << 2 : 0, top = a << 2;
        if (base >= top)
            return false;
        *lo = base;
        *hi = top - 1;
        return true;
    }
    case A_NA4:
        *lo = a << 2;
        *hi = *lo + 3;
        return true;
    case A_NAPOT: {
        unsigned ones = 0;
        while (ones < ADDR_BITS && ((a >> ones) & 1))
            ones++;
        /* 2^(ones + 3) bytes, aligned to their size. */
        uint64_t size_m1 = ones + 3 >= 64 ? UINT64_MAX : (1ull << (ones + 3)) - 1;
        *lo = (a << 2) & ~size_m1;
        *hi = *lo + size_m1;
        return true;
    }
    }
    return false;
}

bool pmp_allows(const struct board_cpu *c, uint64_t pa, int access)
{
    uint64_t page = pa & ~(uint64_t)(MEM_PAGE_SIZE - 1), last = page + MEM_PAGE_SIZE - 1;
    unsigned need = access == MEM_X ? CFG_X : access == MEM_W ? CFG_W : CFG_R;
    for (unsigned i = 0; i < PMP_ENTRIES; i++) {
        uint64_t lo, hi;
        if (region(c, i, &lo, &hi) && lo <= last && hi >= page)
            return (cfg_of(c, i) & need) != 0;
    }
    /* Entries are implemented and none matches: an S or U access fails. */
    return false;
}

bool pmp_locked(const struct board_cpu *c, unsigned i)
{
    return (cfg_of(c, i) & CFG_L) ||
           (i + 1 < PMP_ENTRIES && (cfg_of(c, i + 1) & CFG_L) && ((cfg_of(c, i + 1) & CFG_A) >> 3) == A_TOR);
}

uint64_t pmp_cfg_write(const struct board_cpu *c, unsigned reg, uint64_t v)
{
    /* A locked entry's byte stays as it is. */
    for (unsigned k = 0; k < 8; k++)
        if (cfg_of(c, 8 * reg + k) & CFG_L)
            v = (v & ~(0xffull << (8 * k))) | (c->pmpcfg[reg] & (0xffull << (8 * k)));
    return v;
}
