/*
 * pool.c — the host page pool: 4 KiB pages with reference counts, carved
 * from large host allocations, recycled through a free list.
 *
 * Pools form trees (a VM's pool is a child of its creator's, or of a
 * domain's, vm/domain.c). Only the root has pages: every pool of the tree
 * takes them from the root's chunks and free list, so a page may move
 * between the spaces of a tree (clones, fork, the sharing scan) whatever
 * pool it was taken for. Each pool counts what it and its descendants
 * hold; a page is charged to its owner (the pool that took it, or the
 * sharing domain that adopted it, mem_page_adopt) until it is freed.
 *
 * Invariant: a page with ref == 0 is on the root's free list; pages_in_use
 * counts pages (and page-table memory, see mem_pool_charge) charged to
 * the pool or below it, and never exceeds limit_pages when a limit is set.
 * A pool is freed only after its descendants and the pages it owns.
 *
 * Concurrency: the harts of a process run on several host threads, and a
 * VM's pool is charged together with its ancestors'. One mutex per tree
 * of pools (the root's, shared by its children) guards the free lists,
 * the chunks and every count; a page's ref is atomic, because pages are
 * shared between spaces that hold different locks.
 */
#include "mem/mem.h"
#include "mem/mem_int.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "host/host.h"
#include "host/thread.h"

#define CHUNK_PAGES 256
/* Pages of a new chunk are made present this many at a time, as they are
 * first handed out (one host call instead of a fault each). */
#define POPULATE_PAGES 32

struct pool_chunk {
    struct pool_chunk *next;
    uint8_t *data;
    struct mem_page pages[CHUNK_PAGES];
};

struct mem_pool {
    struct mem_pool *parent;   /* charged too: a child VM's pages count for its ancestors */
    struct mem_pool *root;     /* the tree's root: it has the pages */
    struct host_mutex *lock;   /* the tree's (the root owns it) */
    void *merge;               /* a sharing domain's scan state (merge.c), or NULL */
    void *swap;                /* its swap file (swap.c), or NULL */
    void *code;                /* a sharing domain's code store (mem_pool_domain_code) */
    void (*code_free)(void *);
    /* The root's only: */
    struct pool_chunk *chunks;
    struct mem_page **free;
    size_t nfree, cap_free, total;   /* cap_free >= total: every page fits */
    size_t released;                 /* free[0, released) gave their memory back */
    uint8_t *zero;
    /* The newest chunk's pages never handed out yet: [fresh, fresh_end)
     * are zero and not yet present; before `present` they are present. */
    uint8_t *fresh, *present, *fresh_end;
    bool huge;                 /* chunks come in huge pages (mem_pool_use_huge_pages) */
    uint8_t *spare;            /* the half of a huge page no chunk has yet */
    size_t retire_nfree;       /* nfree when mem_pool_retire last looked */
    atomic_uint scanners;      /* in mem_space_dedup (mem_pool_scan_enter) */
    struct mem_stats st;
};

struct mem_pool *mem_pool_new(uint64_t limit_bytes)
{
    struct mem_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->zero = host_page_alloc(MEM_PAGE_SIZE);
    pool->lock = host_mutex_new();
    if (!pool->zero || !pool->lock) {
        host_page_free(pool->zero, MEM_PAGE_SIZE);
        host_mutex_free(pool->lock);
        free(pool);
        return NULL;
    }
    pool->st.limit_pages = limit_bytes / MEM_PAGE_SIZE;
    pool->root = pool;
    return pool;
}

void mem_pool_free(struct mem_pool *pool)
{
    if (!pool)
        return;
    if (pool->code)
        pool->code_free(pool->code);
    if (pool->merge)
        mem_merge_free(pool->merge);
    if (pool->swap)
        mem_swap_free(pool->swap);
    struct pool_chunk *c = pool->chunks;
    while (c) {
        struct pool_chunk *next = c->next;
        host_page_free(c->data, (size_t)CHUNK_PAGES * MEM_PAGE_SIZE);
        free(c);
        c = next;
    }
    if (pool->spare)
        host_page_free(pool->spare, (size_t)CHUNK_PAGES * MEM_PAGE_SIZE);
    if (!pool->parent) {
        host_page_free(pool->zero, MEM_PAGE_SIZE);
        host_mutex_free(pool->lock);
    }
    free(pool->free);
    free(pool);
}

