/*
 * store_test.c — decoded code shared by the VMs of a sharing domain
 * (rv/store.c), and blocks kept only from their second entry (rv/cache.c,
 * rv_cache_enter).
 *
 * The guest: a0 = 0, t1 = 10, then a0 += STEP ten times, then ecall. Its
 * blocks are the entry block (run once: the loop's first iteration is in
 * it), the loop (entered nine times more) and the ecall (once), so a0
 * ends at 10 * STEP, worked out by hand. Checked, interpreted and
 * compiled:
 *   - only the loop is kept after one run; the entry block too after a
 *     second;
 *   - two VMs of one domain that run the same code point their blocks at
 *     the same ops, outside both caches, and the store counts the find;
 *     a VM outside any domain keeps its ops itself;
 *   - a VM whose code is rewritten runs the new code, with ops of its
 *     own, while the other VM still runs the old;
 *   - two host threads, each with a VM of the domain, decoding and
 *     running the code at once, with their caches flushed every time.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "rv_enc.h"
#include "mem/mem.h"
#include "rv/cache.h"
#include "rv/rv.h"
#include "rv/store.h"

#define CODE 0x10000ull
#define LOOP (CODE + 8)
#define EXIT (CODE + 20)
#define ROUNDS 10

static void program(uint32_t p[6], int step)
{
    p[0] = enc_i(0x13, 10, 0, 0);        /* 0:  addi a0, zero, 0 */
    p[1] = enc_i(0x13, 6, 0, ROUNDS);    /* 4:  addi t1, zero, 10 */
    p[2] = enc_i(0x13, 10, 10, step);    /* 8:  addi a0, a0, step */
    p[3] = enc_i(0x13, 6, 6, -1);        /* 12: addi t1, t1, -1 */
    p[4] = enc_b(0x1063, 6, 0, -8);      /* 16: bnez t1, 8 */
    p[5] = 0x73;                         /* 20: ecall */
}

struct vm {
    struct mem_pool *pool;
    struct mem_space *as;
    struct rv_hart *h;
};

static bool vm_new(struct vm *v, struct mem_pool *parent, bool jit)
{
    uint32_t p[6];
    program(p, 3);
    v->pool = mem_pool_new_child(parent, 0);
    v->as = v->pool ? mem_space_new(v->pool) : NULL;
    if (!v->as || mem_map(v->as, CODE, MEM_PAGE_SIZE, MEM_R | MEM_X) != 0 || mem_poke(v->as, CODE, p, sizeof p) != 0)
        return false;
    v->h = rv_hart_new(v->as);
    if (!v->h)
        return false;
    v->h->no_jit = !jit;
    return true;
}

static void vm_free(struct vm *v)
{
    rv_hart_free(v->h);
    mem_space_free(v->as);
    mem_pool_free(v->pool);
}

/* Runs the guest from its start: a0, or -1 if it did not reach its ecall. */
static int64_t run(struct vm *v)
{
    struct rv_hart *h = v->h;
    h->pc = CODE;
    rv_sync(h);
    rv_set_budget(h, 1000000);
    if (rv_run(h) != RV_EXIT_ECALL || h->pc != EXIT)
        return -1;
    return (int64_t)h->x[10];
}

static bool own_ops(const struct rv_block *b)
{
    return b->ops == (const struct rv_op *)(b + 1);
}

