/* pthread_create/join: each thread sums 0..n; results come back by join. */
#include <pthread.h>
#include <stdio.h>

static void *sum(void *a __attribute__((unused)))
{
    long n = (long)a, s = 0;
    for (long i = 0; i <= n; i++)
        s += i;
    return (void *)s;
}

int main(void)
{
    pthread_t t[6];
    for (long i = 0; i < 6; i++)
        if (pthread_create(&t[i], NULL, sum, (void *)(i * 100000)) != 0)
            return 1;
    long total = 0;
    for (int i = 0; i < 6; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("thread %d: %ld\n", i, (long)r);
        total += (long)r;
    }
    printf("total %ld\n", total);
    return 3;
}
