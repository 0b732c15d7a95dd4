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
 *
 * Concurrency: every public function takes the space's lock (and, for a
 * space that is not unrolled, its backing spaces' locks after it: the
 * order is always backed -> backing). Harts read host pointers from their
 * TLBs without any lock; what keeps them safe is the shootdown protocol of
 * mem.h: a page taken away from a space that other running views may
 * cache goes to the space's limbo, tagged with the generation of the
 * change, and is released only after every such view has synchronised
 * past it. View lists (own and of the spaces backed by this one) are
 * guarded by one global mutex, never held while taking another lock.
 */
#include "mem/mem.h"
#include "mem/mem_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "host/thread.h"

#define LEVEL_BITS 9
#define LEVEL_SIZE (1u << LEVEL_BITS)
#define LEVELS 4

#define PTE_MAPPED 1
#define PTE_CODE   2
#define PTE_SHARED 4    /* shared memory: a write never copies (MAP_SHARED) */
#define PTE_DIRTY  8    /* written, or given other contents, since the last
                           mem_space_dirty (only while the space tracks) */
#define PTE_LAZY   16   /* absent, but its bytes are the pager's to give
                           (mem_space_set_pager): loaded before any use */
#define PTE_SWAPPED 32  /* absent, its bytes in the swap file at slot: read
                           back before any use (swap.c) */
#define PTE_ACCESSED 64 /* touched since the swap clock's hand last passed */
#define PTE_PAGED (PTE_LAZY | PTE_SWAPPED)   /* its bytes are elsewhere */

struct mem_pte {
    union {                  /* which one: whether the space has a backing */
        struct mem_page *page;   /* NULL: absent, reads as zero */
        uint64_t backing_va;     /* backed spaces: where the page lives in the
                                    backing space, 0 until first written */
    };
    uint8_t prot;
    uint8_t flags;
    uint32_t slot;           /* PTE_SWAPPED: where (in the padding: no cost) */
};

struct mem_leaf {
    struct mem_pte pte[LEVEL_SIZE];
};

struct mem_dir {
    void *slot[LEVEL_SIZE];
};

/*
 * Leaf tables are shared between spaces: mem_share of a whole table's
 * span (a clone from its template, a fork) gives the other space the
 * table itself, in O(1), instead of a reference to each page. Each table
 * has a count of the spaces holding it. While more than one does, it is
 * frozen: nobody changes it, and a space about to change one of its ptes
 * first takes a copy of its own (leaf_own), each page gaining a
 * reference, so that writing a page copies it as for any page shared
 * copy-on-write. Its pages hold one reference for all its holders. The
 * last holder changes it in place. A frozen table has no lazy, swapped or
 * dirty-tracked page and no absent shared memory (what is one space's
 * own), and its pages are neither merged nor swapped.
 */
struct table {
    _Atomic uint32_t refs;      /* spaces holding it */
    /* While frozen (counted when lent by a space holding it alone): */
    uint16_t resident;          /* ptes with a host page */
    uint16_t mapped;            /* mapped ptes */
    int8_t prot;                /* the permissions of all mapped ptes, or -1 */
    bool code;                  /* some pte flagged CODE */
    struct leaf_chunk *chunk;   /* where it is (leaf_alloc) */
    struct mem_leaf *leaf;      /* its ptes: two pages of its chunk's own */
    struct table *next_free;    /* in its chunk's free list */
};

_Static_assert(MEM_TABLE_SPAN == (uint64_t)LEVEL_SIZE << MEM_PAGE_SHIFT, "mem.h says what a table maps");

static struct mem_leaf *leaf_of(void *slot)
{
    return ((struct table *)slot)->leaf;
}

/* Held by other spaces too: it must not change. */
static bool leaf_frozen(const void *slot)
{
    return atomic_load(&((const struct table *)slot)->refs) > 1;
}

struct limbo {
    struct mem_page *page;   /* a page, or */
    struct table *leaf;      /* a frozen leaf table this space let go */
    uint64_t gen;            /* as->gen once it was taken away */
};

struct mem_space {
    struct mem_pool *pool;
    _Atomic int refs;            /* holders (a vfork child borrows its parent's) */
    struct host_mutex *lock;
    struct mem_dir root;
    _Atomic uint64_t gen;
    _Atomic uint64_t code_gen;
    uint64_t resident;
    struct mem_space *backing;   /* not unrolled: our pages live in it */
    mem_xlate_fn xlate;          /* translated (system mode): va -> an address of backing */
    void *xlate_ctx;
    uint8_t dirty;               /* PTE_DIRTY while tracking (mem_space_track), else 0 */
    struct mem_pager *pager;     /* gives the bytes of PTE_LAZY pages (under lock) */
    uint64_t nlazy;              /* PTE_LAZY pages left; the pager goes at 0 */
    char *lost;                  /* why a lazy page could not be loaded (sticks) */
    struct mem_merge *merge;     /* the sharing domain that scans it, or NULL */
    uint64_t scan_next;          /* where its scan goes on (the scan's own) */
    struct mem_swap *swap;       /* where its cold pages may go, or NULL */
    uint64_t swap_next;          /* the swap clock's hand (the clock's own) */
    uint64_t nswapped;           /* PTE_SWAPPED pages */
    bool lost_swap;              /* lost is the swap's doing */
    /* Under views_lock: */
    struct mem_view *views;      /* harts caching this space */
    _Atomic int nviews;
    struct mem_space *dependents, *next_dependent;   /* spaces backed by this one */
    /* Pages waiting for the views to let go of them (under lock). */
    struct limbo *limbo;
    size_t nlimbo, cap_limbo;
    /* Leaf tables are cut from chunks (leaf_alloc). */
    struct leaf_chunk *chunks;
    unsigned nchunks;
    /* As a backing space: page slots handed out above MEM_BACKING_BASE. */
    uint64_t slot_next;
    uint64_t *slot_free;
    size_t nslot_free, cap_slot_free;
};

#define MEM_BACKING_BASE (1ull << 40)

/* Table memory rounded to pages, charged to the pool. */
#define DIR_PAGES  ((sizeof(struct mem_dir) + MEM_PAGE_SIZE - 1) / MEM_PAGE_SIZE)

/* Spin locks of C11 atomics, for short and rare holds. */
static void spin_lock(atomic_flag *f)
{
    while (atomic_flag_test_and_set_explicit(f, memory_order_acquire))
        host_thread_yield();
}
static void spin_unlock(atomic_flag *f)
{
    atomic_flag_clear_explicit(f, memory_order_release);
}

/* The view lists' lock: short walks. */
static atomic_flag views_flag = ATOMIC_FLAG_INIT;
static void views_lock(void) { spin_lock(&views_flag); }
static void views_unlock(void) { spin_unlock(&views_flag); }

static _Thread_local struct mem_view *self;   /* the view running on this host thread */

struct mem_space *mem_space_new(struct mem_pool *pool)
{
    struct mem_space *as = calloc(1, sizeof *as);
    if (!as)
        return NULL;
    as->lock = host_mutex_new();
    if (!as->lock) {
        host_mutex_free(as->lock);
        free(as);
        return NULL;
    }
    as->pool = pool;
    as->refs = 1;
    as->gen = 1;
    as->code_gen = 1;
    as->merge = mem_merge_join(as);
    as->swap = mem_swap_join(as);
    return as;
}

void mem_space_ref(struct mem_space *as)
{
    atomic_fetch_add(&as->refs, 1);
}

int mem_space_refs(const struct mem_space *as)
{
    return atomic_load(&as->refs);
}


static void backing_release(struct mem_space *b, uint64_t va);

/*
 * Leaf tables come from chunks of 1, 2, 4, ... 128 tables, handed out
 * from the start: their headers in an array, their ptes in a mapping of
 * their own, two whole pages a table. That mapping is backed by the host
 * as its tables are first written, so the tables a space has not used
 * yet cost no host memory, nor does the second page of a table whose
 * ptes all lie in its first (a dense host's many small VMs each leave
 * much of their last chunk unused; populating a chunk when it is made
 * would save a little less than a page fault per page, about 2 us here).
 * A chunk is charged to its space's pool whole when made, an upper bound
 * of what it comes to. Its tables may be held by other spaces after its
 * space is gone (lent, above): it goes when its space has gone and its
 * last table is freed, by whichever thread frees that one. Freed tables
 * are reused by the chunk's space. One spin lock of C11 atomics guards
 * every chunk's free list and counts (short, rare holds).
 */
struct leaf_chunk {
    struct leaf_chunk *next;    /* the space's (its own to change) */
    size_t n, used;             /* tables in it; handed out from the start */
    struct table *t;            /* n of them */
    struct mem_leaf *leaves;    /* and their ptes, page-aligned */
    struct mem_pool *pool;      /* charged for it */
    /* Under chunk_flag: */
    struct table *free;         /* freed tables, for reuse */
    size_t live;                /* tables handed out, not freed */
    bool orphan;                /* its space is gone */
};

#define CHUNK_PAGES(n) ((n) * sizeof(struct mem_leaf) / MEM_PAGE_SIZE + MEM_PAGES_OF((n) * sizeof(struct table)))

static atomic_flag chunk_flag = ATOMIC_FLAG_INIT;
static void chunk_lock(void) { spin_lock(&chunk_flag); }
static void chunk_unlock(void) { spin_unlock(&chunk_flag); }

static void chunk_free(struct leaf_chunk *c)
{
    mem_pool_charge(c->pool, -(int64_t)CHUNK_PAGES(c->n));
    host_page_free(c->leaves, c->n * sizeof(struct mem_leaf));
    free(c->t);
    free(c);
}

