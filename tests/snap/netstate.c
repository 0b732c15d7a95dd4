/* netstate PORT [stop]: sockets and event objects across a snapshot.
 * Sets up a Unix stream socket pair with bytes queued each way, a TCP
 * socket listening on 127.0.0.1:PORT with a client connected to it and
 * the accepted end, an eventfd holding 5, a one-shot timerfd due in 50 ms,
 * a periodic one (10 s), a UDP socket, and an epoll instance watching
 * the eventfd, a pipe with a byte in it, an empty pipe and a one-shot
 * eventfd that has already fired (it reports 3 at once, then 2: the
 * one-shot stays disarmed); says "ready" and calls
 * getppid() (the marker: with "stop" it exits there). Then one line per
 * object says how it is. Without a snapshot both TCP ends say "open";
 * restored from one taken at the marker they say "reset" (a connection
 * does not survive a move), and everything else says the same. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

static const char *state(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return "open";
    if (n < 0 && errno == ECONNRESET)
        return "reset";
    return n == 0 ? "closed" : "data";
}

/* What the epoll instance reports now, by its data (sorted). */
static void watched(int ep)
{
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, 8, 0);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && ev[j].data.u64 < ev[j - 1].data.u64; j--) {
            struct epoll_event t = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = t;
        }
    printf("epoll: %d", n);
    for (int i = 0; i < n; i++)
        printf(" %llx", (unsigned long long)ev[i].data.u64);
    printf("\n");
}

static void got(const char *what, int fd)
{
    char b[16] = "";
    ssize_t n = recv(fd, b, sizeof b - 1, MSG_DONTWAIT);
    printf("%s: %s\n", what, n > 0 ? b : "nothing");
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0, stop = argc > 2;
    int sp[2], one = 1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0)
        return 1;
    send(sp[0], "ping", 4, 0);
    send(sp[1], "pong", 4, 0);
    int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 8) != 0 ||
        connect(c, (struct sockaddr *)&a, sizeof a) != 0)
        return 2;
    int s = accept(l, NULL, NULL);
    int e = eventfd(5, 0);
    int t1 = timerfd_create(CLOCK_MONOTONIC, 0), t2 = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec once = { .it_value = { 0, 50000000 } }, every = { { 10, 0 }, { 10, 0 } };
    timerfd_settime(t1, 0, &once, NULL);
    timerfd_settime(t2, 0, &every, NULL);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    int ep = epoll_create1(0), full[2], empty[2], e2 = eventfd(1, 0);
    if (s < 0 || e < 0 || t1 < 0 || t2 < 0 || u < 0 || ep < 0 || pipe(full) || pipe(empty) || e2 < 0 ||
        write(full[1], "x", 1) != 1)
        return 3;
    struct { int fd; uint32_t events; uint64_t data; } w[] = {
        { e, EPOLLIN, 0x1111 }, { full[0], EPOLLIN, 0x2222 }, { empty[0], EPOLLIN, 0x3333 },
        { e2, EPOLLIN | EPOLLONESHOT, 0x4444 },
    };
    for (int i = 0; i < 4; i++) {
        struct epoll_event ev = { .events = w[i].events, .data.u64 = w[i].data };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, w[i].fd, &ev) != 0)
            return 4;
    }
    watched(ep);
    printf("ready\n");
    fflush(stdout);
    getppid();
    if (stop)
        _exit(0);

    watched(ep);
    got("pair a reads", sp[0]);
    got("pair b reads", sp[1]);
    send(sp[0], "more", 4, 0);
    got("pair b then reads", sp[1]);
    uint64_t v = 0;
    printf("eventfd: %d %llu\n", (int)read(e, &v, 8), (unsigned long long)v);
    struct pollfd pf = { t1, POLLIN, 0 };
    printf("timer: %s\n", poll(&pf, 1, 5000) == 1 && read(t1, &v, 8) == 8 && v >= 1 ? "fired" : "not fired");
    struct itimerspec cur;
    timerfd_gettime(t2, &cur);
    printf("periodic: interval %lds, next within it: %s\n", (long)cur.it_interval.tv_sec,
           cur.it_value.tv_sec < 10 || (cur.it_value.tv_sec == 10 && cur.it_value.tv_nsec == 0) ? "yes" : "no");
    printf("client: %s\n", state(c));
    printf("accepted: %s\n", state(s));
    int c2 = socket(AF_INET, SOCK_STREAM, 0);
    int ok = connect(c2, (struct sockaddr *)&a, sizeof a) == 0;
    int s2 = ok ? accept(l, NULL, NULL) : -1;
    char b[4] = "";
    ok = ok && s2 >= 0 && send(c2, "hi", 2, 0) == 2 && recv(s2, b, 2, MSG_WAITALL) == 2 && !memcmp(b, "hi", 2);
    printf("listener: %s\n", ok ? "accepts" : "does not accept");
    int type = 0;
    socklen_t len = sizeof type;
    getsockopt(u, SOL_SOCKET, SO_TYPE, &type, &len);
    printf("udp: %s\n", type == SOCK_DGRAM ? "datagram" : "gone");
    return 0;
}
