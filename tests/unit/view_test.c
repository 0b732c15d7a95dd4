/*
 * view_test.c — the shootdown protocol between a space and the harts
 * caching it (mem/space.c, "views"), driven the way rv/ drives it, by a
 * stand-in hart with a one-entry TLB:
 *   - the hart: enter the view, synchronise (drop the entry if the
 *     space's generation moved, say which one it saw), then read the
 *     first word of a page many times through the cached host pointer,
 *     refilling it with mem_translate_fill when empty; leave;
 *   - the changer: maps 64 pages, writes MAGIC into each (the hart's
 *     last), lets the hart run with its entry, unmaps them; 1000 rounds,
 *     or 2 s (at least 100 rounds);
 *   - the reuser: writes POISON into pages of another space of the same
 *     pool, and frees them again, so that a page freed too early is soon
 *     another's.
 * The hart must only ever read MAGIC or zero (the shared zero page, for
 * a page mapped but not yet written). Reading POISON means a page was
 * freed while a running hart could still reach it: the fault this test
 * was written for took a page away while no hart ran, and moved the
 * generation only afterwards, so a hart starting in between kept its
 * entry for a page that was already someone else's (that code failed
 * this test within 2 s in 8 runs of 10, this code in none of 40).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "mem/mem.h"

#define VA 0x100000ull
#define OTHER 0x800000ull
#define PAGES 64u
#define MAGIC 0x6d61676963636363ull
#define POISON 0x706f69736f6e6e6eull
#define ROUNDS 1000u
#define SECONDS 2
#define READS 2048

static struct mem_space *as, *other;
static struct mem_view view;
static atomic_bool stop;
static atomic_ulong bad, reads, entries, idle;

static void *hart_main(void *arg)
{
    (void)arg;
    uint64_t tlb_gen = 0;
    const uint8_t *tlb = NULL;
    while (!atomic_load(&stop)) {
        mem_view_enter(&view);
        uint64_t g = mem_space_gen(as);
        if (g != tlb_gen) {
            tlb = NULL;
            tlb_gen = g;
        }
        mem_view_seen(&view, g);
        for (int k = 0; k < READS; k++) {
            if (!tlb) {
                struct mem_fill_gen fg;
                int err = 0;
                uint8_t *p = mem_translate_fill(as, VA, MEM_R, &err, &fg);
                if (!p)
                    break;      /* unmapped: the guest would fault */
                tlb = p;
                tlb_gen = fg.valid;
            }
            uint64_t w = atomic_load_explicit((_Atomic uint64_t *)(void *)tlb, memory_order_relaxed);
            if (w != MAGIC && w != 0)
                atomic_fetch_add(&bad, 1);
            atomic_fetch_add(&reads, 1);
        }
        mem_view_leave(&view);
        atomic_fetch_add(&entries, 1);
        /* Out of guest code for a while (a system call, say): changes
         * are free to take pages away meanwhile without waiting. */
        for (int k = 0; k < 2000; k++)
            atomic_fetch_add(&idle, 1);
    }
    return NULL;
}

static void *reuser_main(void *arg)
{
    (void)arg;
    uint64_t w = POISON;
    while (!atomic_load(&stop)) {
        if (mem_map(other, OTHER, PAGES * MEM_PAGE_SIZE, MEM_R | MEM_W) != 0)
            break;
        for (unsigned i = 0; i < PAGES; i++)
            mem_write(other, OTHER + i * MEM_PAGE_SIZE, &w, sizeof w);
        mem_unmap(other, OTHER, PAGES * MEM_PAGE_SIZE);
    }
    return NULL;
}

static void test_freed_page_never_reached(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    CHECK(pool != NULL);
    as = mem_space_new(pool);
    other = mem_space_new(pool);
    CHECK(as && other);
    mem_view_attach(as, &view);
    pthread_t h, r;
    CHECK(pthread_create(&h, NULL, hart_main, NULL) == 0);
    CHECK(pthread_create(&r, NULL, reuser_main, NULL) == 0);
    uint64_t w = MAGIC;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned round = 0; round < ROUNDS && !atomic_load(&bad); round++) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (round >= 100 && (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > SECONDS * 1000000000L)
            break;      /* enough: a slow host (or a sanitizer) */
        CHECK(mem_map(as, VA, PAGES * MEM_PAGE_SIZE, MEM_R | MEM_W) == 0);
        for (unsigned i = PAGES; i-- > 0;)     /* the hart's page last */
            CHECK(mem_write(as, VA + i * MEM_PAGE_SIZE, &w, sizeof w) == 0);
        /* Until the hart ran with its entry for it. */
        for (unsigned long e = atomic_load(&entries); atomic_load(&entries) < e + 2;)
            sched_yield();
        CHECK(mem_unmap(as, VA, PAGES * MEM_PAGE_SIZE) == 0);
    }
    atomic_store(&stop, true);
    pthread_join(h, NULL);
    pthread_join(r, NULL);
    if (atomic_load(&bad))
        printf("  %lu of %lu reads by the hart found another's bytes\n", atomic_load(&bad), atomic_load(&reads));
    CHECK(atomic_load(&bad) == 0);
    /* The hart ran, and ran while the page came and went. */
    CHECK(atomic_load(&entries) > 100);
    CHECK(atomic_load(&reads) > 1000);
    mem_view_detach(&view);
    mem_space_free(as);
    mem_space_free(other);
    mem_pool_free(pool);
}

int main(void)
{
    RUN(test_freed_page_never_reached);
    return check_total_failed;
}
