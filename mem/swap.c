/*
 * swap.c — cold pages to a swap file: a pool with swap (mem_pool_swap)
 * may move the private pages of the spaces below it out to a file and
 * bring each back on its first touch, unchanged or not at all.
 *
 * Which pages: an LRU approximation, the clock with second chance (as
 * Linux's and VMware's): every page has an accessed bit that a TLB fill
 * (any access the TLBs do not already cover) sets. A step of the clock
 * (mem_space_swap_out, in space.c) walks a space from where its hand
 * stopped: a page whose bit is set loses it (and the TLBs their entries,
 * so a touch sets it again); a page whose bit is still clear when the
 * hand comes back was not touched for a whole turn of the clock, and is
 * written out. Only private pages go (not shared memory, not pages
 * shared copy-on-write, not code): those are cheap to keep or must stay.
 *
 * The file: slots of one page, handed out from a free list; a slot's
 * checksum (XXH3 where the build has xxHash, FNV-1a otherwise, over the
 * bytes and the slot number, so that a page read from the wrong place
 * fails too) is kept here, in memory, never in the file. A page whose
 * bytes come back with another checksum is not used: its space's memory
 * is lost (mem_space_lost says which page and why), and the VM that
 * touched it stops (MVM_EXIT_LOST), while every other VM goes on. The
 * file is the caller's (an unlinked temporary file, normally); pages of
 * a space that goes, or is unmapped, give their slots back.
 *
 * Two hands turn the clock: the pool's (mem_pool_swap_out, a policy's
 * thread: it may wait for running VMs) and, when a page cannot be had
 * because the pool is full, the hart that wants it (mem_swap_reclaim,
 * direct reclaim as Linux's): it holds its own space's lock, so it takes
 * other spaces' locks only if they are free, passes over its own space
 * and over spaces whose harts run, and writes pages out while it waits.
 * Swap-ins come at the speed of memory; without it they would outrun
 * any background thread.
 *
 * Concurrency: the slot table has its own lock, taken under a space's
 * lock and never the other way round. The list of spaces has a lock of
 * its own, taken under a space's lock too, never held while taking one;
 * a space being freed waits until no clock is in it (busy). Reads and
 * writes of slots are positioned (pread, pwrite), so several go on at
 * once.
 */
#include "mem/mem.h"
#include "mem/mem_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/file.h"
#include "host/thread.h"

#ifndef MVM_HAVE_XXHASH
#define MVM_HAVE_XXHASH 0
#endif
#if MVM_HAVE_XXHASH
#define XXH_INLINE_ALL
#include <xxhash.h>
#endif

#define BATCH 256               /* pages a clock step writes out at most */
#define LOOK 2048               /* pages it looks at at most */

/* A space the clocks walk (an entry of spaces, below). */
struct member {
    struct mem_space *as;
    unsigned busy;              /* clocks in it now */
};

struct mem_swap {
    struct mem_pool *pool;
    int fd;
    uint32_t max_slots;         /* slots 1..max_slots may be used */
    struct host_mutex *slot_lock;   /* guards the slot table and stats */
    uint64_t *sum;              /* each slot's checksum */
    uint32_t *free;             /* released slots */
    uint32_t nfree, cap_free, next, cap_sum;   /* next: never used yet */
    struct mem_swap_stats st;
    struct host_mutex *clock_lock;  /* one pool's clock at a time */
    /* struct member each; its lock guards cur too, its cv says that a
     * busy count went down. */
    struct mem_members spaces;
    size_t cur;
};

static uint64_t checksum(const uint8_t *data, uint32_t slot)
{
    uint64_t h;
#if MVM_HAVE_XXHASH
    h = XXH3_64bits_withSeed(data, MEM_PAGE_SIZE, slot);
#else
    h = 0xcbf29ce484222325ull ^ slot;
    for (unsigned i = 0; i < MEM_PAGE_SIZE; i++)
        h = (h ^ data[i]) * 0x100000001b3ull;
#endif
    return h;
}

