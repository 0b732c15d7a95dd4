/*
 * forkcopy.c — the native baseline of bench/snap, built for the host: what
 * the kernel charges a process of the same size for the native analogues
 * of a clone and of an uncompressed snapshot.
 *
 *   forkcopy MIB DIR
 *
 *   0. touch one word in each page of a fresh MIB MiB anonymous mapping
 *            -> the mean time of one, in ns: a page's first fault, what
 *            the host charges for every page a process (or mvm) first
 *            touches
 *   1. fill  those MIB MiB exactly as snapk does: the first half
 *            xorshift64* words from the same seed, the second half the
 *            same 64-word pattern xor'ed with the page number (the same
 *            bytes, the same amount of work, the same pages resident)
 *   2. fork  FORKS times in turn: fork(), the child _exits at once, the
 *            parent waits for it (waitpid) -> the mean time of one, in ns:
 *            the native analogue of making a clone (a copy of the
 *            process's page tables, its memory shared copy-on-write)
 *   3. write the MIB MiB to a new file DIR/forkcopy.PID.tmp (1 MiB write()
 *            calls), fsync it, rename it, fsync DIR, as mvm writes a
 *            snapshot -> the time from open() to the end of the last
 *            fsync, and the part from the first fsync on (durable); then
 *            the file is removed: the native analogue of an uncompressed
 *            snapshot
 *
 * Every time is CLOCK_MONOTONIC. Output, one line:
 *   "forkcopy MIB MiB: touch_ns T fork_ns F forks K write_ns W durable_ns D sum S"
 * (S: the FNV-1a checksum of the memory, as snapk computes it, so that the
 * fill cannot be optimised away and can be compared).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FORKS 10

#include "fill.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: forkcopy MIB DIR\n");
        return 2;
    }
    long mib = atol(argv[1]);
    const char *dir = argv[2];
    if (mib < 2 || mib > 65536) {
        fprintf(stderr, "forkcopy: bad size\n");
        return 2;
    }
    size_t words = (size_t)mib << 17;
    uint64_t *m = mmap(NULL, words * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("forkcopy: mmap");
        return 1;
    }

    /* 0. first touch */
    size_t pages = words / 512;
    int64_t f0 = now_ns();
    for (size_t p = 0; p < pages; p++)
        ((volatile uint64_t *)m)[p * 512] = p;
    int64_t f1 = now_ns();

    /* 1. fill, as snapk */
    fill(m, words);

    /* 2. fork and wait */
    fflush(stdout);
    int64_t t0 = now_ns();
    for (int k = 0; k < FORKS; k++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("forkcopy: fork");
            return 1;
        }
        if (pid == 0)
            _exit(0);
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "forkcopy: the child did not exit 0\n");
            return 1;
        }
    }
    int64_t t1 = now_ns();

    /* 3. write, fsync, rename, fsync the directory */
    char tmp[4096], fin[4096];
    snprintf(tmp, sizeof tmp, "%s/forkcopy.%d.tmp", dir, (int)getpid());
    snprintf(fin, sizeof fin, "%s/forkcopy.%d", dir, (int)getpid());
    int64_t w0 = now_ns();
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(tmp);
        return 1;
    }
    const char *p = (const char *)m;
    size_t left = words * 8;
    while (left > 0) {
        size_t n = left < (1u << 20) ? left : (1u << 20);
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            perror("forkcopy: write");
            unlink(tmp);
            return 1;
        }
        p += w;
        left -= (size_t)w;
    }
    int64_t w1 = now_ns();
    int dfd = -1;
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, fin) != 0 ||
        (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(dfd) != 0) {
        perror("forkcopy: fsync/rename");
        unlink(tmp);
        unlink(fin);
        return 1;
    }
    int64_t w2 = now_ns();
    close(dfd);
    unlink(fin);

    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < words; i++)
        h = (h ^ m[i]) * 0x100000001B3ull;
    printf("forkcopy %ld MiB: touch_ns %lld fork_ns %lld forks %d write_ns %lld durable_ns %lld sum %016llx\n", mib,
           (long long)((f1 - f0) / (int64_t)pages), (long long)((t1 - t0) / FORKS), FORKS, (long long)(w2 - w0), (long long)(w2 - w1),
           (unsigned long long)h);
    return 0;
}
