/*
 * parallel.c — a parallel compute kernel: T threads each run the same
 * amount of independent work (a xorshift stream folded into a sum, plus a
 * shared atomic progress counter touched every 65536 steps), so the ideal
 * throughput at T threads is T times that at one, up to the host's cores.
 *
 *   parallel THREADS STEPS_PER_THREAD      prints the checksum
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static long steps;
static atomic_long progress;

static void *work(void *arg)
{
    unsigned long x = (unsigned long)arg * 2654435761u + 1, s = 0;
    for (long i = 0; i < steps; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s += x % 1000;
        if ((i & 0xffff) == 0)
            atomic_fetch_add(&progress, 1);
    }
    return (void *)s;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    steps = argc > 2 ? atol(argv[2]) : 100000000;
    if (n < 1 || n > 64)
        return 2;
    pthread_t t[64];
    unsigned long total = 0;
    for (long i = 0; i < n; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < n; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (unsigned long)r;
    }
    printf("%d threads: checksum %lu, progress %ld\n", n, total, atomic_load(&progress));
    return 0;
}