int mem_pool_swap(struct mem_pool *pool, int fd, uint64_t max_bytes)
{
    if (fd < 0 || mem_pool_swap_state(pool))
        return MEM_EINVAL;
    struct mem_swap *s = calloc(1, sizeof *s);
    if (!s)
        return MEM_ENOMEM;
    s->pool = pool;
    s->fd = fd;
    uint64_t slots = max_bytes / MEM_PAGE_SIZE;
    s->max_slots = slots && slots < UINT32_MAX - 1 ? (uint32_t)slots : UINT32_MAX - 1;
    s->next = 1;                /* slot 0 is never used: a pte's 0 is "none" */
    s->slot_lock = host_mutex_new();
    s->clock_lock = host_mutex_new();
    if (!s->slot_lock || !s->clock_lock || mem_members_init(&s->spaces, sizeof(struct member)) != 0) {
        s->fd = -1;             /* still the caller's */
        mem_swap_free(s);
        return MEM_ENOMEM;
    }
    mem_pool_set_swap_state(pool, s);
    return 0;
}

void mem_swap_free(struct mem_swap *s)
{
    host_file_close(s->fd);
    free(s->sum);
    free(s->free);
    mem_members_fini(&s->spaces);
    host_mutex_free(s->slot_lock);
    host_mutex_free(s->clock_lock);
    free(s);
}

/* ---- the spaces below the pool ---------------------------------------- */

struct mem_swap *mem_swap_join(struct mem_space *as)
{
    struct mem_swap *s = mem_pool_nearest(mem_space_pool(as), mem_pool_swap_state);
    return s && mem_members_add(&s->spaces, as) ? s : NULL;    /* no room: its pages stay */
}

/* Until no clock is in as (their counts are in its entry), then off the
 * list. */
void mem_swap_leave(struct mem_swap *s, struct mem_space *as)
{
    host_mutex_lock(s->spaces.lock);
    const struct member *m;
    while ((m = mem_members_find(&s->spaces, as)) && m->busy)
        host_cond_wait(s->spaces.cv, s->spaces.lock);
    mem_members_remove(&s->spaces, as);     /* (not there if it never joined: no room) */
    host_mutex_unlock(s->spaces.lock);
}

/* The next space for a clock (spaces.lock held), marked busy; NULL if
 * there is none but skip. */
static struct member *next_space(struct mem_swap *s, const struct mem_space *skip)
{
    for (size_t k = 0; k < s->spaces.n; k++) {
        struct member *m = mem_members_at(&s->spaces, s->cur++ % s->spaces.n);
        if (m->as != skip) {
            m->busy++;
            return m;
        }
    }
    return NULL;
}

static void done_with(struct mem_swap *s, struct mem_space *as)
{
    host_mutex_lock(s->spaces.lock);
    struct member *m = mem_members_find(&s->spaces, as);
    if (m)
        m->busy--;
    host_cond_broadcast(s->spaces.cv);
    host_mutex_unlock(s->spaces.lock);
}

/* ---- slots ------------------------------------------------------------ */

static uint32_t slot_take(struct mem_swap *s)
{
    uint32_t slot = 0;
    host_mutex_lock(s->slot_lock);
    if (s->nfree) {
        slot = s->free[--s->nfree];
    } else if (s->next <= s->max_slots) {
        if (s->next >= s->cap_sum) {
            uint32_t cap = s->cap_sum ? 2 * s->cap_sum : 1024;
            uint64_t *v = realloc(s->sum, (size_t)cap * sizeof *v);
            if (v) {
                s->sum = v;
                s->cap_sum = cap;
            }
        }
        if (s->next < s->cap_sum)
            slot = s->next++;
    }
    if (slot && ++s->st.slots_used > s->st.slots_peak)
        s->st.slots_peak = s->st.slots_used;
    host_mutex_unlock(s->slot_lock);
    return slot;
}

void mem_swap_release(struct mem_swap *s, uint32_t slot)
{
    host_mutex_lock(s->slot_lock);
    if (s->nfree == s->cap_free) {
        uint32_t cap = s->cap_free ? 2 * s->cap_free : 1024;
        uint32_t *v = realloc(s->free, (size_t)cap * sizeof *v);
        if (!v) {               /* the slot is lost to reuse, nothing else */
            s->st.slots_used--;
            host_mutex_unlock(s->slot_lock);
            return;
        }
        s->free = v;
        s->cap_free = cap;
    }
    s->free[s->nfree++] = slot;
    s->st.slots_used--;
    host_mutex_unlock(s->slot_lock);
}

uint32_t mem_swap_put(struct mem_swap *s, const uint8_t *data)
{
    uint32_t slot = slot_take(s);
    if (!slot)
        return 0;
    uint64_t sum = checksum(data, slot);
    if (host_file_pwrite_full(s->fd, data, MEM_PAGE_SIZE, (uint64_t)slot * MEM_PAGE_SIZE) != 0) {
        host_mutex_lock(s->slot_lock);
        s->st.write_errors++;
        host_mutex_unlock(s->slot_lock);
        mem_swap_release(s, slot);
        return 0;               /* the page stays where it is */
    }
    host_mutex_lock(s->slot_lock);
    s->sum[slot] = sum;
    s->st.swapped_out++;
    host_mutex_unlock(s->slot_lock);
    return slot;
}

