/* pipes: pipes between processes.
   - request/reply: the parent sends lines on one pipe, the child answers
     each in capitals with its length on another; when the parent closes
     its end the child reads EOF, says bye and exits; the parent then
     reads EOF too;
   - a pipeline of three forked processes (no exec), joined with pipe and
     dup2 on stdin/stdout: producer (1..1000) | squarer | summer; every
     write end is closed by whoever does not need it, so each stage sees
     EOF when the one before it exits; the summer prints on the real stdout;
   - 1 MiB through a pipe from a child (more than a pipe holds: the
     writer blocks and is woken), checked byte by byte, then EOF;
   - two children writing 200 lines of 50 bytes each into one pipe: no
     line is torn (writes up to PIPE_BUF are atomic);
   - a child writing to a pipe nobody reads is killed by SIGPIPE; with
     SIGPIPE ignored its write fails with EPIPE. */
#include "procs.h"
#include <ctype.h>

/* Reads one line (without the newline) from fd; its length, -1 at EOF. */
static int getline_fd(int fd, char *buf, int max)
{
    int n = 0;
    char c;
    for (;;) {
        ssize_t r = read(fd, &c, 1);
        if (r <= 0)
            return n ? n : -1;
        if (c == '\n')
            break;
        if (n < max - 1)
            buf[n++] = c;
    }
    buf[n] = 0;
    return n;
}

static void say(int fd, const char *s) { MUST(write(fd, s, strlen(s))); }

