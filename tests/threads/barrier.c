/* pthread_barrier: 4 threads, 5 phases; in each phase every thread adds
   to its slot, then after the barrier thread 0 checks the phase total. */
#include <pthread.h>
#include <stdio.h>

#define T 4
#define PHASES 5
static pthread_barrier_t bar;
static long slot[T];
static long totals[PHASES];

static void *work(void *a __attribute__((unused)))
{
    long id = (long)a;
    for (int ph = 0; ph < PHASES; ph++) {
        slot[id] += (id + 1) * (ph + 1);
        pthread_barrier_wait(&bar);
        if (id == 0) {
            long s = 0;
            for (int i = 0; i < T; i++)
                s += slot[i];
            totals[ph] = s;
        }
        pthread_barrier_wait(&bar);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[T];
    pthread_barrier_init(&bar, NULL, T);
    for (long i = 1; i < T; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    work((void *)0);
    for (int i = 1; i < T; i++)
        pthread_join(t[i], NULL);
    for (int ph = 0; ph < PHASES; ph++)
        printf("phase %d: %ld\n", ph, totals[ph]);
    return 0;
}
