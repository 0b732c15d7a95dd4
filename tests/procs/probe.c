/* probe (a helper, not a test): checks what a program finds after
   execve, one "ok"/"FAIL" line per argument, and exits 1 if any failed.
   Arguments (no numbers are printed, only the LABELs, so the output does
   not depend on pids or descriptor numbers):
     pid=N            getpid() is N            ("pid kept")
     ppid=N           getppid() is N
     open=LABEL:FD@OFF   FD is open, its offset OFF
     closed=LABEL:FD  FD is closed
     default=SIG      SIG's action is SIG_DFL
     ignored=SIG      SIG's action is SIG_IGN
     blocked=SIG      SIG is in the signal mask
     unblocked=SIG    SIG is not in the signal mask
     pending=SIG      SIG is pending
     cwd=PATH         getcwd() is PATH
     umask=OCTAL      the umask is OCTAL
     leader=0|1       whether getpgrp() == getpid() */
#define KEEP_SIGNALS    /* what exec left us is what we look at */
#include "procs.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *a = argv[i], *v = strchr(a, '=');
        if (!v) { check(0, "bad argument %s", a); continue; }
        *v++ = 0;
        long n = strtol(v, NULL, 0);
        sigset_t set;
        struct sigaction sa;
        if (!strcmp(a, "pid"))
            check(getpid() == n, "pid kept");
        else if (!strcmp(a, "ppid"))
            check(getppid() == n, "parent kept");
        else if (!strcmp(a, "open") || !strcmp(a, "closed")) {
            char *c = strchr(v, ':');
            if (!c) { check(0, "bad argument %s", v); continue; }
            *c++ = 0;
            int fd = atoi(c);
            errno = 0;
            int fl = fcntl(fd, F_GETFD);
            if (!strcmp(a, "closed"))
                check(fl == -1 && errno == EBADF, "fd %s closed", v);
            else {
                char *at = strchr(c, '@');
                long want = at ? atol(at + 1) : 0;
                long off = fl >= 0 ? (long)lseek(fd, 0, SEEK_CUR) : -1;
                check(fl == 0 && off == want, "fd %s open at offset %ld, FD_CLOEXEC clear", v, off);
            }
        } else if (!strcmp(a, "default") || !strcmp(a, "ignored")) {
            sigaction((int)n, NULL, &sa);
            void (*want)(int) = !strcmp(a, "default") ? SIG_DFL : SIG_IGN;
            check(sa.sa_handler == want, "signal %ld %s", n, a);
        } else if (!strcmp(a, "blocked") || !strcmp(a, "unblocked")) {
            sigprocmask(SIG_BLOCK, NULL, &set);
            check(sigismember(&set, (int)n) == (a[0] == 'b'), "signal %ld %s", n, a);
        } else if (!strcmp(a, "pending")) {
            sigpending(&set);
            check(sigismember(&set, (int)n), "signal %ld pending", n);
        } else if (!strcmp(a, "cwd")) {
            char buf[4096];
            check(getcwd(buf, sizeof buf) && !strcmp(buf, v), "cwd kept");
        } else if (!strcmp(a, "umask")) {
            mode_t m = umask(0);
            check(m == (mode_t)n, "umask %04o", (unsigned)m);
        } else if (!strcmp(a, "leader"))
            check((getpgrp() == getpid()) == (n != 0), n ? "process group leader" : "not a process group leader");
        else
            check(0, "unknown check %s", a);
    }
    return nfail ? 1 : 0;
}
