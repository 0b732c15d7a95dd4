/* UDP: a server socket on 127.0.0.1 PORT (a listen grant), a client that
 * sends to it (a connect grant) and gets the reply (to the sender). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int port = atoi(argv[1]);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int srv = socket(AF_INET, SOCK_DGRAM, 0);
    if (bind(srv, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        perror("bind");
        return e == EADDRINUSE ? 3 : 1;
    }
    int cli = socket(AF_INET, SOCK_DGRAM, 0);
    for (int i = 0; i < 3; i++) {
        char msg[32], buf[64];
        int n = snprintf(msg, sizeof msg, "ping %d", i);
        if (sendto(cli, msg, (size_t)n, 0, (struct sockaddr *)&a, sizeof a) != n) {
            perror("sendto");
            return 1;
        }
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t k = recvfrom(srv, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);
        if (k < 0) {
            perror("recvfrom");
            return 1;
        }
        buf[k] = 0;
        printf("server got '%s' from 127.0.0.1? %d\n", buf, from.sin_addr.s_addr == a.sin_addr.s_addr);
        buf[1] = 'o';
        if (sendto(srv, buf, (size_t)k, 0, (struct sockaddr *)&from, fl) != k) {
            perror("reply");
            return 1;
        }
        k = recv(cli, buf, sizeof buf - 1, 0);
        buf[k > 0 ? k : 0] = 0;
        printf("client got '%s'\n", buf);
    }
    /* A reply to someone who never wrote: refused. */
    struct sockaddr_in other = a;
    other.sin_port = htons(port == 65535 ? 65534 : port + 1);
    int r = (int)sendto(srv, "x", 1, 0, (struct sockaddr *)&other, sizeof other);
    printf("unsolicited: %s\n", r < 0 && errno == EACCES ? "EACCES" : "sent");
    return 0;
}
