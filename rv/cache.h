/*
 * cache.h — the block cache: decoded basic blocks keyed by guest pc.
 *
 * Blocks live in one arena; the whole cache is dropped at once (arena full,
 * fence.i, or a write to a page code was decoded from), so successor
 * pointers between blocks never dangle: they die together. In a sharing
 * domain the blocks' ops are the domain's code store's (rv/store.h),
 * which outlives the cache.
 */
#ifndef MVM_CACHE_H
#define MVM_CACHE_H

#include "rv/decode.h"
#include "rv/rv.h"
#include "rv/jit.h"

struct rv_store;

#define RV_HASH_BITS_MIN 8      /* the block hash starts this big (2 KiB) */
#define RV_HASH_BITS_MAX 15     /* and doubles up to this, two blocks a bucket */
#define RV_JC_BITS 12
#define RV_JC_INDEX(pc) ((unsigned)((pc) >> 1) & ((1u << RV_JC_BITS) - 1))
#define RV_BLOCK_BYTES (sizeof(struct rv_block) + (RV_BLOCK_MAX_INSNS + 1) * sizeof(struct rv_op))

/* Public to the interpreter, which probes the jump cache inline. */
struct rv_cache {
    uint8_t *arena;
    size_t used;
    uint64_t epoch;
    uint64_t code_gen;
    struct rv_block **hash;         /* 1 << hash_bits chains */
    unsigned hash_bits;
    size_t nblocks;                 /* in the hash */
    struct rv_jit *jit;     /* compiled code of these blocks; NULL: interpret only */
    struct mem_pool *pool;  /* charged for the cache: its tables, and code as it grows */
    size_t metered;         /* bytes of arena and code buffer charged so far */
    union {
        struct rv_block blk;
        uint8_t bytes[RV_BLOCK_BYTES];
    } *tmp;                 /* NULL until the first block is decoded */
    /* The jump cache, 1 << RV_JC_BITS entries: in the arena's mapping
     * once the first block is decoded (its pages touched only as code
     * runs), an empty read-only table before (rv/cache.c). */
    struct rv_block **jc;
    struct cache_head *head;        /* the arena's mapping, or NULL */
    struct rv_store *store; /* its sharing domain's decoded code (rv/store.h), or NULL */
};

/* A cache whose memory is charged to pool (NULL if over its limit). */
struct rv_cache *rv_cache_new(struct mem_pool *pool);
void rv_cache_free(struct rv_cache *c);
/* Charges the pool for `more` bytes of decoded or compiled code beyond
 * what is in use; false if the VM's memory limit leaves no room. */
bool rv_cache_meter(struct rv_cache *c, size_t more);

/* Flushes are counted; a block pointer taken before a flush is dead after. */
uint64_t rv_cache_epoch(const struct rv_cache *c);

/*
 * The block starting at pc, decoding it if needed; NULL on a fetch fault
 * (h->cause and h->tval set). max_insns < RV_BLOCK_MAX_INSNS builds an
 * uncached block of at most that many instructions (budget end, tracing);
 * it stays valid until the next such call.
 */
struct rv_block *rv_cache_lookup(struct rv_hart *h, uint64_t pc);
/* The block to run at pc: as rv_cache_lookup from its second entry on; at
 * the first (most blocks run once), decoded into the scratch block
 * (rv_block_is_tmp) and not kept. */
struct rv_block *rv_cache_enter(struct rv_hart *h, uint64_t pc);
/* The block starting at pc if it is decoded already, else NULL. */
struct rv_block *rv_cache_find(const struct rv_cache *c, uint64_t pc);
struct rv_block *rv_cache_build_tmp(struct rv_hart *h, uint64_t pc, uint32_t max_insns);
int rv_block_is_tmp(const struct rv_hart *h, const struct rv_block *b);

/* Brings TLB and cache in line with the address space's generations. */
void rv_sync(struct rv_hart *h);

#endif
