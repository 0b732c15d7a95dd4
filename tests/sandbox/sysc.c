/*
 * sysc.c — system calls whose results do not depend on the sandbox's
 * files, compared with the oracle: tests/sandbox/run.sh runs it under
 * qemu-riscv64 and under mvm and compares output and exit status.
 * Subcommands:
 *   calls      argument checking (EFAULT, EINVAL, EBADF ...) and results
 *              that are the same on any Linux (uname's sysname, ...)
 *   sigpipe    writes to a pipe with no reader: dies of SIGPIPE
 *   abort      abort(): dies of SIGABRT
 *   term       kill(getpid(), SIGTERM): dies of SIGTERM
 *   ignored    signals set to SIG_IGN or blocked, sent to itself: lives
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *res(long r)
{
    static char b[8][32];
    static int i;
    i = (i + 1) % 8;
    if (r == -1)
        snprintf(b[i], sizeof b[i], "%s", strerrorname_np(errno));
    else
        snprintf(b[i], sizeof b[i], "%ld", r);
    return b[i];
}

#define T(call) printf("%-64s -> %s\n", #call, res((long)(call)))

static void *volatile bad_ptr = (void *)8;    /* never mapped */
#define BAD bad_ptr

static void calls(void)
{
    char b[64];
    struct stat st;
    int fd = open("file.txt", O_RDONLY);
    T(fd);
    T(read(fd, BAD, 10));
    T(read(fd, b, 0));
    T(write(1, BAD, 5));
    T(stat("file.txt", BAD));
    T(stat(BAD, &st));
    T(open(BAD, O_RDONLY));
    T(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY));
    T(syscall(SYS_newfstatat, 99, "", &st, AT_EMPTY_PATH));
    T(syscall(SYS_newfstatat, fd, "x", &st, 0));
    T(syscall(SYS_newfstatat, AT_FDCWD, "file.txt", &st, 0x8000));
    T(syscall(SYS_getcwd, b, 1));
    T(syscall(SYS_getcwd, BAD, 100));
    T(syscall(SYS_readlinkat, AT_FDCWD, "file.txt", b, 0));
    T(lseek(fd, 0, 9));
    T(syscall(SYS_fcntl, fd, 9999, 0));
    T(syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4));
    T(syscall(SYS_rt_sigaction, SIGKILL, &(struct sigaction){ 0 }, NULL, 8));
    T(syscall(SYS_rt_sigaction, 65, NULL, NULL, 8));
    T(syscall(SYS_rt_sigaction, 0, NULL, NULL, 8));
    T(syscall(SYS_rt_sigprocmask, 7, &(sigset_t){ 0 }, NULL, 8));
    T(syscall(SYS_rt_sigprocmask, 7, NULL, NULL, 8));
    T(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 16));
    struct sigaction sa = { .sa_handler = SIG_IGN }, old;
    T(sigaction(SIGUSR2, &sa, NULL));
    T(sigaction(SIGUSR2, NULL, &old));
    printf("old handler is SIG_IGN: %d\n", old.sa_handler == SIG_IGN);
    sigset_t set, oset;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGKILL);
    T(sigprocmask(SIG_BLOCK, &set, NULL));
    T(sigprocmask(SIG_BLOCK, NULL, &oset));
    printf("blocked USR1 %d KILL %d\n", sigismember(&oset, SIGUSR1), sigismember(&oset, SIGKILL));
    T(sigprocmask(SIG_SETMASK, &(sigset_t){ 0 }, NULL));
    T(kill(getpid(), 0));
    T(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), 0));
    T(kill(getpid(), 99));
    T(syscall(SYS_tgkill, getpid(), 999999, SIGTERM));
    T(syscall(SYS_tgkill, -1, 1, SIGTERM));
    T(getpid() == syscall(SYS_gettid));
    T(getpgid(0) == getpid() || getpgid(0) > 0);
    T(clock_gettime(1234, &(struct timespec){ 0 }));
    T(clock_gettime(CLOCK_MONOTONIC, BAD));
    T(clock_getres(CLOCK_MONOTONIC, NULL));
    T(syscall(SYS_nanosleep, &(struct timespec){ 0, 2000000000 }, NULL));
    T(syscall(SYS_nanosleep, &(struct timespec){ -1, 0 }, NULL));
    T(syscall(SYS_nanosleep, &(struct timespec){ 0, 1000 }, NULL));
    struct timespec t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    printf("monotonic does not go back: %d\n",
           t2.tv_sec > t1.tv_sec || (t2.tv_sec == t1.tv_sec && t2.tv_nsec >= t1.tv_nsec));
    T(getrandom(b, 16, 0));
    T(getrandom(b, 16, 0x80));
    T(getrandom(BAD, 16, 0));
    T(dup3(fd, fd, 0));
    T(dup3(fd, 7, 0x1));
    T(pipe2(BAD, 0));
    T(ioctl(fd, TCGETS, b));
    T(ioctl(99, TCGETS, b));
    T(syscall(SYS_getdents64, fd, b, sizeof b));
    T(syscall(SYS_getdents64, 99, b, sizeof b));
    T(fchdir(fd));
    T(chdir("file.txt"));
    T(faccessat(AT_FDCWD, "file.txt", R_OK, 0x12345));
    T(syscall(SYS_sched_getaffinity, 0, 4, b));
    T(syscall(SYS_sched_getaffinity, 0, 12, b));
    T(syscall(99999));
    T(syscall(SYS_getrlimit, 99, b));
    struct rlimit rl;
    T(getrlimit(RLIMIT_STACK, &rl));
    printf("stack soft %lld\n", (long long)rl.rlim_cur);
    rl.rlim_cur = rl.rlim_max + 1;
    T(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 10, 5 }));
    struct utsname u;
    T(uname(&u));
    printf("uname %s %s\n", u.sysname, u.machine);
    T(uname(BAD));
    T(umask(027));
    T(umask(022));
    T(close(fd));
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    if (!strcmp(argv[1], "calls")) {
        calls();
        return 0;
    }
    if (!strcmp(argv[1], "sigpipe")) {
        int p[2];
        if (pipe(p) != 0)
            return 3;
        close(p[0]);
        write(p[1], "x", 1);
        return 4;   /* not reached: SIGPIPE ends the process */
    }
    if (!strcmp(argv[1], "abort"))
        abort();
    if (!strcmp(argv[1], "term")) {
        kill(getpid(), SIGTERM);
        return 4;
    }
    if (!strcmp(argv[1], "ignored")) {
        signal(SIGTERM, SIG_IGN);
        kill(getpid(), SIGTERM);
        signal(SIGPIPE, SIG_IGN);
        int p[2];
        if (pipe(p) != 0)
            return 3;
        close(p[0]);
        errno = 0;
        long r = write(p[1], "x", 1);
        printf("write to a closed pipe: %ld %s\n", r, strerrorname_np(errno));
        raise(SIGCHLD);         /* ignored by default */
        raise(SIGWINCH);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        sigprocmask(SIG_BLOCK, &s, NULL);
        raise(SIGUSR1);         /* blocked: stays pending */
        printf("alive\n");
        fflush(stdout);
        _exit(7);
    }
    return 2;
}
