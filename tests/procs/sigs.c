/* sigs: signals between processes.
   - kill(child, SIGTERM) on a child blocked in pause(): WTERMSIG SIGTERM;
     a child with a SIGTERM handler runs it instead (it exits 33);
   - kill(pid, 0): 0 for a running child and for a zombie (seen with
     waitid WNOWAIT), ESRCH once it is reaped; ESRCH for a pid that
     cannot exist;
   - a SIGCHLD handler (SA_SIGINFO) runs once per child, for three
     children taken one at a time (SIGCHLD blocked, sigsuspend): si_pid,
     si_code CLD_EXITED with si_status the exit code, and CLD_KILLED with
     SIGKILL for the one killed;
   - SIGCHLD set to SIG_IGN: children are reaped by themselves, wait
     blocks until they are gone and gives ECHILD; back to SIG_DFL,
     zombies stay again (SA_NOCLDWAIT is in chldflags.c: qemu-riscv64
     7.2 does not pass it on);
   - a child signals its sibling (SIGUSR1, caught) and its parent
     (SIGUSR2, caught);
   - fork keeps the handlers and the mask but not the pending signals. */
#include "procs.h"

static volatile sig_atomic_t nchld, nusr2;
static siginfo_t last;

static void on_chld(int s, siginfo_t *si, void *u) { (void)s; (void)u; last = *si; nchld++; }
static void on_term(int s) { (void)s; _exit(33); }
static void on_usr1(int s) { (void)s; _exit(77); }
static void on_usr2(int s) { (void)s; nusr2++; }

/* A child that says it is ready on a pipe, then pauses forever. */
static pid_t pauser(void (*handler)(int))
{
    int fd[2];
    char c;
    MUST(pipe(fd));
    pid_t p = MUST(fork());
    if (p == 0) {
        if (handler)
            signal(SIGTERM, handler);
        close(fd[0]);
        MUST(write(fd[1], "r", 1));
        for (;;)
            pause();
    }
    close(fd[1]);
    MUST(read(fd[0], &c, 1));
    close(fd[0]);
    return p;
}

static const char *errname(int r) { return r == 0 ? "0" : r == -1 ? strerrorname_np(errno) : "a pid"; }

