/*
 * mem.h — guest memory: a refcounted host page pool and page-granular
 * guest address spaces.
 *
 * A guest page is in one of three states:
 *   absent   mapped but never written: reads as zero (the shared zero page),
 *            a host page is allocated on the first write (a lazy page,
 *            below, is absent until its pager has given its bytes);
 *   private  this space holds the only reference to its host page;
 *   shared   the host page is referenced elsewhere too (clone, dedup,
 *            snapshot): the first write copies it (copy-on-write).
 *
 * Invariants:
 *   - every change of a page's host page or permissions bumps space->gen;
 *     a hart's TLB is valid only while its recorded gen equals space->gen;
 *   - a write to a page flagged MEM_F_CODE (decoded instructions were taken
 *     from it) clears the flag and bumps space->code_gen; decoded blocks are
 *     valid only while their cache's recorded code_gen equals it.
 * Guest virtual addresses are 48 bits (MEM_VA_BITS); beyond is unmapped.
 */
#ifndef MVM_MEM_H
#define MVM_MEM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_PAGE_SHIFT 12
#define MEM_PAGE_SIZE  4096u
#define MEM_PAGE_MASK  (~(uint64_t)(MEM_PAGE_SIZE - 1))
#define MEM_VA_BITS    48

/* Permissions (also the access kind asked of mem_translate). */
#define MEM_R 1
#define MEM_W 2
#define MEM_X 4

/* Errors, as negative Linux errno values. */
#define MEM_EFAULT  (-14)
#define MEM_ENOMEM  (-12)
#define MEM_EINVAL  (-22)
#define MEM_EIO     (-5)     /* a lazy page could not be loaded (mem_space_lost) */
#define MEM_ENOSYS  (-38)    /* page sharing in a build without xxHash */

struct mem_page {
    uint8_t *data;          /* MEM_PAGE_SIZE bytes, little-endian guest bytes */
    _Atomic uint32_t ref;   /* references from address spaces and snapshots */
    struct mem_pool *owner; /* the pool it is charged to (pool.c) */
};

struct mem_pool;
struct mem_space;

struct mem_stats {
    uint64_t pages_in_use;    /* host pages allocated from the pool */
    uint64_t pages_peak;
    uint64_t limit_pages;     /* 0: no limit */
    uint64_t cow_copies;      /* copy-on-write breaks */
    uint64_t zero_fills;      /* first-write allocations */
};

/* Pool: limit_bytes caps the host pages it hands out (0 = unlimited). */
struct mem_pool *mem_pool_new(uint64_t limit_bytes);
/* A pool whose use is also charged to parent (and its ancestors), so a
 * parent's limit caps its whole subtree. The parent must outlive it. */
struct mem_pool *mem_pool_new_child(struct mem_pool *parent, uint64_t limit_bytes);
void mem_pool_free(struct mem_pool *pool);
/* From now on the pages of pool's tree come from memory the host backs
 * with huge pages where it can (2 MiB on x86-64 and arm64 Linux): the
 * first touch of a large, densely used memory (a board's RAM) costs a
 * fault per 2 MiB instead of per page, for a coarser resident size. */
void mem_pool_use_huge_pages(struct mem_pool *pool);
struct mem_page *mem_page_alloc(struct mem_pool *pool);   /* zeroed, ref 1; NULL if over limit */
void mem_page_ref(struct mem_page *pg);
/* Drops a reference; the last frees the page and uncharges its owner
 * (pool may be any pool of its tree). */
void mem_page_unref(struct mem_pool *pool, struct mem_page *pg);
/* Charges pg to pool from now on (a page a sharing domain keeps, which
 * must outlive the VM that made it); false, with nothing changed, if pool
 * is not its owner or an ancestor of it. */
bool mem_page_adopt(struct mem_pool *pool, struct mem_page *pg);
struct mem_pool *mem_pool_root(const struct mem_pool *pool);
/* Gives the host back the memory of the free pages of pool's tree, if at
 * least min of them still hold it (they stay in the pool, zero when next
 * used); returns how many it gave back. */
