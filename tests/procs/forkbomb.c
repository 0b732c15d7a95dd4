/* forkbomb (mvm only, run with --mem 64M): forks in a loop until fork
   fails, then lets every child go. Each child closes its copy of the
   pipe's write end and blocks reading it; once fork fails the parent
   closes the write end, every child reads EOF and exits 0, and the parent
   reaps them all. A guarded fork bomb: the VM must refuse a fork with
   EAGAIN or ENOMEM (a process cap, or memory kept in reserve) before its
   memory limit forces it to kill the parent; the parent touches as
   little new memory as it can (no pid list). Children that the monitor
   kills for memory (SIGKILL) are accepted; the program gives up after
   20000 children (4 KiB each at the very least: more than 64M).
   Not run under qemu-riscv64, which would fork real host processes. */
#include "procs.h"

int main(void)
{
    int fd[2];
    long n = 0;
    int err = 0;
    alarm(0);    /* no watchdog (procs.h): this one may take its time */
    MUST(pipe(fd));
    while (n < 20000) {
        pid_t p = fork();
        if (p < 0) {
            err = errno;
            break;
        }
        if (p == 0) {
            char c;
            close(fd[1]);
            _exit(read(fd[0], &c, 1) == 0 ? 0 : 1);
        }
        n++;
    }
    if (err == EAGAIN || err == ENOMEM)
        check(1, "fork failed at last, with EAGAIN or ENOMEM");
    else
        check(0, "fork failed at last, with EAGAIN or ENOMEM: %s", err ? strerrorname_np(err) : "it never did");
    check(n >= 10, "after at least 10 children");
    close(fd[1]);
    close(fd[0]);
    long reaped = 0, bad = 0;
    int s, odd = 0;
    pid_t r;
    while ((r = wait(&s)) > 0 || (r < 0 && errno == EINTR)) {
        if (r < 0)
            continue;
        reaped++;
        if (!(WIFEXITED(s) && WEXITSTATUS(s) == 0) && !(WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL) && !bad++)
            odd = s;
    }
    if (reaped == n && bad == 0)
        check(1, "every child ended and was reaped");
    else
        check(0, "every child ended and was reaped: %ld missing, %ld with another status (the first: %s)",
              n - reaped, bad, bad ? desc(odd) : "-");
    pid_t p = fork();
    if (p == 0)
        _exit(7);
    const char *st = p > 0 ? reap(p) : "fork failed";
    check(!strcmp(st, "exit 7"), "fork works again afterwards: %s", st);
    return done();
}
