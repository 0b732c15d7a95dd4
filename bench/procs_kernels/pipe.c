/*
 * pipe.c — pipe throughput between two processes: the parent forks a
 * child and writes MIB MiB into a pipe to it in 64 KiB writes; the child
 * reads it all, checksums every byte and sends its checksum back on a
 * second pipe; the parent checks it against its own and waits for the
 * child. The timed part runs from just before the fork to the wait.
 *
 *   pipe MIB        prints "pipe MIB MiB: checksum C, the child agrees",
 *                   then time_ns
 *
 * The data is a 1 MiB pseudo-random block (xorshift64*, fixed seed) sent
 * again and again with the chunk number written into each 64 KiB chunk's
 * first word, so no two chunks are the same. The checksum is FNV-1a over
 * 64-bit words (xor, then multiply by the FNV prime): one serial multiply
 * per word, which no SIMD unit speeds up, so it costs about the same
 * share of the time natively as in riscv64 code.
 */
#include "common.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define BLOCK (1024 * 1024)

static uint64_t block[BLOCK / 8];

static uint64_t fold(uint64_t s, const uint64_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s = (s ^ w[i]) * 0x100000001B3ull;
    return s;
}

/* Chunk c of the stream, into buf. */
static void chunk(uint64_t *buf, long c)
{
    memcpy(buf, (char *)block + (c * CHUNK) % BLOCK, CHUNK);
    buf[0] = (uint64_t)c;
}

static int full(int fd, void *p, size_t n, int wr)
{
    char *b = p;
    while (n) {
        ssize_t k = wr ? write(fd, b, n) : read(fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 64;
    long chunks = mib * (1024 * 1024 / CHUNK);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < BLOCK / 8; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        block[i] = x * 0x2545F4914F6CDD1Dull;
    }
    static uint64_t buf[CHUNK / 8];
    uint64_t want = 0;
    for (long c = 0; c < chunks; c++) {
        chunk(buf, c);
        want = fold(want, buf, CHUNK / 8);
    }

    int data[2], back[2];
    if (pipe(data) || pipe(back)) {
        perror("pipe: pipe");
        return 1;
    }
    int64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        perror("pipe: fork");
        return 1;
    }
    if (pid == 0) {
        close(data[1]);
        close(back[0]);
        uint64_t s = 0;
        for (long c = 0; c < chunks; c++) {
            if (full(data[0], buf, CHUNK, 0))
                _exit(3);
            s = fold(s, buf, CHUNK / 8);
        }
        if (full(back[1], &s, sizeof s, 1))
            _exit(4);
        _exit(0);
    }
    close(data[0]);
    close(back[1]);
    for (long c = 0; c < chunks; c++) {
        chunk(buf, c);
        if (full(data[1], buf, CHUNK, 1)) {
            perror("pipe: write");
            return 1;
        }
    }
    close(data[1]);
    uint64_t got;
    if (full(back[0], &got, sizeof got, 0)) {
        fprintf(stderr, "pipe: no checksum from the child\n");
        return 1;
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "pipe: child failed (status 0x%x)\n", st);
        return 1;
    }
    int64_t t = now_ns() - t0;
    if (got != want) {
        fprintf(stderr, "pipe: the child's checksum %016llx is not %016llx\n",
                (unsigned long long)got, (unsigned long long)want);
        return 1;
    }
    printf("pipe %ld MiB: checksum %016llx, the child agrees\n", mib, (unsigned long long)want);
    report_time(t);
    return 0;
}
