/* SO_RCVTIMEO bounds a blocking recv in a process with other threads
   (where the wait gives up the run lock): EAGAIN after about 200 ms. */
#include <pthread.h>
#include <stdio.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
static void *idle(void *a) { sleep(5); return a; }
int main(void) {
    int sv[2]; socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pthread_t t; pthread_create(&t, 0, idle, 0);
    struct timeval tv = { 0, 200000 };
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
    char c; ssize_t n = recv(sv[0], &c, 1, 0); int e = errno;
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    printf("recv %zd %s after %s\n", n, e == EAGAIN ? "EAGAIN" : "other", ms >= 190 && ms < 1500 ? "about 200 ms" : "a wrong time");
    return 0;
}
