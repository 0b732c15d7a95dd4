/* Threads that spin forever while main waits for them: only a budget ends it. */
#include <pthread.h>

static volatile long n;
static void *spin(void *a __attribute__((unused))) { for (;;) n++; return NULL; }

int main(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, spin, NULL);
    pthread_join(t[0], NULL);
    return 0;
}
