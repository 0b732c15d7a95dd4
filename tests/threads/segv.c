/* A fault in a secondary thread ends the whole process (SIGSEGV, 139). */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *bad(void *a) { usleep(1000); *(volatile int *)(long)a = 1; return NULL; }

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, bad, (void *)16);
    pthread_join(t, NULL);
    puts("not reached");
    return 0;
}
