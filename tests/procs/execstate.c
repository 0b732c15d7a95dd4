/* execstate: what survives execve (argv[1] is the directory holding the
   test binaries; it must be writable). Each child execs probe, which
   checks and prints one line per item.
   - descriptors: a plain fd survives with its offset, an O_CLOEXEC one
     and one given FD_CLOEXEC by fcntl are closed, a dup of an O_CLOEXEC
     fd survives (dup clears the flag) sharing its offset, both ends of a
     pipe2(O_CLOEXEC) are closed;
   - the pid and the parent pid stay; cwd and umask stay;
   - signals: a caught signal is reset to SIG_DFL, an ignored one stays
     ignored, the mask stays, a pending signal stays pending;
   - exec from a process with a second thread (blocked forever), or with
     two spinning, works and the other threads are gone. (execve from a thread other than the main
     one is not covered: mvm gives EAGAIN there, docs/design.md,
     "Processes".) */
#include "procs.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>

static char probe[4200];

static void on_usr1(int s) { (void)s; }

static void *forever(void *a)
{
    for (;;)
        pause();
    return a;
}

static void *spin(void *a)
{
    for (volatile unsigned long n = 0;; n++)
        ;
    return a;
}

/* Formats a probe argument. */
static char *arg(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        exit(2);
    va_end(ap);
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 2) { puts("usage: execstate DIR"); return 2; }
    snprintf(probe, sizeof probe, "%s/probe", argv[1]);
    char path[4200];
    snprintf(path, sizeof path, "%s/execstate.tmp", argv[1]);
    pid_t me = getpid();
    const char *st;

    puts("-- descriptors");
    int plain = MUST(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
    MUST(write(plain, "hello, world\n", 13));
    int cloexec = MUST(open(path, O_RDONLY | O_CLOEXEC));
    MUST(lseek(cloexec, 5, SEEK_SET));
    int dupped = MUST(dup(cloexec));
    int later = MUST(dup(plain));
    MUST(fcntl(later, F_SETFD, FD_CLOEXEC));
    int pp[2];
    MUST(pipe2(pp, O_CLOEXEC));
    pid_t p = MUST(fork());
    if (p == 0) {
        char *av[] = { "probe", arg("pid=%d", getpid()), arg("ppid=%d", me),
                       arg("open=plain:%d@13", plain), arg("closed=O_CLOEXEC:%d", cloexec),
                       arg("open=dup-of-O_CLOEXEC:%d@5", dupped), arg("closed=F_SETFD-FD_CLOEXEC:%d", later),
                       arg("closed=pipe2-read-end:%d", pp[0]), arg("closed=pipe2-write-end:%d", pp[1]), NULL };
        char *ev[] = { NULL };
        execve(probe, av, ev);
        _exit(127);
    }
    st = reap(p);
    check(!strcmp(st, "exit 0"), "probe: %s", st);
    check(fcntl(cloexec, F_GETFD) == FD_CLOEXEC && fcntl(pp[0], F_GETFD) == FD_CLOEXEC,
          "my own O_CLOEXEC descriptors are still open");
    close(plain); close(cloexec); close(dupped); close(later); close(pp[0]); close(pp[1]);
    MUST(unlink(path));

    puts("-- cwd and umask");
    p = MUST(fork());
    if (p == 0) {
        MUST(chdir(argv[1]));
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            _exit(3);
        umask(027);
        char *av[] = { "probe", arg("cwd=%s", cwd), "umask=027", NULL }, *ev[] = { NULL };
        execve(probe, av, ev);
        _exit(127);
    }
    st = reap(p);
    check(!strcmp(st, "exit 0"), "probe: %s", st);

    puts("-- signals");
    p = MUST(fork());
    if (p == 0) {
        sigset_t set;
        signal(SIGUSR1, on_usr1);
        signal(SIGUSR2, SIG_IGN);
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        sigprocmask(SIG_BLOCK, &set, NULL);
        raise(SIGHUP);
        char *av[] = { "probe", "default=10", "ignored=12", "blocked=2", "blocked=1", "pending=1",
                       "unblocked=10", NULL }, *ev[] = { NULL };
        execve(probe, av, ev);
        _exit(127);
    }
    st = reap(p);
    check(!strcmp(st, "exit 0"), "probe: %s", st);

    puts("-- threads");
    p = MUST(fork());
    if (p == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, forever, NULL))
            _exit(3);
        char *av[] = { "probe", arg("pid=%d", getpid()), NULL }, *ev[] = { NULL };
        execve(probe, av, ev);
        _exit(127);
    }
    st = reap(p);
    check(!strcmp(st, "exit 0"), "exec while a second thread blocks in pause: %s", st);
    p = MUST(fork());
    if (p == 0) {
        pthread_t t[2];
        if (pthread_create(&t[0], NULL, spin, NULL) || pthread_create(&t[1], NULL, spin, NULL))
            _exit(3);
        char *av[] = { "probe", arg("pid=%d", getpid()), NULL }, *ev[] = { NULL };
        execve(probe, av, ev);
        _exit(127);
    }
    st = reap(p);
    check(!strcmp(st, "exit 0"), "exec while two other threads spin: %s", st);
    return done();
}
