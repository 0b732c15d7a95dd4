/* sock: holds a socket pair (which a snapshot cannot hold yet) while it
 * computes: a snapshot asked for meanwhile must fail with a message and
 * leave the program running to its normal end. Exits 0. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 2;
    unsigned long x = 7;
    for (int r = 0; r < 4; r++) {
        for (int i = 0; i < 2000000; i++)
            x = x * 2862933555777941757ul + 3037000493ul;
        printf("round %d %lx\n", r, x);
    }
    char c = 'k';
    if (write(sv[0], &c, 1) != 1 || read(sv[1], &c, 1) != 1)
        return 2;
    printf("socket pair: %c\n", c);
    return 0;
}
