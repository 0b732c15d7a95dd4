/*
 * mem_int.h — what the files of mem/ share and nobody else needs.
 */
#ifndef MVM_MEM_INT_H
#define MVM_MEM_INT_H

#include "mem/mem.h"

enum { MEM_COUNT_COW, MEM_COUNT_ZERO };

struct mem_page *mem_page_alloc_raw(struct mem_pool *pool);
void mem_pool_count(struct mem_pool *pool, int what);

/* The sharing scan (merge.c) and what it needs of pools and spaces. */
struct mem_merge;
void *mem_pool_merge_state(const struct mem_pool *pool);
void mem_pool_set_merge_state(struct mem_pool *pool, void *m);
struct mem_merge *mem_merge_join(struct mem_space *as);    /* NULL: no domain */
void mem_merge_leave(struct mem_merge *m, struct mem_space *as);
void mem_merge_free(struct mem_merge *m);

/*
 * One step of the scan in one space: from *cursor, looks at up to max
 * mapped pages and offers each private one (its only reference, not
 * shared memory, not lazy) to decide, with its write access taken away
 * (a write meanwhile copies it), so its bytes hold still. decide returns
 * MEM_DEDUP_KEEP, MEM_DEDUP_ZERO (the page is all zero: drop it) or
 * MEM_DEDUP_MERGE with *to, a page of equal bytes with a reference for
 * the space, to map instead. *cursor is where to go on, 0 at the end.
 */
enum { MEM_DEDUP_KEEP, MEM_DEDUP_ZERO, MEM_DEDUP_MERGE };
typedef int (*mem_dedup_fn)(void *ctx, struct mem_page *pg, struct mem_page **to);
struct mem_dedup_result {
    uint64_t looked, merged, zeroed;
};
void mem_space_dedup(struct mem_space *as, uint64_t *cursor, unsigned max, mem_dedup_fn decide, void *ctx,
                     struct mem_dedup_result *r);

#endif
