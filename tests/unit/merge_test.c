/*
 * merge_test.c — content-based page sharing (mem/merge.c): equal pages of
 * two VMs' spaces become one host page, zero pages are dropped, different
 * pages never merge even when every hash collides, a write breaks a share
 * without reaching the other side (also while the scan runs beside the
 * writer), and every page comes back to the pool when the VMs and the
 * domain go.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "mem/mem.h"
#include "tests/unit/check.h"

#define PG MEM_PAGE_SIZE
#define BASE 0x400000ull

static uint64_t in_use(struct mem_pool *pool)
{
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    return st.pages_in_use;
}

static void fill(uint8_t *b, unsigned seed)
{
    for (unsigned i = 0; i < PG; i++)
        b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* Page k of the space holds the bytes of seed[k] (0: zeros). */
static void write_pages(struct mem_space *as, const unsigned *seed, unsigned n)
{
    uint8_t b[PG];
    for (unsigned k = 0; k < n; k++) {
        if (seed[k])
            fill(b, seed[k]);
        else
            memset(b, 0, PG);
        CHECK(mem_write(as, BASE + k * PG, b, PG) == 0);
    }
}

static int check_pages(struct mem_space *as, const unsigned *seed, unsigned n)
{
    uint8_t want[PG], got[PG];
    for (unsigned k = 0; k < n; k++) {
        if (seed[k])
            fill(want, seed[k]);
        else
            memset(want, 0, PG);
        if (mem_read(as, BASE + k * PG, got, PG) != 0 || memcmp(want, got, PG) != 0)
            return 0;
    }
    return 1;
}

static void scan_all(struct mem_pool *dom);

/* A sharing domain (hash_bits) with two VMs' pools and spaces. */
struct pair {
    struct mem_pool *dom, *pa, *pb;
    struct mem_space *a, *b;
};

