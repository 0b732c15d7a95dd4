/* sock: holds an epoll instance (which a snapshot cannot hold yet) while
 * it computes: a snapshot asked for meanwhile must fail with a message
 * and leave the program running to its normal end. Exits 0. */
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

int main(void)
{
    int ep = epoll_create1(0);
    if (ep < 0)
        return 2;
    unsigned long x = 7;
    for (int r = 0; r < 4; r++) {
        for (int i = 0; i < 2000000; i++)
            x = x * 2862933555777941757ul + 3037000493ul;
        printf("round %d %lx\n", r, x);
    }
    struct epoll_event ev;
    printf("epoll: %d\n", epoll_wait(ep, &ev, 1, 0));
    return 0;
}
