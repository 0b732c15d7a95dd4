/*
 * memstress.c — threads changing the address space under each other: each
 * of 4 threads maps, fills, checks and unmaps regions 300 times, protects
 * one read-only and back, and bumps a shared atomic counter; meanwhile the
 * main thread reads a shared table the workers write with atomics. Every
 * check is against values the program computes itself; it prints the
 * counter (4 x 300 = 1200) and the number of failed checks (0).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define THREADS 4
#define ROUNDS 300

static atomic_long counter, bad;
static atomic_long table[THREADS];

static void *worker(void *arg)
{
    long id = (long)arg;
    for (int r = 0; r < ROUNDS; r++) {
        size_t len = (size_t)(1 + (r + id) % 16) * 4096;
        unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            atomic_fetch_add(&bad, 1);
            continue;
        }
        for (size_t i = 0; i < len; i += 512)
            p[i] = (unsigned char)(id * 31 + r + i / 512);
        if (r % 50 == 0) {
            mprotect(p, len, PROT_READ);
            mprotect(p, len, PROT_READ | PROT_WRITE);
        }
        for (size_t i = 0; i < len; i += 512)
            if (p[i] != (unsigned char)(id * 31 + r + i / 512))
                atomic_fetch_add(&bad, 1);
        munmap(p, len);
        atomic_fetch_add(&counter, 1);
        atomic_store(&table[id], r + 1);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    long seen = 0;
    while (seen < THREADS * ROUNDS) {   /* the table only grows */
        long s = 0;
        for (int i = 0; i < THREADS; i++)
            s += atomic_load(&table[i]);
        if (s < seen)
            atomic_fetch_add(&bad, 1);
        seen = s;
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("counter %ld, failed checks %ld\n", atomic_load(&counter), atomic_load(&bad));
    return 0;
}