static int pool_grow(struct mem_pool *pool)
{
    struct pool_chunk *c = calloc(1, sizeof *c);
    if (!c)
        return MEM_ENOMEM;
    if (pool->huge) {
        /* Two chunks to a huge page: this one its first half, the next
         * one its second. */
        if (pool->spare) {
            c->data = pool->spare;
            pool->spare = NULL;
        } else if ((c->data = host_page_alloc_huge(2 * (size_t)CHUNK_PAGES * MEM_PAGE_SIZE))) {
            pool->spare = c->data + (size_t)CHUNK_PAGES * MEM_PAGE_SIZE;
        }
    } else {
        c->data = host_page_alloc((size_t)CHUNK_PAGES * MEM_PAGE_SIZE);
    }
    if (!c->data)
        goto fail;
    if (pool->cap_free < pool->total + CHUNK_PAGES) {
        size_t cap = pool->cap_free ? pool->cap_free * 2 : CHUNK_PAGES * 4;
        while (cap < pool->total + CHUNK_PAGES)
            cap *= 2;
        struct mem_page **nf = realloc(pool->free, cap * sizeof *nf);
        if (!nf)
            goto fail;
        pool->free = nf;
        pool->cap_free = cap;
    }
    for (int i = CHUNK_PAGES - 1; i >= 0; i--) {
        c->pages[i].data = c->data + (size_t)i * MEM_PAGE_SIZE;
        c->pages[i].ref = 0;
        pool->free[pool->nfree++] = &c->pages[i];
    }
    c->next = pool->chunks;
    pool->chunks = c;
    pool->fresh = pool->present = c->data;
    pool->fresh_end = c->data + (size_t)CHUNK_PAGES * MEM_PAGE_SIZE;
    pool->total += CHUNK_PAGES;
    return 0;
fail:
    if (c->data)
        host_page_free(c->data, (size_t)CHUNK_PAGES * MEM_PAGE_SIZE);
    free(c);
    return MEM_ENOMEM;
}

static bool charge_locked(struct mem_pool *pool, int64_t pages)
{
    if (pages > 0)
        for (const struct mem_pool *p = pool; p; p = p->parent)
            if (p->st.limit_pages && p->st.pages_in_use + (uint64_t)pages > p->st.limit_pages)
                return false;
    for (struct mem_pool *p = pool; p; p = p->parent) {
        p->st.pages_in_use += (uint64_t)pages;
        if (p->st.pages_in_use > p->st.pages_peak)
            p->st.pages_peak = p->st.pages_in_use;
    }
    return true;
}

bool mem_pool_charge(struct mem_pool *pool, int64_t pages)
{
    host_mutex_lock(pool->lock);
    bool ok = charge_locked(pool, pages);
    host_mutex_unlock(pool->lock);
    return ok;
}

void mem_pool_use_huge_pages(struct mem_pool *pool)
{
    host_mutex_lock(pool->lock);
    pool->root->huge = true;
    host_mutex_unlock(pool->lock);
}

struct mem_pool *mem_pool_new_child(struct mem_pool *parent, uint64_t limit_bytes)
{
    if (!parent)
        return mem_pool_new(limit_bytes);
    struct mem_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->st.limit_pages = limit_bytes / MEM_PAGE_SIZE;
    pool->parent = parent;
    pool->root = parent->root;
    pool->lock = parent->lock;
    pool->zero = parent->root->zero;
    return pool;
}

/* A page for pool, from its root (pool->lock held); *fresh: never handed
 * out before, so zero. A new chunk's pages come out in address order
 * (pushed in reverse): they are made present POPULATE_PAGES at a time. */
static struct mem_page *take_locked(struct mem_pool *pool, bool *fresh)
{
    struct mem_pool *r = pool->root;
    if (!charge_locked(pool, 1))
        return NULL;
    if (r->nfree == 0 && pool_grow(r) != 0) {
        charge_locked(pool, -1);
        return NULL;
    }
    struct mem_page *pg = r->free[--r->nfree];
    if (r->released > r->nfree)
        r->released = r->nfree;
    pg->owner = pool;
    *fresh = pg->data >= r->fresh && pg->data < r->fresh_end;
    if (*fresh) {
        /* (A huge page is made present whole by the first touch of it,
         * wherever that is: on the thread that writes it first.) */
        if (pg->data >= r->present && !r->huge) {
            size_t left = (size_t)(r->fresh_end - pg->data), n = (size_t)POPULATE_PAGES * MEM_PAGE_SIZE;
            host_page_populate(pg->data, n < left ? n : left);
            r->present = pg->data + (n < left ? n : left);
        }
        r->fresh = pg->data + MEM_PAGE_SIZE;
    }
    return pg;
}

