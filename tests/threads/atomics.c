/* 8 threads x 200000 increments: __atomic_fetch_add (AMO), a CAS loop
   (LR/SC), and a mutex-protected counter must all end at 8*200000. */
#include <pthread.h>
#include <stdio.h>

#define T 8
#define M 200000
static long amo, cas, locked;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *work(void *a __attribute__((unused)))
{
    for (int i = 0; i < M; i++) {
        __atomic_fetch_add(&amo, 1, __ATOMIC_SEQ_CST);
        long v = __atomic_load_n(&cas, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas, &v, v + 1, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            ;
        if (i % 16 == 0) {
            pthread_mutex_lock(&mu);
            locked++;
            pthread_mutex_unlock(&mu);
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t t[T];
    for (int i = 0; i < T; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < T; i++)
        pthread_join(t[i], NULL);
    printf("amo %ld\ncas %ld\nlocked %ld\n", amo, cas, locked);
    return 0;
}
