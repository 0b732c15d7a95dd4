/*
 * mem_test.c — the page pool and address spaces: absent pages read as
 * zero, first writes allocate, sharing is copy-on-write, permissions and
 * limits hold, generations move when TLB entries must die.
 */
#include <string.h>

#include "mem/mem.h"
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
    return check_total_failed;
}
