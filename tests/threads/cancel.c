/* pthread_cancel of a thread computing in a loop with pthread_testcancel
   (deferred cancellation), with a cleanup handler. A thread blocked in a
   cancellation point (nanosleep, a condvar) cannot be cancelled yet: that
   takes the SIGCANCEL handler, and handlers never run (docs/sandbox.md). */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static volatile int started, cleaned;
static volatile long work;

static void cleanup(void *a) { (void)a; cleaned = 1; }

static void *computer(void *a __attribute__((unused)))
{
    (void)a;
    pthread_cleanup_push(cleanup, NULL);
    started = 1;
    for (;;) {
        for (int i = 0; i < 1000; i++)
            work++;
        pthread_testcancel();
    }
    pthread_cleanup_pop(0);
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, computer, NULL);
    while (!started) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    pthread_cancel(t);
    void *r;
    pthread_join(t, &r);
    printf("canceled %d cleaned %d\n", r == PTHREAD_CANCELED, cleaned);
    return 0;
}
