/*
 * cache.c — a VM that keeps a cache and gives memory back when its
 * monitor asks (the balloon driver of libmvm, docs/balloon.md):
 *
 *   cache MIB ROUNDS [--no-balloon]
 *
 * It works through ROUNDS sweeps over MIB MiB of blocks, each block's
 * bytes computed from its number (costly enough that keeping them pays).
 * A block it has is checked against the digest it had when made; one it
 * lacks is computed and kept. Its balloon driver runs between blocks (mvm_balloon_poll): when
 * the monitor asks for memory the driver first calls back here, and the
 * cache drops blocks (the oldest first) until what it keeps and what the
 * balloon holds fit in MIB again; the heap is trimmed, and the balloon
 * takes what is free. When the monitor gives memory back the cache grows
 * again. With --no-balloon it keeps everything (and may run out of
 * memory where others share a limit).
 *
 * Prints "cache ok: ..." with the blocks computed and the most the
 * balloon held, or "cache BAD block N" (and exits 1) if a block's bytes
 * changed while kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvm.h"

#define BLOCK (32u << 10)               /* from the heap, not mmap */
#define WORDS (BLOCK / sizeof(uint64_t))

static uint64_t **block;                /* NULL: not kept */
static uint64_t *digest;                /* of each kept block, when made */
static size_t nblocks, kept, oldest;    /* oldest: where eviction looks next */
static size_t budget;                   /* bytes the cache may keep, with the balloon's */
static long held;                       /* what the balloon holds (last poll) */

static uint64_t word(size_t b, size_t i)
{
    uint64_t x = (uint64_t)(b * WORDS + i + 1) * 0x9e3779b97f4a7c15ull;
    for (int k = 0; k < 64; k++) {      /* the cost of having it */
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ull;
    }
    return x ^ (x >> 32);
}

/* Cheap to check, unlike the words: a block that changed (a page lost or
 * zeroed under it) shows. */
static uint64_t digest_of(const uint64_t *p)
{
    uint64_t h = 0;
    for (size_t i = 0; i < WORDS; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void drop_oldest(void)
{
    for (size_t n = 0; n < nblocks; n++, oldest = (oldest + 1) % nblocks)
        if (block[oldest]) {
            free(block[oldest]);
            block[oldest] = NULL;
            kept--;
            oldest = (oldest + 1) % nblocks;
            return;
        }
}

/* The driver asks for bytes: drop blocks worth that much. */
static size_t reclaim(size_t bytes, void *arg)
{
    (void)arg;
    size_t freed = 0;
    while (freed < bytes && kept) {
        drop_oldest();
        freed += BLOCK;
    }
    return freed;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: cache MIB ROUNDS [--no-balloon]\n");
        return 2;
    }
    budget = (size_t)atoi(argv[1]) << 20;
    int rounds = atoi(argv[2]);
    int balloon = !(argc > 3 && strcmp(argv[3], "--no-balloon") == 0);
    nblocks = budget / BLOCK;
    block = calloc(nblocks, sizeof *block);
    digest = calloc(nblocks, sizeof *digest);
    if (!block || !digest || !nblocks)
        return 2;
    mvm_balloon_set_reclaim(reclaim, NULL);
    long most = 0;
    unsigned long computed = 0;
    uint64_t sum = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t b = 0; b < nblocks; b++) {
            if (balloon && b % 16 == 0) {
                long h = mvm_balloon_poll();
                if (h >= 0)
                    held = h;
                if (held > most)
                    most = held;
            }
            uint64_t *p = block[b];
            if (p) {
                if (digest_of(p) != digest[b]) {
                    printf("cache BAD block %zu\n", b);
                    return 1;
                }
            } else {
                while (kept && (kept + 1) * BLOCK + (size_t)held > budget)
                    drop_oldest();      /* the balloon's share comes first */
                if ((kept + 1) * BLOCK + (size_t)held > budget)
                    goto next;          /* no room at all: go without */
                if (!(p = malloc(BLOCK))) {
                    printf("cache: out of memory at block %zu\n", b);
                    return 1;
                }
                for (size_t i = 0; i < WORDS; i++)
                    p[i] = word(b, i);
                block[b] = p;
                digest[b] = digest_of(p);
                if (p[WORDS - 1] != word(b, WORDS - 1)) {
                    printf("cache BAD block %zu as made\n", b);
                    return 1;
                }
                kept++;
                computed++;
            }
        next:
            sum += word(b, r % WORDS);
        }
    }
    if (balloon)
        mvm_balloon_stop();
    printf("cache ok: %lu blocks computed, balloon held at most %ld KiB, sum %016llx\n", computed, most >> 10,
           (unsigned long long)sum);
    return 0;
}
