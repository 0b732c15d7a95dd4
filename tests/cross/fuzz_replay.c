/*
 * fuzz_replay.c — runs the fuzz_run target (tests/fuzz/fuzz_run.c) where
 * libFuzzer is not at hand: on a cross-built monitor under qemu-user, so
 * that the AArch64 block compiler meets the same oracle as x86-64's (each
 * input run whole with compiled code, and interpreted in budget slices;
 * both must end alike, or the target aborts).
 *
 *   fuzz_replay N FILE...
 *
 * Each FILE (the committed seed corpus) is run as it is, then N inputs
 * made from it by mutations chosen by a fixed xorshift seed, so a run is
 * the same every time: bit flips, random instruction words in place of
 * some (32-bit encodings, and compressed ones), bytes of another seed
 * spliced in, and the slice byte changed; every other input is then
 * put in a loop that runs it up to 12 times (blocks are compiled only
 * once hot, and libFuzzer's coverage, which finds loops, is not here).
 * Exit 0 when every input ran;
 * a violation aborts, after a line naming the input (its seed file and
 * mutation number: the same command makes it again).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/rv_enc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 4096
#define MAX_SEEDS 64

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct seed {
    uint8_t b[MAX_INPUT];
    size_t n;
};

static struct seed seeds[MAX_SEEDS];
static size_t nseeds;

static void mutate(uint8_t *b, size_t *n)
{
    unsigned rounds = 1 + (unsigned)(next() % 4);
    for (unsigned r = 0; r < rounds && *n > 1; r++) {
        size_t at = 1 + (size_t)(next() % (*n - 1));
        switch (next() % 5) {
        case 0:     /* a bit flips */
            b[at] ^= (uint8_t)(1u << (next() % 8));
            break;
        case 1: {   /* a random 32-bit instruction word */
            uint32_t w = (uint32_t)next() | 3;
            for (unsigned k = 0; k < 4 && at + k < *n; k++)
                b[at + k] = (uint8_t)(w >> (8 * k));
            break;
        }
        case 2: {   /* a random compressed one */
            uint16_t w = (uint16_t)next();
            if ((w & 3) == 3)
                w &= 0xfffe;
            for (unsigned k = 0; k < 2 && at + k < *n; k++)
                b[at + k] = (uint8_t)(w >> (8 * k));
            break;
        }
        case 3: {   /* bytes of another seed */
            const struct seed *o = &seeds[next() % nseeds];
            if (o->n > 1) {
                size_t from = 1 + (size_t)(next() % (o->n - 1)), len = 1 + (size_t)(next() % 64);
                if (len > o->n - from)
                    len = o->n - from;
                if (at + len > MAX_INPUT)
                    len = MAX_INPUT - at;
                memcpy(b + at, o->b + from, len);
                if (at + len > *n)
                    *n = at + len;
            }
            break;
        }
        default:    /* another slice */
            b[0] = (uint8_t)next();
            break;
        }
    }
}

/* b[1..n) becomes: addi t6, zero, 12; the code; addi t6, t6, -1;
 * bnez t6, back to the code. */
static void loop(uint8_t *b, size_t *n)
{
    size_t body = (*n - 1) & ~(size_t)1;
    if (body > MAX_INPUT - 1 - 12)
        body = (MAX_INPUT - 1 - 12) & ~(size_t)1;
    uint32_t head = enc_i(0x13, 31, 0, 12), dec = enc_i(0x13, 31, 31, -1);
    uint32_t back = enc_b(0x1063, 31, 0, -(int32_t)(body + 4));
    memmove(b + 5, b + 1, body);
    memcpy(b + 1, &head, 4);
    memcpy(b + 5 + body, &dec, 4);
    memcpy(b + 9 + body, &back, 4);
    *n = 13 + body;
}

static const char *cur_file;
static long cur_mutation;

static void on_abort(int sig)
{
    (void)sig;
    fprintf(stderr, "fuzz_replay: the input that broke it: %s, mutation %ld (0: as it is)\n", cur_file, cur_mutation);
    signal(SIGABRT, SIG_DFL);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz_replay N FILE...\n");
        return 2;
    }
    long per = strtol(argv[1], NULL, 10);
    for (int i = 2; i < argc && nseeds < MAX_SEEDS; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "fuzz_replay: %s: cannot open\n", argv[i]);
            return 2;
        }
        struct seed *s = &seeds[nseeds++];
        s->n = fread(s->b, 1, MAX_INPUT, f);
        fclose(f);
    }
    signal(SIGABRT, on_abort);
    unsigned long inputs = 0;
    for (size_t i = 0; i < nseeds; i++) {
        cur_file = argv[2 + i];
        cur_mutation = 0;
        LLVMFuzzerTestOneInput(seeds[i].b, seeds[i].n);
        inputs++;
        for (long k = 1; k <= per; k++) {
            uint8_t b[MAX_INPUT];
            size_t n = seeds[i].n;
            memcpy(b, seeds[i].b, n);
            mutate(b, &n);
            if (k % 2)
                loop(b, &n);
            cur_mutation = k;
            LLVMFuzzerTestOneInput(b, n);
            inputs++;
        }
    }
    printf("fuzz_replay: %lu inputs, each run whole with compiled code and in interpreted slices, alike\n", inputs);
    return 0;
}
