/*
 * pool.c — the host page pool: 4 KiB pages with reference counts, carved
 * from large host allocations, recycled through a free list.
 *
 * Invariant: a page with ref == 0 is on the free list; pages_in_use counts
 * pages (and page-table memory, see mem_pool_charge) handed out, and never
 * exceeds limit_pages when a limit is set.
 *
 * Concurrency: the harts of a process run on several host threads, and a
 * VM's pool is charged together with its ancestors'. One mutex per tree
 * of pools (the root's, shared by its children) guards the free lists,
 * the chunks and every count; a page's ref is atomic, because pages are
 * shared between spaces that hold different locks.
 */
#include "mem/mem.h"
#include "mem/mem_int.h"

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
    struct host_mutex *lock;   /* the tree's (the root owns it) */
    struct pool_chunk *chunks;
    struct mem_page **free;
    size_t nfree, cap_free, total;   /* cap_free >= total: every page fits */
    uint8_t *zero;
    /* The newest chunk's pages never handed out yet: [fresh, fresh_end)
     * are zero and not yet present; before `present` they are present. */
    uint8_t *fresh, *present, *fresh_end;
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
    return pool;
}

void mem_pool_free(struct mem_pool *pool)
{
    if (!pool)
        return;
    struct pool_chunk *c = pool->chunks;
    while (c) {
        struct pool_chunk *next = c->next;
        host_page_free(c->data, (size_t)CHUNK_PAGES * MEM_PAGE_SIZE);
        free(c);
        c = next;
    }
    host_page_free(pool->zero, MEM_PAGE_SIZE);
    if (!pool->parent)
        host_mutex_free(pool->lock);
    free(pool->free);
    free(pool);
}

static int pool_grow(struct mem_pool *pool)
{
    struct pool_chunk *c = calloc(1, sizeof *c);
    if (!c)
        return MEM_ENOMEM;
    c->data = host_page_alloc((size_t)CHUNK_PAGES * MEM_PAGE_SIZE);
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

struct mem_pool *mem_pool_new_child(struct mem_pool *parent, uint64_t limit_bytes)
{
    struct mem_pool *pool = mem_pool_new(limit_bytes);
    if (pool && parent) {
        host_mutex_free(pool->lock);
        pool->parent = parent;
        pool->lock = parent->lock;
    }
    return pool;
}

/* A page (pool->lock held); *fresh: never handed out before, so zero. A
 * new chunk's pages come out in address order (pushed in reverse): they
 * are made present POPULATE_PAGES at a time. */
static struct mem_page *take_locked(struct mem_pool *pool, bool *fresh)
{
    if (!charge_locked(pool, 1))
        return NULL;
    if (pool->nfree == 0 && pool_grow(pool) != 0) {
        charge_locked(pool, -1);
        return NULL;
    }
    struct mem_page *pg = pool->free[--pool->nfree];
    *fresh = pg->data >= pool->fresh && pg->data < pool->fresh_end;
    if (*fresh) {
        if (pg->data >= pool->present) {
            size_t left = (size_t)(pool->fresh_end - pg->data), n = (size_t)POPULATE_PAGES * MEM_PAGE_SIZE;
            host_page_populate(pg->data, n < left ? n : left);
            pool->present = pg->data + (n < left ? n : left);
        }
        pool->fresh = pg->data + MEM_PAGE_SIZE;
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
        host_mutex_lock(pool->lock);
        pool->free[pool->nfree++] = pg;
        charge_locked(pool, -1);
        host_mutex_unlock(pool->lock);
    }
}

const uint8_t *mem_zero_page(struct mem_pool *pool)
{
    return pool->zero;
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
