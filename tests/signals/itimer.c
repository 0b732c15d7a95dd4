/* setitimer(ITIMER_REAL) periodic ticks counted while the program spins in
 * guest code, then while it waits in pause() and sigsuspend; getitimer;
 * disarming. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile int ticks;

static void tick(int sig)
{
    (void)sig;
    ticks++;
}

int main(void)
{
    signal(SIGALRM, tick);
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } }, cur;
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("interval %ld us, armed %d\n", (long)cur.it_interval.tv_usec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 10000);
    volatile unsigned long spin = 0;
    while (ticks < 10)
        spin++;
    printf("spinning: %d ticks\n", ticks >= 10);
    while (ticks < 20)
        pause();
    printf("pause: %d ticks\n", ticks >= 20);
    sigset_t none;
    sigemptyset(&none);
    while (ticks < 30)
        sigsuspend(&none);
    printf("sigsuspend: %d ticks\n", ticks >= 30);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, &cur);
    printf("old interval %ld us\n", (long)cur.it_interval.tv_usec);
    int seen = ticks;
    usleep(50000);
    printf("stopped: %d\n", ticks == seen);
    return 0;
}
