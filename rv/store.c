/*
 * store.c — a sharing domain's decoded code (rv/store.h).
 *
 * Op sequences ("bodies") are laid out one after another in one lazily
 * backed mapping and found by a hash of their bytes, which only picks the
 * chain: a body is used only if its ops equal the block's byte for byte.
 * One mutex guards the whole store; it is taken only when a VM decodes a
 * block, never as code runs. A body is written before the mutex is let go
 * and never again, so a VM that gets its address under the mutex sees
 * its ops.
 */
#include "rv/store.h"

#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "host/thread.h"

#define STORE_SIZE (16u << 20)   /* bodies beyond this stay in their VMs' caches */
#define STORE_STEP (64u << 10)   /* charged to the domain in steps of this */
#define HASH_BITS 15             /* chains (their table is backed as used) */

struct body {
    struct body *next;
    uint64_t hash;
    uint32_t n;
    struct rv_op ops[];
};

struct rv_store {
    struct host_mutex *mu;
    struct mem_pool *domain;    /* charged for what is below */
    uint8_t *arena;             /* STORE_SIZE bytes, mapped at the first body */
    size_t used, charged;
    struct body **hash;         /* 1 << HASH_BITS chains, with the arena */
    struct rv_store_stats st;
};

static void *store_make(struct mem_pool *domain)
{
    struct rv_store *s = calloc(1, sizeof *s);
    if (!s || !(s->mu = host_mutex_new())) {
        free(s);
        return NULL;
    }
    s->domain = domain;
    return s;
}

static void store_free(void *p)
{
    struct rv_store *s = p;
    mem_pool_charge(s->domain, -(int64_t)(s->charged / MEM_PAGE_SIZE));
    host_page_free(s->arena, STORE_SIZE);
    host_page_free(s->hash, sizeof *s->hash << HASH_BITS);
    host_mutex_free(s->mu);
    free(s);
}

struct rv_store *rv_store_of(struct mem_pool *pool)
{
    return mem_pool_domain_code(pool, store_make, store_free);
}

/* Picks a chain: a multiply-xorshift over the ops' words. */
static uint64_t hash_ops(const struct rv_op *ops, size_t bytes)
{
    const uint8_t *p = (const uint8_t *)ops;
    uint64_t h = bytes * 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return h;
}

/* Room for size more bytes, charged to the domain (mutex held). */
static bool store_room(struct rv_store *s, size_t size)
{
    if (!s->arena) {
        if (!mem_pool_charge(s->domain, (int64_t)MEM_PAGES_OF(STORE_STEP)))
            return false;
        s->arena = host_page_alloc(STORE_SIZE);
        s->hash = host_page_alloc(sizeof *s->hash << HASH_BITS);
        if (!s->arena || !s->hash) {
            host_page_free(s->arena, STORE_SIZE);
            host_page_free(s->hash, sizeof *s->hash << HASH_BITS);
            s->arena = NULL;
            s->hash = NULL;
            mem_pool_charge(s->domain, -(int64_t)MEM_PAGES_OF(STORE_STEP));
            return false;
        }
        s->charged = STORE_STEP;
    }
    if (s->used + size > STORE_SIZE)
        return false;
    /* The chains' table is charged with the bodies: one step for it. */
    size_t need = s->used + size + STORE_STEP;
    if (need > s->charged) {
        size_t step = (need - s->charged + STORE_STEP - 1) / STORE_STEP * STORE_STEP;
        if (!mem_pool_charge(s->domain, (int64_t)(step / MEM_PAGE_SIZE)))
            return false;
        s->charged += step;
    }
    return true;
}

const struct rv_op *rv_store_intern(struct rv_store *s, const struct rv_op *ops, uint32_t n)
{
    size_t bytes = (size_t)n * sizeof *ops;
    uint64_t h = hash_ops(ops, bytes);
    const struct rv_op *found = NULL;
    host_mutex_lock(s->mu);
    struct body **chain = s->hash ? &s->hash[h >> (64 - HASH_BITS)] : NULL;
    for (struct body *b = chain ? *chain : NULL; b; b = b->next)
        if (b->hash == h && b->n == n && memcmp(b->ops, ops, bytes) == 0) {
            found = b->ops;
            s->st.found++;
            break;
        }
    size_t size = (sizeof(struct body) + bytes + 15) & ~(size_t)15;
    if (!found && store_room(s, size)) {
        struct body *b = (struct body *)(s->arena + s->used);
        s->used += size;
        b->hash = h;
        b->n = n;
        memcpy(b->ops, ops, bytes);
        chain = &s->hash[h >> (64 - HASH_BITS)];
        b->next = *chain;
        *chain = b;
        s->st.bodies++;
        s->st.bytes = s->used;
        found = b->ops;
    } else if (!found) {
        s->st.refused++;
    }
    host_mutex_unlock(s->mu);
    return found;
}

void rv_store_stats(struct rv_store *s, struct rv_store_stats *out)
{
    host_mutex_lock(s->mu);
    *out = s->st;
    host_mutex_unlock(s->mu);
}
