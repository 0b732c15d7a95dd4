/* rt_sigsuspend: waits with a temporary mask until a handler ran (a
 * signal from another thread, then alarm), returns EINTR, and the old
 * mask is back; rt_sigtimedwait and sigwaitinfo. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int got;

static void h(int sig) { got = sig; }

static void *sender(void *a)
{
    (void)a;
    usleep(20000);
    kill(getpid(), SIGUSR1);
    return NULL;
}

int main(void)
{
    signal(SIGUSR1, h);
    signal(SIGALRM, h);
    sigset_t block, none, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigemptyset(&none);
    raise(SIGUSR1);     /* pending: sigsuspend returns at once */
    int r0 = sigsuspend(&none);
    printf("already pending: %d got %d\n", r0, got);
    got = 0;
    pthread_t t;
    pthread_create(&t, NULL, sender, NULL);
    int r = sigsuspend(&none);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("sigsuspend: %d EINTR %d got %d still blocked %d\n", r, errno == EINTR, got, sigismember(&cur, SIGUSR1));
    pthread_join(t, NULL);
    alarm(1);
    got = 0;
    r = sigsuspend(&none);
    printf("alarm: %d got %d\n", r, got);

    struct timespec ts = { 0, 10000000 };
    siginfo_t si;
    r = sigtimedwait(&block, &si, &ts);
    printf("sigtimedwait timeout: %d EAGAIN %d\n", r, errno == EAGAIN);
    raise(SIGUSR1);
    r = sigtimedwait(&block, &si, &ts);
    printf("sigtimedwait pending: %d code SI_USER %d (glibc folds SI_TKILL)\n", r, si.si_code == SI_USER);
    alarm(1);
    got = 0;
    r = sigwaitinfo(&block, &si);
    printf("sigwaitinfo: %d code SI_KERNEL %d handler not run %d\n", r, si.si_code == SI_KERNEL, got == 0);
    return 0;
}