/* A page whose contents the caller overwrites entirely. */
struct mem_page *mem_page_alloc_raw(struct mem_pool *pool)
{
    bool fresh;
    host_mutex_lock(pool->lock);
    struct mem_page *pg = take_locked(pool, &fresh);
    host_mutex_unlock(pool->lock);
    if (pg)
        atomic_store(&pg->ref, 1);
    return pg;
}

struct mem_page *mem_page_alloc(struct mem_pool *pool)
{
    bool fresh;
    host_mutex_lock(pool->lock);
    struct mem_page *pg = take_locked(pool, &fresh);
    host_mutex_unlock(pool->lock);
    if (pg) {
        atomic_store(&pg->ref, 1);
        if (!fresh)
            memset(pg->data, 0, MEM_PAGE_SIZE);    /* a new chunk's are zero already */
    }
    return pg;
}

void mem_page_ref(struct mem_page *pg)
{
    atomic_fetch_add(&pg->ref, 1);
}

void mem_page_unref(struct mem_pool *pool, struct mem_page *pg)
{
    if (atomic_fetch_sub(&pg->ref, 1) == 1) {
        struct mem_pool *owner = pg->owner, *r = owner->root;
        (void)pool;     /* any pool of the tree: the page knows its owner */
        host_mutex_lock(r->lock);
        r->free[r->nfree++] = pg;
        charge_locked(owner, -1);
        host_mutex_unlock(r->lock);
    }
}

bool mem_page_adopt(struct mem_pool *pool, struct mem_page *pg)
{
    host_mutex_lock(pool->lock);
    const struct mem_pool *a = pg->owner;
    while (a && a != pool)
        a = a->parent;
    if (a && pg->owner != pool) {
        /* pool is an ancestor of the owner: its count and those above it
         * net out, so no limit can be passed. */
        charge_locked(pg->owner, -1);
        charge_locked(pool, 1);
        pg->owner = pool;
    }
    host_mutex_unlock(pool->lock);
    return a != NULL;
}

static int by_address(const void *a, const void *b)
{
    const uint8_t *x = (*(struct mem_page *const *)a)->data, *y = (*(struct mem_page *const *)b)->data;
    return x < y ? -1 : x > y;
}

/* Gives the host back the memory of the free pages not given back yet,
 * if there are at least min of them: sorted by address, each run of
 * adjacent pages in one call (each call costs the host a TLB shootdown
 * of every thread of the process). */
static uint64_t trim_locked(struct mem_pool *r, uint64_t min)
{
    uint64_t n = 0;
    if (r->nfree - r->released >= min && r->nfree > r->released) {
        n = r->nfree - r->released;
        qsort(r->free + r->released, n, sizeof *r->free, by_address);
        for (size_t i = r->released; i < r->nfree;) {
            uint8_t *lo = r->free[i]->data, *hi = lo + MEM_PAGE_SIZE;
            for (i++; i < r->nfree && r->free[i]->data == hi; i++)
                hi += MEM_PAGE_SIZE;
            host_page_release(lo, (size_t)(hi - lo));
        }
        r->released = r->nfree;
    }
    return n;
}

uint64_t mem_pool_trim(struct mem_pool *pool, uint64_t min)
{
    struct mem_pool *r = pool->root;
    host_mutex_lock(r->lock);
    uint64_t n = trim_locked(r, min);
    host_mutex_unlock(r->lock);
    return n;
}

void mem_pool_scan_enter(struct mem_pool *pool)
{
    atomic_fetch_add(&pool->root->scanners, 1);
}

void mem_pool_scan_exit(struct mem_pool *pool)
{
    atomic_fetch_sub(&pool->root->scanners, 1);
}

static int by_descriptor(const void *a, const void *b)
{
    const struct mem_page *x = *(struct mem_page *const *)a, *y = *(struct mem_page *const *)b;
    return x < y ? -1 : x > y;
}

