/* wait: fork with wait, waitpid and wait4.
   - exit(0), exit(1), exit(42), exit(255) and exit(256) give WIFEXITED
     with WEXITSTATUS 0, 1, 42, 255 and 0 (only the low 8 bits);
   - deaths by SIGKILL, SIGTERM, abort() and a segfault give WIFSIGNALED
     with that WTERMSIG (the core-dump bit is not looked at);
   - WNOHANG gives 0 while the child runs (blocked on a pipe), then the
     status once it has exited;
   - one pid among three is waited for while the two others run, then
     wait and wait4 (with rusage) collect the two others in any order;
   - waitpid(0) takes a child of the caller's process group;
   - ECHILD: wait with no child, WNOHANG with no child, a pid that is no
     child (the caller itself);
   - the child's getppid is the parent's getpid, its getpid is what fork
     returned and differs from the parent's;
   - a raw clone(SIGCHLD) system call is a fork; an exit signal past the
     last signal is EINVAL. */
#include "procs.h"
#include <sys/resource.h>
#include <sys/syscall.h>

static pid_t child_exits(int code)
{
    pid_t p = MUST(fork());
    if (p == 0)
        _exit(code);
    return p;
}

static pid_t child_dies(int how)
{
    pid_t p = MUST(fork());
    if (p == 0) {
        struct rlimit no = { 0, 0 };
        setrlimit(RLIMIT_CORE, &no);    /* no core file from the segfault */
        if (how == SIGSEGV)
            { int *volatile bad = (int *)16; *bad = 1; }
        else if (how == SIGABRT)
            abort();
        else
            raise(how);
        _exit(100);
    }
    return p;
}

/* A child that blocks reading a new pipe until the parent closes its
   write end (*wfd), then exits with code. The child closes every other
   descriptor it inherited: an earlier child's write end left open here
   would keep that child from ever seeing EOF. */
static pid_t child_waits(int *wfd, int code)
{
    int fd[2];
    MUST(pipe(fd));
    pid_t p = MUST(fork());
    if (p == 0) {
        char c;
        for (int i = 3; i < 64; i++)
            if (i != fd[0])
                close(i);
        while (read(fd[0], &c, 1) > 0)
            ;
        _exit(code);
    }
    close(fd[0]);
    *wfd = fd[1];
    return p;
}

int main(void)
{
    int s;
    pid_t me = getpid();

    static const int codes[] = { 0, 1, 42, 255, 256 };
    for (int i = 0; i < 5; i++) {
        pid_t p = child_exits(codes[i]);
        pid_t r = waitpid(p, &s, 0);
        check(r == p && WIFEXITED(s) && !WIFSIGNALED(s) && WEXITSTATUS(s) == (codes[i] & 255),
              "exit(%d) gives %s", codes[i], desc(s));
    }

    static const int sigs[] = { SIGKILL, SIGTERM, SIGABRT, SIGSEGV };
    static const char *const names[] = { "SIGKILL", "SIGTERM", "abort()", "a segfault" };
    for (int i = 0; i < 4; i++) {
        pid_t p = child_dies(sigs[i]);
        pid_t r = waitpid(p, &s, 0);
        check(r == p && WIFSIGNALED(s) && !WIFEXITED(s) && WTERMSIG(s) == sigs[i],
              "a child killed by %s gives %s", names[i], desc(s));
    }

    /* WNOHANG while the child runs. */
    int w;
    pid_t p = child_waits(&w, 7);
    pid_t r1 = waitpid(p, &s, WNOHANG), r2 = waitpid(-1, &s, WNOHANG);
    check(r1 == 0 && r2 == 0, "WNOHANG gives 0 while the child runs (%d, %d)", (int)r1, (int)r2);
    close(w);
    pid_t r = waitpid(p, &s, 0);
    check(r == p && WIFEXITED(s) && WEXITSTATUS(s) == 7, "then the child's status: %s", desc(s));

    /* One pid among three. */
    int w1, w2, w3;
    pid_t p1 = child_waits(&w1, 21), p2 = child_waits(&w2, 22), p3 = child_waits(&w3, 23);
    check(p1 != p2 && p2 != p3 && p1 != p3 && p1 != me && p2 != me && p3 != me, "three children, three pids");
    close(w2);
    r = waitpid(p2, &s, 0);
    check(r == p2 && WIFEXITED(s) && WEXITSTATUS(s) == 22, "waitpid(second) gives the second: %s", desc(s));
    r1 = waitpid(p1, &s, WNOHANG);
    r2 = waitpid(p3, &s, WNOHANG);
    check(r1 == 0 && r2 == 0, "the first and third still run");
    close(w1);
    close(w3);
    int s1, s3;
    struct rusage ru;
    r1 = wait(&s1);
    r2 = wait4(-1, &s3, 0, &ru);
    if (r1 == p3) {    /* either order */
        pid_t t = r1; r1 = r2; r2 = t;
        int ts = s1; s1 = s3; s3 = ts;
    }
    check(r1 == p1 && r2 == p3 && WIFEXITED(s1) && WEXITSTATUS(s1) == 21 && WIFEXITED(s3) &&
          WEXITSTATUS(s3) == 23, "wait and wait4(-1) collect the other two: %s, %s", desc(s1), desc(s3));

    /* waitpid(0): any child in my process group. */
    p = child_exits(12);
    r = waitpid(0, &s, 0);
    check(r == p && WIFEXITED(s) && WEXITSTATUS(s) == 12, "waitpid(0) takes a child of my group: %s", desc(s));

    /* No children left. */
    errno = 0;
    r = wait(&s);
    check(r == -1 && errno == ECHILD, "wait with no child: ECHILD (%s)", strerror(errno));
    errno = 0;
    r = waitpid(-1, &s, WNOHANG);
    check(r == -1 && errno == ECHILD, "waitpid(-1, WNOHANG) with no child: ECHILD (%s)", strerror(errno));
    errno = 0;
    r = waitpid(me, &s, 0);
    check(r == -1 && errno == ECHILD, "waitpid(my own pid): ECHILD (%s)", strerror(errno));

    /* Who is who. */
    int fd[2];
    MUST(pipe(fd));
    p = MUST(fork());
    if (p == 0) {
        pid_t ids[2] = { getpid(), getppid() };
        write(fd[1], ids, sizeof ids);
        _exit(0);
    }
    pid_t ids[2] = { 0, 0 };
    close(fd[1]);
    ssize_t n = read(fd[0], ids, sizeof ids);
    close(fd[0]);
    check(n == sizeof ids && ids[0] == p && ids[0] != me, "the child's getpid is what fork returned, not mine");
    check(n == sizeof ids && ids[1] == me, "the child's getppid is my getpid");
    check(getpid() == me, "my getpid is unchanged");
    check(!strcmp(reap(p), "exit 0"), "that child exits 0");

    /* clone(SIGCHLD) without CLONE_VM is a fork. */
    long c = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    if (c == 0)
        _exit(getppid() == me ? 9 : 8);
    check(c > 0, "raw clone(SIGCHLD) gives a pid");
    if (c > 0)
        check(!strcmp(reap((pid_t)c), "exit 9"), "the clone child sees me as parent and exits 9");
    /* An exit signal beyond the last signal is refused. */
    errno = 0;
    c = syscall(SYS_clone, 200L, 0L, 0L, 0L, 0L);
    if (c == 0)
        _exit(0);
    check(c == -1 && errno == EINVAL, "clone with exit signal 200 gives EINVAL");
    return done();
}
