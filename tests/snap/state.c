/* state: a program whose observable state spans what a snapshot must
 * carry, printed as it goes so that a snapshot anywhere in it shows:
 * threads created and joined in every round, bytes queued in a pipe
 * across the whole run, a file read through two descriptors sharing one
 * offset, a file written a line per round (and read back at the end), a
 * signal blocked and pending until round 4, a handler, shared and
 * read-only mappings, the heap, the monotonic clock (never backwards),
 * and the floating-point rounding mode.
 * Usage: state DIR (a writable directory holding data.txt). Exits 3. */
#include <fcntl.h>
#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void on_usr2(int sig) { handled = sig; }

static unsigned long mix(unsigned long x, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        x = (x ^ (x >> 13)) * 0x9e3779b97f4a7c15ul + i;
    return x;
}

static void *worker(void *arg)
{
    return (void *)mix((unsigned long)arg, 200000);
}

static unsigned long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long)t.tv_sec * 1000000000ul + (unsigned long)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char path[512];
    int q[2];
    if (pipe(q) != 0 || write(q[1], "queued in a pipe", 16) != 16)
        return 2;
    snprintf(path, sizeof path, "%s/data.txt", argv[1]);
    int in = open(path, O_RDONLY), in2 = dup(in);
    snprintf(path, sizeof path, "%s/log.txt", argv[1]);
    int log = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (in < 0 || in2 < 0 || log < 0)
        return 2;
    unsigned char *heap = malloc(1 << 20);
    unsigned char *shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned char *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!heap || shared == MAP_FAILED || ro == MAP_FAILED)
        return 2;
    for (int i = 0; i < (1 << 20); i++)
        heap[i] = (unsigned char)(i * 7);
    memset(shared, 0x5a, 8192);
    strcpy((char *)ro, "read-only page");
    mprotect(ro, 4096, PROT_READ);
    signal(SIGUSR2, on_usr2);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);                 /* pending until round 4 */
    fesetround(FE_UPWARD);
    unsigned long t0 = now_ns(), last = t0;
    int backwards = 0;
    for (int round = 0; round < 8; round++) {
        pthread_t th[3];
        void *res[3];
        for (long k = 0; k < 3; k++)
            pthread_create(&th[k], NULL, worker, (void *)(k + 10 * round));
        for (int k = 0; k < 3; k++)
            pthread_join(th[k], &res[k]);
        char b1[4], b2[4];
        long n1 = read(in, b1, 3), n2 = read(in2, b2, 3);
        if (round == 4) {
            sigprocmask(SIG_UNBLOCK, &set, NULL);
            printf("round 4: unblocked, handler saw %d\n", (int)handled);
        }
        volatile double third = 1.0, three = 3.0;
        double x = third / three;
        unsigned long sum = 0;
        for (int i = round; i < (1 << 20); i += 4099)
            sum += heap[i];
        dprintf(log, "line %d\n", round);
        unsigned long t = now_ns();
        backwards += t < last;
        last = t;
        printf("round %d: %lx %lx %lx | %.*s %.*s | heap %lu shared %d ro '%s' | 1/3 up %.17g\n", round,
               (unsigned long)res[0], (unsigned long)res[1], (unsigned long)res[2], (int)n1, b1, (int)n2, b2,
               sum, shared[round * 1000], (const char *)ro, x);
        fflush(stdout);
        shared[round * 1000] ^= 1;
    }
    char pb[32] = { 0 };
    long n = read(q[0], pb, sizeof pb - 1);
    char lb[128] = { 0 };
    long m = pread(log, lb, sizeof lb - 1, 0);
    printf("pipe: %ld '%s'\nlog: %ld bytes, last '%s'clock: %s\n", n, pb, m, strrchr(lb, 'l') ? strrchr(lb, 'l') : "",
           backwards ? "went backwards" : "monotonic");
    return 3;
}
