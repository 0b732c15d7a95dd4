/*
 * space.c — guest address spaces: a 4-level radix table from guest page
 * number to {host page, permissions, flags}, and the accesses through it.
 *
 *   47        39 38        30 29        21 20        12 11          0
 *  +------------+------------+------------+------------+-------------+
 *  |  level 0   |  level 1   |  level 2   |  leaf pte  | page offset |
 *  +------------+------------+------------+------------+-------------+
 *
 * Invariants (see mem.h): gen bumps on every change of a page's host page
 * or permissions; code_gen bumps when a page flagged CODE is written or
 * remapped. Page-table memory is charged to the pool like guest pages.
 */
#include "mem/mem.h"
#include "mem/mem_int.h"

#include <stdlib.h>
#include <string.h>

#define LEVEL_BITS 9
#define LEVEL_SIZE (1u << LEVEL_BITS)
#define LEVELS 4

#define PTE_MAPPED 1
#define PTE_CODE   2

struct mem_pte {
    struct mem_page *page;   /* NULL: absent, reads as zero */
    uint64_t backing_va;     /* backed spaces: where the page lives in the
                                backing space, 0 until first written */
    uint8_t prot;
    uint8_t flags;
};

struct mem_leaf {
    struct mem_pte pte[LEVEL_SIZE];
};

struct mem_dir {
    void *slot[LEVEL_SIZE];
};

struct mem_space {
    struct mem_pool *pool;
    struct mem_dir root;
    uint64_t gen;
    uint64_t code_gen;
    uint64_t resident;
    struct mem_space *backing;   /* not unrolled: our pages live in it */
    /* As a backing space: page slots handed out above MEM_BACKING_BASE. */
    uint64_t slot_next;
    uint64_t *slot_free;
    size_t nslot_free, cap_slot_free;
};

#define MEM_BACKING_BASE (1ull << 40)

/* Table memory rounded to pages, charged to the pool. */
#define LEAF_PAGES ((sizeof(struct mem_leaf) + MEM_PAGE_SIZE - 1) / MEM_PAGE_SIZE)
#define DIR_PAGES  ((sizeof(struct mem_dir) + MEM_PAGE_SIZE - 1) / MEM_PAGE_SIZE)

struct mem_space *mem_space_new(struct mem_pool *pool)
{
    struct mem_space *as = calloc(1, sizeof *as);
    if (!as)
        return NULL;
    as->pool = pool;
    as->gen = 1;
    as->code_gen = 1;
    return as;
}

static void backing_release(struct mem_space *b, uint64_t va);

static void free_level(struct mem_space *as, void *t, int level)
{
    if (level == LEVELS - 1) {
        struct mem_leaf *leaf = t;
        for (unsigned i = 0; i < LEVEL_SIZE; i++) {
            if (leaf->pte[i].page)
                mem_page_unref(as->pool, leaf->pte[i].page);
            if (leaf->pte[i].backing_va)
                backing_release(as->backing, leaf->pte[i].backing_va);
        }
        mem_pool_charge(as->pool, -(int64_t)LEAF_PAGES);
        free(leaf);
        return;
    }
    struct mem_dir *d = t;
    for (unsigned i = 0; i < LEVEL_SIZE; i++)
        if (d->slot[i])
            free_level(as, d->slot[i], level + 1);
    if (level > 0) {
        mem_pool_charge(as->pool, -(int64_t)DIR_PAGES);
        free(d);
    }
}

void mem_space_free(struct mem_space *as)
{
    if (!as)
        return;
    free_level(as, &as->root, 0);
    free(as->slot_free);
    free(as);
}

int mem_space_set_backing(struct mem_space *as, struct mem_space *backing)
{
    if (!backing || backing == as || as->backing || as->resident)
        return MEM_EINVAL;
    as->backing = backing;
    as->gen++;
    return 0;
}

struct mem_pool *mem_space_pool(const struct mem_space *as) { return as->pool; }
/*
 * A space that is not unrolled reaches its pages through its backing
 * chain, so what a hart caches from it (TLB entries, decoded blocks) is
 * stale when any space of the chain changes. Each generation only grows,
 * so the sum over the chain grows whenever one of them does: the sum is
 * the generation a hart compares.
 */
uint64_t mem_space_gen(const struct mem_space *as)
{
    uint64_t g = 0;
    for (; as; as = as->backing)
        g += as->gen;
    return g;
}