uint64_t mem_pool_trim(struct mem_pool *pool, uint64_t min);
/* Gives the host back whole chunks of pool's tree all of whose pages are
 * free: their memory and their pages' descriptors (what a dense host's
 * peak left behind once sharing freed it). Only while nothing keeps a
 * free page's descriptor (mem/merge.c calls it between passes); cheap
 * unless much of the pool is free. Returns the pages the pool no longer
 * has. */
uint64_t mem_pool_retire(struct mem_pool *pool);
struct mem_pool *mem_pool_parent(const struct mem_pool *pool);
const uint8_t *mem_zero_page(struct mem_pool *pool);
/*
 * Adds (or with a negative count, returns) pages to the pool's accounting
 * and its ancestors'; false, with nothing changed, if a limit would be
 * exceeded. Guest pages and page tables are charged here, and so is the
 * monitor memory a VM costs beyond them (its hart, decoded and compiled
 * code, file tables), so that a limit caps what the host really spends.
 */
bool mem_pool_charge(struct mem_pool *pool, int64_t pages);
/* Pages that bytes of monitor memory occupy, for mem_pool_charge. */
#define MEM_PAGES_OF(bytes) (((uint64_t)(bytes) + MEM_PAGE_SIZE - 1) / MEM_PAGE_SIZE)
void mem_pool_stats(const struct mem_pool *pool, struct mem_stats *out);

/*
 * Content-based page sharing (merge.c). mem_pool_share makes pool a
 * sharing domain: spaces made afterwards in it or in a pool below it join
 * its scan (hash_bits: 64; fewer make hashes collide, for tests). Each
 * mem_pool_scan looks at up to max_pages mapped pages, going on where the
 * last stopped: zero pages are dropped, pages equal to another are merged
 * copy-on-write. It returns the pages looked at (0: the domain has none).
 * Safe while the spaces' harts run; one scan at a time.
 */
struct mem_merge_stats {
    uint64_t scanned;       /* private pages looked at */
    uint64_t merged;        /* host pages freed by merging with an equal one */
    uint64_t zeroed;        /* zero pages dropped */
    uint64_t stable;        /* pages the domain keeps for sharing now */
    uint64_t released;      /* of those, freed when no space used them any more */
    uint64_t passes;        /* complete passes over the domain's spaces */
};
int mem_pool_share(struct mem_pool *pool, unsigned hash_bits);
long mem_pool_scan(struct mem_pool *pool, uint64_t max_pages);
int mem_pool_share_stats(struct mem_pool *pool, struct mem_merge_stats *out);
/* The code store of the sharing domain pool is in or under (rv/store.c:
 * decoded code its VMs share): made by make(domain) the first time it is
 * asked for, under the tree's lock (make must not charge a pool), and
 * freed by free_fn when the domain goes. NULL if pool is in no sharing
 * domain or make failed. */
void *mem_pool_domain_code(struct mem_pool *pool, void *(*make)(struct mem_pool *domain),
                           void (*free_fn)(void *));

/*
 * Swap (swap.c). mem_pool_swap gives pool a swap file (fd, open for reading
 * and writing, which the pool closes when it goes; max_bytes: 0 for no
 * limit but 32-bit slots): spaces made afterwards in it or below it may
 * have their cold private pages written out by mem_pool_swap_out (a
 * clock over their accessed bits; up to pages of them; wait: also in
 * spaces whose harts run, waiting for them to synchronise), which returns
 * how many went. A swapped page comes back on its first access of any
 * kind, checked against the checksum it went out with; one that does not
 * match is never used: the space's memory is lost (MEM_EIO, and
 * mem_space_lost says which slot).
 */