/* The free pages in chunk c: free[] is sorted by descriptor. */
static size_t free_in(struct mem_page **free, size_t n, const struct pool_chunk *c)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (free[mid] < c->pages)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = 0;
    while (lo + k < n && free[lo + k] < c->pages + CHUNK_PAGES)
        k++;
    return k;
}

uint64_t mem_pool_retire(struct mem_pool *pool)
{
    struct mem_pool *r = pool->root;
    uint64_t gone = 0;
    host_mutex_lock(r->lock);
    /* Worth a sort of the free list only when much of the pool is free,
     * and free in other ways than when it last looked. */
    size_t moved = r->nfree > r->retire_nfree ? r->nfree - r->retire_nfree : r->retire_nfree - r->nfree;
    if (atomic_load(&r->scanners) || r->huge || !r->chunks || r->nfree < 4 * CHUNK_PAGES || r->nfree < r->total / 2 || moved < r->total / 8) {
        host_mutex_unlock(r->lock);
        return 0;
    }
    trim_locked(r, 0);      /* every free page given back: order no longer matters */
    qsort(r->free, r->nfree, sizeof *r->free, by_descriptor);
    /* The newest chunk stays: its pages may not have been handed out
     * yet (fresh). */
    for (struct pool_chunk **cp = &r->chunks->next; *cp;) {
        struct pool_chunk *c = *cp;
        if (free_in(r->free, r->nfree, c) != CHUNK_PAGES) {
            cp = &c->next;
            continue;
        }
        *cp = c->next;
        size_t keep = 0;
        for (size_t i = 0; i < r->nfree; i++)
            if (r->free[i] < c->pages || r->free[i] >= c->pages + CHUNK_PAGES)
                r->free[keep++] = r->free[i];
        r->nfree = keep;
        r->total -= CHUNK_PAGES;
        host_page_free(c->data, (size_t)CHUNK_PAGES * MEM_PAGE_SIZE);
        free(c);
        gone += CHUNK_PAGES;
    }
    r->released = r->nfree;
    r->retire_nfree = r->nfree;
    /* The free list's room, down to what the pool now has. */
    size_t cap = CHUNK_PAGES * 4;
    while (cap < r->total)
        cap *= 2;
    if (cap < r->cap_free) {
        struct mem_page **nf = realloc(r->free, cap * sizeof *nf);
        if (nf) {
            r->free = nf;
            r->cap_free = cap;
        }
    }
    host_mutex_unlock(r->lock);
    return gone;
}

struct mem_pool *mem_pool_root(const struct mem_pool *pool)
{
    return pool->root;
}

const uint8_t *mem_zero_page(struct mem_pool *pool)
{
    return pool->zero;
}

void *mem_pool_merge_state(const struct mem_pool *pool)
{
    return pool->merge;
}

void mem_pool_set_merge_state(struct mem_pool *pool, void *m)
{
    pool->merge = m;
}

void *mem_pool_domain_code(struct mem_pool *pool, void *(*make)(struct mem_pool *domain),
                           void (*free_fn)(void *))
{
    while (pool && !pool->merge)
        pool = pool->parent;
    if (!pool)
        return NULL;
    host_mutex_lock(pool->lock);
    if (!pool->code && (pool->code = make(pool)))
        pool->code_free = free_fn;
    void *code = pool->code;
    host_mutex_unlock(pool->lock);
    return code;
}

void *mem_pool_swap_state(const struct mem_pool *pool)
{
    return pool->swap;
}

void mem_pool_set_swap_state(struct mem_pool *pool, void *s)
{
    pool->swap = s;
}

struct mem_pool *mem_pool_parent(const struct mem_pool *pool)
{
    return pool->parent;
}

void *mem_pool_nearest(const struct mem_pool *pool, void *(*state)(const struct mem_pool *))
{
    for (; pool; pool = pool->parent) {
        void *s = state(pool);
        if (s)
            return s;
    }
    return NULL;
}

void mem_pool_count(struct mem_pool *pool, int what)
{
    host_mutex_lock(pool->lock);
    if (what == MEM_COUNT_COW)
        pool->st.cow_copies++;
    else
        pool->st.zero_fills++;
    host_mutex_unlock(pool->lock);
}

void mem_pool_stats(const struct mem_pool *pool, struct mem_stats *out)
{
    host_mutex_lock(pool->lock);
    *out = pool->st;
    host_mutex_unlock(pool->lock);
}