uint64_t mem_space_code_gen(const struct mem_space *as)
{
    uint64_t g = 0;
    for (; as; as = as->backing)
        g += as->code_gen;
    return g;
}
uint64_t mem_space_resident(const struct mem_space *as) { return as->resident; }

static unsigned idx(uint64_t vpn, int level)
{
    return (unsigned)(vpn >> (LEVEL_BITS * (LEVELS - 1 - level))) & (LEVEL_SIZE - 1);
}

/* The pte of page va, creating tables if asked; NULL if absent or no memory. */
static struct mem_pte *pte_get(struct mem_space *as, uint64_t va, bool create)
{
    if (va >> MEM_VA_BITS)
        return NULL;
    uint64_t vpn = va >> MEM_PAGE_SHIFT;
    struct mem_dir *d = &as->root;
    for (int level = 0; level < LEVELS - 1; level++) {
        void **slot = &d->slot[idx(vpn, level)];
        if (!*slot) {
            if (!create)
                return NULL;
            bool leaf = level == LEVELS - 2;
            size_t pages = leaf ? LEAF_PAGES : DIR_PAGES;
            if (!mem_pool_charge(as->pool, (int64_t)pages))
                return NULL;
            *slot = calloc(1, leaf ? sizeof(struct mem_leaf) : sizeof(struct mem_dir));
            if (!*slot) {
                mem_pool_charge(as->pool, -(int64_t)pages);
                return NULL;
            }
        }
        d = *slot;
    }
    return &((struct mem_leaf *)d)->pte[idx(vpn, LEVELS - 1)];
}

/* The last page covered by the leaf table of va: absent tables are skipped whole. */
static uint64_t last_page_of_leaf(uint64_t va)
{
    const unsigned shift = MEM_PAGE_SHIFT + LEVEL_BITS;
    return (((va >> shift) + 1) << shift) - MEM_PAGE_SIZE;
}

static const struct mem_pte *pte_find(const struct mem_space *as, uint64_t va)
{
    struct mem_pte *p = pte_get((struct mem_space *)as, va, false);
    return p && (p->flags & PTE_MAPPED) ? p : NULL;
}

static bool range_ok(uint64_t va, uint64_t len)
{
    return (va & ~MEM_PAGE_MASK) == 0 && (len & ~MEM_PAGE_MASK) == 0 &&
           va < (1ull << MEM_VA_BITS) && len <= (1ull << MEM_VA_BITS) - va;
}

static void pte_clear(struct mem_space *as, struct mem_pte *p)
{
    if (p->page) {
        mem_page_unref(as->pool, p->page);
        as->resident--;
    }
    if (p->backing_va)
        backing_release(as->backing, p->backing_va);
    if (p->flags & PTE_CODE)
        as->code_gen++;   /* gen is bumped by every caller */
    memset(p, 0, sizeof *p);
}

int mem_map(struct mem_space *as, uint64_t va, uint64_t len, int prot)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    as->gen++;
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE) {
        struct mem_pte *p = pte_get(as, a, true);
        if (!p)
            return MEM_ENOMEM;
        pte_clear(as, p);
        p->prot = (uint8_t)prot;
        p->flags = PTE_MAPPED;
    }
    return 0;
}

int mem_unmap(struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    as->gen++;
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE) {
        struct mem_pte *p = pte_get(as, a, false);
        if (p)
            pte_clear(as, p);
        else  /* skip the rest of an absent leaf table */
            a = last_page_of_leaf(a);
    }
    return 0;
}

int mem_protect(struct mem_space *as, uint64_t va, uint64_t len, int prot)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    if (!mem_is_mapped(as, va, len))
        return MEM_ENOMEM;
    as->gen++;
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE) {
        struct mem_pte *p = pte_get(as, a, false);
        p->prot = (uint8_t)prot;
    }
    return 0;
}

bool mem_is_free(const struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return false;
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE) {
        if (!pte_get((struct mem_space *)as, a, false)) {
            a = last_page_of_leaf(a);
            continue;
        }
        if (pte_find(as, a))
            return false;
    }
    return true;
}

bool mem_is_mapped(const struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return false;
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE)
        if (!pte_find(as, a))
            return false;
    return true;
}

int mem_prot_at(const struct mem_space *as, uint64_t va)
{
    const struct mem_pte *p = pte_find(as, va);
    return p ? p->prot : -1;
}

