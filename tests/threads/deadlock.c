/* Two threads each wait forever on a condition nobody signals, and main
   joins them: every thread waits on a futex with no timeout. */
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *wait_forever(void *a __attribute__((unused)))
{
    pthread_mutex_lock(&mu);
    for (;;)
        pthread_cond_wait(&never, &mu);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, wait_forever, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return 0;
}