struct mem_swap_stats {
    uint64_t slots_used, slots_peak;    /* pages in the file now, at most */
    uint64_t swapped_out, swapped_in;   /* pages written, read back */
    uint64_t corrupt;                   /* read back wrong or not at all */
    uint64_t write_errors;              /* writes that failed (the page stayed) */
};
int mem_pool_swap(struct mem_pool *pool, int fd, uint64_t max_bytes);
long mem_pool_swap_out(struct mem_pool *pool, uint64_t pages, bool wait);
int mem_pool_swap_stats(struct mem_pool *pool, struct mem_swap_stats *out);

/* Address spaces. */
struct mem_space *mem_space_new(struct mem_pool *pool);
void mem_space_free(struct mem_space *as);   /* drops a reference; the last frees */
void mem_space_ref(struct mem_space *as);    /* one more holder */
int mem_space_refs(const struct mem_space *as);
struct mem_pool *mem_space_pool(const struct mem_space *as);
/*
 * Makes as a space whose pages live in backing (which must outlive it):
 * each page gets a slot in backing's address space (above 2^40) on first
 * write, and every access walks both maps (and backing's own backing):
 * memory that is not unrolled. Only for a space with no pages yet.
 */
int mem_space_set_backing(struct mem_space *as, struct mem_space *backing);
/*
 * Makes as a translated space (system mode's address translation): it has
 * no pages of its own; an access at va asks fn for the address in backing
 * (whose pages it then is) - fn checks the access (MEM_R, MEM_W, MEM_X)
 * and returns 0, or MEM_EFAULT (refused) or another error. Any va of 64
 * bits may be asked. Whoever changes what fn answers bumps the space's
 * generations (mem_space_flush_code). Only for a space with no pages;
 * backing must not be backed itself. fn is called with as's lock held and
 * may read backing (mem_read).
 */
typedef int (*mem_xlate_fn)(void *ctx, uint64_t va, int access, uint64_t *to);
int mem_space_set_translator(struct mem_space *as, struct mem_space *backing, mem_xlate_fn fn, void *ctx);
uint64_t mem_space_gen(const struct mem_space *as);
uint64_t mem_space_code_gen(const struct mem_space *as);
uint64_t mem_space_resident(const struct mem_space *as);   /* pages with a host page */
uint64_t mem_space_shared(struct mem_space *as);   /* of them, shared copy-on-write with another */
uint64_t mem_space_swapped(const struct mem_space *as);   /* pages in the swap file */
/* A page could not be had: writes up to pages cold pages of as's swap out
 * (waiting for running views; call it with no lock held, from outside
 * guest code): how many went, or MEM_EINVAL if as has no swap. */
long mem_space_make_room(struct mem_space *as, uint64_t pages);

/*
 * Mapping. va and len must be page-aligned and inside MEM_VA_BITS.
 * mem_map replaces whatever was there with absent pages of the given
 * permissions; mem_unmap removes; mem_protect changes permissions of mapped
 * pages (MEM_ENOMEM if a page in the range is not mapped, as Linux does).
 */
int mem_map(struct mem_space *as, uint64_t va, uint64_t len, int prot);
int mem_unmap(struct mem_space *as, uint64_t va, uint64_t len);
int mem_protect(struct mem_space *as, uint64_t va, uint64_t len, int prot);
/* Drops the host pages of a range, keeping it mapped: it reads as zero. */
int mem_discard(struct mem_space *as, uint64_t va, uint64_t len);
/* Moves the pages of [from, from+len) to [to, to+len) (no copying);
 * the ranges must not overlap; whatever was at the destination goes. */
int mem_move(struct mem_space *as, uint64_t from, uint64_t to, uint64_t len);
/* Maps src's pages of [sva, sva+len) at dva in dst, shared copy-on-write
 * (the first write on either side copies); unmapped pages stay unmapped.
 * Both spaces' pools must be of one tree; the pages stay charged to
 * their owners (which must outlive dst's use of them). */
int mem_share(struct mem_space *dst, uint64_t dva, struct mem_space *src, uint64_t sva, uint64_t len);
/* The same for every page src maps, each at its own address, into a dst
 * that has never mapped anything (a clone from its template; else
 * MEM_EINVAL). Both take O(1) for each page table of src that dst
 * takes whole (2 MiB of address space: dst has no table there, and the
 * pages src maps in it are all to be shared), where the table itself is
 * shared until either side changes it; else O(1) for each page. On
 * failure (MEM_ENOMEM) part of it may be shared. */