int main(void)
{
    const char *st;
    sigset_t chld, old, empty;
    sigemptyset(&empty);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);

    puts("-- kill");
    pid_t p = pauser(NULL);
    check(kill(p, SIGTERM) == 0, "kill(child, SIGTERM) works");
    st = reap(p);
    check(!strcmp(st, "signal 15"), "the paused child died of it: %s", st);
    p = pauser(on_term);
    kill(p, SIGTERM);
    st = reap(p);
    check(!strcmp(st, "exit 33"), "a child with a SIGTERM handler ran it: %s", st);

    p = pauser(NULL);
    check(kill(p, 0) == 0, "kill(running child, 0) gives 0");
    kill(p, SIGKILL);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, p, &si, WEXITED | WNOWAIT);
    check(r == 0 && si.si_pid == p && si.si_code == CLD_KILLED, "waitid WNOWAIT sees it dead, leaves a zombie");
    r = kill(p, 0);
    check(r == 0, "kill(zombie, 0) gives %s", errname(r));
    st = reap(p);
    check(!strcmp(st, "signal 9"), "reaped: %s", st);
    r = kill(p, 0);
    check(r == -1 && errno == ESRCH, "kill(reaped pid, 0) gives %s", errname(r));
    r = kill(999999999, SIGTERM);
    check(r == -1 && errno == ESRCH, "kill(999999999, SIGTERM) gives %s", errname(r));

    puts("-- SIGCHLD handler");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_BLOCK, &chld, &old);
    for (int i = 0; i < 3; i++) {
        p = i < 2 ? MUST(fork()) : pauser(NULL);
        if (p == 0)
            _exit(40 + i);
        if (i == 2)
            kill(p, SIGKILL);
        while (nchld == i)
            sigsuspend(&empty);
        int want_code = i < 2 ? CLD_EXITED : CLD_KILLED, want_status = i < 2 ? 40 + i : SIGKILL;
        check(nchld == i + 1 && last.si_signo == SIGCHLD && last.si_pid == p && last.si_code == want_code &&
              last.si_status == want_status, "SIGCHLD %d: si_code %s, si_status %d", i + 1,
              last.si_code == CLD_EXITED ? "CLD_EXITED" : last.si_code == CLD_KILLED ? "CLD_KILLED" : "other",
              last.si_status);
        reap(p);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    check(nchld == 3, "the handler ran 3 times for 3 children");
    signal(SIGCHLD, SIG_DFL);

    puts("-- SIGCHLD ignored");
    signal(SIGCHLD, SIG_IGN);
    pid_t a = MUST(fork());
    if (a == 0)
        _exit(1);
    pid_t b = pauser(NULL);
    kill(b, SIGTERM);
    int s;
    r = wait(&s);
    check(r == -1 && errno == ECHILD, "with SIG_IGN, wait gives %s once both children are gone", errname(r));
    r = waitpid(a, &s, WNOHANG);
    check(r == -1 && errno == ECHILD, "and waitpid(first) gives %s", errname(r));
    signal(SIGCHLD, SIG_DFL);
    a = MUST(fork());
    if (a == 0)
        _exit(5);
    st = reap(a);
    check(!strcmp(st, "exit 5"), "back to SIG_DFL, the child is a zombie to reap: %s", st);

    puts("-- between processes");
    int fd[2];
    char c;
    MUST(pipe(fd));
    b = MUST(fork());
    if (b == 0) {
        sigset_t u1;
        sigemptyset(&u1);
        sigaddset(&u1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &u1, NULL);
        signal(SIGUSR1, on_usr1);
        MUST(write(fd[1], "r", 1));
        sigsuspend(&empty);
        _exit(1);
    }
    MUST(read(fd[0], &c, 1));
    a = MUST(fork());
    if (a == 0)
        _exit(kill(b, SIGUSR1) == 0 ? 0 : 1);
    st = reap(a);
    const char *stb = reap(b);
    check(!strcmp(st, "exit 0") && !strcmp(stb, "exit 77"), "a child signals its sibling: %s, %s", st, stb);

    sigset_t u2;
    sigemptyset(&u2);
    sigaddset(&u2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &u2, &old);
    signal(SIGUSR2, on_usr2);
    a = MUST(fork());
    if (a == 0)
        _exit(kill(getppid(), SIGUSR2) == 0 ? 0 : 1);
    while (nusr2 == 0)
        sigsuspend(&empty);
    sigprocmask(SIG_SETMASK, &old, NULL);
    st = reap(a);
    check(!strcmp(st, "exit 0") && nusr2 == 1, "a child signals its parent: %s, the handler ran %d time(s)", st,
          (int)nusr2);

    puts("-- fork and signal state");
    sigprocmask(SIG_BLOCK, &u2, &old);
    raise(SIGUSR2);    /* pending here */
    a = MUST(fork());
    if (a == 0) {
        sigset_t pend, mask;
        struct sigaction cur;
        sigpending(&pend);
        sigprocmask(SIG_BLOCK, NULL, &mask);
        sigaction(SIGUSR2, NULL, &cur);
        _exit((sigismember(&pend, SIGUSR2) ? 1 : 0) | (sigismember(&mask, SIGUSR2) ? 0 : 2) |
              (cur.sa_handler == on_usr2 ? 0 : 4));
    }
    st = reap(a);
    check(!strcmp(st, "exit 0"), "the child has the handler and the mask, not the pending signal: %s", st);
    sigset_t pend;
    sigpending(&pend);
    check(sigismember(&pend, SIGUSR2), "the parent's SIGUSR2 is still pending");
    sigprocmask(SIG_SETMASK, &old, NULL);    /* delivered now */
    check(nusr2 == 2, "and is delivered when unblocked");
    return done();
}
