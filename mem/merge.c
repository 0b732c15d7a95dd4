/*
 * merge.c — content-based page sharing: a sharing domain's scan finds
 * pages of equal bytes in its spaces and keeps one copy, shared
 * copy-on-write (as Linux's KSM and VMware ESX's page sharing do).
 *
 * A domain is a pool (mem_pool_share): the spaces of every pool below it
 * join its scan. Each scan step (mem_pool_scan) takes the next part of
 * the next space (mem_space_dedup) and looks at its private pages twice:
 *   - probe, on a copy taken while the page may be written: a page of
 *     zeros, a page equal to one the domain keeps (the stable table), or
 *     a page whose hash another page had this pass (the unstable table)
 *     goes on; any other is remembered in the unstable table and left
 *     alone, never write-protected;
 *   - decide, once the page is write-protected (its bytes hold still): a
 *     page of zeros is dropped (it reads as zero again); a page equal,
 *     byte for byte, to a stable one is replaced by it and its own host
 *     page freed; a page matching only an unstable hash becomes stable
 *     itself (the table takes a reference, so it is copy-on-write too),
 *     and the other page merges into it when the scan comes to it.
 * Hashes (xxHash's XXH3) only pick candidates: only equal bytes merge,
 * compared while neither side can be written. Stable pages are charged
 * to the domain (mem_page_adopt): they may outlive the VM that made
 * them. A pass ends when every space was scanned to its end: the
 * unstable table is forgotten, stable pages no space maps any more are
 * freed, and free pages go back to the host (mem_pool_trim), whole
 * chunks of them with their descriptors (mem_pool_retire).
 *
 * Concurrency: one scan at a time (scan_lock, held through a step); the
 * list of spaces has its own lock, never held while calling a space. A
 * space being freed leaves the list, waiting first for the scan to be
 * done with it if it is the one being scanned (busy): the pool it lives
 * in may go right after.
 */
#include "mem/mem.h"
#include "mem/mem_int.h"

#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "host/thread.h"

#ifndef MVM_HAVE_XXHASH
#define MVM_HAVE_XXHASH 0
#endif
#if MVM_HAVE_XXHASH
#define XXH_INLINE_ALL
#include <xxhash.h>
#endif

#define TRIM_BATCH 4096  /* free pages given back to the host at once (16 MiB) */
#define PATIENCE 8      /* busy visits before a step waits for the space's harts */

struct entry {
    uint64_t hash;
    struct mem_page *pg;    /* NULL: a free slot */
};

/* Open addressing, linear probing; several entries may share a hash. */
struct table {
    struct entry *e;
    size_t cap, n;          /* cap a power of two, n < cap / 2 */
};

/* A space the scan walks (an entry of spaces, below). */
struct member {
    struct mem_space *as;
    uint64_t done;              /* the last pass it was scanned to its end in */
    unsigned busy;              /* steps in a row it was running */
};

struct mem_merge {
    struct mem_pool *pool;          /* the domain */
    unsigned hash_bits;             /* 64; fewer only in tests (collisions) */
    struct host_mutex *scan_lock;
    struct table stable;            /* pages the domain keeps (a reference each) */
    struct table unstable;          /* hashes seen this pass (no reference) */
    uint64_t pass;                  /* the pass under way (from 1) */
    struct mem_merge_stats st;
    struct mem_members spaces;      /* struct member each; its lock guards what follows */
    struct mem_space *busy;         /* the space the scan is in */
    unsigned waiting;               /* for busy to go NULL (on spaces.cv) */
    size_t cur;                     /* the next to visit */
    uint64_t heap_trimmed_ns;       /* when pass_end last trimmed the heap */
};

static uint64_t hash_page(const struct mem_merge *m, const uint8_t *data)
{
    uint64_t h = 0;
#if MVM_HAVE_XXHASH
    h = XXH3_64bits(data, MEM_PAGE_SIZE);
#else
    (void)data;
#endif
    return m->hash_bits >= 64 ? h : h & ((1ull << m->hash_bits) - 1);
}

