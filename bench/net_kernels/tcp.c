/*
 * tcp.c — loopback TCP inside one program: the main thread listens on
 * 127.0.0.1:PORT, starts a server thread (or, with "fork" as the last
 * argument, a server child process) that accepts one connection, and is
 * the client of that connection itself. Both ends set TCP_NODELAY.
 *
 *   tcp rr PORT N [thread|fork]
 *       N request/response round trips of 64-byte messages: the client
 *       sends 64 bytes, the server reads all 64 and answers with 64 bytes
 *       derived from them, the client reads all 64 before sending the next.
 *   tcp bulk PORT MIB [thread|fork]
 *       the client sends MIB MiB in 128 KiB writes; the server reads it
 *       all, checksums it (FNV-1a over 64-bit words) and answers with its
 *       8-byte checksum, which the client checks against one it computed
 *       before the timed part.
 *
 * Prints one line that depends only on the work done (bench/net compares
 * it with the native build's), then "time_ns N": the client's time from
 * the first byte sent to the last one received, which leaves out process
 * start-up, the listen and the connect. Exits 3 if PORT is taken (so the
 * caller can pick another), 1 on any other failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG 64
#define CHUNK (128 * 1024)
#define BLOCK (1024 * 1024)

static long count;      /* round trips, or MiB */
static int bulk;
static int lfd;
static uint64_t block[BLOCK / 8];

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "tcp: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int full(int fd, void *p, size_t n, int wr)
{
    char *b = p;
    while (n) {
        ssize_t k = wr ? send(fd, b, n, MSG_NOSIGNAL) : recv(fd, b, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = ECONNRESET;
            return -1;
        }
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

static uint64_t fold(uint64_t s, const uint64_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s = (s ^ w[i]) * 0x100000001B3ull;   /* FNV-1a over 64-bit words */
    return s;
}

/* Chunk c of the bulk stream, into buf: the 1 MiB block, with the chunk
 * number in the first word so that no two chunks are the same. */
static void chunk(uint64_t *buf, long c)
{
    memcpy(buf, (char *)block + (c * CHUNK) % BLOCK, CHUNK);
    buf[0] = (uint64_t)c;
}

static void nodelay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one))
        die("setsockopt TCP_NODELAY");
}

static void *server(void *arg)
{
    (void)arg;
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        die("accept");
    nodelay(fd);
    if (bulk) {
        static uint64_t buf[CHUNK / 8];
        uint64_t s = 0;
        for (long c = 0; c < count * (BLOCK / CHUNK); c++) {
            if (full(fd, buf, CHUNK, 0))
                die("server recv");
            s = fold(s, buf, CHUNK / 8);
        }
        if (full(fd, &s, sizeof s, 1))
            die("server send");
    } else {
        unsigned char m[MSG];
        for (long i = 0; i < count; i++) {
            if (full(fd, m, MSG, 0))
                die("server recv");
            for (int j = 0; j < MSG; j++)
                m[j] = (unsigned char)(m[j] * 7 + j);
            if (full(fd, m, MSG, 1))
                die("server send");
        }
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "rr") && strcmp(argv[1], "bulk")) ||
        (argc > 4 && strcmp(argv[4], "thread") && strcmp(argv[4], "fork"))) {
        fprintf(stderr, "usage: tcp rr PORT ROUNDTRIPS [thread|fork] | tcp bulk PORT MIB [thread|fork]\n");
        return 2;
    }
    int use_fork = argc > 4 && !strcmp(argv[4], "fork");
    bulk = !strcmp(argv[1], "bulk");
    int port = atoi(argv[2]);
    count = atol(argv[3]);

    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0)
        die("socket");
    int one = 1;
    if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one))
        die("setsockopt SO_REUSEADDR");
    if (bind(lfd, (struct sockaddr *)&a, sizeof a)) {
        if (errno == EADDRINUSE) {
            fprintf(stderr, "tcp: 127.0.0.1:%d is taken\n", port);
            return 3;
        }
        die("bind");
    }
    if (listen(lfd, 1))
        die("listen");

    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < BLOCK / 8; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        block[i] = x * 0x2545F4914F6CDD1Dull;
    }
    pthread_t t;
    pid_t child = -1;
    if (use_fork) {
        fflush(stdout);
        child = fork();
        if (child < 0)
            die("fork");
        if (child == 0) {
            server(NULL);
            _exit(0);
        }
        close(lfd);
    } else if ((errno = pthread_create(&t, NULL, server, NULL))) {
        die("pthread_create");
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *)&a, sizeof a))
        die("connect");
    nodelay(fd);

    int64_t t0, t1;
    if (bulk) {
        static uint64_t buf[CHUNK / 8];
        uint64_t want = 0, got;
        long chunks = count * (BLOCK / CHUNK);
        for (long c = 0; c < chunks; c++) {   /* the expected checksum, untimed */
            chunk(buf, c);
            want = fold(want, buf, CHUNK / 8);
        }
        t0 = now_ns();
        for (long c = 0; c < chunks; c++) {
            chunk(buf, c);
            if (full(fd, buf, CHUNK, 1))
                die("client send");
        }
        if (full(fd, &got, sizeof got, 0))
            die("client recv");
        t1 = now_ns();
        if (got != want) {
            fprintf(stderr, "tcp: the server's checksum %016llx is not %016llx\n",
                    (unsigned long long)got, (unsigned long long)want);
            return 1;
        }
        printf("tcp bulk %ld MiB: checksum %016llx, the server agrees\n", count,
               (unsigned long long)want);
    } else {
        unsigned char m[MSG];
        uint64_t s = 0;
        for (int j = 0; j < MSG; j++)
            m[j] = (unsigned char)j;
        t0 = now_ns();
        for (long i = 0; i < count; i++) {
            m[0] = (unsigned char)i;
            if (full(fd, m, MSG, 1))
                die("client send");
            if (full(fd, m, MSG, 0))
                die("client recv");
            for (int j = 0; j < MSG; j++)
                s = s * 31 + m[j];
        }
        t1 = now_ns();
        printf("tcp rr %ld x %d bytes: checksum %016llx\n", count, MSG, (unsigned long long)s);
    }
    if (use_fork) {
        int st = 0;
        if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st)) {
            fprintf(stderr, "tcp: the server process failed (status 0x%x)\n", st);
            return 1;
        }
    } else {
        pthread_join(t, NULL);
        close(lfd);
    }
    close(fd);
    printf("time_ns %lld\n", (long long)(t1 - t0));
    return 0;
}