int mem_swap_get(struct mem_swap *s, uint32_t slot, uint8_t *data, char *why, size_t whylen)
{
    int64_t n = host_file_pread_full(s->fd, data, MEM_PAGE_SIZE, (uint64_t)slot * MEM_PAGE_SIZE);
    host_mutex_lock(s->slot_lock);
    uint64_t want = s->sum[slot];
    host_mutex_unlock(s->slot_lock);
    if (n != MEM_PAGE_SIZE) {
        snprintf(why, whylen, "swap slot %u could not be read back (%s)", slot,
                 n < 0 ? host_file_strerror((int)n) : "the swap file is shorter");
    } else if (checksum(data, slot) != want) {
        snprintf(why, whylen, "swap slot %u came back corrupt (its checksum does not match)", slot);
        n = -1;
    } else {
        host_mutex_lock(s->slot_lock);
        s->st.swapped_in++;
        host_mutex_unlock(s->slot_lock);
        return 0;
    }
    host_mutex_lock(s->slot_lock);
    s->st.corrupt++;
    host_mutex_unlock(s->slot_lock);
    return MEM_EIO;
}

int mem_pool_swap_stats(struct mem_pool *pool, struct mem_swap_stats *out)
{
    struct mem_swap *s = mem_pool_swap_state(pool);
    if (!s)
        return MEM_EINVAL;
    host_mutex_lock(s->slot_lock);
    *out = s->st;
    host_mutex_unlock(s->slot_lock);
    return 0;
}

/* ---- the clock -------------------------------------------------------- */

long mem_pool_swap_out(struct mem_pool *pool, uint64_t pages, bool wait)
{
    struct mem_swap *s = mem_pool_swap_state(pool);
    if (!s)
        return MEM_EINVAL;
    uint64_t done = 0;
    host_mutex_lock(s->clock_lock);
    /* Up to two turns of the clock (the first may only clear bits): each
     * space's hand wraps twice, or the space is busy. */
    host_mutex_lock(s->spaces.lock);
    size_t turns = 2 * s->spaces.n + 1, wraps = 0;
    host_mutex_unlock(s->spaces.lock);
    for (unsigned steps = 0; wraps < turns && done < pages && steps < 1000000; steps++) {
        host_mutex_lock(s->spaces.lock);
        if (!s->spaces.n) {
            host_mutex_unlock(s->spaces.lock);
            break;
        }
        struct member *m = mem_members_at(&s->spaces, s->cur % s->spaces.n);
        struct mem_space *as = m->as;
        m->busy++;
        host_mutex_unlock(s->spaces.lock);
        uint64_t want = pages - done < BATCH ? pages - done : BATCH;
        struct mem_swap_out r;
        mem_space_swap_out(as, s, LOOK, (unsigned)want, wait ? MEM_SWAP_WAIT : 0, &r);
        done += r.out;
        if (r.wrapped || r.busy) {
            host_mutex_lock(s->spaces.lock);
            s->cur++;           /* its hand went round: the next space */
            host_mutex_unlock(s->spaces.lock);
            wraps++;
        }
        done_with(s, as);
    }
    host_mutex_unlock(s->clock_lock);
    return (long)done;
}

struct mem_pool *mem_swap_pool(const struct mem_swap *s)
{
    return s->pool;
}

uint64_t mem_swap_reclaim(struct mem_swap *s, struct mem_space *self, unsigned pages)
{
    uint64_t done = 0;
    host_mutex_lock(s->spaces.lock);
    size_t visits = 2 * s->spaces.n;
    host_mutex_unlock(s->spaces.lock);
    for (size_t v = 0; v < visits && done < pages; v++) {
        host_mutex_lock(s->spaces.lock);
        struct member *m = next_space(s, self);
        struct mem_space *as = m ? m->as : NULL;
        host_mutex_unlock(s->spaces.lock);
        if (!as)
            break;
        struct mem_swap_out r;
        mem_space_swap_out(as, s, LOOK, pages - (unsigned)done, MEM_SWAP_TRY, &r);
        done += r.out;
        done_with(s, as);
    }
    return done;
}
