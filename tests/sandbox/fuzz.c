/*
 * fuzz.c — random system calls with hostile arguments: bad and edge-of-
 * mapping pointers, huge and negative sizes, stray fds, paths with "..".
 * tests/sandbox/run.sh runs it with a fixed seed under
 *   --dir <tmp>/sandbox:/data --dir <tmp>/ro:/ro:ro
 * and passes when the guest reaches its end (exit 0: the monitor neither
 * crashed nor killed it) and nothing outside /data changed on the host,
 * the read-only mapping included. Memory-management calls, exit, signals to
 * itself and calls that would rightly block forever are left out or made
 * non-blocking: they would end or hang this guest on Linux too.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t seed;

static uint64_t rnd(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 17;
}

/* Names from the host tree run.sh makes, and some that are not there. */
static const char *const paths[] = {
    "/data/file.txt", "/data", "..", "/", "/data/../../..", "x", "", "/data/sub/y", "/ro/ro.txt",
    "/data/etc_link/passwd", "/data/up3/data/sub", "/data/dangle", "sub/inner.txt", "/ro",
    "/data/loop1", "/data/victim/deep",
};

/* The file, process, time and identity calls of the generic table. */
static const int calls[] = {
    17, 23, 24, 25, 29, 32, 33, 34, 35, 36, 37, 43, 44, 45, 46, 47, 48, 49, 50, 52, 53, 54, 55,
    56, 57, 59, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 78, 79, 80, 81, 82, 83, 88, 96, 99,
    100, 102, 103, 113, 114, 122, 123, 124, 132, 134, 135, 136, 140, 141, 148, 150, 153, 154,
    155, 156, 157, 158, 160, 163, 164, 165, 166, 167, 168, 169, 172, 173, 174, 175, 176, 177,
    178, 179, 223, 227, 228, 229, 232, 258, 259, 261, 276, 278, 291, 436, 439,
};

int main(int argc, char **argv)
{
    seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    int n = argc > 2 ? atoi(argv[2]) : 20000;
    char *buf = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 3;
    munmap(buf + 2 * 4096, 4096);   /* a hole right after the buffer */
    signal(SIGPIPE, SIG_IGN);
    /* setitimer arms real timers: their signals are ignored too. */
    signal(SIGALRM, SIG_IGN);
    signal(SIGVTALRM, SIG_IGN);
    signal(SIGPROF, SIG_IGN);
    for (int i = 0; i < n; i++) {
        uint64_t a[6];
        for (int k = 0; k < 6; k++) {
            switch (rnd() % 12) {
            case 0: a[k] = 0; break;
            case 1: a[k] = rnd() % 8; break;
            case 2: a[k] = (uint64_t)-100; break;       /* AT_FDCWD */
            case 3: a[k] = (uint64_t)(uintptr_t)paths[rnd() % (sizeof paths / sizeof paths[0])]; break;
            case 4: a[k] = (uint64_t)(uintptr_t)(buf + rnd() % (2 * 4096)); break;
            case 5: a[k] = (uint64_t)(uintptr_t)(buf + 2 * 4096 - rnd() % 64); break;
            case 6: a[k] = 8; break;
            case 7: a[k] = rnd(); break;
            case 8: a[k] = rnd() % 5000; break;
            case 9: a[k] = (uint64_t)-1; break;
            case 10: a[k] = 1ull << (rnd() % 64); break;
            default: a[k] = rnd() % 0x200; break;
            }
        }
        int nr = calls[rnd() % (sizeof calls / sizeof calls[0])];
        if ((nr == 63 || nr == 65 || nr == 67 || nr == 69) && a[0] == 0)
            a[0] = 99;                      /* no reads from stdin */
        if (nr == 134 && ((int)a[0] == SIGPIPE || (int)a[0] == SIGALRM || (int)a[0] == SIGVTALRM ||
                          (int)a[0] == SIGPROF))
            continue;                       /* SIGPIPE and the timers' signals stay ignored */
        if (nr == 56)
            a[2] |= 04000;                  /* open with O_NONBLOCK: FIFOs do not wait */
        if (nr == 59)
            a[1] |= 04000;                  /* pipes never block */
        if (nr == 32)
            a[1] |= 4;                      /* flock with LOCK_NB */
        if (nr == 25 && (a[1] == 4 || a[1] == 7))
            continue;                       /* F_SETFL could make a pipe block; F_SETLKW waits */
        syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        if (i % 97 == 0)
            for (int fd = 3; fd < 64; fd++)
                close(fd);
    }
    return 0;
}
