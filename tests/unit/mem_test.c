/*
 * mem_test.c — the page pool and address spaces: absent pages read as
 * zero, first writes allocate, sharing is copy-on-write, permissions and
 * limits hold, generations move when TLB entries must die, whole chunks
 * of free pages go back to the host.
 */
#include <string.h>

#include "mem/mem.h"
#include "mem/mem_int.h"
#include "tests/unit/check.h"

#define PG MEM_PAGE_SIZE

static void test_absent_reads_zero(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *as = mem_space_new(pool);
    uint8_t buf[16] = { 1 };
    CHECK(mem_map(as, 0x10000, 4 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_read(as, 0x10000 + 100, buf, sizeof buf) == 0);
    for (unsigned i = 0; i < sizeof buf; i++)
        CHECK(buf[i] == 0);
    CHECK(mem_space_resident(as) == 0);       /* reading allocated nothing */
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    uint64_t before = st.pages_in_use;
    CHECK(mem_write(as, 0x10000 + PG + 5, "abc", 3) == 0);
    CHECK(mem_space_resident(as) == 1);
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use == before + 1);
    CHECK(st.zero_fills == 1);
    CHECK(mem_read(as, 0x10000 + PG + 4, buf, 5) == 0);
    CHECK(memcmp(buf, "\0abc\0", 5) == 0);
    mem_space_free(as);
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use == 0);              /* tables and pages returned */
    mem_pool_free(pool);
}

static void test_permissions(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *as = mem_space_new(pool);
    uint8_t b = 7;
    int err = 0;
    CHECK(mem_map(as, 0x20000, PG, MEM_R) == 0);
    CHECK(mem_write(as, 0x20000, &b, 1) == MEM_EFAULT);
    CHECK(mem_poke(as, 0x20000, &b, 1) == 0);   /* the loader may */
    CHECK(mem_read(as, 0x20000, &b, 1) == 0 && b == 7);
    CHECK(mem_translate(as, 0x20000, MEM_X, &err) == NULL && err == MEM_EFAULT);
    CHECK(mem_read(as, 0x30000, &b, 1) == MEM_EFAULT);          /* unmapped */
    CHECK(mem_read(as, 0x20000 + PG - 1, &b, 2) == MEM_EFAULT); /* runs off the end */
    CHECK(mem_read(as, 1ull << 60, &b, 1) == MEM_EFAULT);       /* beyond 48 bits */
    CHECK(mem_protect(as, 0x20000, PG, MEM_R | MEM_W) == 0);
    CHECK(mem_write(as, 0x20000, &b, 1) == 0);
    CHECK(mem_protect(as, 0x20000, 2 * PG, MEM_R) == MEM_ENOMEM); /* second page unmapped */
    CHECK(mem_prot_at(as, 0x20000) == (MEM_R | MEM_W));
    CHECK(mem_map(as, 0x20001, PG, MEM_R) == MEM_EINVAL);
    CHECK(mem_unmap(as, 0x20000, PG) == 0);
    CHECK(mem_is_free(as, 0x20000, PG));
    CHECK(mem_read(as, 0x20000, &b, 1) == MEM_EFAULT);
    mem_space_free(as);
    mem_pool_free(pool);
}

static void test_cow_share(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *a = mem_space_new(pool), *b = mem_space_new(pool);
    char buf[8];
    CHECK(mem_map(a, 0x40000, 2 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_write(a, 0x40000, "parent", 7) == 0);
    uint64_t gen_a = mem_space_gen(a);
    CHECK(mem_share(b, 0x80000, a, 0x40000, 2 * PG) == 0);
    CHECK(mem_space_gen(a) != gen_a);          /* a's write entries must die */
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    uint64_t shared_pages = st.pages_in_use;
    CHECK(mem_read(b, 0x80000, buf, 7) == 0 && strcmp(buf, "parent") == 0);
    CHECK(mem_write(b, 0x80000, "child", 6) == 0);       /* copies */
    CHECK(mem_read(a, 0x40000, buf, 7) == 0 && strcmp(buf, "parent") == 0);
    CHECK(mem_read(b, 0x80000, buf, 6) == 0 && strcmp(buf, "child") == 0);
    mem_pool_stats(pool, &st);
    CHECK(st.cow_copies == 1);
    CHECK(st.pages_in_use == shared_pages + 1);
    /* The second page was absent in a: still absent (zero) in b. */
    CHECK(mem_read(b, 0x80000 + PG, buf, 1) == 0 && buf[0] == 0);
    /* a writes its page: it is the last holder now, so no copy. */
    CHECK(mem_write(a, 0x40000, "P", 1) == 0);
    mem_pool_stats(pool, &st);
    CHECK(st.cow_copies == 1);
    mem_space_free(b);
    mem_space_free(a);
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use == 0);
    mem_pool_free(pool);
}