int mem_share_all(struct mem_space *dst, struct mem_space *src);
#define MEM_TABLE_SPAN (2ull << 20)     /* what one page table maps, aligned */
/* Marks the mapped pages of a range as shared memory (MAP_SHARED): a
 * write never copies one, and mem_share shares it as it is (both sides
 * see each other's writes), allocating an absent page first. */
int mem_set_shared(struct mem_space *as, uint64_t va, uint64_t len);
bool mem_is_free(const struct mem_space *as, uint64_t va, uint64_t len);  /* no page mapped */
bool mem_is_mapped(const struct mem_space *as, uint64_t va, uint64_t len); /* every page mapped */
int mem_prot_at(const struct mem_space *as, uint64_t va);   /* -1 if unmapped */

/*
 * The TLB-fill path. Returns the host bytes of the page holding va for the
 * given access (MEM_R, MEM_W or MEM_X), or NULL with *err set to MEM_EFAULT
 * (unmapped or not permitted) or MEM_ENOMEM (pool limit). A read of an
 * absent page returns the shared zero page; a write allocates or copies.
 */
uint8_t *mem_translate(struct mem_space *as, uint64_t va, int access, int *err);
/*
 * The same for a TLB fill, with the generations that make the result safe
 * to cache: it is valid at generation g->valid (a TLB filled with it must
 * not claim a later one: a change made meanwhile, by another thread or the
 * sharing scan, is then seen at the next synchronisation). If g->prev is
 * not 0, the only change the call made was giving the page of va a host
 * page of its own (a zero fill, a copy-on-write break), from g->prev to
 * g->valid: a TLB synchronised to g->prev keeps its other entries.
 */
struct mem_fill_gen {
    uint64_t prev, valid;
};
uint8_t *mem_translate_fill(struct mem_space *as, uint64_t va, int access, int *err, struct mem_fill_gen *g);

/*
 * Calls fn for every mapped page of the space in address order, with its
 * permissions, whether it is shared memory (mem_set_shared), and its
 * bytes (NULL: absent, reads as zero). Stops at the first non-zero result
 * and returns it. The space's lock is held: fn must not call into it, and
 * nothing may run on it meanwhile (a snapshot of a stopped VM).
 * MEM_EINVAL for a space backed by another (its pages live there).
 */
typedef int (*mem_walk_fn)(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data);
int mem_space_walk(struct mem_space *as, mem_walk_fn fn, void *ctx);

/*
 * Dirty tracking (pre-copy migration). While a space tracks, every page
 * written, and every page given other contents (mapped afresh, discarded,
 * moved, shared), is marked; mem_space_track(as, true) marks every mapped
 * page to begin with. mem_space_dirty calls fn (as mem_space_walk does)
 * for each marked page and clears the marks: the next write to such a
 * page is marked again (write TLB entries are dropped: harts take the
 * slow path once). Unmapped pages are not reported (the mapping says).
 * Like mem_space_walk, for a space nothing runs on meanwhile.
 */
int mem_space_track(struct mem_space *as, bool on);
int mem_space_dirty(struct mem_space *as, mem_walk_fn fn, void *ctx);

/* Copies the bytes of the page holding va, whatever its permissions
 * (zeros if absent): 0, or MEM_EFAULT if it is not mapped. */
int mem_peek_page(struct mem_space *as, uint64_t va, uint8_t *dst);

