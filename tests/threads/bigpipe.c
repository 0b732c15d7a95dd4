/* One thread writes 64 MiB into a pipe in 1 MiB writes while another
   reads it: a write that fills the pipe must not keep the reader from
   running (it waits for room without holding anything the reader needs). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fd[2];

static void *reader(void *arg)
{
    static char b[100000];
    long total = 0, n;
    unsigned sum = 0;
    (void)arg;
    while ((n = read(fd[0], b, sizeof b)) > 0) {
        for (long i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)b[i];
        total += n;
    }
    printf("read %ld bytes, checksum %s\n", total, sum == 0x8c000000u ? "right" : "WRONG");
    return NULL;
}

int main(void)
{
    static char big[1 << 20];
    pthread_t t;
    if (pipe(fd) != 0)
        return 1;
    pthread_create(&t, NULL, reader, NULL);
    for (int i = 0; i < 64; i++) {
        memset(big, 'a' + i % 26, sizeof big);
        if (write(fd[1], big, sizeof big) != (ssize_t)sizeof big) {
            printf("short write\n");
            return 1;
        }
    }
    close(fd[1]);
    pthread_join(t, NULL);
    return 0;
}