static void test_limit(void)
{
    struct mem_pool *pool = mem_pool_new(64 * PG);
    struct mem_space *as = mem_space_new(pool);
    CHECK(mem_map(as, 0x100000, 1024 * PG, MEM_R | MEM_W) == 0);
    int failed_at = -1;
    for (int i = 0; i < 1024; i++)
        if (mem_write(as, 0x100000 + (uint64_t)i * PG, "x", 1) != 0) {
            failed_at = i;
            break;
        }
    CHECK(failed_at > 0 && failed_at < 64);      /* tables count too */
    CHECK(mem_write(as, 0x100000 + 1000 * PG, "x", 1) == MEM_ENOMEM);
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use <= 64);
    mem_space_free(as);
    mem_pool_free(pool);
}

static void test_code_gen(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *as = mem_space_new(pool);
    CHECK(mem_map(as, 0x10000, PG, MEM_R | MEM_W | MEM_X) == 0);
    CHECK(mem_write(as, 0x10000, "\x13\0\0\0", 4) == 0);
    uint64_t cg = mem_space_code_gen(as), g = mem_space_gen(as);
    mem_mark_code(as, 0x10000);
    CHECK(mem_space_gen(as) != g);             /* write entries of the page go */
    CHECK(mem_space_code_gen(as) == cg);
    CHECK(mem_write(as, 0x10004, "\x13\0\0\0", 4) == 0);
    CHECK(mem_space_code_gen(as) != cg);       /* decoded blocks are stale */
    cg = mem_space_code_gen(as);
    CHECK(mem_write(as, 0x10008, "\x13\0\0\0", 4) == 0);
    CHECK(mem_space_code_gen(as) == cg);       /* flag was cleared: no more bumps */
    mem_space_free(as);
    mem_pool_free(pool);
}

