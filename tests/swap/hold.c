/*
 * hold.c — a VM whose memory goes to swap and must come back unchanged:
 *
 *   hold MIB SECONDS SEED [GROW_MS]
 *
 * fills MIB MiB with words that depend only on their place and SEED (a
 * MiB at a time, GROW_MS ms apart if given: a VM that grows), sleeps
 * SECONDS (its pages get cold), then checks every word and prints
 * "hold ok" with a checksum, or "hold BAD" with where (exit 1).
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

static void nap(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    size_t mib = (size_t)atoi(argv[1]), per = (1u << 20) / 8;
    double secs = atof(argv[2]);
    uint64_t seed = strtoull(argv[3], NULL, 0);
    double grow = argc > 4 ? atof(argv[4]) / 1000 : 0;
    uint64_t **chunk = calloc(mib, sizeof *chunk);
    if (!chunk)
        return 2;
    for (size_t c = 0; c < mib; c++) {
        if (!(chunk[c] = malloc(per * 8))) {
            printf("hold: out of memory at %zu MiB\n", c);
            return 1;
        }
        for (size_t i = 0; i < per; i++)
            chunk[c][i] = word(c * per + i, seed);
        if (grow > 0)
            nap(grow);
    }
    nap(secs);
    uint64_t sum = 0;
    for (size_t c = 0; c < mib; c++)
        for (size_t i = 0; i < per; i++) {
            if (chunk[c][i] != word(c * per + i, seed)) {
                printf("hold BAD: MiB %zu word %zu\n", c, i);
                return 1;
            }
            sum += chunk[c][i];
        }
    printf("hold ok: %zu MiB, sum %016llx\n", mib, (unsigned long long)sum);
    return 0;
}