/* A new table of as (lock held): zero, held by as alone. */
static struct table *leaf_alloc(struct mem_space *as)
{
    struct table *t = NULL;
    struct leaf_chunk *c = as->chunks;
    chunk_lock();
    for (; c; c = c->next) {
        if (c->free) {
            t = c->free;
            c->free = t->next_free;
        } else if (c->used < c->n) {
            t = &c->t[c->used++];
        }
        if (t) {
            c->live++;
            break;
        }
    }
    chunk_unlock();
    if (!t) {
        size_t n = (size_t)1 << (as->nchunks < 7 ? as->nchunks : 7);
        int64_t pages = (int64_t)CHUNK_PAGES(n);
        c = calloc(1, sizeof *c);
        if (!c || !mem_pool_charge(as->pool, pages)) {
            free(c);
            return NULL;
        }
        c->t = calloc(n, sizeof *c->t);
        c->leaves = host_page_alloc(n * sizeof(struct mem_leaf));
        if (!c->t || !c->leaves) {
            mem_pool_charge(as->pool, -pages);
            free(c->t);
            host_page_free(c->leaves, n * sizeof(struct mem_leaf));
            free(c);
            return NULL;
        }
        c->n = n;
        c->pool = as->pool;
        c->next = as->chunks;
        as->chunks = c;
        as->nchunks++;
        t = &c->t[c->used];
        t->leaf = &c->leaves[c->used++];
        c->live = 1;    /* nobody else knows of it yet */
    } else if (t->leaf) {   /* a freed one */
        struct mem_leaf *l = t->leaf;
        memset(t, 0, sizeof *t);
        memset(l, 0, sizeof *l);
        t->leaf = l;
    } else {                /* never handed out: zero */
        t->leaf = &c->leaves[t - c->t];
    }
    t->chunk = c;
    atomic_init(&t->refs, 1);
    return t;
}

/* Gives back what the ptes of a table hold, for good. */
static void leaf_release(struct mem_space *as, struct mem_leaf *leaf)
{
    for (unsigned i = 0; i < LEVEL_SIZE; i++) {
        if (as->backing && leaf->pte[i].backing_va)
            backing_release(as->backing, leaf->pte[i].backing_va);
        else if (!as->backing && leaf->pte[i].page)
            mem_page_unref(as->pool, leaf->pte[i].page);
        else if (leaf->pte[i].flags & PTE_SWAPPED)
            mem_swap_release(as->swap, leaf->pte[i].slot);
    }
}

/* as lets go of a table; the last holder frees it. (A table that was not
 * frozen was changed by as alone: its swap slots are as's.) */
static void table_put(struct mem_space *as, struct table *t)
{
    if (atomic_fetch_sub(&t->refs, 1) != 1)
        return;
    leaf_release(as, t->leaf);
    struct leaf_chunk *c = t->chunk;
    chunk_lock();
    t->next_free = c->free;
    c->free = t;
    bool gone = --c->live == 0 && c->orphan;
    chunk_unlock();
    if (gone)
        chunk_free(c);
}

