/*
 * cache.c — decoding guest code into blocks, and finding them again.
 *
 * Lookup order: a direct-mapped jump cache (pc -> block), then a hash
 * table, then the decoder. A block ends at a terminator, after
 * RV_BLOCK_MAX_INSNS instructions, or where the next instruction would start
 * on another page; an instruction straddling two pages may end a block, so
 * a block's bytes lie on at most two pages, both flagged as code.
 */
#include "rv/cache.h"

#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "rv/store.h"

const void *const *rv_handler_table;

#define ARENA_SIZE (16u << 20)
#define METER_STEP (64u << 10)   /* code memory is charged in steps of this */

/* What the cache costs before any code is decoded, its smallest hash
 * table aside. */
#define CACHE_FIXED_PAGES \
    MEM_PAGES_OF(sizeof(struct rv_cache) + (sizeof(struct rv_block *) << RV_JC_BITS) + RV_BLOCK_BYTES + SEEN_BYTES)

/*
 * Most blocks a program decodes run once (start-up code: about two in
 * three of a static glibc program's). A block is kept only from its
 * second entry on (rv_cache_enter): the first runs from the scratch
 * block, and leaves a bit in a filter of pcs seen. A false positive keeps
 * a block at its first entry, as before. The filter is cleared with the
 * cache.
 */
#define SEEN_BITS 15
#define SEEN_BYTES ((size_t)1 << (SEEN_BITS - 3))

/* What a hash table of bits costs beyond the smallest one. */
static int64_t hash_pages(unsigned bits)
{
    return (int64_t)MEM_PAGES_OF(sizeof(struct rv_block *) << bits) -
           (int64_t)MEM_PAGES_OF(sizeof(struct rv_block *) << RV_HASH_BITS_MIN);
}

/*
 * The jump cache, the first hash table and the scratch block come first
 * in the arena's mapping: zero, and made present only as they are used (a
 * VM that runs little code touches little of its 32 KiB jump cache). The
 * mapping is made when the first block is decoded: a VM made and not yet
 * run (a clone, a fleet's VM waiting for its turn) costs neither the
 * mapping nor a page of it. Until then the jump cache and the hash table
 * are empty tables that are only read.
 */
struct cache_head {
    struct rv_block *jc[1u << RV_JC_BITS];
    struct rv_block *hash[1u << RV_HASH_BITS_MIN];
    uint64_t seen[SEEN_BYTES / 8];
    _Alignas(16) uint8_t tmp[RV_BLOCK_BYTES];
};
#define HEAD_BYTES ((sizeof(struct cache_head) + MEM_PAGE_SIZE - 1) & ~(size_t)(MEM_PAGE_SIZE - 1))

static struct rv_block *const no_jc[1u << RV_JC_BITS];
static struct rv_block *const no_hash[1u << RV_HASH_BITS_MIN];

static struct rv_block **first_hash(struct rv_cache *c)
{
    return c->head ? c->head->hash : (struct rv_block **)no_hash;
}

/* The arena's mapping, made at the first decode: false if the host has
 * no room. */
static bool cache_ready(struct rv_cache *c)
{
    if (c->head)
        return true;
    struct cache_head *h = host_page_alloc(HEAD_BYTES + ARENA_SIZE);
    if (!h)
        return false;
    c->head = h;
    c->arena = (uint8_t *)h + HEAD_BYTES;
    c->tmp = (void *)h->tmp;
    c->jc = h->jc;
    c->hash = h->hash;
    return true;
}

struct rv_cache *rv_cache_new(struct mem_pool *pool)
{
    if (!mem_pool_charge(pool, (int64_t)CACHE_FIXED_PAGES))
        return NULL;
    struct rv_cache *c = calloc(1, sizeof *c);
    if (!c) {
        mem_pool_charge(pool, -(int64_t)CACHE_FIXED_PAGES);
        return NULL;
    }
    c->pool = pool;
    c->jit = rv_jit_new();      /* NULL: interpret only */
    c->hash_bits = RV_HASH_BITS_MIN;
    c->jc = (struct rv_block **)no_jc;
    c->hash = (struct rv_block **)no_hash;
    c->store = rv_store_of(pool);   /* NULL: no sharing domain */
    return c;
}

void rv_cache_free(struct rv_cache *c)
{
    if (!c)
        return;
    rv_jit_free(c->jit);
    if (c->hash != first_hash(c))
        free(c->hash);
    mem_pool_charge(c->pool, -(int64_t)(CACHE_FIXED_PAGES + c->metered / MEM_PAGE_SIZE + hash_pages(c->hash_bits)));
    host_page_free(c->head, HEAD_BYTES + ARENA_SIZE);
    free(c);
}

bool rv_cache_meter(struct rv_cache *c, size_t more)
{
    size_t in_use = c->used + rv_jit_used(c->jit) + more;
    if (in_use <= c->metered)
        return true;
    size_t step = (in_use - c->metered + METER_STEP - 1) / METER_STEP * METER_STEP;
    if (!mem_pool_charge(c->pool, (int64_t)(step / MEM_PAGE_SIZE)))
        return false;
    c->metered += step;
    return true;
}