/* The page of va for access, allocating or copying for writes. */
/* A page slot in backing space b (its pte made mapped); 0 if none is left. */
static uint64_t backing_alloc(struct mem_space *b)
{
    uint64_t va;
    if (b->nslot_free)
        va = b->slot_free[--b->nslot_free];
    else if (b->slot_next < (1ull << MEM_VA_BITS) - MEM_BACKING_BASE)
        va = MEM_BACKING_BASE + (b->slot_next += MEM_PAGE_SIZE) - MEM_PAGE_SIZE;
    else
        return 0;
    struct mem_pte *p = pte_get(b, va, true);
    if (!p) {
        backing_release(b, va);
        return 0;
    }
    p->prot = MEM_R | MEM_W;
    p->flags = PTE_MAPPED;
    return va;
}

/* Drops the page at slot va of backing space b and recycles the slot. */
static void backing_release(struct mem_space *b, uint64_t va)
{
    struct mem_pte *p = pte_get(b, va, false);
    if (p && (p->flags & PTE_MAPPED)) {
        pte_clear(b, p);
        b->gen++;
    }
    if (b->nslot_free == b->cap_slot_free) {
        size_t cap = b->cap_slot_free ? 2 * b->cap_slot_free : 256;
        uint64_t *n = realloc(b->slot_free, cap * sizeof *n);
        if (!n)
            return;   /* the slot is lost, not reused: harmless */
        b->slot_free = n;
        b->cap_slot_free = cap;
    }
    b->slot_free[b->nslot_free++] = va;
}

static uint8_t *translate(struct mem_space *as, uint64_t va, int access, bool check, int *err)
{
    struct mem_pte *p = pte_get(as, va, false);
    if (!p || !(p->flags & PTE_MAPPED) || (check && !(p->prot & access))) {
        *err = MEM_EFAULT;
        return NULL;
    }
    if (as->backing) {
        /* Not unrolled: the page is the backing space's page at its slot,
         * found by walking every level's map in turn. */
        if (!p->backing_va) {
            if (access != MEM_W)
                return (uint8_t *)mem_zero_page(as->pool);
            if (!(p->backing_va = backing_alloc(as->backing))) {
                *err = MEM_ENOMEM;
                return NULL;
            }
            as->gen++;
        }
        if (access == MEM_W && (p->flags & PTE_CODE)) {
            p->flags &= (uint8_t)~PTE_CODE;
            as->code_gen++;
            as->gen++;
        }
        return translate(as->backing, p->backing_va, access == MEM_X ? MEM_R : access, false, err);
    }
    if (access != MEM_W)
        return p->page ? p->page->data : (uint8_t *)mem_zero_page(as->pool);
    if (!p->page) {
        struct mem_page *pg = mem_page_alloc(as->pool);
        if (!pg) {
            *err = MEM_ENOMEM;
            return NULL;
        }
        p->page = pg;
        as->resident++;
        as->gen++;
        mem_pool_count(as->pool, MEM_COUNT_ZERO);
    } else if (p->page->ref > 1) {
        struct mem_page *pg = mem_page_alloc_raw(as->pool);
        if (!pg) {
            *err = MEM_ENOMEM;
            return NULL;
        }
        memcpy(pg->data, p->page->data, MEM_PAGE_SIZE);
        mem_page_unref(as->pool, p->page);
        p->page = pg;
        as->gen++;
        mem_pool_count(as->pool, MEM_COUNT_COW);
    }
    if (p->flags & PTE_CODE) {
        /* Decoded blocks from this page are stale, and so are fetch TLB
         * entries: without them the next decode flags the page again. */
        p->flags &= (uint8_t)~PTE_CODE;
        as->code_gen++;
        as->gen++;
    }
    return p->page->data;
}

uint8_t *mem_translate(struct mem_space *as, uint64_t va, int access, int *err)
{
    return translate(as, va, access, true, err);
}

void mem_mark_code(struct mem_space *as, uint64_t va)
{
    struct mem_pte *p = pte_get(as, va, false);
    if (p && !(p->flags & PTE_CODE)) {
        p->flags |= PTE_CODE;
        as->gen++;   /* drop write TLB entries of this page */
    }
    /* Not unrolled: the backing space's own writes to the slot (or its
     * unmapping) must invalidate what was decoded from it, too. */
    if (p && as->backing && p->backing_va)
        mem_mark_code(as->backing, p->backing_va);
}