static void free_level(struct mem_space *as, void *t, int level)
{
    if (level == LEVELS - 1) {
        table_put(as, t);
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

static void limbo_release(struct mem_space *as, uint64_t upto);

void mem_space_free(struct mem_space *as)
{
    if (!as || atomic_fetch_sub(&as->refs, 1) > 1)
        return;
    if (as->merge)
        mem_merge_leave(as->merge, as);
    if (as->swap)
        mem_swap_leave(as->swap, as);
    if (as->backing) {
        views_lock();
        struct mem_space **d = &as->backing->dependents;
        while (*d && *d != as)
            d = &(*d)->next_dependent;
        if (*d)
            *d = as->next_dependent;
        views_unlock();
    }
    limbo_release(as, UINT64_MAX);   /* no view is left */
    free_level(as, &as->root, 0);
    while (as->chunks) {    /* each goes now, or with its last table lent */
        struct leaf_chunk *c = as->chunks;
        as->chunks = c->next;
        chunk_lock();
        c->orphan = true;
        bool gone = c->live == 0;
        chunk_unlock();
        if (gone)
            chunk_free(c);
    }
    if (as->pager)
        as->pager->release(as->pager);
    free(as->lost);
    free(as->limbo);
    free(as->slot_free);
    host_mutex_free(as->lock);
    free(as);
}

int mem_space_set_backing(struct mem_space *as, struct mem_space *backing)
{
    if (!backing || backing == as || as->backing || as->resident)
        return MEM_EINVAL;
    as->backing = backing;
    as->gen++;
    views_lock();
    as->next_dependent = backing->dependents;
    backing->dependents = as;
    views_unlock();
    return 0;
}

int mem_space_set_translator(struct mem_space *as, struct mem_space *backing, mem_xlate_fn fn, void *ctx)
{
    if (!fn || backing->backing)
        return MEM_EINVAL;
    int r = mem_space_set_backing(as, backing);
    if (r == 0) {
        as->xlate = fn;
        as->xlate_ctx = ctx;
    }
    return r;
}

/* ---- views and shootdown ------------------------------------------------ */

void mem_view_attach(struct mem_space *as, struct mem_view *v)
{
    views_lock();
    v->as = as;
    atomic_store(&v->active, false);
    atomic_store(&v->seen, 0);
    v->next = as->views;
    as->views = v;
    as->nviews++;
    views_unlock();
    /* A second view: nobody may keep caching the zero page for an absent
     * page (see mem.h), so the first one drops what it has. */
    if (as->nviews == 2)
        atomic_fetch_add(&as->gen, 1);
}

void mem_view_detach(struct mem_view *v)
{
    struct mem_space *as = v->as;
    views_lock();
    for (struct mem_view **p = &as->views; *p; p = &(*p)->next)
        if (*p == v) {
            *p = v->next;
            as->nviews--;
            break;
        }
    views_unlock();
}

void mem_view_enter(struct mem_view *v)
{
    atomic_store(&v->active, true);
    self = v;
}

void mem_view_leave(struct mem_view *v)
{
    /* Release is enough (and costs a plain store on x86-64, where the
     * sequentially consistent one is an exchange: twice per exit): a
     * shootdown that reads false also sees every access made before. */
    atomic_store_explicit(&v->active, false, memory_order_release);
    self = NULL;
}

/* Several views: absent pages are filled on any access (views_lock not
 * needed: the count changes only while the process's threads are made). */
static bool shared_views(const struct mem_space *as)
{
    return as->nviews > 1;
}

/* Is a view of as or of a space backed by it (other than self) running
 * guest code without having seen its space's current generation? */
static bool pending_locked(const struct mem_space *as)
{
    for (const struct mem_view *v = as->views; v; v = v->next)
        if (v != self && atomic_load(&v->active) && atomic_load_explicit(&v->seen, memory_order_acquire) < mem_space_gen(as))
            return true;
    for (const struct mem_space *d = as->dependents; d; d = d->next_dependent)
        if (pending_locked(d))
            return true;
    return false;
}

static bool others_active_locked(const struct mem_space *as)
{
    for (const struct mem_view *v = as->views; v; v = v->next)
        if (v != self && atomic_load(&v->active))
            return true;
    for (const struct mem_space *d = as->dependents; d; d = d->next_dependent)
        if (others_active_locked(d))
            return true;
    return false;
}

/* May a view other than the caller's be holding pointers into as? */
static bool others_active(const struct mem_space *as)
{
    views_lock();
    bool r = others_active_locked(as);
    views_unlock();
    return r;
}

/*
 * The TLB shootdown: returns when every running view of as (and of the
 * spaces it backs) has synchronised to the current generation. The
 * caller's own view counts as quiescent meanwhile (two harts shooting
 * each other down must not wait for each other); it resynchronises itself
 * afterwards. Never called with a space lock held.
 */
static void shootdown(struct mem_space *as)
{
    struct mem_view *me = self;
    bool was = me && atomic_load(&me->active);
    if (was)
        atomic_store(&me->active, false);
    for (;;) {
        views_lock();
        bool pending = pending_locked(as);
        views_unlock();
        if (!pending)
            break;
        host_thread_yield();
    }
    if (was)
        atomic_store(&me->active, true);
}

/*
 * Takes page pg (or a shared table, whose pages it holds) out of as (lock
 * held): released at once if no other view runs, else once they have all
 * seen this change. The generation moves
 * first: a view that starts running after the check below synchronises
 * to it and drops what it cached, where one that started before is seen
 * running (both sides' accesses are sequentially consistent). Bumped only
 * later, as the change's own bump is, a view entering in between would
 * keep an entry to a page already reused.
 */
static void limbo_free(struct mem_space *as, const struct limbo *l)
{
    if (l->page)
        mem_page_unref(as->pool, l->page);
    else
        table_put(as, l->leaf);
}

static void limbo_add(struct mem_space *as, struct limbo x)
{
    atomic_fetch_add(&as->gen, 1);
    if (!others_active(as)) {
        limbo_free(as, &x);
        return;
    }
    if (as->nlimbo == as->cap_limbo) {
        size_t cap = as->cap_limbo ? 2 * as->cap_limbo : 64;
        struct limbo *l = realloc(as->limbo, cap * sizeof *l);
        if (!l) {
            /* No room to wait: wait now (a rare, slow, safe path). */
            host_mutex_unlock(as->lock);
            shootdown(as);
            host_mutex_lock(as->lock);
            limbo_free(as, &x);
            return;
        }
        as->limbo = l;
        as->cap_limbo = cap;
    }
    as->limbo[as->nlimbo++] = x;    /* stamped by limbo_stamp */
}

static void drop_page(struct mem_space *as, struct mem_page *pg)
{
    limbo_add(as, (struct limbo){ .page = pg });
}

/* The same for a frozen table as lets go of: its pages stay while the
 * other holders keep it, but one of them may let go of it next. */
static void drop_leaf(struct mem_space *as, struct table *s)
{
    limbo_add(as, (struct limbo){ .leaf = s });
}

/* Stamps the pages a change just put in limbo with its generation (the
 * change has bumped gen; lock held). */
static void limbo_stamp(struct mem_space *as)
{
    uint64_t g = atomic_load(&as->gen);
    for (size_t i = as->nlimbo; i > 0 && as->limbo[i - 1].gen == 0; i--)
        as->limbo[i - 1].gen = g;
}

/* Releases the pages of as's limbo taken away at generations <= upto. */
static void limbo_release(struct mem_space *as, uint64_t upto)
{
    size_t keep = 0;
    for (size_t i = 0; i < as->nlimbo; i++) {
        if (as->limbo[i].gen && as->limbo[i].gen <= upto)
            limbo_free(as, &as->limbo[i]);
        else
            as->limbo[keep++] = as->limbo[i];
    }
    as->nlimbo = keep;
}

/*
 * Ends a change to as that took pages or permissions away (called without
 * the lock, after the change bumped gen): waits for the running views,
 * then releases what they may have cached. The same for the backing
 * chain, whose slots a change here may have released.
 */
static void settle(struct mem_space *as)
{
    for (; as; as = as->backing) {
        uint64_t g = atomic_load(&as->gen);
        if (others_active(as))
            shootdown(as);
        host_mutex_lock(as->lock);
        limbo_release(as, g);
        host_mutex_unlock(as->lock);
    }
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
        g += atomic_load(&as->gen);
    return g;
}

uint64_t mem_space_code_gen(const struct mem_space *as)
{
    uint64_t g = 0;
    for (; as; as = as->backing)
        g += atomic_load(&as->code_gen);
    return g;
}

uint64_t mem_space_resident(const struct mem_space *as)
{
    host_mutex_lock(as->lock);
    uint64_t r = as->resident;
    host_mutex_unlock(as->lock);
    return r;
}

static unsigned idx(uint64_t vpn, int level)
{
    return (unsigned)(vpn >> (LEVEL_BITS * (LEVELS - 1 - level))) & (LEVEL_SIZE - 1);
}

/* The directory slot holding the leaf table of va (which may be absent),
 * creating directories if asked; NULL if one is absent or no memory. */
static void **leaf_slot(struct mem_space *as, uint64_t va, bool create)
{
    if (va >> MEM_VA_BITS)
        return NULL;
    uint64_t vpn = va >> MEM_PAGE_SHIFT;
    struct mem_dir *d = &as->root;
    for (int level = 0; level < LEVELS - 2; level++) {
        void **slot = &d->slot[idx(vpn, level)];
        if (!*slot) {
            if (!create || !mem_pool_charge(as->pool, (int64_t)DIR_PAGES))
                return NULL;
            if (!(*slot = calloc(1, sizeof(struct mem_dir)))) {
                mem_pool_charge(as->pool, -(int64_t)DIR_PAGES);
                return NULL;
            }
        }
        d = *slot;
    }
    return &d->slot[idx(vpn, LEVELS - 2)];
}

/*
 * Makes the leaf table in *slot this space's to change (lock held): a
 * frozen one is copied, each of its pages gaining a reference (a write
 * then copies the page), and the shared one loses this space. False: no
 * memory for the copy.
 */
static bool leaf_own(struct mem_space *as, void **slot)
{
    if (!leaf_frozen(*slot))
        return true;
    struct table *s = *slot, *t = leaf_alloc(as);
    if (!t)
        return false;
    *t->leaf = *s->leaf;
    for (unsigned i = 0; i < LEVEL_SIZE; i++)
        if (t->leaf->pte[i].page)
            mem_page_ref(t->leaf->pte[i].page);
    *slot = t;
    table_put(as, s);
    return true;
}

static struct mem_pte *pte_in(void *slot, uint64_t va)
{
    return &leaf_of(slot)->pte[idx(va >> MEM_PAGE_SHIFT, LEVELS - 1)];
}

/* The pte of page va to read (it may be in a frozen table); NULL if its
 * table is absent. */
static const struct mem_pte *pte_look(const struct mem_space *as, uint64_t va)
{
    void **slot = leaf_slot((struct mem_space *)as, va, false);
    return slot && *slot ? pte_in(*slot, va) : NULL;
}

/* The pte of page va to change, its table made this space's own (and
 * made if absent, if create); NULL if absent or no memory. */
static struct mem_pte *pte_get(struct mem_space *as, uint64_t va, bool create)
{
    void **slot = leaf_slot(as, va, create);
    if (!slot)
        return NULL;
    if (!*slot) {
        if (!create || !(*slot = leaf_alloc(as)))
            return NULL;
    } else if (!leaf_own(as, slot)) {
        return NULL;
    }
    return pte_in(*slot, va);
}

/* pte_get without create, telling absent (*err 0) from no memory. */
static struct mem_pte *pte_mut(struct mem_space *as, uint64_t va, int *err)
{
    struct mem_pte *p = pte_get(as, va, false);
    *err = !p && pte_look(as, va) ? MEM_ENOMEM : 0;
    return p;
}

/* The last page covered by the leaf table of va: absent tables are skipped whole. */
static uint64_t last_page_of_leaf(uint64_t va)
{
    const unsigned shift = MEM_PAGE_SHIFT + LEVEL_BITS;
    return (((va >> shift) + 1) << shift) - MEM_PAGE_SIZE;
}

/* How many pages of [va, end) share va's leaf table. */
static uint64_t span_of(uint64_t va, uint64_t end)
{
    uint64_t stop = last_page_of_leaf(va) + MEM_PAGE_SIZE;
    return ((stop < end ? stop : end) - va) >> MEM_PAGE_SHIFT;
}

/* The ptes of [va, end) that share va's leaf table, to change: *n of them
 * from the one returned (NULL: that table is absent, or no memory). */
static struct mem_pte *pte_span(struct mem_space *as, uint64_t va, uint64_t end, bool create, uint64_t *n)
{
    *n = span_of(va, end);
    return pte_get(as, va, create);
}

/* The same to read. */
static const struct mem_pte *pte_span_look(const struct mem_space *as, uint64_t va, uint64_t end, uint64_t *n)
{
    *n = span_of(va, end);
    return pte_look(as, va);
}

static const struct mem_pte *pte_find(const struct mem_space *as, uint64_t va)
{
    const struct mem_pte *p = pte_look(as, va);
    return p && (p->flags & PTE_MAPPED) ? p : NULL;
}

static bool range_ok(uint64_t va, uint64_t len)
{
    return (va & ~MEM_PAGE_MASK) == 0 && (len & ~MEM_PAGE_MASK) == 0 &&
           va < (1ull << MEM_VA_BITS) && len <= (1ull << MEM_VA_BITS) - va;
}

static void lazy_done(struct mem_space *as, struct mem_pte *p);
static int load_paged(struct mem_space *as, struct mem_pte *p, uint64_t va);
static void pager_tidy(struct mem_space *as);

static void pte_clear(struct mem_space *as, struct mem_pte *p)
{
    if (p->flags & PTE_LAZY)
        lazy_done(as, p);
    if (p->flags & PTE_SWAPPED) {
        mem_swap_release(as->swap, p->slot);
        as->nswapped--;
    }
    if (as->backing && p->backing_va) {
        backing_release(as->backing, p->backing_va);
    } else if (!as->backing && p->page) {
        drop_page(as, p->page);
        as->resident--;
    }
    if (p->flags & PTE_CODE)
        atomic_fetch_add(&as->code_gen, 1);   /* gen is bumped by every caller */
    memset(p, 0, sizeof *p);
}

/* The public calls: lock, change, bump gen, stamp, unlock, settle. */
#define LOCKED(as) host_mutex_lock((as)->lock)
static void unlock_settle(struct mem_space *as)
{
    limbo_stamp(as);
    host_mutex_unlock(as->lock);
    settle(as);
}

/* A frozen table all of whose span goes is let go of whole rather than
 * copied first (lock held; the caller bumps gen). */
static void leaf_drop_whole(struct mem_space *as, uint64_t va, uint64_t n)
{
    void **slot = n == LEVEL_SIZE ? leaf_slot(as, va, false) : NULL;
    if (!slot || !*slot || !leaf_frozen(*slot))
        return;
    struct table *s = *slot;
    *slot = NULL;
    as->resident -= s->resident;
    if (s->code)
        atomic_fetch_add(&as->code_gen, 1);
    drop_leaf(as, s);
}

int mem_map(struct mem_space *as, uint64_t va, uint64_t len, int prot)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    int r = 0;
    uint64_t n;
    LOCKED(as);
    for (uint64_t a = va; a < va + len; a += n * MEM_PAGE_SIZE) {
        leaf_drop_whole(as, a, span_of(a, va + len));
        struct mem_pte *p = pte_span(as, a, va + len, true, &n);
        if (!p) {
            r = MEM_ENOMEM;
            break;
        }
        for (uint64_t i = 0; i < n; i++) {
            if (p[i].flags)
                pte_clear(as, &p[i]);
            p[i].prot = (uint8_t)prot;
            p[i].flags = PTE_MAPPED | as->dirty;
        }
    }
    atomic_fetch_add(&as->gen, 1);
    unlock_settle(as);
    return r;
}

int mem_unmap(struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    int r = 0;
    uint64_t n;
    LOCKED(as);
    for (uint64_t a = va; a < va + len && r == 0; a += n * MEM_PAGE_SIZE) {
        leaf_drop_whole(as, a, span_of(a, va + len));
        struct mem_pte *p = pte_span(as, a, va + len, false, &n);
        if (!p && pte_look(as, a))
            r = MEM_ENOMEM;     /* a frozen table could not be copied */
        for (uint64_t i = 0; p && i < n; i++)
            pte_clear(as, &p[i]);
    }
    pager_tidy(as);
    atomic_fetch_add(&as->gen, 1);
    unlock_settle(as);
    return r;
}

/* Is va's table frozen, with all n pages of its span mapped (and with
 * permissions prot, unless -1)? An answer in O(1) for a table lent. */
static bool frozen_whole(struct mem_space *as, uint64_t va, uint64_t n, int prot)
{
    void **slot = n == LEVEL_SIZE ? leaf_slot(as, va, false) : NULL;
    if (!slot || !*slot || !leaf_frozen(*slot))
        return false;
    const struct table *s = *slot;
    return s->mapped == LEVEL_SIZE && (prot < 0 || s->prot == prot);
}

static bool is_mapped_locked(struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return false;
    uint64_t n;
    for (uint64_t a = va; a < va + len; a += n * MEM_PAGE_SIZE) {
        const struct mem_pte *p = pte_span_look(as, a, va + len, &n);
        if (frozen_whole(as, a, n, -1))
            continue;
        for (uint64_t i = 0; i < n; i++)
            if (!p || !(p[i].flags & PTE_MAPPED))
                return false;
    }
    return true;
}

int mem_protect(struct mem_space *as, uint64_t va, uint64_t len, int prot)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    LOCKED(as);
    if (!is_mapped_locked(as, va, len)) {
        host_mutex_unlock(as->lock);
        return MEM_ENOMEM;
    }
    uint64_t n;
    int r = 0;
    for (uint64_t a = va; a < va + len && r == 0; a += n * MEM_PAGE_SIZE) {
        const struct mem_pte *q = pte_span_look(as, a, va + len, &n);
        uint64_t i = 0;
        if (frozen_whole(as, a, n, prot))
            continue;
        while (i < n && q[i].prot == prot)
            i++;
        if (i == n)
            continue;       /* nothing to change: a frozen table stays shared */
        struct mem_pte *p = pte_get(as, a, false);
        if (!p) {
            r = MEM_ENOMEM;
            break;
        }
        for (i = 0; i < n; i++)
            p[i].prot = (uint8_t)prot;
    }
    atomic_fetch_add(&as->gen, 1);
    unlock_settle(as);
    return r;
}

