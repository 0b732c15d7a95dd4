/* A TCP echo server: echo ADDR N PORT binds ADDR:PORT, serves N connections one after the
 * other, echoing until the client closes. Prints "ready" once listening.
 * Exit 3 if the port is taken (the test picks another). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    int v6 = strchr(argv[1], ':') != NULL;
    int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
        perror("socket");
        return 1;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(atoi(argv[3]));
        inet_pton(AF_INET6, argv[1], &a->sin6_addr);
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(atoi(argv[3]));
        inet_pton(AF_INET, argv[1], &a->sin_addr);
        len = sizeof *a;
    }
    if (bind(s, (struct sockaddr *)&ss, len) < 0) {
        int e = errno;
        perror("bind");
        return e == EADDRINUSE ? 3 : 1;
    }
    if (listen(s, 16) < 0) {
        perror("listen");
        return 1;
    }
    struct sockaddr_storage me;
    socklen_t ml = sizeof me;
    getsockname(s, (struct sockaddr *)&me, &ml);
    printf("ready %d\n", ntohs(((struct sockaddr_in *)&me)->sin_port));
    fflush(stdout);
    int n = atoi(argv[2]);
    long total = 0;
    for (int i = 0; i < n; i++) {
        struct sockaddr_storage peer;
        socklen_t pl = sizeof peer;
        int c = accept4(s, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
        if (c < 0) {
            perror("accept");
            return 1;
        }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char buf[4096];
        ssize_t k;
        while ((k = read(c, buf, sizeof buf)) > 0) {
            total += k;
            for (ssize_t off = 0; off < k;) {
                ssize_t w = write(c, buf + off, (size_t)(k - off));
                if (w <= 0) {
                    perror("write");
                    return 1;
                }
                off += w;
            }
        }
        close(c);
    }
    printf("served %d connections, %ld bytes\n", n, total);
    return 0;
}
