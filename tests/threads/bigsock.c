/* One thread sends 64 MiB over a stream socketpair in 1 MiB sends while
   another receives it: a send that fills the socket must not keep the
   receiver from running (it waits for room without holding anything the
   receiver needs). The checksum is hand-computed (see bigpipe.c). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sv[2];

static void *receiver(void *arg)
{
    static char b[100000];
    long total = 0, n;
    unsigned sum = 0;
    (void)arg;
    while ((n = recv(sv[1], b, sizeof b, 0)) > 0) {
        for (long i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)b[i];
        total += n;
    }
    printf("received %ld bytes, checksum %s\n", total, sum == 0x8c000000u ? "right" : "WRONG");
    return NULL;
}

int main(void)
{
    static char big[1 << 20];
    pthread_t t;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    pthread_create(&t, NULL, receiver, NULL);
    for (int i = 0; i < 64; i++) {
        memset(big, 'a' + i % 26, sizeof big);
        if (send(sv[0], big, sizeof big, 0) != (ssize_t)sizeof big) {
            printf("short send\n");
            return 1;
        }
    }
    shutdown(sv[0], SHUT_WR);
    pthread_join(t, NULL);
    return 0;
}
