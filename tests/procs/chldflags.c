/* chldflags: SIGCHLD with SA_NOCLDWAIT and SA_NOCLDSTOP (checked against
   Linux, not qemu-riscv64 7.2, which does not pass these flags on).
   - with SIG_DFL and SA_NOCLDWAIT, children are reaped by themselves:
     wait blocks until they are gone and gives ECHILD;
   - with a handler and SA_NOCLDWAIT, the children are reaped by
     themselves and SIGCHLD is still sent (Linux does; POSIX leaves it
     open): the handler runs once per child;
   - without the flag again, a child stays a zombie until reaped;
   - with SA_NOCLDSTOP, a child's stop and continue send no SIGCHLD (wait
     still reports them), its exit does. */
#include "procs.h"

static volatile sig_atomic_t nchld, lastcode;

static void on_chld(int s, siginfo_t *si, void *u) { (void)s; (void)u; lastcode = si->si_code; nchld++; }

int main(void)
{
    struct sigaction sa;
    sigset_t chld, empty, old;
    int s, r;
    sigemptyset(&empty);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, NULL);
    for (int i = 0; i < 3; i++)
        if (MUST(fork()) == 0)
            _exit(6);
    r = wait(&s);
    check(r == -1 && errno == ECHILD, "SIG_DFL with SA_NOCLDWAIT: wait gives %s", r == -1 ? strerrorname_np(errno) : "a pid");

    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_NOCLDWAIT | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_BLOCK, &chld, &old);
    for (int i = 0; i < 2; i++) {
        pid_t p = MUST(fork());
        if (p == 0)
            _exit(7);
        while (nchld == i)
            sigsuspend(&empty);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    check(nchld == 2, "a handler with SA_NOCLDWAIT still runs for each child: %d", (int)nchld);
    r = wait(&s);
    check(r == -1 && errno == ECHILD, "and the children were reaped: wait gives %s", r == -1 ? strerrorname_np(errno) : "a pid");

    signal(SIGCHLD, SIG_DFL);
    pid_t p = MUST(fork());
    if (p == 0)
        _exit(8);
    const char *st = reap(p);
    check(!strcmp(st, "exit 8"), "without the flag, a zombie to reap: %s", st);

    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_BLOCK, &chld, &old);
    nchld = 0;
    int fd[2];
    char c;
    sigset_t pend;
    MUST(pipe(fd));
    p = MUST(fork());
    if (p == 0) {
        close(fd[1]);
        raise(SIGSTOP);
        read(fd[0], &c, 1);
        _exit(0);
    }
    close(fd[0]);
    r = waitpid(p, &s, WUNTRACED);
    check(r == p && WIFSTOPPED(s), "SA_NOCLDSTOP: waitpid(WUNTRACED) still reports the stop: %s", desc(s));
    kill(p, SIGCONT);
    r = waitpid(p, &s, WCONTINUED);
    check(r == p && WIFCONTINUED(s), "and waitpid(WCONTINUED) the continue: %s", desc(s));
    sigpending(&pend);
    check(!sigismember(&pend, SIGCHLD) && nchld == 0, "but no SIGCHLD came for them");
    close(fd[1]);
    while (nchld == 0)
        sigsuspend(&empty);
    check(nchld == 1 && lastcode == CLD_EXITED, "the exit sends SIGCHLD (CLD_EXITED: %d)", lastcode == CLD_EXITED);
    sigprocmask(SIG_SETMASK, &old, NULL);
    st = reap(p);
    check(!strcmp(st, "exit 0"), "that child: %s", st);
    return done();
}
