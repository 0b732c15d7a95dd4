/* A POSIX timer with SIGEV_THREAD: glibc runs the callbacks on a helper
 * thread that the kernel timer signals with SIGEV_THREAD_ID and that takes
 * them with sigwaitinfo. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static volatile int n;
static void cb(union sigval v) { n += v.sival_int; }
int main(void)
{
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = cb;
    ev.sigev_value.sival_int = 1;
    timer_t t;
    if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0) { perror("timer_create"); return 1; }
    struct itimerspec its = { { 0, 5000000 }, { 0, 5000000 } };
    timer_settime(t, 0, &its, NULL);
    while (n < 5) usleep(1000);
    timer_delete(t);
    printf("SIGEV_THREAD callbacks: %d\n", n >= 5);
    return 0;
}