bool mem_is_free(const struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return false;
    bool r = true;
    LOCKED(as);
    for (uint64_t a = va; a < va + len && r; a += MEM_PAGE_SIZE) {
        if (!pte_look(as, a)) {
            a = last_page_of_leaf(a);
            continue;
        }
        if (pte_find(as, a))
            r = false;
    }
    host_mutex_unlock(as->lock);
    return r;
}

bool mem_is_mapped(const struct mem_space *as, uint64_t va, uint64_t len)
{
    LOCKED(as);
    bool r = is_mapped_locked((struct mem_space *)as, va, len);
    host_mutex_unlock(as->lock);
    return r;
}

int mem_prot_at(const struct mem_space *as, uint64_t va)
{
    LOCKED(as);
    const struct mem_pte *p = pte_find(as, va);
    int r = p ? p->prot : -1;
    host_mutex_unlock(as->lock);
    return r;
}

static void backing_release_locked(struct mem_space *b, uint64_t va);

/* A page slot in backing space b (its pte made mapped); 0 if none is left. */
static uint64_t backing_alloc(struct mem_space *b)
{
    LOCKED(b);
    uint64_t va;
    if (b->nslot_free)
        va = b->slot_free[--b->nslot_free];
    else if (b->slot_next < (1ull << MEM_VA_BITS) - MEM_BACKING_BASE)
        va = MEM_BACKING_BASE + (b->slot_next += MEM_PAGE_SIZE) - MEM_PAGE_SIZE;
    else
        va = 0;
    struct mem_pte *p = va ? pte_get(b, va, true) : NULL;
    if (p) {
        p->prot = MEM_R | MEM_W;
        p->flags = PTE_MAPPED;
    } else if (va) {
        backing_release_locked(b, va);
        va = 0;
    }
    limbo_stamp(b);
    host_mutex_unlock(b->lock);
    return va;
}

/* Drops the page at slot va of backing space b and recycles the slot. The
 * caller settles b (settle follows the backing chain). */
static void backing_release(struct mem_space *b, uint64_t va)
{
    LOCKED(b);
    backing_release_locked(b, va);
    limbo_stamp(b);
    host_mutex_unlock(b->lock);
}

static void backing_release_locked(struct mem_space *b, uint64_t va)
{
    int err;
    struct mem_pte *p = pte_mut(b, va, &err);
    if (p && (p->flags & PTE_MAPPED)) {
        pte_clear(b, p);
        atomic_fetch_add(&b->gen, 1);
    }
    if (err)
        return;     /* not cleared: the slot is lost, not reused */
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

/*
 * A page for as (lock held; zeroed or not): when the pool is full, cold
 * pages of other spaces of its swap go out first (direct reclaim), so
 * that a VM touching its memory back is not stopped for want of what a
 * sleeping one holds.
 */
#define RECLAIM_PAGES 64

static struct mem_page *page_for(struct mem_space *as, bool zeroed)
{
    struct mem_page *pg = zeroed ? mem_page_alloc(as->pool) : mem_page_alloc_raw(as->pool);
    for (int i = 0; !pg && as->swap && i < 4; i++) {
        if (!mem_swap_reclaim(as->swap, as, RECLAIM_PAGES))
            break;
        pg = zeroed ? mem_page_alloc(as->pool) : mem_page_alloc_raw(as->pool);
    }
    return pg;
}

/*
 * The page of va for access (lock held), allocating or copying for writes.
 * *changed: a page other running views may cache was taken away (a
 * copy-on-write break): the caller settles before using the result.
 */
static uint8_t *translate(struct mem_space *as, uint64_t va, int access, bool check, int *err, bool *changed)
{
    if (as->xlate) {
        /* Translated: the translator checks the access and gives the
         * address in the backing space, whose page it is. */
        uint64_t to;
        if ((*err = as->xlate(as->xlate_ctx, va, access, &to)) != 0)
            return NULL;
        struct mem_space *b = as->backing;
        LOCKED(b);
        uint8_t *r = translate(b, to & MEM_PAGE_MASK, access == MEM_X ? MEM_R : access, false, err, changed);
        limbo_stamp(b);
        host_mutex_unlock(b->lock);
        return r;
    }
    void **slot = leaf_slot(as, va, false);
    struct mem_pte *p = slot && *slot ? pte_in(*slot, va) : NULL;
    if (!p || !(p->flags & PTE_MAPPED) || (check && !(p->prot & access))) {
        *err = MEM_EFAULT;
        return NULL;
    }
    /* With several views, any access fills an absent page (mem.h). */
    bool fill = access == MEM_W || shared_views(as);
    if (leaf_frozen(*slot)) {
        /* Its pages are neither swapped nor merged: no accessed bit. */
        if (!fill || (p->page && access != MEM_W))
            return p->page ? p->page->data : (uint8_t *)mem_zero_page(as->pool);
        if (!leaf_own(as, slot)) {
            *err = MEM_ENOMEM;
            return NULL;
        }
        p = pte_in(*slot, va);
    }
    if ((p->flags & PTE_PAGED) && (*err = load_paged(as, p, va)) != 0)
        return NULL;
    p->flags |= PTE_ACCESSED;   /* a TLB fill, or the monitor's own access */
    if (as->backing) {
        /* Not unrolled: the page is the backing space's page at its slot,
         * found by walking every level's map in turn. */
        if (!p->backing_va) {
            if (!fill)
                return (uint8_t *)mem_zero_page(as->pool);
            if (!(p->backing_va = backing_alloc(as->backing))) {
                *err = MEM_ENOMEM;
                return NULL;
            }
            atomic_fetch_add(&as->gen, 1);
        }
        if (access == MEM_W && (p->flags & PTE_CODE)) {
            p->flags &= (uint8_t)~PTE_CODE;
            atomic_fetch_add(&as->code_gen, 1);
            atomic_fetch_add(&as->gen, 1);
        }
        struct mem_space *b = as->backing;
        LOCKED(b);
        uint8_t *r = translate(b, p->backing_va, access == MEM_X ? MEM_R : access, false, err, changed);
        limbo_stamp(b);
        host_mutex_unlock(b->lock);
        return r;
    }
    if (!fill)
        return p->page ? p->page->data : (uint8_t *)mem_zero_page(as->pool);
    if (access == MEM_W)
        p->flags |= as->dirty;   /* a write TLB entry is made only here */
    if (!p->page) {
        struct mem_page *pg = page_for(as, true);
        if (!pg) {
            *err = MEM_ENOMEM;
            return NULL;
        }
        p->page = pg;
        as->resident++;
        /* One view: its own zero-page entries go. Several: none exist. */
        if (!shared_views(as))
            atomic_fetch_add(&as->gen, 1);
        mem_pool_count(as->pool, MEM_COUNT_ZERO);
    } else if (access == MEM_W && !(p->flags & PTE_SHARED) && atomic_load(&p->page->ref) > 1) {
        struct mem_page *pg = page_for(as, false);
        if (!pg) {
            *err = MEM_ENOMEM;
            return NULL;
        }
        memcpy(pg->data, p->page->data, MEM_PAGE_SIZE);
        drop_page(as, p->page);     /* (the change's bump) */
        p->page = pg;
        mem_pool_count(as->pool, MEM_COUNT_COW);
        *changed = true;
    }
    if (access == MEM_W && (p->flags & PTE_CODE)) {
        /* Decoded blocks from this page are stale, and so are fetch TLB
         * entries: without them the next decode flags the page again. */
        p->flags &= (uint8_t)~PTE_CODE;
        atomic_fetch_add(&as->code_gen, 1);
        atomic_fetch_add(&as->gen, 1);
    }
    return p->page->data;
}

uint8_t *mem_translate(struct mem_space *as, uint64_t va, int access, int *err)
{
    struct mem_fill_gen g;
    return mem_translate_fill(as, va, access, err, &g);
}

uint8_t *mem_translate_fill(struct mem_space *as, uint64_t va, int access, int *err, struct mem_fill_gen *g)
{
    bool changed = false;
    /* A space that is not unrolled: its backing chain changes apart from
     * its lock, so only the generation read before is safe to give. */
    uint64_t before = as->backing ? mem_space_gen(as) : 0;
    LOCKED(as);
    uint64_t g0 = atomic_load(&as->gen), cg0 = atomic_load(&as->code_gen);
    uint8_t *r = translate(as, va, access, true, err, &changed);
    /* Under the lock nothing else changed the space: a bump is ours. */
    if (!as->backing && atomic_load(&as->gen) == g0 + 1 && atomic_load(&as->code_gen) == cg0)
        *g = (struct mem_fill_gen){ .prev = g0, .valid = g0 + 1 };
    else
        *g = (struct mem_fill_gen){ .prev = 0, .valid = as->backing ? before : g0 };
    limbo_stamp(as);
    host_mutex_unlock(as->lock);
    if (changed)
        settle(as);
    return r;
}

static int mark_code_locked(struct mem_space *as, uint64_t va)
{
    uint64_t to;
    int r = 0;
    if (as->xlate) {
        /* Translated: the page is the backing space's (whose writes,
         * through any space, then drop what was decoded from it). */
        if (as->xlate(as->xlate_ctx, va, MEM_X, &to) == 0) {
            LOCKED(as->backing);
            r = mark_code_locked(as->backing, to & MEM_PAGE_MASK);
            host_mutex_unlock(as->backing->lock);
        }
        return r;
    }
    const struct mem_pte *q = pte_look(as, va);
    if (!q)
        return 0;
    if (!(q->flags & PTE_CODE)) {   /* (in a frozen table, flagged before it was shared) */
        struct mem_pte *p = pte_mut(as, va, &r);
        if (!p)
            return r;
        p->flags |= PTE_CODE;
        atomic_fetch_add(&as->gen, 1);   /* drop write TLB entries of this page */
        q = p;
    }
    /* Not unrolled: the backing space's own writes to the slot (or its
     * unmapping) must invalidate what was decoded from it, too. */
    if (as->backing && q->backing_va) {
        LOCKED(as->backing);
        r = mark_code_locked(as->backing, q->backing_va);
        host_mutex_unlock(as->backing->lock);
    }
    return r;
}

int mem_mark_code(struct mem_space *as, uint64_t va)
{
    LOCKED(as);
    int r = mark_code_locked(as, va);
    host_mutex_unlock(as->lock);
    return r;
}

void mem_space_flush_code(struct mem_space *as)
{
    atomic_fetch_add(&as->code_gen, 1);
    atomic_fetch_add(&as->gen, 1);
    shootdown(as);
}

/* Copies under the lock, so no page can go while its bytes move. */
static int copy(struct mem_space *as, uint64_t va, void *buf, size_t len, int access, bool check)
{
    uint8_t *b = buf;
    int r = 0;
    LOCKED(as);
    while (len > 0) {
        int err = 0;
        bool changed = false;
        size_t off = (size_t)(va & (MEM_PAGE_SIZE - 1));
        size_t n = MEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        uint8_t *page = translate(as, va & MEM_PAGE_MASK, access, check, &err, &changed);
        if (changed) {
            /* Other harts let go of the old copy before this one is written. */
            unlock_settle(as);
            LOCKED(as);
            page = translate(as, va & MEM_PAGE_MASK, access, check, &err, &changed);
        }
        if (!page) {
            r = err;
            break;
        }
        if (access == MEM_W)
            memcpy(page + off, b, n);
        else
            memcpy(b, page + off, n);
        b += n;
        va += n;
        len -= n;
    }
    limbo_stamp(as);
    host_mutex_unlock(as->lock);
    return r;
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
    long r = -36;   /* ENAMETOOLONG: no terminator within size bytes */
    LOCKED(as);
    while (n < size) {
        int err = 0;
        bool changed = false;   /* reads take nothing away */
        size_t off = (size_t)(va & (MEM_PAGE_SIZE - 1));
        const uint8_t *page = translate(as, va & MEM_PAGE_MASK, MEM_R, true, &err, &changed);
        if (!page) {
            r = err;
            break;
        }
        size_t chunk = MEM_PAGE_SIZE - off;
        if (chunk > size - n)
            chunk = size - n;
        const uint8_t *z = memchr(page + off, 0, chunk);
        size_t take = z ? (size_t)(z - (page + off)) : chunk;
        memcpy(dst + n, page + off, take);
        n += take;
        if (z) {
            dst[n] = 0;
            r = (long)n;
            break;
        }
        va += chunk;
    }
    host_mutex_unlock(as->lock);
    return r;
}

int mem_discard(struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    int r = 0;
    LOCKED(as);
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE) {
        const struct mem_pte *q = pte_look(as, a);
        if (!q) {
            a = last_page_of_leaf(a);
            continue;
        }
        if (!(q->flags & PTE_MAPPED))
            continue;
        struct mem_pte *p = pte_mut(as, a, &r);
        if (!p)
            break;
        uint8_t prot = p->prot, shared = p->flags & PTE_SHARED;
        pte_clear(as, p);
        p->prot = prot;
        p->flags = PTE_MAPPED | shared | as->dirty;
    }
    atomic_fetch_add(&as->gen, 1);
    unlock_settle(as);
    return r;
}

