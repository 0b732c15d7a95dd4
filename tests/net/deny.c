/* Without grants: connect, bind and an addressed UDP send give EACCES;
 * a granted-elsewhere port too. argv[1]: a port. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *en(int e) { return e == EACCES ? "EACCES" : e == 0 ? "ok" : strerror(e); }

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 9;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket: %s\n", s >= 0 ? "ok" : en(errno));
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    printf("connect: %s\n", en(r < 0 ? errno : 0));
    int b = socket(AF_INET, SOCK_STREAM, 0);
    r = bind(b, (struct sockaddr *)&a, sizeof a);
    printf("bind: %s\n", en(r < 0 ? errno : 0));
    r = listen(b, 1);
    printf("listen unbound: %s\n", en(r < 0 ? errno : 0));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    r = (int)sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
    printf("sendto: %s\n", en(r < 0 ? errno : 0));
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
    inet_pton(AF_INET6, "::1", &a6.sin6_addr);
    int s6 = socket(AF_INET6, SOCK_STREAM, 0);
    r = connect(s6, (struct sockaddr *)&a6, sizeof a6);
    printf("connect6: %s\n", en(r < 0 ? errno : 0));
    int raw = socket(AF_PACKET, SOCK_RAW, 0);
    printf("packet socket: %s\n", raw >= 0 ? "ok" : errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : strerror(errno));
    return 0;
}
