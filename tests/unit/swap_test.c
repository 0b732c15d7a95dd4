/*
 * swap_test.c — cold pages to a swap file (mem/swap.c): pages go out and
 * come back byte for byte, freeing their pool's pages meanwhile; shared
 * memory never goes; the clock gives touched pages a second chance; a
 * slot whose bytes changed in the file is never used (the space's memory
 * is lost, saying so) while another space of the same pool goes on; the
 * swap's own limit holds; slots come back on unmap and when a space goes.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem/mem.h"
#include "tests/unit/check.h"

#define PG MEM_PAGE_SIZE
#define BASE 0x400000ull

static void fill(uint8_t *b, unsigned seed)
{
    for (unsigned i = 0; i < PG; i++)
        b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8) + 1);
}

static void write_pages(struct mem_space *as, unsigned first, unsigned n, unsigned salt)
{
    uint8_t b[PG];
    for (unsigned k = first; k < first + n; k++) {
        fill(b, k + salt);
        CHECK(mem_write(as, BASE + (uint64_t)k * PG, b, PG) == 0);
    }
}

static int pages_ok(struct mem_space *as, unsigned first, unsigned n, unsigned salt)
{
    uint8_t want[PG], got[PG];
    for (unsigned k = first; k < first + n; k++) {
        fill(want, k + salt);
        if (mem_read(as, BASE + (uint64_t)k * PG, got, PG) != 0 || memcmp(want, got, PG) != 0)
            return 0;
    }
    return 1;
}

static uint64_t in_use(struct mem_pool *pool)
{
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    return st.pages_in_use;
}

static struct mem_swap_stats swap_stats(struct mem_pool *pool)
{
    struct mem_swap_stats st;
    CHECK(mem_pool_swap_stats(pool, &st) == 0);
    return st;
}

/* A pool with a swap file (unlinked); *spy: another descriptor of it. */
static struct mem_pool *pool_with_swap(uint64_t max_bytes, int *spy)
{
    char path[] = "/tmp/mvm-swap-test.XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    unlink(path);
    if (spy)
        *spy = dup(fd);
    struct mem_pool *pool = mem_pool_new(0);
    CHECK(pool && mem_pool_swap(pool, fd, max_bytes) == 0);
    return pool;
}

static void test_round_trip(void)
{
    struct mem_pool *pool = pool_with_swap(0, NULL);
    struct mem_space *as = mem_space_new(pool);
    CHECK(mem_map(as, BASE, 66 * PG, MEM_R | MEM_W) == 0);
    write_pages(as, 0, 64, 0);
    CHECK(mem_set_shared(as, BASE + 64 * PG, PG) == 0);     /* shared memory: stays */
    write_pages(as, 64, 1, 0);                              /* page 65: never touched */
    uint64_t before = in_use(pool);
    CHECK(mem_space_resident(as) == 65);
    long out = mem_pool_swap_out(pool, 1000, true);
    CHECK(out == 64);
    CHECK(mem_space_swapped(as) == 64 && mem_space_resident(as) == 1);
    CHECK(in_use(pool) == before - 64);
    struct mem_swap_stats st = swap_stats(pool);
    CHECK(st.swapped_out == 64 && st.slots_used == 64 && st.swapped_in == 0);
    CHECK(pages_ok(as, 0, 65, 0));
    st = swap_stats(pool);
    CHECK(st.swapped_in == 64 && st.slots_used == 0 && st.corrupt == 0);
    CHECK(mem_space_swapped(as) == 0 && mem_space_resident(as) == 65 && in_use(pool) == before);
    CHECK(mem_space_lost(as) == NULL);
    mem_space_free(as);
    CHECK(in_use(pool) == 0);
    mem_pool_free(pool);
}