int mem_set_shared(struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    if (as->backing)
        return 0;       /* such a space is never shared (mem_share refuses it) */
    bool changed = false;
    int r = 0;
    LOCKED(as);
    for (uint64_t a = va; a < va + len; a += MEM_PAGE_SIZE) {
        const struct mem_pte *q = pte_look(as, a);
        if (!q) {
            a = last_page_of_leaf(a);
            continue;
        }
        if (!(q->flags & PTE_MAPPED) || (q->flags & PTE_SHARED))
            continue;
        struct mem_pte *p = pte_mut(as, a, &r);
        if (!p)
            break;
        if (p->page && atomic_load(&p->page->ref) > 1) {
            /* Shared copy-on-write (a merged page): writes through this
             * mapping must not reach the other holders. */
            struct mem_page *pg = mem_page_alloc_raw(as->pool);
            if (!pg) {
                r = MEM_ENOMEM;
                break;
            }
            memcpy(pg->data, p->page->data, MEM_PAGE_SIZE);
            drop_page(as, p->page);
            p->page = pg;
            changed = true;
        }
        p->flags |= PTE_SHARED;
    }
    if (changed) {
        atomic_fetch_add(&as->gen, 1);
        unlock_settle(as);
        return r;
    }
    host_mutex_unlock(as->lock);
    return r;
}

int mem_move(struct mem_space *as, uint64_t from, uint64_t to, uint64_t len)
{
    if (!range_ok(from, len) || !range_ok(to, len) || (from < to + len && to < from + len))
        return MEM_EINVAL;
    LOCKED(as);
    /* Create every destination pte first, and make every table of both
     * ranges this space's own, so failure leaves nothing moved. */
    for (uint64_t off = 0; off < len; off += MEM_PAGE_SIZE) {
        int r;
        struct mem_pte *src = pte_mut(as, from + off, &r);
        if (r == 0 && src && (src->flags & PTE_PAGED))
            r = load_paged(as, src, from + off);    /* the pager knows pages by address */
        if (r != 0 || !pte_get(as, to + off, true)) {
            host_mutex_unlock(as->lock);
            return r ? r : MEM_ENOMEM;
        }
    }
    for (uint64_t off = 0; off < len; off += MEM_PAGE_SIZE) {
        struct mem_pte *src = pte_get(as, from + off, false);
        struct mem_pte *dst = pte_get(as, to + off, false);
        pte_clear(as, dst);
        if (src) {
            if (src->flags & PTE_CODE)
                atomic_fetch_add(&as->code_gen, 1);
            *dst = *src;
            dst->flags = (uint8_t)((dst->flags & ~PTE_CODE) | as->dirty);
            memset(src, 0, sizeof *src);
        }
    }
    atomic_fetch_add(&as->gen, 1);
    unlock_settle(as);
    return 0;
}

typedef int (*leaf_fn)(struct mem_space *as, void **slot, uint64_t vpn, void *ctx);
static int each_leaf(struct mem_space *as, struct mem_dir *d, int level, uint64_t vpn, leaf_fn fn, void *ctx);

/*
 * The leaf table of src at sva, lent whole (both locks held): a reference
 * more for the caller, or NULL if it may not be shared as it is (src
 * tracks dirty pages, or the table has a lazy or swapped page or absent
 * shared memory: what is src's own). It stays charged to its chunk's
 * space. (Dirty marks left from tracking before are stale: tracking
 * begins by marking every page anew.)
 */
static struct table *leaf_lend(struct mem_space *src, uint64_t sva)
{
    void **slot = leaf_slot(src, sva, false);
    if (!slot || !*slot || src->dirty)
        return NULL;
    struct table *s = *slot;
    if (atomic_load(&s->refs) > 1) {
        atomic_fetch_add(&s->refs, 1);      /* frozen: its counts hold */
        return s;
    }
    uint16_t resident = 0, mapped = 0;
    int prot = -2;
    bool code = false;
    for (unsigned i = 0; i < LEVEL_SIZE; i++) {
        const struct mem_pte *p = &s->leaf->pte[i];
        if ((p->flags & PTE_PAGED) || ((p->flags & PTE_SHARED) && !p->page))
            return NULL;
        if (!(p->flags & PTE_MAPPED))
            continue;
        resident += p->page != NULL;
        mapped++;
        prot = prot == -2 || prot == p->prot ? p->prot : -1;
        code |= (p->flags & PTE_CODE) != 0;
    }
    s->resident = resident;
    s->mapped = mapped;
    s->prot = (int8_t)(prot < 0 ? -1 : prot);
    s->code = code;
    atomic_fetch_add(&s->refs, 1);
    return s;
}

/*
 * Shares the leaf table of src at sva whole with dst at dva (both locks
 * held; n pages from there are to be shared, in one table on each side,
 * at the same place in both): true if done, false if it must go page by
 * page (dst has a table there, src's maps pages outside the n, or may
 * not be lent).
 */