/*
 * Lazy pages (a restore that loads memory on first touch). A pager gives
 * the bytes of pages marked lazy: mem_set_lazy marks the mapped, absent
 * pages of a range; the first access of any kind to one (a hart's, a copy,
 * a walk, a fork's mem_share, a move) calls fill with the space's lock
 * held, which must hand over at least that page's bytes with
 * mem_pager_put (and may give others it loaded on the way) and call
 * nothing else of the space. fill returns 0, MEM_ENOMEM, or anything else
 * with a one-line reason in why: the space's memory is then lost
 * (mem_space_lost says why) and every later load fails with MEM_EIO, so
 * that the VM is stopped rather than run on wrong bytes. The pager is
 * released when its last lazy page is loaded or gone, or with the space.
 * A lazy page is absent until loaded: mem_space_resident counts it then.
 */
struct mem_pager {
    int (*fill)(struct mem_pager *pg, struct mem_space *as, uint64_t va, char *why, size_t whylen);
    void (*release)(struct mem_pager *pg);
};
/* MEM_EINVAL for a space that has a pager, or is backed by another. */
int mem_space_set_pager(struct mem_space *as, struct mem_pager *pager);
int mem_set_lazy(struct mem_space *as, uint64_t va, uint64_t len);
/* From fill only: the bytes of lazy page va (NULL: zero); a page that is
 * not lazy (any more) is left alone. 0 or MEM_ENOMEM. */
int mem_pager_put(struct mem_space *as, uint64_t va, const uint8_t *data);
uint64_t mem_space_lazy(const struct mem_space *as);      /* lazy pages left */
const char *mem_space_lost(const struct mem_space *as);   /* NULL, or why memory was lost */
bool mem_space_lost_in_swap(const struct mem_space *as);  /* ... and it was the swap's */

/* Marks the page holding va as a source of decoded code (see invariant):
 * 0, or MEM_ENOMEM (no memory for the page table the flag goes in). */
int mem_mark_code(struct mem_space *as, uint64_t va);
/* Code of the space changed (riscv_flush_icache): every view drops its
 * decoded blocks before this returns. */
void mem_space_flush_code(struct mem_space *as);

/*
 * Views: what a hart caches of a space (TLB entries, decoded blocks). The
 * harts of a process run on several host threads, so a change that takes
 * a page or a permission away (unmap, protect, a copy-on-write break, ...)
 * returns only when every other view that is running guest code has
 * synchronised to the new generation (a TLB shootdown); pages it drops are
 * freed only then, so a stale TLB entry can never reach a reused page.
 * A view is quiescent while its hart is outside guest code (serving a
 * system call, blocked) and while it waits for others.
 *
 *   mem_view_attach / detach   when a hart is created / freed
 *   mem_view_enter / leave     around running guest code (rv_run), on
 *                              the hart's own host thread
 *   mem_view_seen              after the hart synchronised to gen
 *
 * While a space has more than one view, reading an absent page allocates
 * it (no view ever caches the shared zero page for it), so filling a page
 * needs no shootdown.
 */
struct mem_view {
    struct mem_space *as;
    _Atomic uint64_t seen;     /* the generation last synchronised to */
    _Atomic bool active;       /* running guest code */
    struct mem_view *next;
};
void mem_view_attach(struct mem_space *as, struct mem_view *v);
void mem_view_detach(struct mem_view *v);
void mem_view_enter(struct mem_view *v);
void mem_view_leave(struct mem_view *v);
static inline void mem_view_seen(struct mem_view *v, uint64_t gen)
{
    atomic_store_explicit(&v->seen, gen, memory_order_release);
}

/*
 * Copies between guest memory and the host, as the guest's own loads and
 * stores would (permissions checked): 0 or MEM_EFAULT / MEM_ENOMEM.
 * mem_poke ignores permissions (the loader writing read-only segments).
 * mem_read_str copies a NUL-terminated string of at most size-1 bytes and
 * returns its length, MEM_EFAULT, or -36 (ENAMETOOLONG) if it does not fit.
 */
int mem_read(struct mem_space *as, uint64_t va, void *dst, size_t len);
int mem_write(struct mem_space *as, uint64_t va, const void *src, size_t len);
int mem_poke(struct mem_space *as, uint64_t va, const void *src, size_t len);
long mem_read_str(struct mem_space *as, uint64_t va, char *dst, size_t size);

#endif