static void test_second_chance(void)
{
    struct mem_pool *pool = pool_with_swap(0, NULL);
    struct mem_space *as = mem_space_new(pool);
    CHECK(mem_map(as, BASE, 32 * PG, MEM_R | MEM_W) == 0);
    write_pages(as, 0, 32, 5);
    /* A turn clears every bit; the next takes page 0. */
    CHECK(mem_pool_swap_out(pool, 1, true) == 1);
    CHECK(pages_ok(as, 1, 15, 5));          /* pages 1-15 touched again */
    CHECK(swap_stats(pool).swapped_in == 0);
    /* The hand goes on from page 1: the touched pages stay, the others go. */
    CHECK(mem_pool_swap_out(pool, 16, true) == 16);
    CHECK(mem_space_resident(as) == 15 && mem_space_swapped(as) == 17);
    CHECK(pages_ok(as, 1, 15, 5));
    CHECK(swap_stats(pool).swapped_in == 0);
    CHECK(pages_ok(as, 16, 16, 5) && pages_ok(as, 0, 1, 5));
    CHECK(swap_stats(pool).swapped_in == 17);
    mem_space_free(as);
    mem_pool_free(pool);
}

static void test_corrupt_slot(void)
{
    int spy;
    struct mem_pool *pool = pool_with_swap(0, &spy);
    struct mem_space *a = mem_space_new(pool), *b = mem_space_new(pool);
    CHECK(mem_map(a, BASE, 8 * PG, MEM_R | MEM_W) == 0 && mem_map(b, BASE, 8 * PG, MEM_R | MEM_W) == 0);
    write_pages(a, 0, 8, 100);
    CHECK(mem_pool_swap_out(pool, 1000, true) == 8);
    /* Every slot written so far gets other bytes (one bit each). */
    uint8_t page[PG];
    for (uint64_t slot = 1; slot <= 8; slot++) {
        CHECK(pread(spy, page, PG, (off_t)(slot * PG)) == PG);
        page[slot * 17 % PG] ^= 1;
        CHECK(pwrite(spy, page, PG, (off_t)(slot * PG)) == PG);
    }
    write_pages(b, 0, 8, 200);
    CHECK(mem_pool_swap_out(pool, 1000, true) == 8);   /* b's go to fresh slots */
    uint8_t got[PG];
    CHECK(mem_read(a, BASE + 3 * PG, got, PG) == MEM_EIO);
    const char *why = mem_space_lost(a);
    CHECK(why && strstr(why, "corrupt") && strstr(why, "0x403000"));
    CHECK(mem_space_lost_in_swap(a));
    CHECK(mem_read(a, BASE, got, PG) == MEM_EIO);        /* it stays lost */
    CHECK(pages_ok(b, 0, 8, 200) && mem_space_lost(b) == NULL);
    CHECK(swap_stats(pool).corrupt == 1);
    mem_space_free(a);
    mem_space_free(b);
    CHECK(swap_stats(pool).slots_used == 0);          /* a's slots came back */
    close(spy);
    mem_pool_free(pool);
}

static void test_limit_and_release(void)
{
    struct mem_pool *pool = pool_with_swap(8 * PG + 100, NULL);   /* 8 slots */
    struct mem_space *as = mem_space_new(pool);
    CHECK(mem_map(as, BASE, 32 * PG, MEM_R | MEM_W) == 0);
    write_pages(as, 0, 32, 9);
    CHECK(mem_pool_swap_out(pool, 1000, true) == 8);
    CHECK(swap_stats(pool).slots_used == 8 && mem_space_resident(as) == 24);
    CHECK(mem_unmap(as, BASE, 32 * PG) == 0);
    CHECK(swap_stats(pool).slots_used == 0 && mem_space_swapped(as) == 0);
    CHECK(mem_map(as, BASE, 32 * PG, MEM_R | MEM_W) == 0);
    write_pages(as, 0, 32, 11);
    CHECK(mem_pool_swap_out(pool, 1000, true) == 8);
    CHECK(pages_ok(as, 0, 32, 11));
    mem_space_free(as);
    CHECK(swap_stats(pool).slots_used == 0);
    mem_pool_free(pool);
}

int main(void)
{
    RUN(test_round_trip);
    RUN(test_second_chance);
    RUN(test_corrupt_slot);
    RUN(test_limit_and_release);
    return check_total_failed;
}
