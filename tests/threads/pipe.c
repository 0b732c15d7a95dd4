/* A thread writes through a pipe that the main thread reads with blocking
   reads: the reader must let the writer run. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fds[2];

static void *writer(void *a __attribute__((unused)))
{
    char b[64];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(b, sizeof b, "line %d\n", i);
        if (write(fds[1], b, (size_t)n) != n)
            return (void *)1;
        if (i % 10 == 0)
            usleep(1000);
    }
    close(fds[1]);
    return NULL;
}

int main(void)
{
    if (pipe(fds) != 0)
        return 1;
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    char b[256];
    long total = 0, lines = 0;
    ssize_t n;
    while ((n = read(fds[0], b, sizeof b)) > 0) {
        total += n;
        for (ssize_t i = 0; i < n; i++)
            lines += b[i] == '\n';
    }
    void *r;
    pthread_join(t, &r);
    printf("bytes %ld lines %ld writer %ld\n", total, lines, (long)r);
    return 0;
}