uint64_t rv_cache_epoch(const struct rv_cache *c) { return c->epoch; }

static void cache_flush(struct rv_cache *c)
{
    c->used = 0;
    c->epoch++;
    if (c->jit)
        rv_jit_reset(c->jit);
    c->nblocks = 0;
    if (!c->head)
        return;     /* nothing decoded yet: the empty tables stay */
    memset(c->hash, 0, sizeof *c->hash << c->hash_bits);
    memset(c->jc, 0, sizeof *c->jc << RV_JC_BITS);
    memset(c->head->seen, 0, sizeof c->head->seen);
}

void rv_flush_code(struct rv_hart *h)
{
    cache_flush(h->cache);
    h->stat_cache_flushes++;
}

void rv_sync(struct rv_hart *h)
{
    /* gen first: a change bumps code_gen before gen, so code seen at gen
     * is at least as new. */
    uint64_t g = mem_space_gen(h->as);
    uint64_t cg = mem_space_code_gen(h->as);
    if (h->cache->code_gen != cg) {
        rv_flush_code(h);
        h->cache->code_gen = cg;
    }
    if (h->tlb_gen != g)
        rv_flush_tlb(h);
    mem_view_seen(&h->view, g);
}

static unsigned hash_pc(uint64_t pc, unsigned bits)
{
    return (unsigned)((pc >> 1) ^ (pc >> (bits + 1))) & ((1u << bits) - 1);
}

/* Doubles the hash table (a small program's stays small: what it costs
 * counts for every VM of a dense host); nothing if memory is short. */
static void hash_grow(struct rv_cache *c)
{
    unsigned bits = c->hash_bits + 1;
    struct rv_block **t = calloc((size_t)1 << bits, sizeof *t);
    if (!t || !mem_pool_charge(c->pool, hash_pages(bits) - hash_pages(c->hash_bits))) {
        free(t);
        return;
    }
    for (size_t i = 0; i < (size_t)1 << c->hash_bits; i++)
        for (struct rv_block *b = c->hash[i], *next; b; b = next) {
            next = b->hash_next;
            unsigned hi = hash_pc(b->pc, bits);
            b->hash_next = t[hi];
            t[hi] = b;
        }
    if (c->hash != first_hash(c))
        free(c->hash);
    c->hash = t;
    c->hash_bits = bits;
}

/* Host bytes of the code page holding pc, through the fetch TLB. */
static const uint8_t *fetch_page(struct rv_hart *h, uint64_t pc, int *err)
{
    uint64_t page = pc & MEM_PAGE_MASK;
    struct rv_tlb_entry *e = &h->tlb_x[(pc >> MEM_PAGE_SHIFT) & (RV_TLB_SIZE - 1)];
    if (e->tag == page)
        return (const uint8_t *)(uintptr_t)(page + e->addend);
    struct mem_fill_gen g;
    uint8_t *host = mem_translate_fill(h->as, page, MEM_X, err, &g);
    if (!host || (*err = mem_mark_code(h->as, page)) != 0)
        return NULL;
    rv_tlb_filled(h, page, &g);
    e->tag = page;
    e->addend = (uintptr_t)host - (uintptr_t)page;
    return host;
}

static int fetch_fault(struct rv_hart *h, uint64_t addr, int err)
{
    h->cause = err != MEM_EFAULT ? RV_CAUSE_FETCH_ACCESS : RV_CAUSE_FETCH_PAGE;   /* the host's failure */
    h->tval = addr;
    return err;
}

/* Decodes the block at pc into b, its ops into ops (room for
 * RV_BLOCK_MAX_INSNS + 1); 0, or a fetch fault of its first instruction. */
static int build(struct rv_hart *h, uint64_t pc, uint32_t max_insns, struct rv_block *b, struct rv_op *ops)
{
    uint64_t start = pc;
    uint32_t n = 0;
    int err = 0;
    const uint8_t *page = fetch_page(h, pc, &err);
    if (!page)
        return fetch_fault(h, pc, err);
    memset(b, 0, sizeof *b);
    b->pc = pc;
    b->ops = ops;
    for (;;) {
        struct rv_op *op = &ops[n];
        unsigned off = (unsigned)(pc & (MEM_PAGE_SIZE - 1));
        uint16_t p0 = ld16(page + off), p1 = 0;
        if ((p0 & 3) == 3) {
            if (off + 2 < MEM_PAGE_SIZE) {
                p1 = ld16(page + off + 2);
            } else {
                const uint8_t *next = fetch_page(h, pc + 2, &err);
                if (!next) {
                    if (n == 0)
                        return fetch_fault(h, pc + 2, err);
                    break;   /* the next block will fault on it */
                }
                p1 = ld16(next);   /* the block ends here: pc leaves the page */
            }
        }
        int len = rv_decode(p0, p1, op);
        if (HOST_UNLIKELY(h->deny) && rv_denied(h->deny, p0, p1))
            op->opc = RV_OP_ILLEGAL;
        op->pcoff = (uint16_t)(pc - start);
        op->handler = rv_handler_table ? rv_handler_table[op->opc] : NULL;
        pc += (uint64_t)len;
        n++;
        if (rv_op_is_terminator(op->opc) || n >= max_insns)
            break;
        if ((pc & MEM_PAGE_MASK) != (start & MEM_PAGE_MASK))
            break;
    }
    b->n_insns = n;
    b->n_ops = n;
    if (!rv_op_is_terminator(ops[n - 1].opc)) {
        struct rv_op *op = &ops[n];
        memset(op, 0, sizeof *op);
        op->opc = RV_OP_FALLTHRU;
        op->pcoff = (uint16_t)(pc - start);   /* goes on at its own pc */
        op->handler = rv_handler_table ? rv_handler_table[op->opc] : NULL;
        b->n_ops++;
    }
    h->stat_blocks_translated++;
    return 0;
}

