/* A minimal HTTP/1.0 server on an epoll loop: binds 127.0.0.1 PORT,
 * answers N requests (http N PORT) with a fixed body, then exits. Exit 3: port taken. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        perror("bind");
        return e == EADDRINUSE ? 3 : 1;
    }
    listen(s, 16);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0xfeedface00000000ull | (unsigned)s };
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    printf("ready\n");
    fflush(stdout);
    int left = atoi(argv[1]);
    const char body[] = "hello from a guest\n";
    while (left > 0) {
        struct epoll_event evs[8];
        int n = epoll_wait(ep, evs, 8, 10000);
        if (n <= 0) {
            fprintf(stderr, "epoll_wait: %d\n", n);
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if ((evs[i].data.u64 >> 32) != 0xfeedface && (evs[i].data.u64 >> 32) != 0xc0ffee) {
                fprintf(stderr, "bad epoll data %llx\n", (unsigned long long)evs[i].data.u64);
                return 1;
            }
            int fd = (int)(evs[i].data.u64 & 0xffffffff);
            if (fd == s) {
                int c;
                while ((c = accept4(s, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct epoll_event ce = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = 0xc0ffee00000000ull | (unsigned)c };
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            char req[4096];
            ssize_t k = read(fd, req, sizeof req - 1);
            if (k <= 0) {
                close(fd);
                continue;
            }
            req[k] = 0;
            char resp[512];
            int m = snprintf(resp, sizeof resp, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
                             strlen(body), body);
            write(fd, resp, (size_t)m);
            epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
            close(fd);
            left--;
        }
    }
    printf("served\n");
    return 0;
}
