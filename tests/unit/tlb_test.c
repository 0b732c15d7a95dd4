/*
 * tlb_test.c — the data TLB that grows with the working set (rv/tlb.c).
 *
 * A loop adds 1 to the first word of each of 2048 pages (8 MiB), round
 * after round: with the initial 256 entries nearly every access misses.
 * Checked, with the interpreter and with compiled code (the tables are
 * replaced under the compiled code's feet, at a miss):
 *   - every page's word ends at the number of rounds (counted by hand);
 *   - the tables grew to cover the pages, and misses fell far below one
 *     per access;
 *   - a flush after a period with few misses halves them, and the loop
 *     still gives the right counts afterwards;
 *   - their memory is charged to the pool and given back when the hart
 *     is freed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "rv_enc.h"
#include "mem/mem.h"
#include "rv/cache.h"
#include "rv/rv.h"

#define CODE 0x10000ull
#define DATA 0x1000000ull
#define PAGES 2048u
#define ROUNDS 20u

/* a0 = first page, a1 = pages, a2 = rounds, a3 = stride (one page):
 * for each round, for each page, *(u64 *)page += 1; then ecall. */
static const uint32_t *program(void)
{
    static uint32_t p[11];
    p[0] = enc_i(0x13, 5, 10, 0);        /* 0:  addi t0, a0, 0 */
    p[1] = enc_i(0x13, 6, 11, 0);        /* 4:  addi t1, a1, 0 */
    p[2] = enc_i(0x3003, 7, 5, 0);       /* 8:  ld t2, 0(t0) */
    p[3] = enc_i(0x13, 7, 7, 1);         /* 12: addi t2, t2, 1 */
    p[4] = enc_s(0x3023, 5, 7, 0);       /* 16: sd t2, 0(t0) */
    p[5] = enc_r(0x33, 5, 5, 13);        /* 20: add t0, t0, a3 */
    p[6] = enc_i(0x13, 6, 6, -1);        /* 24: addi t1, t1, -1 */
    p[7] = enc_b(0x1063, 6, 0, -20);     /* 28: bnez t1, 8 */
    p[8] = enc_i(0x13, 12, 12, -1);      /* 32: addi a2, a2, -1 */
    p[9] = enc_b(0x1063, 12, 0, -36);    /* 36: bnez a2, 0 */
    p[10] = 0x73;                        /* 40: ecall */
    return p;
}

static int run(struct rv_hart *h, unsigned rounds)
{
    h->pc = CODE;
    h->x[10] = DATA;
    h->x[11] = PAGES;
    h->x[12] = rounds;
    h->x[13] = MEM_PAGE_SIZE;
    rv_sync(h);
    rv_set_budget(h, INT64_MAX);
    return rv_run(h);
}

/* Every page's first word holds want. */
static bool counts(struct mem_space *as, uint64_t want)
{
    for (unsigned i = 0; i < PAGES; i++) {
        uint64_t v = 0;
        if (mem_read(as, DATA + (uint64_t)i * MEM_PAGE_SIZE, &v, sizeof v) != 0 || v != want) {
            printf("  page %u holds %llu, want %llu\n", i, (unsigned long long)v, (unsigned long long)want);
            return false;
        }
    }
    return true;
}

static uint64_t in_use(struct mem_pool *pool)
{
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    return st.pages_in_use;
}

static void grows_and_shrinks(bool jit)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *as = pool ? mem_space_new(pool) : NULL;
    CHECK(as != NULL);
    if (!as)
        return;
    CHECK(mem_map(as, CODE, MEM_PAGE_SIZE, MEM_R | MEM_X) == 0);
    CHECK(mem_map(as, DATA, (uint64_t)PAGES * MEM_PAGE_SIZE, MEM_R | MEM_W) == 0);
    CHECK(mem_poke(as, CODE, program(), 11 * 4) == 0);
    uint64_t before = in_use(pool);
    struct rv_hart *h = rv_hart_new(as);
    CHECK(h != NULL);
    if (!h)
        return;
    h->no_jit = !jit;
    /* No data tables until the first miss: one read-only entry, no page. */
    CHECK(h->tlb_mask == 0 && !rv_tlb_ready(h));
    uint64_t made = in_use(pool);
    CHECK(run(h, 1) == RV_EXIT_ECALL && counts(as, 1));
    CHECK(h->tlb_mask + 1 >= RV_TLB_SIZE && rv_tlb_ready(h));
    CHECK(in_use(pool) > made);     /* charged when made */

    CHECK(run(h, ROUNDS) == RV_EXIT_ECALL);
    CHECK(h->pc == CODE + 40);
    CHECK(counts(as, ROUNDS + 1));
    CHECK(h->tlb_mask + 1 >= PAGES);
    /* Two accesses per page and round; at 256 entries nearly all missed. */
    CHECK(h->stat_tlb_misses < (uint64_t)PAGES * ROUNDS / 2);
    if (jit)
        CHECK(h->stat_jit_blocks > 0);

    /* The first flush follows a period full of misses: the size stays.
     * The second follows none: half. */
    uint64_t size = h->tlb_mask + 1;
    rv_flush_tlb(h);
    CHECK(h->tlb_mask + 1 == size);
    rv_flush_tlb(h);
    CHECK(h->tlb_mask + 1 == size / 2);
    CHECK(run(h, 1) == RV_EXIT_ECALL);
    CHECK(counts(as, ROUNDS + 2));

    rv_hart_free(h);
    /* The hart and its tables were charged, and are given back (the data
     * pages the loop touched stay with the space). */
    CHECK(in_use(pool) == before + PAGES);
    mem_space_free(as);
    mem_pool_free(pool);
}

static void tlb_grows_interpreted(void)
{
    grows_and_shrinks(false);
}

static void tlb_grows_compiled(void)
{
    grows_and_shrinks(true);
}

int main(void)
{
    rv_run(NULL);
    RUN(tlb_grows_interpreted);
    RUN(tlb_grows_compiled);
    return check_total_failed;
}
