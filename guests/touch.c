/*
 * touch.c — a VM that holds memory: `touch MIB SECONDS [SEED [WRITES]]`
 * fills MIB MiB with bytes that depend only on each page's place and
 * SEED, then for SECONDS keeps reading it all back, checking every word,
 * and (unless WRITES is 0) rewrites an eighth of its pages each time
 * with the bytes they hold (a write to a shared page must copy it, never
 * reach another VM). It prints "touch ok" and a checksum of the memory
 * (and on stderr the sweeps it made), or "touch BAD" and where, and
 * exits 1.
 * (tests/fleet and bench/density run it.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t word(uint64_t i, uint64_t seed)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 31;
    return x * 0x94d049bb133111ebull;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    size_t n = (size_t)atoi(argv[1]) << 17;     /* words */
    double secs = atof(argv[2]);
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
    int writes = argc > 4 ? atoi(argv[4]) : 1;
    uint64_t *m = malloc(n * sizeof *m);
    if (!m)
        return 3;
    for (size_t i = 0; i < n; i++)
        m[i] = word(i, seed);
    double end = now() + secs;
    unsigned sweeps = 0;
    do {
        for (size_t i = 0; i < n; i++)
            if (m[i] != word(i, seed)) {
                printf("touch BAD at word %zu after %u sweeps\n", i, sweeps);
                return 1;
            }
        for (size_t i = (sweeps % 8) * 512; writes && i < n; i += 8 * 512)
            m[i] = word(i, seed);
        sweeps++;
    } while (now() < end);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31 + m[i];
    printf("touch ok %016llx\n", (unsigned long long)sum);
    fprintf(stderr, "touch: %u sweeps\n", sweeps);
    return 0;
}
