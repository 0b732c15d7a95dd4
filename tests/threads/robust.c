/* Robust mutexes: a thread that dies holding one leaves it EOWNERDEAD
   (the robust list walked at thread exit sets FUTEX_OWNER_DIED). */
#include <pthread.h>
#include <stdio.h>
#include <errno.h>
static pthread_mutex_t m;
static void *die(void *a) { (void)a; pthread_mutex_lock(&m); return NULL; }
int main(void) {
    pthread_mutexattr_t at; pthread_mutexattr_init(&at);
    pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&m, &at);
    pthread_t t; pthread_create(&t, NULL, die, NULL); pthread_join(t, NULL);
    int r = pthread_mutex_lock(&m);
    printf("lock: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : r == 0 ? "0" : "other");
    if (r == EOWNERDEAD) { pthread_mutex_consistent(&m); }
    pthread_mutex_unlock(&m);
    return 0;
}
