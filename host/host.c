/*
 * host.c — page allocation, clocks and randomness on a POSIX host.
 */
#include "host/host.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

void *host_page_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void *host_page_alloc_now(size_t size)
{
#ifdef MAP_POPULATE
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
#else
    return host_page_alloc(size);
#endif
}

void *host_page_alloc_huge(size_t size)
{
    /* Twice the size, and the parts before and after an aligned stretch
     * given back. */
    uint8_t *p = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uint8_t *q = (uint8_t *)(((uintptr_t)p + size - 1) & ~(uintptr_t)(size - 1));
    if (q > p)
        munmap(p, (size_t)(q - p));
    if (q + size < p + 2 * size)
        munmap(q + size, (size_t)(p + 2 * size - (q + size)));
#ifdef MADV_HUGEPAGE
    madvise(q, size, MADV_HUGEPAGE);    /* a hint: without THP, 4 KiB pages */
#endif
    return q;
}

void host_page_populate(void *p, size_t size)
{
#ifdef MADV_POPULATE_WRITE
    madvise(p, size, MADV_POPULATE_WRITE);    /* an old kernel says EINVAL: faults then */
#else
    (void)p, (void)size;
#endif
}

void host_heap_trim(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

void host_page_release(void *p, size_t size)
{
#ifdef MADV_DONTNEED
    madvise(p, size, MADV_DONTNEED);
#else
    (void)p, (void)size;
#endif
}

FILE *host_perf_map_open(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)getpid());
    FILE *f = fopen(path, "w");
    if (f)
        setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

void host_page_free(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t host_time_realtime_ns(void) { return clock_ns(CLOCK_REALTIME); }
/* Added to the host's monotonic clock: a restored VM's clock goes on
 * from where it was saved (host_time_set_monotonic). */
static _Atomic int64_t mono_shift;

uint64_t host_time_monotonic_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC) + (uint64_t)atomic_load_explicit(&mono_shift, memory_order_relaxed);
}

uint64_t host_time_monotonic_raw_ns(uint64_t mono_ns)
{
    int64_t s = atomic_load_explicit(&mono_shift, memory_order_relaxed);
    if (s >= 0)
        return mono_ns >= (uint64_t)s ? mono_ns - (uint64_t)s : 0;
    uint64_t r = mono_ns + (0 - (uint64_t)s);
    return r < mono_ns ? UINT64_MAX : r;   /* "never" stays never */
}

void host_time_set_monotonic(uint64_t now_ns)
{
    atomic_store(&mono_shift, (int64_t)(now_ns - clock_ns(CLOCK_MONOTONIC)));
}

/* Likewise for the CPU time the guest sees (host_time_set_cputime). */
static _Atomic int64_t cpu_shift;

int host_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < 1 << 20 ? (int)n : 1;
}

uint64_t host_time_cputime_ns(void)
{
    return clock_ns(CLOCK_PROCESS_CPUTIME_ID) + (uint64_t)atomic_load_explicit(&cpu_shift, memory_order_relaxed);
}

void host_time_set_cputime(uint64_t now_ns)
{
    atomic_store(&cpu_shift, (int64_t)(now_ns - clock_ns(CLOCK_PROCESS_CPUTIME_ID)));
}

void host_sleep_ns(uint64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void host_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        while (len > 0) {
            ssize_t n = read(fd, p, len);
            if (n <= 0)
                break;
            p += n;
            len -= (size_t)n;
        }
        close(fd);
    }
    /* Fallback: a mixed clock; guests asking for randomness get something. */
    uint64_t x = host_time_monotonic_ns() ^ host_time_realtime_ns() ^ (uint64_t)(uintptr_t)buf;
    while (len > 0) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        *p++ = (uint8_t)x;
        len--;
    }
}

/* ---- a signal as an event ------------------------------------------------ */

struct sigwatch {
    sigset_t set;
    void (*fn)(void *);
    void *ctx;
};

static void *sigwatch_main(void *arg)
{
    struct sigwatch *w = arg;
    for (;;) {
        int sig;
        if (sigwait(&w->set, &sig) == 0)
            w->fn(w->ctx);
    }
    return NULL;
}

int host_on_sigusr1(void (*fn)(void *), void *ctx)
{
    static struct sigwatch w;     /* one watcher a process: it lives as long */
    sigemptyset(&w.set);
    sigaddset(&w.set, SIGUSR1);
    w.fn = fn;
    w.ctx = ctx;
    int r = pthread_sigmask(SIG_BLOCK, &w.set, NULL);
    pthread_t t;
    if (r == 0 && (r = pthread_create(&t, NULL, sigwatch_main, &w)) == 0)
        pthread_detach(t);
    return -r;
}