static bool share_leaf(struct mem_space *dst, uint64_t dva, struct mem_space *src, uint64_t sva, uint64_t n)
{
    uint64_t first = (sva >> MEM_PAGE_SHIFT) & (LEVEL_SIZE - 1);
    if (dst->dirty || dst == src || first != ((dva >> MEM_PAGE_SHIFT) & (LEVEL_SIZE - 1)))
        return false;
    const struct mem_pte *sp = pte_look(src, sva);
    void **ds = leaf_slot(dst, dva, sp != NULL);
    if (ds && *ds)
        return false;
    if (!sp)
        return true;    /* nothing mapped on either side */
    const struct mem_pte *all = sp - first;
    for (uint64_t i = 0; i < LEVEL_SIZE && n < LEVEL_SIZE; i++)
        if ((i < first || i >= first + n) && (all[i].flags & PTE_MAPPED))
            return false;
    struct table *s = ds ? leaf_lend(src, sva) : NULL;
    if (!s)
        return false;
    *ds = s;
    dst->resident += s->resident;
    return true;
}

/* The page by page way, for n pages in one leaf table on each side. */
static int share_ptes(struct mem_space *dst, uint64_t dva, struct mem_space *src, uint64_t sva, uint64_t n)
{
    struct mem_pte *dp = pte_get(dst, dva, true);
    if (!dp)
        return MEM_ENOMEM;
    const struct mem_pte *sp = pte_look(src, sva);
    for (uint64_t i = 0; i < n; i++) {
        int r = 0;
        const struct mem_pte *s = sp && (sp[i].flags & PTE_MAPPED) ? &sp[i] : NULL;
        struct mem_pte *d = &dp[i];
        if (d->flags)
            pte_clear(dst, d);
        if (!s)
            continue;
        uint64_t va = sva + i * MEM_PAGE_SIZE;
        if ((s->flags & PTE_PAGED) || ((s->flags & PTE_SHARED) && !s->page)) {
            /* src's own to change first (never in a frozen table): load
             * it, or make the shared memory one page for both sides. */
            struct mem_pte *w = pte_mut(src, va, &r);
            if (w && (w->flags & PTE_PAGED))
                r = load_paged(src, w, va);
            if (w && r == 0 && (w->flags & PTE_SHARED) && !w->page) {
                if (!(w->page = mem_page_alloc(src->pool)))
                    r = MEM_ENOMEM;
                else
                    src->resident++;
            }
            if (r != 0)
                return r;
            sp = pte_look(src, sva);
            s = w;
        }
        d->prot = s->prot;
        d->flags = PTE_MAPPED | (s->flags & PTE_SHARED) | dst->dirty;
        if (s->page) {
            mem_page_ref(s->page);
            d->page = s->page;
            dst->resident++;
        }
    }
    return 0;
}

/* Locks both spaces of a share, always in address order; false (nothing
 * locked) if they may not share pages. */
static bool share_lock(struct mem_space *dst, struct mem_space *src)
{
    if (mem_pool_root(dst->pool) != mem_pool_root(src->pool) || dst->backing || src->backing)
        return false;
    struct mem_space *first = dst < src ? dst : src, *second = dst < src ? src : dst;
    LOCKED(first);
    if (second != first)
        LOCKED(second);
    return true;
}

/* Ends a share: both sides lose their write TLB entries (the pages are
 * shared now), and what they let go of is released once their views
 * have seen it. */
static void share_unlock(struct mem_space *dst, struct mem_space *src)
{
    struct mem_space *first = dst < src ? dst : src, *second = dst < src ? src : dst;
    atomic_fetch_add(&dst->gen, 1);
    atomic_fetch_add(&src->gen, 1);
    if (second != first) {
        limbo_stamp(second);
        host_mutex_unlock(second->lock);
    }
    limbo_stamp(first);
    host_mutex_unlock(first->lock);
    settle(dst);
    if (src != dst)
        settle(src);
}

int mem_share(struct mem_space *dst, uint64_t dva, struct mem_space *src, uint64_t sva, uint64_t len)
{
    if (!range_ok(dva, len) || !range_ok(sva, len) || (dst == src && dva < sva + len && sva < dva + len) ||
        !share_lock(dst, src))
        return MEM_EINVAL;
    int r = 0;
    /* Leaf table by leaf table: spans of both spaces as long as the
     * shorter; a table is lent whole where it can be. */
    for (uint64_t off = 0, n; off < len && r == 0; off += n * MEM_PAGE_SIZE) {
        uint64_t ns = span_of(sva + off, sva + len);
        n = span_of(dva + off, dva + len);
        if (ns < n)
            n = ns;
        if (!share_leaf(dst, dva + off, src, sva + off, n))
            r = share_ptes(dst, dva + off, src, sva + off, n);
    }
    share_unlock(dst, src);
    return r;
}

/* mem_share_all's step: the whole span of one of src's tables. */
static int share_table(struct mem_space *src, void **slot, uint64_t vpn, void *ctx)
{
    struct mem_space *dst = ctx;
    uint64_t va = vpn << MEM_PAGE_SHIFT;
    (void)slot;
    return share_leaf(dst, va, src, va, LEVEL_SIZE) ? 0 : share_ptes(dst, va, src, va, LEVEL_SIZE);
}

int mem_share_all(struct mem_space *dst, struct mem_space *src)
{
    if (dst == src || !share_lock(dst, src))
        return MEM_EINVAL;
    bool empty = true;
    for (unsigned i = 0; i < LEVEL_SIZE && empty; i++)
        empty = !dst->root.slot[i];
    int r = empty ? each_leaf(src, &src->root, 0, 0, share_table, dst) : MEM_EINVAL;
    share_unlock(dst, src);
    return r;
}

/* ---- the sharing scan (merge.c) ---------------------------------------- */

/* The first leaf table of t (a table at level, covering the pages from
 * base) holding pages at or after vpn, as its slot holds it (frozen or
 * not); *at: the page number of its first page. NULL if there is none. */
static void *leaf_from(void *t, int level, uint64_t base, uint64_t vpn, uint64_t *at)
{
    if (level == LEVELS - 1) {
        *at = base;
        return t;
    }
    struct mem_dir *d = t;
    unsigned shift = LEVEL_BITS * (LEVELS - 1 - level);    /* pages per slot: 1 << shift */
    for (uint64_t i = vpn > base ? (vpn - base) >> shift : 0; i < LEVEL_SIZE; i++) {
        if (!d->slot[i])
            continue;
        uint64_t b = base + (i << shift);
        void *l = leaf_from(d->slot[i], level + 1, b, vpn > b ? vpn : b, at);
        if (l)
            return l;
    }
    return NULL;
}

/* The pte of va if this space may change it without copying its table
 * (lock held), else NULL: what a scan or a clock found may since have
 * been lent with its table. */
static struct mem_pte *pte_own(struct mem_space *as, uint64_t va)
{
    void **slot = leaf_slot(as, va, false);
    return slot && *slot && !leaf_frozen(*slot) ? pte_in(*slot, va) : NULL;
}

/* A private page the scan may offer (lock held). */
static bool dedup_candidate(const struct mem_pte *p)
{
    return (p->flags & (PTE_MAPPED | PTE_SHARED | PTE_LAZY)) == PTE_MAPPED && p->page &&
           atomic_load(&p->page->ref) == 1;
}

/* Releases what a change left in limbo, if no view is running (a view
 * that is not running synchronises before it uses its TLB again); else
 * it waits for a later change's settle. */
static void settle_if_idle(struct mem_space *as)
{
    if (others_active(as))
        return;
    host_mutex_lock(as->lock);
    limbo_release(as, atomic_load(&as->gen));
    host_mutex_unlock(as->lock);
}

/* The end of a scan's or a clock's step (lock held) that took pages away
 * if changed: the views are told, and what they may cache is released
 * once they have synchronised (waiting for them if wait). */
static void step_end(struct mem_space *as, bool changed, bool wait)
{
    if (changed)
        atomic_fetch_add(&as->gen, 1);
    limbo_stamp(as);
    host_mutex_unlock(as->lock);
    if (wait)
        settle(as);
    else
        settle_if_idle(as);
}

/* Copies a page that may be written meanwhile (word by word, as the
 * harts' own relaxed atomic accesses: a torn copy is only a wrong hint). */
static void copy_racy(uint64_t *dst, const struct mem_page *pg)
{
    for (unsigned k = 0; k < MEM_PAGE_SIZE / 8; k++)
        dst[k] = atomic_load_explicit((_Atomic uint64_t *)(void *)(pg->data + 8 * k), memory_order_relaxed);
}

