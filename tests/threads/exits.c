/* Thread exits: a detached thread ends, gettid differs per thread, the
   main thread leaves with pthread_exit and the last thread's exit(7)
   (exit_group) ends the process with 7. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

static pthread_t mainthr;
static long tids[3];

static void *quick(void *a __attribute__((unused))) { tids[(long)a] = syscall(SYS_gettid); return NULL; }

static void *last(void *a __attribute__((unused)))
{
    pthread_join(mainthr, NULL);    /* waits for main's pthread_exit */
    printf("distinct %d\n", tids[0] != tids[1] && tids[1] != tids[2] && tids[0] != tids[2]);
    printf("main is pid %d\n", tids[0] == getpid());
    fflush(stdout);
    exit(7);
}

int main(void)
{
    mainthr = pthread_self();
    tids[0] = syscall(SYS_gettid);
    pthread_t t;
    pthread_create(&t, NULL, quick, (void *)1);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, quick, (void *)2);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, last, NULL);
    pthread_exit(NULL);
}
