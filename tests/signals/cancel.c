/* pthread_cancel reaches threads already blocked in a cancellation point
 * (a read of an empty pipe, sleep): glibc sends SIGCANCEL, whose handler
 * finds the interrupted pc in its cancellable system-call bridge. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static int fds[2];
static void *rd(void *a) { (void)a; char c; if (read(fds[0], &c, 1) < 0) return a; return NULL; }
static void *sl(void *a) { (void)a; sleep(20); return NULL; }
int main(void)
{
    if (pipe(fds) != 0)
        return 1;
    pthread_t t, u;
    void *r;
    pthread_create(&t, NULL, rd, NULL);
    pthread_create(&u, NULL, sl, NULL);
    usleep(50000);
    pthread_cancel(t);
    pthread_join(t, &r);
    printf("read canceled: %d\n", r == PTHREAD_CANCELED);
    pthread_cancel(u);
    pthread_join(u, &r);
    printf("sleep canceled: %d\n", r == PTHREAD_CANCELED);
    return 0;
}
