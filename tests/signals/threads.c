/* Signals to other threads: pthread_kill to a thread spinning in guest
 * code, tgkill to one blocked in nanosleep (EINTR) and to one blocked in
 * pthread_cond_wait (the wait goes on after the handler); a process-wide
 * kill taken by the only thread that does not block it. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int stop_spin, usr1_tid, usr2_tid, term_tid;
static volatile int tids[3];
static volatile int ready;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go;
static volatile int sleep_eintr;

static void on_usr1(int sig) { (void)sig; usr1_tid = gettid(); stop_spin = 1; }
static void on_usr2(int sig) { (void)sig; usr2_tid = gettid(); }
static void on_hup(int sig) { (void)sig; term_tid = gettid(); }

static void *spinner(void *a)
{
    (void)a;
    tids[0] = gettid();
    __sync_fetch_and_add(&ready, 1);
    while (!stop_spin)
        ;
    return NULL;
}

static void *sleeper(void *a)
{
    (void)a;
    tids[1] = gettid();
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    __sync_fetch_and_add(&ready, 1);
    struct timespec ts = { 20, 0 };
    int r = nanosleep(&ts, &ts);
    sleep_eintr = r < 0 && errno == EINTR;
    return NULL;
}

static void *waiter(void *a)
{
    (void)a;
    tids[2] = gettid();
    pthread_mutex_lock(&mu);
    __sync_fetch_and_add(&ready, 1);
    while (!go)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    signal(SIGHUP, on_hup);
    /* Every thread but the sleeper blocks SIGHUP (it unblocks it). */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t t[3];
    pthread_create(&t[0], NULL, spinner, NULL);
    pthread_create(&t[1], NULL, sleeper, NULL);
    pthread_create(&t[2], NULL, waiter, NULL);
    while (ready < 3)
        usleep(1000);
    usleep(20000);
    pthread_kill(t[0], SIGUSR1);
    pthread_join(t[0], NULL);
    printf("spinner took SIGUSR1: %d\n", usr1_tid == tids[0]);
    syscall(SYS_tgkill, getpid(), tids[2], SIGUSR2);
    while (!usr2_tid)
        usleep(1000);
    printf("waiter took SIGUSR2: %d\n", usr2_tid == tids[2]);
    pthread_mutex_lock(&mu);
    go = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(t[2], NULL);
    printf("waiter finished\n");
    kill(getpid(), SIGHUP);     /* only the sleeper does not block it */
    pthread_join(t[1], NULL);
    printf("sleeper took SIGHUP: %d, nanosleep EINTR %d\n", term_tid == tids[1], sleep_eintr);
    return 0;
}
