/*
 * mem_int.h — what the files of mem/ share and nobody else needs.
 */
#ifndef MVM_MEM_INT_H
#define MVM_MEM_INT_H

#include "mem/mem.h"

enum { MEM_COUNT_COW, MEM_COUNT_ZERO };

struct mem_page *mem_page_alloc_raw(struct mem_pool *pool);
void mem_pool_count(struct mem_pool *pool, int what);

/* The state (mem_pool_merge_state, mem_pool_swap_state) of the nearest
 * of pool and its ancestors that has one, or NULL. */
void *mem_pool_nearest(const struct mem_pool *pool, void *(*state)(const struct mem_pool *));

/*
 * The spaces a sharing scan or a swap file serves (members.c): each space
 * of a pool below joins when it is made and leaves when it is freed.
 * Entries are size bytes: a struct whose first member is the space's
 * struct mem_space *, the rest its user's (zero when it joins). lock
 * guards the list and what its user keeps beside it; cv is for its user
 * to wait on until a leaving space is let go.
 */
struct host_mutex;
struct host_cond;
struct mem_members {
    struct host_mutex *lock;
    struct host_cond *cv;
    void *v;
    size_t size, n, cap;
};
int mem_members_init(struct mem_members *l, size_t size);  /* 0 or MEM_ENOMEM */
void mem_members_fini(struct mem_members *l);              /* after a failed init too */
bool mem_members_add(struct mem_members *l, struct mem_space *as);   /* false: no room */
/* With lock held: entry i; as's entry (NULL: not a member); as leaves,
 * if it is one (the last entry takes its place). */
static inline void *mem_members_at(const struct mem_members *l, size_t i)
{
    return (char *)l->v + i * l->size;
}
void *mem_members_find(const struct mem_members *l, const struct mem_space *as);
void mem_members_remove(struct mem_members *l, const struct mem_space *as);

/* The sharing scan (merge.c) and what it needs of pools and spaces. */
struct mem_merge;
void *mem_pool_merge_state(const struct mem_pool *pool);
void mem_pool_set_merge_state(struct mem_pool *pool, void *m);
struct mem_merge *mem_merge_join(struct mem_space *as);    /* NULL: no domain */
void mem_merge_leave(struct mem_merge *m, struct mem_space *as);
void mem_merge_free(struct mem_merge *m);

/*
 * One step of the scan in one space: from where the last step stopped,
 * looks at up to max (at most MEM_DEDUP_BATCH) mapped pages. Each private
 * one (its only reference, not shared memory, not lazy) is shown to
 * probe as a copy taken while it may be written: probe says whether it
 * might merge. Those that might are write-protected (a write meanwhile
 * copies the page), so their bytes hold still, and given to decide:
 * MEM_DEDUP_KEEP, MEM_DEDUP_ZERO (the page is all zero: drop it) or
 * MEM_DEDUP_MERGE with *to, a page of equal bytes with a reference for
 * the space, to map instead. While a view of the space runs, the step
 * waits for it to synchronise if wait, else it changes nothing and says
 * busy. done: the space was scanned to its end (the next step begins it
 * again).
 */
#define MEM_DEDUP_BATCH 512
enum { MEM_DEDUP_KEEP, MEM_DEDUP_ZERO, MEM_DEDUP_MERGE };
struct mem_dedup_ops {
    bool (*probe)(void *ctx, const struct mem_page *pg, const uint8_t *copy);
    int (*decide)(void *ctx, struct mem_page *pg, struct mem_page **to);
};
struct mem_dedup_result {
    uint64_t looked, merged, zeroed;
    bool busy, done;
};
void mem_space_dedup(struct mem_space *as, unsigned max, bool wait, const struct mem_dedup_ops *ops, void *ctx,
                     struct mem_dedup_result *r);
/* Around mem_space_dedup, which reads pages it holds no reference to:
 * meanwhile no chunk of pool's tree goes back to the host
 * (mem_pool_retire), so such a page is at worst reused, never freed. */
void mem_pool_scan_enter(struct mem_pool *pool);
void mem_pool_scan_exit(struct mem_pool *pool);

/* Swap (swap.c) and what it needs of pools and spaces. */
struct mem_swap;
void *mem_pool_swap_state(const struct mem_pool *pool);
void mem_pool_set_swap_state(struct mem_pool *pool, void *s);
struct mem_swap *mem_swap_join(struct mem_space *as);      /* NULL: no swap */
void mem_swap_leave(struct mem_swap *s, struct mem_space *as);
void mem_swap_free(struct mem_swap *s);
/* A slot holding a copy of data (checksummed), or 0 if none is free or
 * the write failed. */
uint32_t mem_swap_put(struct mem_swap *s, const uint8_t *data);
/* Reads slot back into data: 0, or MEM_EIO with why said (unreadable,
 * or not the bytes that went out). The slot stays taken. */
int mem_swap_get(struct mem_swap *s, uint32_t slot, uint8_t *data, char *why, size_t whylen);
void mem_swap_release(struct mem_swap *s, uint32_t slot);

/*
 * One step of the clock in one space (swap.c): from its hand, looks at up
 * to max mapped pages; a private page (not shared memory, not shared
 * copy-on-write, not code, present) that was touched since the hand last
 * passed loses its accessed bit, one that was not is written out to s,
 * up to want of them. Their bytes are frozen first as the sharing scan's
 * are (a reference more: a write meanwhile copies the page, and the page
 * is kept); while a view runs, the step waits for it with MEM_SWAP_WAIT,
 * else only clears bits and says busy. With MEM_SWAP_TRY it never waits
 * for the space's lock either (a caller holding another space's lock):
 * busy if it is taken. wrapped: the hand went round the space.
 */
#define MEM_SWAP_WAIT 1
#define MEM_SWAP_TRY 2
struct mem_swap_out {
    uint64_t looked, out;
    bool busy, wrapped;
};
void mem_space_swap_out(struct mem_space *as, struct mem_swap *s, unsigned max, unsigned want, int how,
                        struct mem_swap_out *r);
/* Direct reclaim: up to pages from spaces of s other than self (whose
 * lock the caller holds), never waiting; how many went. */
uint64_t mem_swap_reclaim(struct mem_swap *s, struct mem_space *self, unsigned pages);
struct mem_pool *mem_swap_pool(const struct mem_swap *s);

#endif
