/* eventfd, timerfd and epoll over pipes and socketpairs, plus poll and
 * select over sockets. Deterministic: compared with qemu-riscv64. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    int efd = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    uint64_t v = 0;
    printf("eventfd read %zd value %llu\n", read(efd, &v, 8), (unsigned long long)v);
    printf("eventfd empty: %s\n", read(efd, &v, 8) < 0 && errno == EAGAIN ? "EAGAIN" : "?");
    v = 5;
    write(efd, &v, 8);
    v = 7;
    write(efd, &v, 8);
    read(efd, &v, 8);
    printf("eventfd sum %llu\n", (unsigned long long)v);
    int sem = eventfd(2, EFD_SEMAPHORE);
    read(sem, &v, 8);
    printf("semaphore reads %llu\n", (unsigned long long)v);

    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    struct itimerspec its = { .it_interval = { 0, 20000000 }, .it_value = { 0, 10000000 } }, cur;
    printf("settime %d\n", timerfd_settime(tfd, 0, &its, NULL));
    timerfd_gettime(tfd, &cur);
    printf("interval %ld.%09ld armed %d\n", (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec,
           cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0);
    uint64_t ticks = 0;
    read(tfd, &ticks, 8);         /* blocks ~10 ms */
    printf("timer ticked %d\n", ticks >= 1);
    printf("bad settime: %s\n", timerfd_settime(efd, 0, &its, NULL) < 0 && errno == EINVAL ? "EINVAL" : "?");

    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2], sv[2];
    pipe(p);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct epoll_event e = { .events = EPOLLIN, .data.u64 = 0x1111222233334444ull };
    printf("ctl pipe %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
    e.data.u64 = 0xdeadbeefcafef00dull;
    e.events = EPOLLIN | EPOLLOUT;
    printf("ctl sock %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &e));
    e.events = EPOLLIN;
    e.data.u64 = 42;
    printf("ctl efd %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e));
    printf("ctl again: %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e) < 0 && errno == EEXIST ? "EEXIST" : "?");
    printf("ctl self: %s\n", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e) < 0 && errno == EINVAL ? "EINVAL" : "?");
    struct epoll_event out[8];
    int n = epoll_wait(ep, out, 8, 0);
    printf("wait: %d\n", n);
    for (int i = 0; i < n; i++)
        printf("  %llx events %x\n", (unsigned long long)out[i].data.u64, out[i].events);
    write(p[1], "x", 1);
    v = 1;
    write(efd, &v, 8);
    e.events = EPOLLIN;
    e.data.u64 = 0xdeadbeefcafef00dull;
    epoll_ctl(ep, EPOLL_CTL_MOD, sv[1], &e);
    n = epoll_wait(ep, out, 8, 1000);
    printf("wait: %d\n", n);
    for (int i = 0; i < n; i++)
        printf("  %llx events %x\n", (unsigned long long)out[i].data.u64, out[i].events);
    write(sv[0], "y", 1);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL);
    n = epoll_wait(ep, out, 8, 1000);
    printf("wait: %d first %llx\n", n, (unsigned long long)out[0].data.u64);
    char c;
    read(sv[1], &c, 1);
    int t0 = (int)time(NULL);
    n = epoll_wait(ep, out, 8, 50);
    printf("timeout wait: %d (%s)\n", n, (int)time(NULL) - t0 < 3 ? "prompt" : "slow");
    printf("maxevents 0: %s\n", epoll_wait(ep, out, 0, 0) < 0 && errno == EINVAL ? "EINVAL" : "?");

    struct pollfd pf[2] = { { sv[1], POLLIN, 0 }, { sv[0], POLLOUT, 0 } };
    printf("poll %d revents %x %x\n", poll(pf, 2, 0), pf[0].revents, pf[1].revents);
    write(sv[0], "z", 1);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(sv[1], &rs);
    struct timeval tv = { 1, 0 };
    printf("select %d isset %d\n", select(sv[1] + 1, &rs, NULL, NULL, &tv), FD_ISSET(sv[1], &rs));
    close(sv[0]);
    pf[0].events = POLLIN;
    printf("poll after close %d revents %x\n", poll(pf, 1, 100), pf[0].revents);
    return 0;
}
