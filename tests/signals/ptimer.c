/* POSIX timers: timer_create with SIGEV_SIGNAL (a real-time signal and a
 * value), periodic, si_code SI_TIMER and si_value; timer_gettime;
 * timer_delete; a one-shot with the default sigevent (SIGALRM). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int hits, code, value;

static void h(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    hits++;
    code = si->si_code;
    value = si->si_value.sival_int;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN + 1;
    ev.sigev_value.sival_int = 77;
    timer_t t;
    if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0)
        return 1;
    struct itimerspec its = { { 0, 5000000 }, { 0, 5000000 } }, cur;
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &cur);
    printf("interval %ld ns armed %d\n", cur.it_interval.tv_nsec, cur.it_value.tv_nsec > 0);
    while (hits < 5)
        pause();
    printf("periodic: %d hits, code SI_TIMER %d, value %d\n", hits >= 5, code == SI_TIMER, value);
    timer_delete(t);
    int seen = hits;
    usleep(30000);
    printf("deleted: %d\n", hits == seen);

    /* The default sigevent: SIGALRM; absolute time on CLOCK_REALTIME. */
    timer_t t2;
    timer_create(CLOCK_REALTIME, NULL, &t2);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_nsec += 20000000;
    if (now.tv_nsec >= 1000000000) {
        now.tv_sec++;
        now.tv_nsec -= 1000000000;
    }
    struct itimerspec once = { { 0, 0 }, now };
    hits = 0;
    timer_settime(t2, TIMER_ABSTIME, &once, NULL);
    while (hits < 1)
        pause();
    printf("one-shot: code SI_TIMER %d\n", code == SI_TIMER);
    timer_gettime(t2, &cur);
    printf("disarmed: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    return 0;
}