static void request_reply(void)
{
    int down[2], up[2];
    MUST(pipe(down));
    MUST(pipe(up));
    pid_t p = MUST(fork());
    if (p == 0) {
        char line[256], out[300];
        close(down[1]);
        close(up[0]);
        int n;
        while ((n = getline_fd(down[0], line, sizeof line)) >= 0) {
            for (int i = 0; line[i]; i++)
                line[i] = toupper((unsigned char)line[i]);
            snprintf(out, sizeof out, "%s %d\n", line, n);
            say(up[1], out);
        }
        say(up[1], "bye\n");
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    static const char *const msgs[] = { "hello", "pipes between processes", "x" };
    char reply[300];
    for (int i = 0; i < 3; i++) {
        char m[64];
        snprintf(m, sizeof m, "%s\n", msgs[i]);
        say(down[1], m);
        int n = getline_fd(up[0], reply, sizeof reply);
        check(n > 0, "reply to \"%s\": \"%s\"", msgs[i], n > 0 ? reply : "(none)");
    }
    close(down[1]);
    int n = getline_fd(up[0], reply, sizeof reply);
    check(n == 3 && !strcmp(reply, "bye"), "after my EOF the child says \"%s\"", n > 0 ? reply : "(nothing)");
    char c;
    check(read(up[0], &c, 1) == 0, "then EOF from the child");
    close(up[0]);
    check(!strcmp(reap(p), "exit 0"), "the replying child exits 0");
}

static pid_t stage(int in, int out, int close1, int close2, void (*fn)(void))
{
    pid_t p = MUST(fork());
    if (p == 0) {
        if (in >= 0) { MUST(dup2(in, 0)); close(in); }
        if (out >= 0) { MUST(dup2(out, 1)); close(out); }
        if (close1 >= 0) close(close1);
        if (close2 >= 0) close(close2);
        fn();
        exit(0);    /* flushes stdio */
    }
    return p;
}

static void producer(void)
{
    for (int i = 1; i <= 1000; i++)
        printf("%d\n", i);
}

static void squarer(void)
{
    long v;
    while (scanf("%ld", &v) == 1)
        printf("%ld\n", v * v);
}

static void summer(void)
{
    long v, sum = 0, n = 0;
    while (scanf("%ld", &v) == 1)
        sum += v, n++;
    printf("summer: %ld numbers, sum %ld\n", n, sum);
}

static void pipeline(void)
{
    int a[2], b[2];
    MUST(pipe(a));
    pid_t p1 = stage(-1, a[1], a[0], -1, producer);
    close(a[1]);
    MUST(pipe(b));    /* after the producer: it must not hold b's write end */
    pid_t p2 = stage(a[0], b[1], b[0], -1, squarer);
    close(a[0]);
    close(b[1]);
    pid_t p3 = stage(b[0], -1, -1, -1, summer);
    close(b[0]);
    const char *s1 = reap(p1), *s2 = reap(p2), *s3 = reap(p3);
    check(!strcmp(s1, "exit 0") && !strcmp(s2, "exit 0") && !strcmp(s3, "exit 0"),
          "producer | squarer | summer: %s, %s, %s", s1, s2, s3);
}

static void bulk(void)
{
    enum { N = 1 << 20 };
    int fd[2];
    MUST(pipe(fd));
    pid_t p = MUST(fork());
    if (p == 0) {
        static unsigned char buf[1000];
        close(fd[0]);
        for (unsigned off = 0; off < N; off += sizeof buf) {
            unsigned n = N - off < sizeof buf ? N - off : sizeof buf;
            for (unsigned i = 0; i < n; i++)
                buf[i] = (unsigned char)((off + i) * 7 + 3);
            for (unsigned k = 0; k < n;) {
                ssize_t w = write(fd[1], buf + k, n - k);
                if (w <= 0)
                    _exit(1);
                k += w;
            }
        }
        _exit(0);
    }
    close(fd[1]);
    static unsigned char buf[65536];
    unsigned long got = 0, bad = 0;
    ssize_t r;
    while ((r = read(fd[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != (unsigned char)((got + i) * 7 + 3))
                bad++;
        got += r;
    }
    close(fd[0]);
    check(r == 0 && got == N && bad == 0, "1 MiB from a child: %lu bytes, %lu wrong, then EOF", got, bad);
    check(!strcmp(reap(p), "exit 0"), "the bulk writer exits 0");
}

static void two_writers(void)
{
    int fd[2];
    MUST(pipe(fd));
    pid_t p[2];
    for (int k = 0; k < 2; k++) {
        p[k] = MUST(fork());
        if (p[k] == 0) {
            char line[50];
            close(fd[0]);
            memset(line, 'a' + k, 49);
            line[49] = '\n';
            for (int i = 0; i < 200; i++)
                if (write(fd[1], line, 50) != 50)
                    _exit(1);
            _exit(0);
        }
    }
    close(fd[1]);
    char line[256];
    int count[2] = { 0, 0 }, torn = 0, n;
    while ((n = getline_fd(fd[0], line, sizeof line)) >= 0) {
        int k = line[0] - 'a';
        if (n != 49 || (k != 0 && k != 1) || strspn(line, k ? "b" : "a") != 49)
            torn++;
        else
            count[k]++;
    }
    close(fd[0]);
    check(count[0] == 200 && count[1] == 200 && torn == 0, "two writers: %d a-lines, %d b-lines, %d torn",
          count[0], count[1], torn);
    const char *s0 = reap(p[0]), *s1 = reap(p[1]);
    check(!strcmp(s0, "exit 0") && !strcmp(s1, "exit 0"), "both writers exit 0");
}

static void broken(int ignore)
{
    int fd[2], go[2];
    MUST(pipe(fd));
    MUST(pipe(go));
    pid_t p = MUST(fork());
    if (p == 0) {
        char c;
        close(fd[0]);
        close(go[1]);
        if (ignore)
            signal(SIGPIPE, SIG_IGN);
        read(go[0], &c, 1);    /* EOF once the parent has closed every read end */
        errno = 0;
        ssize_t w = write(fd[1], "x", 1);
        _exit(w == -1 && errno == EPIPE ? 0 : 1);
    }
    close(fd[0]);
    close(fd[1]);
    close(go[0]);
    close(go[1]);
    const char *st = reap(p);
    if (ignore)
        check(!strcmp(st, "exit 0"), "with SIGPIPE ignored, writing to a pipe without readers gives EPIPE: %s", st);
    else
        check(!strcmp(st, "signal 13"), "writing to a pipe without readers: %s (SIGPIPE)", st);
}

int main(void)
{
    request_reply();
    pipeline();
    bulk();
    two_writers();
    broken(0);
    broken(1);
    return done();
}
