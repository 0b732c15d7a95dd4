/* sink: a receiver that dies in the middle of a migration. Listens on
 * 127.0.0.1 (a free port, printed on stdout), takes one connection, reads
 * N bytes of it, then exits without a word (the connection drops).
 * Usage: sink N. A host program (built with the host's compiler). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    long want = atol(argv[1]);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 1) != 0 ||
        getsockname(l, (struct sockaddr *)&a, &len) != 0)
        return 2;
    printf("%u\n", ntohs(a.sin_port));
    fflush(stdout);
    int c = accept(l, NULL, NULL);
    if (c < 0)
        return 2;
    char buf[4096];
    for (long got = 0; got < want;) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0)
            break;
        got += n;
    }
    return 0;
}
