/* sock: holds a Unix datagram pair with a message queued (which a
 * snapshot cannot hold yet) while it computes: a snapshot asked for
 * meanwhile must fail with a message and leave the program running to its
 * normal end. Exits 0. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0 || send(sv[0], "queued", 6, 0) != 6)
        return 2;
    unsigned long x = 7;
    for (int r = 0; r < 4; r++) {
        for (int i = 0; i < 2000000; i++)
            x = x * 2862933555777941757ul + 3037000493ul;
        printf("round %d %lx\n", r, x);
    }
    char buf[16];
    long n = recv(sv[1], buf, sizeof buf, 0);
    printf("received: %.*s\n", n > 0 ? (int)n : 0, buf);
    return 0;
}