struct rv_block *rv_cache_find(const struct rv_cache *c, uint64_t pc)
{
    struct rv_block *b = c->jc[RV_JC_INDEX(pc)];
    if (b && b->pc == pc)
        return b;
    for (b = c->hash[hash_pc(pc, c->hash_bits)]; b; b = b->hash_next)
        if (b->pc == pc)
            return b;
    return NULL;
}

/* The block at pc if it is kept already, put in the jump cache. */
static struct rv_block *cached(struct rv_cache *c, uint64_t pc)
{
    struct rv_block *b = rv_cache_find(c, pc);
    if (b)
        c->jc[RV_JC_INDEX(pc)] = b;
    return b;
}

/* Decodes the block at pc and keeps it; NULL on a fetch fault. */
static struct rv_block *keep(struct rv_hart *h, uint64_t pc)
{
    struct rv_cache *c = h->cache;
    rv_sync(h);   /* may flush: lay the new block out only afterwards */
    if (c->used + RV_BLOCK_BYTES > ARENA_SIZE || !rv_cache_meter(c, RV_BLOCK_BYTES)) {
        /* Full, or the VM's memory limit allows no more code memory:
         * start again in what it already has. */
        rv_flush_code(h);
        if (!rv_cache_meter(c, RV_BLOCK_BYTES)) {
            fetch_fault(h, pc, MEM_ENOMEM);
            return NULL;
        }
    }
    if (!cache_ready(c)) {
        fetch_fault(h, pc, MEM_ENOMEM);
        return NULL;
    }
    struct rv_block *b = (struct rv_block *)(c->arena + c->used);
    struct rv_op *ops = (struct rv_op *)(b + 1);
    if (build(h, pc, RV_BLOCK_MAX_INSNS, b, ops) != 0)
        return NULL;
    /* The ops go to the domain's store if it has (or takes) them; only
     * the block is the VM's then. */
    const struct rv_op *kept = c->store ? rv_store_intern(c->store, ops, b->n_ops) : NULL;
    size_t size = sizeof(struct rv_block);
    if (kept)
        b->ops = kept;
    else
        size += b->n_ops * sizeof(struct rv_op);
    size = (size + 15) & ~(size_t)15;
    c->used += size;
    if (++c->nblocks > (size_t)2 << c->hash_bits && c->hash_bits < RV_HASH_BITS_MAX)
        hash_grow(c);
    unsigned hi = hash_pc(pc, c->hash_bits);
    b->hash_next = c->hash[hi];
    c->hash[hi] = b;
    c->jc[RV_JC_INDEX(pc)] = b;
    return b;
}

struct rv_block *rv_cache_lookup(struct rv_hart *h, uint64_t pc)
{
    struct rv_block *b = cached(h->cache, pc);
    return b ? b : keep(h, pc);
}

struct rv_block *rv_cache_enter(struct rv_hart *h, uint64_t pc)
{
    struct rv_cache *c = h->cache;
    struct rv_block *b = cached(c, pc);
    if (b)
        return b;
    if (!cache_ready(c)) {
        fetch_fault(h, pc, MEM_ENOMEM);
        return NULL;
    }
    unsigned bit = (unsigned)((pc >> 1) ^ (pc >> (SEEN_BITS + 1))) & ((1u << SEEN_BITS) - 1);
    uint64_t *w = &c->head->seen[bit / 64], m = (uint64_t)1 << (bit % 64);
    if (*w & m)
        return keep(h, pc);
    *w |= m;
    return rv_cache_build_tmp(h, pc, RV_BLOCK_MAX_INSNS);
}

struct rv_block *rv_cache_build_tmp(struct rv_hart *h, uint64_t pc, uint32_t max_insns)
{
    if (!cache_ready(h->cache)) {
        fetch_fault(h, pc, MEM_ENOMEM);
        return NULL;
    }
    struct rv_block *b = &h->cache->tmp->blk;
    if (max_insns == 0)
        max_insns = 1;
    rv_sync(h);
    if (build(h, pc, max_insns, b, (struct rv_op *)(b + 1)) != 0)
        return NULL;
    return b;
}

int rv_block_is_tmp(const struct rv_hart *h, const struct rv_block *b)
{
    return h->cache->tmp && b == &h->cache->tmp->blk;
}
