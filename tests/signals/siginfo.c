/* SA_SIGINFO handlers on raise, kill and sigqueue: si_signo, si_code, si_pid,
 * si_value; the signal blocked inside its handler; pending while blocked;
 * SA_RESETHAND; SIG_IGN (discarding a pending one); death by SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int got, code, pid, val, blocked_inside;

static void h(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got = sig;
    code = si->si_code;
    pid = si->si_pid == getpid();
    val = si->si_value.sival_int;
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    blocked_inside = sigismember(&cur, sig);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);

    raise(SIGUSR1);
    printf("raise: sig %d code %d (SI_TKILL %d) pid-ok %d inside-mask %d\n", got, code, SI_TKILL, pid, blocked_inside);
    got = 0;
    kill(getpid(), SIGUSR1);
    printf("kill: sig %d code %d (SI_USER %d) pid-ok %d\n", got, code, SI_USER, pid);
    got = 0;
    union sigval v = { .sival_int = 42 };
    sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue: sig %d code %d (SI_QUEUE %d) value %d\n", got, code, SI_QUEUE, val);

    /* Blocked: pending until unblocked. */
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, &old);
    got = 0;
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: got %d pending %d\n", got, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: got %d\n", got);

    /* SA_RESETHAND: once, then the default (ignored here: SIGURG). */
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigaction(SIGURG, &sa, NULL);
    got = 0;
    raise(SIGURG);
    struct sigaction now;
    sigaction(SIGURG, NULL, &now);
    printf("resethand: got %d then dfl %d\n", got, now.sa_handler == SIG_DFL);
    raise(SIGURG);

    /* SIG_IGN. */
    signal(SIGTERM, SIG_IGN);
    raise(SIGTERM);
    printf("ignored SIGTERM\n");
    /* A pending blocked signal discarded when set to SIG_IGN. */
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&pend);
    printf("discarded: pending %d\n", sigismember(&pend, SIGUSR1));
    /* Default action ends the process. */
    signal(SIGTERM, SIG_DFL);
    fflush(stdout);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