void mem_space_dedup(struct mem_space *as, unsigned max, bool wait, const struct mem_dedup_ops *ops, void *ctx,
                     struct mem_dedup_result *r)
{
    struct cand { uint64_t va; struct mem_page *pg, *to; int what; } c[MEM_DEDUP_BATCH];
    unsigned n = 0;
    *r = (struct mem_dedup_result){ 0 };
    if (as->backing) {      /* its pages are its backing space's */
        r->done = true;
        return;
    }
    if (max > MEM_DEDUP_BATCH)
        max = MEM_DEDUP_BATCH;
    /* 1. The private pages of the next part of the space. */
    LOCKED(as);
    uint64_t vpn = as->scan_next >> MEM_PAGE_SHIFT, at = 0;
    void *l = NULL;
    while (r->looked < max && (l = leaf_from(&as->root, 0, 0, vpn, &at))) {
        uint64_t i = vpn > at ? vpn - at : 0;
        bool frozen = leaf_frozen(l);   /* its pages are shared */
        for (; i < LEVEL_SIZE && r->looked < max; i++) {
            struct mem_pte *p = &leaf_of(l)->pte[i];
            if (!(p->flags & PTE_MAPPED))
                continue;
            r->looked++;
            if (!frozen && dedup_candidate(p))
                c[n++] = (struct cand){ (at + i) << MEM_PAGE_SHIFT, p->page, NULL, MEM_DEDUP_KEEP };
        }
        vpn = at + i;
    }
    uint64_t next = l ? vpn << MEM_PAGE_SHIFT : 0;
    host_mutex_unlock(as->lock);
    /* 2. Which of them might merge, from a copy taken while they may be
     * written: most pages are like no other, and are left alone without
     * ever being write-protected (which costs the harts their TLBs). A
     * page is never freed (only reused) while a scan is in
     * (mem_pool_scan_enter): reading a stale one gives a wrong hint, no
     * more. */
    unsigned m = 0;
    uint64_t buf[MEM_PAGE_SIZE / 8];
    for (unsigned k = 0; k < n; k++) {
        copy_racy(buf, c[k].pg);
        if (ops->probe(ctx, c[k].pg, (const uint8_t *)buf))
            c[m++] = c[k];
    }
    n = m;
    /* 3. Write-protect those: a reference more (a write copies the page)
     * and the views' write entries dropped. */
    bool sync = false;
    if (n) {
        LOCKED(as);
        m = 0;
        for (unsigned k = 0; k < n; k++) {
            struct mem_pte *p = pte_own(as, c[k].va);
            if (p && p->page == c[k].pg && dedup_candidate(p)) {
                mem_page_ref(p->page);
                c[m++] = c[k];
            }
        }
        n = m;
        if (n)
            atomic_fetch_add(&as->gen, 1);
        host_mutex_unlock(as->lock);
        sync = n && others_active(as);
    }
    if (sync && wait) {
        settle(as);
    } else if (sync) {
        /* A view runs and may not have seen the change yet: it may still
         * write. Not worth waiting for unless asked (its VM is between
         * runs soon): this part is scanned again next time. */
        for (unsigned k = 0; k < n; k++)
            mem_page_unref(as->pool, c[k].pg);
        r->busy = true;
        return;
    }
    as->scan_next = next;   /* (only the scan, under its own lock, uses it) */
    r->done = next == 0;
    if (!n)
        return;
    /* 4. Decide on the bytes that now hold still, and apply. */
    for (unsigned k = 0; k < n; k++)
        c[k].what = ops->decide(ctx, c[k].pg, &c[k].to);
    bool changed = false;
    LOCKED(as);
    bool zero_ok = !shared_views(as);   /* else an absent page would be refilled */
    for (unsigned k = 0; k < n; k++) {
        struct mem_pte *p = pte_own(as, c[k].va);
        bool same = p && p->page == c[k].pg && (p->flags & (PTE_MAPPED | PTE_SHARED | PTE_LAZY)) == PTE_MAPPED;
        if (same && c[k].what == MEM_DEDUP_MERGE) {
            p->page = c[k].to;
            drop_page(as, c[k].pg);
            r->merged++;
            changed = true;
        } else if (same && c[k].what == MEM_DEDUP_ZERO && zero_ok) {
            p->page = NULL;
            as->resident--;
            drop_page(as, c[k].pg);
            r->zeroed++;
            changed = true;
        } else if (c[k].what == MEM_DEDUP_MERGE) {
            mem_page_unref(as->pool, c[k].to);     /* written meanwhile */
        }
        mem_page_unref(as->pool, c[k].pg);
    }
    step_end(as, changed, wait);
}

/* ---- walking a space (snapshots) -------------------------------------- */

/* Calls fn for the slot of each leaf table under d (a table at level,
 * covering the pages from vpn << LEVEL_BITS * (LEVELS - 2 - level)) in
 * address order, with the page number of the table's first page; stops
 * at the first non-zero result and returns it. */
static int each_leaf(struct mem_space *as, struct mem_dir *d, int level, uint64_t vpn, leaf_fn fn, void *ctx)
{
    for (unsigned i = 0; i < LEVEL_SIZE; i++) {
        if (!d->slot[i])
            continue;
        uint64_t v = (vpn | i) << LEVEL_BITS;
        int r = level == LEVELS - 2 ? fn(as, &d->slot[i], v, ctx) : each_leaf(as, d->slot[i], level + 1, v, fn, ctx);
        if (r != 0)
            return r;
    }
    return 0;
}

#define WALK_LOAD 1     /* lazy and swapped pages are loaded first (their
                           bytes are wanted), else passed as absent */
#define WALK_OWN  2     /* each table is made the space's own first: fn
                           changes ptes (pte_own) */
struct walk {
    int how;
    mem_walk_fn fn;
    void *ctx;
};

static int walk_leaf(struct mem_space *as, void **slot, uint64_t vpn, void *ctx)
{
    struct walk *w = ctx;
    if ((w->how & WALK_OWN) && !leaf_own(as, slot))
        return MEM_ENOMEM;
    struct mem_leaf *leaf = leaf_of(*slot);
    for (unsigned i = 0; i < LEVEL_SIZE; i++) {
        struct mem_pte *p = &leaf->pte[i];
        uint64_t va = (vpn | i) << MEM_PAGE_SHIFT;
        if (!(p->flags & PTE_MAPPED))
            continue;
        /* (never in a frozen table: what it changes is the space's own) */
        int r = (w->how & WALK_LOAD) && (p->flags & PTE_PAGED) ? load_paged(as, p, va) : 0;
        if (r == 0)
            r = w->fn(w->ctx, va, p->prot, (p->flags & PTE_SHARED) != 0, p->page ? p->page->data : NULL);
        if (r != 0)
            return r;
    }
    return 0;
}

/* Calls fn for each mapped page (lock held). */
static int walk(struct mem_space *as, int how, mem_walk_fn fn, void *ctx)
{
    struct walk w = { how, fn, ctx };
    return each_leaf(as, &as->root, 0, 0, walk_leaf, &w);
}

int mem_space_walk(struct mem_space *as, mem_walk_fn fn, void *ctx)
{
    if (as->backing)
        return MEM_EINVAL;   /* its pages live in another space */
    LOCKED(as);
    int r = walk(as, WALK_LOAD, fn, ctx);
    host_mutex_unlock(as->lock);
    return r;
}

/* ---- dirty tracking (migration) --------------------------------------- */

/* While a space tracks, none of its tables is frozen: tracking begins by
 * making each its own, and a tracking space lends none and takes none
 * whole (leaf_lend, share_leaf). */
static int mark_all(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    (void)prot, (void)shared, (void)data;
    pte_own(ctx, va)->flags |= PTE_DIRTY;
    return 0;
}

int mem_space_track(struct mem_space *as, bool on)
{
    if (as->backing)
        return MEM_EINVAL;
    LOCKED(as);
    as->dirty = on ? PTE_DIRTY : 0;
    int r = on ? walk(as, WALK_OWN, mark_all, as) : 0;
    if (r != 0)
        as->dirty = 0;      /* a frozen table could not be copied */
    atomic_fetch_add(&as->gen, 1);   /* write TLB entries go: writes are seen */
    unlock_settle(as);
    return r;
}

struct dirty_walk {
    struct mem_space *as;
    mem_walk_fn fn;
    void *ctx;
};

static int take_dirty(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    struct dirty_walk *d = ctx;
    struct mem_pte *p = pte_own(d->as, va);
    if (!p || !(p->flags & PTE_DIRTY))
        return 0;
    p->flags &= (uint8_t)~PTE_DIRTY;
    return d->fn(d->ctx, va, prot, shared, data);
}

int mem_space_dirty(struct mem_space *as, mem_walk_fn fn, void *ctx)
{
    if (as->backing)
        return MEM_EINVAL;
    struct dirty_walk d = { as, fn, ctx };
    LOCKED(as);
    int r = walk(as, WALK_LOAD, take_dirty, &d);
    atomic_fetch_add(&as->gen, 1);   /* the next write to each is seen again */
    unlock_settle(as);
    return r;
}

int mem_peek_page(struct mem_space *as, uint64_t va, uint8_t *dst)
{
    LOCKED(as);
    struct mem_pte *p = as->backing ? NULL : (struct mem_pte *)pte_find(as, va & MEM_PAGE_MASK);
    int r = p && (p->flags & PTE_PAGED) ? load_paged(as, p, va & MEM_PAGE_MASK) : 0;
    if (r != 0) {
        host_mutex_unlock(as->lock);
        return r;
    }
    if (p && p->page)
        memcpy(dst, p->page->data, MEM_PAGE_SIZE);
    else if (p)
        memset(dst, 0, MEM_PAGE_SIZE);
    host_mutex_unlock(as->lock);
    return p ? 0 : MEM_EFAULT;
}

/* Pages shared copy-on-write: those of a frozen table, and those that
 * have more than one reference (shared memory does not count). */
static int count_shared(struct mem_space *as, void **slot, uint64_t vpn, void *ctx)
{
    const struct mem_leaf *l = leaf_of(*slot);
    bool frozen = leaf_frozen(*slot);
    uint64_t *n = ctx;
    (void)as, (void)vpn;
    for (unsigned i = 0; i < LEVEL_SIZE; i++) {
        const struct mem_pte *p = &l->pte[i];
        *n += (p->flags & (PTE_MAPPED | PTE_SHARED)) == PTE_MAPPED && p->page &&
              (frozen || atomic_load(&p->page->ref) > 1);
    }
    return 0;
}

uint64_t mem_space_shared(struct mem_space *as)
{
    uint64_t n = 0;
    if (!as->backing) {
        LOCKED(as);
        each_leaf(as, &as->root, 0, 0, count_shared, &n);
        host_mutex_unlock(as->lock);
    }
    return n;
}

/* ---- lazy pages (a restore that loads memory on first touch) ---------- */

int mem_space_set_pager(struct mem_space *as, struct mem_pager *pager)
{
    if (!pager || as->backing)
        return MEM_EINVAL;
    LOCKED(as);
    int r = as->pager ? MEM_EINVAL : 0;
    if (r == 0)
        as->pager = pager;
    host_mutex_unlock(as->lock);
    return r;
}

