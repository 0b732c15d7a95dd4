/* pfuzz: random process system calls (clone, wait4, waitid, kill,
   setpgid, setsid, execve, tgkill, exit) with hostile arguments, from
   several processes and threads at once (argv[1] is the directory of
   the test binaries, argv[2] the seed). Whatever the guest does to
   itself, the monitor must not crash, report a sanitizer error or hang:
   tests/procs/run.sh checks how mvm ended, not what the guest printed. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t rng;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static long pick(void)
{
    static const long v[] = { 0, 1, -1, 2, 1000, 1001, 1002, -1000, 0x7fffffff, -0x80000000L, 4096,
                              0x3fffffff000L, 0x10000, 17, 9, 19, 18, 0x4000, 0x100 | 0x4000, 0x10000 };
    if (rnd() % 3 == 0)
        return (long)rnd();
    return v[rnd() % (sizeof v / sizeof v[0])];
}
static char scratch[256];
static void *spin(void *a)
{
    for (volatile int i = 0; i < 1000000; i++)
        ;
    return a;
}

int main(int argc, char **argv)
{
    rng = argc > 2 ? strtoull(argv[2], 0, 0) : 12345;
    if (!rng)
        rng = 1;
    alarm(5);
    signal(SIGCHLD, SIG_DFL);
    static const long nrs[] = { SYS_clone, SYS_wait4, SYS_waitid, SYS_kill, SYS_setpgid, SYS_getpgid,
                                SYS_setsid, SYS_getsid, SYS_execve, SYS_tgkill, SYS_getppid, SYS_exit };
    for (int i = 0; i < 3000; i++) {
        long nr = nrs[rnd() % (sizeof nrs / sizeof nrs[0])];
        long a[6];
        for (int k = 0; k < 6; k++)
            a[k] = pick();
        if (nr == SYS_kill && (a[1] == 9 || a[1] == 19 || a[1] == 15 || a[1] == 2) && rnd() % 4)
            a[1] = 0;     /* mostly keep ourselves alive */
        if (nr == SYS_exit && rnd() % 8)
            continue;
        if (nr == SYS_clone) {
            a[0] &= 0x1ffff | 0x100 | 0x4000;
            a[1] = rnd() % 2 ? 0 : (long)(scratch + sizeof scratch);
        }
        if (nr == SYS_execve && rnd() % 2) {
            static char target[300];
            snprintf(target, sizeof target, "%s/echoargs", argc > 1 ? argv[1] : ".");
            a[0] = (long)target;
            a[1] = 0;
        }
        if (nr == SYS_wait4 || nr == SYS_waitid)
            a[2] |= 1;     /* WNOHANG mostly: no long waits */
        long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (nr == SYS_clone && r == 0) {
            if (rnd() % 2) { pthread_t t; pthread_create(&t, 0, spin, 0); }
            if (rnd() % 3 == 0) _exit((int)(rnd() & 255));
        }
        if (i % 500 == 0 && getpid() != 1000)
            _exit(0);
    }
    printf("survived pid %d\n", getpid());
    return 0;
}