static bool is_zero(const uint8_t *data)
{
    static const uint64_t zero[MEM_PAGE_SIZE / 8];
    return memcmp(data, zero, MEM_PAGE_SIZE) == 0;
}

/* ---- tables ----------------------------------------------------------- */

static size_t slot_of(const struct table *t, uint64_t hash)
{
    /* The low bits may be all a test build keeps: mix them over the table. */
    return (size_t)((hash * 0x9e3779b97f4a7c15ull) >> 17) & (t->cap - 1);
}

/* A table's entries are a mapping of their own (zero when made): the
 * tables of a domain's busiest pass are megabytes, and memory the heap
 * got back from them would stay the process's. */
static void table_free(struct table *t)
{
    host_page_free(t->e, t->cap * sizeof *t->e);
    *t = (struct table){ 0 };
}

static bool table_add(struct table *t, uint64_t hash, struct mem_page *pg)
{
    if (2 * (t->n + 1) >= t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        struct entry *e = host_page_alloc(cap * sizeof *e);
        if (!e)
            return false;
        struct table nt = { e, cap, 0 };
        for (size_t i = 0; i < t->cap; i++)
            if (t->e[i].pg)
                table_add(&nt, t->e[i].hash, t->e[i].pg);
        table_free(t);
        *t = nt;
    }
    size_t i = slot_of(t, hash);
    while (t->e[i].pg)
        i = (i + 1) & (t->cap - 1);
    t->e[i] = (struct entry){ hash, pg };
    t->n++;
    return true;
}

/* Empties t; one much bigger than what it held goes (the next pass
 * grows it again as far as it needs). */
static void table_clear(struct table *t)
{
    if (t->cap > 1024 && 8 * t->n < t->cap)
        table_free(t);
    else if (t->e)
        memset(t->e, 0, t->cap * sizeof *t->e);
    t->n = 0;
}

/* ---- joining ---------------------------------------------------------- */

int mem_pool_share(struct mem_pool *pool, unsigned hash_bits)
{
    if (!MVM_HAVE_XXHASH)
        return MEM_ENOSYS;
    if (mem_pool_merge_state(pool) || hash_bits == 0)
        return MEM_EINVAL;
    struct mem_merge *m = calloc(1, sizeof *m);
    if (!m)
        return MEM_ENOMEM;
    m->pool = pool;
    m->hash_bits = hash_bits;
    m->pass = 1;
    m->scan_lock = host_mutex_new();
    if (!m->scan_lock || mem_members_init(&m->spaces, sizeof(struct member)) != 0) {
        host_mutex_free(m->scan_lock);
        mem_members_fini(&m->spaces);
        free(m);
        return MEM_ENOMEM;
    }
    mem_pool_set_merge_state(pool, m);
    return 0;
}

struct mem_merge *mem_merge_join(struct mem_space *as)
{
    struct mem_merge *m = mem_pool_nearest(mem_space_pool(as), mem_pool_merge_state);
    return m && mem_members_add(&m->spaces, as) ? m : NULL;    /* no room: not scanned */
}

/* Off the list first, so that the scan cannot take as again, then until
 * the scan is not in it. */
void mem_merge_leave(struct mem_merge *m, struct mem_space *as)
{
    host_mutex_lock(m->spaces.lock);
    mem_members_remove(&m->spaces, as);
    m->waiting++;
    while (m->busy == as)
        host_cond_wait(m->spaces.cv, m->spaces.lock);
    m->waiting--;
    host_mutex_unlock(m->spaces.lock);
}

void mem_merge_free(struct mem_merge *m)
{
    for (size_t i = 0; i < m->stable.cap; i++)
        if (m->stable.e[i].pg)
            mem_page_unref(m->pool, m->stable.e[i].pg);
    table_free(&m->stable);
    table_free(&m->unstable);
    mem_members_fini(&m->spaces);
    host_mutex_free(m->scan_lock);
    free(m);
}

