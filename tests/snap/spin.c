/* spin: a worker thread runs a generator until DIR/stop exists, while the
 * main thread waits for it in pthread_join (a futex wait): a snapshot
 * taken on SIGUSR1 finds one thread in guest code and one blocked in a
 * system call. At the end the worker checks its state against a second
 * computation from the step count alone: a snapshot that lost or changed
 * anything shows as "inconsistent". Usage: spin DIR. Exits 0. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static const char *stop_path;

static unsigned long step(unsigned long x) { return x * 6364136223846793005ul + 1442695040888963407ul; }

static void *worker(void *arg)
{
    unsigned long x = 1, n = 0;
    (void)arg;
    for (;;) {
        for (int i = 0; i < (1 << 20); i++, n++)
            x = step(x);
        if (access(stop_path, F_OK) == 0)
            break;
    }
    unsigned long y = 1;
    for (unsigned long i = 0; i < n; i++)
        y = step(y);
    printf("done: %s\n", x == y ? "consistent" : "inconsistent");
    return NULL;
}

int main(int argc, char **argv)
{
    char path[512];
    if (argc != 2)
        return 2;
    snprintf(path, sizeof path, "%s/stop", argv[1]);
    stop_path = path;
    printf("started\n");
    fflush(stdout);
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, NULL);
    return 0;
}