static int copy(struct mem_space *as, uint64_t va, void *buf, size_t len, int access, bool check)
{
    uint8_t *b = buf;
    while (len > 0) {
        int err = 0;
        size_t off = (size_t)(va & (MEM_PAGE_SIZE - 1));
        size_t n = MEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        uint8_t *page = translate(as, va & MEM_PAGE_MASK, access, check, &err);
        if (!page)
            return err;
        if (access == MEM_W)
            memcpy(page + off, b, n);
        else
            memcpy(b, page + off, n);
        b += n;
        va += n;
        len -= n;
    }
    return 0;
}

int mem_read(struct mem_space *as, uint64_t va, void *dst, size_t len)
{
    return copy(as, va, dst, len, MEM_R, true);
}

int mem_write(struct mem_space *as, uint64_t va, const void *src, size_t len)
{
    return copy(as, va, (void *)src, len, MEM_W, true);
}

int mem_poke(struct mem_space *as, uint64_t va, const void *src, size_t len)
{
    return copy(as, va, (void *)src, len, MEM_W, false);
}

long mem_read_str(struct mem_space *as, uint64_t va, char *dst, size_t size)
{
    size_t n = 0;
    while (n < size) {
        int err = 0;
        size_t off = (size_t)(va & (MEM_PAGE_SIZE - 1));
        const uint8_t *page = translate(as, va & MEM_PAGE_MASK, MEM_R, true, &err);
        if (!page)
            return err;
        size_t chunk = MEM_PAGE_SIZE - off;
        if (chunk > size - n)
            chunk = size - n;
        const uint8_t *z = memchr(page + off, 0, chunk);
        size_t take = z ? (size_t)(z - (page + off)) : chunk;
        memcpy(dst + n, page + off, take);
        n += take;
        if (z) {
            dst[n] = 0;
            return (long)n;
        }
        va += chunk;
    }
    return -36; /* ENAMETOOLONG: no terminator within size bytes */
}

int mem_discard(struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    as->gen++;
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE) {
        struct mem_pte *p = pte_get(as, a, false);
        if (!p) {
            a = last_page_of_leaf(a);
            continue;
        }
        if (!(p->flags & PTE_MAPPED))
            continue;
        uint8_t prot = p->prot;
        pte_clear(as, p);
        p->prot = prot;
        p->flags = PTE_MAPPED;
    }
    return 0;
}

int mem_move(struct mem_space *as, uint64_t from, uint64_t to, uint64_t len)
{
    if (!range_ok(from, len) || !range_ok(to, len) || (from < to + len && to < from + len))
        return MEM_EINVAL;
    /* Create every destination pte first, so failure leaves nothing moved. */
    for (uint64_t off = 0; off < len; off += MEM_PAGE_SIZE)
        if (!pte_get(as, to + off, true))
            return MEM_ENOMEM;
    as->gen++;
    for (uint64_t off = 0; off < len; off += MEM_PAGE_SIZE) {
        struct mem_pte *src = pte_get(as, from + off, false);
        struct mem_pte *dst = pte_get(as, to + off, false);
        pte_clear(as, dst);
        if (src) {
            if (src->flags & PTE_CODE)
                as->code_gen++;
            *dst = *src;
            dst->flags &= (uint8_t)~PTE_CODE;
            memset(src, 0, sizeof *src);
        }
    }
    return 0;
}

int mem_share(struct mem_space *dst, uint64_t dva, struct mem_space *src, uint64_t sva, uint64_t len)
{
    if (!range_ok(dva, len) || !range_ok(sva, len) || dst->pool != src->pool || dst->backing || src->backing)
        return MEM_EINVAL;
    if (dst == src && dva < sva + len && sva < dva + len)
        return MEM_EINVAL;
    for (uint64_t off = 0; off < len; off += MEM_PAGE_SIZE)
        if (!pte_get(dst, dva + off, true))
            return MEM_ENOMEM;
    /* Both sides lose their write TLB entries: the pages are shared now. */
    dst->gen++;
    src->gen++;
    for (uint64_t off = 0; off < len; off += MEM_PAGE_SIZE) {
        const struct mem_pte *s = pte_find(src, sva + off);
        struct mem_pte *d = pte_get(dst, dva + off, false);
        pte_clear(dst, d);
        if (!s)
            continue;
        d->prot = s->prot;
        d->flags = PTE_MAPPED;
        if (s->page) {
            mem_page_ref(s->page);
            d->page = s->page;
            dst->resident++;
        }
    }
    return 0;
}