/* ---- the scan --------------------------------------------------------- */

/* The stable page other than pg whose bytes are data's (hash h), or NULL. */
static struct mem_page *stable_find(const struct mem_merge *m, uint64_t h, const struct mem_page *pg,
                                    const uint8_t *data)
{
    const struct table *t = &m->stable;
    for (size_t i = t->cap ? slot_of(t, h) : 0; t->cap && t->e[i].pg; i = (i + 1) & (t->cap - 1))
        if (t->e[i].hash == h && t->e[i].pg != pg && memcmp(t->e[i].pg->data, data, MEM_PAGE_SIZE) == 0)
            return t->e[i].pg;
    return NULL;
}

static bool unstable_has(const struct mem_merge *m, uint64_t h, const struct mem_page *pg)
{
    const struct table *t = &m->unstable;
    for (size_t i = t->cap ? slot_of(t, h) : 0; t->cap && t->e[i].pg; i = (i + 1) & (t->cap - 1))
        if (t->e[i].hash == h && t->e[i].pg != pg)
            return true;
    return false;
}

/* Might page pg, of which copy is a copy, merge (scan_lock held)? A page
 * like no other is remembered (unstable) and left alone. */
static bool probe(void *ctx, const struct mem_page *pg, const uint8_t *copy)
{
    struct mem_merge *m = ctx;
    m->st.scanned++;
    if (is_zero(copy))
        return true;
    uint64_t h = hash_page(m, copy);
    if (stable_find(m, h, pg, copy) || unstable_has(m, h, pg))
        return true;
    table_add(&m->unstable, h, (struct mem_page *)pg);   /* without room: no candidate, no harm */
    return false;
}

/* What becomes of page pg, whose bytes hold still now (scan_lock held). */
static int decide(void *ctx, struct mem_page *pg, struct mem_page **to)
{
    struct mem_merge *m = ctx;
    if (is_zero(pg->data))
        return MEM_DEDUP_ZERO;
    uint64_t h = hash_page(m, pg->data);
    if ((*to = stable_find(m, h, pg, pg->data)) != NULL) {
        mem_page_ref(*to);
        return MEM_DEDUP_MERGE;
    }
    if (unstable_has(m, h, pg)) {
        /* Another page had these bytes' hash: keep this one for it, if
         * the domain can own it (a page of a VM copied from one of
         * another domain, mvm_vm_fork, is not ours to keep). */
        if (!mem_page_adopt(m->pool, pg))
            return MEM_DEDUP_KEEP;
        mem_page_ref(pg);
        if (!table_add(&m->stable, h, pg))
            mem_page_unref(m->pool, pg);    /* it stays the domain's: freed as such */
        else
            m->st.stable++;
        return MEM_DEDUP_KEEP;
    }
    table_add(&m->unstable, h, pg);
    return MEM_DEDUP_KEEP;
}

static const struct mem_dedup_ops dedup_ops = { probe, decide };

/* A pass ended: forget this pass's hashes; free stable pages only the
 * domain holds (ref 1: no space maps them, none can map them meanwhile). */
static void pass_end(struct mem_merge *m)
{
    mem_pool_trim(m->pool, TRIM_BATCH / 64);
    /* Whole chunks the merging freed go back to the host with their
     * descriptors (the unstable table only compares page addresses). */
    mem_pool_retire(m->pool);
    table_clear(&m->unstable);
    /* And what the monitor's heap no longer uses (its VMs' structures and
     * the scan's own tables come and go), at most once a second. */
    uint64_t now = host_time_monotonic_ns();
    if (now - m->heap_trimmed_ns >= 1000000000u) {
        host_heap_trim();
        m->heap_trimmed_ns = now;
    }
    struct table old = m->stable;
    m->stable = (struct table){ 0 };
    m->st.stable = 0;
    for (size_t i = 0; i < old.cap; i++) {
        struct mem_page *pg = old.e[i].pg;
        if (!pg)
            continue;
        if (atomic_load(&pg->ref) == 1 || !table_add(&m->stable, old.e[i].hash, pg)) {
            mem_page_unref(m->pool, pg);
            m->st.released++;
        } else {
            m->st.stable++;
        }
    }
    table_free(&old);
    m->st.passes++;
}