static bool pair_new(struct pair *p, unsigned hash_bits, unsigned pages)
{
    p->dom = mem_pool_new(0);
    if (mem_pool_share(p->dom, hash_bits) == MEM_ENOSYS) {
        SKIP("built without xxHash");
        mem_pool_free(p->dom);
        return false;
    }
    p->pa = mem_pool_new_child(p->dom, 0);
    p->pb = mem_pool_new_child(p->dom, 0);
    p->a = mem_space_new(p->pa);
    p->b = mem_space_new(p->pb);
    CHECK(mem_map(p->a, BASE, pages * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_map(p->b, BASE, pages * PG, MEM_R | MEM_W) == 0);
    return true;
}

/* Frees the spaces (if still there), the VMs' pools and the domain: every
 * page must have come back. */
static void pair_free(struct pair *p)
{
    mem_space_free(p->a);
    mem_space_free(p->b);
    scan_all(p->dom);       /* a pass frees the kept pages no space maps */
    mem_pool_free(p->pa);
    mem_pool_free(p->pb);
    CHECK(in_use(p->dom) == 0);
    mem_pool_free(p->dom);
}

/* Two passes: the first finds pairs, the second merges them. */
static void scan_all(struct mem_pool *dom)
{
    struct mem_merge_stats st;
    mem_pool_share_stats(dom, &st);
    uint64_t want = st.passes + 2;
    for (int i = 0; i < 1000 && st.passes < want; i++) {
        mem_pool_scan(dom, 100);
        mem_pool_share_stats(dom, &st);
    }
}

static void test_merge_equal_pages(void)
{
    struct pair p;
    if (!pair_new(&p, 64, 5))
        return;
    /* a: 4 pages of 1, 2, 3, 0; b: 1, 2, 9, 0, 1 (1 three times in all). */
    static const unsigned sa[] = { 1, 2, 3, 0 }, sb[] = { 1, 2, 9, 0, 1 };
    write_pages(p.a, sa, 4);
    write_pages(p.b, sb, 5);
    uint64_t before = in_use(p.dom);
    CHECK(mem_space_resident(p.a) == 4 && mem_space_resident(p.b) == 5);
    scan_all(p.dom);
    struct mem_merge_stats st;
    mem_pool_share_stats(p.dom, &st);
    /* 9 pages: two zero pages dropped, three 1s become one, two 2s one. */
    CHECK(st.zeroed == 2);
    CHECK(st.merged == 3);
    CHECK(in_use(p.dom) == before - 5);
    CHECK(mem_space_resident(p.a) == 3 && mem_space_resident(p.b) == 4);
    CHECK(mem_space_shared(p.a) == 2 && mem_space_shared(p.b) == 3);
    CHECK(check_pages(p.a, sa, 4) && check_pages(p.b, sb, 5));
    /* A write to a merged page copies it: the others keep their bytes. */
    static const unsigned sb2[] = { 1, 2, 9, 0, 77 };
    write_pages(p.b, sb2, 5);
    CHECK(check_pages(p.a, sa, 4) && check_pages(p.b, sb2, 5));
    mem_space_free(p.a);
    mem_space_free(p.b);
    p.a = p.b = NULL;
    /* The domain keeps its stable pages until a pass finds them unused. */
    scan_all(p.dom);
    mem_pool_share_stats(p.dom, &st);
    CHECK(st.stable == 0);
    CHECK(in_use(p.pa) == 0 && in_use(p.pb) == 0);
    pair_free(&p);
}

/* With 2-bit hashes nearly every pair of pages collides: only equal bytes
 * may merge. */
static void test_collisions_never_merge_different_pages(void)
{
    struct pair p;
    if (!pair_new(&p, 2, 32))
        return;
    unsigned sa[32], sb[32];
    for (unsigned k = 0; k < 32; k++) {
        sa[k] = 100 + k;
        sb[k] = 200 + k;
    }
    sb[31] = sa[5];     /* one equal pair among 64 pages */
    write_pages(p.a, sa, 32);
    write_pages(p.b, sb, 32);
    scan_all(p.dom);
    scan_all(p.dom);
    struct mem_merge_stats st;
    mem_pool_share_stats(p.dom, &st);
    CHECK(st.merged == 1);
    CHECK(check_pages(p.a, sa, 32) && check_pages(p.b, sb, 32));
    pair_free(&p);
}

struct writer {
    struct mem_space *as;
    _Atomic int stop;
    unsigned last;
};

/* Rewrites page 0 of its space with ever new bytes, half the time the
 * bytes the other space has (so the scan sees it equal, then not). */
static void *writer_main(void *arg)
{
    struct writer *w = arg;
    uint8_t b[PG];
    for (unsigned i = 1; !atomic_load(&w->stop); i++) {
        unsigned seed = i % 2 ? 1 : 1000 + i;
        fill(b, seed);
        if (mem_write(w->as, BASE, b, PG) != 0)
            break;
        w->last = seed;
    }
    return NULL;
}

static void test_concurrent_writes(void)
{
    struct pair p;
    if (!pair_new(&p, 64, 4))
        return;
    static const unsigned one[] = { 1, 1, 1, 1 };
    write_pages(p.a, one, 4);
    write_pages(p.b, one, 4);
    struct writer w = { .as = p.a };
    pthread_t t;
    CHECK(pthread_create(&t, NULL, writer_main, &w) == 0);
    for (int i = 0; i < 2000; i++)
        mem_pool_scan(p.dom, 16);
    atomic_store(&w.stop, 1);
    pthread_join(t, NULL);
    CHECK(check_pages(p.b, one, 4));      /* never saw a's writes */
    unsigned sa[4] = { w.last, 1, 1, 1 };
    CHECK(check_pages(p.a, sa, 4));       /* a's last write stayed */
    struct mem_merge_stats st;
    mem_pool_share_stats(p.dom, &st);
    CHECK(st.merged > 0);
    pair_free(&p);
}

int main(void)
{
    RUN(test_merge_equal_pages);
    RUN(test_collisions_never_merge_different_pages);
    RUN(test_concurrent_writes);
    return check_total_failed;
}
