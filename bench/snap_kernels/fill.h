/*
 * fill.h — what snapk.c (the guest) and forkcopy.c (its native baseline)
 * put in their memory, so that both do the same work: the first half
 * pseudo-random words (xorshift64*, a fixed seed: no compressor shrinks
 * them), the second half a 64-word pattern xor'ed with the page number (no
 * two pages alike, zstd halves it). Also their clock.
 */
#ifndef SNAP_FILL_H
#define SNAP_FILL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static inline uint64_t xorshift(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Fills words 8-byte words at m. */
static void fill(uint64_t *m, size_t words)
{
    uint64_t pat[64];
    for (int i = 0; i < 64; i++)
        pat[i] = xorshift();
    size_t half = words / 2;
    for (size_t i = 0; i < half; i++)
        m[i] = xorshift();
    for (size_t i = half; i < words; i++)
        m[i] = pat[i & 63] ^ (uint64_t)(i >> 9);
}

#endif