static void shared(bool jit)
{
    struct mem_pool *dom = mem_pool_new(0);
    if (mem_pool_share(dom, 64) == MEM_ENOSYS) {
        SKIP("built without xxHash (no sharing domains)");
        mem_pool_free(dom);
        return;
    }
    struct mem_pool *alone = mem_pool_new(0);
    struct vm a, b, c;
    CHECK(vm_new(&a, dom, jit) && vm_new(&b, dom, jit) && vm_new(&c, alone, jit));

    /* One run: only the loop is kept. */
    CHECK(run(&a) == 3 * ROUNDS);
    CHECK(rv_cache_find(a.h->cache, CODE) == NULL);
    CHECK(rv_cache_find(a.h->cache, EXIT) == NULL);
    struct rv_block *la = rv_cache_find(a.h->cache, LOOP);
    CHECK(la != NULL);
    /* A second: every block has been entered twice. */
    CHECK(run(&a) == 3 * ROUNDS);
    CHECK(rv_cache_find(a.h->cache, CODE) != NULL && rv_cache_find(a.h->cache, EXIT) != NULL);

    /* The other VM of the domain finds the loop's ops in the store. */
    struct rv_store_stats st0, st1;
    rv_store_stats(rv_store_of(a.pool), &st0);
    CHECK(rv_store_of(b.pool) == rv_store_of(a.pool) && rv_store_of(c.pool) == NULL);
    CHECK(run(&b) == 3 * ROUNDS);
    struct rv_block *lb = rv_cache_find(b.h->cache, LOOP);
    CHECK(la && lb && la != lb && la->ops == lb->ops && !own_ops(la) && !own_ops(lb));
    rv_store_stats(rv_store_of(a.pool), &st1);
    CHECK(st1.found == st0.found + 1 && st1.bodies == st0.bodies && st1.refused == 0);

    /* Outside any domain a VM keeps its own. */
    CHECK(run(&c) == 3 * ROUNDS);
    struct rv_block *lc = rv_cache_find(c.h->cache, LOOP);
    CHECK(lc && own_ops(lc) && la && lc->ops != la->ops);

    /* b's code is rewritten (a += 5): b runs it, with new ops; a still
     * runs its own code. */
    uint32_t p[6];
    program(p, 5);
    CHECK(mem_poke(b.as, CODE, p, sizeof p) == 0);
    CHECK(run(&b) == 5 * ROUNDS);
    CHECK(run(&b) == 5 * ROUNDS);
    lb = rv_cache_find(b.h->cache, LOOP);
    CHECK(lb && la && lb->ops != la->ops && lb->ops[0].imm == 5 && la->ops[0].imm == 3);
    CHECK(run(&a) == 3 * ROUNDS);

    vm_free(&a);
    vm_free(&b);
    vm_free(&c);
    mem_pool_free(alone);
    mem_pool_free(dom);
}

static void store_interpreted(void) { shared(false); }
static void store_compiled(void) { shared(true); }

static void blocks_kept_from_second_entry(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct vm v;
    CHECK(vm_new(&v, pool, false));
    CHECK(run(&v) == 3 * ROUNDS);
    CHECK(v.h->cache->nblocks == 1);    /* the loop */
    CHECK(run(&v) == 3 * ROUNDS);
    CHECK(v.h->cache->nblocks == 3);
    /* A flush forgets which blocks were seen. */
    rv_flush_code(v.h);
    CHECK(run(&v) == 3 * ROUNDS);
    CHECK(v.h->cache->nblocks == 1);
    vm_free(&v);
    mem_pool_free(pool);
}

struct racer {
    struct vm v;
    int bad;
};

static void *race_main(void *arg)
{
    struct racer *r = arg;
    for (int i = 0; i < 300; i++) {
        if (run(&r->v) != 3 * ROUNDS)
            r->bad++;
        rv_flush_code(r->v.h);
    }
    return NULL;
}

static void store_two_threads(void)
{
    struct mem_pool *dom = mem_pool_new(0);
    if (mem_pool_share(dom, 64) == MEM_ENOSYS) {
        SKIP("built without xxHash (no sharing domains)");
        mem_pool_free(dom);
        return;
    }
    struct racer r[2] = { 0 };
    CHECK(vm_new(&r[0].v, dom, true) && vm_new(&r[1].v, dom, true));
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, race_main, &r[i]) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK(r[0].bad == 0 && r[1].bad == 0);
    /* However the two raced, the loop's ops were stored once. */
    struct rv_store_stats st;
    rv_store_stats(rv_store_of(dom), &st);
    CHECK(st.refused == 0 && st.bodies <= 3 && st.found >= 2 * 300 - 3);
    vm_free(&r[0].v);
    vm_free(&r[1].v);
    mem_pool_free(dom);
}

int main(void)
{
    RUN(store_interpreted);
    RUN(store_compiled);
    RUN(blocks_kept_from_second_entry);
    RUN(store_two_threads);
    return check_total_failed;
}
