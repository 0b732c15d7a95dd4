/* stop: stopped and continued children (job control as a shell sees it).
   - a child that raise(SIGSTOP)s: waitpid(WUNTRACED) gives WIFSTOPPED
     with WSTOPSIG SIGSTOP; a plain waitpid(WNOHANG) does not report it;
   - kill(SIGCONT): waitpid(WCONTINUED) gives WIFCONTINUED;
   - kill(SIGSTOP) from the parent; waitid(WSTOPPED) gives CLD_STOPPED
     with si_status SIGSTOP; SIGCONT, waitid(WCONTINUED) gives
     CLD_CONTINUED with si_status SIGCONT;
   - SIGTSTP's default action stops too;
   - a stopped child is killed by SIGKILL;
   - the parent's SIGCHLD handler hears of the stop (CLD_STOPPED), the
     continue (CLD_CONTINUED) and the exit (CLD_EXITED). */
#include "procs.h"

static volatile sig_atomic_t nchld, lastcode;

static void on_chld(int s, siginfo_t *si, void *u) { (void)s; (void)u; lastcode = si->si_code; nchld++; }

static const char *code(int c)
{
    return c == CLD_EXITED ? "CLD_EXITED" : c == CLD_KILLED ? "CLD_KILLED" : c == CLD_STOPPED ? "CLD_STOPPED" :
           c == CLD_CONTINUED ? "CLD_CONTINUED" : "?";
}

int main(void)
{
    int s, r, fd[2];
    siginfo_t si;
    const char *st;
    MUST(pipe(fd));

    pid_t p = MUST(fork());
    if (p == 0) {
        char c;
        close(fd[1]);
        raise(SIGSTOP);
        read(fd[0], &c, 1);    /* blocks until the parent closes fd[1] */
        _exit(3);
    }
    r = waitpid(p, &s, WUNTRACED);
    check(r == p && WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP, "raise(SIGSTOP): %s", desc(s));
    r = waitpid(p, &s, WNOHANG);
    check(r == 0, "a plain WNOHANG wait does not report the stop again: %d", r);
    kill(p, SIGCONT);
    r = waitpid(p, &s, WCONTINUED);
    check(r == p && WIFCONTINUED(s), "SIGCONT: %s", desc(s));

    kill(p, SIGSTOP);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WSTOPPED);
    check(r == 0 && si.si_pid == p && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP,
          "kill(SIGSTOP), waitid(WSTOPPED): CLD_STOPPED %d", si.si_status);
    kill(p, SIGCONT);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WCONTINUED);
    check(r == 0 && si.si_pid == p && si.si_code == CLD_CONTINUED && si.si_status == SIGCONT,
          "SIGCONT, waitid(WCONTINUED): CLD_CONTINUED %d", si.si_status);

    kill(p, SIGTSTP);
    r = waitpid(p, &s, WUNTRACED);
    check(r == p && WIFSTOPPED(s) && WSTOPSIG(s) == SIGTSTP, "SIGTSTP: %s", desc(s));
    kill(p, SIGCONT);
    r = waitpid(p, &s, WCONTINUED);
    check(r == p && WIFCONTINUED(s), "SIGCONT: %s", desc(s));
    close(fd[1]);
    st = reap(p);
    check(!strcmp(st, "exit 3"), "then it runs on and exits: %s", st);
    close(fd[0]);

    p = MUST(fork());
    if (p == 0) {
        raise(SIGSTOP);
        _exit(4);
    }
    r = waitpid(p, &s, WUNTRACED);
    check(r == p && WIFSTOPPED(s), "stopped again: %s", desc(s));
    kill(p, SIGKILL);
    st = reap(p);
    check(!strcmp(st, "signal 9"), "SIGKILL kills a stopped child: %s", st);

    /* The SIGCHLD handler, with SIGCHLD blocked but while sigsuspend
       waits, and the child held on a pipe so that no two reports merge
       (SA_NOCLDSTOP is in chldflags.c: qemu-riscv64 7.2 ignores it). */
    struct sigaction sa;
    sigset_t chld, empty, old;
    char c;
    sigemptyset(&empty);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_BLOCK, &chld, &old);
    MUST(pipe(fd));
    p = MUST(fork());
    if (p == 0) {
        close(fd[1]);
        raise(SIGSTOP);
        read(fd[0], &c, 1);
        _exit(0);
    }
    close(fd[0]);
    while (nchld == 0)
        sigsuspend(&empty);
    check(nchld == 1 && lastcode == CLD_STOPPED, "SIGCHLD handler: %s", code(lastcode));
    waitpid(p, &s, WUNTRACED);
    kill(p, SIGCONT);
    while (nchld == 1)
        sigsuspend(&empty);
    check(nchld == 2 && lastcode == CLD_CONTINUED, "SIGCHLD handler: %s", code(lastcode));
    waitpid(p, &s, WCONTINUED);
    close(fd[1]);
    while (nchld == 2)
        sigsuspend(&empty);
    check(nchld == 3 && lastcode == CLD_EXITED, "SIGCHLD handler: %s", code(lastcode));
    st = reap(p);
    check(!strcmp(st, "exit 0"), "that child: %s", st);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return done();
}