static void test_move_discard(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *as = mem_space_new(pool);
    char buf[4];
    CHECK(mem_map(as, 0x10000, 2 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_write(as, 0x10000 + PG, "mv", 3) == 0);
    CHECK(mem_move(as, 0x10000, 0x50000, 2 * PG) == 0);
    CHECK(mem_is_free(as, 0x10000, 2 * PG));
    CHECK(mem_read(as, 0x50000 + PG, buf, 3) == 0 && strcmp(buf, "mv") == 0);
    CHECK(mem_move(as, 0x50000, 0x51000, 2 * PG) == MEM_EINVAL);   /* overlap */
    CHECK(mem_discard(as, 0x50000, 2 * PG) == 0);
    CHECK(mem_read(as, 0x50000 + PG, buf, 3) == 0 && buf[0] == 0 && buf[1] == 0);
    CHECK(mem_space_resident(as) == 0);
    mem_space_free(as);
    mem_pool_free(pool);
}

static void test_read_str(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *as = mem_space_new(pool);
    char buf[8];
    CHECK(mem_map(as, 0x10000, 2 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_write(as, 0x10000 + PG - 3, "abcdef", 7) == 0);   /* spans pages */
    CHECK(mem_read_str(as, 0x10000 + PG - 3, buf, sizeof buf) == 6 && strcmp(buf, "abcdef") == 0);
    CHECK(mem_read_str(as, 0x10000 + PG - 3, buf, 4) == -36);
    CHECK(mem_write(as, 0x10000 + 2 * PG - 2, "xy", 2) == 0);     /* no terminator before the end */
    CHECK(mem_read_str(as, 0x10000 + 2 * PG - 2, buf, sizeof buf) == MEM_EFAULT);
    mem_space_free(as);
    mem_pool_free(pool);
}

/* A space whose pages live in another (memory not unrolled), twice over. */
static void test_backing_chain(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *root = mem_space_new(pool), *mid = mem_space_new(pool), *leaf = mem_space_new(pool);
    char buf[8];
    CHECK(mem_space_set_backing(mid, root) == 0);
    CHECK(mem_space_set_backing(leaf, mid) == 0);
    CHECK(mem_space_set_backing(leaf, root) == MEM_EINVAL);      /* once only */
    CHECK(mem_map(leaf, 0x10000, 2 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_read(leaf, 0x10000, buf, 4) == 0 && buf[0] == 0);  /* absent: zero */
    CHECK(mem_space_resident(root) == 0);
    CHECK(mem_write(leaf, 0x10000 + 8, "deep", 5) == 0);
    CHECK(mem_read(leaf, 0x10000 + 8, buf, 5) == 0 && strcmp(buf, "deep") == 0);
    /* The page is the root's: one host page, held there, none below. */
    CHECK(mem_space_resident(root) == 1 && mem_space_resident(mid) == 0 && mem_space_resident(leaf) == 0);
    /* Unmapping in the leaf frees the root's page; mapping again reads zero. */
    CHECK(mem_unmap(leaf, 0x10000, 2 * PG) == 0);
    CHECK(mem_space_resident(root) == 0);
    CHECK(mem_map(leaf, 0x10000, PG, MEM_R | MEM_W) == 0);
    CHECK(mem_read(leaf, 0x10000 + 8, buf, 5) == 0 && buf[0] == 0);
    CHECK(mem_write(leaf, 0x10000, "x", 1) == 0);
    /* Moving pages carries the data along. */
    CHECK(mem_move(leaf, 0x10000, 0x40000, PG) == 0);
    CHECK(mem_read(leaf, 0x40000, buf, 1) == 0 && buf[0] == 'x');
    CHECK(mem_share(root, 0x10000, leaf, 0x40000, PG) == MEM_EINVAL);
    mem_space_free(leaf);
    CHECK(mem_space_resident(root) == 0);     /* the leaf's pages went with it */
    mem_space_free(mid);
    mem_space_free(root);
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use == 0);
    mem_pool_free(pool);
}

/* A child pool's pages count against every ancestor's limit. */
static void test_pool_subtree(void)
{
    struct mem_pool *parent = mem_pool_new(32 * PG);
    struct mem_pool *child = mem_pool_new_child(parent, 0);
    struct mem_space *as = mem_space_new(child);
    CHECK(mem_map(as, 0x100000, 64 * PG, MEM_R | MEM_W) == 0);
    int ok = 0;
    for (int i = 0; i < 64; i++)
        if (mem_write(as, 0x100000 + (uint64_t)i * PG, "x", 1) == 0)
            ok++;
    CHECK(ok > 0 && ok < 32);
    struct mem_stats ps, cs;
    mem_pool_stats(parent, &ps);
    mem_pool_stats(child, &cs);
    CHECK(ps.pages_in_use == cs.pages_in_use && ps.pages_in_use <= 32);
    mem_space_free(as);
    mem_pool_stats(parent, &ps);
    CHECK(ps.pages_in_use == 0);
    mem_pool_free(child);
    mem_pool_free(parent);
}

/* A pool on huge pages: 1200 pages (past two huge pages, so a chunk from
 * the spare half and a fresh huge page) are zero when handed out, each
 * its own, within 2 MiB of each other in pairs of chunks, and come back
 * zero after being freed and written. */
static void test_huge_pages(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    mem_pool_use_huge_pages(pool);
    enum { N = 1200 };
    static struct mem_page *pg[N];
    static const uint8_t zero[PG];
    for (int i = 0; i < N; i++) {
        pg[i] = mem_page_alloc(pool);
        CHECK(pg[i] && memcmp(pg[i]->data, zero, PG) == 0);
        if (!pg[i])
            return;
        memset(pg[i]->data, i & 0xff ? i & 0xff : 1, PG);
    }
    for (int i = 0; i < N; i++)
        CHECK(pg[i]->data[0] == (i & 0xff ? i & 0xff : 1) && pg[i]->data[PG - 1] == pg[i]->data[0]);
    /* The first 512 pages lie in one 2 MiB-aligned stretch. */
    uintptr_t lo = (uintptr_t)pg[0]->data, hi = lo;
    for (int i = 0; i < 512; i++) {
        uintptr_t a = (uintptr_t)pg[i]->data;
        lo = a < lo ? a : lo;
        hi = a > hi ? a : hi;
    }
    CHECK(lo % (2u << 20) == 0 && hi - lo == 511 * PG);
    for (int i = 0; i < N; i++)
        mem_page_unref(pool, pg[i]);
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use == 0 && st.pages_peak == N);
    struct mem_page *again = mem_page_alloc(pool);
    CHECK(again && memcmp(again->data, zero, PG) == 0);
    if (again)
        mem_page_unref(pool, again);
    mem_pool_free(pool);
}

/* A pager of the pattern page(va): counts its calls; gives the pages of
 * the aligned group of four around va; fails once told to. */
struct test_pager {
    struct mem_pager pager;
    int fills, released;
    bool fail;
};

static void pattern(uint64_t va, uint8_t *d)
{
    for (unsigned i = 0; i < PG; i++)
        d[i] = (uint8_t)(va >> 12) ^ (uint8_t)i;
}

static int test_fill(struct mem_pager *pg, struct mem_space *as, uint64_t va, char *why, size_t whylen)
{
    struct test_pager *t = (struct test_pager *)pg;
    t->fills++;
    if (t->fail) {
        snprintf(why, whylen, "section 3 is corrupt");
        return -5;
    }
    uint8_t d[4096];
    uint64_t base = va & ~(uint64_t)(4 * PG - 1);
    for (uint64_t a = base; a < base + 4 * PG; a += PG) {
        pattern(a, d);
        int r = mem_pager_put(as, a, d);
        if (r != 0)
            return r;
    }
    return 0;
}

static void test_release(struct mem_pager *pg)
{
    ((struct test_pager *)pg)->released++;
}

static int count_pages(void *ctx, uint64_t va, int prot, bool shared, const uint8_t *data)
{
    (void)va, (void)prot, (void)shared;
    *(int *)ctx += data != NULL;
    return 0;
}

static void test_lazy_pages(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *as = mem_space_new(pool);
    struct test_pager t = { { test_fill, test_release }, 0, 0, false };
    uint8_t want[4096], got[4096];
    CHECK(mem_map(as, 0x400000, 16 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_set_lazy(as, 0x400000, 16 * PG) == MEM_EINVAL);     /* no pager yet */
    CHECK(mem_space_set_pager(as, &t.pager) == 0);
    CHECK(mem_space_set_pager(as, &t.pager) == MEM_EINVAL);      /* one only */
    CHECK(mem_write(as, 0x400000, "w", 1) == 0);     /* written before: not lazy */
    CHECK(mem_set_lazy(as, 0x400000, 16 * PG) == 0);
    CHECK(mem_space_lazy(as) == 15 && mem_space_resident(as) == 1 && t.fills == 0);
    /* Nothing is loaded before it is needed; a read loads its group. */
    CHECK(mem_read(as, 0x401000 + 100, got, 8) == 0 && t.fills == 1);
    pattern(0x401000, want);
    CHECK(memcmp(got, want + 100, 8) == 0);
    CHECK(mem_space_lazy(as) == 12 && mem_space_resident(as) == 4);
    CHECK(mem_read(as, 0x400000, got, 1) == 0 && got[0] == 'w');   /* kept */
    CHECK(mem_read(as, 0x403000, got, PG) == 0 && t.fills == 1);
    /* A write loads the page first, then changes it. */
    CHECK(mem_write(as, 0x404010, "ab", 2) == 0 && t.fills == 2);
    CHECK(mem_read(as, 0x404000, got, PG) == 0);
    pattern(0x404000, want);
    memcpy(want + 0x10, "ab", 2);
    CHECK(memcmp(got, want, PG) == 0);
    /* Unmapped or discarded lazy pages are never loaded. */
    CHECK(mem_unmap(as, 0x408000, 4 * PG) == 0);
    CHECK(mem_discard(as, 0x40c000, PG) == 0);
    CHECK(mem_read(as, 0x40c000, got, 8) == 0 && got[0] == 0 && t.fills == 2);
    /* Stats walk without loading; a snapshot's walk loads the rest. */
    CHECK(mem_space_shared(as) == 0 && t.fills == 2);
    int with_bytes = 0;
    CHECK(mem_space_walk(as, count_pages, &with_bytes) == 0);
    CHECK(t.fills == 3 && with_bytes == 11 && mem_space_lazy(as) == 0);
    CHECK(t.released == 1);     /* nothing left to give: the pager went */
    mem_space_free(as);
    CHECK(t.released == 1);

    /* A fork's share and a move load their source first. */
    as = mem_space_new(pool);
    struct mem_space *child = mem_space_new(pool);
    struct test_pager u = { { test_fill, test_release }, 0, 0, false };
    CHECK(mem_map(as, 0x400000, 8 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_space_set_pager(as, &u.pager) == 0 && mem_set_lazy(as, 0x400000, 8 * PG) == 0);
    CHECK(mem_share(child, 0x400000, as, 0x400000, 4 * PG) == 0 && u.fills == 1);
    CHECK(mem_read(child, 0x402000, got, PG) == 0);
    pattern(0x402000, want);
    CHECK(memcmp(got, want, PG) == 0);
    CHECK(mem_move(as, 0x404000, 0x500000, 4 * PG) == 0 && u.fills == 2);
    CHECK(mem_read(as, 0x501000, got, PG) == 0);
    pattern(0x405000, want);
    CHECK(memcmp(got, want, PG) == 0 && u.released == 1);
    mem_space_free(child);
    mem_space_free(as);

    /* A pager that fails: the page stays unloaded, the space's memory is
     * lost for good (every later load fails), and says why. */
    as = mem_space_new(pool);
    struct test_pager v = { { test_fill, test_release }, 0, 0, true };
    CHECK(mem_map(as, 0x400000, 8 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_space_set_pager(as, &v.pager) == 0 && mem_set_lazy(as, 0x400000, 8 * PG) == 0);
    CHECK(mem_space_lost(as) == NULL);
    int err = 0;
    CHECK(mem_translate(as, 0x400000, MEM_R, &err) == NULL && err == MEM_EIO);
    CHECK(mem_space_lost(as) && strstr(mem_space_lost(as), "section 3 is corrupt"));
    v.fail = false;
    CHECK(mem_read(as, 0x404000, got, 1) == MEM_EIO && v.fills == 1);
    CHECK(mem_peek_page(as, 0x404000, got) == MEM_EIO);
    mem_space_free(as);
    CHECK(v.released == 1);

    /* Over the pool's limit a load fails with ENOMEM and may be retried. */
    struct mem_pool *small = mem_pool_new(40 * PG);
    as = mem_space_new(small);
    struct test_pager w = { { test_fill, test_release }, 0, 0, false };
    CHECK(mem_map(as, 0x400000, 64 * PG, MEM_R | MEM_W) == 0);
    CHECK(mem_space_set_pager(as, &w.pager) == 0 && mem_set_lazy(as, 0x400000, 64 * PG) == 0);
    int loaded = 0;
    for (uint64_t a = 0x400000; a < 0x400000 + 64 * PG; a += PG)
        loaded += mem_read(as, a, got, 1) == 0;
    CHECK(loaded > 0 && loaded < 64 && mem_space_lost(as) == NULL);
    mem_space_free(as);
    mem_pool_free(small);
    mem_pool_free(pool);
}

static uint64_t pages_in_use(struct mem_pool *pool)
{
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    return st.pages_in_use;
}

static uint64_t cow_copies(struct mem_pool *pool)
{
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    return st.cow_copies;
}

/* A page's bytes for tag; does as hold them at va? */
static void tagged(uint64_t tag, uint8_t *d)
{
    for (unsigned i = 0; i < PG; i++)
        d[i] = (uint8_t)(tag * 131 + i + (tag >> 8));
}

static bool holds(struct mem_space *as, uint64_t va, uint64_t tag)
{
    uint8_t want[PG], got[PG];
    tagged(tag, want);
    return mem_read(as, va, got, PG) == 0 && memcmp(want, got, PG) == 0;
}

static int write_tag(struct mem_space *as, uint64_t va, uint64_t tag)
{
    uint8_t d[PG];
    tagged(tag, d);
    return mem_write(as, va, d, PG);
}

/*
 * Page tables shared whole (mem_share_all, and mem_share of whole tables'
 * spans): each side sees the other's pages until it writes, then its own;
 * a table is copied before either side changes it; what one side unmaps
 * or protects stays for the others; every page comes back at the end.
 */
#define TBL (512 * PG)      /* what one leaf table maps */

static void test_shared_tables(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *a = mem_space_new(pool), *b = mem_space_new(pool), *c = mem_space_new(pool);
    const uint64_t big = 0x40000000, small = 0x10000;   /* 4 whole tables; part of one */
    uint8_t d[PG];
    CHECK(mem_map(a, big, 4 * TBL, MEM_R | MEM_W) == 0);
    CHECK(mem_map(a, small, 32 * PG, MEM_R | MEM_W | MEM_X) == 0);
    for (uint64_t i = 0; i < 4 * 512; i += 7)      /* page i holds tag i */
        CHECK(write_tag(a, big + i * PG, i) == 0);
    CHECK(write_tag(a, small + 3 * PG, 9000) == 0);
    uint64_t resident = mem_space_resident(a), in_use = pages_in_use(pool), copies = cow_copies(pool);

    CHECK(mem_share_all(b, a) == 0);
    CHECK(mem_share_all(b, a) == MEM_EINVAL && mem_share_all(a, a) == MEM_EINVAL);   /* b is not empty now */
    CHECK(mem_space_resident(b) == resident);
    CHECK(mem_space_shared(b) == resident && mem_space_shared(a) == resident);
    /* No page was copied, and b has no tables of its own: its three
     * directories, and the five shared tables (which stand for a's own). */
    CHECK(cow_copies(pool) == copies);
    CHECK(pages_in_use(pool) - in_use <= 3 + 5 * 2);
    CHECK(holds(b, big + 700 * PG, 700) && holds(b, small + 3 * PG, 9000));
    CHECK(mem_read(b, big + 701 * PG, d, PG) == 0 && d[0] == 0 && d[PG - 1] == 0);    /* absent: zero */
    CHECK(mem_is_mapped(b, big, 4 * TBL) && mem_is_mapped(b, small, 32 * PG));
    CHECK(mem_is_free(b, small + 32 * PG, PG) && mem_prot_at(b, small) == (MEM_R | MEM_W | MEM_X));
    /* The same permissions again: nothing to copy. */
    in_use = pages_in_use(pool);
    CHECK(mem_protect(b, big, 4 * TBL, MEM_R | MEM_W) == 0 && pages_in_use(pool) == in_use);

    /* A write copies the page (and b's table); nothing of a's changes. */
    CHECK(write_tag(b, big + 700 * PG, 5000) == 0);
    CHECK(cow_copies(pool) == copies + 1);
    CHECK(holds(b, big + 700 * PG, 5000) && holds(a, big + 700 * PG, 700) && holds(b, big + 707 * PG, 707));
    /* a writes a page it shares with b through a table: copied too. */
    CHECK(write_tag(a, big + 7 * PG, 6000) == 0);
    CHECK(holds(a, big + 7 * PG, 6000) && holds(b, big + 7 * PG, 7));
    /* The page b copied is a's alone again: written in place. */
    copies = cow_copies(pool);
    CHECK(write_tag(a, big + 700 * PG, 6001) == 0 && cow_copies(pool) == copies);
    CHECK(holds(b, big + 700 * PG, 5000) && holds(a, big + 700 * PG, 6001));

    /* A third holder; then a lets go of a whole table and protects another. */
    CHECK(mem_share_all(c, a) == 0);
    CHECK(holds(c, big + 700 * PG, 6001) && holds(c, big + 7 * PG, 6000));
    CHECK(mem_unmap(a, big + 2 * TBL, TBL) == 0);
    CHECK(mem_read(a, big + 2 * TBL, d, 1) == MEM_EFAULT);
    CHECK(holds(b, big + 2 * TBL + 5 * PG, 1029) && holds(c, big + 2 * TBL + 5 * PG, 1029));
    CHECK(mem_protect(a, big + 3 * TBL, TBL, MEM_R) == 0);
    CHECK(mem_write(a, big + 3 * TBL, d, 1) == MEM_EFAULT && mem_write(c, big + 3 * TBL, d, 1) == 0);
    CHECK(mem_prot_at(b, big + 3 * TBL) == (MEM_R | MEM_W));
    /* b unmaps part of a shared table: the rest stays, and c keeps all. */
    CHECK(mem_unmap(b, big + 14 * PG, 2 * PG) == 0);
    CHECK(mem_read(b, big + 14 * PG, d, 1) == MEM_EFAULT && holds(c, big + 14 * PG, 14));
    CHECK(holds(b, big + 21 * PG, 21));

    mem_space_free(a);
    CHECK(holds(b, big + 2 * TBL + 12 * PG, 1036) && holds(c, small + 3 * PG, 9000));
    mem_space_free(c);
    CHECK(holds(b, big + 3 * TBL + 4 * PG, 1540));
    mem_space_free(b);
    CHECK(pages_in_use(pool) == 0);
    mem_pool_free(pool);
}

/* mem_share of part of a table lends it whole only if the table maps
 * nothing else: the other side never gains a page it was not given. */
static void test_share_part_of_table(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *a = mem_space_new(pool), *b = mem_space_new(pool), *c = mem_space_new(pool);
    const uint64_t t = 0x200000;
    CHECK(mem_map(a, t, 16 * PG, MEM_R | MEM_W) == 0 && mem_map(a, t + 256 * PG, 16 * PG, MEM_R | MEM_W) == 0);
    CHECK(write_tag(a, t + PG, 1) == 0 && write_tag(a, t + 257 * PG, 2) == 0);
    CHECK(mem_share(b, t, a, t, 16 * PG) == 0);
    CHECK(holds(b, t + PG, 1) && mem_is_free(b, t + 16 * PG, 256 * PG));
    CHECK(mem_share(c, t, a, t, 272 * PG) == 0);     /* all a maps there */
    CHECK(holds(c, t + PG, 1) && holds(c, t + 257 * PG, 2) && mem_is_free(c, t + 16 * PG, 240 * PG));
    /* A table shared at another place in the table's span: page by page. */
    CHECK(mem_share(b, t + 64 * PG, a, t + 256 * PG, 16 * PG) == 0 && holds(b, t + 65 * PG, 2));
    CHECK(write_tag(c, t + 257 * PG, 3) == 0 && holds(a, t + 257 * PG, 2) && holds(b, t + 65 * PG, 2));
    mem_space_free(a);
    mem_space_free(b);
    CHECK(holds(c, t + 257 * PG, 3));
    mem_space_free(c);
    CHECK(pages_in_use(pool) == 0);
    mem_pool_free(pool);
}

/*
 * mem_pool_retire. A fresh pool hands out its chunks' pages in order (256
 * a chunk), so 6 * 256 pages fill six chunks. All are freed but one of
 * the second chunk: the first, third, fourth and fifth chunks go back;
 * the second stays (a page in use, which keeps its bytes) and so does the
 * sixth (the newest). Not while a scan is in, nor again when nothing
 * changed. The pool then hands out pages as before: zero, and none of
 * them the one in use. (Under AddressSanitizer, a descriptor used after
 * its chunk went would be reported.)
 */
static void test_retire_chunks(void)
{
    enum { CHUNK = 256, N = 6 * CHUNK, KEEP = CHUNK + 44, AGAIN = 600 };
    static struct mem_page *pg[N], *again[AGAIN];
    struct mem_pool *pool = mem_pool_new(0);
    for (unsigned i = 0; i < N; i++)
        CHECK((pg[i] = mem_page_alloc(pool)) != NULL);
    if (check_failed)
        return;
    for (unsigned i = 0; i < PG; i++)
        pg[KEEP]->data[i] = (uint8_t)(i * 7 + 1);
    for (unsigned i = 0; i < N; i++)
        if (i != KEEP)
            mem_page_unref(pool, pg[i]);
    mem_pool_scan_enter(pool);
    CHECK(mem_pool_retire(pool) == 0);
    mem_pool_scan_exit(pool);
    CHECK(mem_pool_retire(pool) == 4 * CHUNK);
    CHECK(mem_pool_retire(pool) == 0);
    for (unsigned i = 0; i < PG; i++)
        CHECK(pg[KEEP]->data[i] == (uint8_t)(i * 7 + 1));
    for (unsigned i = 0; i < AGAIN; i++) {
        CHECK((again[i] = mem_page_alloc(pool)) != NULL);
        if (!again[i])
            return;
        CHECK(again[i] != pg[KEEP] && again[i]->data != pg[KEEP]->data);
        for (unsigned k = 0; k < PG; k += 512)
            CHECK(again[i]->data[k] == 0);
        again[i]->data[0] = 1;
    }
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use == AGAIN + 1);
    for (unsigned i = 0; i < AGAIN; i++)
        mem_page_unref(pool, again[i]);
    mem_page_unref(pool, pg[KEEP]);
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use == 0);
    mem_pool_free(pool);
}

int main(void)
{
    RUN(test_absent_reads_zero);
    RUN(test_permissions);
    RUN(test_cow_share);
    RUN(test_limit);
    RUN(test_code_gen);
    RUN(test_move_discard);
    RUN(test_read_str);
    RUN(test_backing_chain);
    RUN(test_pool_subtree);
    RUN(test_huge_pages);
    RUN(test_lazy_pages);
    RUN(test_shared_tables);
    RUN(test_share_part_of_table);
    RUN(test_retire_chunks);
    return check_total_failed;
}
