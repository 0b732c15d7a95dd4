/*
 * snapk.c — a guest for bench/snap to save, restore, clone and move: it
 * fills MIB MiB of memory, passes a marker, may go on working for a while,
 * then reads all of its memory back and prints a checksum.
 *
 *   snapk MIB [WORK_MIB UNITS [stop]]
 *   snapk MIB rate PCT MS [stop]
 *
 *   1. fill   MIB MiB (one anonymous mapping): the first half pseudo-random
 *             (xorshift64*, fixed seed: no compressor shrinks it), the
 *             second half a compressible pattern (a 512-byte block of 64
 *             fixed words, each word xor'ed with its page number: every
 *             page differs, and zstd shrinks it to a few percent)
 *   2. marker 16 getppid() calls: a point bench/snap finds by counting
 *             instructions (with "stop", the program _exits after the 8th,
 *             and `mvm run --stats` of that run says where the marker is;
 *             give all the other arguments then, and the same without
 *             "stop": argv is parsed alike, and the count up to the marker
 *             is the same)
 *   3. work   UNITS units of about 1 M instructions each (none if UNITS is
 *             0 or absent). WORK_MIB 0: register arithmetic only, no
 *             memory written (an idle guest, as far as its memory goes).
 *             WORK_MIB W > 0: the first W MiB are rewritten again and
 *             again, each word a hash of (pass, index): about 15 000
 *             instructions per 4 KiB page written, a steady stream of
 *             dirty pages.
 *             "rate PCT MS": paced, for MS ms of CLOCK_MONOTONIC: the guest
 *             computes in registers and reads the clock every ~24 000
 *             instructions; at each reading it writes one word in each
 *             page that has come due since the last, going round all of
 *             its memory page after page at PCT percent of it per second
 *             (PCT 0: none; a guest held back, as in a migration's
 *             pre-copy, catches up when it runs again). The word is a hash
 *             of (page, pass), so every pass changes the page. At the end
 *             the first word of every page is set to a hash of the page
 *             alone: the memory that is checksummed is the same whatever
 *             the number of pages written or passes made, i.e. whatever
 *             the timing, so a restored or migrated run must print the
 *             plain run's sum.
 *   4. verify a checksum of the whole region (FNV-1a over 64-bit words),
 *             timed with CLOCK_MONOTONIC
 *
 * Output: "snapk MIB MiB: sum S, work W" (the same on every runner and
 * after any snapshot, restore or migration, or something went wrong),
 * then "verify_ns T", the time of step 4, which bench/snap subtracts from
 * a restore's time; a paced guest adds "paced_pages P ms T", the pages it
 * wrote and over how long (which depend on timing: not in the first
 * line). Nothing is printed before the end, so a VM moved or saved in the
 * middle has no output behind it.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fill.h"

/* Eight rounds of a multiply-xorshift mix: about 29 instructions. */
static inline uint64_t mix(uint64_t x)
{
    for (int r = 0; r < 8; r++) {
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ull;
    }
    return x;
}

int main(int argc, char **argv)
{
    /* "rate PCT MS" takes the place of "WORK_MIB UNITS". */
    int paced = argc > 2 && strcmp(argv[2], "rate") == 0;
    if (argc < 2 || argc > 5 + paced) {
        fprintf(stderr, "usage: snapk MIB [WORK_MIB UNITS [stop]]\n"
                        "       snapk MIB rate PCT MS [stop]\n");
        return 2;
    }
    long mib = atol(argv[1]);
    long work = argc > 2 && !paced ? atol(argv[2]) : 0;
    long units = argc > 3 && !paced ? atol(argv[3]) : 0;
    long pct = paced && argc > 3 ? atol(argv[3]) : 0;
    long ms = paced && argc > 4 ? atol(argv[4]) : 0;
    int stop = argc > 4 + paced;
    if (mib < 2 || mib > 65536 || work < 0 || work > mib || units < 0 || pct < 0 || pct > 10000 ||
        ms < 0 || ms > 3600000 || (paced && argc < 5)) {
        fprintf(stderr, "snapk: bad arguments\n");
        return 2;
    }
    size_t words = (size_t)mib << 17;
    uint64_t *m = mmap(NULL, words * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("snapk: mmap");
        return 1;
    }

    /* 1. fill */
    fill(m, words);

    /* 2. marker */
    for (int k = 0; k < 16; k++) {
        getppid();
        if (k == 7 && stop)
            _exit(0);
    }

    /* 3. work */
    uint64_t acc = 0, paced_pages = 0;
    int64_t paced_ns = 0;
    if (paced) {
        /* Pages come due at pct % of npages per second of the clock: due
         * is how many, in all, since t0; done how many are written. */
        uint64_t npages = words / 512, done = 0;
        double per_ns = (double)npages * (double)pct / 100e9;
        uint64_t a = 1, b = 0x1234567;
        int64_t t0 = now_ns(), t = t0;
        while (t - t0 < ms * 1000000) {
            /* About 24 000 instructions in registers, then the clock. */
            for (int j = 0; j < 4000; j++) {
                a = a * 0x5851F42D4C957F2Dull + b;
                b ^= a >> 29;
            }
            /* Used, so kept: their values depend on the timing and go
             * nowhere else. */
            __asm__ volatile("" : : "r"(a), "r"(b));
            t = now_ns();
            uint64_t due = (uint64_t)((double)(t - t0) * per_ns);
            for (; done < due; done++) {
                uint64_t page = done % npages, pass = done / npages;
                m[page * 512] = mix((pass << 40) ^ page ^ 0xA5A5A5A5ull);
            }
        }
        /* Whatever was written, and how often: the same memory after. */
        for (uint64_t page = 0; page < npages; page++)
            m[page * 512] = mix(page);
        paced_pages = done;
        paced_ns = t - t0;
        acc = (uint64_t)pct;
    } else if (work == 0) {
        /* About 1 M instructions a unit, in registers only. */
        uint64_t a = 1, b = 0x1234567;
        for (long u = 0; u < units; u++)
            for (int j = 0; j < 200000; j++) {
                a = a * 0x5851F42D4C957F2Dull + b;
                b ^= a >> 29;
            }
        acc = a ^ b;
    } else {
        /* A unit is 64 pages (about 15 000 instructions each), going
         * round the first WORK_MIB MiB. */
        size_t ww = (size_t)work << 17, i = 0;
        uint64_t pass = 0;
        for (long u = 0; u < units; u++)
            for (int p = 0; p < 64; p++) {
                for (int j = 0; j < 512; j++, i++)
                    m[i] = mix(pass * 0x9E3779B97F4A7C15ull + i);
                if (i == ww)
                    i = 0, pass++;
            }
        acc = pass;
    }

    /* 4. verify */
    int64_t t0 = now_ns();
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < words; i++)
        h = (h ^ m[i]) * 0x100000001B3ull;
    int64_t t1 = now_ns();
    printf("snapk %ld MiB: sum %016llx, work %016llx\n", mib, (unsigned long long)h, (unsigned long long)acc);
    printf("verify_ns %lld\n", (long long)(t1 - t0));
    if (paced)
        printf("paced_pages %llu ms %lld\n", (unsigned long long)paced_pages, (long long)(paced_ns / 1000000));
    return 0;
}