int mem_set_lazy(struct mem_space *as, uint64_t va, uint64_t len)
{
    if (!range_ok(va, len))
        return MEM_EINVAL;
    uint64_t n;
    LOCKED(as);
    int r = as->pager ? 0 : MEM_EINVAL;
    for (uint64_t a = va; a < va + len && r == 0; a += n * MEM_PAGE_SIZE) {
        struct mem_pte *p = pte_span(as, a, va + len, false, &n);
        for (uint64_t i = 0; p && i < n; i++) {
            if ((p[i].flags & (PTE_MAPPED | PTE_PAGED)) == PTE_MAPPED && !p[i].page) {
                p[i].flags |= PTE_LAZY;
                as->nlazy++;
            }
        }
    }
    host_mutex_unlock(as->lock);
    return r;
}

uint64_t mem_space_lazy(const struct mem_space *as)
{
    LOCKED(as);
    uint64_t n = as->nlazy;
    host_mutex_unlock(as->lock);
    return n;
}

const char *mem_space_lost(const struct mem_space *as)
{
    LOCKED(as);
    const char *r = as->lost;   /* set once, freed with the space */
    host_mutex_unlock(as->lock);
    return r;
}

static void lazy_done(struct mem_space *as, struct mem_pte *p)
{
    p->flags &= (uint8_t)~PTE_LAZY;
    as->nlazy--;
}

/* The pager goes once nothing is left for it to give (lock held). */
static void pager_tidy(struct mem_space *as)
{
    if (as->pager && as->nlazy == 0) {
        as->pager->release(as->pager);
        as->pager = NULL;
    }
}

int mem_pager_put(struct mem_space *as, uint64_t va, const uint8_t *data)
{
    static const uint8_t zero[MEM_PAGE_SIZE];
    struct mem_pte *p = pte_get(as, va & MEM_PAGE_MASK, false);
    if (!p || !(p->flags & PTE_LAZY))
        return 0;   /* not (or no longer) the pager's: written, unmapped, given */
    if (data && memcmp(data, zero, MEM_PAGE_SIZE) != 0) {
        struct mem_page *pg = mem_page_alloc_raw(as->pool);
        if (!pg)
            return MEM_ENOMEM;
        memcpy(pg->data, data, MEM_PAGE_SIZE);
        p->page = pg;
        as->resident++;
    }
    lazy_done(as, p);   /* nobody saw it absent: no view to tell */
    return 0;
}

/*
 * Loads the lazy page p at va (lock held) with the pager, which fills
 * whatever else it loads on the way: 0, MEM_ENOMEM (the page stays lazy:
 * a later access tries again), or MEM_EIO once the pager failed (as->lost
 * says why; every later load fails too: the VM's memory is not whole).
 */
static int load_lazy(struct mem_space *as, struct mem_pte *p, uint64_t va)
{
    if (as->lost)
        return MEM_EIO;
    char why[256] = "";
    int r = as->pager->fill(as->pager, as, va, why, sizeof why);
    if (r == 0 && (p->flags & PTE_LAZY))
        lazy_done(as, p);   /* the pager has no bytes for it: it reads as zero */
    if (r != 0 && r != MEM_ENOMEM) {
        as->lost = strdup(why[0] ? why : "a page of the snapshot could not be loaded");
        r = MEM_EIO;
    }
    pager_tidy(as);
    return r;
}

/* ---- swap (swap.c) ------------------------------------------------------ */

/*
 * Reads swapped page p at va back (lock held): 0, MEM_ENOMEM (it stays
 * swapped: a later access tries again), or MEM_EIO when its bytes did not
 * come back as they went (as->lost says which; every later load fails).
 * Nobody cached it while it was out: no view to tell.
 */
static int swap_in(struct mem_space *as, struct mem_pte *p, uint64_t va)
{
    if (as->lost)
        return MEM_EIO;
    struct mem_page *pg = page_for(as, false);
    if (!pg)
        return MEM_ENOMEM;
    char why[200];
    if (mem_swap_get(as->swap, p->slot, pg->data, why, sizeof why) != 0) {
        mem_page_unref(as->pool, pg);
        char msg[300];
        snprintf(msg, sizeof msg, "the page at 0x%llx: %s", (unsigned long long)va, why);
        as->lost = strdup(msg);
        as->lost_swap = true;
        return MEM_EIO;
    }
    mem_swap_release(as->swap, p->slot);
    p->slot = 0;
    p->flags &= (uint8_t)~PTE_SWAPPED;
    p->page = pg;
    as->resident++;
    as->nswapped--;
    return 0;
}

static int load_paged(struct mem_space *as, struct mem_pte *p, uint64_t va)
{
    return p->flags & PTE_SWAPPED ? swap_in(as, p, va) : load_lazy(as, p, va);
}

uint64_t mem_space_swapped(const struct mem_space *as)
{
    LOCKED(as);
    uint64_t n = as->nswapped;
    host_mutex_unlock(as->lock);
    return n;
}

long mem_space_make_room(struct mem_space *as, uint64_t pages)
{
    return as->swap ? mem_pool_swap_out(mem_swap_pool(as->swap), pages, true) : MEM_EINVAL;
}

bool mem_space_lost_in_swap(const struct mem_space *as)
{
    LOCKED(as);
    bool r = as->lost && as->lost_swap;
    host_mutex_unlock(as->lock);
    return r;
}

/* A page the clock may write out (lock held): private and present. */
static bool swap_candidate(const struct mem_pte *p)
{
    return (p->flags & (PTE_MAPPED | PTE_SHARED | PTE_PAGED | PTE_CODE)) == PTE_MAPPED && p->page &&
           atomic_load(&p->page->ref) == 1;
}

void mem_space_swap_out(struct mem_space *as, struct mem_swap *s, unsigned max, unsigned want, int how,
                        struct mem_swap_out *r)
{
    bool wait = how & MEM_SWAP_WAIT, try = how & MEM_SWAP_TRY;
    struct cand { uint64_t va; struct mem_page *pg; uint32_t slot; } c[256];
    unsigned n = 0;
    *r = (struct mem_swap_out){ 0 };
    if (as->backing || as->swap != s) {     /* its pages are elsewhere */
        r->wrapped = true;
        return;
    }
    if (want > sizeof c / sizeof c[0])
        want = sizeof c / sizeof c[0];
    /* 1. The hand goes round: touched pages lose their bit, untouched
     * ones are taken (a reference more: a write now copies the page). */
    bool cleared = false;
    if (try ? !host_mutex_trylock(as->lock) : (LOCKED(as), false)) {
        r->busy = true;
        return;
    }
    if (try && others_active(as)) {     /* its harts run: not now */
        host_mutex_unlock(as->lock);
        r->busy = true;
        return;
    }
    uint64_t vpn = as->swap_next >> MEM_PAGE_SHIFT, at = 0;
    void *l = NULL;
    while (r->looked < max && n < want && (l = leaf_from(&as->root, 0, 0, vpn, &at))) {
        uint64_t i = vpn > at ? vpn - at : 0;
        bool frozen = leaf_frozen(l);   /* its pages are shared */
        for (; i < LEVEL_SIZE && r->looked < max && n < want; i++) {
            struct mem_pte *p = &leaf_of(l)->pte[i];
            if (!(p->flags & PTE_MAPPED))
                continue;
            r->looked++;
            if (frozen || !swap_candidate(p))
                continue;
            if (p->flags & PTE_ACCESSED) {
                p->flags &= (uint8_t)~PTE_ACCESSED;
                cleared = true;
            } else {
                mem_page_ref(p->page);
                c[n++] = (struct cand){ (at + i) << MEM_PAGE_SHIFT, p->page, 0 };
            }
        }
        vpn = at + i;
    }
    as->swap_next = l ? vpn << MEM_PAGE_SHIFT : 0;
    r->wrapped = !l;
    if (cleared || n)
        atomic_fetch_add(&as->gen, 1);   /* TLBs refill: a touch sets the bit */
    host_mutex_unlock(as->lock);
    /* 2. Their bytes hold still once no view can write them. */
    if (n && others_active(as)) {
        if (wait) {
            settle(as);
        } else {
            for (unsigned k = 0; k < n; k++)
                mem_page_unref(as->pool, c[k].pg);
            r->busy = true;
            return;
        }
    }
    /* 3. Out to the file, without the lock. */
    for (unsigned k = 0; k < n; k++)
        c[k].slot = mem_swap_put(s, c[k].pg->data);
    /* 4. The pages that were not written meanwhile go. */
    bool locked = try ? host_mutex_trylock(as->lock) : (LOCKED(as), true);
    bool changed = false;
    for (unsigned k = 0; k < n && !locked; k++) {   /* taken: give up */
        if (c[k].slot)
            mem_swap_release(s, c[k].slot);
        mem_page_unref(as->pool, c[k].pg);
    }
    if (!locked) {
        r->busy = true;
        return;
    }
    for (unsigned k = 0; k < n; k++) {
        struct mem_pte *p = pte_own(as, c[k].va);
        bool same = p && p->page == c[k].pg && atomic_load(&p->page->ref) == 2 &&
                    (p->flags & (PTE_MAPPED | PTE_SHARED | PTE_PAGED | PTE_CODE | PTE_ACCESSED)) == PTE_MAPPED;
        if (same && c[k].slot) {
            p->page = NULL;
            p->slot = c[k].slot;
            p->flags |= PTE_SWAPPED;
            as->resident--;
            as->nswapped++;
            drop_page(as, c[k].pg);
            r->out++;
            changed = true;
        } else if (c[k].slot) {
            mem_swap_release(s, c[k].slot);     /* touched, unmapped or shared meanwhile */
        }
        mem_page_unref(as->pool, c[k].pg);
    }
    if (try) {      /* never waits: a later change's settle releases what is in limbo */
        if (changed)
            atomic_fetch_add(&as->gen, 1);
        limbo_stamp(as);
        host_mutex_unlock(as->lock);
        return;
    }
    step_end(as, changed, wait);
}
