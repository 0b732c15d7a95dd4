/* waitid: the siginfo_t it fills.
   - P_PID, WEXITED, a child that exits 5: si_signo SIGCHLD, si_pid,
     si_uid, si_code CLD_EXITED, si_status 5;
   - P_ALL, a child killed by SIGKILL: CLD_KILLED, si_status SIGKILL; and
     one killed by SIGTERM: CLD_KILLED, SIGTERM;
   - WNOHANG with the child still running: returns 0, si_pid stays 0;
   - WNOWAIT leaves the child to be waited for again (same siginfo), and
     waitpid afterwards gets the same status;
   - P_PGID: a child in a group of its own, waited for by its group;
   - errors: ECHILD with no children, ECHILD for a pid that is no child,
     EINVAL with no state asked for (options 0). */
#include "procs.h"

static const char *code(int c)
{
    return c == CLD_EXITED ? "CLD_EXITED" : c == CLD_KILLED ? "CLD_KILLED" : c == CLD_DUMPED ? "CLD_DUMPED" :
           c == CLD_STOPPED ? "CLD_STOPPED" : c == CLD_CONTINUED ? "CLD_CONTINUED" : "?";
}

/* A child that blocks until *w is closed, then exits with code. */
static pid_t blocked(int *w, int code)
{
    int fd[2];
    char c;
    MUST(pipe(fd));
    pid_t p = MUST(fork());
    if (p == 0) {
        close(fd[1]);
        read(fd[0], &c, 1);
        _exit(code);
    }
    close(fd[0]);
    *w = fd[1];
    return p;
}

int main(void)
{
    siginfo_t si;
    int r, w;

    pid_t p = MUST(fork());
    if (p == 0)
        _exit(5);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED);
    check(r == 0 && si.si_signo == SIGCHLD && si.si_pid == p && si.si_uid == getuid(),
          "P_PID: si_signo SIGCHLD, si_pid the child, si_uid mine");
    check(si.si_code == CLD_EXITED && si.si_status == 5, "exit(5): %s, si_status %d", code(si.si_code), si.si_status);

    static const int sigs[] = { SIGKILL, SIGTERM };
    for (int i = 0; i < 2; i++) {
        p = blocked(&w, 0);
        kill(p, sigs[i]);
        memset(&si, 0, sizeof si);
        r = waitid(P_ALL, 0, &si, WEXITED);
        check(r == 0 && si.si_pid == p && si.si_code == CLD_KILLED && si.si_status == sigs[i],
              "P_ALL, killed by signal %d: %s, si_status %d", sigs[i], code(si.si_code), si.si_status);
        close(w);
    }

    p = blocked(&w, 6);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED | WNOHANG);
    check(r == 0 && si.si_pid == 0, "WNOHANG while it runs: returns %d, si_pid %d", r, (int)si.si_pid);
    close(w);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED | WNOWAIT);
    check(r == 0 && si.si_pid == p && si.si_code == CLD_EXITED && si.si_status == 6, "WNOWAIT: %s, si_status %d",
          code(si.si_code), si.si_status);
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
    check(r == 0 && si.si_pid == p && si.si_status == 6, "WNOWAIT again: the same child, si_status %d", si.si_status);
    const char *st = reap(p);
    check(!strcmp(st, "exit 6"), "then waitpid reaps it: %s", st);

    int fd[2];
    char c;
    MUST(pipe(fd));
    p = MUST(fork());
    if (p == 0) {
        setpgid(0, 0);
        MUST(write(fd[1], "r", 1));
        _exit(9);
    }
    MUST(read(fd[0], &c, 1));
    memset(&si, 0, sizeof si);
    r = waitid(P_PGID, p, &si, WEXITED);
    check(r == 0 && si.si_pid == p && si.si_status == 9, "P_PGID: the child of that group, si_status %d", si.si_status);

    errno = 0;
    r = waitid(P_ALL, 0, &si, WEXITED);
    check(r == -1 && errno == ECHILD, "no children: %s", r ? strerrorname_np(errno) : "0");
    errno = 0;
    r = waitid(P_PID, getpid(), &si, WEXITED);
    check(r == -1 && errno == ECHILD, "P_PID of no child: %s", r ? strerrorname_np(errno) : "0");
    p = blocked(&w, 0);
    errno = 0;
    r = waitid(P_PID, p, &si, 0);
    check(r == -1 && errno == EINVAL, "options 0: %s", r ? strerrorname_np(errno) : "0");
    close(w);
    reap(p);
    return done();
}
