/* Mutex + condition variables: 3 producers, 2 consumers, a bounded buffer
   of 8; each item i (1..N per producer) tagged by producer; the consumers'
   sums must add up to the known checksum. */
#include <pthread.h>
#include <stdio.h>

#define N 20000
#define CAP 8
static long buf[CAP];
static int head, count;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static long consumed[2];
static int items[2];

static void put(long v)
{
    pthread_mutex_lock(&mu);
    while (count == CAP)
        pthread_cond_wait(&not_full, &mu);
    buf[(head + count++) % CAP] = v;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&mu);
}

static long get(void)
{
    pthread_mutex_lock(&mu);
    while (count == 0)
        pthread_cond_wait(&not_empty, &mu);
    long v = buf[head];
    head = (head + 1) % CAP;
    count--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&mu);
    return v;
}

static void *producer(void *a __attribute__((unused)))
{
    long id = (long)a;
    for (long i = 1; i <= N; i++)
        put(i * 3 + id);
    return NULL;
}

static void *consumer(void *a __attribute__((unused)))
{
    long id = (long)a;
    for (;;) {
        long v = get();
        if (v < 0)
            break;
        consumed[id] += v;
        items[id]++;
    }
    return NULL;
}

int main(void)
{
    pthread_t p[3], c[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&c[i], NULL, consumer, (void *)i);
    for (long i = 0; i < 3; i++)
        pthread_create(&p[i], NULL, producer, (void *)i);
    for (int i = 0; i < 3; i++)
        pthread_join(p[i], NULL);
    put(-1);
    put(-1);
    for (int i = 0; i < 2; i++)
        pthread_join(c[i], NULL);
    printf("items %d\n", items[0] + items[1]);
    printf("checksum %ld\n", consumed[0] + consumed[1]);
    return 0;
}