/* The next space not yet scanned to its end in this pass, made busy (it
 * is not freed until done_space), with a copy of its member entry; NULL
 * if there is none. Round-robin: one step in each in turn. */
static struct mem_space *take_space(struct mem_merge *m, struct member *e, size_t *n)
{
    struct mem_space *as = NULL;
    host_mutex_lock(m->spaces.lock);
    *n = m->spaces.n;
    for (size_t k = 0; k < m->spaces.n && !as; k++) {
        if (m->cur >= m->spaces.n)
            m->cur = 0;
        const struct member *c = mem_members_at(&m->spaces, m->cur);
        if (c->done != m->pass) {
            *e = *c;
            as = e->as;
        } else {
            m->cur++;
        }
    }
    m->busy = as;
    host_mutex_unlock(m->spaces.lock);
    return as;
}

/* The step in as ended: records how, moves on to the next space. */
static void done_space(struct mem_merge *m, struct mem_space *as, const struct mem_dedup_result *r)
{
    host_mutex_lock(m->spaces.lock);
    m->busy = NULL;
    if (m->waiting)
        host_cond_broadcast(m->spaces.cv);
    struct member *e = m->cur < m->spaces.n ? mem_members_at(&m->spaces, m->cur) : NULL;
    if (e && e->as == as) {     /* (it may have left) */
        e->busy = r->busy ? e->busy + 1 : 0;
        if (r->done)
            e->done = m->pass;
        m->cur++;
    }
    host_mutex_unlock(m->spaces.lock);
}

long mem_pool_scan(struct mem_pool *pool, uint64_t max_pages)
{
    struct mem_merge *m = mem_pool_merge_state(pool);
    if (!m)
        return MEM_EINVAL;
    host_mutex_lock(m->scan_lock);
    uint64_t done = 0, visits = 0;
    bool idle_pass = true;      /* nothing looked at since the last pass began */
    while (done < max_pages) {
        struct member e;
        size_t n;
        struct mem_space *as = take_space(m, &e, &n);
        if (!as) {
            /* Every space was scanned to its end (or there is none). */
            pass_end(m);
            m->pass++;
            if (idle_pass)
                break;
            idle_pass = true;
            continue;
        }
        uint64_t want = max_pages - done < MEM_DEDUP_BATCH ? max_pages - done : MEM_DEDUP_BATCH;
        struct mem_dedup_result r;
        mem_pool_scan_enter(m->pool);
        mem_space_dedup(as, (unsigned)want, e.busy >= PATIENCE, &dedup_ops, m, &r);
        mem_pool_scan_exit(m->pool);
        done_space(m, as, &r);
        done += r.looked;
        m->st.merged += r.merged;
        m->st.zeroed += r.zeroed;
        if (r.looked)
            idle_pass = false;
        /* Spaces that keep running are waited for after PATIENCE visits:
         * a bound on the visits that look at nothing. */
        if (++visits > 4 * PATIENCE * (n + 1))
            break;
    }
    /* What merging freed goes back to the host, not only to the pool: in
     * large batches (each costs a TLB shootdown of the whole process). */
    mem_pool_trim(m->pool, TRIM_BATCH);
    host_mutex_unlock(m->scan_lock);
    return (long)done;
}

int mem_pool_share_stats(struct mem_pool *pool, struct mem_merge_stats *out)
{
    struct mem_merge *m = mem_pool_merge_state(pool);
    if (!m)
        return MEM_EINVAL;
    host_mutex_lock(m->scan_lock);
    *out = m->st;
    host_mutex_unlock(m->scan_lock);
    return 0;
}
